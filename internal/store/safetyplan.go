package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/safetyplan"
)

const planColumns = `id, person_id, version, based_on, merged, saved_by_kind, saved_by, saved_at,
	step_1, step_2, step_3, step_4, step_5, step_6, most_important, reasons, likely`

func scanPlan(s interface{ Scan(...any) error }) (safetyplan.Record, error) {
	var r safetyplan.Record
	var id, personID, kind, by string
	dest := []any{&id, &personID, &r.Version, &r.BasedOn, &r.Merged, &kind, &by, &r.SavedAt}
	for i := range r.Sealed {
		dest = append(dest, &r.Sealed[i])
	}
	if err := s.Scan(dest...); err != nil {
		return r, err
	}
	r.ID, r.PersonID, r.SavedByKind, r.SavedBy = tend.ID(id), tend.ID(personID), tend.AccountKind(kind), tend.ID(by)
	r.SavedAt = r.SavedAt.UTC()
	return r, nil
}

// FindSafetyPlanVersions returns every version of the person's plan, newest
// first. It reads only, so the person's plan opens while writes fail.
func (db *DB) FindSafetyPlanVersions(ctx context.Context, personID tend.ID) ([]safetyplan.Record, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+planColumns+` FROM safety_plan_versions WHERE person_id = $1 ORDER BY version DESC`, string(personID))
	if err != nil {
		return nil, fmt.Errorf("store: safety plan versions: %w", err)
	}
	defer rows.Close()
	out := []safetyplan.Record{}
	for rows.Next() {
		r, err := scanPlan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: safety plan versions: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: safety plan versions: %w", err)
	}
	return out, nil
}

// FindSafetyPlanReview returns the person's latest plan review, or ENOTFOUND.
func (db *DB) FindSafetyPlanReview(ctx context.Context, personID tend.ID) (safetyplan.Review, error) {
	var r safetyplan.Review
	var id, pid, by string
	err := db.read.QueryRowContext(ctx, `SELECT id, person_id, version, reviewed_by, reviewed_at FROM safety_plan_reviews
		WHERE person_id = $1 ORDER BY reviewed_at DESC, id DESC LIMIT 1`, string(personID)).Scan(&id, &pid, &r.Version, &by, &r.ReviewedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return r, tend.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("store: safety plan review: %w", err)
	}
	r.ID, r.PersonID, r.ReviewedBy, r.ReviewedAt = tend.ID(id), tend.ID(pid), tend.ID(by), r.ReviewedAt.UTC()
	return r, nil
}

// LatestSafetyPlan returns the newest version of the person's plan, locked
// until the unit of work ends, or ENOTFOUND.
func (tx *Tx) LatestSafetyPlan(ctx context.Context, personID tend.ID) (safetyplan.Record, error) {
	r, err := scanPlan(tx.tx.QueryRowContext(ctx, `SELECT `+planColumns+` FROM safety_plan_versions WHERE person_id = $1
		ORDER BY version DESC LIMIT 1`+tx.db.engine.forUpdate(), string(personID)))
	if errors.Is(err, sql.ErrNoRows) {
		return r, tend.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("store: latest safety plan: %w", err)
	}
	return r, nil
}

// SafetyPlanVersion returns one version of the person's plan, or ENOTFOUND.
func (tx *Tx) SafetyPlanVersion(ctx context.Context, personID tend.ID, version int) (safetyplan.Record, error) {
	r, err := scanPlan(tx.tx.QueryRowContext(ctx, `SELECT `+planColumns+` FROM safety_plan_versions WHERE person_id = $1 AND version = $2`,
		string(personID), version))
	if errors.Is(err, sql.ErrNoRows) {
		return r, tend.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("store: safety plan version: %w", err)
	}
	return r, nil
}

// CreateSafetyPlanVersion adds a version; ECONFLICT when another save took
// its number first.
func (tx *Tx) CreateSafetyPlanVersion(ctx context.Context, r safetyplan.Record) error {
	args := []any{string(r.ID), string(r.PersonID), r.Version, r.BasedOn, r.Merged, string(r.SavedByKind), string(r.SavedBy), r.SavedAt.UTC()}
	for _, b := range r.Sealed {
		args = append(args, b)
	}
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO safety_plan_versions (`+planColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`, args...)
	if tx.db.engine.isUniqueViolation(err) {
		return tend.Wrap(tend.ECONFLICT, err, "The plan was saved by someone else at the same moment. Please save again.")
	}
	if err != nil {
		return fmt.Errorf("store: create safety plan version: %w", err)
	}
	return nil
}

// CreateSafetyPlanReview records a clinician's review of the plan.
func (tx *Tx) CreateSafetyPlanReview(ctx context.Context, r safetyplan.Review) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO safety_plan_reviews (id, person_id, version, reviewed_by, reviewed_at) VALUES ($1, $2, $3, $4, $5)`,
		string(r.ID), string(r.PersonID), r.Version, string(r.ReviewedBy), r.ReviewedAt.UTC())
	if err != nil {
		return fmt.Errorf("store: create safety plan review: %w", err)
	}
	return nil
}
