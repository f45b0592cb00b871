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

// InTx runs fn in one write transaction and commits when fn returns nil. Any
// error, or a panic, rolls everything back: data, audit events and jobs.
func (db *DB) InTx(ctx context.Context, fn func(*Tx) error) (err error) {
	begun, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return tend.Wrap(tend.EUNAVAILABLE, fmt.Errorf("store: begin: %w", err), "The database is not available right now.")
	}
	tx := &Tx{tx: sqlTx{Tx: begun, cache: db.writeStmts}, db: db, now: db.Now()}
	defer func() {
		if p := recover(); p != nil {
			_ = begun.Rollback()
			panic(p)
		}
		if err != nil {
			_ = begun.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if db.failBeforeCommit != nil {
		if err = db.failBeforeCommit(); err != nil {
			return err
		}
	}
	if err = begun.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
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
