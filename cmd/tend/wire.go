package main

import (
	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/audit"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/chain"
	"github.com/tendcare/tend/internal/config"
	"github.com/tendcare/tend/internal/crisis"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/episodes"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/groups"
	"github.com/tendcare/tend/internal/hopebox"
	"github.com/tendcare/tend/internal/journal"
	"github.com/tendcare/tend/internal/measure"
	"github.com/tendcare/tend/internal/medication"
	"github.com/tendcare/tend/internal/notes"
	"github.com/tendcare/tend/internal/notify"
	"github.com/tendcare/tend/internal/remind"
	"github.com/tendcare/tend/internal/report"
	"github.com/tendcare/tend/internal/rights"
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

	// diary keeps the DBT diary card; its saves raise safety prompts
	// through followUp.
	diary *diary.Service
	// diaryAt is the diary service on another clock: the demo seed saves
	// each of its cards on the card's own day.
	diaryAt func(tend.Clock) *diary.Service

	// chains keeps behaviour chain analyses; a solution becomes homework
	// through the skills service.
	chains *chain.Service

	// measure keeps questionnaires; a response's items raise safety
	// prompts through followUp, and schedules tied to care read the
	// follow-up window from the episodes settings.
	measure *measure.Service
	// measureAt is the measure service on another clock: the demo seed
	// answers each of its questionnaires on its own day.
	measureAt func(tend.Clock) *measure.Service

	// report builds the outcome reports: the service report for leads
	// and one person's outcome measures for their care team.
	report *report.Service

	// rights carries out the person's data rights: their download and
	// the erasure of their account.
	rights *rights.Service

	// notify delivers neutral notifications by Web Push and e-mail, and
	// keeps the channels accounts set up (docs/notifications.md).
	notify *notify.Service

	// remind keeps the person's reminder preferences and sends their
	// reminders through notify (docs/reminders.md).
	remind *remind.Service

	// nudger reminds the care team, then the team lead, of follow-up
	// tasks nobody has acknowledged (docs/follow-up-tasks.md).
	nudger *followup.Nudger
}

func wire(cfg config.Config, db *store.DB, v *vault.Vault, cache *settings.Cache, dir *crisis.Directory, clock tend.Clock) services {
	st, _ := cache.Get()
	checker := access.NewChecker(db)
	followUp := followup.NewService(store.For[followup.Tx](db), checker, v, clock, cache.FollowUp, nil)
	skillsSvc := skills.NewService(store.For[skills.Tx](db), checker, v, clock)
	svc := services{
		checker: checker,
		accounts: auth.NewService(store.For[auth.Tx](db), clock, auth.Options{
			Demo: cfg.Demo, TimeZone: st.TimeZone, Country: st.Country, CareTeam: db, Secrets: vault.StaffSecrets{V: v},
			SSO: auth.SSOOptions{ProviderMFA: cfg.OIDC.ProviderMFA, LinkByEmail: cfg.OIDC.LinkByEmail},
		}),
		careTeam: careteam.NewService(store.For[careteam.Tx](db), checker, clock),
		looks:    audit.NewReader(db, checker),
		admin:    settings.NewAdmin(store.For[settings.Tx](db), checker, cache, dir, clock),
		plan:     safetyplan.NewService(store.For[safetyplan.Tx](db), checker, v, clock),
		skills:   skillsSvc,
		journal:  journal.NewService(store.For[journal.Tx](db), checker, v, clock),
		hopeBox:  hopebox.NewService(store.For[hopebox.Tx](db), checker, v, clock),
		toolbox:  toolbox.NewService(store.For[toolbox.Tx](db), checker, v, clock),
		followUp: followUp,

		notes:      notes.NewService(store.For[notes.Tx](db), checker, v, clock),
		medication: medication.NewService(store.For[medication.Tx](db), checker, v, clock),
		groups:     groups.NewService(store.For[groups.Tx](db), checker, clock),

		episodes: episodes.NewService(store.For[episodes.Tx](db), checker, clock, cache.Episodes),

		diary: diary.NewService(store.For[diary.Tx](db), checker, v, followUp, clock, cache.Diary),
		diaryAt: func(c tend.Clock) *diary.Service {
			return diary.NewService(store.For[diary.Tx](db), checker, v, followUp, c, cache.Diary)
		},

		chains: chain.NewService(store.For[chain.Tx](db), checker, v, skillsSvc, clock),

		measure: measure.NewService(store.For[measure.Tx](db), checker, followUp, clock,
			episodes.NewService(store.For[episodes.Tx](db), checker, clock, cache.Episodes).WindowWeeks),
		measureAt: func(c tend.Clock) *measure.Service {
			return measure.NewService(store.For[measure.Tx](db), checker, followUp, c,
				episodes.NewService(store.For[episodes.Tx](db), checker, c, cache.Episodes).WindowWeeks)
		},

		report: report.NewService(store.For[report.Tx](db), checker, clock, reportSettings(cache)),
	}
	svc.notify = wireNotify(cfg, db, v, cache, clock, svc.accounts)
	svc.nudger = wireNudges(db, cache, clock, svc.notify)
	svc.remind = remind.NewService(store.For[remind.Tx](db), checker, svc.notify, clock)
	// The download reads every other service, so it is wired last.
	svc.rights = wireRights(db, v, cache, clock, svc)
	return svc
}
