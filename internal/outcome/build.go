package outcome

import (
	"hash/fnv"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// Build computes the report for eps, the episodes of care that ended in
// q.Cohort in the teams q.Teams, and applies disclosure control to all of
// it at once, so that every page, export and API answer shows the same
// cells.
//
// Scopes: the total over the teams first (Whole when q.AllTeams), then
// each team in q.Teams order. Columns: q.Modalities, then "" for all
// modalities. Every row has one figure per column. An episode whose team
// or modality is not listed counts in the total and in the column of all
// modalities, and disclosure control takes the difference it makes into
// account.
//
// Rows, in this order (each figure's N and Count are people, that is
// episodes of care; "per period" is baseline, end, then the follow-up
// windows at 3, 6 and 12 months; "per comparison" is baseline to end, then
// baseline to each follow-up window):
//
//   - people: the people in the cohort (count; N = Count)
//   - self_harm_rate, per period: pooled self-harm per week over the people
//     with the period (rate, with the days recorded of the days in it)
//   - self_harm_change, per comparison, parts eligible (people with the
//     minimum coverage in both periods, of those with both periods), fell,
//     stayed, rose (of the eligible), median_change (per week, later minus
//     earlier, with the interquartile range)
//   - rate_ratio, per comparison: pooled rate in the first period over
//     the pooled rate in the second among the eligible, with the 95%
//     interval from resampling people; not estimable with a zero count
//   - no_self_harm, per period: people with no self-harm, of those with the
//     minimum coverage
//   - attempt_rate, per period: days with a suicide attempt recorded per
//     week (rate)
//   - clinician_incidents, per period: people with an incident recorded by
//     clinicians, of those with the period
//   - emotion_mean, per period: mean of the daily highest emotion ratings
//     (0-5), with the days rated of the days in the period
//   - skills, per period, parts skills_used, skills_used_helped,
//     skills_thought_not_used, skills_not_at_all: shares of observed days
//   - urges_ridden_out, per period: share of the days with an urge at or
//     above the service's level on which its action did not happen
//   - questionnaire_change, per instrument (by short name) and comparison,
//     parts reliably_improved, no_reliable_change, reliably_worse (of those
//     with a change judged by the instrument's rule) and, for an
//     instrument with a clinical threshold, below_threshold (below it at
//     the end, of those above it at the start); every row names the
//     instrument and its rule
//   - follow_up_reached, per follow-up point: reached of due
//   - qs34_sessions: people with at least 3 sessions of those accepting
//     referral (NICE QS34 statement 7)
//   - referral_to_first_session: median days with the interquartile range
//   - engagement: share of treatment days with a card
//
// Disclosure control (outcomes.md section 6) runs over every scope and
// column at once (Suppress): a count of people from 1 to Suppress-1 is
// suppressed, including one a reader could work out as a whole less its
// shown part (people due at follow-up less those reached); so is a count
// (of people or of distinct people, when one person has several episodes)
// chosen by complementary suppression along the additive lines: in a
// scope, the modality cells add up to all modalities; in a column, the
// teams add up to the total; in a cell, the parts of a partition add up
// to their whole (fell + stayed + rose = eligible; each count and its
// rest = its N). A figure whose N or Count is suppressed is Suppressed and
// keeps only its Kind and State. In a team and modality (or total, or all
// modalities) with fewer than CountsOnly distinct people every other
// figure is CountsOnly: its N, and the Count of a count, and nothing else.
//
// Rows with no data in any scope (a follow-up window nobody has reached
// yet) are left out. A reader who leads one team of several gets that
// team's scope alone, since their total would repeat it.
func Build(eps []Episode, q Query, s Settings) Report {
	s = s.WithDefaults()
	r := Report{Cohort: q.Cohort, Note: Note, Settings: s, Columns: append(slices.Clone(q.Modalities), "")}
	g := newGrid(eps, q)
	insts := instrumentsOf(eps)

	// One sheet per group, computed in parallel: each is pure and
	// seeded alike, so the order makes no difference.
	sheets := make([]*sheet, len(g.groups))
	var wg sync.WaitGroup
	work := make(chan int)
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for i := range work {
				gr := g.groups[i]
				sub := make([]Episode, len(gr.members))
				for j, k := range gr.members {
					sub[j] = eps[k]
				}
				sheets[i] = newSheet(sub, s, insts, !gr.virtual)
			}
		})
	}
	for i := range g.groups {
		work <- i
	}
	close(work)
	wg.Wait()

	cells, ids, people := g.cells(eps, sheets)
	sup := Suppress(cells, g.lines(sheets, ids), s.Suppress)

	template := sheets[g.at(0, g.all)].rows
	for sc := 0; sc < g.scopes; sc++ {
		scope := Scope{Whole: q.AllTeams}
		if sc > 0 {
			scope = Scope{Team: q.Teams[sc-1].ID, Name: q.Teams[sc-1].Name}
		}
		for ri, tr := range template {
			row := tr
			row.Cells = make([]Figure, 0, len(r.Columns))
			for col := 0; col <= g.all; col++ {
				gi := g.at(sc, col)
				sh := sheets[gi]
				small := people[gi] < s.CountsOnly
				suppressed := func(key string) bool { return key != "" && sup[ids[gi][sh.index[key]]] }
				keys := sh.keys[ri]
				row.Cells = append(row.Cells, disclose(sh.rows[ri].Cells[0], suppressed(keys[0]) || suppressed(keys[1]), small))
			}
			scope.Rows = append(scope.Rows, row)
		}
		r.Scopes = append(r.Scopes, scope)
	}
	dropEmptyRows(r.Scopes)
	if !q.AllTeams && len(q.Teams) == 1 {
		// A lead of one team of several: the total is that team.
		r.Scopes = r.Scopes[1:]
	}
	return r
}

