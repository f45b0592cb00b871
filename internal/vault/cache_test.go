package vault

import (
	"testing"
	"time"
)

// TestKeyCache proves the cache's bound, its time limit, and that a key read
// before a removal is not cached after it.
func TestKeyCache(t *testing.T) {
	now := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	t.Run("OKBounded", func(t *testing.T) {
		c := newKeyCache(2, time.Minute)
		for _, k := range []string{"a", "b", "c"} {
			_, _, gen, _ := c.get(k, now)
			c.put(k, k, nil, gen, now)
		}
		if c.len() != 2 {
			t.Errorf("len = %d, want 2", c.len())
		}
		if _, _, _, ok := c.get("a", now); ok {
			t.Error("the least recently used key stayed")
		}
	})
	t.Run("OKExpires", func(t *testing.T) {
		c := newKeyCache(2, time.Minute)
		c.put("a", "a", nil, 0, now)
		if _, _, _, ok := c.get("a", now.Add(2*time.Minute)); ok {
			t.Error("an expired key was served")
		}
	})
	t.Run("OKLateInsertRefused", func(t *testing.T) {
		c := newKeyCache(2, time.Minute)
		_, _, gen, _ := c.get("a", now) // a read starts
		c.remove("a")                   // an erasure lands
		c.put("a", "a", nil, gen, now)  // the read finishes
		if _, _, _, ok := c.get("a", now); ok {
			t.Error("a key read before its erasure was cached")
		}
	})
}
