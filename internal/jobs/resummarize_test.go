package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/tendcare/tend/internal/jobs"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

// TestResummarizeRunsOnStart checks that the job summarising old diary
// cards again is registered and runs when a node starts working, without
// waiting its period (a day).
func TestResummarizeRunsOnStart(t *testing.T) {
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
	c, err := jobs.New(db, jobs.Options{Node: "node-a", Work: true, FetchPollInterval: 100 * time.Millisecond, Logger: testenv.Logger(t),
		Resummarize: func(context.Context) (int, error) { runs <- struct{}{}; return 0, nil }})
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
		t.Fatal("the resummarize job did not run within 40 s of starting")
	}
}
