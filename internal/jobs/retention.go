package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// Retention is the retention jobs' work (retention.Service); a nil field
// runs no such job.
type Retention struct {
	// Drafts deletes the unsent drafts older than the service's retention
	// period and returns how many (retention.Service.DeleteDrafts).
	Drafts func(ctx context.Context) (int64, error)
	// Erasures enqueues the erasure of every request whose hold has ended
	// and that has no job (retention.Service.EnqueueErasures).
	Erasures func(ctx context.Context) (int, error)
	// DraftsEvery and ErasuresEvery are the jobs' periods (a day and an
	// hour when zero).
	DraftsEvery, ErasuresEvery time.Duration
}

// DeleteDraftsArgs asks for the unsent drafts older than the service's
// retention period to be deleted.
type DeleteDraftsArgs struct{}

// Kind names the job.
func (DeleteDraftsArgs) Kind() string { return "delete_old_drafts" }

// SweepErasuresArgs asks for every erasure request whose hold has ended,
// and that is neither done nor cancelled, to have an erasure job.
type SweepErasuresArgs struct{}

// Kind names the job.
func (SweepErasuresArgs) Kind() string { return "sweep_erasures" }

// retentionTimeout bounds one retention run.
const retentionTimeout = 10 * time.Minute

type deleteDraftsWorker struct {
	river.WorkerDefaults[DeleteDraftsArgs]
	run func(ctx context.Context) (int64, error)
	log *slog.Logger
}

// Work deletes the old drafts. Running it twice deletes nothing more.
func (w *deleteDraftsWorker) Work(ctx context.Context, job *river.Job[DeleteDraftsArgs]) error {
	if w.run == nil {
		return nil
	}
	n, err := w.run(ctx)
	if err != nil {
		return err
	}
	w.log.Info("old drafts deleted", "job_id", job.ID, "drafts", n)
	return nil
}

func (w *deleteDraftsWorker) Timeout(*river.Job[DeleteDraftsArgs]) time.Duration {
	return retentionTimeout
}

type sweepErasuresWorker struct {
	river.WorkerDefaults[SweepErasuresArgs]
	run func(ctx context.Context) (int, error)
	log *slog.Logger
}

// Work enqueues the overdue erasures. Running it twice enqueues each once:
// the erasure jobs are unique by their arguments.
func (w *sweepErasuresWorker) Work(ctx context.Context, job *river.Job[SweepErasuresArgs]) error {
	if w.run == nil {
		return nil
	}
	n, err := w.run(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		w.log.Warn("overdue erasures enqueued", "job_id", job.ID, "erasures", n)
	}
	return nil
}

func (w *sweepErasuresWorker) Timeout(*river.Job[SweepErasuresArgs]) time.Duration {
	return retentionTimeout
}

// retentionJobs are the retention jobs' periodic schedule.
func retentionJobs(r Retention) []*river.PeriodicJob {
	var jobs []*river.PeriodicJob
	if r.Drafts != nil {
		every := r.DraftsEvery
		if every <= 0 {
			every = 24 * time.Hour
		}
		jobs = append(jobs, river.NewPeriodicJob(
			river.PeriodicInterval(every),
			func() (river.JobArgs, *river.InsertOpts) {
				return DeleteDraftsArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: every}}
			},
			&river.PeriodicJobOpts{ID: DeleteDraftsArgs{}.Kind()},
		))
	}
	if r.Erasures != nil {
		every := r.ErasuresEvery
		if every <= 0 {
			every = time.Hour
		}
		jobs = append(jobs, river.NewPeriodicJob(
			river.PeriodicInterval(every),
			func() (river.JobArgs, *river.InsertOpts) {
				return SweepErasuresArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: every}}
			},
			&river.PeriodicJobOpts{ID: SweepErasuresArgs{}.Kind(), RunOnStart: true},
		))
	}
	return jobs
}
