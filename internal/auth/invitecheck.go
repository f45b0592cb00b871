package auth

import (
	"context"
	"time"

	"github.com/tendcare/tend"
)

// InviteCheck is what the join page may learn about an invite before it is
// used: whether the person is under 18, so the service's confidentiality
// notice comes before anything else (young-people.md).
type InviteCheck struct {
	Under18 bool
}

// CheckInvite tells whether code is a usable invite without using it up.
// Wrong codes count towards the same per-address limit as Join, and get the
// same answers.
func (s *Service) CheckInvite(ctx context.Context, code string, c Client) (InviteCheck, error) {
	lim := newCounter(s.opt.Limits.Invite, "invite", c.Address)
	if err := s.checkLimits(ctx, "wrong invite codes", lim); err != nil {
		return InviteCheck{}, err
	}
	var out InviteCheck
	var problem error
	err := s.store.InTx(ctx, func(tx Tx) error {
		now := tx.Now().UTC()
		inv, err := tx.FindInviteByCodeHash(ctx, sum(normalizeCode(code)))
		switch {
		case isNotFound(err):
			problem = tend.Errorf(tend.EINVALID, "That invite code is not right. Check it, or ask your service for a new one.")
		case err != nil:
			return err
		case inv.RedeemedAt != nil:
			problem = tend.Errorf(tend.EINVALID, "That invite code has already been used. Ask your service for a new one.")
		case !now.Before(inv.ExpiresAt):
			problem = tend.Errorf(tend.EINVALID, "That invite code has expired. Ask your service for a new one.")
		}
		if problem != nil {
			return countFailure(ctx, tx, lim)
		}
		out.Under18 = under18(inv.AgeBand, inv.BirthDate, now)
		return nil
	})
	if err != nil {
		return InviteCheck{}, err
	}
	return out, problem
}

// under18 reports whether someone with this age band or birth date is
// under 18 at now.
func under18(band, birthDate string, now time.Time) bool {
	if band == AgeUnder18 {
		return true
	}
	b, err := time.Parse(time.DateOnly, birthDate)
	if err != nil {
		return false
	}
	return now.Before(b.AddDate(18, 0, 0))
}
