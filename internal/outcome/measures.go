package outcome

// The measures, in the order a report shows them (Build documents the
// rows of each).
const (
	MeasurePeople             Measure = "people"                    // people in the cohort
	MeasureSelfHarmRate       Measure = "self_harm_rate"            // per period: pooled self-harm per week
	MeasureSelfHarmChange     Measure = "self_harm_change"          // per comparison: per-person change (the primary measure)
	MeasureRateRatio          Measure = "rate_ratio"                // per comparison: group rate ratio, people-resampling interval
	MeasureNoSelfHarm         Measure = "no_self_harm"              // per period: people with no self-harm (minimum coverage)
	MeasureAttemptRate        Measure = "attempt_rate"              // per period: days with a suicide attempt recorded, per week
	MeasureClinicianIncidents Measure = "clinician_incidents"       // per period: people with an incident recorded by clinicians
	MeasureEmotion            Measure = "emotion_mean"              // per period: mean of the daily highest emotion ratings
	MeasureSkills             Measure = "skills"                    // per period and category: share of observed days
	MeasureUrges              Measure = "urges_ridden_out"          // per period: share of urge days ridden out
	MeasureQuestionnaire      Measure = "questionnaire_change"      // per instrument and comparison: reliable change
	MeasureFollowUp           Measure = "follow_up_reached"         // per follow-up point: reached of due
	MeasureQS34               Measure = "qs34_sessions"             // NICE QS34 statement 7: 3 or more sessions
	MeasureReferral           Measure = "referral_to_first_session" // median days from referral to first session
	MeasureEngagement         Measure = "engagement"                // share of treatment days with a card
)

// The parts of measures reported in parts.
const (
	// Per-person change: the people with the minimum coverage in both
	// periods, those whose own rate fell, stayed the same or rose, and
	// the median change per week with its interquartile range.
	PartEligible Part = "eligible"
	PartFell     Part = "fell"
	PartStayed   Part = "stayed"
	PartRose     Part = "rose"
	PartMedian   Part = "median_change"

	// Skills-used categories (diary-card.md): used (4-7), used and helped
	// (5 or 7), thought about but not used (1-3), not at all (0). "Used"
	// includes "used and helped".
	PartSkillsUsed    Part = "skills_used"
	PartSkillsHelped  Part = "skills_used_helped"
	PartSkillsThought Part = "skills_thought_not_used"
	PartSkillsNone    Part = "skills_not_at_all"

	// Reliable change by the instrument's rule, and the share below the
	// clinical threshold at the end among those above it at the start.
	PartImproved       Part = "reliably_improved"
	PartNoChange       Part = "no_reliable_change"
	PartWorse          Part = "reliably_worse"
	PartBelowThreshold Part = "below_threshold"
)

// Key is the measure's message id: outcome.measure.<measure>.
func (m Measure) Key() string { return "outcome.measure." + string(m) }

// Key is the part's message id: outcome.part.<part>.
func (p Part) Key() string { return "outcome.part." + string(p) }

// Key is the period's message id: outcome.period.<period>.
func (p Period) Key() string { return "outcome.period." + string(p) }

// FollowUp is the follow-up period a row's result is for (its period, or
// the end of its comparison), or "" when it is for none: such a result is
// always shown next to reached / due, the scope's MeasureFollowUp row of
// that period.
func (r Row) FollowUp() Period {
	for _, f := range FollowUps {
		if r.Period == f.Period || r.Comparison.To == f.Period {
			return f.Period
		}
	}
	return ""
}

// FollowUpRow is the scope's reached / due row for the follow-up period p.
func (s Scope) FollowUpRow(p Period) (Row, bool) {
	for _, r := range s.Rows {
		if r.Measure == MeasureFollowUp && r.Period == p {
			return r, true
		}
	}
	return Row{}, false
}
