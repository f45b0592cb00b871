package followup

import (
	"context"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

// PersonTask is one of a person's tasks as one staff member may see it,
// for the session preparation view.
type PersonTask struct {
	TaskView
	// Details says, entry by entry (in the order of Entries), whether the
	// caller may read that entry's details: only where the person shares
	// the area it comes from with them (TaskDetailRead). A request for
	// contact has no details beyond its metadata.
	Details []bool
}

// EntryArea returns the area an entry's details come from: the diary for
// acts and urges to die, questionnaires for questionnaire items; false for
// a request for contact, whose details are its metadata.
func EntryArea(k Kind) (access.Area, bool) {
	switch k {
	case KindAct, KindUrgeToDie:
		return access.AreaDiary, true
	case KindPHQ9Item9, KindQuestionnaireItem:
		return access.AreaQuestionnaires, true
	}
	return "", false
}

// PersonTasks returns the person's tasks opened, or resolved, at or after
// since, and those opened earlier that are not resolved yet, newest first:
// what happened since the last session. The caller needs TaskMetaRead (the
// care-team roles the service names for tasks; a lead of the person's
// team and the duty team too, metadata only); each entry says whether its
// details may be read. The resolution note comes only to those the task
// reaches. One audited metadata read per task. ENOTFOUND for a caller who
// may not know of the person's tasks at all; EFORBIDDEN for one who knows
// the person but may not see their tasks.
func (s *Service) PersonTasks(ctx context.Context, actor tend.Actor, personID tend.ID, since time.Time) ([]PersonTask, error) {
	if actor.Kind != tend.KindStaff {
		return nil, tend.ErrNotFound
	}
	if err := s.checker.CheckTarget(ctx, actor, access.TaskMetaRead, personID, access.Target{}); err != nil {
		return nil, err
	}
	tasks, err := s.store.FindPersonTasks(ctx, personID, since.UTC())
	if err != nil {
		return nil, err
	}
	details := map[access.Area]bool{}
	for _, a := range []access.Area{access.AreaDiary, access.AreaQuestionnaires} {
		details[a] = s.checker.CheckTarget(ctx, actor, access.TaskDetailRead, personID, access.Target{Area: a}) == nil
	}
	out := make([]PersonTask, 0, len(tasks))
	events := make([]tend.AuditEvent, 0, len(tasks))
	err = s.store.InTx(ctx, func(tx Tx) error {
		for _, t := range tasks {
			v := PersonTask{TaskView: TaskView{Task: t}}
			var err error
			if v.Recipient, err = tx.IsTaskRecipient(ctx, t, actor.ID, s.taskRoles); err != nil {
				return err
			}
			if len(t.ResolutionNote) > 0 && v.Recipient {
				pt, err := s.sealer.OpenRecord(ctx, noteField(t.ID), t.ResolutionNote)
				if err != nil {
					return err
				}
				v.Note = string(pt)
			}
			for _, e := range t.Entries {
				a, ok := EntryArea(e.Kind)
				v.Details = append(v.Details, ok && details[a])
			}
			out = append(out, v)
			events = append(events, event(actor, string(access.TaskMetaRead), personID, "task:"+string(t.ID)))
		}
		if len(events) == 0 {
			return nil
		}
		return tx.AppendAudit(ctx, events...)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
