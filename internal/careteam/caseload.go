package careteam

import (
	"context"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

// Case is one person on a staff member's caseload.
type Case struct {
	PersonID tend.ID
	Username string
	State    tend.PersonState
	Roles    []tend.CareRole    // the staff member's roles for this person
	Member   access.MemberState // active, or follow_up after discharge
}

// Caseload returns the people on the signed-in staff member's care teams.
// Showing each one is a read of their basic record (access.ProfileRead),
// checked and audited per person, all in one unit of work (DESIGN.md
// "Audit": a caseload of 50 writes 50 small events in one transaction).
// People the check refuses are left out.
func (s *Service) Caseload(ctx context.Context, actor tend.Actor) ([]Case, error) {
	if actor.Kind != tend.KindStaff {
		return nil, tend.ErrNotFound
	}
	all, err := s.store.FindCaseload(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	var shown []Case
	var events []tend.AuditEvent
	for _, c := range all {
		if err := s.checker.Check(ctx, actor, access.ProfileRead, c.PersonID); err != nil {
			continue
		}
		shown = append(shown, c)
		events = append(events, tend.AuditEvent{ActorKind: actor.Kind, ActorID: actor.ID, ActorRole: string(actor.Role),
			Action: string(access.ProfileRead), PersonID: c.PersonID, Target: "person:" + string(c.PersonID)})
	}
	if len(events) == 0 {
		return shown, nil
	}
	err = s.store.InTx(ctx, func(tx Tx) error { return tx.AppendAudit(ctx, events...) })
	return shown, err
}
