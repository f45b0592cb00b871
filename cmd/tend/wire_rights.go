package main

import (
	"context"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/rights"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/vault"
)

// wireRights builds the data-rights service. Every part of the download
// is read through the area's own service, as the person, so the download
// holds exactly what the person can see of themselves and nothing more.
func wireRights(db *store.DB, v *vault.Vault, cache *settings.Cache, clock tend.Clock, svc services) *rights.Service {
	type (
		actor = tend.Actor
		ctxT  = context.Context
	)
	part := func(name string, fn func(ctx ctxT, a actor, id tend.ID) (any, error)) rights.Part {
		return rights.Part{Name: name, Collect: fn}
	}
	parts := []rights.Part{
		part("account", func(ctx ctxT, a actor, id tend.ID) (any, error) {
			acc, err := svc.accounts.Account(ctx, a)
			if err != nil {
				return nil, err
			}
			prefs, err := svc.accounts.Preferences(ctx, a)
			return map[string]any{"account": acc, "preferences": prefs}, err
		}),
		part("sharing", func(ctx ctxT, a actor, id tend.ID) (any, error) { return svc.careTeam.Grants(ctx, a, id) }),
		part("care_team", func(ctx ctxT, a actor, id tend.ID) (any, error) { return svc.careTeam.Team(ctx, a, id) }),
		part("supporters", func(ctx ctxT, a actor, id tend.ID) (any, error) { return svc.careTeam.Supporters(ctx, a, id) }),
		part("diary", func(ctx ctxT, a actor, id tend.ID) (any, error) {
			cfg, err := svc.diary.Config(ctx, a, id)
			if err != nil {
				return nil, err
			}
			cards, err := svc.diary.AllCards(ctx, a, id)
			if err != nil {
				return nil, err
			}
			return map[string]any{"setup": cfg, "cards": cards}, nil
		}),
		part("safety_plan", func(ctx ctxT, a actor, id tend.ID) (any, error) { return svc.plan.Versions(ctx, a, id) }),
		part("toolbox", func(ctx ctxT, a actor, id tend.ID) (any, error) {
			tb, err := svc.toolbox.Toolbox(ctx, a, id)
			if err != nil {
				return nil, err
			}
			uses, err := svc.toolbox.Uses(ctx, a, id)
			return map[string]any{"toolbox": tb, "uses": uses}, err
		}),
		part("journal", func(ctx ctxT, a actor, id tend.ID) (any, error) { return svc.journal.Entries(ctx, a, id) }),
		part("hope_box", func(ctx ctxT, a actor, id tend.ID) (any, error) { return svc.hopeBox.Box(ctx, a, id) }),
		part("chain_analyses", func(ctx ctxT, a actor, id tend.ID) (any, error) { return svc.chains.List(ctx, a, id) }),
		part("homework", func(ctx ctxT, a actor, id tend.ID) (any, error) {
			hw, practice, err := svc.skills.List(ctx, a, id, false)
			if err != nil {
				return nil, err
			}
			fav, err := svc.skills.Favourites(ctx, a, id)
			return map[string]any{"homework": hw, "practice": practice, "favourite_skills": fav}, err
		}),
		part("questionnaires", func(ctx ctxT, a actor, id tend.ID) (any, error) {
			as, err := svc.measure.Assignments(ctx, a, id)
			if err != nil {
				return nil, err
			}
			waiting, err := svc.measure.Waiting(ctx, a, id)
			if err != nil {
				return nil, err
			}
			scores, err := svc.measure.Scores(ctx, a, id)
			return map[string]any{"assignments": as, "waiting": waiting, "scores": scores}, err
		}),
		part("care", func(ctx ctxT, a actor, id tend.ID) (any, error) { return svc.episodes.Overview(ctx, a, id) }),
		part("medication", func(ctx ctxT, a actor, id tend.ID) (any, error) { return svc.medication.List(ctx, a, id) }),
		part("groups", func(ctx ctxT, a actor, id tend.ID) (any, error) { return svc.groups.ForPerson(ctx, a, id) }),
		part("safety_prompts", func(ctx ctxT, a actor, id tend.ID) (any, error) { return svc.followUp.Prompts(ctx, a, id) }),
		part("contact_requests", func(ctx ctxT, a actor, id tend.ID) (any, error) { return svc.followUp.OwnRequests(ctx, a, id) }),
		part("who_looked", func(ctx ctxT, a actor, id tend.ID) (any, error) { return svc.looks.WhoLooked(ctx, a, id, 100000) }),
		part("reminders", func(ctx ctxT, a actor, id tend.ID) (any, error) {
			prefs, err := svc.remind.Preferences(ctx, a, id)
			if err != nil {
				return nil, err
			}
			email, err := svc.notify.Email(ctx, a)
			if err != nil {
				return nil, err
			}
			devices, err := svc.notify.PushCount(ctx, a)
			return map[string]any{"reminders": prefs, "email": email, "devices_with_notifications": devices}, err
		}),
		part("sign_ins", func(ctx ctxT, a actor, id tend.ID) (any, error) { return svc.accounts.FindSignIns(ctx, a, id) }),
	}
	notes := svc.notes.WithExport(func() bool { return cache.Records().NotesInExport })
	return rights.NewService(store.For[rights.Tx](db), svc.checker, v, clock, cache.Records, rights.Options{
		Parts:   parts,
		Bundle:  fhirBundle(db, clock, svc),
		Notes:   func(ctx ctxT, a actor, id tend.ID) (any, error) { return notes.ForExport(ctx, a, id) },
		Confirm: svc.accounts.ConfirmPassword,
	})
}
