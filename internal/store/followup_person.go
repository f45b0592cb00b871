package store

import (
	"context"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/followup"
)

// FindPersonTasks returns the person's tasks opened or resolved at or after
// since, and those not yet resolved whenever they were opened, newest first,
// with their entries: what happened since the last session.
func (db *DB) FindPersonTasks(ctx context.Context, personID tend.ID, since time.Time) ([]followup.Task, error) {
	return findTasks(ctx, db.read, `SELECT `+taskColumns+` FROM followup_tasks t
		WHERE t.person_id = $1 AND (t.state <> 'resolved' OR t.opened_at >= $2 OR t.resolved_at >= $2)
		ORDER BY t.opened_at DESC, t.id DESC`, string(personID), since.UTC())
}
