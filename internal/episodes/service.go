package episodes

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/careteam"
)

// The audit actions this package records, besides access reads.
const (
	AuditReferred    = "episode.referred"
	AuditDecided     = "episode.decided"
	AuditStarted     = "episode.started"
	AuditDischarged  = "episode.discharged"
	AuditClosed      = "episode.closed"
	AuditSession     = "episode.session_recorded"
	AuditAttendance  = "episode.session_attendance"
	AuditIncident    = "episode.incident_recorded"
	AuditStateChange = "person.state_changed"
)

const (
	idempotencyTTL = 7 * 24 * time.Hour
	maxKeyChars    = 100
	// farthest is how far from today a date may lie: far enough for any
	// real referral or planned session, near enough to catch a typing slip.
	farthest = 10 * 366 * 24 * time.Hour
)

// Service records episodes of care, sessions and incidents, checked and
// audited, and moves the person along the lifecycle with them.
type Service struct {
	store    Store
	checker  Checker
	clock    tend.Clock
	settings func() Settings
}

// NewService returns a Service; settings is read on every call, so that a
// change to the service's settings holds at once.
func NewService(st Store, c Checker, clock tend.Clock, settings func() Settings) *Service {
	if settings == nil {
		settings = func() Settings { return Settings{} }
	}
	return &Service{store: st, checker: c, clock: clock, settings: settings}
}

// Modalities returns the service's modality list.
func (s *Service) Modalities() []string {
	if m := s.settings().Modalities; len(m) > 0 {
		return m
	}
	return DefaultModalities
}

// WindowWeeks returns the width of each follow-up window, in weeks either side.
func (s *Service) WindowWeeks() int {
	if w := s.settings().WindowWeeks; w > 0 {
		return w
	}
	return DefaultWindowWeeks
}

