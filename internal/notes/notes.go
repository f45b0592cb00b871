package notes

import (
	"context"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/vault"
)

// Kind is what a note is.
type Kind string

// The kinds. KindSafetyFormulation is the clinician's free-text safety
// formulation (safety-rules.md section 1, NICE NG225 1.6.6): free text with
// no rating, category or score.
const (
	KindNote              Kind = "note"
	KindSafetyFormulation Kind = "safety_formulation"
)

// Kinds lists every kind, in the order forms offer them.
var Kinds = []Kind{KindNote, KindSafetyFormulation}

// Valid reports whether k is a kind.
func (k Kind) Valid() bool { return k == KindNote || k == KindSafetyFormulation }

// Version is one version of a note.
type Version struct {
	ID         tend.ID // the version's own id
	Version    int     // 1 for the note as first written
	Text       string
	WrittenBy  tend.ID
	WriterName string
	WrittenAt  time.Time
}

// Note is a clinician note: its current version first, then the versions it
// corrected, newest first.
type Note struct {
	ID        tend.ID // the note's id, the same for every version
	PersonID  tend.ID
	SessionID tend.ID // "" for a free note
	Kind      Kind
	Current   Version
	Earlier   []Version
}

// Corrected reports whether the note has been corrected.
func (n Note) Corrected() bool { return len(n.Earlier) > 0 }

// Record is a version as stored: the text sealed with the records key.
type Record struct {
	ID        tend.ID
	NoteID    tend.ID
	Version   int
	PersonID  tend.ID
	SessionID tend.ID
	Kind      Kind
	Body      []byte
	WrittenBy tend.ID
	WrittenAt time.Time
}

// Store is the unit-of-work runner and the reads outside one.
type Store interface {
	InTx(ctx context.Context, fn func(Tx) error) error
	// FindNoteRecords returns every version of every note about the
	// person, oldest first.
	FindNoteRecords(ctx context.Context, personID tend.ID) ([]Record, error)
	// FindStaffNames maps staff ids to their names (unknown ids are left out).
	FindStaffNames(ctx context.Context, ids []tend.ID) (map[tend.ID]string, error)
}

// Tx is one unit of work.
type Tx interface {
	// LatestNoteRecord returns the newest version of the person's note, or
	// ENOTFOUND (also for a note about someone else).
	LatestNoteRecord(ctx context.Context, personID, noteID tend.ID) (Record, error)
	// CreateNoteRecord adds a version; ECONFLICT when its number is taken.
	CreateNoteRecord(ctx context.Context, r Record) error
	AppendAudit(ctx context.Context, events ...tend.AuditEvent) error
}

// Checker is the access checker.
type Checker interface {
	Check(ctx context.Context, actor tend.Actor, action access.Action, personID tend.ID) error
}

// Sealer seals and opens service records (the vault's records key).
type Sealer interface {
	SealRecord(ctx context.Context, f vault.Field, plaintext []byte) ([]byte, error)
	OpenRecord(ctx context.Context, f vault.Field, ciphertext []byte) ([]byte, error)
}
