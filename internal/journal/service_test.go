package journal_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/journal"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/vault"
)

// fixture is the demo service with real stores and the vault: sam; lee
// (sam's therapist, not shared the journal by the service default); priya
// (sam's prescriber); kim (not on sam's team); the admin.
type fixture struct {
	db                          *store.DB
	journal                     *journal.Service
	careTeam                    *careteam.Service
	sam, lee, priya, kim, admin tend.Actor
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
	f := &fixture{db: db, careTeam: careTeam, journal: journal.NewService(store.For[journal.Tx](db), checker, v, clock)}
	p, err := db.FindPersonAccountByUsername(ctx, "sam")
	if err != nil {
		t.Fatal(err)
	}
	f.sam = tend.Actor{Kind: tend.KindPerson, ID: p.ID}
	staff := func(email string, role tend.Role) tend.Actor {
		a, err := db.FindStaffAccountByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		return tend.Actor{Kind: tend.KindStaff, ID: a.ID, Role: role, MFA: true}
	}
	f.lee, f.priya, f.kim = staff("lee@example.org", tend.RoleClinician), staff("priya@example.org", tend.RoleClinician), staff("kim@example.org", tend.RoleClinician)
	f.admin = staff("admin@example.org", tend.RoleAdmin)
	return f
}

