package outcome

import "slices"

// Cell is one count of people in disclosure control (outcomes.md section
// 6): a count a report shows, or one that can be worked out from those it
// shows (a complement, such as the people due at follow-up who were not
// reached).
type Cell struct {
	Value int // the count
	// People are the distinct people behind Value when a person has
	// several episodes in it; 0 means Value.
	People int
	// Derived cells are never shown, only worked out by subtraction: a
	// small one is protected like any other, and since suppressing one
	// costs no shown figure, one is the first choice for a complementary
	// suppression.
	Derived bool
}

// Line says that the cells Parts add up to the cell Total: the modality
// cells of a row to the cell of all modalities, the team cells of a column
// to the total's, the parts of a partition to their whole.
type Line struct {
	Total int
	Parts []int
}

// sensitive reports whether a cell is a small count: 1 to threshold-1
// episodes, or people.
func (c Cell) sensitive(threshold int) bool {
	small := func(n int) bool { return n >= 1 && n < threshold }
	return small(c.Value) || (c.People > 0 && small(c.People))
}

// Suppress says which cells disclosure control suppresses (true). Primary
// suppression takes every count from 1 to threshold-1 (of episodes or of
// people), Derived ones included; a Derived cell that is not small counts
// as known. Complementary suppression then repeats until nothing changes:
// every line with exactly one suppressed cell (which subtraction would
// recover from the others) gets one more, chosen among the line's other
// cells by, in turn: non-zero before zero; a Derived cell, then a part,
// then the line's total; the fewest other lines it would leave with a
// single suppressed cell (less those it completes); the smallest value;
// the first. In the end every line has no suppressed cell or at least
// two, so no subtraction along a line, however often repeated, recovers a
// suppressed count.
func Suppress(cells []Cell, lines []Line, threshold int) []bool {
	sup := make([]bool, len(cells))
	for i, c := range cells {
		sup[i] = c.sensitive(threshold)
	}
	members := make([][]int, len(lines)) // distinct cells of each line
	byCell := make([][]int, len(cells))  // the lines each cell is in
	for l, ln := range lines {
		m := append([]int{ln.Total}, ln.Parts...)
		slices.Sort(m)
		m = slices.Compact(m)
		members[l] = m
		for _, c := range m {
			byCell[c] = append(byCell[c], l)
		}
	}
	count := make([]int, len(lines)) // suppressed cells per line
	for l, m := range members {
		for _, c := range m {
			if sup[c] {
				count[l]++
			}
		}
	}
	queue := make([]int, len(lines))
	for l := range lines {
		queue[l] = l
	}
	queued := make([]bool, len(lines))
	for l := range queued {
		queued[l] = true
	}
	for len(queue) > 0 {
		l := queue[0]
		queue = queue[1:]
		queued[l] = false
		if count[l] != 1 || len(members[l]) < 2 {
			continue
		}
		pick, best := -1, []int(nil)
		for _, c := range members[l] {
			if sup[c] {
				continue
			}
			// The lines that suppressing c would leave with one suppressed cell,
			// less those it would mend.
			cost := 0
			for _, other := range byCell[c] {
				switch {
				case other == l:
				case count[other] == 0:
					cost++
				case count[other] == 1:
					cost--
				}
			}
			zero := 0
			if cells[c].Value == 0 {
				zero = 1
			}
			shown := 1 // a part
			switch {
			case cells[c].Derived:
				shown = 0
			case c == lines[l].Total:
				shown = 2
			}
			key := []int{zero, shown, cost, cells[c].Value, c}
			if pick < 0 || slices.Compare(key, best) < 0 {
				pick, best = c, key
			}
		}
		sup[pick] = true
		for _, other := range byCell[pick] {
			count[other]++
			if !queued[other] {
				queued[other] = true
				queue = append(queue, other)
			}
		}
	}
	return sup
}
