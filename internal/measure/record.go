package measure

import (
	"context"
	"maps"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

// AuditResponseRecorded is the audit action of a finished response
// brought in from another record (Record).
const AuditResponseRecorded = "questionnaire.recorded"

// Recorded is a finished response brought in from another record: the
// instrument it answers, its answers and when it was finished there.
type Recorded struct {
	InstrumentID string
	Answers      Answers
	FinishedAt   time.Time
}

// Record keeps a response the person finished elsewhere (a FHIR import):
// the same checks, score, audit and safety prompts as a finished Save, on a
// questionnaire assigned once and already ended, dated the day it was
// finished, so nothing new falls due. Recording the same instrument
// finished at the same instant with the same answers again is a retry: it
// answers the response kept before and adds nothing; other answers at that
// instant are ECONFLICT. The person records their own; a care-team member
// with "see and edit" on questionnaires records for them. EINVALID for an
// unknown or retired instrument, answers outside its options, or a time in
// the future.
func (s *Service) Record(ctx context.Context, actor tend.Actor, personID tend.ID, rc Recorded) (Saved, error) {
	if err := s.checker.Check(ctx, actor, access.QuestionnairesWrite, personID); err != nil {
		return Saved{}, err
	}
	av, err := s.Instrument(ctx, rc.InstrumentID)
	if err != nil {
		if tend.ErrorKind(err) == tend.ENOTFOUND {
			return Saved{}, tend.Errorf(tend.EINVALID, "Tend has no questionnaire %q. Nothing was saved.", rc.InstrumentID)
		}
		return Saved{}, err
	}
	if av.Retired() {
		return Saved{}, tend.Errorf(tend.EINVALID, "This questionnaire has been retired by the service, so nothing was saved.")
	}
	in := av.Instrument
	if err := in.Check(rc.Answers); err != nil {
		return Saved{}, tend.Errorf(tend.EINVALID, "%s. Nothing was saved.", capitalize(err.Error()))
	}
	now := s.now()
	finished := rc.FinishedAt.UTC().Truncate(time.Microsecond)
	if finished.IsZero() || finished.After(now.Add(5*time.Minute)) {
		return Saved{}, tend.Errorf(tend.EINVALID, "A finished questionnaire needs the time it was finished, not in the future. Nothing was saved.")
	}
	answers := maps.Clone(rc.Answers)
	if answers == nil {
		answers = Answers{}
	}
	var out Saved
	err = s.store.InTx(ctx, func(tx Tx) error {
		prev, err := s.store.FindResponses(ctx, personID)
		if err != nil {
			return err
		}
		for _, r := range prev {
			if r.InstrumentID != in.ID || !r.Finished || r.FinishedAt == nil || !r.FinishedAt.Equal(finished) {
				continue
			}
			if !maps.Equal(r.Answers, answers) {
				return tend.Errorf(tend.ECONFLICT, "A different response to this questionnaire finished at the same time is already kept. Nothing was saved.")
			}
			out.Response, out.Replay = r, true
			return s.prompt(ctx, tx, actor, av, r, now, &out)
		}
		day := civil(finished)
		a := Assignment{ID: tend.NewID(), PersonID: personID, InstrumentID: in.ID, Schedule: Schedule{Kind: ScheduleOnce},
			StartsOn: day, CreatedBy: actor.ID, CreatedAt: now, EndedAt: &now, EndedBy: actor.ID}
		if err := tx.CreateAssignment(ctx, a); err != nil {
			return err
		}
		d := Due{ID: tend.NewID(), AssignmentID: a.ID, PersonID: personID, InstrumentID: in.ID, On: day, Reason: ReasonOnce, CreatedAt: now}
		if _, err := tx.CreateDue(ctx, d); err != nil {
			return err
		}
		r := Response{ID: tend.NewID(), DueID: d.ID, PersonID: personID, InstrumentID: in.ID, Version: in.Version,
			Answers: answers, Score: in.Score(answers), Finished: true, StartedAt: finished, UpdatedAt: now,
			FinishedAt: &finished, EnteredBy: actor.ID}
		if err := tx.CreateResponse(ctx, r); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, event(actor, AuditResponseRecorded, personID, auditTargetResponse+string(r.ID))); err != nil {
			return err
		}
		out.Response = r
		return s.prompt(ctx, tx, actor, av, r, now, &out)
	})
	return out, err
}
