package outcome

import "strings"

// sheet computes every row of one group of episodes (one team or the
// total, one modality or all), one figure each, before disclosure control;
// and it remembers the episodes behind every count and how counts split
// into parts, for disclosure control over the whole report.
type sheet struct {
	eps    []Episode
	s      Settings
	insts  []instrument
	values bool // false: only the sets (a group no page shows)

	rows []Row       // one cell each
	keys [][2]string // per row: the quantity of N and of Count ("" none)

	sets  map[string][]int // quantity -> indices into eps, ascending
	order []string         // the quantities in the order made
	parts []Line           // over indices into order
	index map[string]int   // quantity -> index into order
	mark  []bool           // scratch, one per episode
}

// Measures computes every row of a report for one group of episodes, one
// figure each, without disclosure control: what Build shows for one team
// and one modality before it hides small counts. Rows come in Build's
// order.
func Measures(eps []Episode, s Settings) []Row {
	return newSheet(eps, s.WithDefaults(), instrumentsOf(eps), true).rows
}

func newSheet(eps []Episode, s Settings, insts []instrument, values bool) *sheet {
	sh := &sheet{eps: eps, s: s, insts: insts, values: values, sets: map[string][]int{}, index: map[string]int{}}
	all := make([]int, len(eps))
	for i := range all {
		all[i] = i
	}
	sh.put("people", all)
	sh.add(Row{Measure: MeasurePeople}, countFigure(all, all), "people", "people")
	for _, p := range Periods {
		sh.sub(periodKey("has", p), "people", func(e *Episode) bool { _, ok := e.Periods[p]; return ok })
		sh.split("people", periodKey("has", p))
		sh.sub(periodKey("covered", p), periodKey("has", p), func(e *Episode) bool { return e.Periods[p].Covered(s.MinCoverage) })
		sh.split(periodKey("has", p), periodKey("covered", p))
	}
	for _, p := range Periods {
		sh.rate(MeasureSelfHarmRate, p, func(d Days) int { return d.SelfHarm })
	}
	for _, c := range Comparisons {
		sh.change(c)
	}
	for _, c := range Comparisons {
		sh.ratio(c)
	}
	for _, p := range Periods {
		sh.noSelfHarm(p)
	}
	for _, p := range Periods {
		sh.rate(MeasureAttemptRate, p, func(d Days) int { return d.Attempts })
	}
	for _, p := range Periods {
		sh.incidents(p)
	}
	for _, p := range Periods {
		sh.emotion(p)
	}
	for _, p := range Periods {
		sh.skills(p)
	}
	for _, p := range Periods {
		sh.urges(p)
	}
	for i := range insts {
		for _, c := range Comparisons {
			sh.questionnaire(i, c)
		}
	}
	for _, f := range FollowUps {
		sh.followUp(f.Period)
	}
	sh.qs34()
	sh.referral()
	sh.engagement()
	return sh
}

func periodKey(name string, p Period) string { return name + "/" + string(p) }

func comparisonKey(name string, c Comparison) string {
	return name + "/" + string(c.From) + ">" + string(c.To)
}

// put records the episodes behind a quantity.
func (sh *sheet) put(key string, set []int) {
	if _, dup := sh.index[key]; dup {
		panic("outcome: quantity " + key + " made twice")
	}
	sh.index[key] = len(sh.order)
	sh.order = append(sh.order, key)
	sh.sets[key] = set
}

// sub records the quantity key: the episodes of the quantity parent that
// keep.
func (sh *sheet) sub(key, parent string, keep func(e *Episode) bool) []int {
	var set []int
	for _, i := range sh.sets[parent] {
		if keep(&sh.eps[i]) {
			set = append(set, i)
		}
	}
	sh.put(key, set)
	return set
}

// split records that the quantities parts are disjoint parts of total,
// with the rest of total as a hidden quantity: a report that shows total
// and parts shows the rest too.
func (sh *sheet) split(total string, parts ...string) {
	if sh.mark == nil {
		sh.mark = make([]bool, len(sh.eps))
	}
	for _, p := range parts {
		for _, i := range sh.sets[p] {
			sh.mark[i] = true
		}
	}
	var rest []int
	for _, i := range sh.sets[total] {
		if !sh.mark[i] {
			rest = append(rest, i)
		}
	}
	for _, p := range parts {
		for _, i := range sh.sets[p] {
			sh.mark[i] = false
		}
	}
	restKey := "~" + strings.Join(parts, "+")
	sh.put(restKey, rest)
	ln := Line{Total: sh.index[total]}
	for _, p := range append(parts, restKey) {
		ln.Parts = append(ln.Parts, sh.index[p])
	}
	sh.parts = append(sh.parts, ln)
}

// add appends a row with its figure and the quantities of its N and Count.
func (sh *sheet) add(r Row, f Figure, n, count string) {
	r.Cells = []Figure{f}
	sh.rows = append(sh.rows, r)
	sh.keys = append(sh.keys, [2]string{n, count})
}

