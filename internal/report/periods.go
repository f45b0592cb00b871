package report

import (
	"time"

	"github.com/tendcare/tend/internal/outcome"
)

// span is one period of an episode: its first and last day.
type span struct {
	Period   outcome.Period
	From, To time.Time
}

// spans returns the periods of an episode in time order (outcomes.md
// "Episodes of care and periods"): the baseline, the first baselineDays
// days from the start (no later than the end); the end of treatment, the
// last baselineDays days up to the end (no earlier than the start); and,
// with the consent recorded at discharge, each follow-up window, as
// episodes.Episode.FollowUpPoints gives it (the same dates the
// questionnaire schedule uses). An episode that has not started has none;
// one that has not ended has only its baseline.
func spans(r EpisodeRecord, baselineDays, windowWeeks int) []span {
	e := r.Episode
	if e.StartedOn == nil {
		return nil
	}
	start := *e.StartedOn
	base := span{Period: outcome.Baseline, From: start, To: start.AddDate(0, 0, baselineDays-1)}
	if e.EndedOn == nil {
		return []span{base}
	}
	end := *e.EndedOn
	if base.To.After(end) {
		base.To = end
	}
	last := span{Period: outcome.End, From: end.AddDate(0, 0, -(baselineDays - 1)), To: end}
	if last.From.Before(start) {
		last.From = start
	}
	out := []span{base, last}
	for _, p := range e.FollowUpPoints(windowWeeks) {
		for _, f := range outcome.FollowUps {
			if f.Months == p.Months {
				out = append(out, span{Period: f.Period, From: p.From, To: p.To})
			}
		}
	}
	return out
}

// treatment is the run of days from the start to the end, or to through
// for an episode not yet ended; ok is false before the start.
func treatment(r EpisodeRecord, through time.Time) (Window, bool) {
	e := r.Episode
	if e.StartedOn == nil {
		return Window{}, false
	}
	to := through
	if e.EndedOn != nil {
		to = *e.EndedOn
	}
	if to.Before(*e.StartedOn) {
		return Window{}, false
	}
	return Window{PersonID: e.PersonID, From: *e.StartedOn, To: to}, true
}
