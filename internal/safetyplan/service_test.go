package safetyplan_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/safetyplan"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/vault"
)

// fixture is the demo service with real stores and the vault: sam, and
// lee (sam's therapist, see-and-edit on the plan by the service default),
// priya (sam's prescriber, not shared the plan) and kim (not on sam's team).
type fixture struct {
	db                   *store.DB
	plans                *safetyplan.Service
	sam, lee, priya, kim tend.Actor
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
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
	if err := demo.Seed(ctx, demo.Services{Accounts: accounts, CareTeam: careTeam}, "a demo password for tests"); err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, plans: safetyplan.NewService(store.For[safetyplan.Tx](db), checker, v, clock)}
	p, err := db.FindPersonAccountByUsername(ctx, "sam")
	if err != nil {
		t.Fatal(err)
	}
	f.sam = tend.Actor{Kind: tend.KindPerson, ID: p.ID}
	staff := func(email string) tend.Actor {
		a, err := db.FindStaffAccountByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		return tend.Actor{Kind: tend.KindStaff, ID: a.ID, Role: tend.RoleClinician, MFA: true}
	}
	f.lee, f.priya, f.kim = staff("lee@example.org"), staff("priya@example.org"), staff("kim@example.org")
	return f
}

func content(step1 ...string) safetyplan.Content {
	var c safetyplan.Content
	c.Steps[0] = step1
	return c
}

func TestSaveKeepsEveryVersion(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i, entry := range []string{"first words", "second words", "third words"} {
		res, err := f.plans.Save(ctx, f.sam, f.sam.ID, []string{"", "1", "2"}[i], content(entry))
		if err != nil {
			t.Fatal(err)
		}
		if res.Merged || res.Plan.Version != i+1 {
			t.Fatalf("save %d: version %d, merged %v; want version %d, not merged", i+1, res.Plan.Version, res.Merged, i+1)
		}
	}
	versions, err := f.plans.Versions(ctx, f.sam, f.sam.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) != 3 {
		t.Fatalf("got %d versions, want 3", len(versions))
	}
	oldest := versions[2]
	if oldest.Version != 1 || !slices.Equal(oldest.Steps[0], []string{"first words"}) || oldest.SavedBy != f.sam.ID || oldest.SavedAt.IsZero() {
		t.Errorf("oldest version = %+v, want version 1 by sam with \"first words\"", oldest)
	}
	cur, ok, err := f.plans.Current(ctx, f.sam, f.sam.ID)
	if err != nil || !ok {
		t.Fatalf("current: %v, %v", ok, err)
	}
	if cur.Version != 3 || !slices.Equal(cur.Steps[0], []string{"third words"}) {
		t.Errorf("current = version %d %q, want version 3 \"third words\"", cur.Version, cur.Steps[0])
	}
}

func TestConflictingSaveKeepsBothTexts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	base := content("feeling cut off")
	base.MostImportant = "my sister"
	if _, err := f.plans.Save(ctx, f.sam, f.sam.ID, "", base); err != nil {
		t.Fatal(err)
	}
	// lee and sam both open version 1; lee saves first.
	lees := content("feeling cut off", "not sleeping")
	lees.MostImportant = "my sister"
	lees.Steps[3] = []string{"Mum, 07700 900123"}
	if _, err := f.plans.Save(ctx, f.lee, f.sam.ID, "1", lees); err != nil {
		t.Fatal(err)
	}
	sams := content("feeling cut off", "staying in my room")
	sams.MostImportant = "my sister and my dog"
	res, err := f.plans.Save(ctx, f.sam, f.sam.ID, "1", sams)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Merged || res.Plan.Version != 3 {
		t.Fatalf("got version %d, merged %v; want version 3, merged", res.Plan.Version, res.Merged)
	}
	cur, _, err := f.plans.Current(ctx, f.sam, f.sam.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"feeling cut off", "not sleeping", "staying in my room"}; !slices.Equal(cur.Steps[0], want) {
		t.Errorf("step 1 = %q, want %q", cur.Steps[0], want)
	}
	if want := []string{"Mum, 07700 900123"}; !slices.Equal(cur.Steps[3], want) {
		t.Errorf("step 4 = %q, want lee's entry kept %q", cur.Steps[3], want)
	}
	if cur.MostImportant != "my sister and my dog" {
		t.Errorf("most important = %q, want sam's change (lee left it as it was)", cur.MostImportant)
	}
	events, err := f.db.FindAuditEvents(ctx, store.AuditFilter{PersonID: &f.sam.ID, Actions: []string{safetyplan.AuditMerged}})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].ActorID != f.sam.ID {
		t.Errorf("merge audit events = %+v, want one by sam", events)
	}
}

func TestMerge(t *testing.T) {
	base := safetyplan.Content{MostImportant: "a", Likely: "x"}
	cur := safetyplan.Content{MostImportant: "b", Likely: "x", Reasons: []string{"one"}}
	mine := safetyplan.Content{MostImportant: "c", Likely: "y", Reasons: []string{"two", "one"}}
	got := safetyplan.Merge(base, cur, mine)
	if got.MostImportant != "b\n\nc" {
		t.Errorf("both changed: %q, want both texts", got.MostImportant)
	}
	if got.Likely != "y" {
		t.Errorf("changed on one side: %q, want \"y\"", got.Likely)
	}
	if !slices.Equal(got.Reasons, []string{"one", "two"}) {
		t.Errorf("reasons %q, want [one two]", got.Reasons)
	}
}

