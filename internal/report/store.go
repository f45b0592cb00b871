package report

import (
	"context"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/episodes"
	"github.com/tendcare/tend/internal/measure"
	"github.com/tendcare/tend/internal/outcome"
)

// EpisodeFilter says which episodes of care a report reads: those of the
// people of Teams whose end falls from EndedFrom to EndedTo (civil dates,
// inclusive), or, with PersonID set, every episode of that person.
type EpisodeFilter struct {
	Teams              []tend.ID
	EndedFrom, EndedTo time.Time
	PersonID           tend.ID
}

// EpisodeRecord is an episode of care with what reports read beside it.
type EpisodeRecord struct {
	Episode          episodes.Episode
	TeamID           tend.ID // the person's team
	SessionsAttended int     // the episode's sessions marked attended
}

// Window is a run of a person's civil dates, first and last inclusive: a
// period of an episode, or the whole treatment.
type Window struct {
	PersonID tend.ID
	From, To time.Time
}

// Days returns the number of days in the window.
func (w Window) Days() int { return int(w.To.Sub(w.From).Hours()/24) + 1 }

// Total is the first finished questionnaire of one instrument in a window:
// by due date, then by when it was finished.
type Total struct {
	Window       int // the window's index
	InstrumentID string
	// Total is the response's total; nil when it has none (too few items
	// answered).
	Total *float64
}

// Store is what the service reads. Every method aggregates in the
// database over the per-card summaries, so memory grows with the number of
// episodes and never with the number of cards.
type Store interface {
	InTx(ctx context.Context, fn func(Tx) error) error
	// FindTeams lists every team, by name.
	FindTeams(ctx context.Context) ([]auth.Team, error)
	// FindEpisodeEndMonths returns the distinct months (their first day) in
	// which episodes of the people of teams ended, oldest first.
	FindEpisodeEndMonths(ctx context.Context, teams []tend.ID) ([]time.Time, error)
	// FindReportEpisodes returns the episodes f selects, by end (open
	// ones last), then id.
	FindReportEpisodes(ctx context.Context, f EpisodeFilter) ([]EpisodeRecord, error)
	// FindWindowDays sums the diary summaries of each window's person
	// over the window (and counts the incidents recorded in it), in one
	// query for every window: out[i] is windows[i]'s, with InPeriod left
	// 0 for the caller.
	FindWindowDays(ctx context.Context, windows []Window) ([]outcome.Days, error)
	// FindWindowCounts counts the days with a card of each window's
	// person within the window, from the index of cards alone: out[i] is
	// windows[i]'s.
	FindWindowCounts(ctx context.Context, windows []Window) ([]int, error)
	// FindWindowTotals returns, for each window, the first finished
	// questionnaire of each instrument due within it, by window and
	// instrument.
	FindWindowTotals(ctx context.Context, windows []Window) ([]Total, error)
	// FindImportedInstruments returns every imported instrument, retired
	// ones included (a report reads old responses too).
	FindImportedInstruments(ctx context.Context) ([]measure.Imported, error)
}

// Tx is one unit of work: the audit events of a read.
type Tx interface {
	AppendAudit(ctx context.Context, events ...tend.AuditEvent) error
}

// Checker decides access (access.Checker).
type Checker interface {
	Check(ctx context.Context, actor tend.Actor, action access.Action, personID tend.ID) error
	CheckTeam(ctx context.Context, actor tend.Actor, action access.Action, teamID tend.ID) error
	CheckService(ctx context.Context, actor tend.Actor, action access.Action) error
}
