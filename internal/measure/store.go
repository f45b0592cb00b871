package measure

import (
	"context"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/episodes"
	"github.com/tendcare/tend/internal/followup"
)

// Imported is an instrument a service imported: its definition, the FHIR
// Questionnaire it came as, and the service's statement of its right to
// use it.
type Imported struct {
	Instrument    Instrument
	Questionnaire []byte // the FHIR R4 Questionnaire as imported (JSON)
	Rights        string
	ImportedBy    tend.ID
	ImportedAt    time.Time
	RetiredAt     *time.Time
	RetiredBy     tend.ID
	// PromptsEnabled: the service turned on the safety prompts the
	// instrument's items propose.
	PromptsEnabled bool
}

// Assignment is an instrument assigned to a person, once or on a schedule.
type Assignment struct {
	ID           tend.ID
	PersonID     tend.ID
	InstrumentID string
	Schedule     Schedule
	StartsOn     time.Time // civil date, midnight UTC
	CreatedBy    tend.ID
	CreatedAt    time.Time
	EndedAt      *time.Time
	EndedBy      tend.ID
}

// Active reports whether the assignment still falls due.
func (a Assignment) Active() bool { return a.EndedAt == nil }

// Due is one due questionnaire: unique on (assignment, date), so scheduling
// never doubles.
type Due struct {
	ID           tend.ID
	AssignmentID tend.ID
	PersonID     tend.ID
	InstrumentID string
	On           time.Time // civil date, midnight UTC
	Reason       Reason
	CreatedAt    time.Time
}

// Response is a person's answers to one due questionnaire, saved as they go
// and finished later; its score is stored with the instrument's version.
type Response struct {
	ID           tend.ID
	DueID        tend.ID
	PersonID     tend.ID
	InstrumentID string
	Version      string
	Answers      Answers
	Score        Score
	Finished     bool
	StartedAt    time.Time
	UpdatedAt    time.Time
	FinishedAt   *time.Time
	EnteredBy    tend.ID
}

// DueRecord is a due questionnaire with its assignment and its response so
// far (Response nil: not started).
type DueRecord struct {
	Due        Due
	Assignment Assignment
	Response   *Response
}

// Store reads outside a unit of work.
type Store interface {
	InTx(ctx context.Context, fn func(Tx) error) error
	// FindImportedInstruments returns every imported instrument, retired
	// ones included, oldest first.
	FindImportedInstruments(ctx context.Context) ([]Imported, error)
	// FindImportedInstrument returns one; ENOTFOUND for none.
	FindImportedInstrument(ctx context.Context, id string) (Imported, error)
	// FindAssignments returns the person's assignments, newest first.
	FindAssignments(ctx context.Context, personID tend.ID) ([]Assignment, error)
	// FindActiveAssignments returns every assignment still falling due.
	FindActiveAssignments(ctx context.Context) ([]Assignment, error)
	// FindDue returns the person's due questionnaires dated up to through,
	// with their assignments and responses, oldest first.
	FindDue(ctx context.Context, personID tend.ID, through time.Time) ([]DueRecord, error)
	// FindResponses returns the person's responses, by due date, oldest first.
	FindResponses(ctx context.Context, personID tend.ID) ([]Response, error)
	// FindEpisodes and FindCareSessions give the calendar schedules tied
	// to care fall due from (as episodes.Store).
	FindEpisodes(ctx context.Context, personID tend.ID) ([]episodes.Episode, error)
	FindCareSessions(ctx context.Context, personID tend.ID) ([]episodes.Session, error)
}

// Tx is one unit of work: a response, its score, any safety prompt and the
// audit events commit together or not at all.
type Tx interface {
	followup.Tx
	// CreateImportedInstrument adds an instrument; ECONFLICT when one with
	// its id (key, version, language) exists.
	CreateImportedInstrument(ctx context.Context, in Imported) error
	// UpdateImportedInstrument sets an instrument's retirement and prompts.
	UpdateImportedInstrument(ctx context.Context, in Imported) error
	// CreateAssignment adds an assignment; ECONFLICT when the person
	// already has an active assignment of the instrument.
	CreateAssignment(ctx context.Context, a Assignment) error
	// FindAssignmentTx returns one of the person's assignments, locked;
	// ENOTFOUND when it is not theirs.
	FindAssignmentTx(ctx context.Context, personID, id tend.ID) (Assignment, error)
	// EndAssignment ends an assignment: it falls due no more.
	EndAssignment(ctx context.Context, personID, id, by tend.ID, at time.Time) error
	// CreateDue adds a due questionnaire unless the assignment already has
	// one on that date (added false).
	CreateDue(ctx context.Context, d Due) (added bool, err error)
	// FindDueTx returns one of the person's due questionnaires with its
	// assignment and response, locked for update; ENOTFOUND when it is not
	// theirs.
	FindDueTx(ctx context.Context, personID, dueID tend.ID) (DueRecord, error)
	// CreateResponse adds a due questionnaire's response; ECONFLICT when it
	// already has one.
	CreateResponse(ctx context.Context, r Response) error
	// UpdateResponse replaces a response's answers, score and state.
	UpdateResponse(ctx context.Context, r Response) error
}

// Checker decides access (access.Checker).
type Checker interface {
	Check(ctx context.Context, actor tend.Actor, action access.Action, personID tend.ID) error
	// CheckService decides a service-level action: the instruments a
	// service imports are its settings (access.SettingsManage).
	CheckService(ctx context.Context, actor tend.Actor, action access.Action) error
}

// Prompter raises safety prompts inside the response's unit of work
// (followup.Service).
type Prompter interface {
	Raise(ctx context.Context, tx followup.Tx, actor tend.Actor, tr followup.Trigger) (followup.Outcome, error)
}
