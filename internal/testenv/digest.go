package testenv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tendcare/tend/internal/store"
)

// RowsDigest is a digest of every row query returns, in no particular
// order: two digests differ exactly when the rows do, which lets a test
// say that a refused request changed nothing.
func RowsDigest(t testing.TB, db *store.DB, query string) string {
	t.Helper()
	rows, err := db.Writer().QueryContext(context.Background(), query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var lines []string
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, fmt.Sprintf("%q", vals))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(sum[:8])
}

// ChangedTables names, sorted, the tables whose digests differ between
// before and after (maps of table to digest).
func ChangedTables(before, after map[string]string) []string {
	var out []string
	for table, d := range after {
		if before[table] != d {
			out = append(out, table)
		}
	}
	slices.Sort(out)
	return out
}

// Tables lists the database's own tables, sorted by name.
func Tables(t testing.TB, db *store.DB) []string {
	t.Helper()
	list := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if db.Engine() == store.Postgres {
		list = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	return Column(t, db, list)
}

// Column reads the one column a query returns, as text, in the order the
// rows come.
func Column(t testing.TB, db *store.DB, query string, args ...any) []string {
	t.Helper()
	rows, err := db.Writer().QueryContext(context.Background(), query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
