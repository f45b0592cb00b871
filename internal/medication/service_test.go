package medication_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/medication"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/vault"
)

var ctx = context.Background()

// fixture is the demo service with real stores and the vault: sam; lee
// (therapist), priya (prescriber), jo (group facilitator) and casey (care
// coordinator) on sam's team; kim on no team of sam's; the admin.
type fixture struct {
	db                                     *store.DB
	meds                                   *medication.Service
	sam, lee, priya, jo, casey, kim, admin tend.Actor
	alex                                   tend.Actor
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
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
	if err := demo.Seed(ctx, demo.Services{Accounts: accounts, CareTeam: careTeam}, "a demo password for tests"); err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, meds: medication.NewService(store.For[medication.Tx](db), checker, v, clock)}
	person := func(u string) tend.Actor {
		p, err := db.FindPersonAccountByUsername(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		return tend.Actor{Kind: tend.KindPerson, ID: p.ID}
	}
	f.sam, f.alex = person("sam"), person("alex")
	staff := func(email string, role tend.Role) tend.Actor {
		a, err := db.FindStaffAccountByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		return tend.Actor{Kind: tend.KindStaff, ID: a.ID, Role: role, MFA: true}
	}
	f.lee, f.priya, f.jo, f.kim = staff("lee@example.org", tend.RoleClinician), staff("priya@example.org", tend.RoleClinician),
		staff("jo@example.org", tend.RoleClinician), staff("kim@example.org", tend.RoleClinician)
	f.admin = staff("admin@example.org", tend.RoleAdmin)
	c, _, err := accounts.CreateStaff(ctx, tend.System, auth.NewStaff{Email: "casey@example.org", Name: "Casey", Role: tend.RoleClinician,
		Team: demo.TeamRiverside, Password: "a demo password for tests"})
	if err != nil {
		t.Fatal(err)
	}
	f.casey = tend.Actor{Kind: tend.KindStaff, ID: c.ID, Role: tend.RoleClinician, MFA: true}
	if _, err := careTeam.AddMember(ctx, f.admin, f.sam.ID, f.casey.ID, tend.CareCoordinator); err != nil {
		t.Fatal(err)
	}
	return f
}

func auditCount(t *testing.T, db *store.DB, person tend.ID, action string) int {
	t.Helper()
	ev, err := db.FindAuditEvents(ctx, store.AuditFilter{PersonID: &person, Actions: []string{action}})
	if err != nil {
		t.Fatal(err)
	}
	return len(ev)
}

func TestMedicationList(t *testing.T) {
	f := newFixture(t)
	key := string(tend.NewID())
	first, added, err := f.meds.Add(ctx, f.priya, f.sam.ID, medication.New{ID: key, Name: " Sertraline ", Dose: "50 mg", Schedule: "Once a day, in the morning", StartedOn: "2026-01-10"})
	if err != nil || !added {
		t.Fatalf("add: %v (added %v)", err, added)
	}
	if testenv.RawContains(t, f.db, "Sertraline", "medications") || testenv.RawContains(t, f.db, "in the morning", "medications") {
		t.Error("medication text is stored in the clear")
	}
	t.Run("OK/RetryAddsNothing", func(t *testing.T) {
		again, added, err := f.meds.Add(ctx, f.priya, f.sam.ID, medication.New{ID: key, Name: "Sertraline", Dose: "50 mg", Schedule: "Once a day, in the morning", StartedOn: "2026-01-10"})
		if err != nil || added || again.ID != first.ID {
			t.Fatalf("retry: %+v %v %v", again, added, err)
		}
	})
	second, _, err := f.meds.Add(ctx, f.priya, f.sam.ID, medication.New{Name: "Paracetamol", Dose: "500 mg", Schedule: "Up to four times a day", AsNeeded: true, StartedOn: "2026-02-01"})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OK/Stop", func(t *testing.T) {
		m, err := f.meds.Stop(ctx, f.priya, f.sam.ID, string(second.ID), "2026-02-20", time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if m.Current() || m.StoppedOn != "2026-02-20" || m.StoppedBy != f.priya.ID || m.Name != "Paracetamol" {
			t.Fatalf("stopped: %+v", m)
		}
		// Stopping again changes nothing.
		if m, err := f.meds.Stop(ctx, f.priya, f.sam.ID, string(second.ID), "2026-03-01", time.UTC); err != nil || m.StoppedOn != "2026-02-20" {
			t.Fatalf("stop again: %+v %v", m, err)
		}
		if c := auditCount(t, f.db, f.sam.ID, medication.AuditStopped); c != 1 {
			t.Errorf("%d stops audited, want 1", c)
		}
	})
	t.Run("OK/WhoSees", func(t *testing.T) {
		for name, who := range map[string]tend.Actor{"sam": f.sam, "lee": f.lee, "priya": f.priya, "casey": f.casey} {
			got, err := f.meds.List(ctx, who, f.sam.ID)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if len(got) != 2 || got[0].Name != "Sertraline" || !got[0].Current() || got[1].Name != "Paracetamol" || got[1].Current() || !got[1].AsNeeded {
				t.Fatalf("%s sees %+v", name, got)
			}
		}
		// Three staff reads are audited; sam's own read is not a staff read.
		if c := auditCount(t, f.db, f.sam.ID, string(access.MedicationRead)); c != 3 {
			t.Errorf("%d audited reads, want 3", c)
		}
	})
	t.Run("ErrForbidden/OnlyThePrescriberEdits", func(t *testing.T) {
		for name, who := range map[string]tend.Actor{"lee": f.lee, "casey": f.casey, "jo": f.jo, "admin": f.admin} {
			if _, _, err := f.meds.Add(ctx, who, f.sam.ID, medication.New{Name: "x", Dose: "x", Schedule: "x", StartedOn: "2026-01-01"}); tend.ErrorKind(err) != tend.EFORBIDDEN {
				t.Errorf("%s adds: %v", name, err)
			}
			if _, err := f.meds.Stop(ctx, who, f.sam.ID, string(first.ID), "", time.UTC); tend.ErrorKind(err) != tend.EFORBIDDEN {
				t.Errorf("%s stops: %v", name, err)
			}
		}
		if _, _, err := f.meds.Add(ctx, f.sam, f.sam.ID, medication.New{Name: "x", Dose: "x", Schedule: "x", StartedOn: "2026-01-01"}); err == nil {
			t.Error("sam edits their own list")
		}
	})
	t.Run("ErrForbidden/FacilitatorSeesNothing", func(t *testing.T) {
		if _, err := f.meds.List(ctx, f.jo, f.sam.ID); tend.ErrorKind(err) != tend.EFORBIDDEN {
			t.Fatalf("jo reads: %v", err)
		}
	})
	t.Run("ErrNotFound/Strangers", func(t *testing.T) {
		for name, who := range map[string]tend.Actor{"kim": f.kim, "alex": f.alex} {
			if _, err := f.meds.List(ctx, who, f.sam.ID); tend.ErrorKind(err) != tend.ENOTFOUND {
				t.Errorf("%s reads: %v", name, err)
			}
		}
		if _, err := f.meds.Stop(ctx, f.priya, f.alex.ID, string(first.ID), "", time.UTC); tend.ErrorKind(err) == "" {
			t.Error("priya stops sam's medication through alex")
		}
	})
}

