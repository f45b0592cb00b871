package jobs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/jobs"
	"github.com/tendcare/tend/internal/retention"
	"github.com/tendcare/tend/internal/rights"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

// retentionDB returns a store on the clock, with the job client wired in
// (not working, so enqueued jobs stay in the queue to be counted), a team,
// and the people named.
func retentionDB(t *testing.T, clock tend.Clock, people ...string) (*store.DB, func(q string, args ...any)) {
	t.Helper()
	db, _, exec := retentionClient(t, clock, people...)
	return db, exec
}

func retentionClient(t *testing.T, clock tend.Clock, people ...string) (*store.DB, *jobs.Client, func(q string, args ...any)) {
	t.Helper()
	db := testenv.Store(t, clock)
	c, err := jobs.New(db, jobs.Options{Node: "node-a", Logger: testenv.Logger(t)})
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Writer().Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	now := clock.Now()
	exec(`INSERT INTO teams (id, name, kind, created_at) VALUES ('t1', 'One', 'care', $1)`, now)
	for _, p := range people {
		exec(`INSERT INTO people (id, username, password_hash, team_id, state, time_zone, country, created_at) VALUES ($1, $1, 'x', 't1', 'in_treatment', 'UTC', 'GB', $2)`, p, now)
	}
	return db, c, exec
}

