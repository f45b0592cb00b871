package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/settings"
)

// Mode is how a database was created: for demo data or for real people.
type Mode string

// The two modes.
const (
	ModeDemo Mode = "demo"
	ModeLive Mode = "live"
)

// Mode returns the database's mode, or "" when it has none yet.
func (db *DB) Mode(ctx context.Context) (Mode, error) {
	var m string
	err := db.read.QueryRowContext(ctx, `SELECT mode FROM deployment WHERE id = 1`).Scan(&m)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: read mode: %w", err)
	}
	return Mode(m), nil
}

// ClaimMode marks a new database with mode, or checks that an existing one
// already has it. A demo database is never served as live, nor the reverse.
func (db *DB) ClaimMode(ctx context.Context, want Mode) error {
	return db.InTx(ctx, func(tx *Tx) error {
		var m string
		err := tx.tx.QueryRowContext(ctx, `SELECT mode FROM deployment WHERE id = 1`).Scan(&m)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.tx.ExecContext(ctx, `INSERT INTO deployment (id, mode, created_at) VALUES (1, $1, $2)`, string(want), tx.now)
			return err
		case err != nil:
			return err
		case Mode(m) == want:
			return nil
		case Mode(m) == ModeDemo:
			return tend.Errorf(tend.ECONFLICT, "this database holds demo data: start with --demo, or point --data or --db at another database for real use")
		default:
			return tend.Errorf(tend.ECONFLICT, "this database holds real data and cannot be used in demo mode: point --data or --db at another place for the demo")
		}
	})
}

// FindSettings returns the service settings and their version, or ENOTFOUND.
func (db *DB) FindSettings(ctx context.Context) (settings.Settings, int64, error) {
	return findSettings(ctx, db.read)
}

// FindSettings reads the settings inside the unit of work.
func (tx *Tx) FindSettings(ctx context.Context) (settings.Settings, int64, error) {
	return findSettings(ctx, tx.tx)
}

func findSettings(ctx context.Context, q querier) (settings.Settings, int64, error) {
	var doc string
	var version int64
	err := q.QueryRowContext(ctx, `SELECT doc, version FROM service_settings WHERE id = 1`).Scan(&doc, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return settings.Settings{}, 0, tend.ErrNotFound
	}
	if err != nil {
		return settings.Settings{}, 0, fmt.Errorf("store: read settings: %w", err)
	}
	var s settings.Settings
	if err := json.Unmarshal([]byte(doc), &s); err != nil {
		return settings.Settings{}, 0, fmt.Errorf("store: settings document: %w", err)
	}
	return s, version, nil
}

// SaveSettings stores s as the service's settings, in its own unit of work.
func (db *DB) SaveSettings(ctx context.Context, s settings.Settings) error {
	return db.InTx(ctx, func(tx *Tx) error { return tx.SaveSettings(ctx, s) })
}

// SaveSettings stores s inside the unit of work.
func (tx *Tx) SaveSettings(ctx context.Context, s settings.Settings) error {
	doc, err := json.Marshal(s)
	if err != nil {
		return err
	}
	if _, err := tx.tx.ExecContext(ctx, tx.db.engine.upsertSettings(), string(doc), tx.now); err != nil {
		return fmt.Errorf("store: save settings: %w", err)
	}
	return nil
}

// PutIdempotencyKey records that the request with key in scope had outcome,
// until expires. A second put of the same key returns ECONFLICT, so a retry
// is recognised instead of applied twice.
func (tx *Tx) PutIdempotencyKey(ctx context.Context, scope, key, outcome string, expires time.Time) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO idempotency_keys (scope, key, outcome, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		scope, key, outcome, tx.now, expires.UTC())
	if tx.db.engine.isUniqueViolation(err) {
		return tend.Errorf(tend.ECONFLICT, "That request was already received.")
	}
	if err != nil {
		return fmt.Errorf("store: put idempotency key: %w", err)
	}
	return nil
}

