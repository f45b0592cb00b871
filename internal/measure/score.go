package measure

import (
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Answers are a response's answers: an item's link id to the value of the
// option chosen. An item not in the map is not answered.
type Answers map[string]int

// Check reports the first answer that is not one of its item's options, or
// names an item the instrument does not have.
func (in *Instrument) Check(a Answers) error {
	for id, v := range a {
		it, ok := in.Item(id)
		if !ok {
			return fmt.Errorf("this questionnaire has no question %q", id)
		}
		if _, ok := it.Option(v); !ok {
			return fmt.Errorf("question %s: choose one of the answers offered", id)
		}
	}
	return nil
}

// Score is what a response scores. Total is nil when the response is
// incomplete: Tend never imputes a missing answer.
type Score struct {
	Total *float64 `json:"total,omitempty"`
	// Band is the label of the band the total falls in ("" for none).
	Band string `json:"band,omitempty"`
	// AboveThreshold: the total is at or past the clinical threshold.
	AboveThreshold bool `json:"above_threshold,omitempty"`
	// Subscales maps a subscale id to its score (absent: incomplete).
	Subscales map[string]float64 `json:"subscales,omitempty"`
	// Answered and Scored count the scored items answered and needed.
	Answered int `json:"answered"`
	Scored   int `json:"scored"`
}

// Complete reports whether the response has a total.
func (s Score) Complete() bool { return s.Total != nil }

// Score scores answers. Answers outside the options are the caller's to
// refuse first (Check); here they are ignored.
func (in *Instrument) Score(a Answers) Score {
	sc := in.Scoring
	s := Score{Scored: len(sc.Items)}
	total, n, ok := in.scale(sc.Items, a)
	s.Answered = n
	if ok {
		s.Total = &total
		s.Band = in.Band(total)
		s.AboveThreshold = in.Above(total)
	}
	for _, sub := range sc.Subscales {
		if v, _, ok := in.scale(sub.Items, a); ok {
			if s.Subscales == nil {
				s.Subscales = map[string]float64{}
			}
			s.Subscales[sub.ID] = v
		}
	}
	return s
}

// scale scores items: the total, how many were answered, and whether there
// are enough answers for a total.
func (in *Instrument) scale(items []string, a Answers) (float64, int, bool) {
	sc := in.Scoring
	sum, n := 0, 0
	for _, id := range items {
		v, ok := a[id]
		if !ok {
			continue
		}
		it, found := in.Item(id)
		if !found {
			continue
		}
		if _, ok := it.Option(v); !ok {
			continue
		}
		if slices.Contains(sc.Reverse, id) {
			lo, hi := it.span()
			v = lo + hi - v
		}
		sum += v
		n++
	}
	need := len(items)
	if !sc.RequireAll && sc.Method == MethodMean {
		need = min(sc.MinAnswered, len(items))
	}
	if n < need || n == 0 {
		return 0, n, false
	}
	if sc.Method == MethodMean {
		return Round(float64(sum)/float64(n), sc.Decimals), n, true
	}
	return float64(sum), n, true
}

// Band returns the label of the band total falls in, or "".
func (in *Instrument) Band(total float64) string {
	for _, b := range in.Scoring.Bands {
		if total >= b.From-1e-9 && total <= b.To+1e-9 {
			return b.Label
		}
	}
	return ""
}

// Above reports whether total is at or past the clinical threshold.
func (in *Instrument) Above(total float64) bool {
	t := in.Scoring.Threshold
	if t == nil {
		return false
	}
	if in.Scoring.Direction == HigherIsBetter {
		return total <= *t
	}
	return total >= *t
}

// Prompts returns the link ids of the items whose answers propose a safety
// prompt (PHQ-9 item 9 above 0), in the instrument's order. It is evaluated
// on every saved answer, drafts included.
func (in *Instrument) Prompts(a Answers) []string {
	var out []string
	for _, p := range in.Scoring.Prompts {
		if v, ok := a[p.LinkID]; ok && v >= p.From {
			out = append(out, p.LinkID)
		}
	}
	return out
}

// Round rounds f half away from zero to d decimals.
func Round(f float64, d int) float64 {
	p := math.Pow10(d)
	return math.Round(f*p) / p
}

// Format writes a score with at most d decimals and no trailing zeros.
func Format(f float64, d int) string {
	return strconv.FormatFloat(Round(f, d), 'f', -1, 64)
}

// FormatScore writes a total for a page or an export.
func (in *Instrument) FormatScore(f float64) string { return Format(f, in.Scoring.Decimals) }
