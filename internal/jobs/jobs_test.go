package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/tendcare/tend/internal/jobs"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

// TestPeriodicOncePerPeriod runs the prune job every second for a few
// seconds, on two nodes sharing one database when the engine allows many
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
	time.Sleep(6 * every)
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
	if len(runs) < 3 {
		t.Fatalf("%d prune runs in 6 periods, want at least 3: %+v", len(runs), runs)
	}
	for i := 1; i < len(runs); i++ {
		if gap := runs[i].ScheduledAt.Sub(runs[i-1].ScheduledAt); gap < every*9/10 {
			t.Errorf("runs %d and %d were scheduled %v apart (nodes %s, %s): a period ran twice", i-1, i, gap, runs[i-1].Node, runs[i].Node)
		}
	}
	if len(runs) > 7 {
		t.Errorf("%d runs in 6 periods: more than one per period", len(runs))
	}
}
