package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tendcare/tend"
)

// FindRecordOwner returns the person a questionnaire response, a diary card
// or a care-team membership with id belongs to (fhir.Owners), so that a
// FHIR read by id goes to that person's service read, which checks access
// and audits. It reads no content. ENOTFOUND when there is no such record.
func (db *DB) FindRecordOwner(ctx context.Context, id tend.ID) (tend.ID, error) {
	var person string
	err := db.read.QueryRowContext(ctx, `SELECT person_id FROM measure_responses WHERE id = $1
UNION ALL SELECT person_id FROM diary_cards WHERE id = $1
UNION ALL SELECT person_id FROM care_team_members WHERE id = $1
LIMIT 1`, string(id)).Scan(&person)
	if errors.Is(err, sql.ErrNoRows) {
		return "", tend.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("store: find record owner: %w", err)
	}
	return tend.ID(person), nil
}
