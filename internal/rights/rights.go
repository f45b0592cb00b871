package rights

import (
	"context"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/vault"
)

// ExportState says how far a download has got.
type ExportState string

// The export states.
const (
	ExportPending ExportState = "pending" // asked for; the job has not finished
	ExportReady   ExportState = "ready"   // the zip is sealed and waiting
)

// Export is one "Download my information" the person asked for.
type Export struct {
	ID           tend.ID
	PersonID     tend.ID
	State        ExportState
	RequestedAt  time.Time
	ReadyAt      *time.Time
	ExpiresAt    time.Time
	DownloadedAt *time.Time
	Size         int // bytes of the zip, once ready
}

// Record is an export as it is stored: the zip sealed under the person's
// key (nil while pending).
type Record struct {
	Export
	Archive []byte
}

// Erasure is a person's request to erase their account.
type Erasure struct {
	ID          tend.ID
	PersonID    tend.ID
	RequestedAt time.Time
	DueAt       time.Time // when the hold ends and the erasure runs
	CancelledAt *time.Time
	ErasedAt    *time.Time
}

// Pending reports whether the erasure waits for its hold to end.
func (e Erasure) Pending() bool { return e.CancelledAt == nil && e.ErasedAt == nil }

// Settings are the service's records settings for data rights.
type Settings struct {
	// NotesInExport puts clinician notes in the person's download
	// (DESIGN.md "Who sees what": "in the person's export only if the
	// service's records setting says so"). Off by default.
	NotesInExport bool `json:"notes_in_export,omitempty"`
	// ErasureHoldDays is how many days pass between a person asking to
	// erase their account and the erasure, during which they may cancel;
	// nil means DefaultErasureHoldDays, 0 erases at once.
	ErasureHoldDays *int `json:"erasure_hold_days,omitempty"`
}

// DefaultErasureHoldDays is the hold when the service sets none: a week
// lets someone who asked in a hard moment change their mind, and is short
// enough that the erasure is still "without undue delay".
const DefaultErasureHoldDays = 7

// MaxErasureHoldDays bounds the hold a service may choose.
const MaxErasureHoldDays = 30

// HoldDays returns the hold in days.
func (s Settings) HoldDays() int {
	if s.ErasureHoldDays == nil {
		return DefaultErasureHoldDays
	}
	return *s.ErasureHoldDays
}

// Validate returns what is wrong with the settings, or "".
func (s Settings) Validate() string {
	if d := s.HoldDays(); d < 0 || d > MaxErasureHoldDays {
		return "Enter a whole number of days from 0 to 30, or leave it empty for 7."
	}
	return ""
}

// Part is one area of the download: a file name (without ".json") and
// what the person themselves sees of that area, as the area's own domain
// service returns it to them.
type Part struct {
	Name    string
	Collect func(ctx context.Context, actor tend.Actor, personID tend.ID) (any, error)
}

// FHIRBundle returns the FHIR Bundle of everything the actor may see about
// the person, as JSON.
type FHIRBundle func(ctx context.Context, actor tend.Actor, personID tend.ID) ([]byte, error)

// Notes returns the clinician notes about the person for their own
// download; it refuses unless the service's records setting allows it.
type Notes func(ctx context.Context, actor tend.Actor, personID tend.ID) (any, error)

// Confirm checks the signed-in person's password again before an erasure;
// EINVALID (or ERATELIMITED) when it does not match.
type Confirm func(ctx context.Context, actor tend.Actor, password string) error

// JobArgs is a background job's arguments: ids only, never content.
type JobArgs = interface{ Kind() string }

// BuildExportArgs asks for one export to be built.
type BuildExportArgs struct {
	ExportID tend.ID `json:"export_id"`
}

// Kind names the job.
func (BuildExportArgs) Kind() string { return "build_data_export" }

// EraseArgs asks for one erasure request to be carried out.
type EraseArgs struct {
	ErasureID tend.ID `json:"erasure_id"`
}

