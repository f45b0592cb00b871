package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/tendcare/tend"
)

// Inserter puts background jobs into the queue inside a transaction. The jobs
// package's River client implements it.
type Inserter interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// SetInserter wires the job queue in. Until it is set, Tx.Enqueue fails.
func (db *DB) SetInserter(i Inserter) { db.inserter = i }

// Tx is one unit of work: everything done through it commits together or
// not at all.
type Tx struct {
	tx  sqlTx
	db  *DB
	now time.Time
}

// unitKey carries an outer unit of work in a context (Within).
type unitKey struct{}

// unit is an outer unit of work that inner InTx calls join.
type unit struct {
	tx *Tx
	// failed is set when a joined InTx returned an error: the outer unit
	// then rolls back whatever its own fn returns, so an error swallowed
	// on the way out can never commit half of the work (and PostgreSQL
	// refuses further statements in a failed transaction anyway).
	failed bool
}

// joined returns the outer unit of work of db that ctx carries, or nil.
func (db *DB) joined(ctx context.Context) *unit {
	u, _ := ctx.Value(unitKey{}).(*unit)
	if u == nil || u.tx.db != db {
		return nil
	}
	return u
}

// Within runs fn in one unit of work that every DB.InTx called with the
// context fn receives joins: the inner calls run on the same transaction
// and commit or roll back with it, and reads outside a unit of work made
// with that context read through it too, so they see what the unit has
// written so far. Several service calls (each opening its own unit of
// work) thus become all-or-nothing: any error, a panic, or an error of
// any inner call even if swallowed, rolls everything back. Inside an outer
// unit, Within simply joins it.
func (db *DB) Within(ctx context.Context, fn func(context.Context) error) error {
	if db.joined(ctx) != nil {
		return fn(ctx)
	}
	return db.InTx(ctx, func(tx *Tx) error {
		u := &unit{tx: tx}
		if err := fn(context.WithValue(ctx, unitKey{}, u)); err != nil {
			return err
		}
		if u.failed {
			return tend.Errorf(tend.EINVALID, "Part of the work failed, so none of it was saved.")
		}
		return nil
	})
}

// InTx runs fn in one write transaction and commits when fn returns nil. Any
// error, or a panic, rolls everything back: data, audit events and jobs.
// When ctx carries an outer unit of work of db (Within), fn runs on it
// instead, and commits or rolls back with it.
func (db *DB) InTx(ctx context.Context, fn func(*Tx) error) (err error) {
	if u := db.joined(ctx); u != nil {
		if err := fn(u.tx); err != nil {
			u.failed = true
			return err
		}
		return nil
	}
	if db.engine == SQLite {
		return db.inGroup(ctx, fn)
	}
	panicked, err := db.writeAlone(ctx, fn)
	if panicked != nil {
		panic(panicked)
	}
	return err
}

// FailBeforeCommit makes every unit of work call fn after it has written
// everything and before it commits, and roll back if fn returns an error.
// Fault-injection tests use it to prove that data, audit events, tasks and
// jobs commit together or not at all; nil turns it off.
func (db *DB) FailBeforeCommit(fn func() error) { db.failBeforeCommit = fn }

// Now is the instant the unit of work started; every row it writes uses it.
func (tx *Tx) Now() time.Time { return tx.now }

// JobArgs is a background job's arguments; its Kind names its worker.
type JobArgs interface{ Kind() string }

// Enqueue adds a job that runs only if, and after, this unit of work commits.
func (tx *Tx) Enqueue(ctx context.Context, args JobArgs) error {
	if tx.db.inserter == nil {
		return errors.New("store: enqueue: no job queue wired in")
	}
	if _, err := tx.db.inserter.InsertTx(ctx, tx.tx.Tx, args, nil); err != nil {
		return fmt.Errorf("store: enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

// Adapter presents db to a domain package whose consumer-side interface
// wants InTx(ctx, func(T) error) with its own transaction interface T. *Tx
// implements every domain package's T.
type Adapter[T any] struct{ *DB }

// For returns an Adapter for the domain transaction interface T. It panics at
// start-up, not at the first request, if *Tx does not implement T.
func For[T any](db *DB) Adapter[T] {
	if _, ok := any(&Tx{}).(T); !ok {
		var zero *T
		panic(fmt.Sprintf("store: *Tx does not implement %T", zero))
	}
	return Adapter[T]{db}
}

// InTx runs fn in one unit of work, as DB.InTx.
func (a Adapter[T]) InTx(ctx context.Context, fn func(T) error) error {
	return a.DB.InTx(ctx, func(tx *Tx) error { return fn(any(tx).(T)) })
}
