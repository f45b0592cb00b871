// Package report builds the outcome reports of clinical/outcomes.md from
// stored data: the service outcomes report for leads (aggregated over the
// fixed groupings and cohorts, through the outcome package's disclosure
// control, one aggregate audit event per report) and one person's outcome
// measures for their episode of care, for the session preparation view of
// their care team (only the areas the person shares, audited). It reads
// per-card summaries aggregated in the database, never every card.
package report

import (
	"time"

	"github.com/tendcare/tend/internal/episodes"
	"github.com/tendcare/tend/internal/outcome"
)

// PersonOutcomes is one person's outcome measures for their current or
// latest episode of care, for their care team.
type PersonOutcomes struct {
	// Episode is the episode the measures are for; nil when the person has
	// no episode that has started.
	Episode *episodes.Episode
	// Diary is true when the reader may see the person's diary: only then
	// are Periods filled. Questionnaires likewise for Scores.
	Diary          bool
	Questionnaires bool
	// Periods are the episode's periods that have begun by today, in time
	// order; Complete says whether the period is over.
	Periods []PersonPeriod
	// Change is the person's own change in self-harm rate from the baseline
	// to the latest complete period, when both have the minimum coverage.
	Change *PersonChange
	// Incidents counts incidents clinicians recorded during the episode
	// (a separate measure, never added to diary counts).
	Incidents int
	// Scores are the questionnaire changes from the baseline.
	Scores   []outcome.Score
	Settings outcome.Settings
}

// PersonPeriod is one period of the person's episode.
type PersonPeriod struct {
	Period   outcome.Period
	From, To time.Time // civil dates
	Complete bool
	Days     outcome.Days
}

// PersonChange is the person's change in self-harm rate per week between
// two periods.
type PersonChange struct {
	From, To   outcome.Period
	RateBefore float64 // per week
	RateAfter  float64
}
