package e2e_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

// TestPeriodicJobTwoNodes runs two `tend serve` processes on one PostgreSQL
// database with the prune job due every second, and checks from the
// database that each period ran once, whichever node ran it.
func TestPeriodicJobTwoNodes(t *testing.T) {
	t.Parallel()
	if testenv.PostgresURL() == "" {
		testenv.SkipOrFail(t, "TEND_TEST_POSTGRES is not set: two serve processes need one PostgreSQL to share")
	}
	dsn := testenv.DSN(t)
	const every = time.Second
	opt := serveOptions{
		args: []string{"--db", dsn},
		env:  []string{"TEND_PRUNE_EVERY=" + every.String()},
	}
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	countRuns := func() int {
		runs, err := db.FindMaintenanceRuns(ctx, "prune")
		if err != nil {
			t.Fatal(err)
		}
		return len(runs)
	}

	begin := time.Now()
	nodes := []*tend{startTend(t, opt), startTend(t, opt)}
	for _, n := range nodes {
		n.waitReady(30 * time.Second)
	}
	// Run for 7 s. River elects a leader and staggers its maintenance start,
	// so the first run can come several seconds after the nodes are ready
	// (up to 4 s seen on a 2-core machine): on a slow machine give them up to
	// 20 s to reach 3 runs rather than fail for slowness. The upper bound
	// below follows the time they really ran.
	ready := time.Now()
	for time.Since(ready) < 7*time.Second || (countRuns() < 3 && time.Since(ready) < 20*time.Second) {
		time.Sleep(250 * time.Millisecond)
	}
	for _, n := range nodes {
		n.Stop()
	}
	window := time.Since(begin)

	runs, err := db.FindMaintenanceRuns(ctx, "prune")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		t.Logf("run for %s ran at %s on %s", r.ScheduledAt.Format("15:04:05.000"), r.RanAt.Format("15:04:05.000"), r.Node)
	}
	// tend names its node "host-pid".
	perNode := make([]int, len(nodes))
	for _, r := range runs {
		found := false
		for i, n := range nodes {
			if strings.HasSuffix(r.Node, fmt.Sprintf("-%d", n.PID())) {
				perNode[i]++
				found = true
			}
		}
		if !found {
			t.Errorf("run %s by node %q, which is neither process", r.ID, r.Node)
		}
	}
	t.Logf("%d prune runs in %v (ready after %v): node A (pid %d) ran %d, node B (pid %d) ran %d",
		len(runs), window.Round(time.Millisecond), ready.Sub(begin).Round(time.Millisecond), nodes[0].PID(), perNode[0], nodes[1].PID(), perNode[1])

	if len(runs) < 3 {
		t.Fatalf("%d prune runs in %v with a period of %v, want at least 3", len(runs), window.Round(time.Millisecond), every)
	}
	for i := 1; i < len(runs); i++ {
		if gap := runs[i].ScheduledAt.Sub(runs[i-1].ScheduledAt); gap < every*9/10 {
			t.Errorf("runs %d and %d were scheduled %v apart (nodes %s, %s): a period ran twice", i-1, i, gap, runs[i-1].Node, runs[i].Node)
		}
	}
	// At most one run per period the nodes were up (8 for the usual 7 s).
	if limit := int(window/every) + 1; len(runs) > limit {
		t.Errorf("%d runs in %v with a period of %v, at most %d possible: more than one per period", len(runs), window.Round(time.Millisecond), every, limit)
	}
}
