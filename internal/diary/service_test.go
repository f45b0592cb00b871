package diary_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/vault"
)

// clock is a clock the test sets.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// fixture is the demo service with real stores and the vault: sam (who
// shares the diary with lee, their therapist, to see, by the service's
// default), kim (not on sam's team), and the follow-up service the card's
// safety prompts go through.
type fixture struct {
	db            *store.DB
	clock         *clock
	diary         *diary.Service
	followUp      *followup.Service
	careTeam      *careteam.Service
	diarySettings diary.Settings
	sam, lee, kim tend.Actor
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
	// Sam joins on 2026-01-10; the test's "now" starts a few weeks later.
	c := &clock{now: time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)}
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
	f := &fixture{db: db, clock: c, careTeam: careTeam}
	f.followUp = followup.NewService(store.For[followup.Tx](db), checker, v, c, func() followup.Settings { return followup.Settings{Rules: s.Triggers} }, nil)
	f.diary = diary.NewService(store.For[diary.Tx](db), checker, v, f.followUp, c, func() diary.Settings { return f.diarySettings })
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
	f.lee, f.kim = staff("lee@example.org"), staff("kim@example.org")
	// Accounts are made at the database's time; sam's is dated to the
	// test's calendar.
	if _, err := db.Writer().ExecContext(ctx, `UPDATE people SET created_at = $1 WHERE id = $2`, c.Now(), string(f.sam.ID)); err != nil {
		t.Fatal(err)
	}
	c.Set(time.Date(2026, 2, 4, 19, 30, 0, 0, time.UTC))
	return f
}

func (f *fixture) save(t *testing.T, actor tend.Actor, in diary.Input) diary.Saved {
	t.Helper()
	out, err := f.diary.Save(context.Background(), actor, f.sam.ID, in)
	if err != nil {
		t.Fatalf("save %+v: %v", in, err)
	}
	return out
}

func change(f diary.Field, v int, at time.Time) diary.Change {
	return diary.Change{Field: f, Value: ptr(v), At: at}
}

func TestTwoDevicesKeepEveryField(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := f.clock.Now()
	// The phone edits the urge and an emotion at 19:00; the laptop, which
	// had loaded the card before, edits the skills rating at 19:05 and the
	// same emotion at 18:55 (an older edit, sent later).
	f.save(t, f.sam, diary.Input{Day: "2026-02-04", Key: "phone-1", EditedAt: now.Add(-30 * time.Minute), Changes: []diary.Change{
		change(diary.UrgeField("u.self_harm"), 3, now.Add(-30*time.Minute)), change(diary.EmotionField("e.sadness"), 4, now.Add(-30*time.Minute)),
	}})
	out := f.save(t, f.sam, diary.Input{Day: "2026-02-04", Key: "laptop-1", EditedAt: now.Add(-25 * time.Minute), Changes: []diary.Change{
		change(diary.FieldSkills, 5, now.Add(-25*time.Minute)), change(diary.EmotionField("e.sadness"), 1, now.Add(-35*time.Minute)),
	}})
	if out.Created {
		t.Error("the second device created another card")
	}
	v, err := f.diary.Card(ctx, f.sam, f.sam.ID, mustDay(t, "2026-02-04"))
	if err != nil {
		t.Fatal(err)
	}
	for field, want := range map[diary.Field]int{diary.UrgeField("u.self_harm"): 3, diary.EmotionField("e.sadness"): 4, diary.FieldSkills: 5} {
		if got, ok := v.Card.Get(field); !ok || got != want {
			t.Errorf("%s = %d (set %v), want %d", field, got, ok, want)
		}
	}
	hist, err := f.diary.History(ctx, f.sam, f.sam.ID, mustDay(t, "2026-02-04"))
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || hist[0].Key != "phone-1" || hist[1].Key != "laptop-1" {
		t.Fatalf("history = %+v, want both saves in order", hist)
	}
	if len(hist[1].Applied) != 1 || hist[1].Applied[0] != diary.FieldSkills {
		t.Errorf("the laptop's save applied %v, want only the skills rating (its sadness edit was older)", hist[1].Applied)
	}
	if v.Card.Summary.MaxEmotion != 4 || v.Card.Summary.Skills != diary.CategoryUsedHelped || v.Card.Summary.RiddenOut != 1 {
		t.Errorf("summary = %+v", v.Card.Summary)
	}
}