// share sets sam's journal grant for the member named staffName.
func (f *fixture) share(t *testing.T, staffName string, level access.Level) {
	t.Helper()
	ctx := context.Background()
	team, err := f.careTeam.Team(ctx, f.sam, f.sam.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range team {
		if m.StaffName == staffName {
			if err := f.careTeam.SetGrants(ctx, f.sam, f.sam.ID, []careteam.GrantChange{{MemberID: m.ID, Area: access.AreaJournal, Level: level}}); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("%s is not on sam's care team", staffName)
}

func (f *fixture) save(t *testing.T, d journal.Draft) journal.SaveResult {
	t.Helper()
	res, err := f.journal.Save(context.Background(), f.sam, f.sam.ID, d)
	if err != nil {
		t.Fatalf("save %+v: %v", d, err)
	}
	return res
}

func auditCount(t *testing.T, db *store.DB, person tend.ID, action string) int {
	t.Helper()
	ev, err := db.FindAuditEvents(context.Background(), store.AuditFilter{PersonID: &person, Actions: []string{action}})
	if err != nil {
		t.Fatal(err)
	}
	return len(ev)
}

func TestSaveCreatesThenUpdatesTheSameEntry(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := string(tend.NewID())
	first := f.save(t, journal.Draft{ID: id, Text: "I went for a walk"})
	if !first.Created || first.Entry.Revision != 1 {
		t.Fatalf("first save = %+v, want created at revision 1", first)
	}
	// An autosave while typing, then the Save button: the same entry.
	second := f.save(t, journal.Draft{ID: id, BasedOn: 1, Text: "I went for a walk by the river"})
	third := f.save(t, journal.Draft{ID: id, BasedOn: 2, Text: "I went for a walk by the river and felt calmer"})
	if second.Created || second.Merged || third.Entry.Revision != 3 {
		t.Fatalf("later saves = %+v, %+v; want revision 3, not created or merged", second, third)
	}
	entries, err := f.journal.Entries(ctx, f.sam, f.sam.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Text != "I went for a walk by the river and felt calmer" || entries[0].Revision != 3 {
		t.Fatalf("entries = %+v, want one entry with the latest text", entries)
	}
	if n := auditCount(t, f.db, f.sam.ID, string(access.JournalWrite)); n != 3 {
		t.Errorf("%d write events, want 3", n)
	}
}

func TestRetriedSaveAddsNothing(t *testing.T) {
	f := newFixture(t)
	id := string(tend.NewID())
	f.save(t, journal.Draft{ID: id, Text: "words"})
	// The same request again (a retry after a lost answer).
	again := f.save(t, journal.Draft{ID: id, Text: "words"})
	if !again.Unchanged || again.Entry.Revision != 1 {
		t.Fatalf("retried create = %+v, want unchanged at revision 1", again)
	}
	f.save(t, journal.Draft{ID: id, BasedOn: 1, Text: "more words"})
	again = f.save(t, journal.Draft{ID: id, BasedOn: 1, Text: "more words"})
	if !again.Unchanged || again.Merged || again.Entry.Revision != 2 || again.Entry.Text != "more words" {
		t.Fatalf("retried update = %+v, want unchanged at revision 2", again)
	}
	entries, err := f.journal.Entries(context.Background(), f.sam, f.sam.ID)
	if err != nil || len(entries) != 1 {
		t.Fatalf("entries = %d, %v; want 1", len(entries), err)
	}
	if n := auditCount(t, f.db, f.sam.ID, string(access.JournalWrite)); n != 2 {
		t.Errorf("%d write events, want 2 (retries write nothing)", n)
	}
}

func TestConflictingSavesKeepBothTexts(t *testing.T) {
	f := newFixture(t)
	id := string(tend.NewID())
	f.save(t, journal.Draft{ID: id, Text: "Morning."})
	// Two windows open at revision 1; the first saves, then the second.
	f.save(t, journal.Draft{ID: id, BasedOn: 1, Text: "Morning. Window one wrote this."})
	res := f.save(t, journal.Draft{ID: id, BasedOn: 1, Text: "Morning. Window two wrote that."})
	if !res.Merged || res.Entry.Revision != 3 {
		t.Fatalf("second window's save = %+v, want merged at revision 3", res)
	}
	for _, want := range []string{"Window one wrote this.", "Window two wrote that."} {
		if !strings.Contains(res.Entry.Text, want) {
			t.Errorf("merged text %q lost %q", res.Entry.Text, want)
		}
	}
	e, err := f.journal.Entry(context.Background(), f.sam, f.sam.ID, tend.ID(id))
	if err != nil || e.Text != res.Entry.Text {
		t.Fatalf("stored text %q (%v), want the merged text", e.Text, err)
	}
	if n := auditCount(t, f.db, f.sam.ID, journal.AuditMerged); n != 1 {
		t.Errorf("%d merge events, want 1", n)
	}
}

func TestMerge(t *testing.T) {
	tests := []struct{ name, current, saver, want string }{
		{"SaverExtendsCurrent", "a b", "a b c", "a b c"},
		{"CurrentHasSaver", "a b c", "a b", "a b c"},
		{"Different", "one", "two", "one\n\ntwo"},
		{"CurrentEmpty", "", "two", "two"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := journal.Merge(tt.current, tt.saver); got != tt.want {
				t.Errorf("Merge(%q, %q) = %q, want %q", tt.current, tt.saver, got, tt.want)
			}
		})
	}
}

func TestSaveRefusesBadInput(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := string(tend.NewID())
	tests := []struct {
		name string
		d    journal.Draft
	}{
		{"BadID", journal.Draft{ID: "not-an-id", Text: "x"}},
		{"EmptyNewEntry", journal.Draft{ID: id, Text: "  \n "}},
		{"NewEntryWithRevision", journal.Draft{ID: id, BasedOn: 4, Text: "x"}},
		{"TooLong", journal.Draft{ID: id, Text: strings.Repeat("x", journal.MaxEntryChars+1)}},
		{"UnknownPrompt", journal.Draft{ID: id, Text: "x", PromptID: string(tend.NewID())}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := f.journal.Save(ctx, f.sam, f.sam.ID, tt.d); tend.ErrorKind(err) != tend.EINVALID {
				t.Errorf("err = %v, want EINVALID", err)
			}
		})
	}
	entries, err := f.journal.Entries(ctx, f.sam, f.sam.ID)
	if err != nil || len(entries) != 0 {
		t.Errorf("entries after refused saves = %d, %v; want none", len(entries), err)
	}
	// Another person's entry id is not found, never overwritten.
	f.save(t, journal.Draft{ID: id, Text: "sam's words"})
	alex := tend.Actor{Kind: tend.KindPerson}
	p, err := f.db.FindPersonAccountByUsername(ctx, "alex")
	if err != nil {
		t.Fatal(err)
	}
	alex.ID = p.ID
	if _, err := f.journal.Save(ctx, alex, alex.ID, journal.Draft{ID: id, Text: "alex's words"}); tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Errorf("alex saving sam's entry id: %v, want ENOTFOUND", err)
	}
	if e, _ := f.journal.Entry(ctx, f.sam, f.sam.ID, tend.ID(id)); e.Text != "sam's words" {
		t.Errorf("sam's entry became %q", e.Text)
	}
}

func TestStaffReadOnlyWhileShared(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.save(t, journal.Draft{ID: string(tend.NewID()), Text: "private words"})
	if _, err := f.journal.Entries(ctx, f.lee, f.sam.ID); tend.ErrorKind(err) != tend.EFORBIDDEN {
		t.Fatalf("lee before sharing: %v, want EFORBIDDEN", err)
	}
	if _, err := f.journal.Entries(ctx, f.kim, f.sam.ID); tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Fatalf("kim: %v, want ENOTFOUND", err)
	}
	f.share(t, "Lee", access.LevelSee)
	entries, err := f.journal.Entries(ctx, f.lee, f.sam.ID)
	if err != nil || len(entries) != 1 || entries[0].Text != "private words" {
		t.Fatalf("lee while shared: %+v, %v", entries, err)
	}
	if n := auditCount(t, f.db, f.sam.ID, string(access.JournalRead)); n != 1 {
		t.Errorf("%d staff read events, want 1 (the person's own reads write none)", n)
	}
	// Even with see-and-edit (which the sharing page no longer offers for
	// the journal, but a grant stored earlier may hold), only the person
	// writes in their journal.
	if _, err := f.db.Writer().Exec(`UPDATE grants SET level = 'edit' WHERE area = 'journal'`); err != nil {
		t.Fatal(err)
	}
	if _, err := f.journal.Save(ctx, f.lee, f.sam.ID, journal.Draft{ID: string(tend.NewID()), Text: "x"}); tend.ErrorKind(err) != tend.EFORBIDDEN {
		t.Errorf("lee writing: %v, want EFORBIDDEN", err)
	}
	f.share(t, "Lee", access.LevelNone)
	if _, err := f.journal.Entries(ctx, f.lee, f.sam.ID); tend.ErrorKind(err) != tend.EFORBIDDEN {
		t.Errorf("lee after revoking: %v, want EFORBIDDEN", err)
	}
}

