package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/toolbox"
)

// FindToolboxPrefs returns the person's hidden and pinned activities and
// whether they accepted the medical caution. It reads only.
func (db *DB) FindToolboxPrefs(ctx context.Context, personID tend.ID) (toolbox.Prefs, error) {
	var p toolbox.Prefs
	rows, err := db.read.QueryContext(ctx, `SELECT activity_id, hidden, pinned FROM toolbox_choices WHERE person_id = $1 ORDER BY activity_id`, string(personID))
	if err != nil {
		return p, fmt.Errorf("store: toolbox choices: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c toolbox.Choice
		if err := rows.Scan(&c.ActivityID, &c.Hidden, &c.Pinned); err != nil {
			return p, fmt.Errorf("store: toolbox choices: %w", err)
		}
		p.Choices = append(p.Choices, c)
	}
	if err := rows.Err(); err != nil {
		return p, fmt.Errorf("store: toolbox choices: %w", err)
	}
	err = db.read.QueryRowContext(ctx, `SELECT accepted FROM toolbox_cautions WHERE person_id = $1`, string(personID)).Scan(&p.CautionAccepted)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("store: toolbox caution: %w", err)
	}
	return p, nil
}

// FindToolboxOwn returns the person's own activities, oldest first.
func (db *DB) FindToolboxOwn(ctx context.Context, personID tend.ID) ([]toolbox.OwnRecord, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, person_id, kind, title, created_at FROM toolbox_own_activities
		WHERE person_id = $1 ORDER BY created_at, id`, string(personID))
	if err != nil {
		return nil, fmt.Errorf("store: toolbox own: %w", err)
	}
	defer rows.Close()
	var out []toolbox.OwnRecord
	for rows.Next() {
		var r toolbox.OwnRecord
		var id, pid, kind string
		if err := rows.Scan(&id, &pid, &kind, &r.Sealed, &r.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: toolbox own: %w", err)
		}
		r.ID, r.PersonID, r.Kind, r.CreatedAt = tend.ID(id), tend.ID(pid), toolbox.Kind(kind), r.CreatedAt.UTC()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: toolbox own: %w", err)
	}
	return out, nil
}

// FindServiceActivities returns the service's toolbox activities, oldest
// first; retired ones only when all is true.
func (db *DB) FindServiceActivities(ctx context.Context, all bool) ([]toolbox.ServiceActivity, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, kind, title, caution, added_by, added_at, retired_at FROM toolbox_service_activities
		WHERE $1 OR retired_at IS NULL ORDER BY added_at, id`, all)
	if err != nil {
		return nil, fmt.Errorf("store: service activities: %w", err)
	}
	defer rows.Close()
	var out []toolbox.ServiceActivity
	for rows.Next() {
		var a toolbox.ServiceActivity
		var id, kind, by string
		var retired sql.NullTime
		if err := rows.Scan(&id, &kind, &a.Title, &a.Caution, &by, &a.AddedAt, &retired); err != nil {
			return nil, fmt.Errorf("store: service activities: %w", err)
		}
		a.ID, a.Kind, a.AddedBy, a.AddedAt = tend.ID(id), toolbox.Kind(kind), tend.ID(by), a.AddedAt.UTC()
		if retired.Valid {
			t := retired.Time.UTC()
			a.RetiredAt = &t
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: service activities: %w", err)
	}
	return out, nil
}

const useColumns = `id, person_id, idempotency_key, activity_id, minutes, answers, recorded_at, received_at`

func scanUse(s interface{ Scan(...any) error }) (toolbox.UseRecord, error) {
	var r toolbox.UseRecord
	var id, pid string
	if err := s.Scan(&id, &pid, &r.Key, &r.ActivityID, &r.Minutes, &r.Sealed, &r.RecordedAt, &r.ReceivedAt); err != nil {
		return r, err
	}
	r.ID, r.PersonID, r.RecordedAt, r.ReceivedAt = tend.ID(id), tend.ID(pid), r.RecordedAt.UTC(), r.ReceivedAt.UTC()
	return r, nil
}

// FindToolboxUses returns the person's uses, newest first, at most limit.
func (db *DB) FindToolboxUses(ctx context.Context, personID tend.ID, limit int) ([]toolbox.UseRecord, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+useColumns+` FROM toolbox_uses WHERE person_id = $1
		ORDER BY recorded_at DESC, id DESC LIMIT $2`, string(personID), limit)
	if err != nil {
		return nil, fmt.Errorf("store: toolbox uses: %w", err)
	}
	defer rows.Close()
	out := []toolbox.UseRecord{}
	for rows.Next() {
		r, err := scanUse(rows)
		if err != nil {
			return nil, fmt.Errorf("store: toolbox uses: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: toolbox uses: %w", err)
	}
	return out, nil
}

