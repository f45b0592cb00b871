package skills

import (
	"context"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

// OpenOnCaseload returns, per person, the open homework the staff member
// may read (the therapist's all, others' what they assigned), without the
// notes: what a caseload shows. Each person with some is an audited
// homework read, all in one unit of work. People the caller may not read
// homework for are left out.
func (s *Service) OpenOnCaseload(ctx context.Context, actor tend.Actor, personIDs []tend.ID) (map[tend.ID][]Homework, error) {
	out := map[tend.ID][]Homework{}
	if actor.Kind != tend.KindStaff {
		return out, nil
	}
	open := true
	var events []tend.AuditEvent
	for _, personID := range personIDs {
		recs, err := s.store.FindHomework(ctx, HomeworkFilter{PersonID: personID, Open: &open})
		if err != nil {
			return nil, err
		}
		mayRead := map[tend.ID]bool{}
		for _, r := range recs {
			ok, seen := mayRead[r.AssignedBy]
			if !seen {
				ok = s.checker.CheckTarget(ctx, actor, access.HomeworkRead, personID, access.Target{AssignedBy: r.AssignedBy}) == nil
				mayRead[r.AssignedBy] = ok
			}
			if ok {
				out[personID] = append(out[personID], Homework{ID: r.ID, PersonID: r.PersonID, SkillID: r.SkillID, Worksheet: r.Worksheet,
					Due: r.Due, PerWeek: r.PerWeek, AssignedBy: r.AssignedBy, AssignedAt: r.AssignedAt})
			}
		}
		if len(out[personID]) > 0 {
			events = append(events, event(actor, string(access.HomeworkRead), personID, "homework:"+string(personID)))
		}
	}
	if len(events) == 0 {
		return out, nil
	}
	return out, s.store.InTx(ctx, func(tx Tx) error { return tx.AppendAudit(ctx, events...) })
}
