package web

import (
	"slices"
	"testing"
	"time"

	"github.com/tendcare/tend/internal/outcome"
	"github.com/tendcare/tend/internal/report"
)

// TestPrepareOutcomePeriods words one person's periods as the preparation
// page shows them, against figures worked out by hand: coverage with every
// rate, a period with no day recorded has no figure (missing, never zero),
// skills as shares of the days recorded, clinicians' incidents apart, and
// the person's own change only when the report gives one.
func TestPrepareOutcomePeriods(t *testing.T) {
	s := newTestServer(t)
	p := s.printer()
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	po := report.PersonOutcomes{Diary: true, Periods: []report.PersonPeriod{
		{Period: outcome.Baseline, From: day("2026-01-05"), To: day("2026-02-01"), Complete: true, Days: outcome.Days{
			InPeriod: 28, Observed: 21, SelfHarm: 6, EmotionDays: 20, EmotionSum: 50,
			Skills:   outcome.SkillsDays{UsedHelped: 7, Used: 5, Thought: 6, None: 2},
			UrgeDays: 8, RiddenOutDays: 6, Incidents: 1}},
		{Period: outcome.End, From: day("2026-03-01"), To: day("2026-03-28"), Days: outcome.Days{InPeriod: 10}},
	}}
	set := outcome.Defaults
	cells := func(rows []prepRow, label string) []string {
		for _, r := range rows {
			if r.Label == label {
				return r.Cells
			}
		}
		t.Fatalf("no row %q", label)
		return nil
	}

	t.Run("OK", func(t *testing.T) {
		var o prepOutcomes
		s.prepareOutcomePeriods(p, po, set, &o)
		if o.Span != 3 || len(o.Periods) != 2 {
			t.Fatalf("span %d, %d periods", o.Span, len(o.Periods))
		}
		if o.Periods[0].Label != "baseline (first 28 days)" || o.Periods[0].Dates != "5 Jan 2026 to 1 Feb 2026" || o.Periods[1].Dates != "from 1 Mar 2026 (so far)" {
			t.Errorf("periods: %+v", o.Periods)
		}
		for _, tt := range []struct {
			rows  []prepRow
			label string
			want  []string
		}{
			{o.Rows, "Days recorded", []string{"21 of 28 days recorded (75%)", "0 of 10 days recorded (0%)"}},
			// 6 times in 21 days: 6 / 21 x 7 = 2.0 a week.
			{o.Rows, "Self-harm, per week", []string{"2.0 per week (6 times in 21 days recorded)", "No day recorded"}},
			{o.Rows, "Days with a suicide attempt recorded (counted apart)", []string{"0 days", "No day recorded"}},
			// 50 / 20 = 2.5.
			{o.Rows, "Highest emotion rating of the day, mean (0 to 5)", []string{"2.5 (on 20 days rated)", "No day recorded"}},
			{o.Rows, "Urges ridden out", []string{"6 of 8 days with a strong urge (75%)", "No day recorded"}},
			// Shares of the 21 days recorded: 7/21 = 33%, 5/21 = 24%, 6/21 = 29%, 2/21 = 10%.
			{o.SkillsRows, "used and helped", []string{"7 of 21 days (33%)", "No day recorded"}},
			{o.SkillsRows, "used", []string{"5 of 21 days (24%)", "No day recorded"}},
			{o.SkillsRows, "thought about but not used", []string{"6 of 21 days (29%)", "No day recorded"}},
			{o.SkillsRows, "not thought about or used", []string{"2 of 21 days (10%)", "No day recorded"}},
			{o.IncidentRows, "Incidents recorded by clinicians", []string{"1", "0"}},
		} {
			if got := cells(tt.rows, tt.label); !slices.Equal(got, tt.want) {
				t.Errorf("%s: %q, want %q", tt.label, got, tt.want)
			}
		}
		if want := "Not shown yet: the change needs two periods with at least 50% of their days recorded."; o.Change != want {
			t.Errorf("change %q, want %q", o.Change, want)
		}
	})
	t.Run("NoSelfHarm", func(t *testing.T) {
		var o prepOutcomes
		none := report.PersonOutcomes{Diary: true, Periods: []report.PersonPeriod{{Period: outcome.FollowUp3, From: day("2026-05-01"), To: day("2026-06-26"),
			Complete: true, Days: outcome.Days{InPeriod: 57, Observed: 30}}}}
		s.prepareOutcomePeriods(p, none, set, &o)
		if got := cells(o.Rows, "Self-harm, per week"); !slices.Equal(got, []string{"0.0 per week (none in 30 days recorded)"}) {
			t.Errorf("no self-harm on the days recorded: %q", got)
		}
		if o.Periods[0].Label != "follow-up at 3 months" {
			t.Errorf("period %q", o.Periods[0].Label)
		}
	})
	t.Run("OwnChange", func(t *testing.T) {
		var o prepOutcomes
		withChange := po
		withChange.Change = &report.PersonChange{From: outcome.Baseline, To: outcome.End, RateBefore: 2, RateAfter: 0.5}
		s.prepareOutcomePeriods(p, withChange, set, &o)
		if want := "Self-harm went from 2.0 per week in the baseline (first 28 days) to 0.5 per week in the end of treatment (last 28 days)."; o.Change != want {
			t.Errorf("change %q, want %q", o.Change, want)
		}
	})
}

func TestPrepPercent(t *testing.T) {
	for _, tt := range []struct{ n, d, want int }{{0, 0, 0}, {1, 2, 50}, {1, 3, 33}, {2, 3, 67}, {1, 8, 13}, {5, 21, 24}, {21, 28, 75}} {
		if got := prepPercent(tt.n, tt.d); got != tt.want {
			t.Errorf("%d of %d: %d%%, want %d%%", tt.n, tt.d, got, tt.want)
		}
	}
}
