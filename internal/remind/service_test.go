package remind_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/jobs"
	"github.com/tendcare/tend/internal/notify"
	"github.com/tendcare/tend/internal/remind"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

const password = "a demo password for tests"

// delivery is one message the recording sender was given, and when.
type delivery struct {
	to  notify.Recipient
	msg notify.Message
	at  time.Time
}

// recorder is a Sender that records what it is asked to deliver; fail
// makes it fail (a channel that is down).
type recorder struct {
	mu    sync.Mutex
	clock tend.Clock
	got   []delivery
	fail  bool
}

func (r *recorder) Deliver(_ context.Context, to notify.Recipient, m notify.Message) (notify.Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return notify.Result{}, errors.New("channel down")
	}
	r.got = append(r.got, delivery{to: to, msg: m, at: r.clock.Now()})
	return notify.Result{Push: 1}, nil
}

func (r *recorder) to(id tend.ID) []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []delivery
	for _, d := range r.got {
		if d.to.ID == id {
			out = append(out, d)
		}
	}
	return out
}

// fixture is the demo service on a real store: sam and alex (people), lee
// (their therapist), and the reminder service with a recording sender.
type fixture struct {
	db       *store.DB
	clock    *tend.FixedClock
	accounts *auth.Service
	svc      *remind.Service
	sent     *recorder
	sam      tend.Actor
	alex     tend.Actor
	lee      tend.Actor
}

func newFixture(t *testing.T, start time.Time) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{clock: &tend.FixedClock{T: start}}
	db := testenv.Store(t, f.clock)
	f.db = db
	s, err := demo.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if err := settings.Save(ctx, db, s); err != nil {
		t.Fatal(err)
	}
	// Units of work enqueue jobs; this client only inserts them, and the
	// tests run the sends by hand as the worker does.
	if _, err := jobs.New(db, jobs.Options{Node: "test", Logger: testenv.Discard()}); err != nil {
		t.Fatal(err)
	}
	checker := access.NewChecker(db)
	f.accounts = auth.NewService(store.For[auth.Tx](db), f.clock, auth.Options{Demo: true, TimeZone: s.TimeZone, Country: s.Country, CareTeam: db})
	careTeam := careteam.NewService(store.For[careteam.Tx](db), checker, f.clock)
	if err := demo.Seed(ctx, demo.Services{Accounts: f.accounts, CareTeam: careTeam}, password); err != nil {
		t.Fatal(err)
	}
	f.sent = &recorder{clock: f.clock}
	f.svc = remind.NewService(store.For[remind.Tx](db), checker, f.sent, f.clock)
	person := func(name string) tend.Actor {
		p, err := db.FindPersonAccountByUsername(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return tend.Actor{Kind: tend.KindPerson, ID: p.ID}
	}
	f.sam, f.alex = person("sam"), person("alex")
	lee, err := db.FindStaffAccountByEmail(ctx, "lee@example.org")
	if err != nil {
		t.Fatal(err)
	}
	f.lee = tend.Actor{Kind: tend.KindStaff, ID: lee.ID, Role: tend.RoleClinician, MFA: true}
	return f
}

