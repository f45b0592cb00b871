package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"strconv"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// migrationLock makes migrations one process at a time, from reading the
// version to the last change: a PostgreSQL advisory lock held by one
// session (released if that session dies), or a file lock beside the
// SQLite file (released if the process dies).
func (db *DB) migrationLock(ctx context.Context) (func(), error) {
	if db.engine == SQLite {
		return lockFile(db.path + ".migrate-lock")
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: migration lock: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, int64(migrateLockKey)); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("store: migration lock: %w", err)
	}
	return func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, int64(migrateLockKey))
		_ = conn.Close()
	}, nil
}

// ErrNewerSchema means the database was migrated by a newer Tend.
var ErrNewerSchema = errors.New("store: the database schema is newer than this version of Tend knows; run the newer version, or restore a backup made for this one")

// migrateLockKey is the PostgreSQL advisory lock that serialises
// migrations across nodes starting at once.
const migrateLockKey = 0x7465_6e64_6d67 // "tendmg"

func (db *DB) migrationFS() fs.FS {
	sub, err := fs.Sub(migrations, path.Join("migrations", string(db.engine)))
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return sub
}

// TargetVersion is the newest schema version this build knows.
func (db *DB) TargetVersion() int64 {
	entries, err := fs.ReadDir(db.migrationFS(), ".")
	if err != nil {
		panic(err)
	}
	var v int64
	for _, e := range entries {
		n, _, _ := strings.Cut(e.Name(), "_")
		if x, err := strconv.ParseInt(n, 10, 64); err == nil && x > v {
			v = x
		}
	}
	return v
}

// SchemaVersion returns the version the database is at (0 when new). It is a
// plain read, cheap enough for /readyz.
func (db *DB) SchemaVersion(ctx context.Context) (int64, error) {
	var v sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT MAX(version_id) FROM goose_db_version WHERE is_applied`).Scan(&v)
	if err != nil {
		if exists, terr := db.tableExists(ctx, "goose_db_version"); terr == nil && !exists {
			return 0, nil
		}
		return 0, fmt.Errorf("store: read schema version: %w", err)
	}
	return v.Int64, nil
}

// CheckSchema returns nil when the database is at exactly this build's
// version, ErrNewerSchema when it is ahead, and an error saying to migrate
// when it is behind.
func (db *DB) CheckSchema(ctx context.Context) error {
	cur, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	switch target := db.TargetVersion(); {
	case cur > target:
		return fmt.Errorf("%w (database at %d, this build at %d)", ErrNewerSchema, cur, target)
	case cur < target:
		return fmt.Errorf("store: the database is at schema %d and this build needs %d: run 'tend migrate'", cur, target)
	}
	return nil
}

// Migrate brings the schema up to date: Tend's own migrations (goose, each in
// a transaction), then the job queue's, all under one migration lock, so
// processes starting at once migrate exactly once. A
// database from a newer Tend is refused before anything changes.
func (db *DB) Migrate(ctx context.Context, log *slog.Logger) error {
	unlock, err := db.migrationLock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	cur, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if target := db.TargetVersion(); cur > target {
		return fmt.Errorf("%w (database at %d, this build at %d)", ErrNewerSchema, cur, target)
	}
	conn, closeConn, err := db.migrationPool()
	if err != nil {
		return err
	}
	defer closeConn()

	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	dialect := goose.DialectSQLite3
	if db.engine == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, conn, db.migrationFS(), opts...)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	for _, r := range results {
		log.Info("migration applied", "version", r.Source.Version, "file", path.Base(r.Source.Path), "duration", r.Duration)
	}
	return db.migrateJobs(ctx, conn)
}

// migrationPool gives migrations their own connections. On SQLite the
// writer pool has a single connection, and the migration tools open more
// than one at a time; a short-lived pool avoids deadlocking on it.
func (db *DB) migrationPool() (*sql.DB, func(), error) {
	if db.engine == Postgres {
		return db.write, func() {}, nil
	}
	c, err := sql.Open("sqlite", sqliteDSN(db.path, true))
	if err != nil {
		return nil, nil, err
	}
	c.SetMaxOpenConns(4)
	return c, func() { _ = c.Close() }, nil
}

func (db *DB) migrateJobs(ctx context.Context, conn *sql.DB) error {
	if db.engine == SQLite {
		m, err := rivermigrate.New(riversqlite.New(conn), nil)
		if err != nil {
			return err
		}
		if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
			return fmt.Errorf("store: migrate jobs: %w", err)
		}
		return nil
	}
	// River's PostgreSQL migrations cannot share one transaction (one adds
	// an enum value that a later one uses), so they run one by one, under
	// the migration lock that Migrate holds.
	m, err := rivermigrate.New(riverdatabasesql.New(conn), nil)
	if err != nil {
		return err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("store: migrate jobs: %w", err)
	}
	return nil
}

func (db *DB) tableExists(ctx context.Context, name string) (bool, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, db.engine.tableExists(), name).Scan(&n); err != nil {
		return false, err
	}
	return n > 0, nil
}

// SchemaDump describes every table, column, index and constraint, one per
// line, for the golden schema tests.
func (db *DB) SchemaDump(ctx context.Context) (string, error) {
	var b strings.Builder
	for _, q := range db.engine.schemaQueries() {
		if err := db.appendLines(ctx, &b, q); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

func (db *DB) appendLines(ctx context.Context, b *strings.Builder, q string) error {
	rows, err := db.read.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return err
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return rows.Err()
}

// Column names one column of a table.
type Column struct{ Table, Name, Type string }

// TextColumns lists every column of the schema that can hold text, for the
// test that checks each one is either encrypted or known not to hold
// anything a person wrote.
func (db *DB) TextColumns(ctx context.Context) ([]Column, error) {
	rows, err := db.read.QueryContext(ctx, db.engine.textColumns())
	if err != nil {
		return nil, fmt.Errorf("store: text columns: %w", err)
	}
	defer rows.Close()
	var out []Column
	for rows.Next() {
		var c Column
		if err := rows.Scan(&c.Table, &c.Name, &c.Type); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
