package audit

import (
	"context"
	"crypto/hmac"
	"fmt"
	"time"

	"github.com/tendcare/tend"
)

// Head is a chain's last position as its head row records it.
type Head struct {
	ID        string
	Node      string
	KeyID     string
	Seq       int64
	MAC       []byte
	StartedAt time.Time
}

// Sealed is a stored event with its place in its chain.
type Sealed struct {
	tend.AuditEvent
	ChainID string
	Seq     int64
	MAC     []byte
}

// Store reads the trail for verification.
type Store interface {
	// FindAuditChains returns every chain's head.
	FindAuditChains(ctx context.Context) ([]Head, error)
	// EachAuditEvent calls fn for each event of chainID in sequence order.
	EachAuditEvent(ctx context.Context, chainID string, fn func(Sealed) error) error
}

// Problem is one break in a chain.
type Problem struct {
	ChainID string
	Seq     int64
	What    string
}

func (p Problem) String() string { return fmt.Sprintf("chain %s at %d: %s", p.ChainID, p.Seq, p.What) }

// Report is what Verify found.
type Report struct {
	Chains   int
	Events   int
	Problems []Problem
}

// Verify recomputes every seal. It reports an edited event (its seal no
// longer matches), a deleted or inserted one (a gap in the sequence, or the
// next seal not following), and a deleted last event (the head row no
// longer matches the last event).
func Verify(ctx context.Context, st Store, chains func(keyID string) (*Chain, bool)) (Report, error) {
	heads, err := st.FindAuditChains(ctx)
	if err != nil {
		return Report{}, err
	}
	var r Report
	for _, h := range heads {
		r.Chains++
		c, ok := chains(h.KeyID)
		if !ok {
			r.Problems = append(r.Problems, Problem{h.ID, 0, fmt.Sprintf("sealed with service key %s, which the key file no longer holds", h.KeyID)})
			continue
		}
		prev := c.Genesis(h.ID)
		var want int64 = 1
		err := st.EachAuditEvent(ctx, h.ID, func(e Sealed) error {
			r.Events++
			if e.Seq != want {
				r.Problems = append(r.Problems, Problem{h.ID, e.Seq, fmt.Sprintf("expected event %d here: events are missing or were inserted", want)})
			}
			if !hmac.Equal(c.Seal(prev, h.ID, e.Seq, e.AuditEvent), e.MAC) {
				r.Problems = append(r.Problems, Problem{h.ID, e.Seq, "the event or the one before it was changed"})
			}
			prev, want = e.MAC, e.Seq+1
			return nil
		})
		if err != nil {
			return r, err
		}
		if h.Seq != want-1 || !hmac.Equal(h.MAC, prev) {
			r.Problems = append(r.Problems, Problem{h.ID, h.Seq, "the chain's head does not match its last event: events at the end were deleted"})
		}
	}
	return r, nil
}
