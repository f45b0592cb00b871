package auth

import (
	"context"

	"github.com/tendcare/tend"
)

// MayIssueResetCode reports whether actor may give the person a password
// reset code: admins, and staff who have passed their second factor and
// are on the person's care team (Options.CareTeam). IssueResetCode decides
// with it; pages ask it only to offer the button to those it would serve.
func (s *Service) MayIssueResetCode(ctx context.Context, actor tend.Actor, personID tend.ID) (bool, error) {
	if isAdmin(actor) {
		return true, nil
	}
	if actor.Kind != tend.KindStaff || !actor.MFA || s.opt.CareTeam == nil {
		return false, nil
	}
	return s.opt.CareTeam.IsCareTeamMember(ctx, actor.ID, personID)
}
