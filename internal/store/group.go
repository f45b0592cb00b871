package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"

	"github.com/tendcare/tend"
)

// Group commit on SQLite. Every unit of work waits for the one writer
// connection, and each commit waits for its own fsync. Units that queue
// while another is being written are written together: one after the
// other in one transaction, each inside a savepoint of its own, with one
// commit and one fsync for the group. A unit that fails is rolled back to
// its savepoint alone; each unit learns its outcome only once the group's
// commit has returned, so nothing is acknowledged before it is durable.
// A unit that finds the writer free is written on its own, exactly as
// before (PostgreSQL groups concurrent commits itself).

// maxGroup bounds how many units one commit carries, so that the first of
// them does not wait behind an ever longer queue.
const maxGroup = 32

// writeQueue holds the units waiting for the writer. While writing is true
// exactly one goroutine, the leader, takes units from the queue and writes
// them; when it is done it hands the writer to the first unit still
// queued, or marks it free.
type writeQueue struct {
	mu      sync.Mutex
	queue   []*queuedUnit
	writing bool
	// groups and grouped count the commits of more than one unit and the
	// units they held (read by the tests).
	groups, grouped int64
}

// queuedUnit is one InTx call waiting for the writer.
type queuedUnit struct {
	ctx      context.Context
	fn       func(*Tx) error
	err      error
	panicked any
	done     chan struct{} // closed once the unit's outcome is final
	lead     chan struct{} // closed when this unit is to lead the next group
}

// inGroup runs fn as one unit of work on the SQLite writer, alone or in a
// group.
func (db *DB) inGroup(ctx context.Context, fn func(*Tx) error) error {
	u := &queuedUnit{ctx: ctx, fn: fn, done: make(chan struct{}), lead: make(chan struct{})}
	q := &db.queue
	q.mu.Lock()
	q.queue = append(q.queue, u)
	leader := !q.writing
	q.writing = true
	q.mu.Unlock()
	if !leader {
		select {
		case <-u.done:
		case <-u.lead:
			leader = true
		}
	}
	if leader {
		db.lead()
	}
	<-u.done
	if u.panicked != nil {
		panic(u.panicked)
	}
	return u.err
}

// lead writes the units queued now (the leader's own first among them),
// then hands the writer on.
func (db *DB) lead() {
	q := &db.queue
	q.mu.Lock()
	n := min(len(q.queue), maxGroup)
	units := make([]*queuedUnit, n)
	copy(units, q.queue)
	q.queue = q.queue[n:]
	if n > 1 {
		q.groups++
		q.grouped += int64(n)
	}
	q.mu.Unlock()

	// Whatever happens below, each unit learns its outcome and the writer
	// is handed on: a leader that never did would stop every write.
	defer func() {
		if p := recover(); p != nil {
			for _, u := range units {
				if u.err == nil && u.panicked == nil {
					u.panicked = p
				}
			}
		}
		for _, u := range units {
			close(u.done)
		}
		q.mu.Lock()
		defer q.mu.Unlock()
		if len(q.queue) == 0 {
			q.writing = false
			return
		}
		close(q.queue[0].lead)
	}()
	if len(units) == 1 {
		u := units[0]
		u.panicked, u.err = db.writeAlone(u.ctx, u.fn)
		return
	}
	db.writeGroup(units)
}

// writeAlone is one unit of work in its own transaction.
func (db *DB) writeAlone(ctx context.Context, fn func(*Tx) error) (panicked any, err error) {
	begun, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, beginFailed(err)
	}
	defer begun.Rollback() //nolint:errcheck // after Commit it only reports that the transaction is done
	if panicked, err = db.runUnit(begun, fn); err != nil || panicked != nil {
		return panicked, err
	}
	if err := begun.Commit(); err != nil {
		return nil, fmt.Errorf("store: commit: %w", err)
	}
	return nil, nil
}

// writeGroup writes units in one transaction, each in a savepoint, and
// commits once. A unit whose context has ended before its turn is not run.
// If the transaction itself fails (a savepoint that cannot be rolled back
// or released, or the commit), every unit that had not already failed on
// its own gets that error: none of them was written.
func (db *DB) writeGroup(units []*queuedUnit) {
	// The transaction belongs to no single caller: a caller that goes away
	// must not roll back the others' work.
	bg := context.Background()
	// fail gives err to every unit not already failed on its own; the
	// deferred rollback undoes the group.
	fail := func(err error) {
		for _, u := range units {
			if u.err == nil && u.panicked == nil {
				u.err = err
			}
		}
	}
	begun, err := db.write.BeginTx(bg, nil)
	if err != nil {
		fail(beginFailed(err))
		return
	}
	defer begun.Rollback() //nolint:errcheck // after Commit it only reports that the transaction is done
	for _, u := range units {
		if err := u.ctx.Err(); err != nil {
			u.err = err
			continue
		}
		if _, err := begun.ExecContext(bg, `SAVEPOINT unit`); err != nil {
			fail(fmt.Errorf("store: savepoint: %w", err))
			return
		}
		if panicked, err := db.runUnit(begun, u.fn); err != nil || panicked != nil {
			u.err, u.panicked = err, panicked
			if _, rerr := begun.ExecContext(bg, `ROLLBACK TO unit`); rerr != nil {
				fail(fmt.Errorf("store: roll back a unit of work: %w", rerr))
				return
			}
		}
		if _, err := begun.ExecContext(bg, `RELEASE unit`); err != nil {
			fail(fmt.Errorf("store: release a unit of work: %w", err))
			return
		}
	}
	if err := begun.Commit(); err != nil {
		fail(fmt.Errorf("store: commit: %w", err))
	}
}

// runUnit runs fn as a unit of work on the writer's transaction begun,
// dated now, then the fault a test injected before commit, if any. A panic
// becomes a value to re-raise on the caller's own goroutine.
func (db *DB) runUnit(begun *sql.Tx, fn func(*Tx) error) (panicked any, err error) {
	defer func() {
		if p := recover(); p != nil {
			panicked = p
		}
	}()
	if err := fn(&Tx{tx: sqlTx{Tx: begun, cache: db.writeStmts}, db: db, now: db.Now()}); err != nil {
		return nil, err
	}
	if db.failBeforeCommit != nil {
		return nil, db.failBeforeCommit()
	}
	return nil, nil
}

func beginFailed(err error) error {
	return tend.Wrap(tend.EUNAVAILABLE, fmt.Errorf("store: begin: %w", err), "The database is not available right now.")
}
