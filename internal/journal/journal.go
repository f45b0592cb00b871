package journal

import (
	"context"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/vault"
)

// Entry is one journal entry, opened.
type Entry struct {
	ID       tend.ID
	PersonID tend.ID
	// Revision counts saves: 1 after the first. A save names the revision
	// it started from, so a save from an older one is merged, not lost.
	Revision int
	Text     string
	// Prompt is the prompt's words as the person saw them when the entry
	// was started ("" for none); PromptID the open prompt or assignment.
	Prompt    string
	PromptID  tend.ID
	Deeper    bool // the prompt was assigned by a clinician
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Record is an entry as it is stored: its words sealed.
type Record struct {
	ID        tend.ID
	PersonID  tend.ID
	Revision  int
	Body      []byte // sealed text
	Prompt    []byte // sealed prompt words (sealed "" for none)
	PromptID  tend.ID
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Prompt is one of the service's open prompts, which any person may pick.
// Its words are the service's own, about nobody, so they are not sealed.
type Prompt struct {
	ID   tend.ID
	Text string
}

// Assignment is a prompt a clinician assigned to one person (a deeper
// prompt is never a default, clinical/skills.md).
type Assignment struct {
	ID             tend.ID
	PersonID       tend.ID
	Text           string
	AssignedBy     tend.ID
	AssignedByName string
	AssignedAt     time.Time
}

// AssignmentRecord is an assignment as it is stored: its words sealed.
type AssignmentRecord struct {
	ID          tend.ID
	PersonID    tend.ID
	Prompt      []byte
	AssignedBy  tend.ID
	AssignedAt  time.Time
	WithdrawnBy tend.ID
	WithdrawnAt *time.Time
}

// Member is a care-team membership that has not ended, with the staff
// member's name: a candidate reader of the journal.
type Member struct {
	StaffID tend.ID
	Name    string
	Role    tend.CareRole
}

// Reader is a care-team member who can read the person's journal now.
type Reader struct {
	StaffID tend.ID
	Name    string
	Role    tend.CareRole
}

// Store reads outside a unit of work, so the person's own reads never
// need a write.
type Store interface {
	InTx(ctx context.Context, fn func(Tx) error) error
	// FindJournalEntries returns the person's entries, most recently
	// changed first; none is an empty slice.
	FindJournalEntries(ctx context.Context, personID tend.ID) ([]Record, error)
	// FindJournalEntry returns one of the person's entries, or ENOTFOUND.
	FindJournalEntry(ctx context.Context, personID, id tend.ID) (Record, error)
	// FindJournalPrompts returns the service's open prompts not retired,
	// oldest first.
	FindJournalPrompts(ctx context.Context) ([]Prompt, error)
	// FindJournalAssignments returns the person's assignments not
	// withdrawn, oldest first.
	FindJournalAssignments(ctx context.Context, personID tend.ID) ([]AssignmentRecord, error)
	// FindJournalMembers returns the person's memberships that have not
	// ended, with names.
	FindJournalMembers(ctx context.Context, personID tend.ID) ([]Member, error)
	// FindStaffNames returns staff names by id ("" for unknown ids).
	FindStaffNames(ctx context.Context, ids []tend.ID) (map[tend.ID]string, error)
}

// Tx is one unit of work: the data and its audit events commit together.
type Tx interface {
	// JournalEntryForUpdate returns one of the person's entries, locked
	// until the unit of work ends, or ENOTFOUND.
	JournalEntryForUpdate(ctx context.Context, personID, id tend.ID) (Record, error)
	// CreateJournalEntry adds an entry; ECONFLICT when the id is taken.
	CreateJournalEntry(ctx context.Context, r Record) error
	// UpdateJournalEntry replaces an entry's body, revision and time;
	// ENOTFOUND for an unknown entry.
	UpdateJournalEntry(ctx context.Context, r Record) error
	// FindJournalPromptTx returns an open prompt not retired, or ENOTFOUND.
	FindJournalPromptTx(ctx context.Context, id tend.ID) (Prompt, error)
	// FindJournalAssignmentTx returns one of the person's assignments, or
	// ENOTFOUND.
	FindJournalAssignmentTx(ctx context.Context, personID, id tend.ID) (AssignmentRecord, error)
	CreateJournalPrompt(ctx context.Context, p Prompt, by tend.ID, at time.Time) error
	// RetireJournalPrompt returns ENOTFOUND for an unknown or retired prompt.
	RetireJournalPrompt(ctx context.Context, id tend.ID, at time.Time) error
	CreateJournalAssignment(ctx context.Context, a AssignmentRecord) error
	// WithdrawJournalAssignment returns ENOTFOUND for an unknown or
	// withdrawn assignment.
	WithdrawJournalAssignment(ctx context.Context, personID, id, by tend.ID, at time.Time) error
	// FindIdempotencyKeyTx returns the outcome recorded for key, or ENOTFOUND.
	FindIdempotencyKeyTx(ctx context.Context, scope, key string) (string, error)
	PutIdempotencyKey(ctx context.Context, scope, key, outcome string, expires time.Time) error
	AppendAudit(ctx context.Context, events ...tend.AuditEvent) error
}

// Checker decides access (access.Checker).
type Checker interface {
	Check(ctx context.Context, actor tend.Actor, action access.Action, personID tend.ID) error
	CheckTarget(ctx context.Context, actor tend.Actor, action access.Action, personID tend.ID, t access.Target) error
	CheckService(ctx context.Context, actor tend.Actor, action access.Action) error
}

// Sealer seals and opens a person's text (vault.Vault).
type Sealer interface {
	SealPerson(ctx context.Context, personID tend.ID, f vault.Field, plaintext []byte) ([]byte, error)
	OpenPerson(ctx context.Context, personID tend.ID, f vault.Field, ciphertext []byte) ([]byte, error)
}