// Today returns today's civil date in the service's time zone.
func (s *Service) Today() time.Time {
	loc := s.settings().Location
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := s.clock.Now().In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Care is everything about a person's care this package keeps, for the
// clinic page and the API.
type Care struct {
	State     tend.PersonState
	Episodes  []Episode
	Sessions  []Session
	Incidents []Incident // nil for the person: they see episodes and sessions
}

// Overview returns the person's episodes, sessions and (for the care team)
// incidents. A staff read is audited.
func (s *Service) Overview(ctx context.Context, actor tend.Actor, personID tend.ID) (Care, error) {
	if err := s.checker.Check(ctx, actor, access.EpisodeRead, personID); err != nil {
		return Care{}, err
	}
	if err := s.auditRead(ctx, actor, personID); err != nil {
		return Care{}, err
	}
	var c Care
	var err error
	if c.State, err = s.store.FindPersonLifecycle(ctx, personID); err != nil {
		return Care{}, err
	}
	if c.Episodes, err = s.store.FindEpisodes(ctx, personID); err != nil {
		return Care{}, err
	}
	if c.Sessions, err = s.store.FindCareSessions(ctx, personID); err != nil {
		return Care{}, err
	}
	if actor.Kind == tend.KindStaff {
		if c.Incidents, err = s.store.FindIncidents(ctx, personID); err != nil {
			return Care{}, err
		}
	}
	return c, nil
}

// Episodes returns the person's episodes, newest first. A staff read is audited.
func (s *Service) Episodes(ctx context.Context, actor tend.Actor, personID tend.ID) ([]Episode, error) {
	if err := s.read(ctx, actor, personID); err != nil {
		return nil, err
	}
	return s.store.FindEpisodes(ctx, personID)
}

// Sessions returns the person's sessions, latest first. A staff read is audited.
func (s *Service) Sessions(ctx context.Context, actor tend.Actor, personID tend.ID) ([]Session, error) {
	if err := s.read(ctx, actor, personID); err != nil {
		return nil, err
	}
	return s.store.FindCareSessions(ctx, personID)
}

// Incidents returns the incidents recorded for the person, latest first. A
// staff read is audited.
func (s *Service) Incidents(ctx context.Context, actor tend.Actor, personID tend.ID) ([]Incident, error) {
	if err := s.read(ctx, actor, personID); err != nil {
		return nil, err
	}
	return s.store.FindIncidents(ctx, personID)
}

// NextSession returns the person's next planned session: the earliest one
// dated today or later with no attendance yet. ENOTFOUND when none is
// planned. A staff read is audited.
func (s *Service) NextSession(ctx context.Context, actor tend.Actor, personID tend.ID) (Session, error) {
	if err := s.read(ctx, actor, personID); err != nil {
		return Session{}, err
	}
	return s.store.FindNextCareSession(ctx, personID, s.Today())
}

func (s *Service) read(ctx context.Context, actor tend.Actor, personID tend.ID) error {
	if err := s.checker.Check(ctx, actor, access.EpisodeRead, personID); err != nil {
		return err
	}
	return s.auditRead(ctx, actor, personID)
}

// NewReferral is a referral as a clinician records it.
type NewReferral struct {
	ReferredOn string // YYYY-MM-DD
	Source     Source
	Modality   string
}

// Refer records a referral, which opens a new episode, and moves the person
// to referred. EINVALID for a bad form; ECONFLICT while another episode is
// open (discharge it first).
func (s *Service) Refer(ctx context.Context, actor tend.Actor, personID tend.ID, n NewReferral) (Episode, error) {
	if err := s.checker.Check(ctx, actor, access.EpisodeWrite, personID); err != nil {
		return Episode{}, err
	}
	on, err := s.date(n.ReferredOn, "referral date", false)
	if err != nil {
		return Episode{}, err
	}
	if !n.Source.Valid() {
		return Episode{}, tend.Errorf(tend.EINVALID, "Choose where the referral came from.")
	}
	if !slices.Contains(s.Modalities(), n.Modality) {
		return Episode{}, tend.Errorf(tend.EINVALID, "Choose a modality from the service's list.")
	}
	e := Episode{ID: tend.NewID(), PersonID: personID, Modality: n.Modality, Source: n.Source, ReferredOn: on,
		Decision: DecisionPending, CreatedBy: actor.ID, CreatedAt: s.now()}
	err = s.store.InTx(ctx, func(tx Tx) error {
		if _, err := tx.FindOpenEpisodeTx(ctx, personID); err == nil {
			return tend.Errorf(tend.ECONFLICT, "This person already has an open episode. Discharge it before recording a new referral.")
		} else if tend.ErrorKind(err) != tend.ENOTFOUND {
			return err
		}
		if err := tx.CreateEpisode(ctx, e); err != nil {
			return err
		}
		if err := s.moveState(ctx, tx, actor, personID, tend.StateReferred); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.event(actor, AuditReferred, personID, "episode:"+string(e.ID)))
	})
	if err != nil {
		return Episode{}, err
	}
	return e, nil
}

// Decide records whether the referral of an open episode was accepted, and
// when. Accepted moves the person to accepted; not accepted ends the
// episode's referral and closes the person's record. EINVALID for a bad
// date or one before the referral, or no answer (accepted nil); ECONFLICT
// when it was already decided.
func (s *Service) Decide(ctx context.Context, actor tend.Actor, personID, episodeID tend.ID, accepted *bool, decidedOn string) error {
	if err := s.checker.Check(ctx, actor, access.EpisodeWrite, personID); err != nil {
		return err
	}
	if accepted == nil {
		return tend.Errorf(tend.EINVALID, "Say whether the referral was accepted.")
	}
	on, err := s.date(decidedOn, "date of the decision", false)
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		e, err := tx.FindEpisodeTx(ctx, personID, episodeID)
		if err != nil {
			return err
		}
		if e.Decision != DecisionPending {
			return tend.Errorf(tend.ECONFLICT, "This referral has already been decided.")
		}
		if on.Before(e.ReferredOn) {
			return tend.Errorf(tend.EINVALID, "The decision cannot come before the referral date.")
		}
		d, state := DecisionAccepted, tend.StateAccepted
		if !*accepted {
			d, state = DecisionNotAccepted, tend.StateClosed
		}
		if err := tx.UpdateEpisode(ctx, e.ID, EpisodeUpdate{Decision: &d, DecidedOn: &on}); err != nil {
			return err
		}
		if err := s.moveState(ctx, tx, actor, personID, state); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.event(actor, AuditDecided, personID, "episode:"+string(e.ID)))
	})
}

