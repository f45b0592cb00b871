package remind

import (
	"context"
	"fmt"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

// LateBound is how late a reminder may still go out. A reminder that could
// not be sent within it (the service was down, quiet hours ran long, the
// queue was stuck) is recorded as skipped rather than sent in the night.
const LateBound = 2 * time.Hour

// DefaultAt is the time of day the form offers before the person picks one.
const DefaultAt = "20:00"

// Kind is a kind of reminder send.
type Kind string

// The kinds of send. The diary card, homework and questionnaire reminders
// are merged into one daily send, so a person gets at most one a day.
const (
	KindDaily  Kind = "daily"  // occurrence: the person's local date, 2006-01-02
	KindWeekly Kind = "weekly" // occurrence: the ISO week of the local date, 2006-W01
)

// State is how far a send has got.
type State string

// The send states.
const (
	StatePending State = "pending"
	StateSent    State = "sent"
	StateSkipped State = "skipped"
)

// Why a send was skipped.
const (
	SkipLate    = "late"    // past LateBound
	SkipQuiet   = "quiet"   // quiet hours do not end within LateBound the same day
	SkipDone    = "done"    // today's diary card is saved and nothing else applies
	SkipNothing = "nothing" // none of the person's daily reminders applies today
	SkipOff     = "off"     // the person turned the reminder off since it fell due
)

// Preferences are one person's reminder settings. The zero value (and a
// person who never saved any) has every reminder off.
type Preferences struct {
	PersonID       tend.ID
	Diary          bool         // the diary card, if today's is not saved yet
	Homework       bool         // open homework from the care team
	Questionnaires bool         // a questionnaire falls due today
	Weekly         bool         // a weekly summary
	WeeklyDay      time.Weekday // the day of the weekly summary
	At             string       // HH:MM in the person's time zone
	QuietFrom      string       // HH:MM, "" for no quiet hours
	QuietTo        string       // HH:MM; may be before QuietFrom (wraps midnight)
	NextDueAt      *time.Time   // when a reminder may next fall due (UTC); nil when all are off
	UpdatedAt      time.Time
}

// Daily reports whether any daily reminder is on.
func (p Preferences) Daily() bool { return p.Diary || p.Homework || p.Questionnaires }

// Any reports whether any reminder is on.
func (p Preferences) Any() bool { return p.Daily() || p.Weekly }

// Quiet reports whether quiet hours are set.
func (p Preferences) Quiet() bool { return p.QuietFrom != "" && p.QuietTo != "" }

// Defaults returns the preferences of a person who has saved none: all off.
func Defaults(personID tend.ID) Preferences {
	return Preferences{PersonID: personID, At: DefaultAt, WeeklyDay: time.Sunday}
}

// Validate returns what is wrong with the preferences, by form field.
func (p Preferences) Validate() map[string]string {
	out := map[string]string{}
	if _, ok := parseHM(p.At); !ok {
		out["at"] = "Enter a time as hours and minutes, like 20:00."
	}
	if p.WeeklyDay < time.Sunday || p.WeeklyDay > time.Saturday {
		out["weekly_day"] = "Choose a day of the week."
	}
	switch {
	case p.QuietFrom == "" && p.QuietTo == "":
	case p.QuietFrom == "" || p.QuietTo == "":
		out["quiet"] = "Enter both a start and an end for quiet hours, or neither."
	default:
		f, ok1 := parseHM(p.QuietFrom)
		t, ok2 := parseHM(p.QuietTo)
		switch {
		case !ok1 || !ok2:
			out["quiet"] = "Enter quiet hours as hours and minutes, like 22:00 and 07:00."
		case f == t:
			out["quiet"] = "Quiet hours must start and end at different times."
		}
	}
	return out
}

// Send is one occurrence of a reminder: at most one per person, kind and
// occurrence, whatever the number of nodes.
type Send struct {
	ID         tend.ID
	PersonID   tend.ID
	Kind       Kind
	Occurrence string
	DueAt      time.Time // when it was planned to go out (UTC)
	State      State
	Reason     string // why it was skipped
	Push       int    // channels it reached
	Email      int
	CreatedAt  time.Time
	DoneAt     *time.Time
}

// SendArgs asks for one send to be delivered. It holds the send id only.
type SendArgs struct {
	SendID tend.ID `json:"send_id"`
}

// Kind names the job.
func (SendArgs) Kind() string { return "send_reminder" }

// Store reads outside a unit of work.
type Store interface {
	InTx(ctx context.Context, fn func(Tx) error) error
	// FindReminderPreferences returns the person's saved preferences, or
	// ENOTFOUND when they never saved any.
	FindReminderPreferences(ctx context.Context, personID tend.ID) (Preferences, error)
	// ReminderTimeZone returns the person's time zone name, or ENOTFOUND.
	ReminderTimeZone(ctx context.Context, personID tend.ID) (string, error)
	// FindDueReminders returns up to limit people whose next_due_at is at
	// or before now, earliest first.
	FindDueReminders(ctx context.Context, now time.Time, limit int) ([]tend.ID, error)
	// FindReminderSends returns the person's latest sends, newest first.
	FindReminderSends(ctx context.Context, personID tend.ID, limit int) ([]Send, error)
}

// Tx is one unit of work.
type Tx interface {
	Now() time.Time
	AppendAudit(ctx context.Context, events ...tend.AuditEvent) error
	// EnqueueJob adds a job, only if the unit of work commits.
	EnqueueJob(ctx context.Context, args interface{ Kind() string }, at time.Time) error
	// ReminderPreferencesForUpdate returns the person's preferences,
	// locked, with their time zone; ENOTFOUND when none are saved.
	ReminderPreferencesForUpdate(ctx context.Context, personID tend.ID) (Preferences, string, error)
	// PutReminderPreferences adds or replaces the person's preferences.
	PutReminderPreferences(ctx context.Context, p Preferences) error
	// SetReminderNextDue writes when a reminder may next fall due (nil: none).
	SetReminderNextDue(ctx context.Context, personID tend.ID, next *time.Time) error
	// CreateReminderSend adds a send unless one exists for the same person,
	// kind and occurrence; it reports whether it added it.
	CreateReminderSend(ctx context.Context, s Send) (bool, error)
	// ReminderSendForUpdate returns a send, locked, or ENOTFOUND.
	ReminderSendForUpdate(ctx context.Context, id tend.ID) (Send, error)
	// UpdateReminderSend writes a send's state, reason, counts and done time.
	UpdateReminderSend(ctx context.Context, s Send) error
	// DiaryCardSaved reports whether the person saved a diary card for day.
	DiaryCardSaved(ctx context.Context, personID tend.ID, day string) (bool, error)
	// HomeworkOpen reports whether the person has open homework.
	HomeworkOpen(ctx context.Context, personID tend.ID) (bool, error)
	// QuestionnaireDueOn reports whether a questionnaire of the person's
	// falls due on day and is not finished.
	QuestionnaireDueOn(ctx context.Context, personID tend.ID, day string) (bool, error)
}

// Checker answers access questions.
type Checker interface {
	Check(ctx context.Context, actor tend.Actor, action access.Action, personID tend.ID) error
}

// The audit action this package records (ids only).
const AuditUpdated = "reminders.updated"

func event(actor tend.Actor, action string, personID tend.ID) tend.AuditEvent {
	return tend.AuditEvent{ActorKind: actor.Kind, ActorID: actor.ID, ActorRole: string(actor.Role),
		Action: action, PersonID: personID, Target: "reminders:" + string(personID), Outcome: tend.OutcomeOK}
}

func loadLocation(name string) (*time.Location, error) {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("remind: time zone: %w", err)
	}
	return loc, nil
}
