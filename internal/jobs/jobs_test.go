package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/tendcare/tend/internal/jobs"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

// TestPeriodicOncePerPeriod runs the prune job every second until it has
// run a few times, on two nodes sharing one database when the engine allows many
// nodes (PostgreSQL), and checks that each period ran exactly once.
func TestPeriodicOncePerPeriod(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for several seconds")
	}
	ctx := context.Background()
	dsn := testenv.DSN(t)
	nodes := []string{"node-a"}
	if testenv.Engine() == store.Postgres {
		nodes = append(nodes, "node-b")
	}
	const every = time.Second
	var dbs []*store.DB
	var clients []*jobs.Client
	for _, node := range nodes {
		db, err := store.Open(ctx, dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		c, err := jobs.New(db, jobs.Options{Node: node, Work: true, PruneEvery: every, FetchPollInterval: 100 * time.Millisecond, Logger: testenv.Logger(t)})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Start(ctx); err != nil {
			t.Fatal(err)
		}
		dbs = append(dbs, db)
		clients = append(clients, c)
	}
	// Leader election can take a few seconds (SQLite polls for it), so wait
	// for enough runs rather than a fixed time, within a bound.
	const want = 4
	deadline := time.Now().Add(40 * time.Second)
	for time.Now().Before(deadline) {
		runs, err := dbs[0].FindMaintenanceRuns(ctx, "prune")
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) >= want {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(2 * every) // give a duplicate, if there were one, time to appear
	for _, c := range clients {
		stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		if err := c.Stop(stopCtx); err != nil {
			t.Errorf("stop: %v", err)
		}
		cancel()
	}
	runs, err := dbs[0].FindMaintenanceRuns(ctx, "prune")
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) < want {
		t.Fatalf("%d prune runs within 40 s, want at least %d: %+v", len(runs), want, runs)
	}
	for i := 1; i < len(runs); i++ {
		if gap := runs[i].ScheduledAt.Sub(runs[i-1].ScheduledAt); gap < every*9/10 {
			t.Errorf("runs %d and %d were scheduled %v apart (nodes %s, %s): a period ran twice", i-1, i, gap, runs[i-1].Node, runs[i].Node)
		}
	}
	perNode := map[string]int{}
	for _, r := range runs {
		perNode[r.Node]++
	}
	t.Logf("%d runs over %v, by node: %v", len(runs), runs[len(runs)-1].ScheduledAt.Sub(runs[0].ScheduledAt), perNode)
}

// TestScheduleRunsOnStart checks that the questionnaire schedule job is
// registered and runs when a node starts working, without waiting a period.
func TestScheduleRunsOnStart(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for a few seconds")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, testenv.DSN(t), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	runs := make(chan struct{}, 10)
	c, err := jobs.New(db, jobs.Options{Node: "node-a", Work: true, ScheduleEvery: time.Hour, FetchPollInterval: 100 * time.Millisecond, Logger: testenv.Logger(t),
		Schedule: func(context.Context) (int, error) { runs <- struct{}{}; return 0, nil }})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := c.Stop(stopCtx); err != nil {
			t.Errorf("stop: %v", err)
		}
	}()
	select {
	case <-runs:
	case <-time.After(40 * time.Second):
		t.Fatal("the schedule job did not run within 40 s of starting")
	}
}
