package outcome_test

import (
	"math"
	"testing"

	"github.com/tendcare/tend/internal/outcome"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestPoissonIRR(t *testing.T) {
	tests := []struct {
		name           string
		x1             int
		t1             float64
		x2             int
		t2             float64
		irr, low, high float64
		ok             bool
	}{
		// Rothman, Greenland & Lash (2008): 32 in 52,407 person-years vs 2
		// in 18,790. IRR = (32/52407)/(2/18790) = 5.7366;
		// se = sqrt(1/32 + 1/2) = 0.72887; exp(±1.96 * 0.72887) = 0.23965
		// and 4.17276: 1.3748 to 23.9377.
		{"Rothman", 32, 52407, 2, 18790, 5.7366, 1.3748, 23.9377, true},
		// 10 in 100 vs 10 in 100: IRR 1; se = sqrt(0.2) = 0.44721;
		// exp(±0.87654) = 0.41622 and 2.40257.
		{"Equal", 10, 100, 10, 100, 1, 0.41622, 2.40257, true},
		{"ZeroFirst", 0, 100, 10, 100, 0, 0, 0, false},
		{"ZeroSecond", 10, 100, 0, 100, 0, 0, 0, false},
		{"NoTime", 10, 0, 10, 100, 0, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			irr, low, high, ok := outcome.PoissonIRR(tt.x1, tt.t1, tt.x2, tt.t2, 1.96)
			if ok != tt.ok || !near(irr, tt.irr, 5e-5) || !near(low, tt.low, 5e-5) || !near(high, tt.high, 5e-5) {
				t.Errorf("PoissonIRR = %.4f (%.4f to %.4f) %v, want %.4f (%.4f to %.4f) %v",
					irr, low, high, ok, tt.irr, tt.low, tt.high, tt.ok)
			}
		})
	}
}

func TestRatePerWeek(t *testing.T) {
	tests := []struct {
		name            string
		count, observed int
		want            float64
		ok              bool
	}{
		{"Half", 14, 28, 3.5, true}, // 14/28*7
		{"Zero", 0, 21, 0, true},
		{"Third", 1, 21, 1.0 / 3, true}, // 1/21*7
		{"NoDays", 3, 0, 0, false},      // missing, never zero
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, ok := outcome.RatePerWeek(tt.count, tt.observed); ok != tt.ok || !near(got, tt.want, 1e-12) {
				t.Errorf("RatePerWeek(%d, %d) = %v %v, want %v %v", tt.count, tt.observed, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestCoverage(t *testing.T) {
	tests := []struct {
		name     string
		d        outcome.Days
		coverage float64
		covered  bool // at 0.5
	}{
		{"Full", outcome.Days{InPeriod: 28, Observed: 28}, 1, true},
		{"ExactlyHalf", outcome.Days{InPeriod: 28, Observed: 14}, 0.5, true},
		{"JustUnder", outcome.Days{InPeriod: 28, Observed: 13}, 13.0 / 28, false},
		{"OddDays", outcome.Days{InPeriod: 57, Observed: 29}, 29.0 / 57, true}, // 28.5 needed
		{"None", outcome.Days{InPeriod: 28}, 0, false},
		{"NoPeriod", outcome.Days{}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.d.Coverage(); !near(got, tt.coverage, 1e-12) {
				t.Errorf("Coverage = %v, want %v", got, tt.coverage)
			}
			if got := tt.d.Covered(0.5); got != tt.covered {
				t.Errorf("Covered(0.5) = %v, want %v", got, tt.covered)
			}
		})
	}
}

func TestQuantile(t *testing.T) {
	// Type 7 (R's default): h = (n-1)p.
	tests := []struct {
		name   string
		sorted []float64
		p      float64
		want   float64
	}{
		{"Q1of4", []float64{1, 2, 3, 4}, 0.25, 1.75},    // h = 0.75: 1 + 0.75*1
		{"Medianof4", []float64{1, 2, 3, 4}, 0.5, 2.5},  // h = 1.5
		{"Q3of4", []float64{1, 2, 3, 4}, 0.75, 3.25},    // h = 2.25
		{"Min", []float64{1, 2, 3, 4}, 0, 1},            //
		{"Max", []float64{1, 2, 3, 4}, 1, 4},            //
		{"One", []float64{5}, 0.25, 5},                  //
		{"Exact", []float64{0, 0, 10, 20, 30}, 0.25, 0}, // h = 1
		{"P2.5", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21}, 0.025, 1.5}, // h = 0.5
		{"InfAbove", []float64{1, 2, math.Inf(1)}, 0.5, 2},                                                         // h = 1, exact
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := outcome.Quantile(tt.sorted, tt.p); !near(got, tt.want, 1e-12) {
				t.Errorf("Quantile(%v, %v) = %v, want %v", tt.sorted, tt.p, got, tt.want)
			}
		})
	}
}

