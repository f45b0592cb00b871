package outcome

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/tendcare/tend/internal/measure"
)

// instrument is one questionnaire with one named rule, as report rows show
// it.
type instrument struct {
	id, title, rule string
	threshold       bool
}

// instrumentsOf lists the instruments (with their rules) of the scores of
// eps, by short name.
func instrumentsOf(eps []Episode) []instrument {
	var out []instrument
	seen := map[[2]string]int{}
	for _, e := range eps {
		for _, sc := range e.Scores {
			k := [2]string{sc.Instrument, sc.Rule}
			i, ok := seen[k]
			if !ok {
				i = len(out)
				seen[k] = i
				out = append(out, instrument{id: sc.Instrument, rule: sc.Rule})
			}
			if out[i].title == "" {
				out[i].title = sc.Title
			}
			out[i].threshold = out[i].threshold || sc.HasThreshold
		}
	}
	for i := range out {
		if out[i].title == "" {
			out[i].title = out[i].id
		}
	}
	slices.SortFunc(out, func(a, b instrument) int {
		return cmp.Or(cmp.Compare(a.title, b.title), cmp.Compare(a.id, b.id), cmp.Compare(a.rule, b.rule))
	})
	return out
}

// score is the episode's judged change on in for c, if any.
func score(e *Episode, in instrument, c Comparison) *Score {
	for i := range e.Scores {
		sc := &e.Scores[i]
		if sc.Instrument == in.id && sc.Rule == in.rule && sc.Comparison == c && sc.Change.Judgement != "" {
			return sc
		}
	}
	return nil
}

// questionnaire is the reliable change on one instrument for c by its
// named rule (outcomes.md section 3): the people reliably improved, with
// no reliable change and reliably worse, of those with a judged change;
// and, for an instrument with a clinical threshold, the people below it at
// the end of those above it at the start.
func (sh *sheet) questionnaire(n int, c Comparison) {
	in := sh.insts[n]
	name := func(s string) string { return comparisonKey("q"+strconv.Itoa(n)+"/"+s, c) }
	scored := name("scored")
	sh.sub(scored, "people", func(e *Episode) bool { return score(e, in, c) != nil })
	sh.split("people", scored)
	row := Row{Measure: MeasureQuestionnaire, Comparison: c, Instrument: in.title, Rule: in.rule}
	parts := []struct {
		part Part
		j    measure.Judgement
	}{{PartImproved, measure.ReliablyImproved}, {PartNoChange, measure.NoReliableChange}, {PartWorse, measure.ReliablyWorse}}
	var keys []string
	for _, q := range parts {
		key := name(string(q.part))
		keys = append(keys, key)
		sh.sub(key, scored, func(e *Episode) bool { return score(e, in, c).Change.Judgement == q.j })
	}
	sh.split(scored, keys...)
	for i, q := range parts {
		sh.add(withPart(row, q.part), countFigure(sh.sets[scored], sh.sets[keys[i]]), scored, keys[i])
	}
	if !in.threshold {
		return
	}
	above, below := name("above"), name("below")
	sh.sub(above, scored, func(e *Episode) bool { sc := score(e, in, c); return sc.HasThreshold && sc.AboveAtStart })
	sh.split(scored, above)
	sh.sub(below, above, func(e *Episode) bool { return score(e, in, c).BelowAtEnd })
	sh.split(above, below)
	sh.add(withPart(row, PartBelowThreshold), countFigure(sh.sets[above], sh.sets[below]), above, below)
}
