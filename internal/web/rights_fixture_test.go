package web_test

import (
	"context"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/chain"
	"github.com/tendcare/tend/internal/hopebox"
	"github.com/tendcare/tend/internal/jobs"
	"github.com/tendcare/tend/internal/journal"
	"github.com/tendcare/tend/internal/medication"
	"github.com/tendcare/tend/internal/notes"
	"github.com/tendcare/tend/internal/rights"
	"github.com/tendcare/tend/internal/safetyplan"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/toolbox"
	"github.com/tendcare/tend/internal/vault"
)

// rightsParts are the services whose person-facing reads make the demo
// server's downloads (cmd/tend wires every area; these are the areas the
// canary crawler plants in).
type rightsParts struct {
	plans      *safetyplan.Service
	journal    *journal.Service
	hopeBox    *hopebox.Service
	toolbox    *toolbox.Service
	chains     *chain.Service
	medication *medication.Service
	notes      *notes.Service
}

// newTestRights is the demo server's data-rights service, with a job
// client that enqueues (the tests run the jobs' work themselves).
func newTestRights(t *testing.T, db *store.DB, checker *access.Checker, v *vault.Vault, clock tend.Clock, cache *settings.Cache, accounts *auth.Service, p rightsParts) *rights.Service {
	t.Helper()
	if _, err := jobs.New(db, jobs.Options{Node: "test", Logger: testenv.Discard()}); err != nil {
		t.Fatal(err)
	}
	type ctxT = context.Context
	part := func(name string, fn func(ctx ctxT, a tend.Actor, id tend.ID) (any, error)) rights.Part {
		return rights.Part{Name: name, Collect: fn}
	}
	notesFor := p.notes.WithExport(func() bool { return cache.Records().NotesInExport })
	return rights.NewService(store.For[rights.Tx](db), checker, v, clock, cache.Records, rights.Options{
		Parts: []rights.Part{
			part("safety_plan", func(ctx ctxT, a tend.Actor, id tend.ID) (any, error) { return p.plans.Versions(ctx, a, id) }),
			part("journal", func(ctx ctxT, a tend.Actor, id tend.ID) (any, error) { return p.journal.Entries(ctx, a, id) }),
			part("hope_box", func(ctx ctxT, a tend.Actor, id tend.ID) (any, error) { return p.hopeBox.Box(ctx, a, id) }),
			part("toolbox", func(ctx ctxT, a tend.Actor, id tend.ID) (any, error) {
				tb, err := p.toolbox.Toolbox(ctx, a, id)
				if err != nil {
					return nil, err
				}
				uses, err := p.toolbox.Uses(ctx, a, id)
				return map[string]any{"toolbox": tb, "uses": uses}, err
			}),
			part("chain_analyses", func(ctx ctxT, a tend.Actor, id tend.ID) (any, error) { return p.chains.List(ctx, a, id) }),
			part("medication", func(ctx ctxT, a tend.Actor, id tend.ID) (any, error) { return p.medication.List(ctx, a, id) }),
		},
		Notes:   func(ctx ctxT, a tend.Actor, id tend.ID) (any, error) { return notesFor.ForExport(ctx, a, id) },
		Confirm: accounts.ConfirmPassword,
	})
}