// dropEmptyRows removes the rows with no data in any cell of any scope
// (periods nobody in the cohort has reached yet, such as a follow-up
// window still open), the same rows from every scope so that scopes keep
// one row order.
func dropEmptyRows(scopes []Scope) {
	if len(scopes) == 0 {
		return
	}
	keep := make([]bool, len(scopes[0].Rows))
	for _, sc := range scopes {
		for i, row := range sc.Rows {
			for _, f := range row.Cells {
				keep[i] = keep[i] || f.State != NoData
			}
		}
	}
	for s := range scopes {
		rows := scopes[s].Rows[:0]
		for i, row := range scopes[s].Rows {
			if keep[i] {
				rows = append(rows, row)
			}
		}
		scopes[s].Rows = rows
	}
}

// disclose is what of f may be shown.
func disclose(f Figure, suppressed, small bool) Figure {
	switch {
	case suppressed:
		return Figure{Kind: f.Kind, State: Suppressed}
	case f.N == 0:
		return Figure{Kind: f.Kind, State: NoData}
	case small:
		g := Figure{Kind: f.Kind, N: f.N, State: CountsOnly}
		if f.Kind == KindCount {
			g.Count = f.Count
		}
		return g
	case f.State == NoData || f.State == NotEstimable:
		return Figure{Kind: f.Kind, N: f.N, Observed: f.Observed, Days: f.Days, State: f.State}
	}
	return f
}

// grid lays the report's groups out: scopes (the total, each team, then
// the episodes of no listed team) by columns (each modality, all
// modalities, then the episodes of no listed modality). The unlisted
// scope and column exist only when they have episodes and listed
// siblings; no page shows them.
type grid struct {
	scopes, all   int  // shown scopes; the index of the column of all modalities
	rows, columns int  // scopes and columns including the unlisted ones
	otherTeam     bool // the unlisted scope exists
	otherModality bool
	groups        []group
}

type group struct {
	members []int // indices into the report's episodes, ascending
	virtual bool  // the unlisted team or modality
}

func newGrid(eps []Episode, q Query) *grid {
	team := map[string]int{}
	for i, t := range q.Teams {
		team[t.ID] = i + 1
	}
	modality := map[string]int{}
	for i, m := range q.Modalities {
		if _, dup := modality[m]; !dup {
			modality[m] = i
		}
	}
	g := &grid{scopes: 1 + len(q.Teams), all: len(q.Modalities)}
	scopeOf := make([]int, len(eps))
	colOf := make([]int, len(eps))
	for i, e := range eps {
		sc, ok := team[e.Team]
		if !ok {
			sc = -1
			g.otherTeam = len(q.Teams) > 0
		}
		col, ok := modality[e.Modality]
		if !ok {
			col = -1
			g.otherModality = len(q.Modalities) > 0
		}
		scopeOf[i], colOf[i] = sc, col
	}
	g.rows, g.columns = g.scopes, g.all+1
	if g.otherTeam {
		g.rows++
	}
	if g.otherModality {
		g.columns++
	}
	g.groups = make([]group, g.rows*g.columns)
	for sc := range g.rows {
		for col := range g.columns {
			g.groups[g.at(sc, col)].virtual = sc == g.scopes || col == g.all+1
		}
	}
	add := func(sc, col, i int) {
		if sc < 0 || col < 0 {
			return
		}
		gr := &g.groups[g.at(sc, col)]
		gr.members = append(gr.members, i)
	}
	for i := range eps {
		sc, col := scopeOf[i], colOf[i]
		if sc < 0 && g.otherTeam {
			sc = g.scopes
		}
		if col < 0 && g.otherModality {
			col = g.all + 1
		}
		add(0, g.all, i)
		add(0, col, i)
		if sc > 0 {
			add(sc, g.all, i)
			add(sc, col, i)
		}
	}
	return g
}

