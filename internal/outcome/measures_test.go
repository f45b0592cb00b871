package outcome_test

import (
	"fmt"
	"testing"

	"github.com/tendcare/tend/internal/outcome"
)

// rowKey names one row of a report.
type rowKey struct {
	m          outcome.Measure
	p          outcome.Period
	c          outcome.Comparison
	instrument string
	part       outcome.Part
}

func keyOf(r outcome.Row) rowKey {
	return rowKey{r.Measure, r.Period, r.Comparison, r.Instrument, r.Part}
}

func (k rowKey) String() string {
	s := string(k.m)
	if k.p != "" {
		s += " " + string(k.p)
	}
	if k.c != (outcome.Comparison{}) {
		s += " " + string(k.c.From) + ">" + string(k.c.To)
	}
	if k.instrument != "" {
		s += " " + k.instrument
	}
	if k.part != "" {
		s += " " + string(k.part)
	}
	return s
}

func find(t *testing.T, rows []outcome.Row, k rowKey) outcome.Row {
	t.Helper()
	for _, r := range rows {
		if keyOf(r) == k {
			return r
		}
	}
	t.Fatalf("no row %v", k)
	return outcome.Row{}
}

// sameFigure compares every field, values to 1e-6.
func sameFigure(got, want outcome.Figure) bool {
	return got.Kind == want.Kind && got.N == want.N && got.Count == want.Count && got.State == want.State &&
		got.Observed == want.Observed && got.Days == want.Days && near(got.Value, want.Value, 1e-6) &&
		near(got.Low, want.Low, 1e-6) && near(got.High, want.High, 1e-6) && near(got.Share, want.Share, 1e-6)
}

func count(n, c int) outcome.Figure {
	f := outcome.Figure{Kind: outcome.KindCount, N: n, Count: c, State: outcome.Shown}
	if n == 0 {
		f.State = outcome.NoData
	} else {
		f.Share = float64(c) / float64(n)
	}
	return f
}

