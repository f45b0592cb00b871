package store_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/jobs"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

func demoSettings(t *testing.T) settings.Settings {
	t.Helper()
	h, err := settings.ParseHours("mon-fri 09:00-17:00")
	if err != nil {
		t.Fatal(err)
	}
	return settings.Settings{
		Name: "Riverside Service", Country: "GB", TimeZone: "Europe/London", Locale: "en-GB",
		WorkingHours: h, OutOfHours: "Call the duty line", Emergency: "Go to the emergency department at Riverside Hospital",
	}
}

func countRows(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.Writer().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// TestInTx proves the unit of work: the data, its job and its other rows
// commit together or not at all.
func TestInTx(t *testing.T) {
	ctx := context.Background()
	setup := func(t *testing.T) *store.DB {
		db := testenv.Store(t, nil)
		if _, err := jobs.New(db, jobs.Options{Node: "test", Logger: testenv.Discard()}); err != nil {
			t.Fatal(err)
		}
		return db
	}
	write := func(db *store.DB, t *testing.T) func(*store.Tx) error {
		return func(tx *store.Tx) error {
			if err := tx.SaveSettings(ctx, demoSettings(t)); err != nil {
				return err
			}
			if err := tx.PutIdempotencyKey(ctx, "test", "k1", "done", tx.Now().Add(time.Hour)); err != nil {
				return err
			}
			return tx.Enqueue(ctx, jobs.PruneArgs{})
		}
	}
	t.Run("OK", func(t *testing.T) {
		db := setup(t)
		if err := db.InTx(ctx, write(db, t)); err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"service_settings", "idempotency_keys", "river_job"} {
			if n := countRows(t, db, table); n != 1 {
				t.Errorf("%s: %d rows after commit, want 1", table, n)
			}
		}
	})
	t.Run("FaultAfterWriteLeavesNothing", func(t *testing.T) {
		db := setup(t)
		fault := errors.New("injected fault after the write")
		db.FailBeforeCommit(func() error { return fault })
		if err := db.InTx(ctx, write(db, t)); !errors.Is(err, fault) {
			t.Fatalf("InTx = %v, want the injected fault", err)
		}
		for _, table := range []string{"service_settings", "idempotency_keys", "river_job"} {
			if n := countRows(t, db, table); n != 0 {
				t.Errorf("%s: %d rows left behind by a failed unit of work", table, n)
			}
		}
	})
	t.Run("ErrorFromWorkLeavesNothing", func(t *testing.T) {
		db := setup(t)
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := write(db, t)(tx); err != nil {
				return err
			}
			return tend.Errorf(tend.EINVALID, "refused after writing")
		})
		if tend.ErrorKind(err) != tend.EINVALID {
			t.Fatalf("InTx = %v, want the work's own error", err)
		}
		for _, table := range []string{"service_settings", "idempotency_keys", "river_job"} {
			if n := countRows(t, db, table); n != 0 {
				t.Errorf("%s: %d rows left behind", table, n)
			}
		}
	})
	t.Run("PanicLeavesNothing", func(t *testing.T) {
		db := setup(t)
		func() {
			defer func() { _ = recover() }()
			_ = db.InTx(ctx, func(tx *store.Tx) error {
				_ = write(db, t)(tx)
				panic("boom")
			})
		}()
		if n := countRows(t, db, "service_settings"); n != 0 {
			t.Errorf("service_settings: %d rows left behind by a panic", n)
		}
		// The single SQLite writer connection must be usable again.
		if err := db.SaveSettings(ctx, demoSettings(t)); err != nil {
			t.Fatalf("write after panic: %v", err)
		}
	})
}

