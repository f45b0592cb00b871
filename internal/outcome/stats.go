package outcome

import (
	"math"
	"math/rand/v2"
	"slices"
)

// PoissonIRR is the incidence rate ratio (x1/t1) / (x2/t2) with the simple
// Poisson interval exp(log(IRR) ± z * sqrt(1/x1 + 1/x2)) (Rothman,
// Greenland & Lash 2008, Modern Epidemiology, 3rd ed.; metafor's escalc
// "IRR"). It assumes independent events, which self-harm counts are not:
// it is kept for comparison only and is never a report's interval (the
// report resamples people: BootstrapIRR). ok is false when either count is
// 0 or either time is not positive.
func PoissonIRR(x1 int, t1 float64, x2 int, t2 float64, z float64) (irr, low, high float64, ok bool) {
	if x1 <= 0 || x2 <= 0 || t1 <= 0 || t2 <= 0 {
		return 0, 0, 0, false
	}
	irr = (float64(x1) / t1) / (float64(x2) / t2)
	se := math.Sqrt(1/float64(x1) + 1/float64(x2))
	return irr, math.Exp(math.Log(irr) - z*se), math.Exp(math.Log(irr) + z*se), true
}

// RatePerWeek is count / observed days * 7; ok is false with no observed
// day (days with no card are missing, never zero).
func RatePerWeek(count, observed int) (float64, bool) {
	if observed <= 0 {
		return 0, false
	}
	return float64(count) / float64(observed) * 7, true
}

// Coverage is the share of the period's days with a filled-in card: 0
// when the period has no days.
func (d Days) Coverage() float64 {
	if d.InPeriod <= 0 {
		return 0
	}
	return float64(d.Observed) / float64(d.InPeriod)
}

// Covered reports whether at least the share least of the period's days
// have a card: observed >= least * days in the period.
func (d Days) Covered(least float64) bool {
	return d.InPeriod > 0 && float64(d.Observed) >= least*float64(d.InPeriod)-1e-9
}

// Quantile is the p-quantile of sorted values by linear interpolation
// between order statistics (Hyndman & Fan 1996 type 7, the default of R
// and of NumPy): h = (n-1)p, x[floor h] + (h - floor h)(x[floor h + 1] -
// x[floor h]). sorted must be ascending and not empty; p in [0, 1].
func Quantile(sorted []float64, p float64) float64 {
	h := float64(len(sorted)-1) * p
	lo := int(math.Floor(h))
	if lo >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	frac := h - float64(lo)
	a, b := sorted[lo], sorted[lo+1]
	if frac == 0 || a == b {
		return a
	}
	return a + frac*(b-a)
}

// Spread is the median of values with its interquartile range (the 0.25
// and 0.75 quantiles), by Quantile's type 7; ok is false with no values.
// values is not changed.
func Spread(values []float64) (median, q1, q3 float64, ok bool) {
	if len(values) == 0 {
		return 0, 0, 0, false
	}
	s := slices.Clone(values)
	slices.Sort(s)
	return Quantile(s, 0.5), Quantile(s, 0.25), Quantile(s, 0.75), true
}

// Counts are one person's self-harm counts and observed days in the two
// periods of a comparison: the unit the bootstrap resamples.
type Counts struct {
	Count1, Observed1 int // the first period (e.g. baseline)
	Count2, Observed2 int // the second (e.g. end of treatment)
}

// PooledIRR is the pooled rate in the first period over the pooled rate in
// the second: (sum Count1 / sum Observed1) / (sum Count2 / sum Observed2);
// ok is false when either pooled count (or observed days) is 0: the ratio
// cannot be estimated.
func PooledIRR(people []Counts) (float64, bool) {
	var x1, t1, x2, t2 int
	for _, p := range people {
		x1 += p.Count1
		t1 += p.Observed1
		x2 += p.Count2
		t2 += p.Observed2
	}
	if x1 == 0 || x2 == 0 || t1 == 0 || t2 == 0 {
		return 0, false
	}
	return float64(x1) * float64(t2) / (float64(t1) * float64(x2)), true
}

// BootstrapIRR is the 95% percentile interval of the pooled rate ratio
// from resampling people: resamples draws of len(people) people with
// replacement, each person carrying both periods, since counts cluster
// within people and the two periods hold the same people. The generator
// is PCG seeded from seed alone, so the same people and seed always give
// the same interval. A draw with no self-harm in either period has no
// ratio and is left out; a draw with none in the second period only has
// an infinite ratio. The bounds are Quantile 0.025 and 0.975 of the
// ratios; ok is false when no draw has a ratio or a bound is infinite.
func BootstrapIRR(people []Counts, resamples int, seed uint64) (low, high float64, ok bool) {
	n := len(people)
	if n == 0 || resamples <= 0 || n > math.MaxUint32 {
		return 0, 0, false
	}
	// Compact copies keep the draws in cache.
	type person struct{ x1, t1, x2, t2 int64 }
	ps := make([]person, n)
	for i, p := range people {
		ps[i] = person{int64(p.Count1), int64(p.Observed1), int64(p.Count2), int64(p.Observed2)}
	}
	draw := newDrawer(seed, uint32(n))
	ratios := make([]float64, 0, resamples)
	for range resamples {
		var x1, t1, x2, t2 int64
		for range n {
			p := &ps[draw.next()]
			x1 += p.x1
			t1 += p.t1
			x2 += p.x2
			t2 += p.t2
		}
		switch {
		case t1 == 0 || t2 == 0 || (x1 == 0 && x2 == 0):
			continue
		case x2 == 0:
			ratios = append(ratios, math.Inf(1))
		default:
			ratios = append(ratios, float64(x1)*float64(t2)/(float64(t1)*float64(x2)))
		}
	}
	if len(ratios) == 0 {
		return 0, 0, false
	}
	slices.Sort(ratios)
	low, high = Quantile(ratios, 0.025), Quantile(ratios, 0.975)
	if math.IsInf(high, 0) || math.IsNaN(high) || math.IsNaN(low) {
		return 0, 0, false
	}
	return low, high, true
}

// drawer draws uniform indices below n from PCG, two per 64 bits, by
// Lemire's multiply-and-reject method (exact: no index is favoured).
type drawer struct {
	pcg       *rand.PCG
	n, reject uint32 // reject: draws below it are redrawn
	spare     uint32
	hasSpare  bool
}

func newDrawer(seed uint64, n uint32) *drawer {
	return &drawer{pcg: rand.NewPCG(seed, 0x7465_6e64), n: n, reject: -n % n}
}

func (d *drawer) bits() uint32 {
	if d.hasSpare {
		d.hasSpare = false
		return d.spare
	}
	v := d.pcg.Uint64()
	d.spare, d.hasSpare = uint32(v>>32), true
	return uint32(v) // #nosec G115 -- the low 32 bits, on purpose
}

func (d *drawer) next() uint32 {
	for {
		m := uint64(d.bits()) * uint64(d.n)
		if uint32(m) >= d.reject { // #nosec G115 -- the low 32 bits, on purpose
			return uint32(m >> 32)
		}
	}
}
