package settings

import (
	"context"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/crisis"
)

// Tx is the unit of work an admin change runs in.
type Tx interface {
	FindSettings(ctx context.Context) (Settings, int64, error)
	SaveSettings(ctx context.Context, s Settings) error
	AppendAudit(ctx context.Context, events ...tend.AuditEvent) error
	// FindTeamsWithoutLead returns the names of the teams without an
	// active staff member of role lead, by name.
	FindTeamsWithoutLead(ctx context.Context) ([]string, error)
}

// AdminStore is what Admin needs from storage.
type AdminStore interface {
	InTx(ctx context.Context, fn func(Tx) error) error
}

// Checker decides access; *access.Checker implements it.
type Checker interface {
	CheckService(ctx context.Context, actor tend.Actor, action access.Action) error
}

// Admin changes the service's settings on behalf of admins, checked and
// audited, and refreshes the in-memory copy the help page reads.
type Admin struct {
	store   AdminStore
	checker Checker
	cache   *Cache
	dir     *crisis.Directory
	clock   tend.Clock
}

// NewAdmin returns an Admin.
func NewAdmin(st AdminStore, c Checker, cache *Cache, dir *crisis.Directory, clock tend.Clock) *Admin {
	return &Admin{store: st, checker: c, cache: cache, dir: dir, clock: clock}
}

// Awaiting lists the countries whose crisis lines await an admin's check.
func (a *Admin) Awaiting(ctx context.Context, actor tend.Actor) ([]Awaiting, error) {
	if err := a.checker.CheckService(ctx, actor, access.SettingsManage); err != nil {
		return nil, err
	}
	s, _ := a.cache.Get()
	return AwaitingConfirmation(a.dir, s, a.clock.Now()), nil
}

// ConfirmCrisisLines records that actor checked country's crisis lines, and
// audits it; the help page shows them from the next refresh on this node
// at once, and on other nodes within the cache's interval.
func (a *Admin) ConfirmCrisisLines(ctx context.Context, actor tend.Actor, country string) error {
	if err := a.checker.CheckService(ctx, actor, access.SettingsManage); err != nil {
		return err
	}
	now := a.clock.Now()
	err := a.store.InTx(ctx, func(tx Tx) error {
		if err := Confirm(ctx, tx, a.dir, actor.ID, country, now); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, tend.AuditEvent{ActorKind: actor.Kind, ActorID: actor.ID, ActorRole: string(actor.Role),
			Action: "settings.crisis_lines_confirmed", Target: "country:" + country})
	})
	if err != nil {
		return err
	}
	return a.cache.Refresh(ctx)
}

// TeamsWithoutLead names the teams without an active lead: reminders of
// their people's unacknowledged follow-up tasks reach no lead until one is
// added (docs/follow-up-tasks.md "When nobody can be reminded").
func (a *Admin) TeamsWithoutLead(ctx context.Context, actor tend.Actor) ([]string, error) {
	if err := a.checker.CheckService(ctx, actor, access.SettingsManage); err != nil {
		return nil, err
	}
	var names []string
	err := a.store.InTx(ctx, func(tx Tx) error {
		var err error
		names, err = tx.FindTeamsWithoutLead(ctx)
		return err
	})
	return names, err
}
