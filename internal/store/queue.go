package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/queue"
)

// The jobs page reads River's own table, river_job, for counts and
// failures; a retry goes through River's client (JobRetryTx) inside the
// unit of work, so the retry and its audit event commit together.

// FindJobCounts counts jobs by kind and state: every job not finished, and
// those finished since since.
func (db *DB) FindJobCounts(ctx context.Context, since time.Time) ([]queue.Count, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT kind, state, COUNT(*) FROM river_job
		WHERE finalized_at IS NULL OR `+db.engine.finalizedSince()+` GROUP BY kind, state ORDER BY kind, state`,
		db.engine.riverTime(since))
	if err != nil {
		return nil, fmt.Errorf("store: job counts: %w", err)
	}
	defer rows.Close()
	var out []queue.Count
	for rows.Next() {
		var c queue.Count
		if err := rows.Scan(&c.Kind, &c.State, &c.N); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// FindFailedJobs lists up to limit jobs retryable, discarded or cancelled,
// newest first, with their last recorded error. Job arguments are never
// read.
func (db *DB) FindFailedJobs(ctx context.Context, limit int) ([]queue.Job, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, kind, state, attempt, max_attempts, `+db.engine.riverErrors()+` FROM river_job
		WHERE state IN ('retryable', 'discarded', 'cancelled') ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: failed jobs: %w", err)
	}
	defer rows.Close()
	var out []queue.Job
	for rows.Next() {
		var j queue.Job
		var errs sql.NullString
		if err := rows.Scan(&j.ID, &j.Kind, &j.State, &j.Attempt, &j.MaxAttempts, &errs); err != nil {
			return nil, err
		}
		if errs.Valid && errs.String != "" {
			var list []rivertype.AttemptError
			if err := json.Unmarshal([]byte(errs.String), &list); err != nil {
				return nil, fmt.Errorf("store: job %d errors: %w", j.ID, err)
			}
			if n := len(list); n > 0 {
				j.LastError, j.LastErrorAt = list[n-1].Error, list[n-1].At.UTC()
			}
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// jobRetrier is the part of River's client that retries a job inside a
// transaction; the jobs package's client, wired in as the Inserter, has it.
type jobRetrier interface {
	JobRetryTx(ctx context.Context, tx *sql.Tx, id int64) (*rivertype.JobRow, error)
}

// RetryJob makes a retryable, discarded or cancelled job available at once
// and returns its kind. ENOTFOUND when there is no such job, ECONFLICT when
// it is in another state.
func (tx *Tx) RetryJob(ctx context.Context, id int64) (string, error) {
	var kind, state string
	err := tx.tx.QueryRowContext(ctx, `SELECT kind, state FROM river_job WHERE id = $1`+tx.db.engine.forUpdate(), id).Scan(&kind, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return "", tend.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("store: find job: %w", err)
	}
	if !queue.Retryable(state) {
		return "", tend.Errorf(tend.ECONFLICT, "This job is not waiting for a retry.")
	}
	r, ok := tx.db.inserter.(jobRetrier)
	if !ok {
		return "", errors.New("store: retry: no job client wired in")
	}
	if _, err := r.JobRetryTx(ctx, tx.tx.Tx, id); err != nil {
		return "", fmt.Errorf("store: retry job: %w", err)
	}
	return kind, nil
}
