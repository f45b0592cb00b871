package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

type scheduleWorker struct {
	river.WorkerDefaults[ScheduleArgs]
	schedule func(ctx context.Context) (int, error)
	log      *slog.Logger
}

// Work adds the questionnaires that have fallen due. Running it twice, or
// on two nodes at once, adds each once: a due questionnaire is unique on
// its assignment and date.
func (w *scheduleWorker) Work(ctx context.Context, job *river.Job[ScheduleArgs]) error {
	if w.schedule == nil {
		return nil
	}
	n, err := w.schedule(ctx)
	if err != nil {
		return err
	}
	w.log.Info("scheduled questionnaires", "job_id", job.ID, "added", n)
	return nil
}

func (w *scheduleWorker) Timeout(*river.Job[ScheduleArgs]) time.Duration { return scheduleTimeout }