func TestReadersFollowGrants(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	names := func() []string {
		t.Helper()
		rs, err := f.journal.Readers(ctx, f.sam, f.sam.ID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rs {
			out = append(out, r.Name+"/"+string(r.Role))
		}
		return out
	}
	if got := names(); len(got) != 0 {
		t.Fatalf("readers by default = %v, want none", got)
	}
	f.share(t, "Lee", access.LevelSee)
	if got := names(); !slices.Equal(got, []string{"Lee/therapist"}) {
		t.Fatalf("readers = %v, want [Lee/therapist]", got)
	}
	f.share(t, "Priya", access.LevelSee)
	if got := names(); !slices.Equal(got, []string{"Lee/therapist", "Priya/prescriber"}) {
		t.Fatalf("readers = %v, want Lee and Priya", got)
	}
	f.share(t, "Lee", access.LevelNone)
	if got := names(); !slices.Equal(got, []string{"Priya/prescriber"}) {
		t.Fatalf("readers = %v, want [Priya/prescriber]", got)
	}
	if _, err := f.journal.Readers(ctx, f.lee, f.sam.ID); err == nil {
		t.Error("lee asked who reads sam's journal and was told")
	}
}

func TestPrompts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	open, err := f.journal.Prompts(ctx, f.sam)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 1 || open[0].Text != "What feelings came up today that surprised me?" {
		t.Fatalf("open prompts = %+v, want the one example of skills.md", open)
	}
	// Only admins change the service's list.
	if _, err := f.journal.AddPrompt(ctx, f.lee, "What helped today?"); tend.ErrorKind(err) != tend.EFORBIDDEN {
		t.Errorf("lee adding an open prompt: %v, want EFORBIDDEN", err)
	}
	added, err := f.journal.AddPrompt(ctx, f.admin, "  What helped   today? ")
	if err != nil || added.Text != "What helped today?" {
		t.Fatalf("admin adding: %+v, %v", added, err)
	}
	if _, err := f.journal.AddPrompt(ctx, f.admin, " "); tend.ErrorKind(err) != tend.EINVALID {
		t.Errorf("empty prompt: %v, want EINVALID", err)
	}
	// An entry started from an open prompt keeps its words after it is retired.
	id := string(tend.NewID())
	res := f.save(t, journal.Draft{ID: id, Text: "a friend's message", PromptID: string(added.ID)})
	if res.Entry.Prompt != "What helped today?" || res.Entry.Deeper {
		t.Fatalf("entry prompt = %q (deeper %v)", res.Entry.Prompt, res.Entry.Deeper)
	}
	if err := f.journal.RetirePrompt(ctx, f.admin, string(added.ID)); err != nil {
		t.Fatal(err)
	}
	if err := f.journal.RetirePrompt(ctx, f.admin, string(added.ID)); tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Errorf("retiring twice: %v, want ENOTFOUND", err)
	}
	if e, _ := f.journal.Entry(ctx, f.sam, f.sam.ID, tend.ID(id)); e.Prompt != "What helped today?" {
		t.Errorf("entry prompt after retiring = %q", e.Prompt)
	}
	if _, err := f.journal.Save(ctx, f.sam, f.sam.ID, journal.Draft{ID: string(tend.NewID()), Text: "x", PromptID: string(added.ID)}); tend.ErrorKind(err) != tend.EINVALID {
		t.Errorf("new entry from a retired prompt: %v, want EINVALID", err)
	}
}

