package settings_test

import (
	"testing"

	"github.com/tendcare/tend/internal/outcome"
	"github.com/tendcare/tend/internal/settings"
)

func TestValidateOutcomes(t *testing.T) {
	h, _ := settings.ParseHours("mon-fri 09:00-17:00")
	good := settings.Settings{Name: "Riverside", Country: "GB", TimeZone: "Europe/London", Locale: "en-GB", WorkingHours: h,
		OutOfHours: "Call NHS 111", Emergency: "Call 999 or go to A&E"}
	tests := []struct {
		name  string
		o     outcome.Settings
		field string // "" when valid
	}{
		{"OKDefaults", outcome.Settings{}, ""},
		{"OKEdges", outcome.Settings{BaselineDays: 7, MinCoverage: 0.1, Suppress: 20, CountsOnly: 20, Resamples: 10000}, ""},
		{"OKOtherEdges", outcome.Settings{BaselineDays: 90, MinCoverage: 1, Suppress: 2, CountsOnly: 2, Resamples: 200}, ""},
		{"OKCountsOnlyDefaultAboveSuppress", outcome.Settings{Suppress: 8}, ""},
		{"ErrBaselineShort", outcome.Settings{BaselineDays: 6}, "outcomes.baseline_days"},
		{"ErrBaselineLong", outcome.Settings{BaselineDays: 91}, "outcomes.baseline_days"},
		{"ErrCoverageLow", outcome.Settings{MinCoverage: 0.05}, "outcomes.min_coverage"},
		{"ErrCoverageHigh", outcome.Settings{MinCoverage: 1.5}, "outcomes.min_coverage"},
		{"ErrSuppressLow", outcome.Settings{Suppress: 1}, "outcomes.suppress"},
		{"ErrSuppressHigh", outcome.Settings{Suppress: 21}, "outcomes.suppress"},
		{"ErrCountsOnlyBelowSuppress", outcome.Settings{Suppress: 8, CountsOnly: 7}, "outcomes.counts_only"},
		{"ErrCountsOnlyBelowDefaultSuppress", outcome.Settings{CountsOnly: 4}, "outcomes.counts_only"},
		{"ErrResamplesFew", outcome.Settings{Resamples: 199}, "outcomes.resamples"},
		{"ErrResamplesMany", outcome.Settings{Resamples: 10001}, "outcomes.resamples"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := good
			s.Outcomes = tt.o
			p := s.Validate()
			if tt.field == "" {
				if p != nil {
					t.Errorf("problems = %v, want none", p)
				}
				return
			}
			if _, ok := p[tt.field]; !ok || len(p) != 1 {
				t.Errorf("problems = %v, want exactly one for %s", p, tt.field)
			}
		})
	}
}
