package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/episodes"
	"github.com/tendcare/tend/internal/measure"
	"github.com/tendcare/tend/internal/store"
)

// Ended is a group of made-up people whose episodes of care ended: People
// of them, in the demo team named Team with the therapist Therapist (an
// e-mail), on Modality, discharged on EndedOn after Days of diary cards.
type Ended struct {
	Team      string // a team's name, such as demo.TeamRiverside
	Therapist string
	Modality  string
	People    int
	EndedOn   time.Time // a civil date
	Days      int       // days of cards up to EndedOn; 0 means 120
}

// WriteEnded writes the groups' people into db (the demo service must be
// seeded) with everything the outcomes report reads: their episodes of care,
// sessions, diary cards and questionnaires, drawn by the demo's generator
// from seed. first numbers the first person (demo-person-0001 for 1); each
// group's people follow on. It returns how many people it wrote.
func WriteEnded(t testing.TB, db *store.DB, seed uint64, first int, groups ...Ended) int {
	t.Helper()
	ctx := context.Background()
	admin, err := db.FindStaffAccountByEmail(ctx, "admin@example.org")
	if err != nil {
		t.Fatal(err)
	}
	defaults, err := db.FindSharingDefaults(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := first
	for _, g := range groups {
		team, err := db.FindTeamIDByName(ctx, g.Team)
		if err != nil {
			t.Fatal(err)
		}
		therapist, err := db.FindStaffAccountByEmail(ctx, g.Therapist)
		if err != nil {
			t.Fatal(err)
		}
		clinic := demo.Clinic{Teams: []demo.CareTeamPlan{{TeamID: team, Therapists: []tend.ID{therapist.ID}, Weight: 1}},
			Defaults: defaults, PasswordHash: "not a password", TimeZone: "Europe/London", Country: "GB", AddedBy: admin.ID}
		days := g.Days
		if days <= 0 {
			days = 120
		}
		pop := demo.Population{People: g.People, Days: days, Seed: seed, First: n, Now: g.EndedOn.Add(12 * time.Hour)}
		var (
			accounts []auth.PersonAccount
			members  []careteam.Member
			grants   []careteam.Grant
			eps      []episodes.Episode
			sessions []episodes.Session
			cards    []diary.CardRecord
			assigned []measure.Assignment
			due      []measure.Due
			answered []measure.Response
		)
		consent := true
		for i := 0; i < g.People; i++ {
			p, err := pop.Person(ctx, clinic, n)
			if err != nil {
				t.Fatal(err)
			}
			n++
			ended := time.Date(g.EndedOn.Year(), g.EndedOn.Month(), g.EndedOn.Day(), 0, 0, 0, 0, time.UTC)
			p.Episode.Modality = g.Modality
			p.Episode.EndedOn, p.Episode.FollowUpConsent = &ended, &consent
			p.Account.State = tend.StateDischarged
			accounts = append(accounts, p.Account)
			members = append(members, p.Members...)
			grants = append(grants, p.Grants...)
			eps = append(eps, p.Episode)
			sessions = append(sessions, p.Sessions...)
			cards = append(cards, p.Cards...)
			assigned = append(assigned, p.Questionnaires.Assignments...)
			due = append(due, p.Questionnaires.Due...)
			answered = append(answered, p.Questionnaires.Responses...)
		}
		err = db.Bulk(ctx, func(w *store.BulkWriter) error {
			if err := w.People(ctx, accounts); err != nil {
				return err
			}
			if err := w.CareTeams(ctx, members, grants); err != nil {
				return err
			}
			if err := w.Episodes(ctx, eps, sessions); err != nil {
				return err
			}
			if err := w.DiaryCards(ctx, cards); err != nil {
				return err
			}
			return w.Measures(ctx, assigned, due, answered)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return n - first
}
