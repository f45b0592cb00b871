package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/chain"
)

const chainColumns = `id, person_id, day, target_id, state, revision, body, opened_by, created_at, updated_at, completed_at, completed_by`

func scanChainAnalysis(s interface{ Scan(...any) error }) (chain.Record, error) {
	var r chain.Record
	var id, personID, state, openedBy string
	var completedAt sql.NullTime
	var completedBy sql.NullString
	if err := s.Scan(&id, &personID, &r.Day, &r.Target, &state, &r.Revision, &r.Body, &openedBy, &r.CreatedAt, &r.UpdatedAt, &completedAt, &completedBy); err != nil {
		return r, err
	}
	r.ID, r.PersonID, r.State, r.OpenedBy, r.CompletedBy = tend.ID(id), tend.ID(personID), chain.State(state), tend.ID(openedBy), tend.ID(completedBy.String)
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	if completedAt.Valid {
		t := completedAt.Time.UTC()
		r.CompletedAt = &t
	}
	return r, nil
}

// FindChainAnalyses returns the person's chain analyses, most recently
// changed first.
func (db *DB) FindChainAnalyses(ctx context.Context, personID tend.ID) ([]chain.Record, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+chainColumns+` FROM chain_analyses WHERE person_id = $1 ORDER BY updated_at DESC, id DESC`, string(personID))
	if err != nil {
		return nil, fmt.Errorf("store: chain analyses: %w", err)
	}
	defer rows.Close()
	out := []chain.Record{}
	for rows.Next() {
		r, err := scanChainAnalysis(rows)
		if err != nil {
			return nil, fmt.Errorf("store: chain analyses: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: chain analyses: %w", err)
	}
	return out, nil
}

// FindChainAnalysis returns one of the person's chain analyses, or ENOTFOUND.
func (db *DB) FindChainAnalysis(ctx context.Context, personID, id tend.ID) (chain.Record, error) {
	r, err := scanChainAnalysis(db.read.QueryRowContext(ctx, `SELECT `+chainColumns+` FROM chain_analyses WHERE person_id = $1 AND id = $2`, string(personID), string(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return r, tend.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("store: chain analysis: %w", err)
	}
	return r, nil
}

// ChainAnalysisForUpdate returns one of the person's chain analyses, locked
// until the unit of work ends, or ENOTFOUND.
func (tx *Tx) ChainAnalysisForUpdate(ctx context.Context, personID, id tend.ID) (chain.Record, error) {
	r, err := scanChainAnalysis(tx.tx.QueryRowContext(ctx, `SELECT `+chainColumns+` FROM chain_analyses WHERE person_id = $1 AND id = $2`+tx.db.engine.forUpdate(),
		string(personID), string(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return r, tend.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("store: chain analysis: %w", err)
	}
	return r, nil
}

// CreateChainAnalysis adds a chain analysis; ECONFLICT when its id is taken.
func (tx *Tx) CreateChainAnalysis(ctx context.Context, r chain.Record) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO chain_analyses (`+chainColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		string(r.ID), string(r.PersonID), r.Day, r.Target, string(r.State), r.Revision, r.Body, string(r.OpenedBy), r.CreatedAt.UTC(), r.UpdatedAt.UTC(),
		timeOrNull(r.CompletedAt), nullID(r.CompletedBy))
	if tx.db.engine.isUniqueViolation(err) {
		return tend.Wrap(tend.ECONFLICT, err, "That chain analysis exists already.")
	}
	if err != nil {
		return fmt.Errorf("store: create chain analysis: %w", err)
	}
	return nil
}

// UpdateChainAnalysis replaces a chain analysis's content, revision, state
// and times; ENOTFOUND for an unknown analysis.
func (tx *Tx) UpdateChainAnalysis(ctx context.Context, r chain.Record) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE chain_analyses SET revision = $1, body = $2, state = $3, updated_at = $4, completed_at = $5, completed_by = $6
		WHERE person_id = $7 AND id = $8`,
		r.Revision, r.Body, string(r.State), r.UpdatedAt.UTC(), timeOrNull(r.CompletedAt), nullID(r.CompletedBy), string(r.PersonID), string(r.ID))
	return affectedOne(res, err, "update chain analysis")
}

// FindChainMembers returns the person's memberships that have not ended,
// with staff names, oldest first: the candidates the access policy judges
// as readers of the person's chain analyses.
func (db *DB) FindChainMembers(ctx context.Context, personID tend.ID) ([]chain.Member, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT m.staff_id, s.name, m.care_role FROM care_team_members m
		JOIN staff s ON s.id = m.staff_id
		WHERE m.person_id = $1 AND m.state <> 'ended' AND s.disabled_at IS NULL ORDER BY m.started_at, m.id`, string(personID))
	if err != nil {
		return nil, fmt.Errorf("store: chain members: %w", err)
	}
	defer rows.Close()
	out := []chain.Member{}
	for rows.Next() {
		var m chain.Member
		var id, role string
		if err := rows.Scan(&id, &m.Name, &role); err != nil {
			return nil, fmt.Errorf("store: chain members: %w", err)
		}
		m.StaffID, m.Role = tend.ID(id), tend.CareRole(role)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: chain members: %w", err)
	}
	return out, nil
}
