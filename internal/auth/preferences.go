package auth

import (
	"context"
	"slices"
	"strings"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

// Preferences are a person's own choices about how Tend behaves for them
// (safety-rules.md section 9): their time zone, discreet mode, and whether a
// PIN locks their sessions. They say nothing about the person's health,
// and never carry the PIN's hash.
type Preferences struct {
	TimeZone        string
	Discreet        bool // neutral titles and app name (safety-rules.md section 9)
	PIN             bool // a PIN is set
	AutoLockMinutes int  // 0: locks only when the person locks it
}

// PreferencesStore reads a person's preferences outside a unit of work.
type PreferencesStore interface {
	// FindPersonPreferences returns the person's preferences, or ENOTFOUND.
	FindPersonPreferences(ctx context.Context, personID tend.ID) (Preferences, error)
}

// PreferencesTx changes a person's preferences in a unit of work. The time
// zone, PIN and auto-lock go through UpdatePersonAccount.
type PreferencesTx interface {
	// UpdatePersonDiscreet turns discreet mode on or off; ENOTFOUND when
	// the person is missing.
	UpdatePersonDiscreet(ctx context.Context, personID tend.ID, on bool) error
}

// PIN lengths a person may choose (issue 3, item 8).
const (
	MinPINLen = 4
	MaxPINLen = 8
)

// CheckPIN returns EINVALID unless pin is 4 to 8 digits.
func CheckPIN(pin string) error {
	if len(pin) < MinPINLen || len(pin) > MaxPINLen || strings.Trim(pin, "0123456789") != "" {
		return tend.Errorf(tend.EINVALID, "A PIN is %d to %d digits.", MinPINLen, MaxPINLen)
	}
	return nil
}

// selfPerson returns ENOTFOUND unless actor is a signed-in person, and
// EFORBIDDEN for an API token without scope (when scope is "", tokens are
// refused: a person's settings change only in a signed-in session).
func selfPerson(actor tend.Actor, scope access.Action) error {
	if actor.Kind != tend.KindPerson || actor.ID == "" {
		return tend.ErrNotFound
	}
	if actor.Scopes != nil && (scope == "" || !slices.Contains(actor.Scopes, string(scope))) {
		return tend.Errorf(tend.EFORBIDDEN, "A person's settings are changed while signed in, not with a token.")
	}
	return nil
}

// Preferences returns the signed-in person's own preferences. Only the
// person reads them (ENOTFOUND for any other kind of account); an API token
// needs access.ProfileRead.
func (s *Service) Preferences(ctx context.Context, actor tend.Actor) (Preferences, error) {
	if err := selfPerson(actor, access.ProfileRead); err != nil {
		return Preferences{}, err
	}
	return s.store.FindPersonPreferences(ctx, actor.ID)
}

// SetTimeZone sets the zone the person's dates are shown in (and, later,
// their diary days: DESIGN.md "Time and language").
func (s *Service) SetTimeZone(ctx context.Context, actor tend.Actor, tz string) error {
	if err := selfPerson(actor, ""); err != nil {
		return err
	}
	if err := CheckTimeZone(tz); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.UpdatePersonAccount(ctx, actor.ID, PersonUpdate{TimeZone: &tz}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, "auth.time_zone_set", actor.ID, target("person", actor.ID), tend.OutcomeOK))
	})
}

// SetDiscreet turns the person's discreet mode on or off.
func (s *Service) SetDiscreet(ctx context.Context, actor tend.Actor, on bool) error {
	if err := selfPerson(actor, ""); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.UpdatePersonDiscreet(ctx, actor.ID, on); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, "auth.discreet_set", actor.ID, target("person", actor.ID), tend.OutcomeOK))
	})
}
