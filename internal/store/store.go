package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/tendcare/tend"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// DB is Tend's database on either engine. On SQLite it holds one writer
// connection (SQLite allows one writer at a time, and queuing writers in Go
// is fairer than busy-waiting in SQLite) and a pool of read connections. On
// PostgreSQL both are the same pool.
type DB struct {
	engine Engine
	write  *sql.DB
	read   sqlDB // reads outside a unit of work
	// writeStmts caches the statements units of work prepare on write
	// (SQLite only; nil on PostgreSQL).
	writeStmts *stmtCache
	listener   *pgxpool.Pool // PostgreSQL only: LISTEN/NOTIFY for jobs
	clock      tend.Clock
	inserter   Inserter
	audit      *auditState
	path       string // SQLite file

	// queue groups the units of work waiting for the SQLite writer
	// (group.go); unused on PostgreSQL.
	queue writeQueue

	// failBeforeCommit, set only by tests, injects a fault after a unit of
	// work has written everything and before it commits.
	failBeforeCommit func() error
}

// Options tune Open.
type Options struct {
	Clock tend.Clock
	// ReadConns caps SQLite read connections (default: 2 x CPUs, at least 4).
	ReadConns int
	// SkipDurabilityCheck is for tests of the check itself.
	SkipDurabilityCheck bool
}

// Open connects to dsn ("sqlite:PATH" or a postgres:// URL), checks that the
// engine is set up to keep acknowledged writes through a crash, and returns
// the DB. It does not migrate.
func Open(ctx context.Context, dsn string, opt Options) (*DB, error) {
	if opt.Clock == nil {
		opt.Clock = tend.SystemClock{}
	}
	var db *DB
	var err error
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		db, err = openSQLite(path, opt)
	} else {
		db, err = openPostgres(ctx, dsn)
	}
	if err != nil {
		return nil, err
	}
	db.clock = opt.Clock
	if err := db.write.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: cannot reach the database: %w", err)
	}
	if !opt.SkipDurabilityCheck {
		if err := db.CheckDurability(ctx); err != nil {
			_ = db.Close()
			return nil, err
		}
	}
	return db, nil
}

// sqliteDSN builds a modernc DSN. Why each pragma:
//   - journal_mode WAL: readers never block the writer, and the reverse;
//   - synchronous FULL: in WAL mode, NORMAL can lose the last commits on power
//     loss; Tend acknowledges a save only once it is durable;
//   - foreign_keys: SQLite leaves them off unless asked, per connection;
//   - busy_timeout: wait for a lock instead of failing at once;
//   - _txlock=immediate (writer): take the write lock at BEGIN, so a
//     transaction never fails halfway when upgrading from read to write.
func sqliteDSN(path string, writer bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	if writer {
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	return "file:" + path + "?" + q.Encode()
}

func openSQLite(path string, opt Options) (*DB, error) {
	if path == "" {
		return nil, fmt.Errorf("store: sqlite: no file named")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: create folder for %s: %w", path, err)
	}
	w, err := sql.Open("sqlite", sqliteDSN(path, true))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	// The writer creates the file and switches it to WAL before any reader
	// connects, so readers never see a half-initialised file. Switching the
	// journal mode can answer "busy" at once, without waiting, while another
	// process is creating the same file; that passes within moments.
	for attempt := 0; ; attempt++ {
		err := w.Ping()
		if err == nil {
			break
		}
		if !isBusy(err) || attempt == 50 {
			_ = w.Close()
			return nil, fmt.Errorf("store: open %s: %w", path, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	r, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	n := opt.ReadConns
	if n <= 0 {
		n = max(4, 2*runtime.NumCPU())
	}
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	return &DB{engine: SQLite, write: w, read: sqlDB{DB: r, cache: newStmtCache(r)}, writeStmts: newStmtCache(w), path: path}, nil
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: postgres: %w", err)
	}
	db.SetMaxOpenConns(max(8, 4*runtime.NumCPU()))
	db.SetMaxIdleConns(max(4, 2*runtime.NumCPU()))
	db.SetConnMaxIdleTime(5 * time.Minute)
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: postgres: %w", err)
	}
	// Listener connections are held for LISTEN and never returned; a few suffice.
	cfg.MaxConns = 2
	lp, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: postgres: %w", err)
	}
	return &DB{engine: Postgres, write: db, read: sqlDB{DB: db}, listener: lp}, nil
}

// Close closes every connection.
func (db *DB) Close() error {
	var err error
	db.read.cache.close()
	db.writeStmts.close()
	if db.read.DB != db.write {
		err = db.read.Close()
	}
	if e := db.write.Close(); e != nil {
		err = e
	}
	if db.listener != nil {
		db.listener.Close()
	}
	return err
}

// Engine tells which engine db runs on.
func (db *DB) Engine() Engine { return db.engine }

// Writer returns the pool that write transactions (and the job queue) use.
func (db *DB) Writer() *sql.DB { return db.write }

// Listener returns the PostgreSQL LISTEN/NOTIFY pool, or nil on SQLite.
func (db *DB) Listener() *pgxpool.Pool { return db.listener }

// Path returns the SQLite file, or "" on PostgreSQL.
func (db *DB) Path() string { return db.path }

// Now returns the current instant from the injected clock, in UTC.
func (db *DB) Now() time.Time { return db.clock.Now().UTC() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return tend.Wrap(tend.EUNAVAILABLE, err, "The database is not reachable.")
	}
	return nil
}

// CheckDurability refuses an engine set up to lose acknowledged writes:
// SQLite below synchronous=FULL or outside WAL, PostgreSQL with fsync,
// synchronous_commit or full_page_writes off.
func (db *DB) CheckDurability(ctx context.Context) error {
	if err := checkDurability(ctx, db.engine, db.write); err != nil {
		return err
	}
	if db.read.DB != db.write {
		return checkDurability(ctx, db.engine, db.read.DB)
	}
	return nil
}

func checkDurability(ctx context.Context, engine Engine, conn *sql.DB) error {
	if engine == SQLite {
		var sync int
		var mode string
		if err := conn.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&sync); err != nil {
			return fmt.Errorf("store: read synchronous: %w", err)
		}
		if err := conn.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
			return fmt.Errorf("store: read journal_mode: %w", err)
		}
		if sync < 2 {
			return fmt.Errorf("store: SQLite synchronous is %d; Tend needs FULL (2) or EXTRA (3) so that saves survive a crash", sync)
		}
		if !strings.EqualFold(mode, "wal") {
			return fmt.Errorf("store: SQLite journal_mode is %s; Tend needs WAL", mode)
		}
		return nil
	}
	for _, name := range []string{"fsync", "synchronous_commit", "full_page_writes"} {
		var v string
		if err := conn.QueryRowContext(ctx, `SELECT current_setting($1)`, name).Scan(&v); err != nil {
			return fmt.Errorf("store: read %s: %w", name, err)
		}
		if v == "off" {
			return fmt.Errorf("store: PostgreSQL %s is off; Tend needs it on so that saves survive a crash (set it in postgresql.conf, or for the database with ALTER DATABASE ... SET %s = on)", name, name)
		}
	}
	return nil
}

// querier is what *sql.DB and *sql.Tx share, so read helpers serve both.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// queryIDs runs query, whose one column is an id, and returns the ids in
// the query's order; what names the read in errors.
func queryIDs(ctx context.Context, q querier, what, query string, args ...any) ([]tend.ID, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []tend.ID
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, tend.ID(id))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}
