package audit_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/audit"
	"github.com/tendcare/tend/internal/keys"
)

func TestSeal(t *testing.T) {
	k1 := keys.Key{ID: "sk-1", Secret: bytes.Repeat([]byte{1}, keys.Size)}
	k2 := keys.Key{ID: "sk-2", Secret: bytes.Repeat([]byte{2}, keys.Size)}
	ev := tend.AuditEvent{ID: "e1", At: time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC), ActorKind: tend.KindStaff, ActorID: "lee",
		ActorRole: "clinician", Action: "profile.read", PersonID: "sam", Target: "person:sam", Outcome: tend.OutcomeOK}
	c := audit.NewChain(k1, "node")
	prev := c.Genesis("chain-1")
	mac := c.Seal(prev, "chain-1", 1, ev)
	tests := []struct {
		name   string
		other  []byte
		differ bool
	}{
		{"SameInputsSameSeal", audit.NewChain(k1, "elsewhere").Seal(prev, "chain-1", 1, ev), false},
		{"OtherKey", audit.NewChain(k2, "node").Seal(prev, "chain-1", 1, ev), true},
		{"OtherPosition", c.Seal(prev, "chain-1", 2, ev), true},
		{"OtherChain", c.Seal(prev, "chain-2", 1, ev), true},
		{"OtherPrevious", c.Seal(c.Genesis("chain-2"), "chain-1", 1, ev), true},
		{"EditedPerson", c.Seal(prev, "chain-1", 1, func() tend.AuditEvent { e := ev; e.PersonID = "alex"; return e }()), true},
		// Length-prefixed fields: moving a character between fields changes the seal.
		{"ShiftedFields", c.Seal(prev, "chain-1", 1, func() tend.AuditEvent { e := ev; e.ActorID, e.ActorRole = "leec", "linician"; return e }()), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := !bytes.Equal(mac, tt.other); got != tt.differ {
				t.Errorf("seals differ = %v, want %v", got, tt.differ)
			}
		})
	}
	if _, ok := audit.Chains(&keys.File{Keys: []keys.Key{k1}})("sk-2"); ok {
		t.Error("Chains found a key the file does not hold")
	}
}
