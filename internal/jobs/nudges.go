package jobs

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/followup"
)

// Nudges are the reminders of unacknowledged follow-up tasks
// (followup.Nudger): Scan creates the reminders that have fallen due, each
// with a followup.SendNudgeArgs job; Send gives one. Scan nil runs no
// periodic job; Send nil leaves send jobs waiting for a node that has it.
type Nudges struct {
	Scan func(ctx context.Context) (int, error)
	Send func(ctx context.Context, nudgeID tend.ID) (followup.SendResult, error)
	// Every is the period of the scan (five minutes when zero, at least
	// a second): a reminder comes at most this long after it falls due.
	Every time.Duration
}

// DefaultNudgeEvery is the scan's period when Nudges.Every is zero.
const DefaultNudgeEvery = 5 * time.Minute

// NudgeScanArgs asks for the reminders that have fallen due to be created
// (once per task and level, so a second run creates nothing).
type NudgeScanArgs struct{}

// Kind names the job.
func (NudgeScanArgs) Kind() string { return "followup_nudges" }

// nudgeScanTimeout bounds one scan; reminders left over are created by the
// next.
const nudgeScanTimeout = 5 * time.Minute

// nudgeSendTimeout bounds giving one reminder (its notices included).
const nudgeSendTimeout = 2 * time.Minute

var errNudgesNotWired = errors.New("jobs: task reminders are not wired in on this node")

type nudgeScanWorker struct {
	river.WorkerDefaults[NudgeScanArgs]
	scan func(ctx context.Context) (int, error)
	log  *slog.Logger
}

// Work creates the reminders that have fallen due.
func (w *nudgeScanWorker) Work(ctx context.Context, job *river.Job[NudgeScanArgs]) error {
	if w.scan == nil {
		return nil
	}
	n, err := w.scan(ctx)
	if n > 0 || err != nil {
		w.log.Info("task reminders due", "job_id", job.ID, "created", n)
	}
	return err
}

func (w *nudgeScanWorker) Timeout(*river.Job[NudgeScanArgs]) time.Duration { return nudgeScanTimeout }

type nudgeSendWorker struct {
	river.WorkerDefaults[followup.SendNudgeArgs]
	send func(ctx context.Context, nudgeID tend.ID) (followup.SendResult, error)
	log  *slog.Logger
}

// Work gives one reminder. Running it again alerts no one twice and reuses
// each notice's id, so a channel delivers it once.
func (w *nudgeSendWorker) Work(ctx context.Context, job *river.Job[followup.SendNudgeArgs]) error {
	if w.send == nil {
		return errNudgesNotWired
	}
	res, err := w.send(ctx, job.Args.NudgeID)
	if err != nil {
		return err
	}
	if res.Given && res.Recipients == 0 {
		// Nobody to remind: a team without an active lead, or a task
		// nobody can take. The row keeps recipients 0; the log says so,
		// with ids only (docs/follow-up-tasks.md "Reminders").
		w.log.Warn("task reminder reached nobody", "job_id", job.ID, "nudge_id", job.Args.NudgeID)
	}
	return nil
}

func (w *nudgeSendWorker) Timeout(*river.Job[followup.SendNudgeArgs]) time.Duration {
	return nudgeSendTimeout
}
