package settings

import (
	"fmt"

	"github.com/tendcare/tend/internal/outcome"
)

// Limits on the outcome reports' settings. A zero field takes
// outcome.Defaults, so only fields set are checked against them.
const (
	MinBaselineDays = 7
	MaxBaselineDays = 90
	MinCoverage     = 0.1
	MinSuppress     = 2
	MaxSuppress     = 20
	MinResamples    = 200
	MaxResamples    = 10000
)

// validOutcomes adds the problems with the outcome reports' settings to p.
func validOutcomes(o outcome.Settings, p ValidationError) {
	if o.BaselineDays != 0 && (o.BaselineDays < MinBaselineDays || o.BaselineDays > MaxBaselineDays) {
		p["outcomes.baseline_days"] = fmt.Sprintf("Enter a number of days from %d to %d, or leave it empty for %d.",
			MinBaselineDays, MaxBaselineDays, outcome.Defaults.BaselineDays)
	}
	if o.MinCoverage != 0 && (o.MinCoverage < MinCoverage || o.MinCoverage > 1) {
		p["outcomes.min_coverage"] = fmt.Sprintf("Enter a share of days from %g to 1, or leave it empty for %g.",
			MinCoverage, outcome.Defaults.MinCoverage)
	}
	if o.Suppress != 0 && (o.Suppress < MinSuppress || o.Suppress > MaxSuppress) {
		p["outcomes.suppress"] = fmt.Sprintf("Enter a number of people from %d to %d, or leave it empty for %d.",
			MinSuppress, MaxSuppress, outcome.Defaults.Suppress)
	}
	if o.Resamples != 0 && (o.Resamples < MinResamples || o.Resamples > MaxResamples) {
		p["outcomes.resamples"] = fmt.Sprintf("Enter a number of resamples from %d to %d, or leave it empty for %d.",
			MinResamples, MaxResamples, outcome.Defaults.Resamples)
	}
	if w := o.WithDefaults(); o.CountsOnly != 0 && w.CountsOnly < w.Suppress {
		p["outcomes.counts_only"] = fmt.Sprintf("Enter a number of people no smaller than the suppression threshold (%d).", w.Suppress)
	}
}
