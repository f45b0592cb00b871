package demo_test

import (
	"context"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/episodes"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

// TestSeedEpisodes: the demo gives sam a DBT episode in treatment with past
// sessions and a next one planned, and alex an open episode to discharge;
// riley has none.
func TestSeedEpisodes(t *testing.T) {
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
	checker := access.NewChecker(db)
	accounts := auth.NewService(store.For[auth.Tx](db), clock, auth.Options{Demo: true, TimeZone: s.TimeZone, Country: s.Country, CareTeam: db})
	careTeam := careteam.NewService(store.For[careteam.Tx](db), checker, clock)
	svc := episodes.NewService(store.For[episodes.Tx](db), checker, clock, nil)
	if err := demo.Seed(ctx, demo.Services{Accounts: accounts, CareTeam: careTeam, Episodes: svc}, "a demo password for tests"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		username, modality string
		sessions           int
		next               bool
	}{{"sam", "DBT", 5, true}, {"alex", "DBT-A", 1, false}, {"riley", "", 0, false}} {
		p, err := db.FindPersonAccountByUsername(ctx, tt.username)
		if err != nil {
			t.Fatal(err)
		}
		me := tend.Actor{Kind: tend.KindPerson, ID: p.ID}
		c, err := svc.Overview(ctx, me, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if tt.modality == "" {
			if len(c.Episodes) != 0 {
				t.Errorf("%s has %d episodes", tt.username, len(c.Episodes))
			}
			continue
		}
		if len(c.Episodes) != 1 || c.Episodes[0].Modality != tt.modality || !c.Episodes[0].Open() || c.Episodes[0].StartedOn == nil || c.State != tend.StateInTreatment {
			t.Errorf("%s: state %s, episodes %+v", tt.username, c.State, c.Episodes)
		}
		if len(c.Sessions) != tt.sessions {
			t.Errorf("%s has %d sessions, want %d", tt.username, len(c.Sessions), tt.sessions)
		}
		if _, err := svc.NextSession(ctx, me, p.ID); (err == nil) != tt.next {
			t.Errorf("%s next session: %v, want one %v", tt.username, err, tt.next)
		}
	}
}
