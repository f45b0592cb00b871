package demo_test

import (
	"context"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/chain"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/skills"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/vault"
)

// TestSeedChain: the demo gives sam one completed chain analysis, opened
// by Lee, whom sam lets see and edit them; alex and riley have none.
func TestSeedChain(t *testing.T) {
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
	svc := chain.NewService(store.For[chain.Tx](db), checker, v, skills.NewService(store.For[skills.Tx](db), checker, v, clock), clock)
	if err := demo.Seed(ctx, demo.Services{Accounts: accounts, CareTeam: careTeam, Chains: svc}, "a demo password for tests"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		username string
		want     int
	}{{"sam", 1}, {"alex", 0}, {"riley", 0}} {
		p, err := db.FindPersonAccountByUsername(ctx, tt.username)
		if err != nil {
			t.Fatal(err)
		}
		list, err := svc.List(ctx, tend.Actor{Kind: tend.KindPerson, ID: p.ID}, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != tt.want {
			t.Fatalf("%s has %d chain analyses, want %d", tt.username, len(list), tt.want)
		}
		if tt.want == 1 {
			c := list[0]
			if !c.Complete() || c.OpenedByName != "Lee" || c.Target != "a.self_harm" || len(c.Content.Links) == 0 || len(c.Content.Solutions) == 0 {
				t.Errorf("%s's chain analysis = %+v", tt.username, c)
			}
		}
	}
}
