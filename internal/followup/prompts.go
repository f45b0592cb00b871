package followup

import (
	"context"
	"slices"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

// Trigger is one safety prompt, raised by the save that contains it (a
// diary card, a questionnaire, a request for contact), inside that save's
// unit of work.
type Trigger struct {
	PersonID tend.ID
	Kind     Kind
	// SourceID is the record that contains the trigger (a diary entry, a
	// questionnaire response): the same source raises it once, however
	// often it is saved or resent.
	SourceID tend.ID
	// RecordedAt is the device's time of the record; zero means now.
	RecordedAt time.Time
	// Rating is the urge rating of a KindUrgeToDie trigger, which fires
	// only at or above the service's level.
	Rating int
	// Contact is how the person asked to be contacted (KindContactRequest).
	Contact ContactMethod
}

// Raise applies a trigger inside the caller's unit of work: it adds it to
// the person's open task, keeps it for the next session, or does nothing
// for the care team, as the person's rules say. It fires on the first save
// that contains it; later saves of the same source add nothing (Added is
// false). An urge to die rated below the level is not a trigger: the
// outcome's Response is then empty.
func (s *Service) Raise(ctx context.Context, tx Tx, actor tend.Actor, tr Trigger) (Outcome, error) {
	if !tr.Kind.Valid() || tr.PersonID == "" || tr.SourceID == "" {
		return Outcome{}, tend.Errorf(tend.EINVALID, "A safety prompt needs a person, a kind and a source.")
	}
	if tr.Kind == KindUrgeToDie && tr.Rating < s.settings().Rules.Level() {
		return Outcome{}, nil
	}
	return s.raise(ctx, tx, actor, tr)
}

func (s *Service) raise(ctx context.Context, tx Tx, actor tend.Actor, tr Trigger) (Outcome, error) {
	resp, err := s.response(ctx, tx, tr.PersonID, tr.Kind)
	if err != nil {
		return Outcome{}, err
	}
	now := tx2now(s.clock)
	recorded := tr.RecordedAt
	if recorded.IsZero() {
		recorded = now
	}
	switch resp {
	case ResponseNone:
		return Outcome{Response: ResponseNone, Route: RouteNone}, nil
	case ResponseNextSession:
		rk, _, err := s.route(ctx, tx, tr.PersonID)
		if err != nil {
			return Outcome{}, err
		}
		if rk == RouteCareTeam {
			f := Flag{ID: tend.NewID(), PersonID: tr.PersonID, Kind: tr.Kind, SourceID: tr.SourceID, RecordedAt: recorded.UTC(), ReceivedAt: now}
			added, err := tx.CreateFlag(ctx, f)
			if err != nil {
				return Outcome{}, err
			}
			if added {
				if err := tx.AppendAudit(ctx, event(actor, AuditFlagAdded, tr.PersonID, "flag:"+string(f.ID))); err != nil {
					return Outcome{}, err
				}
			}
			return Outcome{Response: ResponseNextSession, FlagID: f.ID, Route: rk, Added: added}, nil
		}
		// After discharge, or with no clinician, there is no next session
		// to wait for: the trigger becomes a task for whoever the route is.
	}
	e := Entry{ID: tend.NewID(), PersonID: tr.PersonID, Kind: tr.Kind, SourceID: tr.SourceID, RecordedAt: recorded.UTC(), ReceivedAt: now, Contact: tr.Contact}
	return s.trigger(ctx, tx, actor, e)
}

// response is what kind does for the person: the clinician's setting for
// them, else the service's.
func (s *Service) response(ctx context.Context, tx Tx, personID tend.ID, kind Kind) (Response, error) {
	rules, err := tx.FindPersonRules(ctx, personID)
	if err != nil {
		return "", err
	}
	for _, r := range rules {
		if r.Kind == kind && r.Response.Valid() {
			return r.Response, nil
		}
	}
	return s.settings().Rules.Response(kind), nil
}

// alert gives every staff member task t reaches now a neutral alert.
func (s *Service) alert(ctx context.Context, tx Tx, t Task, at time.Time) error {
	staff, err := taskStaff(ctx, tx, t, s.taskRoles)
	if err != nil || len(staff) == 0 {
		return err
	}
	return tx.CreateStaffAlerts(ctx, t.ID, staff, at)
}

// Prompts returns what each trigger does for the person and who set it:
// the person sees it (safety-rules.md section 4: "visible to the person"),
// and so does the care team the tasks reach.
func (s *Service) Prompts(ctx context.Context, actor tend.Actor, personID tend.ID) ([]Prompt, error) {
	if err := s.checker.CheckTarget(ctx, actor, access.TaskMetaRead, personID, access.Target{}); err != nil {
		return nil, notFound(err)
	}
	var out []Prompt
	err := s.store.InTx(ctx, func(tx Tx) error {
		rules, err := tx.FindPersonRules(ctx, personID)
		if err != nil {
			return err
		}
		svc := s.settings().Rules
		for _, k := range Kinds {
			p := Prompt{Kind: k, Service: svc.Response(k), Response: svc.Response(k)}
			for i := range rules {
				if rules[i].Kind == k {
					p.Person, p.Response = &rules[i], rules[i].Response
				}
			}
			out = append(out, p)
		}
		if actor.Kind == tend.KindStaff {
			return tx.AppendAudit(ctx, event(actor, string(access.TaskMetaRead), personID, "safety_prompts:"+string(personID)))
		}
		return nil
	})
	return out, err
}

// UrgeToDieLevel is the rating at which an urge to die fires a trigger.
func (s *Service) UrgeToDieLevel() int { return s.settings().Rules.Level() }

// CheckSetRules returns nil when actor may set the person's safety prompts,
// else the checker's denial (EFORBIDDEN for someone who knows the person,
// ENOTFOUND for anyone else).
func (s *Service) CheckSetRules(ctx context.Context, actor tend.Actor, personID tend.ID) error {
	return s.checker.CheckTarget(ctx, actor, access.SafetyPromptsManage, personID, access.Target{})
}

// SetPersonRule sets what kind does for one person, or with an empty
// response returns it to the service's setting. Only the person's
// clinicians may (SafetyPromptsManage); audited; the person sees it on their
// safety-prompts page.
func (s *Service) SetPersonRule(ctx context.Context, actor tend.Actor, personID tend.ID, kind Kind, resp Response) error {
	if err := s.CheckSetRules(ctx, actor, personID); err != nil {
		return err
	}
	if !kind.Valid() {
		return tend.Errorf(tend.EINVALID, "Choose a safety prompt.")
	}
	if resp != "" && !resp.Valid() {
		return tend.Errorf(tend.EINVALID, "Choose what the safety prompt should do.")
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		var err error
		if resp == "" {
			err = tx.DeletePersonRule(ctx, personID, kind)
		} else {
			err = tx.PutPersonRule(ctx, PersonRule{PersonID: personID, Kind: kind, Response: resp, SetBy: actor.ID, SetAt: tx2now(s.clock)})
		}
		if err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditPersonRuleSet, personID, "safety_prompt:"+string(kind)+":"+string(resp)))
	})
}

