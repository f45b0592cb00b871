package store

import (
	"context"
	"database/sql"
)

// FailBeforeCommit injects err after a unit of work has written everything
// and before it commits.
func (db *DB) FailBeforeCommit(fn func() error) { db.failBeforeCommit = fn }

// CheckDurabilityOf runs the start-up durability check on any connection.
func CheckDurabilityOf(ctx context.Context, engine Engine, conn *sql.DB) error {
	return checkDurability(ctx, engine, conn)
}

// SQLiteDSN exposes the DSN builder so tests can vary one pragma.
var SQLiteDSN = sqliteDSN