// FindIdempotencyKey returns the outcome recorded for key in scope, or
// ENOTFOUND when there is none or it has expired.
func (db *DB) FindIdempotencyKey(ctx context.Context, scope, key string) (string, error) {
	var outcome string
	err := db.read.QueryRowContext(ctx, `SELECT outcome FROM idempotency_keys WHERE scope = $1 AND key = $2 AND expires_at > $3`,
		scope, key, db.Now()).Scan(&outcome)
	if errors.Is(err, sql.ErrNoRows) {
		return "", tend.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("store: find idempotency key: %w", err)
	}
	return outcome, nil
}

// MaintenanceRun is one recorded run of a periodic maintenance job.
type MaintenanceRun struct {
	ID          tend.ID
	Kind        string
	Node        string
	ScheduledAt time.Time // the period this run was for
	RanAt       time.Time
	RowsDeleted int64
}

// pruning lists what PruneExpired deletes: rows expired for longer than
// keep. Sign-ins are kept 90 days for the person's own list; expired
// invites and codes 30 days, so a late "it says expired" can be explained.
var pruning = []struct {
	what, query string
	keep        time.Duration
}{
	{"idempotency keys", `DELETE FROM idempotency_keys WHERE expires_at <= $1`, 0},
	{"sessions", `DELETE FROM sessions WHERE expires_at <= $1 OR absolute_at <= $1`, 0},
	{"rate limits", `DELETE FROM rate_limits WHERE window_start <= $1`, 24 * time.Hour},
	{"sign-ins", `DELETE FROM sign_ins WHERE at <= $1`, 90 * 24 * time.Hour},
	{"invites", `DELETE FROM invites WHERE redeemed_at IS NULL AND expires_at <= $1`, 30 * 24 * time.Hour},
	{"reset codes", `DELETE FROM reset_codes WHERE expires_at <= $1`, 30 * 24 * time.Hour},
	{"supporter invites", `DELETE FROM supporter_invites WHERE redeemed_at IS NULL AND expires_at <= $1`, 30 * 24 * time.Hour},
	// A reminder send only explains, on the person's reminders page, why a
	// recent reminder did or did not come; the due finder never looks back
	// further than two days, so an old row can go.
	{"reminder sends", `DELETE FROM reminder_sends WHERE due_at <= $1`, 90 * 24 * time.Hour},
}

// PruneExpired deletes expired rows and records the run, in one unit of work.
// It is safe to run again: a second run finds nothing more to delete.
func (db *DB) PruneExpired(ctx context.Context, node string, scheduledAt time.Time) (MaintenanceRun, error) {
	var run MaintenanceRun
	err := db.InTx(ctx, func(tx *Tx) error {
		var n int64
		for _, p := range pruning {
			res, err := tx.tx.ExecContext(ctx, p.query, tx.now.Add(-p.keep))
			if err != nil {
				return fmt.Errorf("store: prune %s: %w", p.what, err)
			}
			m, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += m
		}
		run = MaintenanceRun{ID: tend.NewID(), Kind: "prune", Node: node, ScheduledAt: scheduledAt.UTC(), RanAt: tx.now, RowsDeleted: n}
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO maintenance_runs (id, kind, node, scheduled_at, ran_at, rows_deleted) VALUES ($1, $2, $3, $4, $5, $6)`,
			string(run.ID), run.Kind, run.Node, run.ScheduledAt, run.RanAt, run.RowsDeleted)
		return err
	})
	return run, err
}

// FindMaintenanceRuns lists recorded runs of kind, oldest first.
func (db *DB) FindMaintenanceRuns(ctx context.Context, kind string) ([]MaintenanceRun, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, kind, node, scheduled_at, ran_at, rows_deleted FROM maintenance_runs WHERE kind = $1 ORDER BY scheduled_at, id`, kind)
	if err != nil {
		return nil, fmt.Errorf("store: find maintenance runs: %w", err)
	}
	defer rows.Close()
	var out []MaintenanceRun
	for rows.Next() {
		var r MaintenanceRun
		var id string
		if err := rows.Scan(&id, &r.Kind, &r.Node, &r.ScheduledAt, &r.RanAt, &r.RowsDeleted); err != nil {
			return nil, err
		}
		r.ID = tend.ID(id)
		r.ScheduledAt, r.RanAt = r.ScheduledAt.UTC(), r.RanAt.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}
