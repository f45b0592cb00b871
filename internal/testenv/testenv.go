package testenv

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/audit"
	"github.com/tendcare/tend/internal/keys"
	"github.com/tendcare/tend/internal/store"
)

// RequireAll reports whether TEND_REQUIRE_ALL=1 is set (as .ci/run sets
// it): then a test that would skip for a missing service fails instead.
func RequireAll() bool { return os.Getenv("TEND_REQUIRE_ALL") == "1" }

// SkipOrFail skips t with why, or fails it when RequireAll is set.
func SkipOrFail(t testing.TB, why string) {
	t.Helper()
	if RequireAll() {
		t.Fatalf("%s (TEND_REQUIRE_ALL=1 turns this skip into a failure)", why)
	}
	t.Skip(why)
}

// Logger returns a logger that writes to the test's log.
func Logger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// Discard is a logger that writes nothing.
func Discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// PostgresURL returns TEND_TEST_POSTGRES, or "" when the suite runs on SQLite.
func PostgresURL() string { return os.Getenv("TEND_TEST_POSTGRES") }

// Engine is the engine this run of the suite uses.
func Engine() store.Engine {
	if PostgresURL() != "" {
		return store.Postgres
	}
	return store.SQLite
}

// DSN returns a fresh, migrated, empty database for this test, removed when
// the test ends.
func DSN(t testing.TB) string {
	t.Helper()
	if PostgresURL() == "" {
		migrated, err := sqliteTemplate()
		if err != nil {
			t.Fatalf("migrate: %v", err)
		}
		path := filepath.Join(t.TempDir(), "tend.db")
		if err := os.WriteFile(path, migrated, 0o600); err != nil {
			t.Fatal(err)
		}
		return "sqlite:" + path
	}
	return postgresDB(t, true)
}

var (
	sqliteTplOnce sync.Once
	sqliteTpl     []byte
	errSQLiteTpl  error
)

// sqliteTemplate returns the bytes of a SQLite database that this test
// binary migrated once: copying them is much faster than migrating a new
// database for every test, as postgresDB does with a template database.
func sqliteTemplate() ([]byte, error) {
	sqliteTplOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tend-template-")
		if err != nil {
			errSQLiteTpl = err
			return
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "tend.db")
		ctx := context.Background()
		db, err := store.Open(ctx, "sqlite:"+path, store.Options{})
		if err != nil {
			errSQLiteTpl = err
			return
		}
		errSQLiteTpl = db.Migrate(ctx, Discard())
		if err := db.Close(); errSQLiteTpl == nil {
			errSQLiteTpl = err
		}
		if errSQLiteTpl != nil {
			return
		}
		// Closing the last connection checkpoints the write-ahead log
		// into the file; a log left behind would hold part of the schema.
		if _, err := os.Stat(path + "-wal"); err == nil {
			errSQLiteTpl = fmt.Errorf("the migrated template %s kept its write-ahead log after closing", path)
			return
		}
		sqliteTpl, errSQLiteTpl = os.ReadFile(path) // #nosec G304 -- the database just migrated in this function's own temporary folder.
	})
	return sqliteTpl, errSQLiteTpl
}

// EmptyDSN returns a fresh database with no schema at all, for migration tests.
func EmptyDSN(t testing.TB) string {
	t.Helper()
	if PostgresURL() == "" {
		return "sqlite:" + filepath.Join(t.TempDir(), "tend.db")
	}
	return postgresDB(t, false)
}

// Store returns an open DB on a fresh, migrated database with clock (or the
// system clock when nil), closed when the test ends.
func Store(t testing.TB, clock tend.Clock) *store.DB {
	t.Helper()
	return open(t, DSN(t), clock)
}

func open(t testing.TB, dsn string, clock tend.Clock) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn, store.Options{Clock: clock})
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	db.SetAuditChain(AuditChain())
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// ServiceKeys is the key file tests use: one fixed service key.
var ServiceKeys = &keys.File{Format: 1, Current: "sk-test", Keys: []keys.Key{{ID: "sk-test", Secret: []byte("tend test service key, 32 bytes!")}}}

// AuditChain returns a chain sealed with the test service key.
func AuditChain() *audit.Chain { return audit.NewChain(ServiceKeys.Keys[0], "test-node") }

var (
	sweepOnce sync.Once
	tplOnce   sync.Once
	tplName   string
	errTpl    error
)

// postgresDB returns a database of its own for one test, dropped when the
// test ends. Migrated databases are copies of a template that this test
// binary migrates once, which is much faster than migrating each one.
//
// Making and dropping a database each take a few hundred milliseconds of
// the server's time, mostly waiting for the disk. So that a test waits for
// neither, the next database of each kind is made in the background while
// the test before it runs, and a test's database is dropped in the
// background after it.
func postgresDB(t testing.TB, migrated bool) string {
	t.Helper()
	admin, err := adminDB()
	if err != nil {
		t.Fatalf("TEND_TEST_POSTGRES: %v", err)
	}
	ctx := context.Background()
	if err := admin.PingContext(ctx); err != nil {
		t.Fatalf("TEND_TEST_POSTGRES=%s is set but PostgreSQL does not answer: %v", PostgresURL(), err)
	}
	sweepOnce.Do(func() { dropLeftovers(ctx, admin) })
	spare := emptySpare
	if migrated {
		tplOnce.Do(func() { tplName, errTpl = makeTemplate(ctx, admin) })
		if errTpl != nil {
			t.Fatalf("template database: %v", errTpl)
		}
		spare = migratedSpare
	}
	name, err := spare.take(ctx, admin)
	if err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() { go dropDatabase(context.Background(), admin, name) })
	return withDatabase(PostgresURL(), name)
}

