package outcome_test

import (
	"time"

	"github.com/tendcare/tend/internal/measure"
	"github.com/tendcare/tend/internal/outcome"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func datep(s string) *time.Time { t := date(s); return &t }

var (
	baseEnd = outcome.Comparison{From: outcome.Baseline, To: outcome.End}
	baseFU3 = outcome.Comparison{From: outcome.Baseline, To: outcome.FollowUp3}
	baseFU6 = outcome.Comparison{From: outcome.Baseline, To: outcome.FollowUp6}
)

const phqRule = "6 or more points (NHS Talking Therapies fixed thresholds)"

func phq(c outcome.Comparison, j measure.Judgement, above, below bool) outcome.Score {
	return outcome.Score{Instrument: "phq9", Title: "PHQ-9", Rule: phqRule, Comparison: c,
		Change: measure.Change{Judgement: j}, HasThreshold: true, AboveAtStart: above, BelowAtEnd: below}
}

// fiveEpisodes are the hand-worked episodes every measure's expectations
// in measures_test.go are computed from (the arithmetic is written there).
//
//	   baseline (28 days)         end (28 days)    follow-up 3 (56 days)
//	A  28 seen, 14 self-harm     14 seen, 2       10 seen, 0, questionnaire
//	B  14 seen, 7                21 seen, 0       28 seen, 1
//	C  10 seen, 5 (too few)      28 seen, 4       (no consent)
//	D  14 seen, 2                14 seen, 4       5 seen, 0
//	E  28 seen, 0                28 seen, 0       (no consent)
func fiveEpisodes() []outcome.Episode {
	return []outcome.Episode{
		{
			Key: "a", Team: "t1", Modality: "CBT",
			ReferredOn: date("2026-01-01"), Accepted: true, StartedOn: datep("2026-01-15"),
			SessionsAttended: 10, TreatmentDays: 100, TreatmentObserved: 80, FollowUpConsent: true,
			Periods: map[outcome.Period]outcome.Days{
				outcome.Baseline: {InPeriod: 28, Observed: 28, SelfHarm: 14, Attempts: 1, EmotionDays: 20, EmotionSum: 80,
					Skills: outcome.SkillsDays{UsedHelped: 5, Used: 5, Thought: 6, None: 4}, UrgeDays: 10, RiddenOutDays: 4, Incidents: 1},
				outcome.End: {InPeriod: 28, Observed: 14, SelfHarm: 2, EmotionDays: 14, EmotionSum: 28,
					Skills: outcome.SkillsDays{UsedHelped: 7, Used: 3, Thought: 2, None: 2}, UrgeDays: 5, RiddenOutDays: 4},
				outcome.FollowUp3: {InPeriod: 56, Observed: 10},
			},
			FollowUpQuestionnaire: map[outcome.Period]bool{outcome.FollowUp3: true},
			Scores:                []outcome.Score{phq(baseEnd, measure.ReliablyImproved, true, true)},
		},
		{
			Key: "b", Team: "t1", Modality: "CBT",
			ReferredOn: date("2026-01-01"), Accepted: true, StartedOn: datep("2026-02-01"),
			SessionsAttended: 3, TreatmentDays: 50, TreatmentObserved: 25, FollowUpConsent: true,
			Periods: map[outcome.Period]outcome.Days{
				outcome.Baseline:  {InPeriod: 28, Observed: 14, SelfHarm: 7, EmotionDays: 10, EmotionSum: 30, Skills: outcome.SkillsDays{UsedHelped: 2, Thought: 2, None: 2}},
				outcome.End:       {InPeriod: 28, Observed: 21},
				outcome.FollowUp3: {InPeriod: 56, Observed: 28, SelfHarm: 1},
			},
			Scores: []outcome.Score{phq(baseEnd, measure.NoReliableChange, true, false)},
		},
		{
			Key: "c", Team: "t1", Modality: "DBT",
			ReferredOn: date("2026-02-10"), Accepted: true, StartedOn: datep("2026-02-17"),
			SessionsAttended: 2,
			Periods: map[outcome.Period]outcome.Days{
				outcome.Baseline: {InPeriod: 28, Observed: 10, SelfHarm: 5},
				outcome.End:      {InPeriod: 28, Observed: 28, SelfHarm: 4},
			},
			Scores: []outcome.Score{phq(baseEnd, measure.ReliablyWorse, false, false)},
		},
		{
			Key: "d", Team: "t2", Modality: "DBT",
			ReferredOn: date("2026-03-01"), Accepted: true,
			TreatmentDays: 60, TreatmentObserved: 30, FollowUpConsent: true,
			Periods: map[outcome.Period]outcome.Days{
				outcome.Baseline:  {InPeriod: 28, Observed: 14, SelfHarm: 2, UrgeDays: 5, RiddenOutDays: 1},
				outcome.End:       {InPeriod: 28, Observed: 14, SelfHarm: 4},
				outcome.FollowUp3: {InPeriod: 56, Observed: 5},
			},
			Scores: []outcome.Score{phq(baseEnd, measure.ReliablyImproved, true, true)},
		},
		{
			Key: "e", Team: "t2", Modality: "DBT",
			ReferredOn: date("2026-03-01"), StartedOn: datep("2026-03-01"),
			TreatmentDays: 90, TreatmentObserved: 90,
			Periods: map[outcome.Period]outcome.Days{
				outcome.Baseline: {InPeriod: 28, Observed: 28},
				outcome.End:      {InPeriod: 28, Observed: 28},
			},
			Scores: []outcome.Score{{Instrument: "xyz", Title: "XYZ", Rule: "Jacobson & Truax (1991)", Comparison: baseEnd,
				Change: measure.Change{Judgement: measure.NoReliableChange}}},
		},
	}
}
