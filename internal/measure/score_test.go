package measure_test

import (
	"slices"
	"strconv"
	"testing"

	"github.com/tendcare/tend/internal/measure"
)

// The expectations below are written from clinical/instruments.md, not
// from the scoring definition: a total is the sum of the scored items; the
// bands are PHQ-9 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19 moderately
// severe, 20-27 severe and GAD-7 0-4 minimal, 5-9 mild, 10-14 moderate,
// 15-21 severe; PHQ-9 item 9 above 0 proposes the safety prompt; the
// clinical thresholds are PHQ-9 10 and GAD-7 8.

func phq9Band(total int) string {
	switch {
	case total <= 4:
		return "minimal"
	case total <= 9:
		return "mild"
	case total <= 14:
		return "moderate"
	case total <= 19:
		return "moderately severe"
	default:
		return "severe"
	}
}

func gad7Band(total int) string {
	switch {
	case total <= 4:
		return "minimal"
	case total <= 9:
		return "mild"
	case total <= 14:
		return "moderate"
	default:
		return "severe"
	}
}

// patterns calls fn with every answer pattern of n items answered 0-3.
func patterns(n int, fn func(values []int)) int {
	values := make([]int, n)
	count := 0
	for {
		fn(values)
		count++
		i := 0
		for i < n && values[i] == 3 {
			values[i] = 0
			i++
		}
		if i == n {
			return count
		}
		values[i]++
	}
}

func answers(values []int) measure.Answers {
	a := make(measure.Answers, len(values))
	for i, v := range values {
		a[strconv.Itoa(i+1)] = v
	}
	return a
}

func TestPHQ9EveryPattern(t *testing.T) {
	in := measure.PHQ9()
	totals := make([]int, 28)
	prompts := 0
	n := patterns(9, func(values []int) {
		sum := 0
		for _, v := range values {
			sum += v
		}
		a := answers(values)
		s := in.Score(a)
		if s.Total == nil || *s.Total != float64(sum) {
			t.Fatalf("%v: total %v, want %d", values, s.Total, sum)
		}
		if s.Band != phq9Band(sum) {
			t.Fatalf("%v: band %q, want %q", values, s.Band, phq9Band(sum))
		}
		if s.AboveThreshold != (sum >= 10) {
			t.Fatalf("%v: above threshold %v at %d", values, s.AboveThreshold, sum)
		}
		got := in.Prompts(a)
		want := values[8] > 0
		if (len(got) > 0) != want || want && !slices.Equal(got, []string{"9"}) {
			t.Fatalf("%v: prompts %v, want item 9: %v", values, got, want)
		}
		if want {
			prompts++
		}
		totals[sum]++
	})
	if n != 262144 {
		t.Fatalf("%d patterns, want 4^9 = 262144", n)
	}
	// Three quarters of the patterns answer item 9 above 0.
	if prompts != 262144*3/4 {
		t.Fatalf("%d patterns propose a prompt, want %d", prompts, 262144*3/4)
	}
	if totals[0] != 1 || totals[27] != 1 {
		t.Fatalf("one pattern each scores 0 and 27; got %d and %d", totals[0], totals[27])
	}
}

func TestGAD7EveryPattern(t *testing.T) {
	in := measure.GAD7()
	n := patterns(7, func(values []int) {
		sum := 0
		for _, v := range values {
			sum += v
		}
		a := answers(values)
		s := in.Score(a)
		if s.Total == nil || *s.Total != float64(sum) {
			t.Fatalf("%v: total %v, want %d", values, s.Total, sum)
		}
		if s.Band != gad7Band(sum) {
			t.Fatalf("%v: band %q, want %q", values, s.Band, gad7Band(sum))
		}
		if s.AboveThreshold != (sum >= 8) {
			t.Fatalf("%v: above threshold %v at %d", values, s.AboveThreshold, sum)
		}
		if p := in.Prompts(a); len(p) != 0 {
			t.Fatalf("%v: GAD-7 proposes no safety prompt, got %v", values, p)
		}
	})
	if n != 16384 {
		t.Fatalf("%d patterns, want 4^7 = 16384", n)
	}
}

// An unanswered item leaves no total (never imputed), whichever it is; a
// skipped item 9 proposes no prompt and is not counted as 0.
func TestIncompleteHasNoTotal(t *testing.T) {
	for _, in := range measure.Builtin() {
		for skip := range in.Scoring.Items {
			a := measure.Answers{}
			for i, id := range in.Scoring.Items {
				if i != skip {
					a[id] = 3
				}
			}
			s := in.Score(a)
			if s.Total != nil || s.Band != "" || s.Complete() {
				t.Errorf("%s without item %d: total %v band %q, want incomplete", in.Short, skip+1, s.Total, s.Band)
			}
			if s.Answered != len(in.Scoring.Items)-1 || s.Scored != len(in.Scoring.Items) {
				t.Errorf("%s: answered %d of %d", in.Short, s.Answered, s.Scored)
			}
		}
	}
	phq := measure.PHQ9()
	if p := phq.Prompts(measure.Answers{"1": 3, "2": 3}); len(p) != 0 {
		t.Errorf("item 9 not answered proposes %v", p)
	}
	if p := phq.Prompts(measure.Answers{"9": 1}); !slices.Equal(p, []string{"9"}) {
		t.Errorf("a draft with only item 9 at 1 proposes %v, want item 9", p)
	}
	// Item 10 is asked and kept, never scored.
	a := answers([]int{0, 0, 0, 0, 0, 0, 0, 0, 0})
	a["10"] = 3
	if s := phq.Score(a); s.Total == nil || *s.Total != 0 {
		t.Errorf("item 10 changed the total: %v", s.Total)
	}
}

func TestCheckRefusesAnswersOutsideOptions(t *testing.T) {
	phq := measure.PHQ9()
	for _, a := range []measure.Answers{{"1": 4}, {"9": -1}, {"11": 0}, {"": 0}, {"10": 7}} {
		if err := phq.Check(a); err == nil {
			t.Errorf("%v accepted", a)
		}
	}
	if err := phq.Check(measure.Answers{"1": 0, "9": 3, "10": 2}); err != nil {
		t.Errorf("valid answers refused: %v", err)
	}
}

func TestShippedInstrumentsAreValidAndQuoteTheSource(t *testing.T) {
	for _, in := range measure.Builtin() {
		if err := in.Validate(); err != nil {
			t.Errorf("%s: %v", in.Short, err)
		}
		for _, it := range in.Items {
			for _, o := range it.Options {
				if in.Scored(it.LinkID) && (o.Code == nil || o.Code.System != measure.LOINC) {
					t.Errorf("%s item %s option %d has no LOINC answer code", in.Short, it.LinkID, o.Value)
				}
			}
		}
	}
	phq := measure.PHQ9()
	if phq.Panel.Code != "44249-1" || phq.TotalCode.Code != "44261-6" || len(phq.Items) != 10 {
		t.Errorf("PHQ-9 codes or items: %+v %+v %d", phq.Panel, phq.TotalCode, len(phq.Items))
	}
	nine, _ := phq.Item("9")
	if nine.Text != "Thoughts that you would be better off dead or of hurting yourself in some way" || nine.Code.Code != "44260-8" {
		t.Errorf("PHQ-9 item 9: %q %s", nine.Text, nine.Code.Code)
	}
	gad := measure.GAD7()
	if gad.Panel.Code != "69737-5" || gad.TotalCode.Code != "70274-6" || len(gad.Items) != 7 {
		t.Errorf("GAD-7 codes or items: %+v %+v %d", gad.Panel, gad.TotalCode, len(gad.Items))
	}
}
