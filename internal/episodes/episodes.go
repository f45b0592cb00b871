package episodes

import (
	"context"
	"slices"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/careteam"
)

// DefaultModalities is the modality list a service starts with
// (settings.Settings.Modalities overrides it).
var DefaultModalities = []string{"CBT", "DBT", "DBT-A", "MBT", "psychodynamic", "other"}

// DefaultWindowWeeks is how many weeks either side of each follow-up point
// its window reaches unless the service sets another width.
const DefaultWindowWeeks = 4

// FollowUpMonths are the follow-up points after the end of an episode
// (outcomes.md "Episodes of care and periods").
var FollowUpMonths = []int{3, 6, 12}

// Decision is what became of a referral.
type Decision string

// The decisions.
const (
	DecisionPending     Decision = "pending"
	DecisionAccepted    Decision = "accepted"
	DecisionNotAccepted Decision = "not_accepted"
)

// Source is where a referral came from: a short fixed list, so that no
// free text about the person is kept.
type Source string

// The referral sources.
const (
	SourceSelf       Source = "self"
	SourcePrimary    Source = "primary_care"
	SourceEmergency  Source = "emergency_department"
	SourceMental     Source = "mental_health_service"
	SourceEducation  Source = "school_or_college"
	SourceSocialCare Source = "social_care"
	SourceOther      Source = "other"
)

// Sources lists the referral sources in the order forms offer them.
var Sources = []Source{SourceSelf, SourcePrimary, SourceEmergency, SourceMental, SourceEducation, SourceSocialCare, SourceOther}

// Valid reports whether s is one of Sources.
func (s Source) Valid() bool { return slices.Contains(Sources, s) }

// Episode is one episode of care. It begins as a referral; it is open from
// then until it ends (discharge) or the referral is not accepted.
type Episode struct {
	ID              tend.ID
	PersonID        tend.ID
	Modality        string
	Source          Source
	ReferredOn      time.Time // civil dates, midnight UTC
	Decision        Decision
	DecidedOn       *time.Time
	StartedOn       *time.Time // the first therapy session
	EndedOn         *time.Time // discharge
	FollowUpConsent *bool      // the consent question asked at discharge
	ClosedOn        *time.Time
	CreatedBy       tend.ID
	CreatedAt       time.Time
}

// Open reports whether the episode still runs: referred or accepted and
// not yet ended.
func (e Episode) Open() bool { return e.EndedOn == nil && e.Decision != DecisionNotAccepted }

// FollowUpPoint is one follow-up point after an episode's end, with its window.
type FollowUpPoint struct {
	Months int
	Due    time.Time
	From   time.Time // the window's first day
	To     time.Time // the window's last day
}

// FollowUpPoints returns the points at 3, 6 and 12 months after the end of
// the episode, each with a window of windowWeeks either side; none before
// discharge or when the person did not consent to follow-up.
func (e Episode) FollowUpPoints(windowWeeks int) []FollowUpPoint {
	if e.EndedOn == nil || e.FollowUpConsent == nil || !*e.FollowUpConsent {
		return nil
	}
	w := windowWeeks * 7
	out := make([]FollowUpPoint, 0, len(FollowUpMonths))
	for _, m := range FollowUpMonths {
		due := e.EndedOn.AddDate(0, m, 0)
		out = append(out, FollowUpPoint{Months: m, Due: due, From: due.AddDate(0, 0, -w), To: due.AddDate(0, 0, w)})
	}
	return out
}

// SessionKind is a session's type.
type SessionKind string

// The session types.
const (
	SessionIndividual    SessionKind = "individual"
	SessionGroup         SessionKind = "group"
	SessionSkillsGroup   SessionKind = "skills_group"
	SessionPhoneCoaching SessionKind = "phone_coaching"
	SessionFamily        SessionKind = "family"
)

// SessionKinds lists the session types in the order forms offer them.
var SessionKinds = []SessionKind{SessionIndividual, SessionGroup, SessionSkillsGroup, SessionPhoneCoaching, SessionFamily}

// Valid reports whether k is one of SessionKinds.
func (k SessionKind) Valid() bool { return slices.Contains(SessionKinds, k) }

// Attendance is what happened to a session; "" is a planned session not
// yet held.
type Attendance string

// The attendance values.
const (
	AttendancePlanned Attendance = ""
	Attended          Attendance = "attended"
	Cancelled         Attendance = "cancelled"
	DidNotAttend      Attendance = "did_not_attend"
)

// Attendances lists the recorded attendance values in form order.
var Attendances = []Attendance{Attended, Cancelled, DidNotAttend}

// Valid reports whether a is a recorded attendance value.
func (a Attendance) Valid() bool { return slices.Contains(Attendances, a) }

// Session is one session of an episode. A session dated in the future with
// no attendance yet is a planned one (the "next session").
type Session struct {
	ID         tend.ID
	PersonID   tend.ID
	EpisodeID  tend.ID
	HeldOn     time.Time
	Kind       SessionKind
	Attendance Attendance
	RecordedBy tend.ID
	RecordedAt time.Time
}

// IncidentKind is what a clinician records about an incident: a fixed list
// and never a method (safety-rules.md section 5).
type IncidentKind string

// The incident kinds.
const (
	IncidentEmergency IncidentKind = "emergency_department"
	IncidentAdmission IncidentKind = "hospital_admission"
	IncidentPrimary   IncidentKind = "primary_care"
	IncidentOther     IncidentKind = "other_contact"
)

// IncidentKinds lists the incident kinds in form order.
var IncidentKinds = []IncidentKind{IncidentEmergency, IncidentAdmission, IncidentPrimary, IncidentOther}

// Valid reports whether k is one of IncidentKinds.
func (k IncidentKind) Valid() bool { return slices.Contains(IncidentKinds, k) }