// Start records the first therapy session's date of an accepted episode and
// moves the person to in treatment. EINVALID for a bad date or one before
// acceptance; ECONFLICT when the episode is not accepted, has started or has ended.
func (s *Service) Start(ctx context.Context, actor tend.Actor, personID, episodeID tend.ID, startedOn string) error {
	if err := s.checker.Check(ctx, actor, access.EpisodeWrite, personID); err != nil {
		return err
	}
	on, err := s.date(startedOn, "start date", false)
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		e, err := tx.FindEpisodeTx(ctx, personID, episodeID)
		if err != nil {
			return err
		}
		if e.Decision != DecisionAccepted || e.StartedOn != nil || e.EndedOn != nil {
			return tend.Errorf(tend.ECONFLICT, "Only an accepted episode that has not started can start.")
		}
		if on.Before(*e.DecidedOn) {
			return tend.Errorf(tend.EINVALID, "The start cannot come before the referral was accepted.")
		}
		if err := tx.UpdateEpisode(ctx, e.ID, EpisodeUpdate{StartedOn: &on}); err != nil {
			return err
		}
		if err := s.moveState(ctx, tx, actor, personID, tend.StateInTreatment); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.event(actor, AuditStarted, personID, "episode:"+string(e.ID)))
	})
}

// Discharge ends an episode in treatment on endedOn, with the answer to the
// consent question for follow-up. With consent, the care team's active
// memberships become follow-up-only until the last follow-up window closes
// and the person moves to follow-up; without it, the memberships end with
// their grants and the person moves to discharged. The person is told of
// each change to their care team. The person's own tools stay on either
// way. EINVALID for a bad date or one before the start, or no answer to
// the consent question (followUp nil); ECONFLICT when the episode has not
// started or has ended.
func (s *Service) Discharge(ctx context.Context, actor tend.Actor, personID, episodeID tend.ID, endedOn string, followUp *bool) error {
	if err := s.checker.Check(ctx, actor, access.EpisodeWrite, personID); err != nil {
		return err
	}
	if followUp == nil {
		return tend.Errorf(tend.EINVALID, "Answer the question about follow-up: it needs the person's consent.")
	}
	consent := *followUp
	on, err := s.date(endedOn, "discharge date", false)
	if err != nil {
		return err
	}
	now := s.now()
	return s.store.InTx(ctx, func(tx Tx) error {
		e, err := tx.FindEpisodeTx(ctx, personID, episodeID)
		if err != nil {
			return err
		}
		if e.StartedOn == nil || e.EndedOn != nil {
			return tend.Errorf(tend.ECONFLICT, "Only an episode in treatment can be discharged.")
		}
		if on.Before(*e.StartedOn) {
			return tend.Errorf(tend.EINVALID, "The discharge cannot come before the start.")
		}
		if err := tx.UpdateEpisode(ctx, e.ID, EpisodeUpdate{EndedOn: &on, FollowUpConsent: &consent}); err != nil {
			return err
		}
		members, err := tx.FindCareTeamMembersTx(ctx, personID)
		if err != nil {
			return err
		}
		events := []tend.AuditEvent{s.event(actor, AuditDischarged, personID, "episode:"+string(e.ID))}
		for _, m := range members {
			if m.State != access.MemberActive {
				continue
			}
			if consent {
				state := access.MemberFollowUp
				if err := tx.UpdateCareTeamMember(ctx, m.ID, careteam.MemberUpdate{State: &state, FollowUpConsent: &consent}); err != nil {
					return err
				}
				if err := s.notice(ctx, tx, personID, now, careteam.NoticeFollowUp, m); err != nil {
					return err
				}
				events = append(events, s.event(actor, careteam.AuditMemberFollowUp, personID, "care_team_member:"+string(m.ID)))
				continue
			}
			if err := s.endMember(ctx, tx, personID, now, m); err != nil {
				return err
			}
			events = append(events, s.event(actor, careteam.AuditMemberEnded, personID, "care_team_member:"+string(m.ID)))
		}
		state := tend.StateDischarged
		if consent {
			state = tend.StateFollowUp
		}
		if err := s.moveState(ctx, tx, actor, personID, state); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, events...)
	})
}

