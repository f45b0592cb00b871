package followup

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/vault"
)

// The audit actions this package records, besides access actions.
const (
	AuditTaskCreated      = "task.created"
	AuditTaskEntryAdded   = "task.entry_added"
	AuditTaskRouted       = "task.routed"
	AuditTaskAcknowledged = "task.acknowledged"
	AuditTaskResolved     = "task.resolved"
	AuditNoticeSeen       = "contact.notice_seen"
	AuditFlagAdded        = "flag.added"
	AuditFlagDiscussed    = "flag.discussed"
	AuditPersonRuleSet    = "safety_prompt.person_rule_set"
	AuditAlertsSeen       = "alerts.seen"
)

// idempotencyTTL is how long a request's key is remembered: long enough for
// an offline queue or a double submit to be recognised.
const idempotencyTTL = 7 * 24 * time.Hour

// maxNote bounds a resolution note ("a short note").
const maxNote = 2000

// Checker is the access checker.
type Checker interface {
	CheckTarget(ctx context.Context, actor tend.Actor, action access.Action, personID tend.ID, t access.Target) error
}

// Service raises, routes and closes follow-up tasks.
type Service struct {
	store     Store
	checker   Checker
	sealer    Sealer
	clock     tend.Clock
	settings  func() Settings
	taskRoles []tend.CareRole
}

// Settings are the service's settings that follow-up reads at each call.
type Settings struct {
	// DutyTeam takes tasks after discharge or when a person has no active
	// clinician (settings.DutyTeam).
	DutyTeam tend.ID
	// Rules say what each trigger does (settings.Triggers).
	Rules Rules
	// Nudges say when an unacknowledged task reminds the care team, then
	// the team lead (settings.Nudges), counted in the working time
	// Calendar gives (the service's settings; nil counts elapsed time).
	Nudges   Nudges
	Calendar Calendar
}

// ContactLimit is how many requests for contact one person can send in an
// hour (DESIGN.md "Rate limits"). Every request within it reaches the same
// open task, so more add nothing the care team needs.
const ContactLimit = 10

// NewService returns a Service. settings returns the service's settings at
// the time of each call (nil means no duty team and the default rules);
// taskRoles nil means access.DefaultTaskRoles.
func NewService(store Store, checker Checker, sealer Sealer, clock tend.Clock, settings func() Settings, taskRoles []tend.CareRole) *Service {
	if taskRoles == nil {
		taskRoles = access.DefaultTaskRoles
	}
	if settings == nil {
		settings = func() Settings { return Settings{} }
	}
	return &Service{store: store, checker: checker, sealer: sealer, clock: clock, settings: settings, taskRoles: taskRoles}
}

// ContactRequest is a person's "Ask my care team to contact me".
type ContactRequest struct {
	Method     ContactMethod
	RecordedAt time.Time // the device's time; zero means now
	Key        string    // the idempotency key the form carried
}

// Outcome is what a trigger did, for the page the person sees next.
type Outcome struct {
	// Response is what the trigger did for the care team.
	Response Response
	// TaskID is the task the trigger was added to (ResponseTask), FlagID the
	// flag kept for the next session (ResponseNextSession).
	TaskID tend.ID
	FlagID tend.ID
	// Route says who will see it; RouteNone when nobody will (always so for
	// ResponseNone), which the person is told.
	Route RouteKind
	// Added is false when the request was a retry and added nothing.
	Added bool
}

func (s *Service) self(ctx context.Context, actor tend.Actor, personID tend.ID) error {
	if actor.Kind != tend.KindPerson || actor.ID != personID {
		return tend.ErrNotFound
	}
	return s.checker.CheckTarget(ctx, actor, access.TaskMetaRead, personID, access.Target{})
}

// NoticeSeen reports whether the person has seen the first-use notice
// (safety-rules.md section 3). Only the person may ask (ENOTFOUND otherwise).
func (s *Service) NoticeSeen(ctx context.Context, actor tend.Actor, personID tend.ID) (bool, error) {
	if err := s.self(ctx, actor, personID); err != nil {
		return false, err
	}
	var seen bool
	err := s.store.InTx(ctx, func(tx Tx) error {
		var err error
		seen, err = tx.FindContactNoticeSeen(ctx, personID)
		return err
	})
	return seen, err
}

// MarkNoticeSeen records that the person read the first-use notice.
func (s *Service) MarkNoticeSeen(ctx context.Context, actor tend.Actor, personID tend.ID) error {
	if err := s.self(ctx, actor, personID); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		seen, err := tx.FindContactNoticeSeen(ctx, personID)
		if err != nil || seen {
			return err
		}
		if err := tx.PutContactNoticeSeen(ctx, personID); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditNoticeSeen, personID, "person:"+string(personID)))
	})
}