func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Writer().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestDeleteOldDrafts checks that drafts not touched for the retention
// period are deleted, and that newer drafts and saved records stay.
func TestDeleteOldDrafts(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC)
	clock := &tend.FixedClock{T: now}
	db, exec := retentionDB(t, clock, "sam")
	old, recent := now.AddDate(0, 0, -31), now.AddDate(0, 0, -29)
	exec(`INSERT INTO diary_note_drafts (person_id, day, body, saved_at) VALUES ('sam', '2026-10-01', $1, $2), ('sam', '2026-11-01', $1, $3)`,
		[]byte("sealed"), old, recent)
	exec(`INSERT INTO measure_assignments (id, person_id, instrument_id, schedule_kind, every_weeks, starts_on, created_by, created_at)
		VALUES ('a1', 'sam', 'phq9', 'every_weeks', 2, '2026-01-01', 'lee', $1)`, old)
	for i, r := range []struct {
		id       string
		finished bool
		updated  time.Time
	}{{"old-draft", false, old}, {"new-draft", false, recent}, {"old-finished", true, old}} {
		due := "d" + r.id
		exec(`INSERT INTO measure_due (id, assignment_id, person_id, instrument_id, due_on, reason, created_at) VALUES ($1, 'a1', 'sam', 'phq9', $2, 'interval', $3)`,
			due, "2026-0"+string(rune('1'+i))+"-01", old)
		var finishedAt any
		if r.finished {
			finishedAt = r.updated
		}
		exec(`INSERT INTO measure_responses (id, due_id, person_id, instrument_id, version, answers, score, finished, started_at, updated_at, finished_at, entered_by)
			VALUES ($1, $2, 'sam', 'phq9', '1', '[]', '{}', $3, $4, $4, $5, 'sam')`, r.id, due, r.finished, r.updated, finishedAt)
	}
	svc := retention.NewService(store.For[retention.Tx](db), clock, func() retention.Settings { return retention.Settings{DraftDays: 30} })
	got, err := svc.DeleteDrafts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got != (retention.Drafts{DiaryNotes: 1, Questionnaires: 1}) {
		t.Errorf("deleted %+v, want one diary note draft and one questionnaire draft", got)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM diary_note_drafts WHERE saved_at = $1`, recent); n != 1 {
		t.Errorf("the recent diary note draft is gone")
	}
	var left []string
	rows, err := db.Writer().Query(`SELECT id FROM measure_responses ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		left = append(left, id)
	}
	_ = rows.Close()
	if strings.Join(left, ",") != "new-draft,old-finished" {
		t.Errorf("questionnaire responses left: %v, want the new draft and the finished one", left)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND target = $2`, retention.AuditDraftsDeleted,
		"drafts:diary_notes=1,questionnaires=1"); n != 1 {
		t.Errorf("%d audit events of the run with its counts, want 1", n)
	}
	if again, err := svc.DeleteDrafts(ctx); err != nil || again.Total() != 0 {
		t.Errorf("second run deleted %+v, %v; want nothing", again, err)
	}
	// The default period (90 days) keeps the draft 29 days old even a
	// month later.
	clock.Advance(30 * 24 * time.Hour)
	def := retention.NewService(store.For[retention.Tx](db), clock, nil)
	if got, err := def.DeleteDrafts(ctx); err != nil || got.Total() != 0 {
		t.Errorf("default period deleted %+v, %v; want nothing", got, err)
	}
}

// TestSweepErasures checks that an erasure whose hold has ended and that
// has no job gets one, once however often the sweep runs, and that
// erasures cancelled, done or not yet due get none.
func TestSweepErasures(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC)
	clock := &tend.FixedClock{T: now}
	db, client, exec := retentionClient(t, clock, "sam", "ana", "kim", "lou")
	day := 24 * time.Hour
	exec(`INSERT INTO erasure_requests (id, person_id, requested_at, due_at, cancelled_at, erased_at) VALUES
		('e-due', 'sam', $1, $2, NULL, NULL),
		('e-cancelled', 'ana', $1, $2, $2, NULL),
		('e-done', 'kim', $1, $2, NULL, $2),
		('e-later', 'lou', $1, $3, NULL, NULL)`, now.Add(-8*day), now.Add(-day), now.Add(day))
	svc := retention.NewService(store.For[retention.Tx](db), clock, nil)
	for run := 1; run <= 2; run++ {
		n, err := svc.EnqueueErasures(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[int]int{1: 1, 2: 0}[run]; n != want {
			t.Errorf("run %d enqueued %d erasures, want %d", run, n, want)
		}
	}
	kind := rights.EraseArgs{}.Kind()
	if n := count(t, db, `SELECT COUNT(*) FROM river_job WHERE kind = $1`, kind); n != 1 {
		t.Fatalf("%d erasure jobs, want 1", n)
	}
	var args string
	if err := db.Writer().QueryRow(`SELECT `+argsText()+` FROM river_job WHERE kind = $1`, kind).Scan(&args); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(args, "e-due") {
		t.Errorf("the job's arguments %s do not name the due erasure", args)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, retention.AuditErasuresEnqueued); n != 1 {
		t.Errorf("%d audit events of enqueued erasures, want 1 (the second run added none)", n)
	}
	// /metrics counts the job by kind and state.
	reg := prometheus.NewRegistry()
	reg.MustRegister(client.Collectors()...)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var got float64
	for _, f := range families {
		if f.GetName() != "tend_jobs" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["kind"] == kind && labels["state"] == "available" {
				got = m.GetGauge().GetValue()
			}
		}
	}
	if got != 1 {
		t.Errorf("tend_jobs{kind=%q,state=\"available\"} = %v, want 1", kind, got)
	}
}

func argsText() string {
	if testenv.Engine() == store.SQLite {
		return `json(args)`
	}
	return `args::text`
}

// TestPruneExpiredInvites checks that the prune job deletes invites,
// supporter invites and reset codes expired for more than 30 days, and
// keeps the rest.
func TestPruneExpiredInvites(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC)
	clock := &tend.FixedClock{T: now}
	db, exec := retentionDB(t, clock, "sam")
	long, recent := now.AddDate(0, 0, -31), now.AddDate(0, 0, -2)
	exec(`INSERT INTO invites (id, code_hash, team_id, state, created_by, created_at, expires_at) VALUES
		('i-old', $1, 't1', 'referred', 'x', $3, $3), ('i-recent', $2, 't1', 'referred', 'x', $4, $4)`, []byte{1}, []byte{2}, long, recent)
	exec(`INSERT INTO reset_codes (id, person_id, code_hash, issued_by, created_at, expires_at) VALUES
		('r-old', 'sam', $1, 'x', $2, $2), ('r-recent', 'sam', $1, 'x', $3, $3)`, []byte{3}, long, recent)
	if _, err := db.PruneExpired(ctx, "node-a", now); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		table string
		want  []string
	}{{"invites", []string{"i-recent"}}, {"reset_codes", []string{"r-recent"}}} {
		rows, err := db.Writer().Query(`SELECT id FROM ` + c.table + ` ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			got = append(got, id)
		}
		_ = rows.Close()
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s left: %v, want %v", c.table, got, c.want)
		}
	}
}
