package demo_test

import (
	"context"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/groups"
	"github.com/tendcare/tend/internal/medication"
	"github.com/tendcare/tend/internal/notes"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/vault"
)

// TestSeedCareRecords: the demo gives sam a medication list kept by priya
// (one current, one stopped), a skills group run by jo with two meetings
// attended, and one note by lee that sam cannot read.
func TestSeedCareRecords(t *testing.T) {
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
	if err := v.EnsureRecordsKey(ctx); err != nil {
		t.Fatal(err)
	}
	checker := access.NewChecker(db)
	accounts := auth.NewService(store.For[auth.Tx](db), clock, auth.Options{Demo: true, TimeZone: s.TimeZone, Country: s.Country, CareTeam: db,
		Secrets: vault.StaffSecrets{V: v}})
	careTeam := careteam.NewService(store.For[careteam.Tx](db), checker, clock)
	meds := medication.NewService(store.For[medication.Tx](db), checker, v, clock)
	grps := groups.NewService(store.For[groups.Tx](db), checker, clock)
	nts := notes.NewService(store.For[notes.Tx](db), checker, v, clock)
	if err := demo.Seed(ctx, demo.Services{Accounts: accounts, CareTeam: careTeam, Medication: meds, Groups: grps, Notes: nts}, "a demo password for tests"); err != nil {
		t.Fatal(err)
	}
	p, err := db.FindPersonAccountByUsername(ctx, "sam")
	if err != nil {
		t.Fatal(err)
	}
	sam := tend.Actor{Kind: tend.KindPerson, ID: p.ID}
	list, err := meds.List(ctx, sam, sam.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || !list[0].Current() || list[1].Current() {
		t.Errorf("sam's medication list = %+v, want one current and one stopped", list)
	}
	view, err := grps.ForPerson(ctx, sam, sam.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(view.Groups) != 1 || view.Groups[0].Kind != "DBT skills group" || len(view.Attendance) != 2 {
		t.Errorf("sam's groups = %+v", view)
	}
	if _, err := nts.List(ctx, sam, sam.ID); tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Errorf("sam reads notes: %v", err)
	}
	lee, err := db.FindStaffAccountByEmail(ctx, "lee@example.org")
	if err != nil {
		t.Fatal(err)
	}
	got, err := nts.List(ctx, tend.Actor{Kind: tend.KindStaff, ID: lee.ID, Role: tend.RoleClinician, MFA: true}, sam.ID)
	if err != nil || len(got) != 1 || got[0].Current.WriterName != "Lee" {
		t.Errorf("lee's notes on sam = %+v (%v)", got, err)
	}
}
