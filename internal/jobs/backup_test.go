package jobs_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/tendcare/tend/internal/jobs"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

// TestScheduledBackups runs the backup job every second until it has
// written more backups than it keeps, and checks that the newest are kept,
// each whole and checked, apart from the key store's, with nothing else in
// the folders touched.
func TestScheduledBackups(t *testing.T) {
	ctx := context.Background()
	if testenv.Engine() == store.Postgres {
		t.Run("ErrPostgres", func(t *testing.T) {
			db := testenv.Store(t, nil)
			_, err := jobs.New(db, jobs.Options{Node: "n", Backups: jobs.Backups{Dir: t.TempDir()}})
			if err == nil || !strings.Contains(err.Error(), "pg_dump") {
				t.Errorf("scheduled backups on PostgreSQL = %v, want a refusal pointing at pg_dump", err)
			}
		})
		return
	}
	if testing.Short() {
		t.Skip("runs for several seconds")
	}
	db := testenv.Store(t, nil)
	ks := testenv.KeyStore(t, testenv.SQLiteKeyStoreDSN(t))
	dir, keysDir := t.TempDir(), t.TempDir()
	other := filepath.Join(dir, "tend-notes.txt")
	if err := os.WriteFile(other, []byte("kept"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := jobs.New(db, jobs.Options{Node: "n", Work: true, PruneEvery: time.Hour, FetchPollInterval: 100 * time.Millisecond, Logger: testenv.Logger(t),
		Backups: jobs.Backups{Dir: dir, KeysDir: keysDir, KeyStore: ks, Every: time.Second, Keep: 2}})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(c.Collectors()...)
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	// Leader election can take a few seconds on SQLite: wait for enough
	// runs, within a bound, rather than a fixed time.
	seen := map[string]bool{}
	deadline := time.Now().Add(60 * time.Second)
	for len(seen) < 4 && time.Now().Before(deadline) {
		for _, n := range backups(t, dir, "tend-") {
			seen[n] = true
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if len(seen) < 4 {
		t.Fatalf("%d backups written within the bound, want at least 4", len(seen))
	}
	for _, tt := range []struct {
		dir, prefix string
		kind        store.FileKind
	}{{dir, "tend-", store.FileDatabase}, {keysDir, "keystore-", store.FileKeyStore}} {
		got := backups(t, tt.dir, tt.prefix)
		if len(got) != 2 {
			t.Errorf("%s holds %d backups, want the newest 2: %v", tt.dir, len(got), got)
		}
		for _, n := range got {
			info, err := store.CheckFile(ctx, filepath.Join(tt.dir, n))
			if err != nil || info.Kind != tt.kind {
				t.Errorf("%s: %v, %v", n, info.Kind, err)
			}
		}
		entries, _ := os.ReadDir(tt.dir)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".") {
				t.Errorf("a temporary file was left behind: %s", e.Name())
			}
		}
	}
	if b, err := os.ReadFile(other); err != nil || string(b) != "kept" {
		t.Errorf("a file that is not a backup was touched: %v", err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var last float64
	for _, mf := range mfs {
		if mf.GetName() == "tend_backup_last_success_timestamp_seconds" {
			for _, m := range mf.GetMetric() {
				last = max(last, m.GetGauge().GetValue())
			}
		}
	}
	if last < float64(time.Now().Add(-time.Hour).Unix()) {
		t.Errorf("tend_backup_last_success_timestamp_seconds = %v", last)
	}
}

func backups(t *testing.T, dir, prefix string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) && strings.HasSuffix(e.Name(), ".db") {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}
