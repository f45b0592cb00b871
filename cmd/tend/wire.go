package main

import (
	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/audit"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/config"
	"github.com/tendcare/tend/internal/crisis"
	"github.com/tendcare/tend/internal/episodes"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/groups"
	"github.com/tendcare/tend/internal/hopebox"
	"github.com/tendcare/tend/internal/journal"
	"github.com/tendcare/tend/internal/medication"
	"github.com/tendcare/tend/internal/notes"
	"github.com/tendcare/tend/internal/safetyplan"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/skills"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/toolbox"
	"github.com/tendcare/tend/internal/vault"
)

// services are the domain services, wired to the database: the one place
// that says which store implements which service's needs.
type services struct {
	checker  *access.Checker
	accounts *auth.Service
	careTeam *careteam.Service
	looks    *audit.Reader
	admin    *settings.Admin
	plan     *safetyplan.Service
	followUp *followup.Service
	skills   *skills.Service
	journal  *journal.Service
	hopeBox  *hopebox.Service
	toolbox  *toolbox.Service

	// notes, medication and groups keep the care team's own records.
	notes      *notes.Service
	medication *medication.Service
	groups     *groups.Service

	episodes *episodes.Service
}

func wire(cfg config.Config, db *store.DB, v *vault.Vault, cache *settings.Cache, dir *crisis.Directory, clock tend.Clock) services {
	st, _ := cache.Get()
	checker := access.NewChecker(db)
	return services{
		checker: checker,
		accounts: auth.NewService(store.For[auth.Tx](db), clock, auth.Options{
			Demo: cfg.Demo, TimeZone: st.TimeZone, Country: st.Country, CareTeam: db, Secrets: vault.StaffSecrets{V: v},
		}),
		careTeam: careteam.NewService(store.For[careteam.Tx](db), checker, clock),
		looks:    audit.NewReader(db, checker),
		admin:    settings.NewAdmin(store.For[settings.Tx](db), checker, cache, dir, clock),
		plan:     safetyplan.NewService(store.For[safetyplan.Tx](db), checker, v, clock),
		skills:   skills.NewService(store.For[skills.Tx](db), checker, v, clock),
		journal:  journal.NewService(store.For[journal.Tx](db), checker, v, clock),
		hopeBox:  hopebox.NewService(store.For[hopebox.Tx](db), checker, v, clock),
		toolbox:  toolbox.NewService(store.For[toolbox.Tx](db), checker, v, clock),
		followUp: followup.NewService(store.For[followup.Tx](db), checker, v, clock, cache.FollowUp, nil),

		notes:      notes.NewService(store.For[notes.Tx](db), checker, v, clock),
		medication: medication.NewService(store.For[medication.Tx](db), checker, v, clock),
		groups:     groups.NewService(store.For[groups.Tx](db), checker, clock),

		episodes: episodes.NewService(store.For[episodes.Tx](db), checker, clock, cache.Episodes),
	}
}
