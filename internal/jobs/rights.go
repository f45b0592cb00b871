package jobs

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/rights"
)

// errNotWired is a data-rights job on a node that was given no service to
// run it with; River tries it again later (on a node that has one).
var errNotWired = errors.New("jobs: data rights are not wired in on this node")

type exportWorker struct {
	river.WorkerDefaults[rights.BuildExportArgs]
	build func(ctx context.Context, exportID tend.ID) error
	log   *slog.Logger
}

// Work builds one person's download. Running it again is harmless: an
// export already built, deleted or expired is left as it is.
func (w *exportWorker) Work(ctx context.Context, job *river.Job[rights.BuildExportArgs]) error {
	if w.build == nil {
		return errNotWired
	}
	if err := w.build(ctx, job.Args.ExportID); err != nil {
		return err
	}
	w.log.Info("data export built", "job_id", job.ID)
	return nil
}

func (w *exportWorker) Timeout(*river.Job[rights.BuildExportArgs]) time.Duration {
	return exportTimeout
}

type eraseWorker struct {
	river.WorkerDefaults[rights.EraseArgs]
	erase func(ctx context.Context, erasureID tend.ID) error
	log   *slog.Logger
}

// Work carries out one erasure request at the end of its hold. Running it
// again is harmless: a cancelled request does nothing, and a done one only
// destroys the (already destroyed) data key again.
func (w *eraseWorker) Work(ctx context.Context, job *river.Job[rights.EraseArgs]) error {
	if w.erase == nil {
		return errNotWired
	}
	if err := w.erase(ctx, job.Args.ErasureID); err != nil {
		return err
	}
	w.log.Info("erasure request carried out", "job_id", job.ID)
	return nil
}

func (w *eraseWorker) Timeout(*river.Job[rights.EraseArgs]) time.Duration { return eraseTimeout }

type sweepExportsWorker struct {
	river.WorkerDefaults[SweepExportsArgs]
	sweep func(ctx context.Context) (int, error)
	log   *slog.Logger
}

// Work deletes the downloads that have expired.
func (w *sweepExportsWorker) Work(ctx context.Context, job *river.Job[SweepExportsArgs]) error {
	if w.sweep == nil {
		return nil
	}
	n, err := w.sweep(ctx)
	if n > 0 || err != nil {
		w.log.Info("expired data exports deleted", "job_id", job.ID, "exports", n)
	}
	return err
}
