package measure_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/measure"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/vault"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// fixture is the demo service on a real store (SQLite, and PostgreSQL when
// TEND_TEST_POSTGRES is set): sam, who shares questionnaires with lee
// (their therapist) by the service's default; kim, not on sam's team; the
// admin; and the follow-up service safety prompts go through.
type fixture struct {
	db                   *store.DB
	clock                *clock
	measures             *measure.Service
	sam, lee, kim, admin tend.Actor
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
	c := &clock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	v, err := vault.New(testenv.ServiceKeys, testenv.KeyStore(t, testenv.KeyStoreDSN(t)), c)
	if err != nil {
		t.Fatal(err)
	}
	checker := access.NewChecker(db)
	accounts := auth.NewService(store.For[auth.Tx](db), c, auth.Options{Demo: true, TimeZone: s.TimeZone, Country: s.Country, CareTeam: db,
		Secrets: vault.StaffSecrets{V: v}})
	careTeam := careteam.NewService(store.For[careteam.Tx](db), checker, c)
	if err := demo.Seed(ctx, demo.Services{Accounts: accounts, CareTeam: careTeam}, "a demo password for tests"); err != nil {
		t.Fatal(err)
	}
	followUp := followup.NewService(store.For[followup.Tx](db), checker, v, c, func() followup.Settings { return followup.Settings{Rules: s.Triggers} }, nil)
	f := &fixture{db: db, clock: c, measures: measure.NewService(store.For[measure.Tx](db), checker, followUp, c, nil)}
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
	f.lee, f.kim, f.admin = staff("lee@example.org", tend.RoleClinician), staff("kim@example.org", tend.RoleClinician), staff("admin@example.org", tend.RoleAdmin)
	return f
}

func (f *fixture) assign(t *testing.T, id string, sc measure.Schedule) measure.Assignment {
	t.Helper()
	a, err := f.measures.Assign(context.Background(), f.lee, f.sam.ID, measure.NewAssignment{InstrumentID: id, Schedule: sc})
	if err != nil {
		t.Fatalf("assign %s: %v", id, err)
	}
	return a
}