func mustDay(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := diary.ParseDay(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestRetryChangesNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	in := diary.Input{Day: "2026-02-03", Key: "k-1", Changes: []diary.Change{change(diary.UrgeField("u.substances"), 2, time.Time{})}}
	first := f.save(t, f.sam, in)
	in.Changes = []diary.Change{change(diary.UrgeField("u.substances"), 5, time.Time{})}
	again := f.save(t, f.sam, in)
	if !first.Created || !again.Replay {
		t.Fatalf("first created %v, retry replayed %v", first.Created, again.Replay)
	}
	if v, _ := again.Card.Get(diary.UrgeField("u.substances")); v != 2 {
		t.Errorf("the retry changed the card to %d", v)
	}
	hist, err := f.diary.History(ctx, f.sam, f.sam.ID, mustDay(t, "2026-02-03"))
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 1 {
		t.Errorf("history has %d saves, want 1", len(hist))
	}
	if first.Card.LateDays != 1 {
		t.Errorf("a card for yesterday is %d days late, want 1", first.Card.LateDays)
	}
}

func TestBadInputSavesNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	good := change(diary.UrgeField("u.self_harm"), 2, time.Time{})
	cases := map[string]diary.Input{
		"rating above 5":        {Day: "2026-02-04", Key: "a", Changes: []diary.Change{good, change(diary.EmotionField("e.joy"), 6, time.Time{})}},
		"negative rating":       {Day: "2026-02-04", Key: "b", Changes: []diary.Change{change(diary.UrgeField("u.die"), -1, time.Time{})}},
		"skills code 8":         {Day: "2026-02-04", Key: "c", Changes: []diary.Change{change(diary.FieldSkills, 8, time.Time{})}},
		"unknown row":           {Day: "2026-02-04", Key: "d", Changes: []diary.Change{good, change(diary.UrgeField("u.nothing"), 1, time.Time{})}},
		"an emotion as an urge": {Day: "2026-02-04", Key: "e", Changes: []diary.Change{change(diary.UrgeField("e.joy"), 1, time.Time{})}},
		"unknown field":         {Day: "2026-02-04", Key: "f", Changes: []diary.Change{{Field: "mood", Value: ptr(1)}}},
		"unknown skill":         {Day: "2026-02-04", Key: "g", Changes: []diary.Change{change(diary.SkillField("juggling"), 1, time.Time{})}},
		"future date":           {Day: "2026-02-05", Key: "h", Changes: []diary.Change{good}},
		"before joining":        {Day: "2026-01-09", Key: "i", Changes: []diary.Change{good}},
		"not a date":            {Day: "04/02/2026", Key: "j", Changes: []diary.Change{good}},
		"malformed zone":        {Day: "2026-02-04", Key: "k", TimeZone: "Europe/Nowhere", Changes: []diary.Change{good}},
		"no key":                {Day: "2026-02-04", Changes: []diary.Change{good}},
		"a field twice":         {Day: "2026-02-04", Key: "l", Changes: []diary.Change{good, good}},
		"note too long":         {Day: "2026-02-04", Key: "m", Note: ptrS(strings.Repeat("x", diary.MaxNoteChars+1))},
	}
	for name, in := range cases {
		_, err := f.diary.Save(ctx, f.sam, f.sam.ID, in)
		if tend.ErrorKind(err) != tend.EINVALID || tend.ErrorMessage(err) == "" {
			t.Errorf("%s: err = %v, want a clear EINVALID", name, err)
		}
	}
	cards, err := f.diary.Cards(ctx, f.sam, f.sam.ID, mustDay(t, "2026-01-01"), mustDay(t, "2026-02-28"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cards) != 0 {
		t.Errorf("bad input saved %d cards", len(cards))
	}
	// The first day sam was a member is fine.
	f.save(t, f.sam, diary.Input{Day: "2026-01-10", Key: "ok", Changes: []diary.Change{good}})
}

func ptrS(s string) *string { return &s }

func TestAccess(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.save(t, f.sam, diary.Input{Day: "2026-02-04", Key: "a", Changes: []diary.Change{change(diary.UrgeField("u.self_harm"), 2, time.Time{})}})
	// Lee sees sam's diary (the service's default grant for therapists) but
	// may not write in it; kim is not on sam's team: not found.
	if _, err := f.diary.Week(ctx, f.lee, f.sam.ID, mustDay(t, "2026-02-04")); err != nil {
		t.Fatalf("lee's grid: %v", err)
	}
	if _, err := f.diary.Save(ctx, f.lee, f.sam.ID, diary.Input{Day: "2026-02-04", Key: "l", Changes: []diary.Change{change(diary.FieldSkills, 2, time.Time{})}}); tend.ErrorKind(err) != tend.EFORBIDDEN {
		t.Errorf("lee saved sam's card without the edit grant: %v", err)
	}
	for name, call := range map[string]func() error{
		"week": func() error { _, err := f.diary.Week(ctx, f.kim, f.sam.ID, mustDay(t, "2026-02-04")); return err },
		"card": func() error { _, err := f.diary.Card(ctx, f.kim, f.sam.ID, mustDay(t, "2026-02-04")); return err },
		"cards": func() error {
			_, err := f.diary.Cards(ctx, f.kim, f.sam.ID, mustDay(t, "2026-02-01"), mustDay(t, "2026-02-04"))
			return err
		},
		"save": func() error {
			_, err := f.diary.Save(ctx, f.kim, f.sam.ID, diary.Input{Day: "2026-02-04", Key: "k", Changes: []diary.Change{change(diary.FieldSkills, 2, time.Time{})}})
			return err
		},
		"flag": func() error { return f.diary.SetFlag(ctx, f.kim, f.sam.ID, mustDay(t, "2026-02-04"), true) },
	} {
		if err := call(); tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Errorf("kim's %s: %v, want not found", name, err)
		}
	}
	// Sam cannot flag their own day; lee can, and it shows on the grid.
	if err := f.diary.SetFlag(ctx, f.sam, f.sam.ID, mustDay(t, "2026-02-04"), true); tend.ErrorKind(err) != tend.EFORBIDDEN {
		t.Errorf("sam flagged their own day: %v", err)
	}
	if err := f.diary.SetFlag(ctx, f.lee, f.sam.ID, mustDay(t, "2026-02-04"), true); err != nil {
		t.Fatal(err)
	}
	w, err := f.diary.Week(ctx, f.lee, f.sam.ID, mustDay(t, "2026-02-04"))
	if err != nil {
		t.Fatal(err)
	}
	if w.Days[2].Flag == nil || w.Days[2].Flag.FlaggedBy != f.lee.ID || w.Days[2].Card == nil {
		t.Errorf("Wednesday's flag or card missing: %+v", w.Days[2])
	}
	if w.Days[3].Card != nil || !w.Start.Equal(mustDay(t, "2026-02-02")) {
		t.Errorf("the week starts %s, Thursday %+v", w.Start, w.Days[3])
	}
}

