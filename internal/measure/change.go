package measure

import "math"

// Judgement is whether a change between two totals is reliable
// (outcomes.md section 3). These labels are for clinicians; the person sees
// kind words (safety-rules.md section 6).
type Judgement string

// The judgements.
const (
	ReliablyImproved Judgement = "reliably_improved"
	NoReliableChange Judgement = "no_reliable_change"
	ReliablyWorse    Judgement = "reliably_worse"
)

// Change is the change from one total to another.
type Change struct {
	From, To  float64
	Judgement Judgement
	// RCI is the Jacobson-Truax reliable change index (0 with fixed points).
	RCI float64
}

// JacobsonTruaxCritical is the |RC| above which a change is reliable.
const JacobsonTruaxCritical = 1.96

// ReliableChange judges the change from one total to a later one by the
// instrument's rule; ok is false when the instrument has no rule.
func (in *Instrument) ReliableChange(from, to float64) (Change, bool) {
	rc := in.Scoring.Change
	if rc == nil {
		return Change{}, false
	}
	c := Change{From: from, To: to, Judgement: NoReliableChange}
	diff := to - from
	reliable := false
	if rc.JacobsonTruax() {
		c.RCI = RCI(diff, rc.SD, rc.Reliability)
		reliable = math.Abs(c.RCI) > JacobsonTruaxCritical
	} else {
		reliable = math.Abs(diff) >= rc.Points-1e-9
	}
	if reliable {
		better := diff < 0
		if in.Scoring.Direction == HigherIsBetter {
			better = diff > 0
		}
		c.Judgement = ReliablyWorse
		if better {
			c.Judgement = ReliablyImproved
		}
	}
	return c, true
}

// RCI is the Jacobson & Truax (1991) reliable change index of a difference
// (post - pre): SE = SD * sqrt(1 - r); S_diff = sqrt(2 * SE^2); RC = diff / S_diff.
func RCI(diff, sd, r float64) float64 {
	se := sd * math.Sqrt(1-r)
	sdiff := math.Sqrt(2 * se * se)
	if sdiff == 0 {
		return 0
	}
	return diff / sdiff
}