// Reach is who a trigger raised now would reach, and the person's country
// for the help options shown beside it.
type Reach struct {
	Route    RouteKind
	Response Response // what a request for contact does for this person
	Country  string
}

// Preview returns the route a trigger raised now would take, so the page
// can say whether anyone will see it.
func (s *Service) Preview(ctx context.Context, actor tend.Actor, personID tend.ID) (Reach, error) {
	if err := s.self(ctx, actor, personID); err != nil {
		return Reach{}, err
	}
	var r Reach
	err := s.store.InTx(ctx, func(tx Tx) error {
		pr, err := tx.FindPersonRouting(ctx, personID)
		if err != nil {
			return err
		}
		r.Country = pr.Country
		resp, err := s.response(ctx, tx, personID, KindContactRequest)
		r.Response = resp
		if err != nil || resp == ResponseNone {
			r.Route = RouteNone
			return err
		}
		r.Route, _, err = s.route(ctx, tx, personID)
		return err
	})
	return r, err
}

// RequestContact adds a request for contact to the person's open task,
// opening one when there is none. The person must have seen the first-use
// notice (ECONFLICT otherwise); EINVALID for an unknown method or a missing
// key. A retry with the same key adds nothing and returns the first outcome
// with the current route.
func (s *Service) RequestContact(ctx context.Context, actor tend.Actor, personID tend.ID, req ContactRequest) (Outcome, error) {
	if err := s.self(ctx, actor, personID); err != nil {
		return Outcome{}, err
	}
	if !req.Method.Valid() {
		return Outcome{}, tend.Errorf(tend.EINVALID, "Choose how you would like to be contacted.")
	}
	key := strings.TrimSpace(req.Key)
	if key == "" || len(key) > 100 {
		return Outcome{}, tend.Errorf(tend.EINVALID, "Something was missing from the form. Please try again.")
	}
	var out Outcome
	err := s.store.InTx(ctx, func(tx Tx) error {
		seen, err := tx.FindContactNoticeSeen(ctx, personID)
		if err != nil {
			return err
		}
		if !seen {
			return tend.Errorf(tend.ECONFLICT, "Please read what happens with a request first.")
		}
		scope := "contact_request:" + string(personID)
		if prev, err := tx.FindIdempotencyKeyTx(ctx, scope, key); err == nil {
			// A retry: report what the first request did, routed as now.
			resp, err := s.response(ctx, tx, personID, KindContactRequest)
			if err != nil {
				return err
			}
			out = Outcome{Response: resp, Route: RouteNone}
			switch resp {
			case ResponseTask:
				out.TaskID = tend.ID(prev)
				out.Route, _, err = s.route(ctx, tx, personID)
			case ResponseNextSession:
				out.FlagID = tend.ID(prev)
				out.Route, _, err = s.route(ctx, tx, personID)
			}
			return err
		} else if tend.ErrorKind(err) != tend.ENOTFOUND {
			return err
		}
		now := tx2now(s.clock)
		n, err := tx.UpdateRateLimit(ctx, "contact:"+string(personID), now.Truncate(time.Hour))
		if err != nil {
			return err
		}
		if n > ContactLimit {
			return tend.Errorf(tend.ERATELIMITED, "Your care team already has your requests from the last hour.")
		}
		src := tend.NewID() // a contact request is its own source record
		out, err = s.raise(ctx, tx, actor, Trigger{PersonID: personID, Kind: KindContactRequest, SourceID: src, RecordedAt: req.RecordedAt, Contact: req.Method})
		if err != nil {
			return err
		}
		ref := out.TaskID
		if out.FlagID != "" {
			ref = out.FlagID
		}
		return tx.PutIdempotencyKey(ctx, scope, key, string(ref), now.Add(idempotencyTTL))
	})
	return out, err
}

func tx2now(c tend.Clock) time.Time { return c.Now().UTC().Truncate(time.Microsecond) }

