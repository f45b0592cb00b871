package jobs_test

import (
	"context"
	"slices"
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

// stepClock is a clock the test moves while the job workers read it.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *stepClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t.UTC() }

// staffNotices records the notices the reminders give, per staff member.
type staffNotices struct {
	mu  sync.Mutex
	got map[tend.ID][]tend.ID // staff -> notice ids
}

func (n *staffNotices) NotifyTaskWaiting(_ context.Context, staffID, messageID tend.ID, path string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.got == nil {
		n.got = map[tend.ID][]tend.ID{}
	}
	n.got[staffID] = append(n.got[staffID], messageID)
	return nil
}

func (n *staffNotices) staff() []tend.ID {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []tend.ID
	for s, ids := range n.got {
		for range ids {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// TestNudgeJobs runs the reminder jobs on River (two nodes on PostgreSQL)
// with a short period: a task opened on Friday afternoon, with Monday a
// holiday, reminds the care team on Tuesday at 09:00 and the lead on
// Wednesday at 09:00, each once.
func TestNudgeJobs(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for several seconds")
	}
	ctx := context.Background()
	loc, _ := time.LoadLocation("Europe/London")
	at := func(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, loc) }
	clock := &stepClock{t: at(6, 15).UTC()}
	dsn := testenv.DSN(t)
	hours, err := settings.ParseHours("mon-fri 09:00-17:00")
	if err != nil {
		t.Fatal(err)
	}
	cal := settings.Settings{TimeZone: "Europe/London", WorkingHours: hours, Holidays: []string{"2026-03-09"}}
	cfg := func() followup.Settings { return followup.Settings{Calendar: cal} }
	notices := &staffNotices{}

	nodes := []string{"node-a"}
	if testenv.Engine() == store.Postgres {
		nodes = append(nodes, "node-b")
	}
	var dbs []*store.DB
	var clients []*jobs.Client
	for _, node := range nodes {
		db, err := store.Open(ctx, dsn, store.Options{Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		db.SetAuditChain(testenv.AuditChain())
		nudger := followup.NewNudger(store.For[followup.NudgeTx](db), notices, clock, cfg, nil)
		c, err := jobs.New(db, jobs.Options{Node: node, Work: true, FetchPollInterval: 100 * time.Millisecond, Logger: testenv.Logger(t),
			Nudges: jobs.Nudges{Scan: nudger.Scan, Send: nudger.Send, Every: time.Second}})
		if err != nil {
			t.Fatal(err)
		}
		dbs = append(dbs, db)
		clients = append(clients, c)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := dbs[0].Writer().Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	now := clock.Now()
	exec(`INSERT INTO teams (id, name, kind, created_at) VALUES ('t-river', 'Riverside', 'care', $1), ('t-hill', 'Hillside', 'care', $1)`, now)
	for _, s := range [][3]string{{"s-lee", "clinician", "t-river"}, {"s-cas", "clinician", "t-river"}, {"s-morgan", "lead", "t-river"},
		{"s-pat", "clinician", "t-river"}, {"s-kim", "lead", "t-hill"}} {
		exec(`INSERT INTO staff (id, email, name, role, password_hash, created_at) VALUES ($1, $2, $1, $3, 'x', $4)`, s[0], s[0]+"@example.org", s[1], now)
		exec(`INSERT INTO staff_teams (staff_id, team_id) VALUES ($1, $2)`, s[0], s[2])
	}
	exec(`INSERT INTO people (id, username, password_hash, team_id, state, time_zone, country, created_at) VALUES ('p-sam', 'zz-canary', 'x', 't-river', 'in_treatment', 'Europe/London', 'GB', $1)`, now)
	exec(`INSERT INTO care_team_members (id, person_id, staff_id, care_role, state, started_at, added_by) VALUES
		('m-lee', 'p-sam', 's-lee', 'therapist', 'active', $1, 'x'), ('m-cas', 'p-sam', 's-cas', 'care_coordinator', 'active', $1, 'x'),
		('m-pat', 'p-sam', 's-pat', 'prescriber', 'active', $1, 'x')`, now)
	exec(`INSERT INTO followup_tasks (id, person_id, state, route, opened_at) VALUES ('01900000-0000-7000-8000-000000000001', 'p-sam', 'open', 'care_team', $1)`, now)

	clock.Set(at(10, 9).Add(-time.Minute)) // Tuesday 08:59
	for _, c := range clients {
		if err := c.Start(ctx); err != nil {
			t.Fatal(err)
		}
	}
	defer func() {
		for _, c := range clients {
			stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
			if err := c.Stop(stopCtx); err != nil {
				t.Errorf("stop: %v", err)
			}
			cancel()
		}
	}()
	rows := func() int {
		var n int
		if err := dbs[0].Writer().QueryRow(`SELECT COUNT(*) FROM followup_nudges`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Leader election can take a few seconds; the scan runs on start.
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(40 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("%s did not happen within 40 s; notices %v", what, notices.staff())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitFor("a scan", func() bool {
		runs := 0
		_ = dbs[0].Writer().QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'followup_nudges' AND state = 'completed'`).Scan(&runs)
		return runs >= 2
	})
	if n := rows(); n != 0 || len(notices.staff()) != 0 {
		t.Fatalf("before Tuesday 09:00: %d reminders, notices %v", n, notices.staff())
	}
	clock.Set(at(10, 9))
	waitFor("the team's reminder", func() bool { return len(notices.staff()) >= 2 })
	clock.Set(at(11, 9))
	waitFor("the lead's reminder", func() bool { return len(notices.staff()) >= 3 })
	time.Sleep(3 * time.Second) // a few more periods: a second reminder, if there were one, would show
	if got, want := notices.staff(), []tend.ID{"s-cas", "s-lee", "s-morgan"}; !slices.Equal(got, want) {
		t.Fatalf("notices %v, want %v", got, want)
	}
	if n := rows(); n != 2 {
		t.Fatalf("%d reminder rows, want 2", n)
	}
	var sent int
	if err := dbs[0].Writer().QueryRow(`SELECT COUNT(*) FROM followup_nudges WHERE sent_at IS NOT NULL`).Scan(&sent); err != nil || sent != 2 {
		t.Fatalf("%d sent, %v", sent, err)
	}
}
