package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

type resummarizeWorker struct {
	river.WorkerDefaults[ResummarizeArgs]
	resummarize func(ctx context.Context) (int, error)
	log         *slog.Logger
}

// Work summarises again the diary cards summarised before the summary
// counted strong urges. Running it twice, or on two nodes at once, is
// harmless: a card is only updated while its strong-urge count is unset,
// and a card saved meanwhile keeps the summary its save wrote.
func (w *resummarizeWorker) Work(ctx context.Context, job *river.Job[ResummarizeArgs]) error {
	if w.resummarize == nil {
		return nil
	}
	n, err := w.resummarize(ctx)
	if n > 0 || err != nil {
		w.log.Info("summarised diary cards again", "job_id", job.ID, "cards", n)
	}
	return err
}

func (w *resummarizeWorker) Timeout(*river.Job[ResummarizeArgs]) time.Duration {
	return resummarizeTimeout
}
