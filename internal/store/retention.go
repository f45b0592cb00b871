package store

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/tendcare/tend/internal/retention"
	"github.com/tendcare/tend/internal/rights"
)

// DeleteStaleDrafts deletes the unsent drafts last touched before cutoff:
// a diary card's autosaved note never saved with the card, and
// questionnaire answers started and never finished. Saved cards, finished
// questionnaires, journal entries and chain analyses (saved records, even
// while a chain analysis is open) are never touched.
func (tx *Tx) DeleteStaleDrafts(ctx context.Context, cutoff time.Time) (retention.Drafts, error) {
	var out retention.Drafts
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM diary_note_drafts WHERE saved_at < $1`, cutoff.UTC())
	if err != nil {
		return out, fmt.Errorf("store: delete diary note drafts: %w", err)
	}
	if out.DiaryNotes, err = res.RowsAffected(); err != nil {
		return out, err
	}
	res, err = tx.tx.ExecContext(ctx, `DELETE FROM measure_responses WHERE finished = $2 AND finished_at IS NULL AND updated_at < $1`, cutoff.UTC(), false)
	if err != nil {
		return out, fmt.Errorf("store: delete questionnaire drafts: %w", err)
	}
	if out.Questionnaires, err = res.RowsAffected(); err != nil {
		return out, err
	}
	return out, nil
}

// EnqueueOverdueErasures enqueues, unique by its arguments, the erasure of
// every request neither done nor cancelled whose hold ended before
// dueBefore, and counts the jobs added: an erasure job already waiting,
// running or done adds none.
func (tx *Tx) EnqueueOverdueErasures(ctx context.Context, dueBefore time.Time) (int, error) {
	if tx.db.inserter == nil {
		return 0, fmt.Errorf("store: enqueue erasures: no job queue wired in")
	}
	ids, err := queryIDs(ctx, tx.tx, "overdue erasures",
		`SELECT id FROM erasure_requests WHERE cancelled_at IS NULL AND erased_at IS NULL AND due_at <= $1 ORDER BY due_at, id`, dueBefore.UTC())
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		res, err := tx.db.inserter.InsertTx(ctx, tx.tx.Tx, rights.EraseArgs{ErasureID: id}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}})
		if err != nil {
			return 0, fmt.Errorf("store: enqueue erasure: %w", err)
		}
		if !res.UniqueSkippedAsDuplicate {
			n++
		}
	}
	return n, nil
}