// countFigure is Count of N people, with its share.
func countFigure(n, count []int) Figure {
	f := Figure{Kind: KindCount, N: len(n), Count: len(count), State: Shown}
	if f.N == 0 {
		f.State = NoData
		return f
	}
	f.Share = float64(f.Count) / float64(f.N)
	return f
}

// coverage sums observed days and days in the period p over set.
func (sh *sheet) coverage(set []int, p Period) (observed, days int) {
	for _, i := range set {
		d := sh.eps[i].Periods[p]
		observed += d.Observed
		days += d.InPeriod
	}
	return observed, days
}

// rate is the pooled rate per week in period p of the count get, over the
// people with the period: sum of counts / sum of observed days * 7.
func (sh *sheet) rate(m Measure, p Period, get func(Days) int) {
	set := sh.sets[periodKey("has", p)]
	f := Figure{Kind: KindRate, N: len(set), State: Shown}
	var x int
	for _, i := range set {
		x += get(sh.eps[i].Periods[p])
	}
	f.Observed, f.Days = sh.coverage(set, p)
	var ok bool
	if f.Value, ok = RatePerWeek(x, f.Observed); !ok {
		f.State = NoData
	}
	sh.add(Row{Measure: m, Period: p}, f, periodKey("has", p), "")
}

// noSelfHarm counts the people with no self-harm in period p among those
// with the minimum coverage in it.
func (sh *sheet) noSelfHarm(p Period) {
	covered := periodKey("covered", p)
	none := periodKey("no_self_harm", p)
	set := sh.sub(none, covered, func(e *Episode) bool { return e.Periods[p].SelfHarm == 0 })
	sh.split(covered, none)
	sh.add(Row{Measure: MeasureNoSelfHarm, Period: p}, countFigure(sh.sets[covered], set), covered, none)
}

// incidents counts the people with at least one incident recorded by
// clinicians in period p: a measure of its own, never added to diary
// counts.
func (sh *sheet) incidents(p Period) {
	has := periodKey("has", p)
	key := periodKey("incident", p)
	set := sh.sub(key, has, func(e *Episode) bool { return e.Periods[p].Incidents > 0 })
	sh.split(has, key)
	sh.add(Row{Measure: MeasureClinicianIncidents, Period: p}, countFigure(sh.sets[has], set), has, key)
}

// emotion is the mean of the daily highest emotion ratings in period p,
// pooled over the days with a rating; its coverage is those days of the
// days in the period.
func (sh *sheet) emotion(p Period) {
	has := periodKey("has", p)
	set := sh.sets[has]
	f := Figure{Kind: KindMean, N: len(set), State: NoData}
	var sum int
	for _, i := range set {
		d := sh.eps[i].Periods[p]
		sum += d.EmotionSum
		f.Observed += d.EmotionDays
		f.Days += d.InPeriod
	}
	if f.Observed > 0 {
		f.Value, f.State = float64(sum)/float64(f.Observed), Shown
	}
	sh.add(Row{Measure: MeasureEmotion, Period: p}, f, has, "")
}

// skills gives each skills-used category as a share of the observed days
// of period p: never a mean, since the codes are categories.
func (sh *sheet) skills(p Period) {
	has := periodKey("has", p)
	set := sh.sets[has]
	var k SkillsDays
	for _, i := range set {
		d := sh.eps[i].Periods[p].Skills
		k.UsedHelped += d.UsedHelped
		k.Used += d.Used
		k.Thought += d.Thought
		k.None += d.None
	}
	observed, days := sh.coverage(set, p)
	for _, q := range []struct {
		part Part
		days int
	}{
		{PartSkillsUsed, k.Used + k.UsedHelped},
		{PartSkillsHelped, k.UsedHelped},
		{PartSkillsThought, k.Thought},
		{PartSkillsNone, k.None},
	} {
		f := Figure{Kind: KindShare, N: len(set), Observed: observed, Days: days, State: NoData}
		if observed > 0 {
			f.Value, f.State = float64(q.days)/float64(observed), Shown
		}
		sh.add(Row{Measure: MeasureSkills, Period: p, Part: q.part}, f, has, "")
	}
}

// urges is the share of days with an urge at or above the service's level
// on which its linked action did not happen, of the days with such an
// urge, in period p.
func (sh *sheet) urges(p Period) {
	has := periodKey("has", p)
	set := sh.sets[has]
	f := Figure{Kind: KindShare, N: len(set), State: NoData}
	var urge, ridden int
	for _, i := range set {
		d := sh.eps[i].Periods[p]
		urge += d.UrgeDays
		ridden += d.RiddenOutDays
	}
	f.Observed, f.Days = sh.coverage(set, p)
	if urge > 0 {
		f.Value, f.State = float64(ridden)/float64(urge), Shown
	}
	sh.add(Row{Measure: MeasureUrges, Period: p}, f, has, "")
}
