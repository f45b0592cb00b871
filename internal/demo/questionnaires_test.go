package demo_test

import (
	"context"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/measure"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/vault"
)

// TestSeedQuestionnaires: the regular demo gives sam exactly one finished
// PHQ-9 (16, "moderately severe") and one GAD-7 from about four weeks ago
// and alex one PHQ-9, answered through the measure service; nothing is
// assigned to them now, so nothing is waiting; Lee, sam's therapist, reads
// sam's scores.
func TestSeedQuestionnaires(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.Store(t, nil)
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
	measureAt := func(c tend.Clock) *measure.Service {
		return measure.NewService(store.For[measure.Tx](db), checker, followUp, c, nil)
	}
	if err := demo.Seed(ctx, demo.Services{Accounts: accounts, CareTeam: careTeam, MeasureAt: measureAt}, "a demo password for tests"); err != nil {
		t.Fatal(err)
	}
	svc := measureAt(clock)
	lee, err := db.FindStaffAccountByEmail(ctx, "lee@example.org")
	if err != nil {
		t.Fatal(err)
	}
	leeActor := tend.Actor{Kind: tend.KindStaff, ID: lee.ID, Role: tend.RoleClinician, MFA: true}
	for _, tt := range []struct {
		username string
		want     map[string]float64 // instrument -> its one total
	}{{"sam", map[string]float64{"phq-9.1.en": 16, "gad-7.1.en": 12}}, {"alex", map[string]float64{"phq-9.1.en": 9}}, {"riley", nil}} {
		p, err := db.FindPersonAccountByUsername(ctx, tt.username)
		if err != nil {
			t.Fatal(err)
		}
		me := tend.Actor{Kind: tend.KindPerson, ID: p.ID}
		series, err := svc.Scores(ctx, me, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(series) != len(tt.want) {
			t.Errorf("%s has scores for %d instruments, want %d", tt.username, len(series), len(tt.want))
		}
		for _, sr := range series {
			want, ok := tt.want[sr.Instrument.ID]
			if !ok || len(sr.Points) != 1 || !sr.Points[0].Response.Finished || sr.Points[0].Response.Score.Total == nil ||
				*sr.Points[0].Response.Score.Total != want || sr.Points[0].Response.Answers["9"] != 0 {
				t.Errorf("%s's %s: %+v, want one finished total %v", tt.username, sr.Instrument.ID, sr.Points, want)
			}
			if on := sr.Points[0].On; tt.username == "sam" && (on.After(diary.Today(clock.Now(), mustZone(t, "UTC")).AddDate(0, 0, -27)) ||
				on.Before(diary.Today(clock.Now(), mustZone(t, "UTC")).AddDate(0, 0, -29))) {
				t.Errorf("sam's %s is dated %v, want about four weeks ago", sr.Instrument.ID, on)
			}
			if tt.username == "sam" && sr.Instrument.ID == "phq-9.1.en" && sr.Points[0].Response.Score.Band != "moderately severe" {
				t.Errorf("sam's PHQ-9 band %q", sr.Points[0].Response.Score.Band)
			}
		}
		waiting, err := svc.Waiting(ctx, me, p.ID)
		if err != nil || len(waiting) != 0 {
			t.Errorf("%s has %d questionnaires waiting (%v), want none", tt.username, len(waiting), err)
		}
		as, err := svc.Assignments(ctx, me, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			if a.Assignment.Active() {
				t.Errorf("%s: %s is still assigned", tt.username, a.Instrument.ID)
			}
		}
		if tt.username == "sam" {
			if _, err := svc.Scores(ctx, leeActor, p.ID); err != nil {
				t.Errorf("lee reads sam's scores: %v", err)
			}
		}
	}
}
