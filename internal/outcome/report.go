package outcome

import (
	"fmt"
	"time"
)

// Note is the fixed observational note every report carries (outcomes.md).
const Note = "These are observational figures with no comparison group. " +
	"Change can reflect things besides therapy: people often start at their worst, recording changes as " +
	"trust grows, and people may stop recording when things are hard. Groups on different therapies differ " +
	"in who is referred to them, so these figures cannot show which therapy works better."

// Cohort is a report's period: the episodes of care that ended in one
// calendar quarter or year (outcomes.md section 6). Quarter 0 is the whole
// year.
type Cohort struct {
	Year    int
	Quarter int // 1-4, or 0 for the year
}

// ParseCohort reads "2026" or "2026-Q3"; ok is false for anything else.
func ParseCohort(s string) (Cohort, bool) {
	var c Cohort
	if n, err := fmt.Sscanf(s, "%4d-Q%1d", &c.Year, &c.Quarter); err == nil && n == 2 && len(s) == 7 {
		return c, c.Year >= 1900 && c.Quarter >= 1 && c.Quarter <= 4
	}
	c.Quarter = 0
	if n, err := fmt.Sscanf(s, "%4d", &c.Year); err == nil && n == 1 && len(s) == 4 {
		return c, c.Year >= 1900
	}
	return Cohort{}, false
}

// String is the cohort's key: "2026" or "2026-Q3".
func (c Cohort) String() string {
	if c.Quarter == 0 {
		return fmt.Sprintf("%04d", c.Year)
	}
	return fmt.Sprintf("%04d-Q%d", c.Year, c.Quarter)
}

// From is the cohort's first day; To its last (civil dates, midnight UTC).
func (c Cohort) From() time.Time {
	m := time.January
	if c.Quarter > 0 {
		m = time.Month(3*(c.Quarter-1) + 1)
	}
	return time.Date(c.Year, m, 1, 0, 0, 0, 0, time.UTC)
}

// To is the cohort's last day.
func (c Cohort) To() time.Time {
	if c.Quarter == 0 {
		return c.From().AddDate(1, 0, -1)
	}
	return c.From().AddDate(0, 3, -1)
}

// Contains reports whether the civil date d falls in the cohort.
func (c Cohort) Contains(d time.Time) bool {
	return !d.Before(c.From()) && !d.After(c.To())
}

// Query says what one report covers: the cohort, the teams the reader may
// see (their own, as a lead) and the modality list.
type Query struct {
	Cohort     Cohort
	Teams      []Team // the teams shown, in order
	AllTeams   bool   // the teams are every team of the service: the total is "the whole service"
	Modalities []string
	AsOf       time.Time // the report's day: periods and follow-up windows not over by then are not due
}

// Team is a team as reports name it.
type Team struct {
	ID   string
	Name string
}

// Report is one outcomes report after disclosure control: what pages, CSV,
// JSON and the API show, all from this one value so that they agree.
type Report struct {
	Cohort   Cohort
	Note     string
	Settings Settings
	// Columns are the modality columns of every scope, then the column of
	// all modalities (Modality "").
	Columns []string
	// Scopes are the whole service (or, for a lead of some teams, those
	// teams together) first, then each team.
	Scopes []Scope
}

// Scope is one grouping's table: rows of measures, a figure per column.
type Scope struct {
	Team  string // "" for the total over the report's teams
	Name  string // the team's name; "" for the total
	Whole bool   // the total is the whole service
	Rows  []Row
}

// Row is one measure (for one period, comparison or part) across the
// modality columns.
type Row struct {
	Measure    Measure
	Period     Period     // for measures of one period
	Comparison Comparison // for measures of a change
	Instrument string     // for questionnaire measures: the instrument's short name
	Rule       string     // and its named reliable-change rule
	Part       Part       // which part of a measure split into parts
	Cells      []Figure   // one per Report.Columns
}

// Measure names a measure of outcomes.md.
type Measure string

// Part names one part of a measure reported in parts (fell / stayed / rose;
// skills categories; reliably improved / no change / worse).
type Part string

// Kind says how a figure reads.
type Kind string

// The kinds of figure.
const (
	KindCount  Kind = "count"  // people (Count of N, with Share when shown)
	KindRate   Kind = "rate"   // per week, with Coverage
	KindMean   Kind = "mean"   // with Coverage
	KindMedian Kind = "median" // with Low and High: the interquartile range
	KindRatio  Kind = "ratio"  // with Low and High: a 95% interval
	KindShare  Kind = "share"  // of days (skills categories, urges ridden out, engagement)
	KindDays   Kind = "days"   // a median number of days (referral to first session), with Low and High
)

// Figure is one cell of a report.
type Figure struct {
	Kind Kind
	// N is the number of people behind the figure; Count the people
	// counted (for KindCount).
	N     int
	Count int
	// Value is the rate, mean, median, ratio or share; Low and High its
	// interval. Share is Count / N for counts.
	Value, Low, High float64
	Share            float64
	// Observed and Days are the coverage behind the figure: "21 of 28
	// days recorded".
	Observed, Days int
	// State says what of the figure may be shown.
	State State
}

// State says what of a figure disclosure control and the data allow.
type State string

// The states.
const (
	Shown        State = "shown"         // every field may be shown
	Suppressed   State = "suppressed"    // "fewer than N": no count, share or value
	CountsOnly   State = "counts_only"   // the grouping has fewer people than CountsOnly: count (and N) only
	NotEstimable State = "not_estimable" // e.g. a rate ratio with a zero count: say it cannot be estimated
	NoData       State = "no_data"       // nobody behind the figure
)