func TestMedicationRefusesBadInput(t *testing.T) {
	f := newFixture(t)
	ok := medication.New{Name: "Sertraline", Dose: "50 mg", Schedule: "Morning", StartedOn: "2026-01-10"}
	tests := []struct {
		name   string
		change func(*medication.New)
	}{
		{"ErrInvalid/NoName", func(n *medication.New) { n.Name = " " }},
		{"ErrInvalid/NoDose", func(n *medication.New) { n.Dose = "" }},
		{"ErrInvalid/NoSchedule", func(n *medication.New) { n.Schedule = "" }},
		{"ErrInvalid/BadStart", func(n *medication.New) { n.StartedOn = "last week" }},
		{"ErrInvalid/TooLong", func(n *medication.New) { n.Name = strings.Repeat("a", medication.MaxNameChars+1) }},
		{"ErrInvalid/BadID", func(n *medication.New) { n.ID = "form-1" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := ok
			tt.change(&n)
			if _, _, err := f.meds.Add(ctx, f.priya, f.sam.ID, n); tend.ErrorKind(err) != tend.EINVALID {
				t.Fatalf("got %v, want EINVALID", err)
			}
		})
	}
	m, _, err := f.meds.Add(ctx, f.priya, f.sam.ID, ok)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("ErrInvalid/StopBeforeStart", func(t *testing.T) {
		if _, err := f.meds.Stop(ctx, f.priya, f.sam.ID, string(m.ID), "2025-12-31", time.UTC); tend.ErrorKind(err) != tend.EINVALID {
			t.Fatalf("got %v", err)
		}
		if _, err := f.meds.Stop(ctx, f.priya, f.sam.ID, string(m.ID), "soon", time.UTC); tend.ErrorKind(err) != tend.EINVALID {
			t.Fatalf("got %v", err)
		}
	})
	got, err := f.meds.List(ctx, f.sam, f.sam.ID)
	if err != nil || len(got) != 1 || !got[0].Current() {
		t.Fatalf("bad input changed the list: %+v %v", got, err)
	}
}

// TestAddIsOneUnitOfWork: a failure before commit leaves neither the
// medication nor its audit event.
func TestAddIsOneUnitOfWork(t *testing.T) {
	f := newFixture(t)
	f.db.FailBeforeCommit(func() error { return errors.New("injected") })
	if _, _, err := f.meds.Add(ctx, f.priya, f.sam.ID, medication.New{Name: "Sertraline", Dose: "50 mg", Schedule: "Morning", StartedOn: "2026-01-10"}); err == nil {
		t.Fatal("the add succeeded through an injected failure")
	}
	f.db.FailBeforeCommit(nil)
	if c := auditCount(t, f.db, f.sam.ID, string(access.MedicationWrite)); c != 0 {
		t.Errorf("%d write events survived the rollback", c)
	}
	if recs, err := f.db.FindMedications(ctx, f.sam.ID); err != nil || len(recs) != 0 {
		t.Fatalf("%d medications survived the rollback (%v)", len(recs), err)
	}
}
