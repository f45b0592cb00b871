package demo_test

import (
	"context"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/skills"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/vault"
)

// TestSeedHomework: the demo gives sam one open piece of homework, set by
// Lee, sam's therapist, and nobody else any.
func TestSeedHomework(t *testing.T) {
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
	svc := skills.NewService(store.For[skills.Tx](db), checker, v, clock)
	if err := demo.Seed(ctx, demo.Services{Accounts: accounts, CareTeam: careTeam, Skills: svc}, "a demo password for tests"); err != nil {
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
		hw, _, err := svc.List(ctx, tend.Actor{Kind: tend.KindPerson, ID: p.ID}, p.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(hw) != tt.want {
			t.Errorf("%s has %d pieces of open homework, want %d", tt.username, len(hw), tt.want)
		}
		if tt.want == 1 && (hw[0].AssignedByName != "Lee" || hw[0].SkillID != "stop" || hw[0].Note == "") {
			t.Errorf("%s's homework = %+v", tt.username, hw[0])
		}
	}
}