func TestAccess(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.plans.Save(ctx, f.sam, f.sam.ID, "", content("sam's words")); err != nil {
		t.Fatal(err)
	}
	t.Run("OK lee reads and edits", func(t *testing.T) {
		if _, ok, err := f.plans.Current(ctx, f.lee, f.sam.ID); err != nil || !ok {
			t.Fatalf("lee reads: %v %v", ok, err)
		}
		if _, err := f.plans.Save(ctx, f.lee, f.sam.ID, "1", content("sam's words", "lee's words")); err != nil {
			t.Fatalf("lee edits: %v", err)
		}
		if _, err := f.plans.MarkReviewed(ctx, f.lee, f.sam.ID, "2"); err != nil {
			t.Fatalf("lee marks reviewed: %v", err)
		}
		cur, _, err := f.plans.Current(ctx, f.sam, f.sam.ID)
		if err != nil || cur.Review == nil || cur.Review.ReviewedBy != f.lee.ID || cur.SavedBy != f.lee.ID {
			t.Fatalf("sam's view after lee: %+v, %v", cur, err)
		}
	})
	t.Run("ErrForbidden priya", func(t *testing.T) {
		_, _, err := f.plans.Current(ctx, f.priya, f.sam.ID)
		if !errors.Is(err, tend.ErrForbidden) {
			t.Errorf("priya reads: %v, want forbidden", err)
		}
		if _, err := f.plans.Save(ctx, f.priya, f.sam.ID, "2", content("x")); !errors.Is(err, tend.ErrForbidden) {
			t.Errorf("priya saves: %v, want forbidden", err)
		}
	})
	t.Run("ErrNotFound kim", func(t *testing.T) {
		if _, _, err := f.plans.Current(ctx, f.kim, f.sam.ID); !errors.Is(err, tend.ErrNotFound) {
			t.Errorf("kim reads: %v, want not found", err)
		}
		if _, err := f.plans.Save(ctx, f.kim, f.sam.ID, "2", content("x")); !errors.Is(err, tend.ErrNotFound) {
			t.Errorf("kim saves: %v, want not found", err)
		}
	})
	t.Run("ErrForbidden sam marks reviewed", func(t *testing.T) {
		if _, err := f.plans.MarkReviewed(ctx, f.sam, f.sam.ID, "1"); !errors.Is(err, tend.ErrForbidden) {
			t.Errorf("sam marks reviewed: %v, want forbidden", err)
		}
	})
}

func TestStaffReadsAreAuditedOwnReadsAreNot(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.plans.Save(ctx, f.sam, f.sam.ID, "", content("sam's words")); err != nil {
		t.Fatal(err)
	}
	reads := func() int {
		ev, err := f.db.FindAuditEvents(ctx, store.AuditFilter{PersonID: &f.sam.ID, Actions: []string{string(access.SafetyPlanRead)}})
		if err != nil {
			t.Fatal(err)
		}
		return len(ev)
	}
	if _, _, err := f.plans.Current(ctx, f.sam, f.sam.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.plans.Versions(ctx, f.sam, f.sam.ID); err != nil {
		t.Fatal(err)
	}
	if n := reads(); n != 0 {
		t.Fatalf("after sam's own reads: %d read events, want 0", n)
	}
	if _, _, err := f.plans.Current(ctx, f.lee, f.sam.ID); err != nil {
		t.Fatal(err)
	}
	if n := reads(); n != 1 {
		t.Fatalf("after lee's read: %d read events, want 1", n)
	}
	looks, err := f.db.FindStaffReads(ctx, f.sam.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(looks, func(e tend.AuditEvent) bool {
		return e.ActorID == f.lee.ID && e.Action == string(access.SafetyPlanRead)
	}) {
		t.Errorf("staff reads of sam = %+v, want lee's plan read", looks)
	}
}

func TestNoPlanYet(t *testing.T) {
	f := newFixture(t)
	_, ok, err := f.plans.Current(context.Background(), f.sam, f.sam.ID)
	if err != nil || ok {
		t.Fatalf("current with no plan: ok %v, err %v; want no plan and no error", ok, err)
	}
	_, err = f.plans.Save(context.Background(), f.sam, f.sam.ID, "", content("  ", ""))
	if !errors.Is(err, tend.ErrInvalid) {
		t.Errorf("empty save: %v, want invalid", err)
	}
}

// TestPlanTextIsSealedAtRest scans the raw SQLite file and its WAL for a
// canary written into the plan, with a control: the version's id, stored in
// plain text in the same row, must be found, so the scan can fail.
func TestPlanTextIsSealedAtRest(t *testing.T) {
	if testenv.Engine() != store.SQLite {
		t.Skip("scans the SQLite file")
	}
	f := newFixture(t)
	ctx := context.Background()
	canary := testenv.Canary("safety_plan")
	c := content(canary + " step 1")
	c.Steps[5] = []string{canary + " step 6"}
	c.MostImportant, c.Likely, c.Reasons = canary+" most", canary+" likely", []string{canary + " reason"}
	if _, err := f.plans.Save(ctx, f.sam, f.sam.ID, "", c); err != nil {
		t.Fatal(err)
	}
	ev, err := f.db.FindAuditEvents(ctx, store.AuditFilter{PersonID: &f.sam.ID, Actions: []string{string(access.SafetyPlanWrite)}})
	if err != nil || len(ev) != 1 {
		t.Fatalf("write events %v, %v", ev, err)
	}
	control := strings.TrimPrefix(ev[0].Target, "safety_plan_version:")
	var raw []byte
	for _, p := range []string{f.db.Path(), f.db.Path() + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		raw = append(raw, b...)
	}
	if !bytes.Contains(raw, []byte(control)) {
		t.Fatalf("control %q not found in the database file or WAL: the scan cannot fail", control)
	}
	if bytes.Contains(raw, []byte(canary)) {
		t.Errorf("plan text %q is readable in the raw database file or WAL", canary)
	}
}