// Flags returns the person's triggers kept for the next session, not yet
// discussed: kind and time only, like a task (TaskMetaRead), audited.
func (s *Service) Flags(ctx context.Context, actor tend.Actor, personID tend.ID) ([]Flag, error) {
	if err := s.checker.CheckTarget(ctx, actor, access.TaskMetaRead, personID, access.Target{}); err != nil {
		return nil, notFound(err)
	}
	flags, err := s.store.FindOpenFlags(ctx, personID)
	if err != nil || len(flags) == 0 || actor.Kind != tend.KindStaff {
		return flags, err
	}
	err = s.store.InTx(ctx, func(tx Tx) error {
		return tx.AppendAudit(ctx, event(actor, string(access.TaskMetaRead), personID, "flags:"+string(personID)))
	})
	return flags, err
}

// MarkFlagDiscussed records that a flag was gone through in a session. Only
// staff a task for the person would reach may (ENOTFOUND otherwise).
func (s *Service) MarkFlagDiscussed(ctx context.Context, actor tend.Actor, personID, flagID tend.ID) error {
	if actor.Kind != tend.KindStaff {
		return tend.ErrNotFound
	}
	if err := s.checker.CheckTarget(ctx, actor, access.TaskMetaRead, personID, access.Target{}); err != nil {
		return notFound(err)
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		if err := s.careTeamRecipient(ctx, tx, actor, personID); err != nil {
			return err
		}
		if err := tx.UpdateFlagDiscussed(ctx, personID, flagID, actor.ID, tx2now(s.clock)); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditFlagDiscussed, personID, "flag:"+string(flagID)))
	})
}

// careTeamRecipient checks that actor is an active care-team member of the
// person in a task role.
func (s *Service) careTeamRecipient(ctx context.Context, tx Tx, actor tend.Actor, personID tend.ID) error {
	pr, err := tx.FindPersonRouting(ctx, personID)
	if err != nil {
		return err
	}
	for _, m := range pr.Members {
		if m.StaffID == actor.ID && slices.Contains(s.taskRoles, m.Role) {
			return nil
		}
	}
	return tend.Errorf(tend.EFORBIDDEN, "Only the person's care team can do this.")
}

