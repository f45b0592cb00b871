package auth

import (
	"context"

	"github.com/tendcare/tend"
)

// ConfirmPassword checks the signed-in person's password again before
// something that cannot be undone (erasing their account). Wrong
// passwords count towards the same per-account limit as changing a
// password. EINVALID for a wrong password, ERATELIMITED after too
// many.
func (s *Service) ConfirmPassword(ctx context.Context, actor tend.Actor, password string) error {
	if actor.Kind != tend.KindPerson {
		return errSignedOut
	}
	p, err := s.store.FindPersonAccountByID(ctx, actor.ID)
	if err != nil {
		return err
	}
	c := newCounter(s.opt.Limits.SignInAccount, "change-password", string(actor.ID))
	if err := s.checkLimits(ctx, "wrong passwords", c); err != nil {
		return err
	}
	if password == "" || len(password) > maxPasswordLen {
		password = dummyPassword + "!"
	}
	ok, err := s.verify(ctx, p.PasswordHash, password)
	if err != nil {
		return err
	}
	if ok {
		return nil
	}
	if err := s.store.InTx(ctx, func(tx Tx) error {
		if err := countFailure(ctx, tx, c); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, "auth.password_confirmed", actor.ID, target(string(actor.Kind), actor.ID), tend.OutcomeFailed))
	}); err != nil {
		return err
	}
	return tend.Errorf(tend.EINVALID, "That password is not right. Please try again.")
}