func TestSafetyPrompts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// A self-harm act recorded for today: a prompt, one trigger on the care
	// team's task however often the card is saved.
	out := f.save(t, f.sam, diary.Input{Day: "2026-02-04", Key: "a", Changes: []diary.Change{change(diary.ActField("a.self_harm"), diary.Yes, time.Time{})}})
	if !out.Prompted() || !out.Act || out.Outcome().Response != followup.ResponseTask || !out.Outcome().Added {
		t.Fatalf("an act today: %+v", out)
	}
	again := f.save(t, f.sam, diary.Input{Day: "2026-02-04", Key: "b", Changes: []diary.Change{change(diary.CountField("a.self_harm"), 2, time.Time{})}})
	if again.Outcome().Added {
		t.Error("saving the same card again added another trigger")
	}
	entries := f.taskEntries(t)
	if len(entries) != 1 || entries[0].Kind != followup.KindAct {
		t.Fatalf("task entries = %+v, want one act", entries)
	}
	// An urge to end one's life below the level (default 4) is not a
	// prompt; at the level it is, once.
	low := f.save(t, f.sam, diary.Input{Day: "2026-02-03", Key: "c", Changes: []diary.Change{change(diary.UrgeField("u.die"), 3, time.Time{})}})
	if low.Prompted() {
		t.Errorf("an urge to die rated 3 prompted: %+v", low)
	}
	high := f.save(t, f.sam, diary.Input{Day: "2026-02-03", Key: "d", Changes: []diary.Change{change(diary.UrgeField("u.die"), 4, time.Time{})}})
	if !high.Prompted() || high.Act {
		t.Errorf("an urge to die rated 4: %+v", high)
	}
	// Other rows never prompt, whatever their rating.
	calm := f.save(t, f.sam, diary.Input{Day: "2026-02-02", Key: "e", Changes: []diary.Change{
		change(diary.UrgeField("u.self_harm"), 5, time.Time{}), change(diary.ActField("a.substances"), diary.Yes, time.Time{}),
		change(diary.UrgeField("u.thoughts"), 5, time.Time{}),
	}})
	if calm.Prompted() {
		t.Errorf("urges and substance use prompted: %+v", calm)
	}
	if n := len(f.taskEntries(t)); n != 2 {
		t.Errorf("task entries = %d, want 2 (the act and the urge)", n)
	}
	// A resent save (the same key) shows the person the same safety
	// screen and adds nothing.
	resent := f.save(t, f.sam, diary.Input{Day: "2026-02-04", Key: "a", Changes: []diary.Change{change(diary.ActField("a.self_harm"), diary.Yes, time.Time{})}})
	if !resent.Replay || !resent.Prompted() || !resent.Act || resent.Outcome().Added || resent.Outcome().Response != followup.ResponseTask {
		t.Errorf("resent: %+v", resent)
	}
	// Once lee has resolved the task, saving the same card again opens no
	// new one: the card raised its act once.
	task := f.openTask(t)
	if err := f.followUp.Resolve(ctx, f.lee, task, "Talked it through on the phone."); err != nil {
		t.Fatal(err)
	}
	later := f.save(t, f.sam, diary.Input{Day: "2026-02-04", Key: "f", Changes: []diary.Change{change(diary.CountField("a.self_harm"), 3, time.Time{})}})
	if !later.Prompted() || later.Outcome().Added {
		t.Errorf("after the task was resolved: %+v", later)
	}
	err := store.For[followup.Tx](f.db).InTx(ctx, func(tx followup.Tx) error {
		_, err := tx.FindOpenTask(ctx, f.sam.ID)
		return err
	})
	if tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Errorf("saving the card again opened a task (%v)", err)
	}
}

