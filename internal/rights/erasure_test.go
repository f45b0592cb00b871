package rights_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/rights"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/vault"
)

// rowsOf counts, per table an erasure deletes from, the person's rows: each
// deletion of store.ErasedTables read as a count.
func rowsOf(t *testing.T, db *store.DB, personID tend.ID) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, et := range store.ErasedTables {
		q := strings.Replace(et.SQL, "DELETE FROM", "SELECT count(*) FROM", 1)
		var n int
		if err := db.Writer().QueryRowContext(context.Background(), q, string(personID)).Scan(&n); err != nil {
			t.Fatalf("%s: %v", et.Table, err)
		}
		out[et.Table] += n
	}
	return out
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func TestEraseAccount(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	hold := 3
	f.records.ErasureHoldDays = &hold
	f.write(t, f.sam, "sam-erase-words")
	f.write(t, f.alex, "alex-erase-words")
	if _, _, err := f.accounts.SignInPerson(ctx, "sam", password, auth.Client{}); err != nil {
		t.Fatal(err)
	}
	f.export(t, f.sam)
	// One of sam's sealed fields, to try opening after the erasure.
	var entryID tend.ID
	var sealed []byte
	if err := f.db.Writer().QueryRowContext(ctx, `SELECT id, body FROM journal_entries WHERE person_id = $1`, string(f.sam.ID)).Scan(&entryID, &sealed); err != nil {
		t.Fatal(err)
	}
	field := vault.Field{Table: "journal_entries", Column: "body", Row: entryID}
	if _, err := f.vault.OpenPerson(ctx, f.sam.ID, field, sealed); err != nil {
		t.Fatalf("before: %v", err)
	}
	samBefore, alexBefore := rowsOf(t, f.db, f.sam.ID), rowsOf(t, f.db, f.alex.ID)
	for _, table := range []string{"journal_entries", "hope_box_words", "sessions", "sign_ins", "data_exports", "notices", "grants"} {
		if samBefore[table] == 0 {
			t.Fatalf("the fixture gave sam no %s rows: the test would prove nothing", table)
		}
	}

	t.Run("WrongPassword", func(t *testing.T) {
		if _, err := f.rights.RequestErasure(ctx, f.sam, f.sam.ID, "not the password"); tend.ErrorKind(err) != tend.EINVALID {
			t.Fatalf("wrong password: %v, want EINVALID", err)
		}
		if _, pending, _ := f.rights.ErasureStatus(ctx, f.sam, f.sam.ID); pending {
			t.Fatal("a wrong password started an erasure")
		}
	})
	t.Run("OnlyThePerson", func(t *testing.T) {
		for _, a := range []tend.Actor{f.alex, f.lee} {
			if _, err := f.rights.RequestErasure(ctx, a, f.sam.ID, password); tend.ErrorKind(err) != tend.ENOTFOUND {
				t.Errorf("%s erasing sam: %v, want ENOTFOUND", a.Kind, err)
			}
		}
	})

	t.Run("HoldThenCancel", func(t *testing.T) {
		e, err := f.rights.RequestErasure(ctx, f.sam, f.sam.ID, password)
		if err != nil {
			t.Fatal(err)
		}
		if want := f.clock.Now().Add(72 * time.Hour); !e.DueAt.Equal(want) {
			t.Errorf("due %v, want %v (a 3-day hold)", e.DueAt, want)
		}
		if err := f.rights.Erase(ctx, e.ID); tend.ErrorKind(err) != tend.EUNAVAILABLE {
			t.Errorf("erasing before the hold ends: %v, want EUNAVAILABLE (tried again later)", err)
		}
		if _, _, err := f.accounts.SignInPerson(ctx, "sam", password, auth.Client{}); err != nil {
			t.Errorf("during the hold sam can still sign in: %v", err)
		}
		if _, err := f.rights.RequestExport(ctx, f.sam, f.sam.ID); tend.ErrorKind(err) != tend.ECONFLICT {
			t.Errorf("a download during the hold: %v, want ECONFLICT", err)
		}
		if err := f.rights.CancelErasure(ctx, f.sam, f.sam.ID); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(73 * time.Hour)
		if err := f.rights.Erase(ctx, e.ID); err != nil {
			t.Fatalf("the job of a cancelled erasure: %v", err)
		}
		if n := total(rowsOf(t, f.db, f.sam.ID)); n == 0 {
			t.Fatal("a cancelled erasure erased sam")
		}
		if _, err := f.vault.OpenPerson(ctx, f.sam.ID, field, sealed); err != nil {
			t.Fatalf("a cancelled erasure destroyed sam's key: %v", err)
		}
	})

	var e rights.Erasure
	t.Run("Erase", func(t *testing.T) {
		var err error
		if e, err = f.rights.RequestErasure(ctx, f.sam, f.sam.ID, password); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(72 * time.Hour)
		if err := f.rights.Erase(ctx, e.ID); err != nil {
			t.Fatal(err)
		}
		for table, n := range rowsOf(t, f.db, f.sam.ID) {
			if n != 0 {
				t.Errorf("%s still has %d of sam's rows", table, n)
			}
		}
		for table, n := range rowsOf(t, f.db, f.alex.ID) {
			if n != alexBefore[table] {
				t.Errorf("%s: alex had %d rows, now %d", table, alexBefore[table], n)
			}
		}
		if _, err := f.vault.OpenPerson(ctx, f.sam.ID, field, sealed); !vault.IsErased(err) {
			t.Errorf("opening sam's old field: %v, want erased", err)
		}
		if _, _, err := f.accounts.SignInPerson(ctx, "sam", password, auth.Client{}); tend.ErrorKind(err) != tend.EUNAUTHORIZED {
			t.Errorf("sam signing in after erasure: %v, want EUNAUTHORIZED", err)
		}
		p, err := f.db.FindPersonAccountByID(ctx, f.sam.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Username != rights.ErasedName(f.sam.ID) || p.PasswordHash != "" {
			t.Errorf("account after erasure: %q (hash %q)", p.Username, p.PasswordHash)
		}
		if _, _, err := f.accounts.SignInPerson(ctx, p.Username, "", auth.Client{}); tend.ErrorKind(err) != tend.EUNAUTHORIZED {
			t.Errorf("signing in by the erased name: %v, want EUNAUTHORIZED", err)
		}
		ev, err := f.db.FindAuditEvents(ctx, store.AuditFilter{PersonID: &f.sam.ID, Actions: []string{rights.AuditErased}})
		if err != nil || len(ev) != 1 {
			t.Fatalf("erasure events: %d, %v; want 1", len(ev), err)
		}
		if ev[0].Target != "erasure:"+string(e.ID) {
			t.Errorf("erasure event target %q", ev[0].Target)
		}
	})
	t.Run("KeptRecords", func(t *testing.T) {
		var n int
		if err := f.db.Writer().QueryRowContext(ctx, `SELECT count(*) FROM clinician_notes WHERE person_id = $1`, string(f.sam.ID)).Scan(&n); err != nil || n != 1 {
			t.Fatalf("clinician notes about sam: %d, %v; want the one kept under the records key", n, err)
		}
		list, err := f.notes.List(ctx, f.lee, f.sam.ID)
		if err != nil || len(list) != 1 || list[0].Current.Text != "note sam-erase-words" {
			t.Errorf("lee reading the kept note: %v, %v", list, err)
		}
		alex, err := f.journal.Entries(ctx, f.alex, f.alex.ID)
		if err != nil || len(alex) != 1 || alex[0].Text != "journal alex-erase-words" {
			t.Errorf("alex's journal after sam's erasure: %v, %v", alex, err)
		}
	})
	t.Run("JobRerunIsHarmless", func(t *testing.T) {
		if err := f.rights.Erase(ctx, e.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.rights.Erase(ctx, tend.NewID()); err != nil {
			t.Fatalf("an unknown request: %v", err)
		}
		ev, err := f.db.FindAuditEvents(ctx, store.AuditFilter{PersonID: &f.sam.ID, Actions: []string{rights.AuditErased}})
		if err != nil || len(ev) != 1 {
			t.Errorf("erasure events after a re-run: %d, %v; want still 1", len(ev), err)
		}
	})
}

func TestEraseAtOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	zero := 0
	f.records.ErasureHoldDays = &zero
	e, err := f.rights.RequestErasure(ctx, f.sam, f.sam.ID, password)
	if err != nil {
		t.Fatal(err)
	}
	var scheduled time.Time
	if err := f.db.Writer().QueryRowContext(ctx, `SELECT scheduled_at FROM river_job WHERE kind = $1`, rights.EraseArgs{}.Kind()).Scan(&scheduled); err != nil {
		t.Fatal(err)
	}
	if scheduled.After(time.Now().Add(time.Minute)) {
		t.Errorf("a hold of 0 scheduled the job at %v", scheduled)
	}
	if err := f.rights.Erase(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.accounts.SignInPerson(ctx, "sam", password, auth.Client{}); tend.ErrorKind(err) != tend.EUNAUTHORIZED {
		t.Errorf("sam signing in: %v, want EUNAUTHORIZED", err)
	}
}

func TestErasureHoldSetting(t *testing.T) {
	tests := []struct {
		name string
		days *int
		want int
		ok   bool
	}{
		{"Default", nil, rights.DefaultErasureHoldDays, true},
		{"AtOnce", ptr(0), 0, true},
		{"Month", ptr(30), 30, true},
		{"TooLong", ptr(31), 31, false},
		{"Negative", ptr(-1), -1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := rights.Settings{ErasureHoldDays: tt.days}
			if got := s.HoldDays(); got != tt.want {
				t.Errorf("HoldDays = %d, want %d", got, tt.want)
			}
			if ok := s.Validate() == ""; ok != tt.ok {
				t.Errorf("valid = %v, want %v", ok, tt.ok)
			}
		})
	}
}

func ptr(n int) *int { return &n }