// Kind names the job.
func (EraseArgs) Kind() string { return "erase_account" }

// Store reads outside a unit of work.
type Store interface {
	InTx(ctx context.Context, fn func(Tx) error) error
	// FindDataExports returns the person's exports not yet expired at now,
	// newest first (without their archives).
	FindDataExports(ctx context.Context, personID tend.ID, now time.Time) ([]Export, error)
	// FindDataExport returns one of the person's exports with its archive,
	// or ENOTFOUND.
	FindDataExport(ctx context.Context, personID, id tend.ID) (Record, error)
	// FindOpenErasure returns the person's erasure request that is not
	// cancelled (pending or done), or ENOTFOUND.
	FindOpenErasure(ctx context.Context, personID tend.ID) (Erasure, error)
}

// Tx is one unit of work: data, audit events, notices and jobs commit
// together.
type Tx interface {
	Now() time.Time
	AppendAudit(ctx context.Context, events ...tend.AuditEvent) error
	// EnqueueJob adds a job that runs at or after at, only if the unit of
	// work commits (at zero: at once).
	EnqueueJob(ctx context.Context, args interface{ Kind() string }, at time.Time) error
	// CreateDataExport adds an export.
	CreateDataExport(ctx context.Context, r Record) error
	// DataExportForUpdate returns an export by id, locked, or ENOTFOUND.
	DataExportForUpdate(ctx context.Context, id tend.ID) (Record, error)
	// UpdateDataExport writes an export's state, times, size and archive.
	UpdateDataExport(ctx context.Context, r Record) error
	// CountDataExportsSince counts the person's exports asked for at or
	// after since (expired ones included while their rows remain).
	CountDataExportsSince(ctx context.Context, personID tend.ID, since time.Time) (int, error)
	// DeleteExpiredDataExports deletes every export expired at now and
	// returns how many.
	DeleteExpiredDataExports(ctx context.Context, now time.Time) (int, error)
	// CreateNotice adds a notice for the person.
	CreateNotice(ctx context.Context, n careteam.Notice) error
	// CreateErasure adds an erasure request; ECONFLICT when one is open.
	CreateErasure(ctx context.Context, e Erasure) error
	// ErasureForUpdate returns an erasure request by id, locked, or ENOTFOUND.
	ErasureForUpdate(ctx context.Context, id tend.ID) (Erasure, error)
	// OpenErasureForUpdate is FindOpenErasure, locked.
	OpenErasureForUpdate(ctx context.Context, personID tend.ID) (Erasure, error)
	// UpdateErasure writes an erasure request's cancelled and erased times.
	UpdateErasure(ctx context.Context, e Erasure) error
	// ErasePersonData deletes the person's content from every table that
	// holds it, disables the account (no password, no PIN, no sessions or
	// tokens), renames it to name and marks it erased at at. It returns
	// the rows deleted per table.
	ErasePersonData(ctx context.Context, personID tend.ID, at time.Time, name string) (map[string]int64, error)
}

// Checker answers access questions.
type Checker interface {
	Check(ctx context.Context, actor tend.Actor, action access.Action, personID tend.ID) error
}

// Vault seals the zip under the person's key and destroys the key at
// erasure.
type Vault interface {
	SealPerson(ctx context.Context, personID tend.ID, f vault.Field, plaintext []byte) ([]byte, error)
	OpenPerson(ctx context.Context, personID tend.ID, f vault.Field, ciphertext []byte) ([]byte, error)
	Erase(ctx context.Context, personID tend.ID) error
}

// table is where exports live; sealing binds each zip to its row.
const table = "data_exports"

func archiveField(id tend.ID) vault.Field {
	return vault.Field{Table: table, Column: "archive", Row: id}
}

func event(actor tend.Actor, action string, personID tend.ID, target string) tend.AuditEvent {
	return tend.AuditEvent{ActorKind: actor.Kind, ActorID: actor.ID, ActorRole: string(actor.Role),
		Action: action, PersonID: personID, Target: target, Outcome: tend.OutcomeOK}
}