func (f *fixture) waiting(t *testing.T) []measure.DueView {
	t.Helper()
	w, err := f.measures.Waiting(context.Background(), f.sam, f.sam.ID)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func (f *fixture) taskEntries(t *testing.T) []followup.Entry {
	t.Helper()
	var out []followup.Entry
	err := store.For[followup.Tx](f.db).InTx(context.Background(), func(tx followup.Tx) error {
		task, err := tx.FindOpenTask(context.Background(), f.sam.ID)
		if tend.ErrorKind(err) == tend.ENOTFOUND {
			return nil
		}
		out = task.Entries
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var once = measure.Schedule{Kind: measure.ScheduleOnce}

// A draft with item 9 above 0 that is never finished raises exactly one
// prompt, through the real save path; saving it again adds nothing.
func TestDraftPromptsOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.assign(t, measure.PHQ9().ID, once)
	w := f.waiting(t)
	if len(w) != 1 || w[0].Instrument.Short != "PHQ-9" || w[0].Response != nil {
		t.Fatalf("waiting: %+v", w)
	}
	due := w[0].Due.ID
	out, err := f.measures.Save(ctx, f.sam, f.sam.ID, due, measure.Answers{"1": 2, "9": 1}, false)
	if err != nil {
		t.Fatal(err)
	}
	if !out.Prompted || len(out.Prompts) != 1 || !out.Prompts[0].Added || out.Response.Finished || out.Response.Score.Complete() {
		t.Fatalf("first draft: %+v", out)
	}
	entries := f.taskEntries(t)
	if len(entries) != 1 || entries[0].Kind != followup.KindPHQ9Item9 || entries[0].SourceID != out.Response.ID {
		t.Fatalf("task entries: %+v", entries)
	}
	for _, a := range []measure.Answers{{"1": 2, "9": 1}, {"1": 2, "9": 3}, {"1": 1, "2": 0, "9": 2}} {
		again, err := f.measures.Save(ctx, f.sam, f.sam.ID, due, a, false)
		if err != nil {
			t.Fatal(err)
		}
		if !again.Prompted || again.Response.ID != out.Response.ID || len(again.Prompts) != 1 || again.Prompts[0].Added {
			t.Fatalf("saving again: %+v", again)
		}
	}
	if n := len(f.taskEntries(t)); n != 1 {
		t.Fatalf("%d task entries after saving the draft again, want 1", n)
	}
	// Still a draft: still waiting, with the answers so far.
	if w := f.waiting(t); len(w) != 1 || w[0].Response == nil || w[0].Response.Answers["9"] != 2 {
		t.Fatalf("waiting after drafts: %+v", w)
	}
}

// Item 9 skipped: the questionnaire can be finished, has no total, and
// raises no prompt; item 9 is never counted as 0.
func TestFinishIncomplete(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.assign(t, measure.PHQ9().ID, once)
	due := f.waiting(t)[0].Due.ID
	out, err := f.measures.Save(ctx, f.sam, f.sam.ID, due, measure.Answers{"1": 3, "2": 3, "3": 3, "4": 3, "5": 3, "6": 3, "7": 3, "8": 3}, true)
	if err != nil {
		t.Fatal(err)
	}
	if out.Prompted || !out.Response.Finished || out.Response.Score.Total != nil || out.Response.Score.Answered != 8 {
		t.Fatalf("finished without item 9: %+v", out)
	}
	if len(f.waiting(t)) != 0 || len(f.taskEntries(t)) != 0 {
		t.Fatal("a finished questionnaire is still waiting, or raised a prompt")
	}
	if _, err := f.measures.Save(ctx, f.sam, f.sam.ID, due, measure.Answers{"9": 0}, true); tend.ErrorKind(err) != tend.ECONFLICT {
		t.Fatalf("changing a finished questionnaire: %v", err)
	}
	series, err := f.measures.Scores(ctx, f.lee, f.sam.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(series) != 1 || len(series[0].Points) != 1 || len(series[0].Totals()) != 0 {
		t.Fatalf("scores: %+v", series)
	}
}

// Bad input changes nothing: answers outside the options, a questionnaire
// no longer assigned, another person's due questionnaire.
func TestBadInputSavesNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.assign(t, measure.GAD7().ID, once)
	due := f.waiting(t)[0].Due.ID
	for _, bad := range []measure.Answers{{"1": 4}, {"8": 0}, {"1": -1}} {
		if _, err := f.measures.Save(ctx, f.sam, f.sam.ID, due, bad, false); tend.ErrorKind(err) != tend.EINVALID {
			t.Errorf("%v: %v, want EINVALID", bad, err)
		}
	}
	if w := f.waiting(t); w[0].Response != nil {
		t.Fatalf("a refused save left a response: %+v", w[0].Response)
	}
	if _, err := f.measures.Save(ctx, f.sam, f.sam.ID, tend.NewID(), measure.Answers{"1": 0}, false); tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Errorf("unknown due questionnaire: %v", err)
	}
	if err := f.measures.EndAssignment(ctx, f.lee, f.sam.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.measures.Save(ctx, f.sam, f.sam.ID, due, measure.Answers{"1": 0}, false); tend.ErrorKind(err) != tend.ECONFLICT {
		t.Errorf("an ended assignment: %v, want ECONFLICT", err)
	}
	if len(f.waiting(t)) != 0 {
		t.Error("an ended assignment is still waiting")
	}
	if _, err := f.measures.Assign(ctx, f.lee, f.sam.ID, measure.NewAssignment{InstrumentID: "bdi.1.en", Schedule: once}); tend.ErrorKind(err) != tend.EINVALID {
		t.Errorf("an unknown instrument: %v", err)
	}
	if _, err := f.measures.Assign(ctx, f.lee, f.sam.ID, measure.NewAssignment{InstrumentID: measure.PHQ9().ID, Schedule: measure.Schedule{Kind: measure.ScheduleEveryWeeks}}); tend.ErrorKind(err) != tend.EINVALID {
		t.Errorf("every 0 weeks: %v", err)
	}
}

// Only the person and staff the person shares questionnaires with read
// them; someone not on the care team gets not found; only admins import,
// and an admin's API token only with the settings scope.
func TestAccess(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.measures.Assign(ctx, f.kim, f.sam.ID, measure.NewAssignment{InstrumentID: measure.PHQ9().ID, Schedule: once}); tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Errorf("kim assigns: %v", err)
	}
	if _, err := f.measures.Scores(ctx, f.kim, f.sam.ID); tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Errorf("kim reads: %v", err)
	}
	if _, err := f.measures.Assign(ctx, f.sam, f.sam.ID, measure.NewAssignment{InstrumentID: measure.PHQ9().ID, Schedule: once}); tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Errorf("a person assigns: %v", err)
	}
	in := example()
	if _, err := f.measures.Import(ctx, f.lee, in, []byte(`{}`), "Our licence."); tend.ErrorKind(err) != tend.EFORBIDDEN {
		t.Errorf("a clinician imports: %v", err)
	}
	narrow := f.admin
	narrow.Scopes = []string{string(access.DiaryRead)}
	if _, err := f.measures.Import(ctx, narrow, in, []byte(`{}`), "Our licence."); tend.ErrorKind(err) != tend.EFORBIDDEN {
		t.Errorf("an admin's token without the settings scope imports: %v", err)
	}
	if _, err := f.measures.Import(ctx, f.admin, in, []byte(`{}`), " "); tend.ErrorKind(err) != tend.EINVALID {
		t.Errorf("an import without a rights statement: %v", err)
	}
	bad := example()
	bad.Scoring.Bands[0].Label = "at risk"
	if _, err := f.measures.Import(ctx, f.admin, bad, []byte(`{}`), "Our licence."); tend.ErrorKind(err) != tend.EINVALID {
		t.Errorf("a risk band: %v", err)
	}
	list, err := f.measures.Instruments(ctx, f.lee)
	if err != nil || len(list) != 2 {
		t.Fatalf("nothing imported: %d instruments, %v", len(list), err)
	}
}

