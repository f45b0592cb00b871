package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/tendcare/tend/internal/store"
)

// Backups configure the scheduled backup job (SQLite only): a checked copy
// of the database into Dir and, apart, of the key store into KeysDir, each
// kept to the newest Keep files.
type Backups struct {
	Dir      string          // database backups; "" for none
	KeysDir  string          // key store backups; "" for none
	KeyStore *store.KeyStore // the key store to back up into KeysDir
	Every    time.Duration   // period (a day when zero)
	Keep     int             // files kept of each kind (7 when zero)
}

func (b Backups) on() bool { return b.Dir != "" || b.KeysDir != "" }

// backupMetrics surface scheduled backups on /metrics: when the last one
// succeeded, and how many failed.
type backupMetrics struct {
	last     *prometheus.GaugeVec
	failures *prometheus.CounterVec
}

func newBackupMetrics() backupMetrics {
	return backupMetrics{
		last: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "tend_backup_last_success_timestamp_seconds",
			Help: "When the last scheduled backup was written and checked (Unix time), by what it copied (database or keystore).",
		}, []string{"of"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tend_backup_failures_total",
			Help: "Scheduled backups that failed, by what they copied (database or keystore).",
		}, []string{"of"}),
	}
}

type backupWorker struct {
	river.WorkerDefaults[BackupArgs]
	db      *store.DB
	cfg     Backups
	log     *slog.Logger
	metrics backupMetrics
}

// Work writes a timestamped, checked backup of the database and of the key
// store (each where configured), then removes all but the newest Keep of
// each. A failure is logged, counted, and returned, so River tries again; a
// file from a failed attempt is never left under a backup's name.
func (w *backupWorker) Work(ctx context.Context, job *river.Job[BackupArgs]) error {
	stamp := time.Now().UTC().Format("20060102T150405Z")
	var errs []error
	if w.cfg.Dir != "" {
		errs = append(errs, w.one(ctx, job, "database", w.cfg.Dir, "tend-", stamp, w.db.Backup))
	}
	if w.cfg.KeysDir != "" && w.cfg.KeyStore != nil {
		errs = append(errs, w.one(ctx, job, "keystore", w.cfg.KeysDir, "keystore-", stamp, w.cfg.KeyStore.Backup))
	}
	return errors.Join(errs...)
}

func (w *backupWorker) one(ctx context.Context, job *river.Job[BackupArgs], of, dir, prefix, stamp string,
	backup func(context.Context, string) (store.FileInfo, error)) error {
	start := time.Now()
	name := filepath.Join(dir, prefix+stamp+".db")
	info, err := backup(ctx, name)
	if err != nil {
		w.metrics.failures.WithLabelValues(of).Inc()
		w.log.Error("scheduled backup failed", "job_id", job.ID, "of", of, "attempt", job.Attempt, "error", err.Error())
		return fmt.Errorf("jobs: backup of the %s: %w", of, err)
	}
	w.metrics.last.WithLabelValues(of).SetToCurrentTime()
	removed, err := keepNewest(dir, prefix, w.keep())
	if err != nil {
		w.log.Warn("old backups not removed", "of", of, "error", err.Error())
	}
	w.log.Info("scheduled backup written", "job_id", job.ID, "of", of, "file", filepath.Base(name), "bytes", info.Size,
		"schema", info.Version, "removed", removed, "duration_ms", time.Since(start).Milliseconds())
	return nil
}

func (w *backupWorker) keep() int {
	if w.cfg.Keep <= 0 {
		return 7
	}
	return w.cfg.Keep
}

func (w *backupWorker) Timeout(*river.Job[BackupArgs]) time.Duration { return backupTimeout }

// keepNewest removes all but the newest keep backups named prefix*.db in
// dir (their names sort by time), and returns how many it removed. Other
// files are never touched.
func keepNewest(dir, prefix string, keep int) (int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); e.Type().IsRegular() && strings.HasPrefix(n, prefix) && strings.HasSuffix(n, ".db") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	removed := 0
	var errs []error
	for len(names) > keep {
		if err := os.Remove(filepath.Join(dir, names[0])); err != nil {
			errs = append(errs, err)
		} else {
			removed++
		}
		names = names[1:]
	}
	return removed, errors.Join(errs...)
}
