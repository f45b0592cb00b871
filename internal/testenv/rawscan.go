package testenv

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/tendcare/tend/internal/store"
)

// RawContains reports whether the database holds needle as plain bytes in
// any of tables: on SQLite by scanning the database file and its WAL (the
// bytes on disk), on PostgreSQL by reading every column of every row of
// the tables as raw bytes (what a database dump or a stolen disk shows).
func RawContains(t testing.TB, db *store.DB, needle string, tables ...string) bool {
	t.Helper()
	if db.Engine() == store.SQLite {
		var raw []byte
		for _, p := range []string{db.Path(), db.Path() + "-wal"} {
			b, err := os.ReadFile(p) // #nosec G304 -- a test database file.
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			raw = append(raw, b...)
		}
		return bytes.Contains(raw, []byte(needle))
	}
	for _, table := range tables {
		if tableHolds(t, db, table, needle) {
			return true
		}
	}
	return false
}

// tableHolds reports whether any column of any row of table holds needle.
func tableHolds(t testing.TB, db *store.DB, table, needle string) bool {
	t.Helper()
	rows, err := db.Writer().QueryContext(context.Background(), "SELECT * FROM "+table) // #nosec G202 -- table names from the test.
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		vals := make([][]byte, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if bytes.Contains(v, []byte(needle)) {
				return true
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return false
}