func TestDurability(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		db := testenv.Store(t, nil)
		if err := db.CheckDurability(ctx); err != nil {
			t.Fatal(err)
		}
		if db.Engine() != store.SQLite {
			return
		}
		// What serve enforces, read back from both pools.
		for name, want := range map[string]string{"synchronous": "2", "journal_mode": "wal", "foreign_keys": "1"} {
			var got string
			if err := db.Writer().QueryRow(`PRAGMA ` + name).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("PRAGMA %s = %s, want %s", name, got, want)
			}
		}
	})
	t.Run("ErrSQLiteNormal", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "weak.db")
		dsn := strings.Replace(store.SQLiteDSN(path, true), "synchronous%28FULL%29", "synchronous%28NORMAL%29", 1)
		if dsn == store.SQLiteDSN(path, true) {
			t.Fatalf("could not vary the synchronous pragma in %s", dsn)
		}
		conn, err := sql.Open("sqlite", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		err = store.CheckDurabilityOf(ctx, store.SQLite, conn)
		if err == nil || !strings.Contains(err.Error(), "FULL") {
			t.Fatalf("check = %v, want a refusal naming FULL", err)
		}
	})
	t.Run("ErrPostgresSynchronousCommitOff", func(t *testing.T) {
		if testenv.PostgresURL() == "" {
			t.Skip("PostgreSQL only (TEND_TEST_POSTGRES unset)")
		}
		dsn := testenv.EmptyDSN(t)
		admin, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		name := dsn[strings.LastIndex(dsn, "/")+1:]
		if i := strings.Index(name, "?"); i >= 0 {
			name = name[:i]
		}
		if _, err := admin.Exec(`ALTER DATABASE ` + name + ` SET synchronous_commit = off`); err != nil {
			t.Fatal(err)
		}
		_ = admin.Close()
		_, err = store.Open(ctx, dsn, store.Options{})
		if err == nil || !strings.Contains(err.Error(), "synchronous_commit is off") {
			t.Fatalf("Open = %v, want a refusal naming synchronous_commit", err)
		}
	})
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		db, err := store.Open(ctx, testenv.EmptyDSN(t), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.CheckSchema(ctx); err == nil {
			t.Fatal("an empty database passed the schema check")
		}
		for i := 0; i < 2; i++ { // a second run finds nothing to do
			if err := db.Migrate(ctx, testenv.Discard()); err != nil {
				t.Fatalf("migrate run %d: %v", i+1, err)
			}
		}
		if err := db.CheckSchema(ctx); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ConcurrentNodes", func(t *testing.T) {
		dsn := testenv.EmptyDSN(t)
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				db, err := store.Open(ctx, dsn, store.Options{})
				if err != nil {
					errs[i] = err
					return
				}
				defer db.Close()
				errs[i] = db.Migrate(ctx, testenv.Discard())
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("node %d: %v", i, err)
			}
		}
	})
	t.Run("ErrNewerSchema", func(t *testing.T) {
		db := testenv.Store(t, nil)
		if _, err := db.Writer().Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (9999, true)`); err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx, testenv.Discard()); !errors.Is(err, store.ErrNewerSchema) {
			t.Errorf("Migrate = %v, want ErrNewerSchema", err)
		}
		if err := db.CheckSchema(ctx); !errors.Is(err, store.ErrNewerSchema) {
			t.Errorf("CheckSchema = %v, want ErrNewerSchema", err)
		}
	})
	t.Run("GoldenSchema", func(t *testing.T) {
		db := testenv.Store(t, nil)
		dump, err := db.SchemaDump(ctx)
		if err != nil {
			t.Fatal(err)
		}
		testenv.Golden(t, "schema."+string(db.Engine()), []byte(dump))
	})
}

func TestClaimMode(t *testing.T) {
	ctx := context.Background()
	db := testenv.Store(t, nil)
	if m, err := db.Mode(ctx); err != nil || m != "" {
		t.Fatalf("new database mode = %q, %v; want none", m, err)
	}
	if err := db.ClaimMode(ctx, store.ModeDemo); err != nil {
		t.Fatal(err)
	}
	if err := db.ClaimMode(ctx, store.ModeDemo); err != nil {
		t.Fatalf("claiming the same mode again: %v", err)
	}
	err := db.ClaimMode(ctx, store.ModeLive)
	if tend.ErrorKind(err) != tend.ECONFLICT || !strings.Contains(tend.ErrorMessage(err), "demo data") {
		t.Fatalf("live use of a demo database = %v, want a conflict saying it holds demo data", err)
	}
}

func TestSettings(t *testing.T) {
	ctx := context.Background()
	db := testenv.Store(t, nil)
	if _, _, err := db.FindSettings(ctx); !errors.Is(err, tend.ErrNotFound) {
		t.Fatalf("FindSettings on a new database = %v, want not found", err)
	}
	want := demoSettings(t)
	want.Lines = []settings.Line{{Name: "Duty line", Call: "0161 000 0000", Hours: "24/7"}}
	if err := db.SaveSettings(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, v1, err := db.FindSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != want.Name || got.WorkingHours.String() != "mon 09:00-17:00; tue 09:00-17:00; wed 09:00-17:00; thu 09:00-17:00; fri 09:00-17:00" || len(got.Lines) != 1 || got.Lines[0].Call != "0161 000 0000" {
		t.Errorf("round trip changed the settings: %+v", got)
	}
	if err := db.SaveSettings(ctx, want); err != nil {
		t.Fatal(err)
	}
	if _, v2, _ := db.FindSettings(ctx); v2 != v1+1 {
		t.Errorf("version after a second save = %d, want %d", v2, v1+1)
	}
}

func TestIdempotencyAndPrune(t *testing.T) {
	ctx := context.Background()
	clock := &tend.FixedClock{T: time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)}
	db := testenv.Store(t, clock)
	put := func(key string, ttl time.Duration) error {
		return db.InTx(ctx, func(tx *store.Tx) error {
			return tx.PutIdempotencyKey(ctx, "diary", key, "card-1", tx.Now().Add(ttl))
		})
	}
	if err := put("short", time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := put("long", 48*time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := put("short", time.Minute); tend.ErrorKind(err) != tend.ECONFLICT {
		t.Fatalf("second put of the same key = %v, want conflict", err)
	}
	if got, err := db.FindIdempotencyKey(ctx, "diary", "short"); err != nil || got != "card-1" {
		t.Fatalf("FindIdempotencyKey = %q, %v", got, err)
	}
	for i, expires := range []time.Time{clock.T.Add(time.Hour), clock.T.Add(48 * time.Hour)} {
		_, err := db.Writer().Exec(`INSERT INTO sessions (id, token_hash, account_kind, account_id, mfa, locked, device, created_at, last_seen_at, expires_at, absolute_at)
			VALUES ($1, $2, 'person', 'p1', true, false, 'test', $3, $3, $4, $5)`, string(tend.NewID()), []byte{byte(i)}, clock.T, expires, clock.T.Add(72*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(2 * time.Hour)
	run, err := db.PruneExpired(ctx, "node-a", clock.T)
	if err != nil {
		t.Fatal(err)
	}
	if run.RowsDeleted != 2 {
		t.Errorf("pruned %d rows, want 2 (the expired key and the expired session)", run.RowsDeleted)
	}
	if n := countRows(t, db, "sessions"); n != 1 {
		t.Errorf("%d sessions left, want the one still valid", n)
	}
	if _, err := db.FindIdempotencyKey(ctx, "diary", "long"); err != nil {
		t.Errorf("the unexpired key was pruned: %v", err)
	}
	runs, err := db.FindMaintenanceRuns(ctx, "prune")
	if err != nil || len(runs) != 1 || runs[0].Node != "node-a" || !runs[0].RanAt.Equal(clock.T) {
		t.Errorf("maintenance runs = %+v, %v", runs, err)
	}
}