// Close closes the person's record after their last episode: at once when
// they did not consent to follow-up, otherwise once the last follow-up
// window has closed. Follow-up-only memberships end with it. ECONFLICT
// while an episode is open or a follow-up window is still to close.
func (s *Service) Close(ctx context.Context, actor tend.Actor, personID tend.ID) error {
	if err := s.checker.Check(ctx, actor, access.EpisodeWrite, personID); err != nil {
		return err
	}
	today, now := s.Today(), s.now()
	return s.store.InTx(ctx, func(tx Tx) error {
		state, err := tx.FindPersonLifecycleTx(ctx, personID)
		if err != nil {
			return err
		}
		if state != tend.StateDischarged && state != tend.StateFollowUp {
			return tend.Errorf(tend.ECONFLICT, "Only a discharged person's record can be closed.")
		}
		e, err := tx.FindLastEpisodeTx(ctx, personID)
		if err != nil {
			return err
		}
		if e.Open() {
			return tend.Errorf(tend.ECONFLICT, "This person has an open episode.")
		}
		if pts := e.FollowUpPoints(s.WindowWeeks()); len(pts) > 0 && !today.After(pts[len(pts)-1].To) {
			return tend.Errorf(tend.ECONFLICT, "The last follow-up window closes on %s. The record can be closed after that.", pts[len(pts)-1].To.Format(time.DateOnly))
		}
		if err := tx.UpdateEpisode(ctx, e.ID, EpisodeUpdate{ClosedOn: &today}); err != nil {
			return err
		}
		members, err := tx.FindCareTeamMembersTx(ctx, personID)
		if err != nil {
			return err
		}
		events := []tend.AuditEvent{s.event(actor, AuditClosed, personID, "episode:"+string(e.ID))}
		for _, m := range members {
			if m.State != access.MemberFollowUp {
				continue
			}
			if err := s.endMember(ctx, tx, personID, now, m); err != nil {
				return err
			}
			events = append(events, s.event(actor, careteam.AuditMemberEnded, personID, "care_team_member:"+string(m.ID)))
		}
		if err := s.moveState(ctx, tx, actor, personID, tend.StateClosed); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, events...)
	})
}

// NewSession is a session as a clinician records it.
type NewSession struct {
	HeldOn     string // YYYY-MM-DD
	Kind       SessionKind
	Attendance Attendance // "" for a planned session, dated today or later
	Key        string     // idempotency key: a retry with it adds nothing
}

// RecordSession records a session of the person's open, accepted episode.
// A session dated after today is planned and has no attendance yet; one
// dated today or before needs its attendance. A retry with the same key adds
// nothing and returns the first session with added false. EINVALID for a bad
// form; ECONFLICT when there is no accepted open episode.
func (s *Service) RecordSession(ctx context.Context, actor tend.Actor, personID tend.ID, n NewSession) (Session, bool, error) {
	if err := s.checker.Check(ctx, actor, access.EpisodeWrite, personID); err != nil {
		return Session{}, false, err
	}
	key := strings.TrimSpace(n.Key)
	if key == "" || len(key) > maxKeyChars {
		return Session{}, false, tend.Errorf(tend.EINVALID, "Something was missing from the form. Please try again.")
	}
	on, err := s.date(n.HeldOn, "session date", true)
	if err != nil {
		return Session{}, false, err
	}
	if !n.Kind.Valid() {
		return Session{}, false, tend.Errorf(tend.EINVALID, "Choose the type of session.")
	}
	today := s.Today()
	switch {
	case on.After(today) && n.Attendance != AttendancePlanned:
		return Session{}, false, tend.Errorf(tend.EINVALID, "A session in the future has no attendance yet: leave it as planned.")
	case n.Attendance == AttendancePlanned && on.Before(today):
		return Session{}, false, tend.Errorf(tend.EINVALID, "Say whether the person attended, cancelled or did not attend.")
	case n.Attendance != AttendancePlanned && !n.Attendance.Valid():
		return Session{}, false, tend.Errorf(tend.EINVALID, "Choose attended, cancelled or did not attend.")
	}
	ses := Session{ID: tend.NewID(), PersonID: personID, HeldOn: on, Kind: n.Kind, Attendance: n.Attendance, RecordedBy: actor.ID, RecordedAt: s.now()}
	added := false
	err = s.store.InTx(ctx, func(tx Tx) error {
		scope := "care_session:" + string(personID)
		if prev, err := tx.FindIdempotencyKeyTx(ctx, scope, key); err == nil {
			ses.ID = tend.ID(prev)
			return nil
		} else if tend.ErrorKind(err) != tend.ENOTFOUND {
			return err
		}
		e, err := tx.FindOpenEpisodeTx(ctx, personID)
		if tend.ErrorKind(err) == tend.ENOTFOUND || (err == nil && e.Decision != DecisionAccepted) {
			return tend.Errorf(tend.ECONFLICT, "Sessions belong to an accepted episode. Record the referral and its acceptance first.")
		}
		if err != nil {
			return err
		}
		ses.EpisodeID = e.ID
		if err := tx.CreateCareSession(ctx, ses); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, s.event(actor, AuditSession, personID, "care_session:"+string(ses.ID))); err != nil {
			return err
		}
		added = true
		return tx.PutIdempotencyKey(ctx, scope, key, string(ses.ID), ses.RecordedAt.Add(idempotencyTTL))
	})
	if err != nil {
		return Session{}, false, err
	}
	return ses, added, nil
}