func TestAssignedPrompts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	deeper := "Did anything today remind me of an earlier relationship?"
	// Nobody has a deeper prompt by default.
	if as, err := f.journal.Assignments(ctx, f.sam, f.sam.ID); err != nil || len(as) != 0 {
		t.Fatalf("default assignments = %+v, %v; want none", as, err)
	}
	if _, err := f.journal.Assign(ctx, f.kim, f.sam.ID, deeper); tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Errorf("kim assigning: %v, want ENOTFOUND", err)
	}
	if _, err := f.journal.Assign(ctx, f.sam, f.sam.ID, deeper); tend.ErrorKind(err) != tend.EFORBIDDEN {
		t.Errorf("sam assigning: %v, want EFORBIDDEN", err)
	}
	a, err := f.journal.Assign(ctx, f.lee, f.sam.ID, deeper)
	if err != nil {
		t.Fatal(err)
	}
	if n := auditCount(t, f.db, f.sam.ID, journal.AuditPromptAssigned); n != 1 {
		t.Errorf("%d assign events, want 1", n)
	}
	as, err := f.journal.Assignments(ctx, f.sam, f.sam.ID)
	if err != nil || len(as) != 1 || as[0].Text != deeper || as[0].AssignedByName != "Lee" {
		t.Fatalf("sam's assignments = %+v, %v", as, err)
	}
	res := f.save(t, journal.Draft{ID: string(tend.NewID()), Text: "yes, a little", PromptID: string(a.ID)})
	if !res.Entry.Deeper || res.Entry.Prompt != deeper {
		t.Fatalf("entry from an assigned prompt = %+v, want the deeper prompt", res.Entry)
	}
	// Priya did not assign it and is not the therapist: she cannot withdraw it.
	if err := f.journal.Withdraw(ctx, f.priya, f.sam.ID, string(a.ID)); tend.ErrorKind(err) != tend.EFORBIDDEN {
		t.Errorf("priya withdrawing lee's prompt: %v, want EFORBIDDEN", err)
	}
	if err := f.journal.Withdraw(ctx, f.lee, f.sam.ID, string(a.ID)); err != nil {
		t.Fatal(err)
	}
	if as, _ := f.journal.Assignments(ctx, f.sam, f.sam.ID); len(as) != 0 {
		t.Errorf("assignments after withdrawing = %+v", as)
	}
	if e, _ := f.journal.Entry(ctx, f.sam, f.sam.ID, res.Entry.ID); !e.Deeper || e.Prompt != deeper {
		t.Errorf("entry after withdrawing = %+v, want it to keep the prompt", e)
	}
	if _, err := f.journal.Save(ctx, f.sam, f.sam.ID, journal.Draft{ID: string(tend.NewID()), Text: "x", PromptID: string(a.ID)}); tend.ErrorKind(err) != tend.EINVALID {
		t.Errorf("new entry from a withdrawn prompt: %v, want EINVALID", err)
	}
}

