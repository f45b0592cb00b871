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
}

// periodic lists the jobs that run on a schedule. River enqueues them on the
// leader node only, and the unique-by-period option makes a second enqueue in
// the same period a no-op even during a change of leader.
func periodic(opt Options) []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(
			river.PeriodicInterval(opt.PruneEvery),
			func() (river.JobArgs, *river.InsertOpts) {
				return PruneArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: opt.PruneEvery}}
			},
			&river.PeriodicJobOpts{ID: PruneArgs{}.Kind()},
		),
	}
}

// PruneArgs asks for expired rows (idempotency keys, sessions, rate-limit
// windows, old sign-ins, expired invites and reset codes) to be deleted.
type PruneArgs struct{}

// Kind names the job.
func (PruneArgs) Kind() string { return "prune" }

// pruneTimeout bounds one pruning run.
const pruneTimeout = 5 * time.Minute