// RecordAttendance records what happened to a planned session once its
// day has come: attended, cancelled or did not attend. EINVALID for another
// value, or a session still in the future; ECONFLICT when its attendance is
// already recorded; ENOTFOUND when the session is not the person's.
func (s *Service) RecordAttendance(ctx context.Context, actor tend.Actor, personID, sessionID tend.ID, a Attendance) error {
	if err := s.checker.Check(ctx, actor, access.EpisodeWrite, personID); err != nil {
		return err
	}
	if !a.Valid() {
		return tend.Errorf(tend.EINVALID, "Choose attended, cancelled or did not attend.")
	}
	today := s.Today()
	return s.store.InTx(ctx, func(tx Tx) error {
		ses, err := tx.FindCareSessionTx(ctx, personID, sessionID)
		if err != nil {
			return err
		}
		if ses.Attendance != AttendancePlanned {
			return tend.Errorf(tend.ECONFLICT, "This session's attendance is already recorded.")
		}
		if ses.HeldOn.After(today) {
			return tend.Errorf(tend.EINVALID, "This session is still to come: record its attendance on the day or after.")
		}
		if err := tx.UpdateCareSessionAttendance(ctx, ses.ID, a); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.event(actor, AuditAttendance, personID, "care_session:"+string(ses.ID)))
	})
}

// NewIncident is an incident as a clinician records it: no method, no free text.
type NewIncident struct {
	OccurredOn  string // YYYY-MM-DD
	Kind        IncidentKind
	MedicalCare MedicalCare
	Key         string // idempotency key: a retry with it adds nothing
}