// zone sets the person's time zone as they would on their settings page.
func (f *fixture) zone(t *testing.T, who tend.Actor, tz string) *time.Location {
	t.Helper()
	if err := f.accounts.SetTimeZone(context.Background(), who, tz); err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func (f *fixture) save(t *testing.T, who tend.Actor, p remind.Preferences) remind.Preferences {
	t.Helper()
	out, err := f.svc.Save(context.Background(), who, who.ID, p)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// tick runs the due finder and then every pending send, as the periodic
// job and the send worker do.
func (f *fixture) tick(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	if _, err := f.svc.FindDue(ctx); err != nil {
		t.Fatal(err)
	}
	f.deliverPending(t)
}

func (f *fixture) deliverPending(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	for _, who := range []tend.Actor{f.sam, f.alex} {
		sends, err := f.db.FindReminderSends(ctx, who.ID, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range sends {
			if s.State == remind.StatePending {
				if err := f.svc.Deliver(ctx, s.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// run steps the clock from the fixture's time to end, ticking every step.
func (f *fixture) run(t *testing.T, end time.Time, step time.Duration) {
	t.Helper()
	for f.clock.T.Before(end) {
		f.clock.Advance(step)
		f.tick(t)
	}
}

func (f *fixture) sends(t *testing.T, who tend.Actor) []remind.Send {
	t.Helper()
	s, err := f.db.FindReminderSends(context.Background(), who.ID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func diaryAt(at string) remind.Preferences {
	return remind.Preferences{Diary: true, At: at}
}

// TestOncePerDayAcrossDST is the "done when": a person in
// Europe/London and one in Australia/Sydney, each with a 20:00 diary
// reminder, get exactly one reminder per local date, at 20:00 local,
// across both zones' daylight-saving changes (London 29 March and 25
// October 2026, Sydney 5 April and 4 October 2026).
func TestOncePerDayAcrossDST(t *testing.T) {
	periods := []struct {
		name       string
		start, end time.Time
		first      string // first and last local dates reminded
		last       string
	}{
		{"Spring", time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 10, 0, 0, 0, 0, time.UTC), "2026-03-20", "2026-04-09"},
		{"Autumn", time.Date(2026, 9, 25, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC), "2026-09-25", "2026-11-04"},
	}
	for _, pp := range periods {
		t.Run(pp.name, func(t *testing.T) {
			f := newFixture(t, pp.start)
			london := f.zone(t, f.sam, "Europe/London")
			sydney := f.zone(t, f.alex, "Australia/Sydney")
			f.save(t, f.sam, diaryAt("20:00"))
			f.save(t, f.alex, diaryAt("20:00"))
			f.run(t, pp.end, 5*time.Minute)
			for _, c := range []struct {
				who tend.Actor
				loc *time.Location
			}{{f.sam, london}, {f.alex, sydney}} {
				got := f.sent.to(c.who.ID)
				days := map[string]int{}
				for _, d := range got {
					local := d.at.In(c.loc)
					if local.Hour() != 20 || local.Minute() != 0 {
						t.Errorf("%s: delivered at %s local, want 20:00", c.loc, local.Format(time.DateTime))
					}
					days[local.Format(time.DateOnly)]++
					if d.msg.Kind != notify.KindReminder || d.msg.Path != "/me/diary" {
						t.Errorf("%s: message %+v, want a reminder to /me/diary", c.loc, d.msg)
					}
				}
				first, _ := time.Parse(time.DateOnly, pp.first)
				last, _ := time.Parse(time.DateOnly, pp.last)
				want := int(last.Sub(first).Hours()/24) + 1
				if len(got) != want || len(days) != want {
					t.Errorf("%s: %d deliveries on %d dates, want %d on %d", c.loc, len(got), len(days), want, want)
				}
				for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
					if n := days[d.Format(time.DateOnly)]; n != 1 {
						t.Errorf("%s: %s reminded %d times, want 1", c.loc, d.Format(time.DateOnly), n)
					}
				}
				for _, s := range f.sends(t, c.who) {
					if s.State != remind.StateSent || s.Push != 1 {
						t.Errorf("%s: send %s is %s (%s) with %d pushes, want sent with 1", c.loc, s.Occurrence, s.State, s.Reason, s.Push)
					}
				}
			}
		})
	}
}

// TestFindDueConcurrent runs the due finder twice, and on two goroutines
// at once, for the same minute: one send.
func TestFindDueConcurrent(t *testing.T) {
	f := newFixture(t, time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC))
	f.zone(t, f.sam, "Europe/London")
	f.save(t, f.sam, diaryAt("20:00"))
	f.clock.T = time.Date(2026, 6, 1, 19, 0, 0, 0, time.UTC) // 20:00 BST
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() { _, errs[i] = f.svc.FindDue(ctx) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.FindDue(ctx); err != nil {
		t.Fatal(err)
	}
	f.deliverPending(t)
	f.deliverPending(t)
	if got := f.sends(t, f.sam); len(got) != 1 {
		t.Fatalf("%d sends, want 1", len(got))
	}
	if got := f.sent.to(f.sam.ID); len(got) != 1 {
		t.Fatalf("%d deliveries, want 1", len(got))
	}
}

func TestQuietHours(t *testing.T) {
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		at       string
		from, to string
		want     string // local HH:MM of delivery, or "" when skipped
	}{
		{"WaitsUntilTheyEnd", "20:00", "19:30", "21:00", "21:00"},
		{"OutsideQuietHours", "20:00", "22:00", "07:00", "20:00"},
		{"MorningEndOfWrappingQuietHours", "06:30", "22:00", "07:00", "07:00"},
		{"SkippedWhenTheyEndPastTheBound", "20:00", "19:00", "22:30", ""},
		{"SkippedWhenTheyEndTheNextDay", "23:00", "22:00", "07:00", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, day)
			f.zone(t, f.sam, "UTC")
			f.save(t, f.sam, remind.Preferences{Diary: true, At: tt.at, QuietFrom: tt.from, QuietTo: tt.to})
			f.run(t, day.Add(24*time.Hour), 5*time.Minute)
			got := f.sent.to(f.sam.ID)
			sends := f.sends(t, f.sam)
			if len(sends) != 1 {
				t.Fatalf("%d sends, want 1", len(sends))
			}
			if tt.want == "" {
				if len(got) != 0 || sends[0].State != remind.StateSkipped || sends[0].Reason != remind.SkipQuiet {
					t.Fatalf("delivered %d, send %s (%s); want skipped for quiet hours", len(got), sends[0].State, sends[0].Reason)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("%d deliveries, want 1", len(got))
			}
			if at := got[0].at.Format("15:04"); at != tt.want {
				t.Errorf("delivered at %s, want %s", at, tt.want)
			}
		})
	}
}

func TestLateBound(t *testing.T) {
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	t.Run("NodeDownAtTheTime", func(t *testing.T) {
		f := newFixture(t, day)
		f.zone(t, f.sam, "UTC")
		f.save(t, f.sam, diaryAt("20:00"))
		// Nothing runs from before 20:00 until 03:00 the next day.
		f.clock.T = day.Add(27 * time.Hour)
		f.tick(t)
		if got := f.sent.to(f.sam.ID); len(got) != 0 {
			t.Fatalf("%d deliveries at 03:00, want none", len(got))
		}
		sends := f.sends(t, f.sam)
		if len(sends) != 1 || sends[0].State != remind.StateSkipped || sends[0].Reason != remind.SkipLate || sends[0].Occurrence != "2026-06-01" {
			t.Fatalf("sends %+v, want one skipped as late for 2026-06-01", sends)
		}
		// The next day's reminder goes out as usual.
		f.run(t, day.Add(48*time.Hour), 5*time.Minute)
		if got := f.sent.to(f.sam.ID); len(got) != 1 || got[0].at != day.Add(44*time.Hour) {
			t.Fatalf("deliveries %+v, want one at 2026-06-02 20:00", got)
		}
	})
	t.Run("SendJobRunsLate", func(t *testing.T) {
		f := newFixture(t, day)
		f.zone(t, f.sam, "UTC")
		f.save(t, f.sam, diaryAt("20:00"))
		f.clock.T = day.Add(20 * time.Hour)
		if _, err := f.svc.FindDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(remind.LateBound + time.Minute)
		f.deliverPending(t)
		sends := f.sends(t, f.sam)
		if len(f.sent.to(f.sam.ID)) != 0 || len(sends) != 1 || sends[0].Reason != remind.SkipLate {
			t.Fatalf("sends %+v, want one skipped as late and nothing delivered", sends)
		}
	})
	t.Run("RetriedUntilDelivered", func(t *testing.T) {
		f := newFixture(t, day)
		f.zone(t, f.sam, "UTC")
		f.save(t, f.sam, diaryAt("20:00"))
		f.clock.T = day.Add(20 * time.Hour)
		if _, err := f.svc.FindDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		f.sent.fail = true
		sends := f.sends(t, f.sam)
		if err := f.svc.Deliver(context.Background(), sends[0].ID); err == nil {
			t.Fatal("Deliver with the channel down: no error, want one (River retries)")
		}
		f.sent.fail = false
		f.clock.Advance(time.Minute)
		f.deliverPending(t)
		f.deliverPending(t)
		got := f.sent.to(f.sam.ID)
		if len(got) != 1 || got[0].msg.ID != sends[0].ID {
			t.Fatalf("deliveries %+v, want one with the send's id", got)
		}
	})
}

// TestSkipWhenCardSaved: the diary reminder is recorded as skipped when
// the person already saved today's card.
func TestSkipWhenCardSaved(t *testing.T) {
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	f := newFixture(t, day)
	f.zone(t, f.sam, "UTC")
	f.save(t, f.sam, diaryAt("20:00"))
	_, err := f.db.Writer().Exec(`INSERT INTO diary_cards (id, person_id, day, time_zone, scale_version, late_days, in_session, entered_by,
		first_saved_at, updated_at, self_harm, attempt, ridden_out) VALUES ($1, $2, '2026-06-01', 'UTC', 1, 0, false, 'person', $3, $3, 0, false, 0)`,
		string(tend.NewID()), string(f.sam.ID), day.Add(9*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	f.run(t, day.Add(48*time.Hour), 5*time.Minute)
	sends := f.sends(t, f.sam) // newest first
	if len(sends) != 2 {
		t.Fatalf("%d sends, want 2", len(sends))
	}
	if s := sends[1]; s.Occurrence != "2026-06-01" || s.State != remind.StateSkipped || s.Reason != remind.SkipDone {
		t.Errorf("first day: %+v, want skipped as done", s)
	}
	if s := sends[0]; s.Occurrence != "2026-06-02" || s.State != remind.StateSent {
		t.Errorf("second day: %+v, want sent", s)
	}
	if got := f.sent.to(f.sam.ID); len(got) != 1 {
		t.Errorf("%d deliveries, want 1", len(got))
	}
}

// TestOptIn: a person who never saved preferences has everything off and
// gets nothing.
func TestOptIn(t *testing.T) {
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	f := newFixture(t, day)
	v, err := f.svc.Preferences(context.Background(), f.sam, f.sam.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Preferences.Any() || v.Preferences.NextDueAt != nil {
		t.Fatalf("preferences %+v, want all off", v.Preferences)
	}
	// Saving the defaults (the form untouched) still turns nothing on.
	f.save(t, f.sam, remind.Defaults(f.sam.ID))
	f.run(t, day.Add(8*24*time.Hour), 15*time.Minute)
	if n := len(f.sends(t, f.sam)); n != 0 {
		t.Fatalf("%d sends, want none", n)
	}
}

func TestAccess(t *testing.T) {
	f := newFixture(t, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	ctx := context.Background()
	f.save(t, f.sam, diaryAt("20:00"))
	for _, tt := range []struct {
		name  string
		actor tend.Actor
		want  string
	}{
		{"AnotherPerson", f.alex, tend.ENOTFOUND},
		{"Therapist", f.lee, tend.ENOTFOUND},
		{"Admin", tend.Actor{Kind: tend.KindStaff, ID: f.lee.ID, Role: tend.RoleAdmin, MFA: true}, tend.ENOTFOUND},
		{"SignedOut", tend.Actor{}, tend.EUNAUTHORIZED},
	} {
		t.Run(tt.name+"/Read", func(t *testing.T) {
			if _, err := f.svc.Preferences(ctx, tt.actor, f.sam.ID); tend.ErrorKind(err) != tt.want {
				t.Fatalf("err %v, want %s", err, tt.want)
			}
		})
		t.Run(tt.name+"/Save", func(t *testing.T) {
			if _, err := f.svc.Save(ctx, tt.actor, f.sam.ID, remind.Preferences{At: "07:00"}); tend.ErrorKind(err) != tt.want {
				t.Fatalf("err %v, want %s", err, tt.want)
			}
		})
	}
	v, err := f.svc.Preferences(ctx, f.sam, f.sam.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Preferences.Diary || v.Preferences.At != "20:00" {
		t.Fatalf("sam's preferences changed: %+v", v.Preferences)
	}
}

func TestValidate(t *testing.T) {
	f := newFixture(t, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	for _, tt := range []struct {
		name  string
		p     remind.Preferences
		field string
	}{
		{"BadTime", remind.Preferences{At: "25:00"}, "at"},
		{"QuietHalf", remind.Preferences{At: "20:00", QuietFrom: "22:00"}, "quiet"},
		{"QuietSame", remind.Preferences{At: "20:00", QuietFrom: "22:00", QuietTo: "22:00"}, "quiet"},
		{"BadDay", remind.Preferences{At: "20:00", WeeklyDay: 9}, "weekly_day"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.Save(context.Background(), f.sam, f.sam.ID, tt.p)
			var inv *remind.InvalidError
			if tend.ErrorKind(err) != tend.EINVALID || !errors.As(err, &inv) || inv.Problems[tt.field] == "" {
				t.Fatalf("err %v, want EINVALID on %s", err, tt.field)
			}
		})
	}
}

// TestZoneChange: a person who moves east gets that day's reminder at 20:00
// in the new zone, and still one per local date.
func TestZoneChange(t *testing.T) {
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	f := newFixture(t, day)
	f.zone(t, f.sam, "Europe/London")
	f.save(t, f.sam, diaryAt("20:00"))
	f.clock.T = day.Add(7 * time.Hour) // 08:00 in London, 16:00 in Tokyo
	tokyo := f.zone(t, f.sam, "Asia/Tokyo")
	f.run(t, day.Add(48*time.Hour), 5*time.Minute)
	got := f.sent.to(f.sam.ID)
	if len(got) != 2 {
		t.Fatalf("%d deliveries, want 2", len(got))
	}
	for i, d := range got {
		local := d.at.In(tokyo)
		if want := time.Date(2026, 6, 1+i, 20, 0, 0, 0, tokyo); !local.Equal(want) {
			t.Errorf("delivery %d at %s, want %s", i, local, want)
		}
	}
}

// TestWeeklySummary goes out on its weekday at the chosen time, apart
// from the daily reminder.
func TestWeeklySummary(t *testing.T) {
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) // a Monday
	f := newFixture(t, day)
	f.zone(t, f.sam, "UTC")
	f.save(t, f.sam, remind.Preferences{Diary: true, Weekly: true, WeeklyDay: time.Wednesday, At: "18:30"})
	f.run(t, day.Add(14*24*time.Hour), 10*time.Minute)
	var weekly, daily int
	for _, d := range f.sent.to(f.sam.ID) {
		switch d.msg.Kind {
		case notify.KindWeeklySummary:
			weekly++
			if d.at.Weekday() != time.Wednesday || d.at.Format("15:04") != "18:30" {
				t.Errorf("weekly summary at %s", d.at)
			}
		case notify.KindReminder:
			daily++
		}
	}
	if weekly != 2 || daily != 14 {
		t.Fatalf("%d weekly and %d daily, want 2 and 14", weekly, daily)
	}
}

// TestOccurrencesAtTheChange: a time in the fall-back hour is its first
// instance; a time in the spring-forward gap still happens once that day.
func TestOccurrencesAtTheChange(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	p := remind.Preferences{Diary: true, At: "01:30"}
	t.Run("FallBackFirstInstance", func(t *testing.T) {
		day := time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC)
		got := remind.Occurrences(p, london, day.Add(-2*time.Hour), day.Add(4*time.Hour))
		if len(got) != 1 || got[0].Key != "2026-10-25" || !got[0].At.Equal(time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)) {
			t.Fatalf("occurrences %+v, want one at 00:30 UTC (01:30 BST)", got)
		}
		next := remind.Next(p, london, day.Add(-2*time.Hour))
		if next == nil || !next.Equal(got[0].At) {
			t.Fatalf("next %v, want %v", next, got[0].At)
		}
	})
	t.Run("SpringForwardGapOnce", func(t *testing.T) {
		day := time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC)
		got := remind.Occurrences(p, london, day.Add(-12*time.Hour), day.Add(12*time.Hour))
		if len(got) != 1 || got[0].Key != "2026-03-29" {
			t.Fatalf("occurrences %+v, want one on 2026-03-29", got)
		}
	})
}
