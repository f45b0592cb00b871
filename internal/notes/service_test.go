package notes_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/notes"
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
	notes                                  *notes.Service
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
	f := &fixture{db: db, notes: notes.NewService(store.For[notes.Tx](db), checker, v, clock)}
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

func TestWriteAndRead(t *testing.T) {
	f := newFixture(t)
	n, err := f.notes.Write(ctx, f.lee, f.sam.ID, notes.Draft{Kind: notes.KindNote, Text: "  Talked through the week; sam chose two skills to practise.  "})
	if err != nil {
		t.Fatal(err)
	}
	if n.Current.Text != "Talked through the week; sam chose two skills to practise." || n.Current.Version != 1 {
		t.Fatalf("written: %+v", n)
	}
	if testenv.RawContains(t, f.db, "two skills to practise", "clinician_notes") {
		t.Error("the note's text is stored in the clear")
	}
	t.Run("OK/TherapistPrescriberCoordinator", func(t *testing.T) {
		for name, who := range map[string]tend.Actor{"lee": f.lee, "priya": f.priya, "casey": f.casey} {
			got, err := f.notes.List(ctx, who, f.sam.ID)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if len(got) != 1 || got[0].Current.Text != n.Current.Text || got[0].Current.WriterName != "Lee" || got[0].Kind != notes.KindNote {
				t.Fatalf("%s reads %+v", name, got)
			}
		}
		if c := auditCount(t, f.db, f.sam.ID, string(access.NoteRead)); c != 3 {
			t.Errorf("%d audited reads, want 3", c)
		}
		if c := auditCount(t, f.db, f.sam.ID, string(access.NoteWrite)); c != 1 {
			t.Errorf("%d audited writes, want 1", c)
		}
	})
	t.Run("ErrForbidden/Facilitator", func(t *testing.T) {
		if _, err := f.notes.List(ctx, f.jo, f.sam.ID); tend.ErrorKind(err) != tend.EFORBIDDEN {
			t.Fatalf("jo reads notes: %v", err)
		}
		if _, err := f.notes.Write(ctx, f.jo, f.sam.ID, notes.Draft{Kind: notes.KindNote, Text: "x"}); tend.ErrorKind(err) != tend.EFORBIDDEN {
			t.Fatalf("jo writes a note: %v", err)
		}
	})
	t.Run("ErrNotFound/ThePersonAndStrangers", func(t *testing.T) {
		for name, who := range map[string]tend.Actor{"sam": f.sam, "alex": f.alex, "kim": f.kim} {
			if _, err := f.notes.List(ctx, who, f.sam.ID); tend.ErrorKind(err) != tend.ENOTFOUND {
				t.Errorf("%s reads sam's notes: %v", name, err)
			}
		}
		if _, err := f.notes.Write(ctx, f.sam, f.sam.ID, notes.Draft{Kind: notes.KindNote, Text: "x"}); tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Errorf("sam writes a note: %v", err)
		}
	})
	t.Run("ErrForbidden/Admin", func(t *testing.T) {
		if _, err := f.notes.List(ctx, f.admin, f.sam.ID); tend.ErrorKind(err) != tend.EFORBIDDEN {
			t.Fatalf("the admin reads notes: %v", err)
		}
	})
}

func TestCorrectKeepsHistory(t *testing.T) {
	f := newFixture(t)
	first, err := f.notes.Write(ctx, f.lee, f.sam.ID, notes.Draft{Kind: notes.KindSafetyFormulation, Text: "First wording"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := f.notes.Write(ctx, f.priya, f.sam.ID, notes.Draft{Kind: notes.KindNote, SessionID: string(tend.NewID()), Text: "Reviewed the medication list together"})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OK", func(t *testing.T) {
		c, err := f.notes.Correct(ctx, f.casey, f.sam.ID, string(first.ID), "Second wording")
		if err != nil {
			t.Fatal(err)
		}
		if c.ID != first.ID || c.Current.Version != 2 || c.Kind != notes.KindSafetyFormulation {
			t.Fatalf("corrected: %+v", c)
		}
		got, err := f.notes.List(ctx, f.lee, f.sam.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != other.ID || got[0].SessionID != other.SessionID || got[1].ID != first.ID {
			t.Fatalf("list: %+v", got)
		}
		n := got[1]
		if !n.Corrected() || n.Current.Text != "Second wording" || n.Current.WriterName != "Casey" ||
			len(n.Earlier) != 1 || n.Earlier[0].Text != "First wording" || n.Earlier[0].WriterName != "Lee" {
			t.Fatalf("history: %+v", n)
		}
		if c := auditCount(t, f.db, f.sam.ID, notes.AuditCorrected); c != 1 {
			t.Errorf("%d corrections audited, want 1", c)
		}
	})
	t.Run("ErrNotFound/AnotherPersonsNote", func(t *testing.T) {
		alexNote, err := f.notes.Write(ctx, f.lee, f.alex.ID, notes.Draft{Kind: notes.KindNote, Text: "About alex"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.notes.Correct(ctx, f.lee, f.sam.ID, string(alexNote.ID), "Moved"); tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Fatalf("correcting alex's note as sam's: %v", err)
		}
		if _, err := f.notes.Correct(ctx, f.lee, f.sam.ID, "not-an-id", "x"); tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Fatalf("correcting a malformed id: %v", err)
		}
	})
}

func TestWriteRefusesBadInput(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name string
		d    notes.Draft
	}{
		{"ErrInvalid/Empty", notes.Draft{Kind: notes.KindNote, Text: "   "}},
		{"ErrInvalid/UnknownKind", notes.Draft{Kind: "risk_level", Text: "x"}},
		{"ErrInvalid/TooLong", notes.Draft{Kind: notes.KindNote, Text: strings.Repeat("a", notes.MaxChars+1)}},
		{"ErrInvalid/BadSession", notes.Draft{Kind: notes.KindNote, SessionID: "session 4", Text: "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := f.notes.Write(ctx, f.lee, f.sam.ID, tt.d); tend.ErrorKind(err) != tend.EINVALID {
				t.Fatalf("got %v, want EINVALID", err)
			}
		})
	}
	got, err := f.notes.List(ctx, f.lee, f.sam.ID)
	if err != nil || len(got) != 0 {
		t.Fatalf("bad input left %d notes (%v)", len(got), err)
	}
}

// TestWriteIsOneUnitOfWork: a failure before commit leaves neither the
// note nor its audit event.
func TestWriteIsOneUnitOfWork(t *testing.T) {
	f := newFixture(t)
	f.db.FailBeforeCommit(func() error { return errors.New("injected") })
	if _, err := f.notes.Write(ctx, f.lee, f.sam.ID, notes.Draft{Kind: notes.KindNote, Text: "Never kept"}); err == nil {
		t.Fatal("the write succeeded through an injected failure")
	}
	f.db.FailBeforeCommit(nil)
	if c := auditCount(t, f.db, f.sam.ID, string(access.NoteWrite)); c != 0 {
		t.Errorf("%d write events survived the rollback", c)
	}
	recs, err := f.db.FindNoteRecords(ctx, f.sam.ID)
	if err != nil || len(recs) != 0 {
		t.Fatalf("%d notes survived the rollback (%v)", len(recs), err)
	}
}
