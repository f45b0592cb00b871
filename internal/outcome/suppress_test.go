package outcome_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tendcare/tend/internal/outcome"
)

func suppressed(sup []bool) []int {
	var out []int
	for i, s := range sup {
		if s {
			out = append(out, i)
		}
	}
	return out
}

func TestSuppress(t *testing.T) {
	v := func(values ...int) []outcome.Cell {
		cells := make([]outcome.Cell, len(values))
		for i, n := range values {
			cells[i] = outcome.Cell{Value: n}
		}
		return cells
	}
	// The grid of TestSuppress/Grid: teams by modalities with totals.
	//
	//	        m1  m2  m3 | all
	//	team1    3  10   8 |  21     cells 0  1  2 |  3
	//	team2    6  12   9 |  27     cells 4  5  6 |  7
	//	total    9  22  17 |  48     cells 8  9 10 | 11
	grid := []outcome.Line{
		{Total: 3, Parts: []int{0, 1, 2}}, {Total: 7, Parts: []int{4, 5, 6}}, {Total: 11, Parts: []int{8, 9, 10}},
		{Total: 8, Parts: []int{0, 4}}, {Total: 9, Parts: []int{1, 5}}, {Total: 10, Parts: []int{2, 6}}, {Total: 11, Parts: []int{3, 7}},
	}
	tests := []struct {
		name  string
		cells []outcome.Cell
		lines []outcome.Line
		want  []int
	}{
		// 3 is small. Row team1 then has one hidden cell: the smallest
		// other part is 8 (cell 2). Column m1: 6 (cell 4), a part, before
		// the total 9. Row team2 now has one (cell 4): 9 (cell 6) before
		// 12. Column m3 has two (2, 6), the rest none.
		{"Grid", v(3, 10, 8, 21, 6, 12, 9, 27, 9, 22, 17, 48), grid, []int{0, 2, 4, 6}},
		{"NothingSmall", v(5, 10, 8, 23, 6, 12, 9, 27, 11, 22, 17, 50), grid, nil},
		{"Zeros", v(0, 10, 8, 18, 6, 12, 9, 27, 6, 22, 17, 45), grid, nil},
		// N 20 = 17 + a hidden 3: the 3 is small, so the 17 goes too.
		{"HiddenSmall", []outcome.Cell{{Value: 20}, {Value: 17}, {Value: 3, Derived: true}},
			[]outcome.Line{{Total: 0, Parts: []int{1, 2}}}, []int{1, 2}},
		// N 20 = 14 + a hidden 6: nothing small.
		{"HiddenNotSmall", []outcome.Cell{{Value: 20}, {Value: 14}, {Value: 6, Derived: true}},
			[]outcome.Line{{Total: 0, Parts: []int{1, 2}}}, nil},
		// 20 = 9 + 3 + a derived 8: the derived 8 goes, since it costs no
		// shown figure, and it does whatever its size.
		{"DerivedFirst", []outcome.Cell{{Value: 20}, {Value: 9}, {Value: 3}, {Value: 8, Derived: true}},
			[]outcome.Line{{Total: 0, Parts: []int{1, 2, 3}}}, []int{2, 3}},
		{"DerivedFirstLarger", []outcome.Cell{{Value: 30}, {Value: 6}, {Value: 3}, {Value: 21, Derived: true}},
			[]outcome.Line{{Total: 0, Parts: []int{1, 2, 3}}}, []int{2, 3}},
		// Of two equal parts, the one whose suppression leaves fewer
		// other lines with a single suppressed cell: part 1 is also in a
		// line with nothing suppressed, part 2 in one that already has
		// a suppressed cell (4), which it completes.
		{"FewestFurther", v(20, 8, 8, 4, 3, 30, 9, 12),
			[]outcome.Line{{Total: 0, Parts: []int{1, 2, 4}}, {Total: 5, Parts: []int{1, 6, 7}}, {Total: 7, Parts: []int{2, 3}}}, []int{2, 3, 4}},
		// Only the total and a zero are left: the non-zero total goes.
		{"TotalBeforeZero", v(9, 3, 0), []outcome.Line{{Total: 0, Parts: []int{1, 2}}}, []int{0, 1}},
		// Six episodes of two people are two people: small.
		{"People", []outcome.Cell{{Value: 12}, {Value: 6, People: 2}, {Value: 6}},
			[]outcome.Line{{Total: 0, Parts: []int{1, 2}}}, []int{1, 2}},
		// Equal values: the first.
		{"Tie", v(20, 2, 9, 9), []outcome.Line{{Total: 0, Parts: []int{1, 2, 3}}}, []int{1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := suppressed(outcome.Suppress(tt.cells, tt.lines, 5)); !slices.Equal(got, tt.want) {
				t.Errorf("suppressed %v, want %v", got, tt.want)
			}
		})
	}
}

