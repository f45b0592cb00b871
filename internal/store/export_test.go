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
