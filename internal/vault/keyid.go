package vault

// KeyID returns the id of the data key or records key that sealed
// ciphertext, without opening it. 'tend restore' uses it to check that the
// key store holds a key for everything a backup's data was sealed with.
// A value that is not a vault ciphertext returns an error wrapping
// ErrUnreadable.
func KeyID(ciphertext []byte) (string, error) { return peekKeyID(ciphertext) }
