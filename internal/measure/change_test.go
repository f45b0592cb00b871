package measure_test

import (
	"math"
	"testing"

	"github.com/tendcare/tend/internal/measure"
)

// PHQ-9 and GAD-7 use the fixed points of instruments.md: 6 and 4.
func TestFixedReliableChange(t *testing.T) {
	phq, gad := measure.PHQ9(), measure.GAD7()
	for _, c := range []struct {
		in       measure.Instrument
		from, to float64
		want     measure.Judgement
	}{
		{phq, 18, 12, measure.ReliablyImproved},
		{phq, 18, 13, measure.NoReliableChange},
		{phq, 12, 18, measure.ReliablyWorse},
		{phq, 12, 17, measure.NoReliableChange},
		{phq, 10, 10, measure.NoReliableChange},
		{gad, 15, 11, measure.ReliablyImproved},
		{gad, 15, 12, measure.NoReliableChange},
		{gad, 4, 8, measure.ReliablyWorse},
	} {
		got, ok := c.in.ReliableChange(c.from, c.to)
		if !ok || got.Judgement != c.want || got.RCI != 0 {
			t.Errorf("%s %v -> %v: %+v, want %s", c.in.Short, c.from, c.to, got, c.want)
		}
	}
}

// Jacobson & Truax 1991 (outcomes.md section 3): SE = SD*sqrt(1-r),
// S_diff = sqrt(2 SE^2), RC = diff / S_diff, reliable when |RC| > 1.96.
func TestJacobsonTruax(t *testing.T) {
	// SD 7.5, r 0.84: SE = 7.5*0.4 = 3, S_diff = sqrt(18) = 4.2426;
	// a change of 9 gives RC = 2.1213, of 8 gives 1.8856.
	if got := measure.RCI(9, 7.5, 0.84); math.Abs(got-2.1213) > 1e-4 {
		t.Fatalf("RCI(9) = %.4f, want 2.1213", got)
	}
	in := measure.Instrument{Scoring: measure.Scoring{Direction: measure.HigherIsBetter, Change: &measure.ReliableChange{SD: 7.5, Reliability: 0.84}}}
	for _, c := range []struct {
		from, to float64
		want     measure.Judgement
	}{
		{10, 19, measure.ReliablyImproved}, // higher is better
		{10, 18, measure.NoReliableChange},
		{19, 10, measure.ReliablyWorse},
	} {
		got, _ := in.ReliableChange(c.from, c.to)
		if got.Judgement != c.want {
			t.Errorf("%v -> %v: %s (RC %.4f), want %s", c.from, c.to, got.Judgement, got.RCI, c.want)
		}
	}
	if _, ok := (&measure.Instrument{}).ReliableChange(1, 2); ok {
		t.Error("an instrument without a rule judged a change")
	}
}
