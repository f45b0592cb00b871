package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/medication"
)

const medicationColumns = `id, person_id, name, dose, schedule, as_needed, started_on, stopped_on, added_by, added_at, stopped_by, stopped_at`

func scanMedication(s interface{ Scan(...any) error }) (medication.Record, error) {
	var r medication.Record
	var id, personID, by string
	var stoppedOn, stoppedBy sql.NullString
	var stoppedAt sql.NullTime
	if err := s.Scan(&id, &personID, &r.Name, &r.Dose, &r.Schedule, &r.AsNeeded, &r.StartedOn, &stoppedOn, &by, &r.AddedAt, &stoppedBy, &stoppedAt); err != nil {
		return r, err
	}
	r.ID, r.PersonID, r.AddedBy, r.StoppedOn, r.StoppedBy = tend.ID(id), tend.ID(personID), tend.ID(by), stoppedOn.String, tend.ID(stoppedBy.String)
	r.AddedAt = r.AddedAt.UTC()
	if stoppedAt.Valid {
		t := stoppedAt.Time.UTC()
		r.StoppedAt = &t
	}
	return r, nil
}

// FindMedications returns the person's medication list: current first,
// then by start date, newest first.
func (db *DB) FindMedications(ctx context.Context, personID tend.ID) ([]medication.Record, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+medicationColumns+` FROM medications WHERE person_id = $1
		ORDER BY CASE WHEN stopped_on IS NULL THEN 0 ELSE 1 END, started_on DESC, id DESC`, string(personID))
	if err != nil {
		return nil, fmt.Errorf("store: medications: %w", err)
	}
	defer rows.Close()
	out := []medication.Record{}
	for rows.Next() {
		r, err := scanMedication(rows)
		if err != nil {
			return nil, fmt.Errorf("store: medications: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: medications: %w", err)
	}
	return out, nil
}

// FindMedicationTx returns one of the person's medications, locked until
// the unit of work ends, or ENOTFOUND.
func (tx *Tx) FindMedicationTx(ctx context.Context, personID, id tend.ID) (medication.Record, error) {
	r, err := scanMedication(tx.tx.QueryRowContext(ctx, `SELECT `+medicationColumns+` FROM medications WHERE person_id = $1 AND id = $2`+tx.db.engine.forUpdate(),
		string(personID), string(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return r, tend.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("store: medication: %w", err)
	}
	return r, nil
}

// CreateMedication adds a medication; ECONFLICT when its id is taken.
func (tx *Tx) CreateMedication(ctx context.Context, r medication.Record) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO medications (id, person_id, name, dose, schedule, as_needed, started_on, added_by, added_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		string(r.ID), string(r.PersonID), r.Name, r.Dose, r.Schedule, r.AsNeeded, r.StartedOn, string(r.AddedBy), r.AddedAt.UTC())
	if tx.db.engine.isUniqueViolation(err) {
		return tend.Wrap(tend.ECONFLICT, err, "That form was already used. Open the medication list again.")
	}
	if err != nil {
		return fmt.Errorf("store: create medication: %w", err)
	}
	return nil
}

// StopMedication records that one of the person's current medications
// stopped; ENOTFOUND when there is no such current medication.
func (tx *Tx) StopMedication(ctx context.Context, personID, id tend.ID, stoppedOn string, by tend.ID, at time.Time) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE medications SET stopped_on = $1, stopped_by = $2, stopped_at = $3
		WHERE person_id = $4 AND id = $5 AND stopped_on IS NULL`, stoppedOn, string(by), at.UTC(), string(personID), string(id))
	if err != nil {
		return fmt.Errorf("store: stop medication: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: stop medication: %w", err)
	} else if n == 0 {
		return tend.ErrNotFound
	}
	return nil
}
