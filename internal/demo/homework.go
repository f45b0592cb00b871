package demo

import (
	"context"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/skills"
)

// seedHomework has Lee, sam's therapist, set sam one gentle piece of
// homework, so the demo shows it on sam's home page and Lee's clinic page.
func seedHomework(ctx context.Context, svc *skills.Service, leeID, samID tend.ID) error {
	lee := tend.Actor{Kind: tend.KindStaff, ID: leeID, Role: tend.RoleClinician, MFA: true}
	_, err := svc.Assign(ctx, lee, samID, skills.Assignment{Item: "skill:stop", PerWeek: 3,
		Note: "Try STOP when you notice a strong feeling building, and jot down how it went. We can look at it together next session."})
	return err
}