func (f *fixture) openTask(t *testing.T) tend.ID {
	t.Helper()
	var id tend.ID
	err := store.For[followup.Tx](f.db).InTx(context.Background(), func(tx followup.Tx) error {
		task, err := tx.FindOpenTask(context.Background(), f.sam.ID)
		id = task.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
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

func TestUnitOfWork(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	fault := errors.New("injected")
	f.db.FailBeforeCommit(func() error { return fault })
	_, err := f.diary.Save(ctx, f.sam, f.sam.ID, diary.Input{Day: "2026-02-04", Key: "a", Note: ptrS("written before the fault"),
		Changes: []diary.Change{change(diary.ActField("a.self_harm"), diary.Yes, time.Time{})}})
	f.db.FailBeforeCommit(nil)
	if !errors.Is(err, fault) {
		t.Fatalf("err = %v, want the injected fault", err)
	}
	cards, err := f.diary.Cards(ctx, f.sam, f.sam.ID, mustDay(t, "2026-02-04"), mustDay(t, "2026-02-04"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cards) != 0 || len(f.taskEntries(t)) != 0 {
		t.Fatalf("a failed save left %d cards and %d task entries", len(cards), len(f.taskEntries(t)))
	}
	// The same key then saves normally: the failed attempt kept nothing.
	if out := f.save(t, f.sam, diary.Input{Day: "2026-02-04", Key: "a", Changes: []diary.Change{change(diary.ActField("a.self_harm"), diary.Yes, time.Time{})}}); out.Replay || !out.Created {
		t.Errorf("after the fault: %+v", out)
	}
}

func TestNoteSealedAndDraft(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const secret = "walked by the canal with my sister"
	if err := f.diary.SaveDraft(ctx, f.sam, f.sam.ID, "2026-02-04", secret+" (draft)"); err != nil {
		t.Fatal(err)
	}
	v, err := f.diary.Card(ctx, f.sam, f.sam.ID, mustDay(t, "2026-02-04"))
	if err != nil {
		t.Fatal(err)
	}
	if v.Draft != secret+" (draft)" || v.Exists {
		t.Fatalf("draft = %q, card exists %v", v.Draft, v.Exists)
	}
	if err := f.diary.SaveDraft(ctx, f.lee, f.sam.ID, "2026-02-04", "x"); err == nil {
		t.Error("lee drafted sam's note")
	}
	f.save(t, f.sam, diary.Input{Day: "2026-02-04", Key: "a", Note: ptrS(secret)})
	v, err = f.diary.Card(ctx, f.sam, f.sam.ID, mustDay(t, "2026-02-04"))
	if err != nil {
		t.Fatal(err)
	}
	if v.Card.Note != secret || v.Draft != "" {
		t.Errorf("note %q, draft %q after saving the card", v.Card.Note, v.Draft)
	}
	if testenv.RawContains(t, f.db, "canal with my sister", "diary_cards", "diary_note_drafts", "diary_saves") {
		t.Error("the note is readable in the raw database")
	}
}

func TestConfigure(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// The safety rows stay unless the service allows hiding them.
	hide := true
	if err := f.diary.ChangeTarget(ctx, f.sam, f.sam.ID, "a.self_harm", diary.TargetChange{Hidden: &hide}); tend.ErrorKind(err) != tend.EINVALID {
		t.Errorf("hiding the self-harm row: %v", err)
	}
	if err := f.diary.ChangeTarget(ctx, f.sam, f.sam.ID, "u.substances", diary.TargetChange{Hidden: &hide}); err != nil {
		t.Fatal(err)
	}
	f.diarySettings.AllowHideSafetyRows = true
	if err := f.diary.ChangeTarget(ctx, f.sam, f.sam.ID, "u.thoughts", diary.TargetChange{Hidden: &hide}); err != nil {
		t.Errorf("hiding with the service's leave: %v", err)
	}
	label := "Urge to hurt myself"
	if err := f.diary.ChangeTarget(ctx, f.sam, f.sam.ID, "u.self_harm", diary.TargetChange{Label: &label, Move: -1}); err != nil {
		t.Fatal(err)
	}
	added, err := f.diary.AddTarget(ctx, f.sam, f.sam.ID, diary.NewTarget{Section: diary.SectionAction, Kind: diary.KindActionOther, Label: "Skipped meals", UrgeID: "u.self_harm"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.diary.AddTarget(ctx, f.sam, f.sam.ID, diary.NewTarget{Section: diary.SectionUrge, Kind: diary.KindJoy}); tend.ErrorKind(err) != tend.EINVALID {
		t.Errorf("an emotion kind as an urge: %v", err)
	}
	if _, err := f.diary.AddTarget(ctx, f.lee, f.sam.ID, diary.NewTarget{Section: diary.SectionEmotion, Kind: diary.KindEmotionalPain}); tend.ErrorKind(err) != tend.EFORBIDDEN {
		t.Errorf("lee (see only) changed sam's card: %v", err)
	}
	if err := f.diary.SetSkills(ctx, f.sam, f.sam.ID, diary.SkillsDBTA, []string{"wise_mind", "dialectics"}); err != nil {
		t.Fatal(err)
	}
	if err := f.diary.SetSkills(ctx, f.sam, f.sam.ID, diary.SkillsDBT, []string{"dialectics"}); tend.ErrorKind(err) != tend.EINVALID {
		t.Errorf("a DBT-A skill on a DBT list: %v", err)
	}
	cfg, err := f.diary.Config(ctx, f.sam, f.sam.ID)
	if err != nil {
		t.Fatal(err)
	}
	urges := cfg.Section(diary.SectionUrge, false)
	// Moved up past the urge to end one's life; the two hidden rows gone.
	if len(urges) != 2 || urges[0].ID != "u.self_harm" || urges[1].ID != "u.die" || urges[0].Label != label {
		t.Errorf("visible urges = %+v", urges)
	}
	if a, ok := cfg.Target(added.ID); !ok || a.Label != "Skipped meals" || a.UrgeID != "u.self_harm" {
		t.Errorf("added row = %+v", a)
	}
	if cfg.Set != diary.SkillsDBTA || len(cfg.Skills) != 2 || len(cfg.SkillsByModule()) != 2 {
		t.Errorf("skills = %s %v", cfg.Set, cfg.Skills)
	}
	// The new row takes ratings; the label is sealed.
	f.save(t, f.sam, diary.Input{Day: "2026-02-04", Key: "a", Changes: []diary.Change{change(diary.ActField(added.ID), diary.Yes, time.Time{}), change(diary.SkillField("dialectics"), 1, time.Time{})}})
	if testenv.RawContains(t, f.db, "Skipped meals", "diary_targets") {
		t.Error("a row's label is readable in the raw database")
	}
}