// An imported instrument: assigned, answered, its prompt item raising a
// task only once the service enables it; retired, it can no longer be
// assigned or answered.
func TestImportedInstrument(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	in, err := f.measures.Import(ctx, f.admin, example(), []byte(`{"resourceType":"Questionnaire"}`), "Licensed to the service until 2030.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.measures.Import(ctx, f.admin, example(), []byte(`{}`), "Again."); tend.ErrorKind(err) != tend.ECONFLICT {
		t.Fatalf("importing the same version twice: %v", err)
	}
	f.assign(t, in.ID, measure.Schedule{Kind: measure.ScheduleEveryWeeks, EveryWeeks: 1})
	due := f.waiting(t)[0].Due.ID
	out, err := f.measures.Save(ctx, f.sam, f.sam.ID, due, measure.Answers{"a": 2, "b": 3, "c": 1, "d": 5}, false)
	if err != nil {
		t.Fatal(err)
	}
	if !out.Prompted || len(out.Prompts) != 0 || len(f.taskEntries(t)) != 0 {
		t.Fatalf("prompts not enabled: the person sees the safety screen, the care team gets nothing: %+v", out)
	}
	if err := f.measures.SetPrompts(ctx, f.admin, in.ID, true); err != nil {
		t.Fatal(err)
	}
	out, err = f.measures.Save(ctx, f.sam, f.sam.ID, due, measure.Answers{"a": 2, "b": 3, "c": 1, "d": 5}, true)
	if err != nil {
		t.Fatal(err)
	}
	if out.Response.Score.Total == nil || *out.Response.Score.Total != 3.75 || out.Response.Version != "2" {
		t.Fatalf("score: %+v", out.Response)
	}
	if e := f.taskEntries(t); len(e) != 1 || e[0].Kind != followup.KindQuestionnaireItem {
		t.Fatalf("task entries: %+v", e)
	}
	if err := f.measures.Retire(ctx, f.admin, in.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.measures.Assign(ctx, f.lee, f.sam.ID, measure.NewAssignment{InstrumentID: in.ID, Schedule: once}); tend.ErrorKind(err) != tend.EINVALID {
		t.Errorf("assigning a retired instrument: %v", err)
	}
	f.clock.Advance(7 * 24 * time.Hour)
	if _, err := f.measures.Schedule(ctx); err != nil {
		t.Fatal(err)
	}
	if w := f.waiting(t); len(w) != 0 {
		t.Errorf("a retired instrument is still offered: %+v", w)
	}
}

// Every two weeks: the scheduler run any number of times, on several
// nodes at once, adds each due questionnaire once; a later one replaces an
// unanswered earlier one on the person's list; reliable change compares
// the first total with the latest.
func TestScheduleNeverDoubles(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.assign(t, measure.PHQ9().ID, measure.Schedule{Kind: measure.ScheduleEveryWeeks, EveryWeeks: 2})
	first := f.waiting(t)[0]
	all := func(v int) measure.Answers {
		a := measure.Answers{}
		for i := 1; i <= 9; i++ {
			a[string(rune('0'+i))] = v
		}
		return a
	}
	if _, err := f.measures.Save(ctx, f.sam, f.sam.ID, first.Due.ID, all(2), true); err != nil { // 18
		t.Fatal(err)
	}
	f.clock.Advance(35 * 24 * time.Hour) // 6 April: due 16 and 30 March (13 April is more than 3 days ahead)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.measures.Schedule(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n, err := f.measures.Schedule(ctx); err != nil || n != 0 {
		t.Fatalf("a further run added %d (%v)", n, err)
	}
	var count int
	if err := f.db.Writer().QueryRowContext(ctx, `SELECT COUNT(*) FROM measure_due WHERE person_id = $1`, string(f.sam.ID)).Scan(&count); err != nil {
		t.Fatal(err)
	}
	if count != 3 {
		t.Fatalf("%d due questionnaires, want 3 (2, 16 and 30 March)", count)
	}
	w := f.waiting(t)
	if len(w) != 1 || !w[0].Due.On.Equal(day(2026, 3, 30)) {
		t.Fatalf("waiting: %+v", w)
	}
	a := all(1)
	a["9"] = 0 // eight items at 1: a total of 8
	if _, err := f.measures.Save(ctx, f.sam, f.sam.ID, w[0].Due.ID, a, true); err != nil {
		t.Fatal(err)
	}
	series, err := f.measures.Scores(ctx, f.lee, f.sam.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(series) != 1 || len(series[0].Totals()) != 2 || series[0].Change == nil {
		t.Fatalf("series: %+v", series)
	}
	if c := series[0].Change; c.From != 18 || c.To != 8 || c.Judgement != measure.ReliablyImproved {
		t.Fatalf("change: %+v", c)
	}
}

// Retries never double: assigning the same instrument on the same schedule
// again returns the first assignment; finishing again with the same
// answers answers the same, with the safety screen, and adds nothing.
func TestRetriesDoNotDouble(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	every2 := measure.Schedule{Kind: measure.ScheduleEveryWeeks, EveryWeeks: 2}
	a := f.assign(t, measure.PHQ9().ID, every2)
	if again := f.assign(t, measure.PHQ9().ID, every2); again.ID != a.ID {
		t.Fatalf("assigning again made %s beside %s", again.ID, a.ID)
	}
	if _, err := f.measures.Assign(ctx, f.lee, f.sam.ID, measure.NewAssignment{InstrumentID: measure.PHQ9().ID, Schedule: once}); tend.ErrorKind(err) != tend.ECONFLICT {
		t.Fatalf("another schedule for an active assignment: %v", err)
	}
	if as, err := f.measures.Assignments(ctx, f.lee, f.sam.ID); err != nil || len(as) != 1 {
		t.Fatalf("%d assignments (%v), want 1", len(as), err)
	}
	due := f.waiting(t)[0].Due.ID
	answers := measure.Answers{"1": 1, "2": 1, "3": 1, "4": 1, "5": 1, "6": 1, "7": 1, "8": 1, "9": 1}
	first, err := f.measures.Save(ctx, f.sam, f.sam.ID, due, answers, true)
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.measures.Save(ctx, f.sam, f.sam.ID, due, answers, true)
	if err != nil {
		t.Fatalf("finishing again with the same answers: %v", err)
	}
	if again.Response.ID != first.Response.ID || !again.Prompted || len(again.Prompts) != 1 || again.Prompts[0].Added {
		t.Fatalf("the retry: %+v", again)
	}
	if n := len(f.taskEntries(t)); n != 1 {
		t.Fatalf("%d task entries, want 1", n)
	}
	answers["1"] = 0
	if _, err := f.measures.Save(ctx, f.sam, f.sam.ID, due, answers, true); tend.ErrorKind(err) != tend.ECONFLICT {
		t.Fatalf("finishing again with other answers: %v", err)
	}
	if err := f.measures.EndAssignment(ctx, f.lee, f.sam.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	if b := f.assign(t, measure.PHQ9().ID, once); b.ID == a.ID {
		t.Fatal("after stopping, assigning again returned the stopped assignment")
	}
}