// at is the index of the group of scope sc and column col.
func (g *grid) at(sc, col int) int { return sc*g.columns + col }

// cells makes the disclosure cells: one per group and distinct set of
// episodes (two quantities of one group with the same people are one
// cell, so that they are suppressed or shown together). ids maps each group's
// quantities (by sheet order) to cells; people is each group's number of
// distinct people.
func (g *grid) cells(eps []Episode, sheets []*sheet) (cells []Cell, ids [][]int, people []int) {
	person := make([]int, len(eps))
	byKey := map[string]int{}
	for i, e := range eps {
		p, ok := byKey[e.Key]
		if !ok {
			p = len(byKey)
			byKey[e.Key] = p
		}
		person[i] = p
	}
	stamp := make([]int, len(byKey))
	ids = make([][]int, len(sheets))
	people = make([]int, len(sheets))
	for gi, sh := range sheets {
		members := g.groups[gi].members
		distinct := func(set []int) int {
			n := 0
			for _, i := range set {
				if p := person[members[i]]; stamp[p] != len(cells)+1 {
					stamp[p] = len(cells) + 1
					n++
				}
			}
			return n
		}
		seen := map[uint64][]int{} // hash of a set -> cells
		sets := map[int][]int{}    // cell -> its set
		ids[gi] = make([]int, len(sh.order))
		for qi, key := range sh.order {
			set := sh.sets[key]
			h := hashSet(set)
			id := -1
			for _, c := range seen[h] {
				if slices.Equal(sets[c], set) {
					id = c
					break
				}
			}
			derived := g.groups[gi].virtual || strings.HasPrefix(key, "~")
			if id < 0 {
				id = len(cells)
				c := Cell{Value: len(set), Derived: derived}
				if d := distinct(set); d < c.Value {
					c.People = d
				}
				cells = append(cells, c)
				seen[h] = append(seen[h], id)
				sets[id] = set
			} else if !derived {
				cells[id].Derived = false
			}
			ids[gi][qi] = id
			if key == "people" {
				people[gi] = len(set)
				if cells[id].People > 0 {
					people[gi] = cells[id].People
				}
			}
		}
	}
	return cells, ids, people
}

func hashSet(set []int) uint64 {
	h := fnv.New64a()
	var b [8]byte
	for _, i := range set {
		for k := range b {
			b[k] = byte(i >> (8 * k)) // #nosec G115 -- one byte of i at a time, on purpose
		}
		h.Write(b[:])
	}
	return h.Sum64()
}

// lines are the additive relations between cells a reader can subtract
// along: in each scope, the modality cells of a quantity add up to its
// cell of all modalities; in each column, the team cells add up to the
// total's; in each group, the parts of a partition add up to their whole.
// A line in which a part is its whole (the other parts are empty) says
// nothing and is left out; parts that are one cell (empty ones) count
// once.
func (g *grid) lines(sheets []*sheet, ids [][]int) []Line {
	var out []Line
	add := func(total int, parts []int) {
		slices.Sort(parts)
		parts = slices.Compact(parts)
		if len(parts) == 0 || slices.Contains(parts, total) {
			return
		}
		out = append(out, Line{Total: total, Parts: parts})
	}
	quantities := len(sheets[0].order)
	for sc := range g.rows {
		if g.columns < 2 {
			break
		}
		for qi := range quantities {
			var parts []int
			for col := range g.columns {
				if col != g.all {
					parts = append(parts, ids[g.at(sc, col)][qi])
				}
			}
			add(ids[g.at(sc, g.all)][qi], parts)
		}
	}
	for col := range g.columns {
		if g.rows < 2 {
			break
		}
		for qi := range quantities {
			var parts []int
			for sc := 1; sc < g.rows; sc++ {
				parts = append(parts, ids[g.at(sc, col)][qi])
			}
			add(ids[g.at(0, col)][qi], parts)
		}
	}
	for gi, sh := range sheets {
		for _, ln := range sh.parts {
			parts := make([]int, len(ln.Parts))
			for i, p := range ln.Parts {
				parts[i] = ids[gi][p]
			}
			add(ids[gi][ln.Total], parts)
		}
	}
	return out
}
