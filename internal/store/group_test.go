package store_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/jobs"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

// TestConcurrentUnitsOfWork runs many units of work at once while the first
// holds the writer, so that on SQLite the rest queue and are committed in
// groups (group.go). Each unit must end exactly as if it had run alone:
// what succeeded is there, and a unit that failed, panicked, hit an
// injected fault or whose caller went away left nothing, however its
// neighbours in the group fared. On PostgreSQL the same calls run side by
// side in their own transactions.
func TestConcurrentUnitsOfWork(t *testing.T) {
	ctx := context.Background()
	db := testenv.Store(t, nil)
	if _, err := jobs.New(db, jobs.Options{Node: "test", Logger: testenv.Discard()}); err != nil {
		t.Fatal(err)
	}
	const units = 120
	expires := time.Now().Add(time.Hour)
	type outcome int
	const (
		saved outcome = iota
		refused
		panicked
		faulted
		gone
	)
	// The injected fault is one hook for the whole store: it can be aimed
	// at one unit only where units are written one after the other.
	faults := db.Engine() == store.SQLite
	kindOf := func(i int) outcome {
		switch {
		case i == 0:
			return saved
		case i%11 == 0:
			return panicked
		case i%7 == 0 && faults:
			return faulted
		case i%5 == 0:
			return refused
		case i%13 == 0:
			return gone
		}
		return saved
	}
	// A unit that asks for the fault sets it just before its own commit.
	var faultMu sync.Mutex
	faultNext := false
	db.FailBeforeCommit(func() error {
		faultMu.Lock()
		defer faultMu.Unlock()
		if faultNext {
			faultNext = false
			return tend.Errorf(tend.EUNAVAILABLE, "injected fault")
		}
		return nil
	})
	t.Cleanup(func() { db.FailBeforeCommit(nil) })

	holding := make(chan struct{})
	release := make(chan struct{})
	errs := make([]error, units)
	panics := make([]any, units)
	var wg sync.WaitGroup
	for i := range units {
		kind := kindOf(i)
		uctx, cancel := context.WithCancel(ctx)
		if kind == gone {
			cancel() // the caller has gone before the unit's turn
		}
		wg.Go(func() {
			defer cancel()
			if i > 0 {
				<-holding
			}
			defer func() { panics[i] = recover() }()
			errs[i] = db.InTx(uctx, func(tx *store.Tx) error {
				if i == 0 {
					close(holding)
					<-release // the others queue behind this one
				}
				if err := tx.PutIdempotencyKey(uctx, "group-test", fmt.Sprint(i), "done", expires); err != nil {
					return err
				}
				switch kind {
				case refused:
					if err := tx.Enqueue(uctx, jobs.PruneArgs{}); err != nil {
						return err
					}
					return tend.Errorf(tend.EINVALID, "refused after writing")
				case panicked:
					panic(fmt.Sprint("boom ", i))
				case faulted:
					faultMu.Lock()
					faultNext = true
					faultMu.Unlock()
				}
				return nil
			})
		})
	}
	<-holding
	// Let the others reach the queue (or, on PostgreSQL, start) before the
	// first unit lets go of the writer.
	time.Sleep(200 * time.Millisecond)
	close(release)
	wg.Wait()

	var want []string
	for i := range units {
		switch kind := kindOf(i); kind {
		case saved:
			if errs[i] != nil || panics[i] != nil {
				t.Errorf("unit %d: err %v, panic %v; want it saved", i, errs[i], panics[i])
			}
			want = append(want, fmt.Sprint(i))
		case refused:
			if tend.ErrorKind(errs[i]) != tend.EINVALID {
				t.Errorf("unit %d: err %v, want its own refusal", i, errs[i])
			}
		case panicked:
			if panics[i] != fmt.Sprint("boom ", i) {
				t.Errorf("unit %d: panic %v, want its own panic on its own goroutine", i, panics[i])
			}
		case faulted:
			if tend.ErrorKind(errs[i]) != tend.EUNAVAILABLE {
				t.Errorf("unit %d: err %v, want the injected fault", i, errs[i])
			}
		case gone:
			if errs[i] == nil {
				t.Errorf("unit %d: its caller had gone, yet it was written", i)
			}
		}
	}
	got := testenv.Column(t, db, `SELECT key FROM idempotency_keys WHERE scope = 'group-test'`)
	sort.Strings(got)
	sort.Strings(want)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("rows written:\n got %v\nwant %v", got, want)
	}
	if n := countRows(t, db, "river_job"); n != 0 {
		t.Errorf("river_job: %d jobs left behind by refused units", n)
	}
	if db.Engine() == store.SQLite {
		groups, grouped := db.GroupStats()
		t.Logf("%d units: %d commits of several units, holding %d units", units, groups, grouped)
		if groups == 0 {
			t.Error("no units were committed together, though they queued behind one another")
		}
	}
	// The writer is usable on its own again.
	if err := db.InTx(ctx, func(tx *store.Tx) error {
		return tx.PutIdempotencyKey(ctx, "group-test", "after", "done", expires)
	}); err != nil {
		t.Fatalf("a unit after the groups: %v", err)
	}
}
