package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/tendcare/tend/internal/store"
)

type pruneWorker struct {
	river.WorkerDefaults[PruneArgs]
	db   *store.DB
	node string
	log  *slog.Logger
}

// Work deletes expired rows. Running it twice is harmless: the second run
// finds nothing left to delete.
func (w *pruneWorker) Work(ctx context.Context, job *river.Job[PruneArgs]) error {
	run, err := w.db.PruneExpired(ctx, w.node, job.ScheduledAt)
	if err != nil {
		return err
	}
	w.log.Info("pruned expired rows", "job_id", job.ID, "rows", run.RowsDeleted)
	return nil
}

func (w *pruneWorker) Timeout(*river.Job[PruneArgs]) time.Duration { return pruneTimeout }