func TestMeasures(t *testing.T) {
	rows := outcome.Measures(fiveEpisodes(), outcome.Defaults)
	shown := outcome.Shown
	const (
		rate   = outcome.KindRate
		share  = outcome.KindShare
		mean   = outcome.KindMean
		median = outcome.KindMedian
		ratio  = outcome.KindRatio
	)
	B, E, F3, F6 := outcome.Baseline, outcome.End, outcome.FollowUp3, outcome.FollowUp6
	tests := []struct {
		k    rowKey
		want outcome.Figure
	}{
		{rowKey{m: outcome.MeasurePeople}, count(5, 5)},

		// Pooled self-harm per week over the people with the period.
		// Baseline: (14+7+5+2+0) / (28+14+10+14+28) * 7 = 28/94*7.
		{rowKey{m: outcome.MeasureSelfHarmRate, p: B}, outcome.Figure{Kind: rate, N: 5, Value: 28.0 / 94 * 7, Observed: 94, Days: 140, State: shown}},
		// End: (2+0+4+4+0) / (14+21+28+14+28) * 7 = 10/105*7.
		{rowKey{m: outcome.MeasureSelfHarmRate, p: E}, outcome.Figure{Kind: rate, N: 5, Value: 10.0 / 105 * 7, Observed: 105, Days: 140, State: shown}},
		// Follow-up 3: A, B, D consented: (0+1+0) / (10+28+5) * 7; 3*56 days.
		{rowKey{m: outcome.MeasureSelfHarmRate, p: F3}, outcome.Figure{Kind: rate, N: 3, Value: 7.0 / 43, Observed: 43, Days: 168, State: shown}},
		{rowKey{m: outcome.MeasureSelfHarmRate, p: F6}, outcome.Figure{Kind: rate, State: outcome.NoData}},

		// Baseline to end: C has 10 of 28 days at baseline (< 50%), so 4
		// of 5 are eligible. Rates per week: A 3.5 -> 1 (fell), B 3.5 -> 0
		// (fell), D 1 -> 2 (rose), E 0 -> 0 (stayed).
		{rowKey{m: outcome.MeasureSelfHarmChange, c: baseEnd, part: outcome.PartEligible}, count(5, 4)},
		{rowKey{m: outcome.MeasureSelfHarmChange, c: baseEnd, part: outcome.PartFell}, count(4, 2)},
		{rowKey{m: outcome.MeasureSelfHarmChange, c: baseEnd, part: outcome.PartStayed}, count(4, 1)},
		{rowKey{m: outcome.MeasureSelfHarmChange, c: baseEnd, part: outcome.PartRose}, count(4, 1)},
		// Changes -2.5, -3.5, +1, 0: sorted -3.5 -2.5 0 1; median -1.25,
		// q1 (h = 0.75) -2.75, q3 (h = 2.25) 0.25. Days seen in both
		// periods: A 42 + B 35 + D 28 + E 56 = 161 of 4*56.
		{rowKey{m: outcome.MeasureSelfHarmChange, c: baseEnd, part: outcome.PartMedian}, outcome.Figure{Kind: median, N: 4, Value: -1.25, Low: -2.75, High: 0.25, Observed: 161, Days: 224, State: shown}},
		// Baseline to follow-up 3: A (10 of 56) and D (5 of 56) too few
		// days: only B, 3.5 -> 1/28*7 = 0.25, a change of -3.25.
		{rowKey{m: outcome.MeasureSelfHarmChange, c: baseFU3, part: outcome.PartEligible}, count(3, 1)},
		{rowKey{m: outcome.MeasureSelfHarmChange, c: baseFU3, part: outcome.PartFell}, count(1, 1)},
		{rowKey{m: outcome.MeasureSelfHarmChange, c: baseFU3, part: outcome.PartMedian}, outcome.Figure{Kind: median, N: 1, Value: -3.25, Low: -3.25, High: -3.25, Observed: 42, Days: 84, State: shown}},
		{rowKey{m: outcome.MeasureSelfHarmChange, c: baseFU6, part: outcome.PartEligible}, count(0, 0)},

		// B only: (7/14) / (1/28) = 14; one person, so every resample
		// gives 14.
		{rowKey{m: outcome.MeasureRateRatio, c: baseFU3}, outcome.Figure{Kind: ratio, N: 1, Value: 14, Low: 14, High: 14, Observed: 42, Days: 84, State: shown}},
		{rowKey{m: outcome.MeasureRateRatio, c: baseFU6}, outcome.Figure{Kind: ratio, State: outcome.NoData}},

		// No self-harm among those with >= 50% of days: baseline A, B,
		// D, E (C 10/28 left out), of whom E: 1 of 4. End: all five, B and
		// E: 2 of 5. Follow-up 3: only B has 28/56, with 1: 0 of 1.
		{rowKey{m: outcome.MeasureNoSelfHarm, p: B}, count(4, 1)},
		{rowKey{m: outcome.MeasureNoSelfHarm, p: E}, count(5, 2)},
		{rowKey{m: outcome.MeasureNoSelfHarm, p: F3}, count(1, 0)},

		// Attempt days: A 1 at baseline: 1/94*7.
		{rowKey{m: outcome.MeasureAttemptRate, p: B}, outcome.Figure{Kind: rate, N: 5, Value: 7.0 / 94, Observed: 94, Days: 140, State: shown}},
		{rowKey{m: outcome.MeasureAttemptRate, p: E}, outcome.Figure{Kind: rate, N: 5, Value: 0, Observed: 105, Days: 140, State: shown}},

		// Clinician-recorded: A at baseline, 1 of 5.
		{rowKey{m: outcome.MeasureClinicianIncidents, p: B}, count(5, 1)},
		{rowKey{m: outcome.MeasureClinicianIncidents, p: E}, count(5, 0)},

		// Emotion: baseline (80+30) / (20+10) days rated; end 28/14.
		{rowKey{m: outcome.MeasureEmotion, p: B}, outcome.Figure{Kind: mean, N: 5, Value: 110.0 / 30, Observed: 30, Days: 140, State: shown}},
		{rowKey{m: outcome.MeasureEmotion, p: E}, outcome.Figure{Kind: mean, N: 5, Value: 2, Observed: 14, Days: 140, State: shown}},
		{rowKey{m: outcome.MeasureEmotion, p: F3}, outcome.Figure{Kind: mean, N: 3, Days: 168, State: outcome.NoData}},

		// Skills at baseline, of 94 days seen: used and helped A5+B2 = 7,
		// used A5+B0 = 5, so used (4-7) 12; thought A6+B2 = 8; none A4+B2 = 6.
		{rowKey{m: outcome.MeasureSkills, p: B, part: outcome.PartSkillsUsed}, outcome.Figure{Kind: share, N: 5, Value: 12.0 / 94, Observed: 94, Days: 140, State: shown}},
		{rowKey{m: outcome.MeasureSkills, p: B, part: outcome.PartSkillsHelped}, outcome.Figure{Kind: share, N: 5, Value: 7.0 / 94, Observed: 94, Days: 140, State: shown}},
		{rowKey{m: outcome.MeasureSkills, p: B, part: outcome.PartSkillsThought}, outcome.Figure{Kind: share, N: 5, Value: 8.0 / 94, Observed: 94, Days: 140, State: shown}},
		{rowKey{m: outcome.MeasureSkills, p: B, part: outcome.PartSkillsNone}, outcome.Figure{Kind: share, N: 5, Value: 6.0 / 94, Observed: 94, Days: 140, State: shown}},
		// End, of 105 days seen: A 7 helped + 3 used = 10.
		{rowKey{m: outcome.MeasureSkills, p: E, part: outcome.PartSkillsUsed}, outcome.Figure{Kind: share, N: 5, Value: 10.0 / 105, Observed: 105, Days: 140, State: shown}},

		// Urges ridden out: baseline (4+1) / (10+5); end 4/5.
		{rowKey{m: outcome.MeasureUrges, p: B}, outcome.Figure{Kind: share, N: 5, Value: 5.0 / 15, Observed: 94, Days: 140, State: shown}},
		{rowKey{m: outcome.MeasureUrges, p: E}, outcome.Figure{Kind: share, N: 5, Value: 0.8, Observed: 105, Days: 140, State: shown}},
		{rowKey{m: outcome.MeasureUrges, p: F3}, outcome.Figure{Kind: share, N: 3, Observed: 43, Days: 168, State: outcome.NoData}},

		// PHQ-9 baseline to end: A, D improved, B no change, C worse;
		// above at start A, B, D, below at end A, D: 2 of 3.
		{rowKey{m: outcome.MeasureQuestionnaire, c: baseEnd, instrument: "PHQ-9", part: outcome.PartImproved}, count(4, 2)},
		{rowKey{m: outcome.MeasureQuestionnaire, c: baseEnd, instrument: "PHQ-9", part: outcome.PartNoChange}, count(4, 1)},
		{rowKey{m: outcome.MeasureQuestionnaire, c: baseEnd, instrument: "PHQ-9", part: outcome.PartWorse}, count(4, 1)},
		{rowKey{m: outcome.MeasureQuestionnaire, c: baseEnd, instrument: "PHQ-9", part: outcome.PartBelowThreshold}, count(3, 2)},
		{rowKey{m: outcome.MeasureQuestionnaire, c: baseFU3, instrument: "PHQ-9", part: outcome.PartImproved}, count(0, 0)},
		{rowKey{m: outcome.MeasureQuestionnaire, c: baseEnd, instrument: "XYZ", part: outcome.PartNoChange}, count(1, 1)},

		// Follow-up 3: due A, B, D; reached A (questionnaire), B (28 of
		// 56 days); D has 5 of 56 and no questionnaire.
		{rowKey{m: outcome.MeasureFollowUp, p: F3}, count(3, 2)},
		{rowKey{m: outcome.MeasureFollowUp, p: F6}, count(0, 0)},

		// QS34: accepted A, B, C, D; 3 or more sessions A (10), B (3).
		{rowKey{m: outcome.MeasureQS34}, count(4, 2)},
		// Referral to first session: A 14, B 31, C 7, E 0 days (D has not
		// started): sorted 0 7 14 31, median 10.5, q1 0+0.75*7 = 5.25, q3
		// 14+0.25*17 = 18.25.
		{rowKey{m: outcome.MeasureReferral}, outcome.Figure{Kind: outcome.KindDays, N: 4, Value: 10.5, Low: 5.25, High: 18.25, State: shown}},
		// Engagement: (80+25+30+90) / (100+50+60+90); C has no days.
		{rowKey{m: outcome.MeasureEngagement}, outcome.Figure{Kind: share, N: 4, Value: 0.75, Observed: 225, Days: 300, State: shown}},
	}
	for _, tt := range tests {
		t.Run(tt.k.String(), func(t *testing.T) {
			r := find(t, rows, tt.k)
			if len(r.Cells) != 1 {
				t.Fatalf("%d cells", len(r.Cells))
			}
			if got := r.Cells[0]; !sameFigure(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}

	t.Run("RateRatioUnbounded", func(t *testing.T) {
		// Eligible A, B, D, E: the pooled ratio is (14+7+2+0)/(28+14+14+28)
		// over (2+0+4+0)/(14+21+14+28) = (23/84)/(6/77) = 1771/504, but
		// only A and D self-harm at the end: (2/4)^4 = 6.25% of resamples
		// (more than 2.5%) draw neither and have no upper bound.
		f := find(t, rows, rowKey{m: outcome.MeasureRateRatio, c: baseEnd}).Cells[0]
		want := outcome.Figure{Kind: ratio, N: 4, Observed: 161, Days: 224, State: outcome.NotEstimable}
		if !sameFigure(f, want) {
			t.Errorf("got  %+v\nwant %+v", f, want)
		}
	})
	t.Run("RateRatio", func(t *testing.T) {
		// Three copies of the five (15 people, 12 eligible): the same
		// pooled ratio 1771/504 = 3.5139, and (1/2)^12 of resamples
		// without self-harm at the end, so the interval has bounds.
		var eps []outcome.Episode
		for copy := range 3 {
			for _, e := range fiveEpisodes() {
				e.Key += fmt.Sprint(copy)
				eps = append(eps, e)
			}
		}
		f := find(t, outcome.Measures(eps, outcome.Defaults), rowKey{m: outcome.MeasureRateRatio, c: baseEnd}).Cells[0]
		if f.Kind != ratio || f.State != shown || f.N != 12 || !near(f.Value, 1771.0/504, 1e-9) || f.Observed != 3*161 || f.Days != 3*224 {
			t.Errorf("got %+v", f)
		}
		if !(f.Low < f.Value && f.Value < f.High) {
			t.Errorf("interval %v to %v leaves out %v", f.Low, f.High, f.Value)
		}
		again := find(t, outcome.Measures(eps, outcome.Defaults), rowKey{m: outcome.MeasureRateRatio, c: baseEnd}).Cells[0]
		if again != f {
			t.Errorf("not reproducible: %+v, then %+v", f, again)
		}
		s := outcome.Defaults
		s.Seed = 7
		other := find(t, outcome.Measures(eps, s), rowKey{m: outcome.MeasureRateRatio, c: baseEnd}).Cells[0]
		if other.Value != f.Value || (other.Low == f.Low && other.High == f.High) {
			t.Errorf("seed 7: %+v, seed 1: %+v: want the same ratio, another interval", other, f)
		}
		t.Logf("IRR %.4f, seed 1: %.4f to %.4f, seed 7: %.4f to %.4f", f.Value, f.Low, f.High, other.Low, other.High)
	})
	t.Run("PhqRule", func(t *testing.T) {
		r := find(t, rows, rowKey{m: outcome.MeasureQuestionnaire, c: baseEnd, instrument: "PHQ-9", part: outcome.PartImproved})
		if r.Rule != phqRule {
			t.Errorf("Rule = %q", r.Rule)
		}
	})
}

func TestMeasures_ZeroCounts(t *testing.T) {
	eps := fiveEpisodes()
	// Nobody self-harms at the end: the ratio cannot be estimated; and
	// with none at baseline either, neither.
	for i := range eps {
		d := eps[i].Periods[outcome.End]
		d.SelfHarm = 0
		eps[i].Periods[outcome.End] = d
	}
	f := find(t, outcome.Measures(eps, outcome.Defaults), rowKey{m: outcome.MeasureRateRatio, c: baseEnd}).Cells[0]
	if f.State != outcome.NotEstimable || f.Value != 0 || f.Low != 0 || f.High != 0 || f.N != 4 {
		t.Errorf("end with no self-harm: %+v, want not estimable", f)
	}
	for i := range eps {
		d := eps[i].Periods[outcome.Baseline]
		d.SelfHarm = 0
		eps[i].Periods[outcome.Baseline] = d
	}
	rows := outcome.Measures(eps, outcome.Defaults)
	if f := find(t, rows, rowKey{m: outcome.MeasureRateRatio, c: baseEnd}).Cells[0]; f.State != outcome.NotEstimable {
		t.Errorf("no self-harm at all: %+v, want not estimable", f)
	}
	// Everyone eligible stayed at 0: all stayed, median change 0.
	if f := find(t, rows, rowKey{m: outcome.MeasureSelfHarmChange, c: baseEnd, part: outcome.PartStayed}).Cells[0]; f.Count != 4 || f.Share != 1 {
		t.Errorf("stayed: %+v, want 4 of 4", f)
	}
	if f := find(t, rows, rowKey{m: outcome.MeasureSelfHarmRate, p: outcome.End}).Cells[0]; f.State != outcome.Shown || f.Value != 0 {
		t.Errorf("rate with no self-harm: %+v, want a shown 0", f)
	}
}

func TestMeasures_LowCoverage(t *testing.T) {
	// With a minimum of 60%, B (14 of 28 at baseline) and D (14 of 28)
	// are left out too: eligible A? A has 14 of 28 at the end: out. Only
	// E (28 and 28) is eligible.
	s := outcome.Defaults
	s.MinCoverage = 0.6
	rows := outcome.Measures(fiveEpisodes(), s)
	if f := find(t, rows, rowKey{m: outcome.MeasureSelfHarmChange, c: baseEnd, part: outcome.PartEligible}).Cells[0]; f.Count != 1 || f.N != 5 {
		t.Errorf("eligible: %+v, want 1 of 5", f)
	}
	// Baseline at 60%: A and E; no self-harm E: 1 of 2.
	if f := find(t, rows, rowKey{m: outcome.MeasureNoSelfHarm, p: outcome.Baseline}).Cells[0]; f.Count != 1 || f.N != 2 {
		t.Errorf("no self-harm at baseline: %+v, want 1 of 2", f)
	}
	// Follow-up 3 at 60%: B has 28 of 56 = 50%, so only A's
	// questionnaire reaches: 1 of 3.
	if f := find(t, rows, rowKey{m: outcome.MeasureFollowUp, p: outcome.FollowUp3}).Cells[0]; f.Count != 1 || f.N != 3 {
		t.Errorf("follow-up reached: %+v, want 1 of 3", f)
	}
	// The rates take every recorded day whatever the coverage.
	if f := find(t, rows, rowKey{m: outcome.MeasureSelfHarmRate, p: outcome.Baseline}).Cells[0]; f.Observed != 94 {
		t.Errorf("rate: %+v, want every recorded day", f)
	}
}

func TestMeasures_Empty(t *testing.T) {
	rows := outcome.Measures(nil, outcome.Defaults)
	for _, r := range rows {
		if f := r.Cells[0]; f.State != outcome.NoData || f.N != 0 {
			t.Errorf("%v: %+v, want no data", keyOf(r), f)
		}
	}
}

// TestMeasures_Order pins the documented order of rows.
func TestMeasures_Order(t *testing.T) {
	rows := outcome.Measures(fiveEpisodes(), outcome.Defaults)
	var got []string
	var last outcome.Measure
	for i, r := range rows {
		if i == 0 || r.Measure != last {
			got = append(got, string(r.Measure)+" ")
			last = r.Measure
		}
		got[len(got)-1] += "."
	}
	want := []string{
		"people .",
		"self_harm_rate .....",
		"self_harm_change ....................", // 4 comparisons x eligible, fell, stayed, rose, median
		"rate_ratio ....",
		"no_self_harm .....",
		"attempt_rate .....",
		"clinician_incidents .....",
		"emotion_mean .....",
		"skills ....................", // 5 periods x 4 categories
		"urges_ridden_out .....",
		"questionnaire_change ............................", // PHQ-9 4 x 4, XYZ 4 x 3
		"follow_up_reached ...",
		"qs34_sessions .",
		"referral_to_first_session .",
		"engagement .",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("rows:\n%v\nwant\n%v", got, want)
	}
	var first []string
	for _, r := range rows[6:11] {
		first = append(first, keyOf(r).String())
	}
	if want := "[self_harm_change baseline>end eligible self_harm_change baseline>end fell self_harm_change baseline>end stayed self_harm_change baseline>end rose self_harm_change baseline>end median_change]"; fmt.Sprint(first) != want {
		t.Errorf("change rows %v", first)
	}
	var q []string
	for _, r := range rows {
		if r.Measure == outcome.MeasureQuestionnaire && (r.Part == outcome.PartImproved) {
			q = append(q, keyOf(r).String())
		}
	}
	if want := "[" +
		"questionnaire_change baseline>end PHQ-9 reliably_improved questionnaire_change baseline>follow_up_3 PHQ-9 reliably_improved " +
		"questionnaire_change baseline>follow_up_6 PHQ-9 reliably_improved questionnaire_change baseline>follow_up_12 PHQ-9 reliably_improved " +
		"questionnaire_change baseline>end XYZ reliably_improved questionnaire_change baseline>follow_up_3 XYZ reliably_improved " +
		"questionnaire_change baseline>follow_up_6 XYZ reliably_improved questionnaire_change baseline>follow_up_12 XYZ reliably_improved]"; fmt.Sprint(q) != want {
		t.Errorf("questionnaire rows %v", q)
	}
}

func TestFollowUpRow(t *testing.T) {
	rep := outcome.Build(fiveEpisodes(), outcome.Query{Modalities: []string{"CBT", "DBT"}}, raw)
	scope := rep.Scopes[0]
	tests := []struct {
		row  outcome.Row
		want outcome.Period
	}{
		{outcome.Row{Measure: outcome.MeasureSelfHarmRate, Period: outcome.FollowUp6}, outcome.FollowUp6},
		{outcome.Row{Measure: outcome.MeasureSelfHarmChange, Comparison: baseFU3}, outcome.FollowUp3},
		{outcome.Row{Measure: outcome.MeasureSelfHarmChange, Comparison: baseEnd}, ""},
		{outcome.Row{Measure: outcome.MeasureEmotion, Period: outcome.Baseline}, ""},
	}
	for _, tt := range tests {
		if got := tt.row.FollowUp(); got != tt.want {
			t.Errorf("%v: FollowUp() = %q, want %q", keyOf(tt.row), got, tt.want)
		}
	}
	// Follow-up 3: due A, B, D; reached A and B.
	r, ok := scope.FollowUpRow(outcome.FollowUp3)
	if !ok || r.Cells[2].Count != 2 || r.Cells[2].N != 3 {
		t.Errorf("FollowUpRow(3) = %+v %v, want 2 of 3 in all modalities", r, ok)
	}
	if _, ok := scope.FollowUpRow(outcome.End); ok {
		t.Error("FollowUpRow(end) found a row")
	}
}

// TestMeasures_ResamplesPeople: two episodes of one person are drawn
// together.
func TestMeasures_ResamplesPeople(t *testing.T) {
	ep := func(key string, before, after int) outcome.Episode {
		return outcome.Episode{Key: key, Periods: map[outcome.Period]outcome.Days{
			outcome.Baseline: {InPeriod: 28, Observed: 28, SelfHarm: before},
			outcome.End:      {InPeriod: 28, Observed: 28, SelfHarm: after},
		}}
	}
	ratio := func(eps []outcome.Episode) outcome.Figure {
		return find(t, outcome.Measures(eps, outcome.Defaults), rowKey{m: outcome.MeasureRateRatio, c: baseEnd}).Cells[0]
	}
	// One person, (14+2)/56 over (7+4)/56 = 16/11 in every resample.
	if f := ratio([]outcome.Episode{ep("p", 14, 7), ep("p", 2, 4)}); f.State != outcome.Shown || !near(f.Value, 16.0/11, 1e-12) || f.Low != f.Value || f.High != f.Value {
		t.Errorf("one person: %+v, want 16/11 to 16/11", f)
	}
	// Two people: a resample of the first twice has 14/7 = 2, of the
	// second twice 2/4 = 0.5 (each 1/4 of resamples, more than 2.5%).
	if f := ratio([]outcome.Episode{ep("p", 14, 7), ep("q", 2, 4)}); f.State != outcome.Shown || !near(f.Value, 16.0/11, 1e-12) || f.Low != 0.5 || f.High != 2 {
		t.Errorf("two people: %+v, want 16/11, 0.5 to 2", f)
	}
}
