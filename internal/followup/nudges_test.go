package followup_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/jobs"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

// canary is the person's chosen name in these tests: it must appear in no
// notice, path or audit target.
const canary = "zz-canary-sam"

// pat is on Sam's care team as prescriber, a role tasks do not reach.
const pat tend.ID = "s-pat"

type notice struct {
	staff, id tend.ID
	path      string
}

// recorder is a Notifier that keeps what it was asked to deliver, and
// fails the next fail calls.
type recorder struct {
	mu   sync.Mutex
	got  []notice
	fail int
}

func (r *recorder) NotifyTaskWaiting(_ context.Context, staffID, messageID tend.ID, path string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail > 0 {
		r.fail--
		return errors.New("channel down")
	}
	r.got = append(r.got, notice{staffID, messageID, path})
	return nil
}

func (r *recorder) staff() []tend.ID {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []tend.ID
	for _, n := range r.got {
		out = append(out, n.staff)
	}
	slices.Sort(out)
	return out
}

type nudgeFixture struct {
	*fixture
	nudger   *followup.Nudger
	notifier *recorder
	cal      settings.Settings
	nudges   followup.Nudges
}

// london is the service's time zone; in March before the clocks change it
// is UTC.
var london, _ = time.LoadLocation("Europe/London")

func at(day, hour, min int) time.Time { return time.Date(2026, 3, day, hour, min, 0, 0, london) }

// nudgeSetup is the follow-up fixture with working hours mon-fri
// 09:00-17:00 in London and Monday 9 March 2026 a holiday; Sam's task
// opens on Friday 6 March at 15:00.
func nudgeSetup(t *testing.T, n followup.Nudges) (*nudgeFixture, tend.ID) {
	t.Helper()
	f := setup(t)
	if _, err := jobs.New(f.db, jobs.Options{Node: "test", Logger: testenv.Discard()}); err != nil {
		t.Fatal(err)
	}
	hours, err := settings.ParseHours("mon-fri 09:00-17:00")
	if err != nil {
		t.Fatal(err)
	}
	nf := &nudgeFixture{fixture: f, notifier: &recorder{}, nudges: n,
		cal: settings.Settings{TimeZone: "Europe/London", WorkingHours: hours, Holidays: []string{"2026-03-09"}}}
	f.exec(`UPDATE people SET username = $1 WHERE id = $2`, canary, string(sam))
	f.exec(`INSERT INTO staff (id, email, name, role, password_hash, created_at) VALUES ($1, 'pat@example.org', 'pat', 'clinician', 'x', $2)`, string(pat), f.clock.T)
	f.exec(`INSERT INTO staff_teams (staff_id, team_id) VALUES ($1, 't-river')`, string(pat))
	f.exec(`INSERT INTO care_team_members (id, person_id, staff_id, care_role, state, started_at, added_by) VALUES ('m-pat', $1, $2, 'prescriber', 'active', $3, 'x')`,
		string(sam), string(pat), f.clock.T)
	nf.nudger = followup.NewNudger(store.For[followup.NudgeTx](f.db), nf.notifier, f.clock, func() followup.Settings {
		return followup.Settings{DutyTeam: f.duty, Nudges: nf.nudges, Calendar: nf.cal}
	}, nil)
	f.clock.T = at(6, 15, 0)
	ctx := context.Background()
	if err := f.svc.MarkNoticeSeen(ctx, asSam, sam); err != nil {
		t.Fatal(err)
	}
	out, err := f.svc.RequestContact(ctx, asSam, sam, followup.ContactRequest{Method: followup.ContactCall, Key: "k1"})
	if err != nil {
		t.Fatal(err)
	}
	return nf, out.TaskID
}

// step moves the clock to when, scans, and gives every reminder the scan
// created; it returns the levels created.
func (nf *nudgeFixture) step(t *testing.T, when time.Time) []followup.NudgeLevel {
	t.Helper()
	nf.clock.T = when.UTC()
	ctx := context.Background()
	before := nf.nudgeIDs(t)
	if _, err := nf.nudger.Scan(ctx); err != nil {
		t.Fatalf("scan at %v: %v", when, err)
	}
	var levels []followup.NudgeLevel
	for id, level := range nf.nudgeIDs(t) {
		if _, ok := before[id]; ok {
			continue
		}
		levels = append(levels, level)
		if _, err := nf.nudger.Send(ctx, id); err != nil {
			t.Fatalf("send at %v: %v", when, err)
		}
	}
	return levels
}

