package auth

import "context"

// Acquire takes a hashing slot, so tests can fill the semaphore.
func (h *Hasher) Acquire() { _ = h.acquire(context.Background()) }

// Release frees a slot taken with Acquire.
func (h *Hasher) Release() { h.release() }