// trigger adds e to the person's open task (or a new one), routing it now.
func (s *Service) trigger(ctx context.Context, tx Tx, actor tend.Actor, e Entry) (Outcome, error) {
	rk, duty, err := s.route(ctx, tx, e.PersonID)
	if err != nil {
		return Outcome{}, err
	}
	// A source raises a kind once: saved again, resent, or after its task
	// was resolved, it adds nothing and opens no task.
	if id, err := tx.FindTaskEntryTask(ctx, e.PersonID, e.Kind, e.SourceID); err == nil {
		return Outcome{Response: ResponseTask, TaskID: id, Route: rk}, nil
	} else if tend.ErrorKind(err) != tend.ENOTFOUND {
		return Outcome{}, err
	}
	var events []tend.AuditEvent
	t, err := tx.FindOpenTask(ctx, e.PersonID)
	switch {
	case tend.ErrorKind(err) == tend.ENOTFOUND:
		t = Task{ID: tend.NewID(), PersonID: e.PersonID, State: StateOpen, Route: rk, DutyTeamID: duty, OpenedAt: e.ReceivedAt}
		if err := tx.CreateTask(ctx, t); err != nil {
			return Outcome{}, err
		}
		events = append(events, event(actor, AuditTaskCreated, e.PersonID, "task:"+string(t.ID)))
		if err := s.alert(ctx, tx, t, e.ReceivedAt); err != nil {
			return Outcome{}, err
		}
	case err != nil:
		return Outcome{}, err
	case t.Route != rk || t.DutyTeamID != duty:
		// The person was discharged, or their care team changed: the
		// open task goes where a new one would.
		if err := tx.UpdateTask(ctx, t.ID, TaskUpdate{Route: &rk, DutyTeamID: &duty}); err != nil {
			return Outcome{}, err
		}
		events = append(events, event(actor, AuditTaskRouted, e.PersonID, "task:"+string(t.ID)))
		t.Route, t.DutyTeamID = rk, duty
		if err := s.alert(ctx, tx, t, e.ReceivedAt); err != nil {
			return Outcome{}, err
		}
	}
	e.TaskID = t.ID
	added, err := tx.CreateTaskEntry(ctx, e)
	if err != nil {
		return Outcome{}, err
	}
	if added {
		events = append(events, event(actor, AuditTaskEntryAdded, e.PersonID, "task_entry:"+string(e.ID)))
	}
	if err := tx.AppendAudit(ctx, events...); err != nil {
		return Outcome{}, err
	}
	return Outcome{Response: ResponseTask, TaskID: t.ID, Route: rk, Added: added}, nil
}

// route decides who a trigger for personID reaches now: the active
// care-team members in the task roles; after discharge (or with none) the
// duty team's active staff; else nobody.
func (s *Service) route(ctx context.Context, tx Tx, personID tend.ID) (RouteKind, tend.ID, error) {
	pr, err := tx.FindPersonRouting(ctx, personID)
	if err != nil {
		return "", "", err
	}
	switch pr.State {
	case tend.StateDischarged, tend.StateFollowUp, tend.StateClosed:
	default:
		for _, m := range pr.Members {
			if slices.Contains(s.taskRoles, m.Role) {
				return RouteCareTeam, "", nil
			}
		}
	}
	if duty := s.settings().DutyTeam; duty != "" {
		staff, err := tx.FindTeamActiveStaff(ctx, duty)
		if err != nil {
			return "", "", err
		}
		if len(staff) > 0 {
			return RouteDuty, duty, nil
		}
	}
	return RouteNone, "", nil
}

// TaskView is a task as one staff member may see it.
type TaskView struct {
	Task
	// Recipient is true when the task reaches the caller, who may then
	// acknowledge and resolve it.
	Recipient bool
	// Note is the resolution note, for callers who may read details.
	Note string
}