func (nf *nudgeFixture) nudgeIDs(t *testing.T) map[tend.ID]followup.NudgeLevel {
	t.Helper()
	rows, err := nf.db.Writer().Query(`SELECT id, level FROM followup_nudges`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[tend.ID]followup.NudgeLevel{}
	for rows.Next() {
		var id, level string
		if err := rows.Scan(&id, &level); err != nil {
			t.Fatal(err)
		}
		out[tend.ID(id)] = followup.NudgeLevel(level)
	}
	return out
}

func (nf *nudgeFixture) sendJobs(t *testing.T) int {
	t.Helper()
	return count(t, nf.db, `SELECT COUNT(*) FROM river_job WHERE kind = 'followup_nudge_send'`)
}

func TestNudgesTeamThenLead(t *testing.T) {
	ctx := context.Background()
	nf, taskID := nudgeSetup(t, followup.Nudges{})
	// Nothing before Tuesday's opening: Friday evening, the weekend, the
	// Monday holiday and Tuesday 08:59 pass without a reminder.
	for _, when := range []time.Time{at(6, 16, 59), at(6, 23, 0), at(7, 12, 0), at(8, 12, 0), at(9, 9, 0), at(9, 16, 0), at(10, 8, 59)} {
		if got := nf.step(t, when); len(got) != 0 {
			t.Fatalf("at %v: %v reminders, want none before Tuesday 09:00", when, got)
		}
	}
	if got := nf.notifier.staff(); len(got) != 0 {
		t.Fatalf("notified %v before time", got)
	}
	// Tuesday 09:00: the care team, in the task roles only (not Pat the
	// prescriber, not Morgan the lead, not Kim or Dana).
	if got := nf.step(t, at(10, 9, 0)); !slices.Equal(got, []followup.NudgeLevel{followup.NudgeTeam}) {
		t.Fatalf("Tuesday 09:00: %v, want the team's reminder", got)
	}
	if got, want := nf.notifier.staff(), []tend.ID{cas, lee}; !slices.Equal(got, want) {
		t.Fatalf("team reminder reached %v, want %v", got, want)
	}
	for _, s := range []tend.ID{lee, cas} {
		if n := count(t, nf.db, `SELECT COUNT(*) FROM staff_alerts WHERE seen_at IS NULL AND task_id = '`+string(taskID)+`' AND staff_id = '`+string(s)+`'`); n != 1 {
			t.Fatalf("%s: %d unseen alerts, want 1", s, n)
		}
	}
	for _, s := range []tend.ID{pat, morgan, kim, dana} {
		if n := count(t, nf.db, `SELECT COUNT(*) FROM staff_alerts WHERE staff_id = '`+string(s)+`'`); n != 0 {
			t.Fatalf("%s got an alert", s)
		}
	}
	// Wednesday 08:59: no lead yet; 09:00: Morgan, once.
	if got := nf.step(t, at(11, 8, 59)); len(got) != 0 {
		t.Fatalf("Wednesday 08:59: %v", got)
	}
	if got := nf.step(t, at(11, 9, 0)); !slices.Equal(got, []followup.NudgeLevel{followup.NudgeLead}) {
		t.Fatalf("Wednesday 09:00: %v, want the lead's reminder", got)
	}
	if got, want := nf.notifier.staff(), []tend.ID{cas, lee, morgan}; !slices.Equal(got, want) {
		t.Fatalf("after the lead's reminder: %v, want %v", got, want)
	}
	// Each exactly once: more scans, and each reminder sent again.
	for _, when := range []time.Time{at(11, 9, 5), at(12, 9, 0), at(16, 9, 0)} {
		if got := nf.step(t, when); len(got) != 0 {
			t.Fatalf("at %v: %v more reminders", when, got)
		}
	}
	for id := range nf.nudgeIDs(t) {
		res, err := nf.nudger.Send(ctx, id)
		if err != nil || res.Given {
			t.Fatalf("send again: %+v, %v; want nothing given", res, err)
		}
	}
	if n := len(nf.notifier.staff()); n != 3 {
		t.Fatalf("%d notices, want 3", n)
	}
	if n := nf.sendJobs(t); n != 2 {
		t.Fatalf("%d send jobs, want 2", n)
	}
	// Audited as system events, without content.
	events, err := nf.db.FindAuditEvents(ctx, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	nudged := 0
	for _, e := range events {
		if strings.Contains(e.Target, canary) {
			t.Fatalf("audit target %q holds the person's name", e.Target)
		}
		if e.Action == followup.AuditTaskNudged {
			nudged++
			if e.ActorKind != tend.KindSystem || !strings.HasPrefix(e.Target, "followup_nudge:") || e.PersonID != sam {
				t.Fatalf("nudge audit %+v", e)
			}
		}
	}
	if nudged != 2 {
		t.Fatalf("%d nudge audit events, want 2", nudged)
	}
	// Nothing personal in a notice: a fixed path, an id that is neither
	// the person's nor the task's.
	for _, n := range nf.notifier.got {
		if n.path != followup.NudgePath || strings.Contains(n.path, string(sam)) || strings.Contains(n.path, canary) {
			t.Fatalf("notice path %q", n.path)
		}
		if n.id == sam || n.id == taskID || strings.Contains(string(n.id), canary) {
			t.Fatalf("notice id %q", n.id)
		}
	}
}

func TestNudgesOnceAcrossConcurrentScans(t *testing.T) {
	nf, _ := nudgeSetup(t, followup.Nudges{})
	nf.clock.T = at(11, 10, 0).UTC() // both levels overdue
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := nf.nudger.Scan(context.Background())
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	ids := nf.nudgeIDs(t)
	if len(ids) != 2 {
		t.Fatalf("%d reminders, want one per level", len(ids))
	}
	if n := nf.sendJobs(t); n != 2 {
		t.Fatalf("%d send jobs, want 2", n)
	}
	// Sends run twice each, concurrently: each staff member hears once.
	var wg2 sync.WaitGroup
	for id := range ids {
		for range 2 {
			wg2.Add(1)
			go func() {
				defer wg2.Done()
				if _, err := nf.nudger.Send(context.Background(), id); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg2.Wait()
	// A concurrent second send may deliver again before the first marks
	// the reminder sent; it reuses the notice id, so the channel keeps one.
	seen := map[tend.ID]tend.ID{}
	for _, n := range nf.notifier.got {
		if prev, ok := seen[n.staff]; ok && prev != n.id {
			t.Fatalf("%s got two different notices", n.staff)
		}
		seen[n.staff] = n.id
	}
	if len(seen) != 3 {
		t.Fatalf("reached %v, want Lee, Cas and Morgan", seen)
	}
}

func TestNudgesAcknowledged(t *testing.T) {
	ctx := context.Background()
	t.Run("BeforeTheTeamsReminder", func(t *testing.T) {
		nf, taskID := nudgeSetup(t, followup.Nudges{})
		nf.clock.T = at(9, 11, 0).UTC()
		if err := nf.svc.Acknowledge(ctx, asLee, taskID); err != nil {
			t.Fatal(err)
		}
		for _, when := range []time.Time{at(10, 9, 0), at(11, 9, 0), at(13, 9, 0)} {
			if got := nf.step(t, when); len(got) != 0 {
				t.Fatalf("acknowledged task reminded at %v: %v", when, got)
			}
		}
		if len(nf.notifier.got) != 0 {
			t.Fatalf("notices %v", nf.notifier.got)
		}
	})
	t.Run("BetweenTeamAndLead", func(t *testing.T) {
		nf, taskID := nudgeSetup(t, followup.Nudges{})
		if got := nf.step(t, at(10, 9, 0)); len(got) != 1 {
			t.Fatalf("Tuesday: %v", got)
		}
		nf.clock.T = at(10, 10, 0).UTC()
		if err := nf.svc.Acknowledge(ctx, asCas(), taskID); err != nil {
			t.Fatal(err)
		}
		if got := nf.step(t, at(11, 9, 0)); len(got) != 0 {
			t.Fatalf("lead reminded of an acknowledged task: %v", got)
		}
		if slices.Contains(nf.notifier.staff(), morgan) {
			t.Fatal("Morgan notified")
		}
	})
	t.Run("AfterDueBeforeSend", func(t *testing.T) {
		nf, taskID := nudgeSetup(t, followup.Nudges{})
		nf.clock.T = at(10, 9, 0).UTC()
		if n, err := nf.nudger.Scan(ctx); err != nil || n != 1 {
			t.Fatalf("scan: %d, %v", n, err)
		}
		if err := nf.svc.Acknowledge(ctx, asLee, taskID); err != nil {
			t.Fatal(err)
		}
		for id := range nf.nudgeIDs(t) {
			res, err := nf.nudger.Send(ctx, id)
			if err != nil || res.Given {
				t.Fatalf("send: %+v, %v; want nothing given", res, err)
			}
		}
		if len(nf.notifier.got) != 0 || count(t, nf.db, `SELECT COUNT(*) FROM followup_nudges WHERE cancelled_at IS NOT NULL`) != 1 {
			t.Fatalf("acknowledged task still reminded: %v", nf.notifier.got)
		}
	})
}

func asCas() tend.Actor {
	return tend.Actor{Kind: tend.KindStaff, ID: cas, Role: tend.RoleClinician, MFA: true}
}

func TestNudgesWorkingHours(t *testing.T) {
	team, err := followup.ParseDelay("4 working hours")
	if err != nil {
		t.Fatal(err)
	}
	nf, _ := nudgeSetup(t, followup.Nudges{Team: team})
	// Friday 15:00-17:00 is two hours; Monday is a holiday; two more
	// hours end on Tuesday at 11:00. The lead follows one working day
	// after that: Wednesday 09:00.
	if got := nf.step(t, at(10, 10, 59)); len(got) != 0 {
		t.Fatalf("10:59: %v", got)
	}
	if got := nf.step(t, at(10, 11, 0)); !slices.Equal(got, []followup.NudgeLevel{followup.NudgeTeam}) {
		t.Fatalf("Tuesday 11:00: %v", got)
	}
	if got := nf.step(t, at(11, 9, 0)); !slices.Equal(got, []followup.NudgeLevel{followup.NudgeLead}) {
		t.Fatalf("Wednesday 09:00: %v", got)
	}
}

func TestNudgesOff(t *testing.T) {
	nf, _ := nudgeSetup(t, followup.Nudges{Team: followup.Delay{Off: true}, Lead: followup.Delay{Hours: 2}})
	// The team's reminder is off; the lead's counts from the opening:
	// two working hours from Friday 15:00 is Friday 17:00.
	if got := nf.step(t, at(6, 17, 0)); !slices.Equal(got, []followup.NudgeLevel{followup.NudgeLead}) {
		t.Fatalf("Friday 17:00: %v", got)
	}
	if got, want := nf.notifier.staff(), []tend.ID{morgan}; !slices.Equal(got, want) {
		t.Fatalf("reached %v, want %v", got, want)
	}
}

func TestNudgeRetry(t *testing.T) {
	ctx := context.Background()
	nf, taskID := nudgeSetup(t, followup.Nudges{})
	nf.clock.T = at(10, 9, 0).UTC()
	if _, err := nf.nudger.Scan(ctx); err != nil {
		t.Fatal(err)
	}
	nf.notifier.fail = 2 // the channel is down for the first attempt
	var id tend.ID
	for k := range nf.nudgeIDs(t) {
		id = k
	}
	if _, err := nf.nudger.Send(ctx, id); err == nil {
		t.Fatal("send with the channel down succeeded; want an error so the job is retried")
	}
	// The in-app alert is there already.
	if n := count(t, nf.db, `SELECT COUNT(*) FROM staff_alerts WHERE task_id = '`+string(taskID)+`'`); n != 2 {
		t.Fatalf("%d alerts, want 2", n)
	}
	if _, err := nf.nudger.Send(ctx, id); err == nil {
		t.Fatal("second attempt: want the remaining failure")
	}
	res, err := nf.nudger.Send(ctx, id)
	if err != nil || !res.Given || res.Recipients != 2 {
		t.Fatalf("third attempt: %+v, %v", res, err)
	}
	want := map[tend.ID]tend.ID{lee: followup.NoticeID(id, lee), cas: followup.NoticeID(id, cas)}
	for _, n := range nf.notifier.got {
		if want[n.staff] != n.id {
			t.Fatalf("notice %+v: id not the same on retry", n)
		}
	}
	if followup.NoticeID(id, lee) == followup.NoticeID(id, cas) {
		t.Fatal("two staff share a notice id")
	}
}

func TestNudgeLeadMissing(t *testing.T) {
	nf, _ := nudgeSetup(t, followup.Nudges{})
	nf.exec(`UPDATE staff SET disabled_at = $1 WHERE id = $2`, nf.clock.T, string(morgan))
	nf.step(t, at(11, 9, 0))
	if slices.Contains(nf.notifier.staff(), morgan) {
		t.Fatal("a disabled lead was notified")
	}
	if n := count(t, nf.db, `SELECT COUNT(*) FROM followup_nudges WHERE level = 'lead' AND sent_at IS NOT NULL AND recipients = 0`); n != 1 {
		t.Fatalf("lead reminder without a lead: %d rows, want 1 recorded as reaching nobody", n)
	}
}

func TestNudgeDutyTeam(t *testing.T) {
	nf, taskID := nudgeSetup(t, followup.Nudges{})
	// Sam is discharged: the task goes to the duty team, whose lead is Jo.
	nf.exec(`INSERT INTO staff (id, email, name, role, password_hash, created_at) VALUES ('s-jo', 'jo@example.org', 'jo', 'lead', 'x', $1)`, nf.clock.T)
	nf.exec(`INSERT INTO staff_teams (staff_id, team_id) VALUES ('s-jo', 't-duty')`)
	nf.exec(`UPDATE followup_tasks SET route = 'duty', duty_team_id = 't-duty' WHERE id = $1`, string(taskID))
	nf.step(t, at(10, 9, 0))
	if got, want := nf.notifier.staff(), []tend.ID{dana, "s-jo"}; !slices.Equal(got, want) {
		t.Fatalf("duty team reminder reached %v, want %v", got, want)
	}
	nf.step(t, at(11, 9, 0))
	if got, want := nf.notifier.staff(), []tend.ID{dana, "s-jo", "s-jo"}; !slices.Equal(got, want) {
		t.Fatalf("duty lead reminder: %v, want %v", got, want)
	}
}

func TestDelayLimits(t *testing.T) {
	for _, in := range []string{"11 working days", "81 working hours"} {
		d, err := followup.ParseDelay(in)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if d.Validate() == nil {
			t.Errorf("%q: over the limit, and valid", in)
		}
		var n followup.Nudges
		if err := json.Unmarshal([]byte(`{"team":"`+in+`"}`), &n); err == nil {
			t.Errorf("%q read from JSON", in)
		}
	}
}

func TestParseDelay(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want followup.Delay
		bad  bool
	}{
		{in: "", want: followup.Delay{}},
		{in: "off", want: followup.Delay{Off: true}},
		{in: "1 working day", want: followup.Delay{Days: 1}},
		{in: " 2 Working Days ", want: followup.Delay{Days: 2}},
		{in: "4 working hours", want: followup.Delay{Hours: 4}},
		{in: "1 working hour", want: followup.Delay{Hours: 1}},
		{in: "0 working days", bad: true},
		{in: "-1 working days", bad: true},
		{in: "tomorrow", bad: true},
		{in: "4 hours", bad: true},
	} {
		got, err := followup.ParseDelay(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("%q: no error", tc.in)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
		if err := got.Validate(); err != nil {
			t.Errorf("%q: %v", tc.in, err)
		}
		if back, err := followup.ParseDelay(got.String()); err != nil || back != got {
			t.Errorf("%q: round trip %+v, %v", tc.in, back, err)
		}
	}
}
