package followup

import (
	"context"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/vault"
)

// Kind is what triggered an entry of a task.
type Kind string

// The trigger kinds (safety-rules.md section 4). Contact requests are raised
// here; the diary card raises acts and urges to die, questionnaires item 9
// of the PHQ-9 (or an item an imported instrument names), through Raise.
const (
	KindContactRequest Kind = "contact_request"
	KindAct            Kind = "act"
	KindUrgeToDie      Kind = "urge_to_die"
	KindPHQ9Item9      Kind = "phq9_item9"
	// KindQuestionnaireItem is an item of an imported instrument that
	// proposes a safety prompt, where the service enabled it.
	KindQuestionnaireItem Kind = "questionnaire_item"
)

// State is where a task is: open > acknowledged > resolved.
type State string

// The task states.
const (
	StateOpen         State = "open"
	StateAcknowledged State = "acknowledged"
	StateResolved     State = "resolved"
)

// RouteKind says who a task reaches.
type RouteKind string

// The routes. RouteNone means nobody will see the task: the person is told so.
const (
	RouteCareTeam RouteKind = "care_team"
	RouteDuty     RouteKind = "duty"
	RouteNone     RouteKind = "none"
)

// ContactMethod is how the person asks to be contacted.
type ContactMethod string

// The contact methods.
const (
	ContactCall        ContactMethod = "call"
	ContactText        ContactMethod = "text"
	ContactNextSession ContactMethod = "next_session"
)

// Valid reports whether m is a contact method.
func (m ContactMethod) Valid() bool {
	return m == ContactCall || m == ContactText || m == ContactNextSession
}

// Task is a person's follow-up task.
type Task struct {
	ID             tend.ID
	PersonID       tend.ID
	Username       string // the person's chosen sign-in name, to say who
	State          State
	Route          RouteKind
	DutyTeamID     tend.ID // set when Route is RouteDuty
	OpenedAt       time.Time
	AcknowledgedAt *time.Time
	AcknowledgedBy tend.ID
	ResolvedAt     *time.Time
	ResolvedBy     tend.ID
	ResolutionNote []byte // sealed with the records key (vault)
	Entries        []Entry
}

// Entry is one trigger added to a task, once per person, kind and source.
type Entry struct {
	ID         tend.ID
	TaskID     tend.ID
	PersonID   tend.ID
	Kind       Kind
	SourceID   tend.ID   // the record that triggered it (a contact request, a diary entry…)
	RecordedAt time.Time // the person's device time
	ReceivedAt time.Time // the server's time
	Contact    ContactMethod
}

// TaskUpdate changes a task. Nil fields stay as they are.
type TaskUpdate struct {
	State          *State
	Route          *RouteKind
	DutyTeamID     *tend.ID
	AcknowledgedAt *time.Time
	AcknowledgedBy *tend.ID
	ResolvedAt     *time.Time
	ResolvedBy     *tend.ID
	ResolutionNote []byte
}

// RouteMember is an active care-team member of a person with an active
// staff account.
type RouteMember struct {
	StaffID tend.ID
	Role    tend.CareRole
}

// PersonRouting is what routing needs to know about a person.
type PersonRouting struct {
	State   tend.PersonState
	Country string
	Members []RouteMember
}

// Store is the unit-of-work runner and the reads outside one.
type Store interface {
	InTx(ctx context.Context, fn func(Tx) error) error
	// FindTasksForStaff returns tasks not yet resolved that reach staffID
	// (through an active membership in roles, or a duty team they are on),
	// oldest first, with their entries.
	FindTasksForStaff(ctx context.Context, staffID tend.ID, roles []tend.CareRole) ([]Task, error)
	// FindUnreachedTasks returns the tasks not yet resolved that reach
	// nobody now (routed nowhere, or to a care team or duty team without an
	// active member who could take them), oldest first: the team queue.
	FindUnreachedTasks(ctx context.Context, roles []tend.CareRole) ([]Task, error)
	// FindTeamTasks returns the tasks not yet resolved of the people in the
	// teams staffID is a member of, oldest first (a lead's view by age).
	FindTeamTasks(ctx context.Context, staffID tend.ID) ([]Task, error)
	// CountUnseenAlerts counts staffID's alerts not yet seen.
	CountUnseenAlerts(ctx context.Context, staffID tend.ID) (int, error)
	// FindOpenFlags returns the person's flags not yet discussed, oldest first.
	FindOpenFlags(ctx context.Context, personID tend.ID) ([]Flag, error)
	// FindPersonTasks returns the person's tasks opened or resolved at or
	// after since, and those not yet resolved, newest first, with their
	// entries.
	FindPersonTasks(ctx context.Context, personID tend.ID, since time.Time) ([]Task, error)
}