// RecordIncident records an incident of self-harm for the person. A retry
// with the same key adds nothing. EINVALID for a bad form or a future date.
func (s *Service) RecordIncident(ctx context.Context, actor tend.Actor, personID tend.ID, n NewIncident) (Incident, bool, error) {
	if err := s.checker.Check(ctx, actor, access.EpisodeWrite, personID); err != nil {
		return Incident{}, false, err
	}
	key := strings.TrimSpace(n.Key)
	if key == "" || len(key) > maxKeyChars {
		return Incident{}, false, tend.Errorf(tend.EINVALID, "Something was missing from the form. Please try again.")
	}
	on, err := s.date(n.OccurredOn, "date of the incident", false)
	if err != nil {
		return Incident{}, false, err
	}
	if !n.Kind.Valid() {
		return Incident{}, false, tend.Errorf(tend.EINVALID, "Choose what kind of incident it was.")
	}
	if !n.MedicalCare.Valid() {
		return Incident{}, false, tend.Errorf(tend.EINVALID, "Say whether medical care was needed: yes, no or not sure.")
	}
	inc := Incident{ID: tend.NewID(), PersonID: personID, OccurredOn: on, Kind: n.Kind, MedicalCare: n.MedicalCare, RecordedBy: actor.ID, RecordedAt: s.now()}
	added := false
	err = s.store.InTx(ctx, func(tx Tx) error {
		scope := "incident:" + string(personID)
		if prev, err := tx.FindIdempotencyKeyTx(ctx, scope, key); err == nil {
			inc.ID = tend.ID(prev)
			return nil
		} else if tend.ErrorKind(err) != tend.ENOTFOUND {
			return err
		}
		if err := tx.CreateIncident(ctx, inc); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, s.event(actor, AuditIncident, personID, "incident:"+string(inc.ID))); err != nil {
			return err
		}
		added = true
		return tx.PutIdempotencyKey(ctx, scope, key, string(inc.ID), inc.RecordedAt.Add(idempotencyTTL))
	})
	if err != nil {
		return Incident{}, false, err
	}
	return inc, added, nil
}

// date parses a civil date from a form. Only planned sessions may lie in
// the future (future true).
func (s *Service) date(v, what string, future bool) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(v))
	if err != nil {
		return time.Time{}, tend.Errorf(tend.EINVALID, "Enter the %s as a date, for example 2026-03-06.", what)
	}
	today := s.Today()
	if !future && d.After(today) {
		return time.Time{}, tend.Errorf(tend.EINVALID, "The %s cannot be in the future.", what)
	}
	if d.Sub(today) > farthest || today.Sub(d) > farthest {
		return time.Time{}, tend.Errorf(tend.EINVALID, "The %s is too far from today. Please check it.", what)
	}
	return d, nil
}

// moveState sets the person's lifecycle state and audits the change.
func (s *Service) moveState(ctx context.Context, tx Tx, actor tend.Actor, personID tend.ID, to tend.PersonState) error {
	from, err := tx.FindPersonLifecycleTx(ctx, personID)
	if err != nil {
		return err
	}
	if from == to {
		return nil
	}
	if err := tx.UpdatePersonLifecycle(ctx, personID, to); err != nil {
		return err
	}
	return tx.AppendAudit(ctx, s.event(actor, AuditStateChange, personID, "person_state:"+string(to)))
}

func (s *Service) endMember(ctx context.Context, tx Tx, personID tend.ID, now time.Time, m careteam.Member) error {
	ended := access.MemberEnded
	if err := tx.UpdateCareTeamMember(ctx, m.ID, careteam.MemberUpdate{State: &ended, EndedAt: &now}); err != nil {
		return err
	}
	if err := tx.DeleteGrants(ctx, m.ID); err != nil {
		return err
	}
	return s.notice(ctx, tx, personID, now, careteam.NoticeEnded, m)
}

func (s *Service) notice(ctx context.Context, tx Tx, personID tend.ID, now time.Time, kind careteam.NoticeKind, m careteam.Member) error {
	n := careteam.Notice{ID: tend.NewID(), PersonID: personID, Kind: kind, CreatedAt: now,
		Params: careteam.NoticeParams{MemberID: m.ID, StaffID: m.StaffID, Role: m.Role}}
	if err := tx.CreateNotice(ctx, n); err != nil {
		return fmt.Errorf("episodes: notice: %w", err)
	}
	return nil
}

// auditRead records a staff member's read of the person's episodes
// (DESIGN.md: every staff read is audited and shown to the person).
func (s *Service) auditRead(ctx context.Context, actor tend.Actor, personID tend.ID) error {
	if actor.Kind != tend.KindStaff {
		return nil
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		return tx.AppendAudit(ctx, s.event(actor, string(access.EpisodeRead), personID, "episodes:"+string(personID)))
	})
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

func (s *Service) event(actor tend.Actor, action string, personID tend.ID, target string) tend.AuditEvent {
	role := string(actor.Role)
	if role == "" {
		role = string(actor.Kind)
	}
	return tend.AuditEvent{ActorKind: actor.Kind, ActorID: actor.ID, ActorRole: role, Action: action, PersonID: personID, Target: target}
}