// Inbox returns the tasks not yet resolved that reach the caller (their
// care-team roles or their duty team), oldest first. Each is an audited
// metadata read.
func (s *Service) Inbox(ctx context.Context, actor tend.Actor) ([]TaskView, error) {
	if actor.Kind != tend.KindStaff {
		return nil, tend.ErrNotFound
	}
	tasks, err := s.store.FindTasksForStaff(ctx, actor.ID, s.taskRoles)
	if err != nil {
		return nil, err
	}
	var out []TaskView
	var events []tend.AuditEvent
	for _, t := range tasks {
		if err := s.checker.CheckTarget(ctx, actor, access.TaskMetaRead, t.PersonID, access.Target{}); err != nil {
			continue // a membership ended between the two reads
		}
		out = append(out, TaskView{Task: t, Recipient: true})
		events = append(events, event(actor, string(access.TaskMetaRead), t.PersonID, "task:"+string(t.ID)))
	}
	if len(events) > 0 {
		if err := s.store.InTx(ctx, func(tx Tx) error { return tx.AppendAudit(ctx, events...) }); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Task returns one task's metadata (TaskMetaRead: the task roles, a lead of
// the person's team, the duty team it is routed to), audited. ENOTFOUND for
// callers who may not know of it.
func (s *Service) Task(ctx context.Context, actor tend.Actor, taskID tend.ID) (TaskView, error) {
	var v TaskView
	err := s.store.InTx(ctx, func(tx Tx) error {
		t, err := s.load(ctx, tx, actor, taskID)
		if err != nil {
			return err
		}
		v.Task = t
		if actor.Kind == tend.KindStaff {
			if v.Recipient, err = tx.IsTaskRecipient(ctx, t, actor.ID, s.taskRoles); err != nil {
				return err
			}
		}
		if len(t.ResolutionNote) > 0 && (v.Recipient || actor.Kind == tend.KindPerson) {
			pt, err := s.sealer.OpenRecord(ctx, noteField(t.ID), t.ResolutionNote)
			if err != nil {
				return err
			}
			v.Note = string(pt)
		}
		return tx.AppendAudit(ctx, event(actor, string(access.TaskMetaRead), t.PersonID, "task:"+string(t.ID)))
	})
	return v, err
}

// load finds a task and checks metadata access; a task the caller may not
// see is ENOTFOUND.
func (s *Service) load(ctx context.Context, tx Tx, actor tend.Actor, taskID tend.ID) (Task, error) {
	t, err := tx.FindTaskByID(ctx, taskID)
	if err != nil {
		return Task{}, err
	}
	if err := s.checker.CheckTarget(ctx, actor, access.TaskMetaRead, t.PersonID, access.Target{}); err != nil {
		if tend.ErrorKind(err) == tend.EFORBIDDEN {
			return Task{}, tend.ErrNotFound
		}
		return Task{}, err
	}
	return t, nil
}

// Acknowledge moves an open task to acknowledged. Only staff the task
// reaches may (EFORBIDDEN for others who see its metadata, such as a lead);
// ECONFLICT when it is not open.
func (s *Service) Acknowledge(ctx context.Context, actor tend.Actor, taskID tend.ID) error {
	return s.store.InTx(ctx, func(tx Tx) error {
		t, err := s.recipientTask(ctx, tx, actor, taskID)
		if err != nil {
			return err
		}
		if t.State != StateOpen {
			return tend.Errorf(tend.ECONFLICT, "This task has already been acknowledged.")
		}
		now, st := tx2now(s.clock), StateAcknowledged
		if err := tx.UpdateTask(ctx, t.ID, TaskUpdate{State: &st, AcknowledgedAt: &now, AcknowledgedBy: &actor.ID}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditTaskAcknowledged, t.PersonID, "task:"+string(t.ID)))
	})
}

// Resolve closes a task with a short note, sealed with the records key.
// EINVALID without a note or with one over 2000 characters; ECONFLICT when
// it is already resolved; access as Acknowledge.
func (s *Service) Resolve(ctx context.Context, actor tend.Actor, taskID tend.ID, note string) error {
	note = strings.TrimSpace(note)
	if note == "" {
		return tend.Errorf(tend.EINVALID, "Write a short note of what was done.")
	}
	if utf8.RuneCountInString(note) > maxNote {
		return tend.Errorf(tend.EINVALID, "Keep the note under 2000 characters.")
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		t, err := s.recipientTask(ctx, tx, actor, taskID)
		if err != nil {
			return err
		}
		if t.State == StateResolved {
			return tend.Errorf(tend.ECONFLICT, "This task has already been resolved.")
		}
		sealed, err := s.sealer.SealRecord(ctx, noteField(t.ID), []byte(note))
		if err != nil {
			return err
		}
		now, st := tx2now(s.clock), StateResolved
		u := TaskUpdate{State: &st, ResolvedAt: &now, ResolvedBy: &actor.ID, ResolutionNote: sealed}
		if t.State == StateOpen {
			u.AcknowledgedAt, u.AcknowledgedBy = &now, &actor.ID
		}
		if err := tx.UpdateTask(ctx, t.ID, u); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditTaskResolved, t.PersonID, "task:"+string(t.ID)))
	})
}

func (s *Service) recipientTask(ctx context.Context, tx Tx, actor tend.Actor, taskID tend.ID) (Task, error) {
	if actor.Kind != tend.KindStaff {
		return Task{}, tend.ErrNotFound
	}
	t, err := s.load(ctx, tx, actor, taskID)
	if err != nil {
		return Task{}, err
	}
	ok, err := tx.IsTaskRecipient(ctx, t, actor.ID, s.taskRoles)
	if err != nil {
		return Task{}, err
	}
	if !ok {
		return Task{}, tend.Errorf(tend.EFORBIDDEN, "This task is for the staff it was routed to.")
	}
	return t, nil
}

func noteField(taskID tend.ID) vault.Field {
	return vault.Field{Table: "followup_tasks", Column: "resolution_note", Row: taskID}
}

func event(actor tend.Actor, action string, personID tend.ID, target string) tend.AuditEvent {
	role := string(actor.Role)
	if role == "" {
		role = string(actor.Kind)
	}
	return tend.AuditEvent{ActorKind: actor.Kind, ActorID: actor.ID, ActorRole: role, Action: action, PersonID: personID, Target: target, Outcome: tend.OutcomeOK}
}
