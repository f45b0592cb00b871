package jobs

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/remind"
)

// Reminders are the person's reminders' work (remind.Service's FindDue and
// Deliver).
type Reminders struct {
	// FindDue records the reminders due now and enqueues their sends; nil
	// runs no due finder on this node.
	FindDue func(ctx context.Context) (int, error)
	// Deliver sends one reminder; nil leaves send jobs for a node that has it.
	Deliver func(ctx context.Context, sendID tend.ID) error
	// Every is the period of the due finder (a minute when zero). A
	// reminder goes out at most this long after its time.
	Every time.Duration
}

// RemindDueArgs asks for the reminders due now to be found. Each becomes a
// send row, unique per person, kind and occurrence, and a send_reminder
// job, so a second run (or a second node) adds nothing.
type RemindDueArgs struct{}

// Kind names the job.
func (RemindDueArgs) Kind() string { return "remind_due" }

// remindDueTimeout bounds one due run; people left over are found by the
// next run.
const remindDueTimeout = 5 * time.Minute

// The send job's arguments live in internal/remind (the due finder
// enqueues them in its units of work): remind.SendArgs holds one send id.

// sendReminderTimeout bounds one delivery (Web Push and e-mail).
const sendReminderTimeout = 2 * time.Minute

type remindDueWorker struct {
	river.WorkerDefaults[RemindDueArgs]
	find func(ctx context.Context) (int, error)
	log  *slog.Logger
}

// Work finds the reminders due now.
func (w *remindDueWorker) Work(ctx context.Context, job *river.Job[RemindDueArgs]) error {
	if w.find == nil {
		return nil
	}
	n, err := w.find(ctx)
	if n > 0 || err != nil {
		w.log.Info("reminders due", "job_id", job.ID, "sends", n)
	}
	return err
}

func (w *remindDueWorker) Timeout(*river.Job[RemindDueArgs]) time.Duration { return remindDueTimeout }

type sendReminderWorker struct {
	river.WorkerDefaults[remind.SendArgs]
	deliver func(ctx context.Context, sendID tend.ID) error
	log     *slog.Logger
}

// Work delivers one reminder. Running it again is harmless: a send already
// sent or skipped is left as it is, and a retry reuses the send id, which
// the channels use to drop a repeat.
func (w *sendReminderWorker) Work(ctx context.Context, job *river.Job[remind.SendArgs]) error {
	if w.deliver == nil {
		return errRemindersNotWired
	}
	if err := w.deliver(ctx, job.Args.SendID); err != nil {
		return err
	}
	w.log.Info("reminder send done", "job_id", job.ID)
	return nil
}

func (w *sendReminderWorker) Timeout(*river.Job[remind.SendArgs]) time.Duration {
	return sendReminderTimeout
}

// errRemindersNotWired is a send job on a node given no reminder service;
// River tries it again later (on a node that has one).
var errRemindersNotWired = errors.New("jobs: reminders are not wired in on this node")

// remindPeriodic is the due finder's periodic job, when wired in.
func remindPeriodic(opt Options) *river.PeriodicJob {
	if opt.Reminders.FindDue == nil {
		return nil
	}
	every := opt.Reminders.Every
	if every <= 0 {
		every = time.Minute
	}
	return river.NewPeriodicJob(
		river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) {
			// A due run is worth little once the next one starts.
			return RemindDueArgs{}, &river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: every}}
		},
		&river.PeriodicJobOpts{ID: RemindDueArgs{}.Kind(), RunOnStart: true},
	)
}
