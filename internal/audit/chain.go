package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/keys"
)

// Chain seals events for one node's chains with one service key.
type Chain struct {
	key   []byte
	keyID string
	node  string
}

// NewChain derives the audit key from a service key, so the audit trail
// cannot be re-sealed by anyone who holds only the database.
func NewChain(k keys.Key, node string) *Chain {
	m := hmac.New(sha256.New, k.Secret)
	m.Write([]byte("tend audit chain v1"))
	return &Chain{key: m.Sum(nil), keyID: k.ID, node: node}
}

// Node names the node whose chains this seals.
func (c *Chain) Node() string { return c.node }

// KeyID names the service key the chain's seals derive from.
func (c *Chain) KeyID() string { return c.keyID }

// Genesis is the seal a new chain starts from.
func (c *Chain) Genesis(chainID string) []byte {
	m := hmac.New(sha256.New, c.key)
	writeField(m, "genesis")
	writeField(m, chainID)
	return m.Sum(nil)
}

// Seal returns the MAC of ev at position seq of chainID, following prev.
func (c *Chain) Seal(prev []byte, chainID string, seq int64, ev tend.AuditEvent) []byte {
	m := hmac.New(sha256.New, c.key)
	writeField(m, string(prev))
	writeField(m, chainID)
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(seq)) // #nosec G115 -- sequence numbers are positive.
	m.Write(n[:])
	for _, f := range []string{string(ev.ID), ev.At.UTC().Format(time.RFC3339Nano), string(ev.ActorKind), string(ev.ActorID),
		ev.ActorRole, ev.Action, string(ev.PersonID), ev.Target, ev.Outcome} {
		writeField(m, f)
	}
	return m.Sum(nil)
}

// writeField writes a length-prefixed field, so no two different events
// encode to the same bytes.
func writeField(m interface{ Write([]byte) (int, error) }, s string) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(s))) // #nosec G115 -- fields are short.
	_, _ = m.Write(n[:])
	_, _ = m.Write([]byte(s))
}

// Chains returns, for a key id, the chain that verifies chains sealed with
// that key: every key in the key file, old ones included.
func Chains(f *keys.File) func(keyID string) (*Chain, bool) {
	return func(keyID string) (*Chain, bool) {
		for _, k := range f.Keys {
			if k.ID == keyID {
				return NewChain(k, ""), true
			}
		}
		return nil, false
	}
}
