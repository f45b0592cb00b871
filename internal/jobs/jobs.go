package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/store"
)

// Options configure the job client.
type Options struct {
	Node       string        // this node's name, recorded with maintenance runs
	Work       bool          // run workers and periodic jobs (false: only enqueue)
	PruneEvery time.Duration // period of the prune job
	// Schedule adds the questionnaires that have fallen due
	// (measure.Service.Schedule); nil schedules none.
	Schedule func(ctx context.Context) (int, error)
	// ScheduleEvery is the period of the schedule job (an hour when zero).
	ScheduleEvery time.Duration
	// Resummarize summarises again the diary cards summarised before the
	// summary counted strong urges (diary.Service.Resummarize); nil runs
	// no such job.
	Resummarize func(ctx context.Context) (int, error)
	// ResummarizeEvery is the period of that job (a day when zero); it also
	// runs when a node starts working.
	ResummarizeEvery time.Duration
	// Rights runs the person's data rights (rights.Service); zero fields
	// leave those jobs waiting for a node that has them.
	Rights Rights
	// Backups configure the scheduled backup job; it runs only when a
	// folder is set, and only on SQLite.
	Backups Backups
	// Reminders run the person's reminders (remind.Service): the periodic
	// due finder and the send jobs.
	Reminders Reminders
	// Nudges remind the care team, then the team lead, of follow-up tasks
	// nobody has acknowledged (followup.Nudger); zero runs none.
	Nudges Nudges
	// Retention runs the retention jobs (old drafts, overdue erasures).
	Retention Retention
	// FetchPollInterval is how often an idle SQLite node looks for new jobs
	// (River's default, 1 s, when zero). PostgreSQL nodes are notified.
	FetchPollInterval time.Duration
	Logger            *slog.Logger
	// RescueAfter is how long a job may stay running before River takes
	// it for stuck (its node was killed) and runs it again (an hour when
	// zero; at least River's job timeout of a minute).
	RescueAfter time.Duration
}

// Client is River's client over Tend's database.
type Client struct {
	river *river.Client[*sql.Tx]
	work  bool
	// collectors are the scheduled backups' metrics.
	collectors []prometheus.Collector
}

type deps struct {
	db       *store.DB
	node     string
	log      *slog.Logger
	schedule func(ctx context.Context) (int, error)
	// resummarize is Options.Resummarize.
	resummarize func(ctx context.Context) (int, error)
	// rights is Options.Rights.
	rights Rights
	// reminders is Options.Reminders.
	reminders Reminders
	// backups is Options.Backups, and backupMetrics their metrics.
	backups       Backups
	backupMetrics backupMetrics
	// nudges is Options.Nudges.
	nudges Nudges
	// retention is Options.Retention.
	retention Retention
}

// Rights are the data-rights jobs' work (rights.Service's BuildExport,
// Erase and Sweep).
type Rights struct {
	BuildExport  func(ctx context.Context, exportID tend.ID) error
	Erase        func(ctx context.Context, erasureID tend.ID) error
	SweepExports func(ctx context.Context) (int, error)
}

// New builds the job client on db and wires it into db, so units of work can
// enqueue. It starts nothing; call Start.
func New(db *store.DB, opt Options) (*Client, error) {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.PruneEvery <= 0 {
		opt.PruneEvery = time.Hour
	}
	if opt.ScheduleEvery <= 0 {
		opt.ScheduleEvery = time.Hour
	}
	if opt.ResummarizeEvery <= 0 {
		opt.ResummarizeEvery = 24 * time.Hour
	}
	if opt.Nudges.Every <= 0 {
		opt.Nudges.Every = DefaultNudgeEvery
	}
	opt.Nudges.Every = max(opt.Nudges.Every, time.Second) // River's shortest unique period
	if opt.Backups.Every <= 0 {
		opt.Backups.Every = 24 * time.Hour
	}
	if opt.Backups.on() && db.Engine() != store.SQLite {
		return nil, errors.New("jobs: scheduled backups are for SQLite; on PostgreSQL use pg_dump or WAL archiving (docs/backup.md)")
	}
	bm := newBackupMetrics()
	workers := river.NewWorkers()
	register(workers, deps{db: db, node: opt.Node, log: opt.Logger, schedule: opt.Schedule, resummarize: opt.Resummarize, rights: opt.Rights,
		backups: opt.Backups, backupMetrics: bm, reminders: opt.Reminders, nudges: opt.Nudges, retention: opt.Retention})
	cfg := &river.Config{
		ID:      opt.Node,
		Workers: workers,
		// River logs its own housekeeping at info; Tend's logs keep to warnings
		// from it, which never carry personal content (job args hold ids only).
		Logger:            slog.New(levelAtLeast{opt.Logger.Handler(), slog.LevelWarn}),
		FetchPollInterval: opt.FetchPollInterval,
		// Zero leaves River's default of an hour.
		RescueStuckJobsAfter: opt.RescueAfter,
	}
	if opt.Work {
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}}
		cfg.PeriodicJobs = periodic(opt)
	}
	var driver riverdriver.Driver[*sql.Tx]
	if db.Engine() == store.Postgres {
		driver = riverdatabasesql.NewWithPgxListener(db.Writer(), db.Listener())
	} else {
		driver = riversqlite.New(db.Writer())
	}
	rc, err := river.NewClient(driver, cfg)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	db.SetInserter(rc)
	return &Client{river: rc, work: opt.Work, collectors: []prometheus.Collector{bm.last, bm.failures, newJobCounts(db)}}, nil
}

// Collectors are the job client's metrics, for the /metrics registry.
func (c *Client) Collectors() []prometheus.Collector { return c.collectors }

// Start begins working jobs (when Options.Work is set).
func (c *Client) Start(ctx context.Context) error {
	if !c.work {
		return nil
	}
	if err := c.river.Start(ctx); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	return nil
}

// Stop stops fetching new jobs and waits for running ones to finish, until
// ctx ends; then it cancels them (they are retried later, being idempotent).
func (c *Client) Stop(ctx context.Context) error {
	if !c.work {
		return nil
	}
	if err := c.river.Stop(ctx); err != nil {
		return c.river.StopAndCancel(context.Background())
	}
	return nil
}

// levelAtLeast filters a handler to records at or above min.
type levelAtLeast struct {
	slog.Handler
	min slog.Level
}

func (h levelAtLeast) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}
func (h levelAtLeast) WithAttrs(a []slog.Attr) slog.Handler {
	return levelAtLeast{h.Handler.WithAttrs(a), h.min}
}
func (h levelAtLeast) WithGroup(n string) slog.Handler {
	return levelAtLeast{h.Handler.WithGroup(n), h.min}
}