// MedicalCare says whether an incident of self-harm needed medical care.
type MedicalCare string

// The answers.
const (
	MedicalYes     MedicalCare = "yes"
	MedicalNo      MedicalCare = "no"
	MedicalNotSure MedicalCare = "not_sure"
)

// MedicalCares lists the answers in form order.
var MedicalCares = []MedicalCare{MedicalYes, MedicalNo, MedicalNotSure}

// Valid reports whether m is one of MedicalCares.
func (m MedicalCare) Valid() bool { return slices.Contains(MedicalCares, m) }

// Incident is an incident of self-harm a clinician records (for example an
// emergency department attendance). It is a separate measure, never added
// to the person's diary counts (outcomes.md section 1).
type Incident struct {
	ID          tend.ID
	PersonID    tend.ID
	OccurredOn  time.Time
	Kind        IncidentKind
	MedicalCare MedicalCare
	RecordedBy  tend.ID
	RecordedAt  time.Time
}

// Settings is what the service reads from the service's settings.
type Settings struct {
	Modalities  []string       // the service's modality list; empty means DefaultModalities
	WindowWeeks int            // follow-up window either side; 0 means DefaultWindowWeeks
	Location    *time.Location // the service's time zone, for "today"; nil means UTC
}

// EpisodeUpdate changes an episode. Nil fields stay as they are.
type EpisodeUpdate struct {
	Modality        *string
	Decision        *Decision
	DecidedOn       *time.Time
	StartedOn       *time.Time
	EndedOn         *time.Time
	FollowUpConsent *bool
	ClosedOn        *time.Time
}

// Store is what the service needs from storage.
type Store interface {
	// InTx runs fn in one unit of work.
	InTx(ctx context.Context, fn func(Tx) error) error
	// FindEpisodes returns the person's episodes, newest referral first.
	FindEpisodes(ctx context.Context, personID tend.ID) ([]Episode, error)
	// FindCareSessions returns the person's sessions, latest first.
	FindCareSessions(ctx context.Context, personID tend.ID) ([]Session, error)
	// FindNextCareSession returns the person's earliest planned session on
	// or after today; ENOTFOUND when there is none.
	FindNextCareSession(ctx context.Context, personID tend.ID, today time.Time) (Session, error)
	// FindIncidents returns the incidents recorded for the person, latest first.
	FindIncidents(ctx context.Context, personID tend.ID) ([]Incident, error)
	// FindPersonLifecycle returns the person's lifecycle state; ENOTFOUND
	// when there is no such person.
	FindPersonLifecycle(ctx context.Context, personID tend.ID) (tend.PersonState, error)
}

// Tx is one unit of work.
type Tx interface {
	AppendAudit(ctx context.Context, events ...tend.AuditEvent) error
	// FindEpisodeTx returns one of personID's episodes, locked for update;
	// ENOTFOUND when it is not theirs.
	FindEpisodeTx(ctx context.Context, personID, episodeID tend.ID) (Episode, error)
	// FindOpenEpisodeTx returns personID's open episode; ENOTFOUND when none.
	FindOpenEpisodeTx(ctx context.Context, personID tend.ID) (Episode, error)
	// FindLastEpisodeTx returns personID's most recently referred episode;
	// ENOTFOUND when none.
	FindLastEpisodeTx(ctx context.Context, personID tend.ID) (Episode, error)
	// CreateEpisode adds e; ECONFLICT when the person already has an open episode.
	CreateEpisode(ctx context.Context, e Episode) error
	// UpdateEpisode changes episode id; ENOTFOUND when missing.
	UpdateEpisode(ctx context.Context, id tend.ID, u EpisodeUpdate) error
	// CreateCareSession adds s.
	CreateCareSession(ctx context.Context, s Session) error
	// FindCareSessionTx returns one of personID's sessions, locked for
	// update; ENOTFOUND when it is not theirs.
	FindCareSessionTx(ctx context.Context, personID, sessionID tend.ID) (Session, error)
	// UpdateCareSessionAttendance records what happened to a session.
	UpdateCareSessionAttendance(ctx context.Context, id tend.ID, a Attendance) error
	// CreateIncident adds i.
	CreateIncident(ctx context.Context, i Incident) error
	// FindPersonLifecycleTx returns the person's state, locked for update;
	// ENOTFOUND when there is no such person.
	FindPersonLifecycleTx(ctx context.Context, personID tend.ID) (tend.PersonState, error)
	// UpdatePersonLifecycle sets the person's state.
	UpdatePersonLifecycle(ctx context.Context, personID tend.ID, state tend.PersonState) error
	// FindIdempotencyKeyTx returns the outcome recorded for key, or ENOTFOUND.
	FindIdempotencyKeyTx(ctx context.Context, scope, key string) (string, error)
	// PutIdempotencyKey records key's outcome until expires.
	PutIdempotencyKey(ctx context.Context, scope, key, outcome string, expires time.Time) error
	// The care-team operations discharge needs (their semantics are the
	// careteam package's).
	CareTeamTx
}

// CareTeamTx is the part of the care-team store discharge and closing
// use, in the same unit of work as the episode.
type CareTeamTx interface {
	// FindCareTeamMembersTx returns personID's memberships that have not ended.
	FindCareTeamMembersTx(ctx context.Context, personID tend.ID) ([]careteam.Member, error)
	UpdateCareTeamMember(ctx context.Context, id tend.ID, u careteam.MemberUpdate) error
	DeleteGrants(ctx context.Context, memberID tend.ID) error
	CreateNotice(ctx context.Context, n careteam.Notice) error
}

// Checker decides access; *access.Checker implements it.
type Checker interface {
	Check(ctx context.Context, actor tend.Actor, action access.Action, personID tend.ID) error
}
