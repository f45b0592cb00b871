package auth

import (
	"context"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/tendcare/tend"
)

// Limit is a fixed-window counter: at most Max failures per Window.
type Limit struct {
	Max    int
	Window time.Duration
}

// Limits are the rate limits the service applies. They count failures, so
// the real owner who types the password right is never slowed by them on
// their own, and the per-account limit is higher than the per-address one,
// so a burst from one address does not lock the owner out elsewhere.
type Limits struct {
	SignInAccountAddress Limit // wrong passwords for one account from one address
	SignInAccount        Limit // wrong passwords for one account from anywhere
	SignInAddress        Limit // wrong passwords from one address, any account
	MFA                  Limit // wrong second-factor codes for one account
	Invite               Limit // wrong invite codes from one address
	ResetAccount         Limit // wrong reset or recovery codes for one account
	ResetAddress         Limit // wrong reset or recovery codes from one address
	PIN                  Limit // wrong PINs for one session
	TokenCreate          Limit // API tokens an account creates
	Import               Limit // FHIR imports an account sends
	PushSubscribe        Limit // push subscriptions an account adds
	EmailVerify          Limit // verification e-mails an account asks for
}

// DefaultLimits are the limits used when Options.Limits is zero.
var DefaultLimits = Limits{
	SignInAccountAddress: Limit{5, 15 * time.Minute},
	SignInAccount:        Limit{20, 15 * time.Minute},
	SignInAddress:        Limit{50, 15 * time.Minute},
	MFA:                  Limit{5, 15 * time.Minute},
	Invite:               Limit{10, 15 * time.Minute},
	ResetAccount:         Limit{5, 15 * time.Minute},
	ResetAddress:         Limit{20, 15 * time.Minute},
	PIN:                  Limit{5, 15 * time.Minute},
	TokenCreate:          Limit{20, time.Hour},
	Import:               Limit{30, time.Hour},
	PushSubscribe:        Limit{20, time.Hour},
	EmailVerify:          Limit{5, time.Hour},
}

// CountImport counts one FHIR import sent by actor's account, refused or
// not, and returns ERATELIMITED, saying when to try again, once the
// account has sent Limits.Import of them in the window (DESIGN.md "Rate
// limits": imports).
func (s *Service) CountImport(ctx context.Context, actor tend.Actor) error {
	lim := newCounter(s.opt.Limits.Import, "import", string(actor.Kind), string(actor.ID))
	if err := s.checkLimits(ctx, "imports", lim); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Tx) error { return countFailure(ctx, tx, lim) })
}

// CountPushSubscription counts one push subscription added by actor's
// account and returns ERATELIMITED once the account has added
// Limits.PushSubscribe of them in the window (DESIGN.md "Rate limits":
// push subscriptions).
func (s *Service) CountPushSubscription(ctx context.Context, actor tend.Actor) error {
	return s.countAccount(ctx, s.opt.Limits.PushSubscribe, "push", "push subscriptions", actor)
}

// CountEmailVerification counts one verification e-mail asked for by
// actor's account and returns ERATELIMITED once the account has asked for
// Limits.EmailVerify of them in the window.
func (s *Service) CountEmailVerification(ctx context.Context, actor tend.Actor) error {
	return s.countAccount(ctx, s.opt.Limits.EmailVerify, "email_verify", "verification e-mails", actor)
}

func (s *Service) countAccount(ctx context.Context, l Limit, name, what string, actor tend.Actor) error {
	lim := newCounter(l, name, string(actor.Kind), string(actor.ID))
	if err := s.checkLimits(ctx, what, lim); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Tx) error { return countFailure(ctx, tx, lim) })
}

// counter is one limit applied to one key. Keys are hashed before they
// reach the database, so the table holds no e-mail address or IP address.
type counter struct {
	key   string
	limit Limit
}

func newCounter(limit Limit, parts ...string) counter {
	k := ""
	for _, p := range parts {
		k += fmt.Sprintf("%d:%s|", len(p), p)
	}
	return counter{key: hex.EncodeToString(sum(k)), limit: limit}
}

func (c counter) window(now time.Time) time.Time { return now.Truncate(c.limit.Window).UTC() }

// checkLimits returns ERATELIMITED, saying when to try again, when any
// counter has reached its limit in the current window. It only reads.
func (s *Service) checkLimits(ctx context.Context, what string, cs ...counter) error {
	now := s.now()
	for _, c := range cs {
		if c.limit.Max <= 0 {
			continue
		}
		n, err := s.store.FindRateLimitCount(ctx, c.key, c.window(now))
		if err != nil {
			return err
		}
		if n >= c.limit.Max {
			return limited(what, c.window(now).Add(c.limit.Window), now)
		}
	}
	return nil
}

// countFailure adds one to each counter in the unit of work.
func countFailure(ctx context.Context, tx Tx, cs ...counter) error {
	for _, c := range cs {
		if c.limit.Max <= 0 {
			continue
		}
		if _, err := tx.UpdateRateLimit(ctx, c.key, c.window(tx.Now().UTC())); err != nil {
			return err
		}
	}
	return nil
}

func limited(what string, retry, now time.Time) error {
	wait := retry.Sub(now)
	mins := int((wait + time.Minute - 1) / time.Minute)
	unit := "minutes"
	if mins == 1 {
		unit = "minute"
	}
	return tend.Errorf(tend.ERATELIMITED, "Too many %s. Please wait %d %s (until %s UTC) and try again.",
		what, mins, unit, retry.UTC().Format("15:04"))
}
