package store

import (
	"context"
	"database/sql"
)

// CheckDurabilityOf runs the start-up durability check on any connection.
func CheckDurabilityOf(ctx context.Context, engine Engine, conn *sql.DB) error {
	return checkDurability(ctx, engine, conn)
}

// SQLiteDSN exposes the DSN builder so tests can vary one pragma.
var SQLiteDSN = sqliteDSN

// GroupStats reports how many SQLite commits carried several units of work,
// and how many units they carried in all.
func (db *DB) GroupStats() (groups, units int64) {
	db.queue.mu.Lock()
	defer db.queue.mu.Unlock()
	return db.queue.groups, db.queue.grouped
}