// Tx is one unit of work.
type Tx interface {
	// FindPersonRouting returns ENOTFOUND for an unknown person.
	FindPersonRouting(ctx context.Context, personID tend.ID) (PersonRouting, error)
	// FindTeamActiveStaff returns the active staff of a team (none for an
	// unknown team).
	FindTeamActiveStaff(ctx context.Context, teamID tend.ID) ([]tend.ID, error)
	// FindOpenTask returns the person's task that is not resolved, or ENOTFOUND.
	FindOpenTask(ctx context.Context, personID tend.ID) (Task, error)
	// FindTaskByID returns a task with its entries, or ENOTFOUND.
	FindTaskByID(ctx context.Context, id tend.ID) (Task, error)
	CreateTask(ctx context.Context, t Task) error
	// FindTaskEntryTask returns the task that holds the entry the source
	// raised for the person and kind, or ENOTFOUND when it raised none.
	FindTaskEntryTask(ctx context.Context, personID tend.ID, kind Kind, sourceID tend.ID) (tend.ID, error)
	// CreateTaskEntry adds e and reports whether it was new: an entry of the
	// same person, kind and source adds nothing.
	CreateTaskEntry(ctx context.Context, e Entry) (bool, error)
	// UpdateTask returns ENOTFOUND for an unknown task.
	UpdateTask(ctx context.Context, id tend.ID, u TaskUpdate) error
	// IsTaskRecipient reports whether the task reaches staffID now.
	IsTaskRecipient(ctx context.Context, t Task, staffID tend.ID, roles []tend.CareRole) (bool, error)
	// FindContactNoticeSeen reports whether the person saw the first-use notice.
	FindContactNoticeSeen(ctx context.Context, personID tend.ID) (bool, error)
	PutContactNoticeSeen(ctx context.Context, personID tend.ID) error
	// FindIdempotencyKeyTx returns the outcome recorded for key, or ENOTFOUND.
	FindIdempotencyKeyTx(ctx context.Context, scope, key string) (string, error)
	PutIdempotencyKey(ctx context.Context, scope, key, outcome string, expires time.Time) error
	AppendAudit(ctx context.Context, events ...tend.AuditEvent) error

	// FindPersonRules returns the clinician's trigger settings for a person.
	FindPersonRules(ctx context.Context, personID tend.ID) ([]PersonRule, error)
	// PutPersonRule sets (or replaces) a person's rule for one kind.
	PutPersonRule(ctx context.Context, r PersonRule) error
	// DeletePersonRule returns a kind to the service's setting.
	DeletePersonRule(ctx context.Context, personID tend.ID, kind Kind) error
	// CreateFlag adds f and reports whether it was new (once per person,
	// kind and source).
	CreateFlag(ctx context.Context, f Flag) (bool, error)
	// UpdateFlagDiscussed marks a flag of the person discussed; ENOTFOUND
	// for an unknown flag or one already discussed.
	UpdateFlagDiscussed(ctx context.Context, personID, flagID, by tend.ID, at time.Time) error
	// CreateStaffAlerts gives each of staffIDs a neutral alert for a task
	// (once per staff member and task).
	CreateStaffAlerts(ctx context.Context, taskID tend.ID, staffIDs []tend.ID, at time.Time) error
	// UpdateAlertsSeen marks all of staffID's alerts seen.
	UpdateAlertsSeen(ctx context.Context, staffID tend.ID, at time.Time) error
	// UpdateRateLimit adds one to the counter for key in the window starting
	// at windowStart and returns the new count.
	UpdateRateLimit(ctx context.Context, key string, windowStart time.Time) (int, error)
}

// Sealer seals and opens service records (the vault's records key).
type Sealer interface {
	SealRecord(ctx context.Context, f vault.Field, plaintext []byte) ([]byte, error)
	OpenRecord(ctx context.Context, f vault.Field, ciphertext []byte) ([]byte, error)
}
