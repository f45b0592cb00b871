package outcome

import (
	"time"

	"github.com/tendcare/tend/internal/measure"
)

// Period is one of the periods outcomes.md compares.
type Period string

// The periods: the first days from the episode start, the last days before
// its end, and each follow-up window.
const (
	Baseline   Period = "baseline"
	End        Period = "end"
	FollowUp3  Period = "follow_up_3"
	FollowUp6  Period = "follow_up_6"
	FollowUp12 Period = "follow_up_12"
)

// Periods lists the periods in time order.
var Periods = []Period{Baseline, End, FollowUp3, FollowUp6, FollowUp12}

// FollowUps lists the follow-up periods with their months after the end.
var FollowUps = []struct {
	Period Period
	Months int
}{{FollowUp3, 3}, {FollowUp6, 6}, {FollowUp12, 12}}

// Comparison is a change from one period to a later one.
type Comparison struct {
	From, To Period
}

// Comparisons are the changes every report shows: from baseline to the end
// of treatment and to each follow-up window.
var Comparisons = []Comparison{{Baseline, End}, {Baseline, FollowUp3}, {Baseline, FollowUp6}, {Baseline, FollowUp12}}

// Days summarises one person's diary cards in one period: sums over the
// per-card summaries, so that it is read in one aggregate query and never
// card by card. Days with no card are missing, never zero.
type Days struct {
	InPeriod int // days in the period
	Observed int // days with a filled-in card
	SelfHarm int // the sum of "how many times" on self-harm actions
	Attempts int // days with a suicide attempt recorded (a separate count)
	// EmotionDays are observed days with an emotion rated; EmotionSum
	// adds each such day's highest rating (0-5).
	EmotionDays int
	EmotionSum  int
	// Skills counts observed days per skills-used category
	// (diary-card.md); days without a skills rating are in none of them.
	Skills SkillsDays
	// UrgeDays are days with an urge rated at or above the service's level
	// that has a linked action; RiddenOutDays those of them on which a
	// linked action did not happen.
	UrgeDays      int
	RiddenOutDays int
	// Incidents counts incidents clinicians recorded in the period: never
	// added to SelfHarm (they may be the same act).
	Incidents int
}

// SkillsDays counts days per skills-used category.
type SkillsDays struct {
	UsedHelped int // 5 or 7
	Used       int // 4 or 6
	Thought    int // 1-3
	None       int // 0
}

// Rated is the number of days with a skills rating.
func (s SkillsDays) Rated() int { return s.UsedHelped + s.Used + s.Thought + s.None }

// Score is one instrument's change for one episode from one period to a
// later one: the first finished total in each. Change comes from the
// instrument's own rule (measure.Instrument.ReliableChange).
type Score struct {
	Instrument string // the instrument's id
	Title      string // its short name, as reports show it
	Rule       string // the named rule, e.g. "6 or more points (NHS Talking Therapies fixed thresholds)"
	Comparison Comparison
	Change     measure.Change
	// HasThreshold says whether the instrument has a clinical threshold;
	// AboveAtStart and BelowAtEnd read it at the two totals.
	HasThreshold bool
	AboveAtStart bool
	BelowAtEnd   bool
}

// Episode is one episode of care with what the outcome measures read. It
// carries no name or identifier of the person: Key only tells episodes
// apart (and people, for resampling), and never leaves the package.
type Episode struct {
	Key      string // distinct per person; several episodes of one person share it
	Team     string // the person's team id
	Modality string

	ReferredOn time.Time  // civil date
	Accepted   bool       // the referral was accepted
	StartedOn  *time.Time // first therapy session
	EndedOn    *time.Time // discharge

	// SessionsAttended counts the episode's sessions marked attended.
	SessionsAttended int
	// TreatmentDays and TreatmentObserved are the days from the start to
	// the end (or to the report's day) and those with a card: engagement.
	TreatmentDays     int
	TreatmentObserved int

	// FollowUpConsent is the consent recorded at discharge.
	FollowUpConsent bool
	// Periods holds the periods that have fully passed by the report's day;
	// a period not yet over (or a follow-up window without consent) is
	// absent.
	Periods map[Period]Days
	// FollowUpQuestionnaire says, per follow-up period, whether a
	// questionnaire was finished within its window.
	FollowUpQuestionnaire map[Period]bool
	// Scores are the questionnaire changes of the episode.
	Scores []Score
}

// Settings are the service's choices the measures depend on
// (outcomes.md: "configurable").
type Settings struct {
	BaselineDays int     `json:"baseline_days,omitempty"` // days in the baseline and end periods; default 28
	MinCoverage  float64 `json:"min_coverage,omitempty"`  // share of days recorded in both periods for per-person change; default 0.5
	Suppress     int     `json:"suppress,omitempty"`      // counts from 1 to Suppress-1 show as "fewer than Suppress"; default 5
	CountsOnly   int     `json:"counts_only,omitempty"`   // a grouping with fewer people shows counts only; default 10
	Resamples    int     `json:"resamples,omitempty"`     // bootstrap resamples; default 2000
	Seed         uint64  `json:"seed,omitempty"`          // bootstrap seed; default 1 (fixed, so the report is reproducible)
}

// Defaults are the settings outcomes.md gives.
var Defaults = Settings{BaselineDays: 28, MinCoverage: 0.5, Suppress: 5, CountsOnly: 10, Resamples: 2000, Seed: 1}

// WithDefaults returns s with every zero field taken from Defaults.
func (s Settings) WithDefaults() Settings {
	if s.BaselineDays <= 0 {
		s.BaselineDays = Defaults.BaselineDays
	}
	if s.MinCoverage <= 0 || s.MinCoverage > 1 {
		s.MinCoverage = Defaults.MinCoverage
	}
	if s.Suppress <= 0 {
		s.Suppress = Defaults.Suppress
	}
	if s.CountsOnly <= 0 {
		s.CountsOnly = Defaults.CountsOnly
	}
	if s.Resamples <= 0 {
		s.Resamples = Defaults.Resamples
	}
	if s.Seed == 0 {
		s.Seed = Defaults.Seed
	}
	return s
}
