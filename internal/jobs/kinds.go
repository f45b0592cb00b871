package jobs

import (
	"time"

	"github.com/riverqueue/river"
)

// Every job kind and every periodic job is registered here, so this file is
// the list of what Tend does in the background.

// register adds every worker to w.
func register(w *river.Workers, deps deps) {
	river.AddWorker(w, &pruneWorker{db: deps.db, node: deps.node, log: deps.log})
	river.AddWorker(w, &scheduleWorker{schedule: deps.schedule, log: deps.log})
	river.AddWorker(w, &resummarizeWorker{resummarize: deps.resummarize, log: deps.log})
	river.AddWorker(w, &backupWorker{db: deps.db, cfg: deps.backups, log: deps.log, metrics: deps.backupMetrics})
	// The person's data rights (internal/rights): a download built on
	// request, an erasure at the end of its hold, expired downloads swept.
	river.AddWorker(w, &exportWorker{build: deps.rights.BuildExport, log: deps.log})
	river.AddWorker(w, &eraseWorker{erase: deps.rights.Erase, log: deps.log})
	river.AddWorker(w, &sweepExportsWorker{sweep: deps.rights.SweepExports, log: deps.log})
	// The person's reminders (remind.go): the due finder and one send.
	river.AddWorker(w, &remindDueWorker{find: deps.reminders.FindDue, log: deps.log})
	river.AddWorker(w, &sendReminderWorker{deliver: deps.reminders.Deliver, log: deps.log})
	// Reminders of unacknowledged follow-up tasks (nudges.go): a periodic
	// scan creates the due ones, one send job gives each.
	river.AddWorker(w, &nudgeScanWorker{scan: deps.nudges.Scan, log: deps.log})
	river.AddWorker(w, &nudgeSendWorker{send: deps.nudges.Send, log: deps.log})
	// Retention (retention.go): old unsent drafts deleted, and an erasure
	// job for every request whose hold ended without one.
	river.AddWorker(w, &deleteDraftsWorker{run: deps.retention.Drafts, log: deps.log})
	river.AddWorker(w, &sweepErasuresWorker{run: deps.retention.Erasures, log: deps.log})
}

// periodic lists the jobs that run on a schedule. River enqueues them on the
// leader node only, and the unique-by-period option makes a second enqueue in
// the same period a no-op even during a change of leader.
func periodic(opt Options) []*river.PeriodicJob {
	jobs := []*river.PeriodicJob{
		river.NewPeriodicJob(
			river.PeriodicInterval(opt.PruneEvery),
			func() (river.JobArgs, *river.InsertOpts) {
				return PruneArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: opt.PruneEvery}}
			},
			&river.PeriodicJobOpts{ID: PruneArgs{}.Kind()},
		),
	}
	if opt.Schedule != nil {
		jobs = append(jobs, river.NewPeriodicJob(
			river.PeriodicInterval(opt.ScheduleEvery),
			func() (river.JobArgs, *river.InsertOpts) {
				return ScheduleArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: opt.ScheduleEvery}}
			},
			&river.PeriodicJobOpts{ID: ScheduleArgs{}.Kind(), RunOnStart: true},
		))
	}
	if opt.Rights.SweepExports != nil {
		jobs = append(jobs, river.NewPeriodicJob(
			river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) {
				return SweepExportsArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
			},
			&river.PeriodicJobOpts{ID: SweepExportsArgs{}.Kind()},
		))
	}
	if opt.Nudges.Scan != nil {
		jobs = append(jobs, river.NewPeriodicJob(
			river.PeriodicInterval(opt.Nudges.Every),
			func() (river.JobArgs, *river.InsertOpts) {
				return NudgeScanArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: opt.Nudges.Every}}
			},
			&river.PeriodicJobOpts{ID: NudgeScanArgs{}.Kind(), RunOnStart: true},
		))
	}
	if opt.Backups.on() {
		// A backup retried a few times, not for days: the next period
		// writes a new one anyway, and failures show on /metrics.
		jobs = append(jobs, river.NewPeriodicJob(
			river.PeriodicInterval(opt.Backups.Every),
			func() (river.JobArgs, *river.InsertOpts) {
				return BackupArgs{}, &river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: opt.Backups.Every}}
			},
			&river.PeriodicJobOpts{ID: BackupArgs{}.Kind()},
		))
	}
	if opt.Resummarize != nil {
		jobs = append(jobs, river.NewPeriodicJob(
			river.PeriodicInterval(opt.ResummarizeEvery),
			func() (river.JobArgs, *river.InsertOpts) {
				return ResummarizeArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: opt.ResummarizeEvery}}
			},
			&river.PeriodicJobOpts{ID: ResummarizeArgs{}.Kind(), RunOnStart: true},
		))
	}
	jobs = append(jobs, retentionJobs(opt.Retention)...)
	if j := remindPeriodic(opt); j != nil {
		jobs = append(jobs, j)
	}
	return jobs
}

// ResummarizeArgs asks for the diary cards summarised before the summary
// counted strong urges to be summarised again (a card summarised once is
// never read again, so a second run finds nothing to do).
type ResummarizeArgs struct{}

// Kind names the job.
func (ResummarizeArgs) Kind() string { return "resummarize_diary_cards" }

// resummarizeTimeout bounds one run; cards left over are summarised by the
// next run.
const resummarizeTimeout = 30 * time.Minute

// ScheduleArgs asks for the questionnaires that have fallen due to be added
// (one row per assignment and date, so a second run adds nothing).
type ScheduleArgs struct{}

// Kind names the job.
func (ScheduleArgs) Kind() string { return "schedule_questionnaires" }

// scheduleTimeout bounds one scheduling run.
const scheduleTimeout = 10 * time.Minute

// PruneArgs asks for expired rows (idempotency keys, sessions, rate-limit
// windows, old sign-ins, expired invites and reset codes) to be deleted.
type PruneArgs struct{}

// Kind names the job.
func (PruneArgs) Kind() string { return "prune" }

// pruneTimeout bounds one pruning run.
const pruneTimeout = 5 * time.Minute

// The data-rights jobs' arguments live in internal/rights (the service
// enqueues them in its units of work): rights.BuildExportArgs builds one
// download, rights.EraseArgs carries out one erasure request. Both hold one
// id and nothing else.

// exportTimeout bounds building one download.
const exportTimeout = 10 * time.Minute

// eraseTimeout bounds one erasure.
const eraseTimeout = 5 * time.Minute

// SweepExportsArgs asks for expired downloads to be deleted.
type SweepExportsArgs struct{}

// Kind names the job.
func (SweepExportsArgs) Kind() string { return "sweep_data_exports" }

// BackupArgs asks for a scheduled backup of the SQLite database and key
// store (Options.Backups). Each run writes new files, so a retry never
// overwrites one.
type BackupArgs struct{}

// Kind names the job.
func (BackupArgs) Kind() string { return "backup" }

// backupTimeout bounds one backup run.
const backupTimeout = time.Hour
