package store

import (
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Engine names a database engine.
type Engine string

// The engines Tend runs on.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Every difference between the two SQL dialects lives in this file, so the
// rest of the package is one SQL text for both engines.

// upsertSettings writes the single service settings row.
func (e Engine) upsertSettings() string {
	// Both engines accept ON CONFLICT ... DO UPDATE with excluded.*; the
	// statement is the same text, kept here because it is the pattern later
	// upserts follow and the place to change if an engine ever differs.
	return `INSERT INTO service_settings (id, doc, version, updated_at) VALUES (1, $1, 1, $2)
		ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, version = service_settings.version + 1, updated_at = excluded.updated_at`
}

// tableExists counts the tables named $1.
func (e Engine) tableExists() string {
	if e == SQLite {
		return `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1`
	}
	return `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1`
}

// isBusy reports whether err is SQLite's "database is locked".
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

// isUniqueViolation reports whether err is a unique-constraint failure.
func (e Engine) isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// schemaQueries returns queries whose rows, joined, describe the schema.
func (e Engine) schemaQueries() []string {
	if e == SQLite {
		return []string{`SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`}
	}
	return []string{
		`SELECT 'column ' || table_name || '.' || column_name || ': ' || data_type || CASE WHEN is_nullable = 'NO' THEN ' NOT NULL' ELSE '' END || COALESCE(' DEFAULT ' || column_default, '')
		   FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, column_name`,
		`SELECT 'index ' || indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname`,
		`SELECT 'constraint ' || conrelid::regclass::text || '.' || conname || ': ' || pg_get_constraintdef(oid) FROM pg_constraint
		   WHERE connamespace = current_schema()::regnamespace ORDER BY conrelid::regclass::text, conname`,
	}
}

// forUpdate locks the rows a SELECT reads until the transaction ends. SQLite
// needs nothing: its one writer already holds the database.
func (e Engine) forUpdate() string {
	if e == SQLite {
		return ""
	}
	return " FOR UPDATE"
}

// textColumns lists every column that can hold text, as table, column,
// declared type.
func (e Engine) textColumns() string {
	if e == SQLite {
		return `SELECT m.name, p.name, UPPER(p.type) FROM sqlite_master m, pragma_table_info(m.name) p
			WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND (UPPER(p.type) LIKE '%TEXT%' OR UPPER(p.type) LIKE '%CHAR%' OR p.type = '')
			ORDER BY m.name, p.cid`
	}
	return `SELECT table_name, column_name, UPPER(data_type) FROM information_schema.columns
		WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')
		ORDER BY table_name, ordinal_position`
}

// windowsTable defines, for the query that follows, the table w(i, p, f,
// t) read from the JSON array bound to $1, one object {"i": index, "p":
// person id, "f": first day, "t": last day} per window: one parameter
// carries every window of a report, so one set-based query serves them
// all, whatever their number. The table is materialised, so that each
// window's JSON is read once and not again for every card joined to it.
func (e Engine) windowsTable() string {
	if e == SQLite {
		return `WITH w AS MATERIALIZED (SELECT CAST(json_extract(value, '$.i') AS INTEGER) AS i, json_extract(value, '$.p') AS p,
			json_extract(value, '$.f') AS f, json_extract(value, '$.t') AS t FROM json_each($1))`
	}
	return `WITH w AS MATERIALIZED (SELECT * FROM json_to_recordset($1::json) AS x(i integer, p text, f text, t text))`
}

// countIf counts the rows of a group for which cond holds, in each
// engine's fastest form: SQLite sums the condition (1 or 0; NULL, for a
// row an outer join made up, adds nothing), PostgreSQL filters.
func (e Engine) countIf(cond string) string {
	if e == SQLite {
		return "COALESCE(SUM(" + cond + "), 0)"
	}
	return "COUNT(*) FILTER (WHERE " + cond + ")"
}

// perWindow aggregates, for each window of the windows table w, the rows
// of from that cond selects for it: one row per window, its index i and
// its aggregates aggs as a JSON array. Each window's rows are read by a
// subquery of its own, through the index on cond's columns: the plan stays
// the same whatever the planner's statistics say (right after a bulk load
// PostgreSQL has none, and would join by scanning every card), and no
// engine sorts all the rows read to group them.
func (e Engine) perWindow(aggs, from, cond string) string {
	array := "json_build_array"
	if e == SQLite {
		array = "json_array"
	}
	return "SELECT w.i, (SELECT " + array + "(" + aggs + ") FROM " + from + " WHERE " + cond + ") FROM w"
}

// finalizedSince compares River's finalized_at with $1 (riverTime). River
// writes SQLite times as text, so SQLite compares them as Julian days.
func (e Engine) finalizedSince() string {
	if e == SQLite {
		return `julianday(finalized_at) >= julianday($1)`
	}
	return `finalized_at >= $1`
}

// riverTime is t as a parameter compared with River's times.
func (e Engine) riverTime(t time.Time) any {
	if e == SQLite {
		return t.UTC().Format("2006-01-02 15:04:05.000")
	}
	return t.UTC()
}

// riverErrors selects River's errors column as a JSON array text: JSONB
// on SQLite, jsonb[] on PostgreSQL.
func (e Engine) riverErrors() string {
	if e == SQLite {
		return `json(errors)`
	}
	return `array_to_json(errors)::text`
}