// failingStore fails every unit of work after its writes, to prove that a
// save's data and audit event commit together or not at all.
type failingStore struct{ journal.Store }

func (s failingStore) InTx(ctx context.Context, fn func(journal.Tx) error) error {
	_ = s.Store.InTx(ctx, func(tx journal.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return tend.Errorf(tend.EUNAVAILABLE, "injected failure after the writes")
	})
	return tend.Errorf(tend.EUNAVAILABLE, "injected failure after the writes")
}

func TestFailedSaveLeavesNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	v, err := vault.New(testenv.ServiceKeys, testenv.KeyStore(t, testenv.KeyStoreDSN(t)), tend.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	broken := journal.NewService(failingStore{store.For[journal.Tx](f.db)}, access.NewChecker(f.db), v, nil)
	if _, err := broken.Save(ctx, f.sam, f.sam.ID, journal.Draft{ID: string(tend.NewID()), Text: "x"}); err == nil {
		t.Fatal("save succeeded through a failing unit of work")
	}
	if entries, _ := f.journal.Entries(ctx, f.sam, f.sam.ID); len(entries) != 0 {
		t.Errorf("entries after a failed save = %d", len(entries))
	}
	if n := auditCount(t, f.db, f.sam.ID, string(access.JournalWrite)); n != 0 {
		t.Errorf("%d write events after a failed save", n)
	}
}

// TestTextIsSealedAtRest looks for a canary written into an entry, its
// prompt and an assigned prompt in the raw database, with a control: the
// entry's id, stored in plain text in the same row, must be found, so the
// search can fail.
func TestTextIsSealedAtRest(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	canary := testenv.Canary("journal")
	a, err := f.journal.Assign(ctx, f.lee, f.sam.ID, canary+" assigned prompt")
	if err != nil {
		t.Fatal(err)
	}
	id := tend.NewID()
	f.save(t, journal.Draft{ID: string(id), Text: canary + " entry", PromptID: string(a.ID)})
	f.save(t, journal.Draft{ID: string(id), BasedOn: 1, Text: canary + " entry, changed"})
	tables := []string{"journal_entries", "journal_assignments"}
	if !testenv.RawContains(t, f.db, string(id), tables...) {
		t.Fatalf("control %q not found in the raw database: the search cannot fail", id)
	}
	if testenv.RawContains(t, f.db, canary, tables...) {
		t.Errorf("journal text %q is readable in the raw database", canary)
	}
}
