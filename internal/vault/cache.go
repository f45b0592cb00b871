package vault

import (
	"container/list"
	"crypto/cipher"
	"sync"
	"time"
)

// keyCache holds unwrapped data keys, least recently used first out, each
// for at most ttl. Its generation moves on every removal, and a key read
// from the store before a removal is not cached after it, so an erased key
// never comes back into the cache.
type keyCache struct {
	mu    sync.Mutex
	limit int
	ttl   time.Duration
	gen   uint64
	ll    *list.List // front: most recently used
	items map[string]*list.Element
}

type cacheEntry struct {
	key   string
	id    string
	aead  cipher.AEAD
	added time.Time
}

func newKeyCache(limit int, ttl time.Duration) *keyCache {
	return &keyCache{limit: limit, ttl: ttl, ll: list.New(), items: make(map[string]*list.Element)}
}

// get returns the cached key and the current generation, to pass to put.
func (c *keyCache) get(k string, now time.Time) (id string, a cipher.AEAD, gen uint64, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, found := c.items[k]
	if !found {
		return "", nil, c.gen, false
	}
	e := el.Value.(*cacheEntry)
	if now.Sub(e.added) > c.ttl || now.Before(e.added) {
		c.ll.Remove(el)
		delete(c.items, k)
		return "", nil, c.gen, false
	}
	c.ll.MoveToFront(el)
	return e.id, e.aead, c.gen, true
}

// put caches a key read at generation gen, unless something was removed
// since then.
func (c *keyCache) put(k, id string, a cipher.AEAD, gen uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if el, found := c.items[k]; found {
		el.Value = &cacheEntry{key: k, id: id, aead: a, added: now}
		c.ll.MoveToFront(el)
		return
	}
	c.items[k] = c.ll.PushFront(&cacheEntry{key: k, id: id, aead: a, added: now})
	for c.ll.Len() > c.limit {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*cacheEntry).key)
	}
}

func (c *keyCache) remove(k string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if el, found := c.items[k]; found {
		c.ll.Remove(el)
		delete(c.items, k)
	}
}

func (c *keyCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}
