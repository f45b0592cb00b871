package careteam

import (
	"context"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

// TeamMember is a care-team membership with the staff member's name.
type TeamMember struct {
	Member
	StaffName string // "" when the staff account no longer exists
}

// TeamMembers lists the person's care team, as Members does, with each
// staff member's name. It needs access.CareTeamRead: the person, their care
// team, a lead of their team or an admin; everyone else gets ENOTFOUND.
func (s *Service) TeamMembers(ctx context.Context, actor tend.Actor, personID tend.ID) ([]TeamMember, error) {
	if err := s.checker.Check(ctx, actor, access.CareTeamRead, personID); err != nil {
		return nil, err
	}
	if err := s.auditStaffRead(ctx, actor, access.CareTeamRead, personID); err != nil {
		return nil, err
	}
	members, err := s.store.FindCareTeamMembers(ctx, personID)
	if err != nil {
		return nil, err
	}
	ids := make([]tend.ID, 0, len(members))
	for _, m := range members {
		ids = append(ids, m.StaffID)
	}
	names, err := s.store.FindStaffNames(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]TeamMember, len(members))
	for i, m := range members {
		out[i] = TeamMember{Member: m, StaffName: names[m.StaffID]}
	}
	return out, nil
}

// auditStaffRead records a staff member's read of something of the
// person's (DESIGN.md: every staff read is audited and shown to the
// person). The person's own reads and their supporters' are not staff reads.
func (s *Service) auditStaffRead(ctx context.Context, actor tend.Actor, action access.Action, personID tend.ID) error {
	if actor.Kind != tend.KindStaff {
		return nil
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		return tx.AppendAudit(ctx, tend.AuditEvent{ActorKind: actor.Kind, ActorID: actor.ID, ActorRole: string(actor.Role),
			Action: string(action), PersonID: personID, Target: "care_team:" + string(personID)})
	})
}