func TestSpread(t *testing.T) {
	tests := []struct {
		name        string
		values      []float64
		med, q1, q3 float64
		ok          bool
	}{
		// sorted 1, 3, 7: median 3; q1 h = 0.5: 2; q3 h = 1.5: 5.
		{"Unsorted", []float64{7, 1, 3}, 3, 2, 5, true},
		// sorted -3.5, -2.5, 0, 1: median -1.25; q1 h = 0.75: -2.75;
		// q3 h = 2.25: 0.25.
		{"Changes", []float64{-2.5, -3.5, 1, 0}, -1.25, -2.75, 0.25, true},
		{"One", []float64{4}, 4, 4, 4, true},
		{"Empty", nil, 0, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := append([]float64(nil), tt.values...)
			med, q1, q3, ok := outcome.Spread(in)
			if ok != tt.ok || !near(med, tt.med, 1e-12) || !near(q1, tt.q1, 1e-12) || !near(q3, tt.q3, 1e-12) {
				t.Errorf("Spread = %v %v %v %v, want %v %v %v %v", med, q1, q3, ok, tt.med, tt.q1, tt.q3, tt.ok)
			}
			for i := range in {
				if in[i] != tt.values[i] {
					t.Fatal("Spread changed its input")
				}
			}
		})
	}
}

func TestPooledIRR(t *testing.T) {
	tests := []struct {
		name   string
		people []outcome.Counts
		want   float64
		ok     bool
	}{
		// (14+7)/(28+14) = 0.5 a day; (2+0)/(14+21) = 2/35: 0.5*35/2 = 8.75.
		{"Two", []outcome.Counts{{14, 28, 2, 14}, {7, 14, 0, 21}}, 8.75, true},
		{"NoneBefore", []outcome.Counts{{0, 28, 2, 14}}, 0, false},
		{"NoneAfter", []outcome.Counts{{3, 28, 0, 14}}, 0, false},
		{"Nobody", nil, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, ok := outcome.PooledIRR(tt.people); ok != tt.ok || !near(got, tt.want, 1e-12) {
				t.Errorf("PooledIRR = %v %v, want %v %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

// bootstrapPeople are 40 people with differing counts: the first period
// has more self-harm than the second.
func bootstrapPeople() []outcome.Counts {
	var people []outcome.Counts
	for i := range 40 {
		people = append(people, outcome.Counts{
			Count1: i % 7, Observed1: 20 + i%9,
			Count2: (i * 5) % 4, Observed2: 18 + i%11,
		})
	}
	return people
}

func TestBootstrapIRR(t *testing.T) {
	t.Run("Identical", func(t *testing.T) {
		// Every person has 4 in 28 days, then 2 in 28: every resample
		// has the ratio (4/28)/(2/28) = 2, so the interval is 2 to 2.
		people := make([]outcome.Counts, 10)
		for i := range people {
			people[i] = outcome.Counts{Count1: 4, Observed1: 28, Count2: 2, Observed2: 28}
		}
		low, high, ok := outcome.BootstrapIRR(people, 500, 1)
		if !ok || !near(low, 2, 1e-12) || !near(high, 2, 1e-12) {
			t.Errorf("BootstrapIRR = %v to %v %v, want 2 to 2", low, high, ok)
		}
	})
	t.Run("Reproducible", func(t *testing.T) {
		people := bootstrapPeople()
		low1, high1, ok1 := outcome.BootstrapIRR(people, 2000, 1)
		low2, high2, ok2 := outcome.BootstrapIRR(people, 2000, 1)
		if !ok1 || !ok2 || low1 != low2 || high1 != high2 {
			t.Fatalf("same seed: %v-%v %v, then %v-%v %v", low1, high1, ok1, low2, high2, ok2)
		}
		irr, _ := outcome.PooledIRR(people)
		if !(low1 < irr && irr < high1) {
			t.Errorf("interval %v to %v leaves out the ratio %v", low1, high1, irr)
		}
		low3, high3, ok3 := outcome.BootstrapIRR(people, 2000, 2)
		if !ok3 || (low3 == low1 && high3 == high1) {
			t.Errorf("another seed gave the same interval %v to %v", low3, high3)
		}
		// Different draws, the same distribution: the bounds agree to
		// within 10%.
		if !near(low3, low1, 0.1*low1) || !near(high3, high1, 0.1*high1) {
			t.Errorf("seed 2: %v to %v, far from seed 1: %v to %v", low3, high3, low1, high1)
		}
		t.Logf("IRR %.4f, seed 1: %.4f to %.4f, seed 2: %.4f to %.4f", irr, low1, high1, low3, high3)
	})
	t.Run("Unbounded", func(t *testing.T) {
		// One person of three has the only self-harm of the second
		// period: (2/3)^3 = 30% of resamples leave it out and have an
		// infinite ratio, more than 2.5%: no upper bound.
		people := []outcome.Counts{{3, 28, 1, 28}, {2, 28, 0, 28}, {4, 28, 0, 28}}
		if low, high, ok := outcome.BootstrapIRR(people, 2000, 1); ok {
			t.Errorf("BootstrapIRR = %v to %v, want not estimable", low, high)
		}
	})
	t.Run("Nobody", func(t *testing.T) {
		if _, _, ok := outcome.BootstrapIRR(nil, 2000, 1); ok {
			t.Error("BootstrapIRR(nil) ok")
		}
	})
}