// randomTable is a teams x modalities table with totals, and in each cell
// a count of N with its hidden complement, as a report has.
func randomTable(r *rand.Rand) ([]outcome.Cell, []outcome.Line) {
	rows, cols := 1+r.IntN(4), 1+r.IntN(4)
	var cells []outcome.Cell
	// n[i][j], c[i][j], rest[i][j] with i = rows (totals), j = cols (all).
	idx := func() [][]int {
		m := make([][]int, rows+1)
		for i := range m {
			m[i] = make([]int, cols+1)
		}
		return m
	}
	n, c, rest := idx(), idx(), idx()
	nv, cv := idx(), idx()
	for i := range rows {
		for j := range cols {
			nv[i][j] = r.IntN(16)
			if r.IntN(3) == 0 {
				nv[i][j] = r.IntN(6)
			}
			cv[i][j] = r.IntN(nv[i][j] + 1)
			nv[i][cols] += nv[i][j]
			cv[i][cols] += cv[i][j]
			nv[rows][j] += nv[i][j]
			cv[rows][j] += cv[i][j]
			nv[rows][cols] += nv[i][j]
			cv[rows][cols] += cv[i][j]
		}
	}
	var lines []outcome.Line
	for i := range rows + 1 {
		for j := range cols + 1 {
			n[i][j] = len(cells)
			cells = append(cells, outcome.Cell{Value: nv[i][j]})
			c[i][j] = len(cells)
			cells = append(cells, outcome.Cell{Value: cv[i][j]})
			rest[i][j] = len(cells)
			cells = append(cells, outcome.Cell{Value: nv[i][j] - cv[i][j], Derived: true})
			lines = append(lines, outcome.Line{Total: n[i][j], Parts: []int{c[i][j], rest[i][j]}})
		}
	}
	for _, m := range [][][]int{n, c, rest} {
		for i := range rows + 1 {
			ln := outcome.Line{Total: m[i][cols]}
			for j := range cols {
				ln.Parts = append(ln.Parts, m[i][j])
			}
			lines = append(lines, ln)
		}
		for j := range cols + 1 {
			ln := outcome.Line{Total: m[rows][j]}
			for i := range rows {
				ln.Parts = append(ln.Parts, m[i][j])
			}
			lines = append(lines, ln)
		}
	}
	return cells, lines
}

// TestSuppress_Property: on random tables, every small count is hidden
// and every line has no hidden cell or at least two, so that subtracting
// along lines, again and again, never recovers a hidden cell.
func TestSuppress_Property(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 2000 {
		cells, lines := randomTable(r)
		sup := outcome.Suppress(cells, lines, 5)
		name := fmt.Sprintf("table %d", n)
		for i, c := range cells {
			if c.Value >= 1 && c.Value <= 4 && !sup[i] {
				t.Fatalf("%s: cell %d (%d) is small and shown", name, i, c.Value)
			}
		}
		for _, ln := range lines {
			hidden := 0
			for _, i := range append([]int{ln.Total}, ln.Parts...) {
				if sup[i] {
					hidden++
				}
			}
			if hidden == 1 {
				t.Fatalf("%s: line %v has exactly one hidden cell", name, ln)
			}
		}
		// The reader knows every shown cell, and a hidden one that is
		// not small (a complement they can work out does no harm).
		known := make([]bool, len(cells))
		for i := range cells {
			known[i] = !sup[i]
		}
		for changed := true; changed; {
			changed = false
			for _, ln := range lines {
				var unknown []int
				for _, i := range append([]int{ln.Total}, ln.Parts...) {
					if !known[i] {
						unknown = append(unknown, i)
					}
				}
				if len(unknown) == 1 {
					known[unknown[0]] = true
					changed = true
					t.Fatalf("%s: cell %d (%d) recovered by subtraction along %v", name, unknown[0], cells[unknown[0]].Value, ln)
				}
			}
		}
	}
}
