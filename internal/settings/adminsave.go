package settings

import (
	"context"
	"net/url"
	"strings"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

// MaxLines is how many of its own lines a service lists on the help page.
const MaxLines = 5

// Current returns the service's settings for the admin settings form
// (admins only).
func (a *Admin) Current(ctx context.Context, actor tend.Actor) (Settings, error) {
	if err := a.checker.CheckService(ctx, actor, access.SettingsManage); err != nil {
		return Settings{}, err
	}
	s, _ := a.cache.Get()
	return s, nil
}

// SaveSettings replaces the settings a service sets in its settings form:
// everything but the crisis-line confirmations, which stay as they are
// (ConfirmCrisisLines records those). Invalid settings change nothing and
// return an error of kind EINVALID wrapping a ValidationError with a
// message per field. The change is audited in the same unit of work, and
// the in-memory copy the help page reads is refreshed at once.
func (a *Admin) SaveSettings(ctx context.Context, actor tend.Actor, s Settings) error {
	if err := a.checker.CheckService(ctx, actor, access.SettingsManage); err != nil {
		return err
	}
	s.Country = strings.ToUpper(strings.TrimSpace(s.Country))
	s.QuickExitURL = strings.TrimSpace(s.QuickExitURL)
	p := s.Validate()
	if p == nil {
		p = ValidationError{}
	}
	if s.QuickExitURL != "" {
		u, err := url.Parse(s.QuickExitURL)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			p["quick_exit_url"] = "Enter an https address such as https://www.bbc.co.uk/weather, or leave it empty for a blank page."
		}
	}
	if len(s.Lines) > MaxLines {
		p["lines"] = "List at most 5 of the service's own lines."
	}
	if len(p) > 0 {
		return &tend.Error{Kind: tend.EINVALID, Message: "Some settings need a look: " + p.Error(), Err: p}
	}
	err := a.store.InTx(ctx, func(tx Tx) error {
		cur, _, err := tx.FindSettings(ctx)
		if err != nil && tend.ErrorKind(err) != tend.ENOTFOUND {
			return err
		}
		s.Confirmed = cur.Confirmed
		if err := tx.SaveSettings(ctx, s); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, tend.AuditEvent{ActorKind: actor.Kind, ActorID: actor.ID, ActorRole: string(actor.Role),
			Action: "settings.saved", Target: "settings:service", Outcome: tend.OutcomeOK})
	})
	if err != nil {
		return err
	}
	return a.cache.Refresh(ctx)
}