// adminDB is the pool this test binary makes and drops its databases
// through, on the server TEND_TEST_POSTGRES names; it lives as long as the
// process, since spares are made and databases dropped after the test that
// started them has ended.
var adminDB = sync.OnceValues(func() (*sql.DB, error) { return sql.Open("pgx", PostgresURL()) })

// spareDatabase holds at most one database of its kind (copied from the
// template, or empty) made ahead of the test that will take it.
type spareDatabase struct {
	template bool
	ready    chan string
	making   atomic.Bool
}

var (
	migratedSpare = &spareDatabase{template: true, ready: make(chan string, 1)}
	emptySpare    = &spareDatabase{ready: make(chan string, 1)}
)

// take returns the spare database, or makes one when none is ready, and
// starts making the next.
func (s *spareDatabase) take(ctx context.Context, admin *sql.DB) (string, error) {
	var name string
	select {
	case name = <-s.ready:
	default:
		var err error
		if name, err = s.create(ctx, admin); err != nil {
			return "", err
		}
	}
	if s.making.CompareAndSwap(false, true) {
		// The next one outlives this call: it is taken by a later test.
		bg := context.WithoutCancel(ctx)
		go func() {
			defer s.making.Store(false)
			next, err := s.create(bg, admin)
			if err != nil {
				return // the next take makes its own and reports the error
			}
			select {
			case s.ready <- next:
			default:
				dropDatabase(bg, admin, next)
			}
		}()
	}
	return name, nil
}

func (s *spareDatabase) create(ctx context.Context, admin *sql.DB) (string, error) {
	name := databaseName("t")
	create := "CREATE DATABASE " + name // #nosec G202 -- databaseName makes the name from hex digits, a process id and a time
	if s.template {
		create += " TEMPLATE " + tplName
	}
	if _, err := admin.ExecContext(ctx, create); err != nil {
		return "", err
	}
	return name, nil
}

func makeTemplate(ctx context.Context, admin *sql.DB) (string, error) {
	name := databaseName("tpl")
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	db, err := store.Open(ctx, withDatabase(PostgresURL(), name), store.Options{})
	if err != nil {
		return "", err
	}
	defer db.Close()
	if err := db.Migrate(ctx, Discard()); err != nil {
		return "", err
	}
	return name, nil
}

// databaseName names a database for what it is ("tpl" for a template, "t"
// for a test's own), this machine, this process and the time:
// tend_<what>_<host>_<pid>_<unix time>_<random>. A database a test binary
// leaves behind when it exits (its template, a spare, one whose drop had not
// finished) is then dropped by a later run (dropLeftovers).
func databaseName(what string) string {
	return "tend_" + what + "_" + thisHost + "_" + strconv.Itoa(os.Getpid()) + "_" + strconv.FormatInt(time.Now().Unix(), 10) + "_" + randomHex(3)
}

// thisHost is a short hash of this machine's name.
var thisHost = func() string {
	host, _ := os.Hostname()
	sum := sha256.Sum256([]byte(host))
	return hex.EncodeToString(sum[:4])
}()

var databaseNameRe = regexp.MustCompile(`^tend_(?:t|tpl)_([0-9a-f]{8})_(\d+)_(\d{10})_[0-9a-f]{6}$`)

// dropLeftovers drops the databases that test binaries which have exited
// left behind: on this machine, those of a process that is no longer
// running; from any machine, those made a day ago or more.
func dropLeftovers(ctx context.Context, admin *sql.DB) {
	names, err := databasesNamed(ctx, admin, "tend_")
	if err != nil {
		return
	}
	for _, n := range names {
		m := databaseNameRe.FindStringSubmatch(n)
		if m == nil {
			continue
		}
		pid, _ := strconv.Atoi(m[2])
		made, _ := strconv.ParseInt(m[3], 10, 64)
		if (m[1] == thisHost && !processRunning(pid)) || time.Since(time.Unix(made, 0)) > 24*time.Hour {
			dropDatabase(ctx, admin, n)
		}
	}
}

// processRunning reports whether a process with this id is running here
// (or, where signal 0 cannot tell, assumes it is).
func processRunning(pid int) bool {
	if pid == os.Getpid() || runtime.GOOS == "windows" {
		return true
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}

// dropDatabase drops a database this package named, closing any connection
// a test left open on it.
func dropDatabase(ctx context.Context, admin *sql.DB, name string) {
	_, _ = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
}

// databasesNamed lists the databases whose names start with prefix.
func databasesNamed(ctx context.Context, admin *sql.DB, prefix string) ([]string, error) {
	rows, err := admin.QueryContext(ctx, `SELECT datname FROM pg_database WHERE starts_with(datname, $1)`, prefix)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

func withDatabase(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n*2]
}
