package outcome

import (
	"cmp"
	"slices"
)

// change is the per-person change in self-harm rate between the periods of
// c among the people with the minimum coverage in both (outcomes.md
// section 1, the primary measure): how many are eligible, the people whose
// own rate fell, stayed the same and rose, and the median change per week
// (later minus earlier) with its interquartile range.
func (sh *sheet) change(c Comparison) {
	least := sh.s.MinCoverage
	both := comparisonKey("both", c)
	sh.sub(both, periodKey("has", c.To), func(e *Episode) bool { _, ok := e.Periods[c.From]; return ok })
	sh.split("people", both)
	eligible := comparisonKey("eligible", c)
	el := sh.sub(eligible, both, func(e *Episode) bool {
		return e.Periods[c.From].Covered(least) && e.Periods[c.To].Covered(least)
	})
	sh.split(both, eligible)
	way := func(e *Episode) int { return compareRates(e.Periods[c.From], e.Periods[c.To]) }
	fell := comparisonKey("fell", c)
	stayed := comparisonKey("stayed", c)
	rose := comparisonKey("rose", c)
	sh.sub(fell, eligible, func(e *Episode) bool { return way(e) < 0 })
	sh.sub(stayed, eligible, func(e *Episode) bool { return way(e) == 0 })
	sh.sub(rose, eligible, func(e *Episode) bool { return way(e) > 0 })
	sh.split(eligible, fell, stayed, rose)

	row := Row{Measure: MeasureSelfHarmChange, Comparison: c}
	sh.add(withPart(row, PartEligible), countFigure(sh.sets[both], el), both, eligible)
	for _, q := range []struct {
		part Part
		key  string
	}{{PartFell, fell}, {PartStayed, stayed}, {PartRose, rose}} {
		sh.add(withPart(row, q.part), countFigure(el, sh.sets[q.key]), eligible, q.key)
	}
	f := Figure{Kind: KindMedian, N: len(el), State: NoData}
	changes := make([]float64, 0, len(el))
	for _, i := range el {
		from, _ := RatePerWeek(sh.eps[i].Periods[c.From].SelfHarm, sh.eps[i].Periods[c.From].Observed)
		to, _ := RatePerWeek(sh.eps[i].Periods[c.To].SelfHarm, sh.eps[i].Periods[c.To].Observed)
		changes = append(changes, to-from)
	}
	if med, q1, q3, ok := Spread(changes); ok {
		f.Value, f.Low, f.High, f.State = med, q1, q3, Shown
	}
	f.Observed, f.Days = sh.coverage2(el, c)
	sh.add(withPart(row, PartMedian), f, eligible, "")
}

func withPart(r Row, p Part) Row { r.Part = p; return r }

// compareRates compares the rate of b with the rate of a exactly, by
// cross-multiplying: -1 when it fell, 0 when it stayed the same, 1 when it
// rose. Both must have observed days.
func compareRates(a, b Days) int {
	return cmp.Compare(b.SelfHarm*a.Observed, a.SelfHarm*b.Observed)
}

// coverage2 sums observed days and days over both periods of c.
func (sh *sheet) coverage2(set []int, c Comparison) (observed, days int) {
	o1, d1 := sh.coverage(set, c.From)
	o2, d2 := sh.coverage(set, c.To)
	return o1 + o2, d1 + d2
}

// ratio is the group rate ratio for c: the pooled self-harm rate in the
// first period over the pooled rate in the second, among the people
// eligible for the per-person change (minimum coverage in both periods, so
// that both periods hold the same people), with the 95% interval from
// resampling those people (BootstrapIRR). It cannot be estimated when
// either pooled count is 0, or when the interval has no upper bound.
func (sh *sheet) ratio(c Comparison) {
	eligible := comparisonKey("eligible", c)
	el := sh.sets[eligible]
	f := Figure{Kind: KindRatio, N: len(el), State: Shown}
	f.Observed, f.Days = sh.coverage2(el, c)
	byPerson := map[string]*Counts{}
	var keys []string
	for _, i := range el {
		e := &sh.eps[i]
		p := byPerson[e.Key]
		if p == nil {
			p = &Counts{}
			byPerson[e.Key] = p
			keys = append(keys, e.Key)
		}
		from, to := e.Periods[c.From], e.Periods[c.To]
		p.Count1 += from.SelfHarm
		p.Observed1 += from.Observed
		p.Count2 += to.SelfHarm
		p.Observed2 += to.Observed
	}
	slices.Sort(keys)
	people := make([]Counts, len(keys))
	for i, k := range keys {
		people[i] = *byPerson[k]
	}
	irr, ok := PooledIRR(people)
	switch {
	case len(el) == 0:
		f.State = NoData
	case !ok:
		f.State = NotEstimable
	case sh.values:
		low, high, ok := BootstrapIRR(people, sh.s.Resamples, sh.s.Seed)
		if ok {
			f.Value, f.Low, f.High = irr, low, high
		} else {
			f.State = NotEstimable
		}
	}
	sh.add(Row{Measure: MeasureRateRatio, Comparison: c}, f, eligible, "")
}