// FindToolboxUse returns one use of the person, or ENOTFOUND.
func (db *DB) FindToolboxUse(ctx context.Context, personID, id tend.ID) (toolbox.UseRecord, error) {
	r, err := scanUse(db.read.QueryRowContext(ctx, `SELECT `+useColumns+` FROM toolbox_uses WHERE person_id = $1 AND id = $2`, string(personID), string(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return r, tend.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("store: toolbox use: %w", err)
	}
	return r, nil
}

// PutToolboxChoice sets how one activity shows for the person; a choice
// with neither mark is removed.
func (tx *Tx) PutToolboxChoice(ctx context.Context, personID tend.ID, c toolbox.Choice) error {
	_, err := tx.tx.ExecContext(ctx, `DELETE FROM toolbox_choices WHERE person_id = $1 AND activity_id = $2`, string(personID), c.ActivityID)
	if err == nil && (c.Hidden || c.Pinned) {
		_, err = tx.tx.ExecContext(ctx, `INSERT INTO toolbox_choices (person_id, activity_id, hidden, pinned) VALUES ($1, $2, $3, $4)`,
			string(personID), c.ActivityID, c.Hidden, c.Pinned)
	}
	if err != nil {
		return fmt.Errorf("store: toolbox choice: %w", err)
	}
	return nil
}

// PutToolboxCaution records whether the person accepted the medical caution.
func (tx *Tx) PutToolboxCaution(ctx context.Context, personID tend.ID, accepted bool, at time.Time) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO toolbox_cautions (person_id, accepted, changed_at) VALUES ($1, $2, $3)
		ON CONFLICT (person_id) DO UPDATE SET accepted = excluded.accepted, changed_at = excluded.changed_at`, string(personID), accepted, at.UTC())
	if err != nil {
		return fmt.Errorf("store: toolbox caution: %w", err)
	}
	return nil
}

// CreateToolboxOwn adds a person's own activity.
func (tx *Tx) CreateToolboxOwn(ctx context.Context, r toolbox.OwnRecord) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO toolbox_own_activities (id, person_id, kind, title, created_at) VALUES ($1, $2, $3, $4, $5)`,
		string(r.ID), string(r.PersonID), string(r.Kind), r.Sealed, r.CreatedAt.UTC())
	if err != nil {
		return fmt.Errorf("store: create toolbox own: %w", err)
	}
	return nil
}

// CreateServiceActivity adds a service activity.
func (tx *Tx) CreateServiceActivity(ctx context.Context, a toolbox.ServiceActivity) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO toolbox_service_activities (id, kind, title, caution, added_by, added_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		string(a.ID), string(a.Kind), a.Title, a.Caution, string(a.AddedBy), a.AddedAt.UTC())
	if err != nil {
		return fmt.Errorf("store: create service activity: %w", err)
	}
	return nil
}

// RetireServiceActivity retires an active service activity, or ENOTFOUND.
func (tx *Tx) RetireServiceActivity(ctx context.Context, id tend.ID, at time.Time) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE toolbox_service_activities SET retired_at = $2 WHERE id = $1 AND retired_at IS NULL`, string(id), at.UTC())
	if err != nil {
		return fmt.Errorf("store: retire service activity: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: retire service activity: %w", err)
	} else if n == 0 {
		return tend.ErrNotFound
	}
	return nil
}

// CreateToolboxUse stores r unless the person already has a use with its
// key, returning the stored use and whether r was added. The unique key
// decides, so two copies of one queued use sent at once store one.
func (tx *Tx) CreateToolboxUse(ctx context.Context, r toolbox.UseRecord) (toolbox.UseRecord, bool, error) {
	res, err := tx.tx.ExecContext(ctx, `INSERT INTO toolbox_uses (`+useColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (person_id, idempotency_key) DO NOTHING`,
		string(r.ID), string(r.PersonID), r.Key, r.ActivityID, r.Minutes, r.Sealed, r.RecordedAt.UTC(), r.ReceivedAt.UTC())
	if err != nil {
		return r, false, fmt.Errorf("store: create toolbox use: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return r, false, fmt.Errorf("store: create toolbox use: %w", err)
	}
	if n == 1 {
		return r, true, nil
	}
	prev, err := scanUse(tx.tx.QueryRowContext(ctx, `SELECT `+useColumns+` FROM toolbox_uses WHERE person_id = $1 AND idempotency_key = $2`,
		string(r.PersonID), r.Key))
	if err != nil {
		return r, false, fmt.Errorf("store: find toolbox use by key: %w", err)
	}
	return prev, false, nil
}
