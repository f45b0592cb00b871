package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/vault"
)

var popNow = time.Date(2026, 6, 10, 22, 15, 0, 0, time.UTC)

func popClinic() demo.Clinic {
	return demo.Clinic{
		Teams: []demo.CareTeamPlan{
			{TeamID: "riverside", Therapists: []tend.ID{"lee"}, Prescriber: "priya", Facilitator: "jo", Weight: 3},
			{TeamID: "northside", Therapists: []tend.ID{"kim"}, Weight: 1},
		},
		Defaults: []careteam.Default{{Role: tend.CareTherapist, Area: access.AreaDiary, Level: access.LevelSee},
			{Role: tend.CareTherapist, Area: access.AreaSafetyPlan, Level: access.LevelEdit}},
		PasswordHash: "hash", TimeZone: "Europe/London", Country: "GB", AddedBy: "admin",
	}
}

func makePeople(t *testing.T, pop demo.Population, c demo.Clinic) []demo.Person {
	t.Helper()
	var out []demo.Person
	for n := pop.First; n < pop.First+pop.People; n++ {
		p, err := pop.Person(context.Background(), c, n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestDemoPopulationNotes: the first NotesFor people write the odd note,
// sealed with their own key through the vault, bound to the card.
func TestDemoPopulationNotes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v, err := vault.New(testenv.ServiceKeys, testenv.KeyStore(t, testenv.KeyStoreDSN(t)), tend.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	c := popClinic()
	c.Sealer, c.NotesFor = v, 2
	pop := demo.Population{People: 3, Days: 120, Seed: 3, First: 1, Now: popNow}
	people := makePeople(t, pop, c)
	notes := 0
	for i, p := range people {
		for _, card := range p.Cards {
			if card.Note == nil {
				continue
			}
			if i >= 2 {
				t.Fatalf("person %d wrote a note", i+1)
			}
			notes++
			text, err := v.OpenPerson(ctx, p.Account.ID, vault.Field{Table: "diary_cards", Column: "note", Row: card.ID}, card.Note)
			if err != nil || len(text) == 0 || !card.NoteAt.Equal(card.FirstSavedAt) {
				t.Fatalf("note of %s: %q, %v", card.Day, text, err)
			}
			if strings.Contains(string(card.Note), string(text)) {
				t.Fatal("the note is stored in the clear")
			}
		}
	}
	if notes == 0 || notes > 120*2/5 {
		t.Errorf("%d notes in 240 days: want a few", notes)
	}
}

// TestSeedDiary: the regular demo gives sam two weeks of cards saved on
// their own days, with one self-harm act last week and its history, and
// alex a few, leaving yesterday and today to fill in; Lee, sam's
// therapist, reads sam's, and has resolved the task the act opened.
func TestSeedDiary(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.Store(t, nil)
	if err := db.ClaimMode(ctx, store.ModeDemo); err != nil {
		t.Fatal(err)
	}
	s, err := demo.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if err := settings.Save(ctx, db, s); err != nil {
		t.Fatal(err)
	}
	clock := tend.SystemClock{}
	v, err := vault.New(testenv.ServiceKeys, testenv.KeyStore(t, testenv.KeyStoreDSN(t)), clock)
	if err != nil {
		t.Fatal(err)
	}
	checker := access.NewChecker(db)
	accounts := auth.NewService(store.For[auth.Tx](db), clock, auth.Options{Demo: true, TimeZone: s.TimeZone, Country: s.Country, CareTeam: db,
		Secrets: vault.StaffSecrets{V: v}})
	careTeam := careteam.NewService(store.For[careteam.Tx](db), checker, clock)
	followUp := followup.NewService(store.For[followup.Tx](db), checker, v, clock, func() followup.Settings { return followup.Settings{Rules: s.Triggers} }, nil)
	diaryAt := func(c tend.Clock) *diary.Service {
		return diary.NewService(store.For[diary.Tx](db), checker, v, followUp, c, nil)
	}
	if err := demo.Seed(ctx, demo.Services{Accounts: accounts, CareTeam: careTeam, DiaryAt: diaryAt, Backdate: db.BackdateDemoPerson, FollowUp: followUp},
		"a demo password for tests"); err != nil {
		t.Fatal(err)
	}
	today := diary.Today(time.Now(), mustZone(t, s.TimeZone))
	svc := diaryAt(clock)
	for _, tt := range []struct {
		username string
		cards    int
		acts     int
	}{{"sam", 12, 1}, {"alex", 3, 0}, {"riley", 0, 0}} {
		p, err := db.FindPersonAccountByUsername(ctx, tt.username)
		if err != nil {
			t.Fatal(err)
		}
		me := tend.Actor{Kind: tend.KindPerson, ID: p.ID}
		cards, err := svc.Cards(ctx, me, p.ID, today.AddDate(0, 0, -30), today)
		if err != nil {
			t.Fatal(err)
		}
		acts := 0
		for _, c := range cards {
			acts += c.Summary.SelfHarm
			if c.LateDays != 0 || diary.Today(c.FirstSavedAt, mustZone(t, s.TimeZone)) != c.Day || !c.Day.Before(today.AddDate(0, 0, -1)) {
				t.Errorf("%s's card for %s saved %v, %d days late", tt.username, c.Day.Format(diary.DayLayout), c.FirstSavedAt, c.LateDays)
			}
		}
		if len(cards) != tt.cards || acts != tt.acts {
			t.Errorf("%s has %d cards with %d self-harm acts, want %d and %d", tt.username, len(cards), acts, tt.cards, tt.acts)
		}
		if tt.username == "sam" {
			act := today.AddDate(0, 0, -6)
			hist, err := svc.History(ctx, me, p.ID, act)
			if err != nil || len(hist) != 1 {
				t.Errorf("sam's history for %s: %d saves, %v", act.Format(diary.DayLayout), len(hist), err)
			}
			week, err := svc.Week(ctx, me, p.ID, act)
			if err != nil {
				t.Fatal(err)
			}
			withNote := 0
			for _, d := range week.Days {
				if d.Card != nil && d.Card.Note != "" {
					withNote++
				}
			}
			if withNote != 1 {
				t.Errorf("sam's week of %s shows %d notes, want 1", act.Format(diary.DayLayout), withNote)
			}
			lee, err := db.FindStaffAccountByEmail(ctx, "lee@example.org")
			if err != nil {
				t.Fatal(err)
			}
			leeActor := tend.Actor{Kind: tend.KindStaff, ID: lee.ID, Role: tend.RoleClinician, MFA: true}
			if _, err := svc.Cards(ctx, leeActor, p.ID, act, act); err != nil {
				t.Errorf("lee reads sam's diary: %v", err)
			}
			// The act opened a task for the care team, which Lee resolved.
			var states []string
			rows, err := db.Writer().QueryContext(ctx, `SELECT state FROM followup_tasks WHERE person_id = $1`, string(p.ID))
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var st string
				if err := rows.Scan(&st); err != nil {
					t.Fatal(err)
				}
				states = append(states, st)
			}
			_ = rows.Close()
			if len(states) != 1 || states[0] != "resolved" {
				t.Errorf("sam's follow-up tasks: %v, want one resolved", states)
			}
			if inbox, err := followUp.Inbox(ctx, leeActor); err != nil || len(inbox) != 0 {
				t.Errorf("lee's task list after the seed: %d tasks, %v", len(inbox), err)
			}
		}
	}
}
