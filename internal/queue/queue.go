package queue

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

// The states a job is in (River's).
const (
	StateAvailable = "available"
	StateScheduled = "scheduled"
	StateRunning   = "running"
	StateRetryable = "retryable"
	StateCompleted = "completed"
	StateDiscarded = "discarded"
	StateCancelled = "cancelled"
	StatePending   = "pending"
)

// States lists the states the jobs page counts, in the order it shows them.
var States = []string{StateAvailable, StateScheduled, StateRunning, StateRetryable, StateCompleted, StateDiscarded, StateCancelled}

// Retryable reports whether a job in state may be retried from the page.
func Retryable(state string) bool {
	return state == StateRetryable || state == StateDiscarded || state == StateCancelled
}

// Count is how many jobs of one kind are in one state.
type Count struct {
	Kind  string
	State string
	N     int
}

// Job is one job that failed at least once, as the page shows it.
type Job struct {
	ID          int64
	Kind        string
	State       string
	Attempt     int
	MaxAttempts int
	LastError   string    // one line, at most MaxErrorChars
	LastErrorAt time.Time // zero when it has no error (a cancelled job)
}

// Kind is one job kind's summary.
type Kind struct {
	Name        string
	Counts      map[string]int // by state; completed counts only those finished since Overview.Since
	Failures    int            // jobs retryable now, or discarded or cancelled since Overview.Since
	LastError   string
	LastErrorAt time.Time
}

// Overview is the jobs page's content.
type Overview struct {
	Since  time.Time // completed jobs are counted from here
	Kinds  []Kind    // by name
	Failed []Job     // the latest failed jobs, newest first
}

// MaxErrorChars bounds the error text shown for a job.
const MaxErrorChars = 200

// RecentWindow is how far back completed jobs are counted.
const RecentWindow = 24 * time.Hour

// MaxFailed bounds the failed jobs listed.
const MaxFailed = 50

// Store is what the jobs page needs from storage.
type Store interface {
	// FindJobCounts counts jobs by kind and state: all those not finished,
	// and those finished (completed, discarded, cancelled) since since.
	FindJobCounts(ctx context.Context, since time.Time) ([]Count, error)
	// FindFailedJobs lists up to limit jobs retryable, discarded or
	// cancelled, newest first, with their last error as stored.
	FindFailedJobs(ctx context.Context, limit int) ([]Job, error)
	InTx(ctx context.Context, fn func(Tx) error) error
}

// Tx is one unit of work.
type Tx interface {
	// RetryJob makes a retryable, discarded or cancelled job available to
	// run at once and returns its kind. ENOTFOUND when there is no such
	// job; ECONFLICT when it is in another state.
	RetryJob(ctx context.Context, id int64) (string, error)
	AppendAudit(ctx context.Context, events ...tend.AuditEvent) error
}

// Checker decides access.
type Checker interface {
	CheckService(ctx context.Context, actor tend.Actor, action access.Action) error
}

// Audit actions.
const (
	AuditViewed  = "jobs.viewed"
	AuditRetried = "jobs.retried"
)

// Service is the jobs page's service.
type Service struct {
	store   Store
	checker Checker
	clock   tend.Clock
}

// NewService returns the jobs page's service.
func NewService(store Store, checker Checker, clock tend.Clock) *Service {
	return &Service{store: store, checker: checker, clock: clock}
}

// Overview returns the jobs' counts and failures (admins only; the view is
// audited). Errors as access.Checker.CheckService.
func (s *Service) Overview(ctx context.Context, actor tend.Actor) (Overview, error) {
	if err := s.checker.CheckService(ctx, actor, access.SettingsManage); err != nil {
		return Overview{}, err
	}
	out := Overview{Since: s.clock.Now().UTC().Add(-RecentWindow)}
	counts, err := s.store.FindJobCounts(ctx, out.Since)
	if err != nil {
		return Overview{}, fmt.Errorf("queue: counts: %w", err)
	}
	failed, err := s.store.FindFailedJobs(ctx, MaxFailed)
	if err != nil {
		return Overview{}, fmt.Errorf("queue: failed jobs: %w", err)
	}
	kinds := map[string]*Kind{}
	kind := func(name string) *Kind {
		k, ok := kinds[name]
		if !ok {
			k = &Kind{Name: name, Counts: map[string]int{}}
			kinds[name] = k
		}
		return k
	}
	for _, c := range counts {
		k := kind(c.Kind)
		k.Counts[c.State] += c.N
		if Retryable(c.State) {
			k.Failures += c.N
		}
	}
	for i := range failed {
		failed[i].LastError = OneLine(failed[i].LastError)
		j := failed[i]
		k := kind(j.Kind)
		if j.LastError != "" && j.LastErrorAt.After(k.LastErrorAt) {
			k.LastError, k.LastErrorAt = j.LastError, j.LastErrorAt
		}
	}
	out.Failed = failed
	for _, k := range kinds {
		out.Kinds = append(out.Kinds, *k)
	}
	slices.SortFunc(out.Kinds, func(a, b Kind) int { return strings.Compare(a.Name, b.Name) })
	err = s.store.InTx(ctx, func(tx Tx) error {
		return tx.AppendAudit(ctx, event(actor, AuditViewed, "jobs"))
	})
	if err != nil {
		return Overview{}, err
	}
	return out, nil
}

// Retry makes a failed job (retryable, discarded or cancelled) available
// to run at once, in one unit of work with its audit event (admins only).
// ENOTFOUND for an unknown job, ECONFLICT for a job in another state;
// access errors as access.Checker.CheckService.
func (s *Service) Retry(ctx context.Context, actor tend.Actor, id int64) error {
	if err := s.checker.CheckService(ctx, actor, access.SettingsManage); err != nil {
		return err
	}
	if id <= 0 {
		return tend.ErrNotFound
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		if _, err := tx.RetryJob(ctx, id); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditRetried, "job:"+strconv.FormatInt(id, 10)))
	})
}

// OneLine returns the first line of an error, without control characters,
// cut to MaxErrorChars.
func OneLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > MaxErrorChars {
		s = string(r[:MaxErrorChars-1]) + "…"
	}
	return s
}

func event(actor tend.Actor, action, target string) tend.AuditEvent {
	role := string(actor.Role)
	if role == "" {
		role = string(actor.Kind)
	}
	return tend.AuditEvent{ActorKind: actor.Kind, ActorID: actor.ID, ActorRole: role, Action: action, Target: target, Outcome: tend.OutcomeOK}
}