// Queue returns the team queue: tasks not yet resolved that nobody can take
// now (no route, or a route without an active member), as far as the caller
// may see their metadata (a lead of the person's team). Oldest first;
// audited as metadata reads.
func (s *Service) Queue(ctx context.Context, actor tend.Actor) ([]TaskView, error) {
	if actor.Kind != tend.KindStaff {
		return nil, tend.ErrNotFound
	}
	tasks, err := s.store.FindUnreachedTasks(ctx, s.taskRoles)
	if err != nil {
		return nil, err
	}
	var out []TaskView
	var events []tend.AuditEvent
	for _, t := range tasks {
		if err := s.checker.CheckTarget(ctx, actor, access.TaskMetaRead, t.PersonID, access.Target{}); err != nil {
			continue
		}
		out = append(out, TaskView{Task: t})
		events = append(events, event(actor, string(access.TaskMetaRead), t.PersonID, "task:"+string(t.ID)))
	}
	if len(events) > 0 {
		if err := s.store.InTx(ctx, func(tx Tx) error { return tx.AppendAudit(ctx, events...) }); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// TeamTasks returns a lead's view of their teams' open tasks by age:
// metadata only (who, when, state, route), oldest first, each an audited
// metadata read. Anyone but a lead gets none.
func (s *Service) TeamTasks(ctx context.Context, actor tend.Actor) ([]TaskView, error) {
	if actor.Kind != tend.KindStaff || actor.Role != tend.RoleLead {
		return nil, nil
	}
	tasks, err := s.store.FindTeamTasks(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	var out []TaskView
	var events []tend.AuditEvent
	for _, t := range tasks {
		if err := s.checker.CheckTarget(ctx, actor, access.TaskMetaRead, t.PersonID, access.Target{}); err != nil {
			continue
		}
		out = append(out, TaskView{Task: t})
		events = append(events, event(actor, string(access.TaskMetaRead), t.PersonID, "task:"+string(t.ID)))
	}
	if len(events) > 0 {
		if err := s.store.InTx(ctx, func(tx Tx) error { return tx.AppendAudit(ctx, events...) }); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Reroute sends a task where a new one would go now (after a lead has
// added a clinician to the person's care team, or the duty team has staff
// again), alerting whoever it reaches. Anyone who may see the task's
// metadata may; ECONFLICT when it still reaches nobody.
func (s *Service) Reroute(ctx context.Context, actor tend.Actor, taskID tend.ID) (RouteKind, error) {
	if actor.Kind != tend.KindStaff {
		return "", tend.ErrNotFound
	}
	var rk RouteKind
	err := s.store.InTx(ctx, func(tx Tx) error {
		t, err := s.load(ctx, tx, actor, taskID)
		if err != nil {
			return err
		}
		if t.State == StateResolved {
			return tend.Errorf(tend.ECONFLICT, "This task has already been resolved.")
		}
		var duty tend.ID
		if rk, duty, err = s.route(ctx, tx, t.PersonID); err != nil {
			return err
		}
		if rk == RouteNone {
			return tend.Errorf(tend.ECONFLICT, "Nobody can take this task yet. Add a clinician to the person's care team, or staff to the duty team, then try again.")
		}
		if err := tx.UpdateTask(ctx, t.ID, TaskUpdate{Route: &rk, DutyTeamID: &duty}); err != nil {
			return err
		}
		t.Route, t.DutyTeamID = rk, duty
		if err := s.alert(ctx, tx, t, tx2now(s.clock)); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditTaskRouted, t.PersonID, "task:"+string(t.ID)))
	})
	return rk, err
}

// Alerts counts the caller's alerts not yet seen: a neutral "a follow-up
// task is waiting", with no content.
func (s *Service) Alerts(ctx context.Context, actor tend.Actor) (int, error) {
	if actor.Kind != tend.KindStaff {
		return 0, nil
	}
	return s.store.CountUnseenAlerts(ctx, actor.ID)
}

// SeeAlerts marks the caller's alerts seen (they opened their tasks).
func (s *Service) SeeAlerts(ctx context.Context, actor tend.Actor) error {
	if actor.Kind != tend.KindStaff {
		return nil
	}
	n, err := s.store.CountUnseenAlerts(ctx, actor.ID)
	if err != nil || n == 0 {
		return err
	}
	return s.store.InTx(ctx, func(tx Tx) error { return tx.UpdateAlertsSeen(ctx, actor.ID, tx2now(s.clock)) })
}

func notFound(err error) error {
	if tend.ErrorKind(err) == tend.EFORBIDDEN {
		return tend.ErrNotFound
	}
	return err
}
