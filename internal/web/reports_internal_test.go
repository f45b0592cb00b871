package web

import (
	"strings"
	"testing"

	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/outcome"
)

// TestCSVSafe: a cell a spreadsheet would read as a formula, or that starts
// with a tab or a carriage return, gets a single quote in front; every
// other cell is written as it is.
func TestCSVSafe(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"Formula", "=1+1", "'=1+1"},
		{"Plus", "+1", "'+1"},
		{"Minus", "-0.25", "'-0.25"},
		{"At", "@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"Tab", "\tx", "'\tx"},
		{"CarriageReturn", "\rx", "'\rx"},
		{"HyperlinkFormula", `=HYPERLINK("http://example.org","x")`, `'=HYPERLINK("http://example.org","x")`},
		{"Empty", "", ""},
		{"Words", "fewer than 5", "fewer than 5"},
		{"Number", "0.25", "0.25"},
		{"InnerEquals", "a=b", "a=b"},
		{"InnerMinus", "baseline - end", "baseline - end"},
		{"QuoteAlready", "'=1", "'=1"},
		{"Newline", "\nx", "\nx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := csvSafe(tt.in); got != tt.want {
				t.Errorf("csvSafe(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// reportFixture is a small report by hand: one team, two modalities, a
// figure in parts with a suppressed cell, a counts-only column and a ratio
// that cannot be estimated.
func reportFixture() outcome.Report {
	shown := func(count, n int) outcome.Figure {
		return outcome.Figure{Kind: outcome.KindCount, N: n, Count: count, Share: float64(count) / float64(n), State: outcome.Shown}
	}
	sup := outcome.Figure{Kind: outcome.KindCount, State: outcome.Suppressed}
	few := outcome.Figure{Kind: outcome.KindCount, N: 7, Count: 3, State: outcome.CountsOnly}
	cmp := outcome.Comparison{From: outcome.Baseline, To: outcome.End}
	rows := []outcome.Row{
		{Measure: outcome.MeasurePeople, Cells: []outcome.Figure{shown(20, 20), {Kind: outcome.KindCount, N: 7, Count: 7, State: outcome.CountsOnly}, shown(27, 27)}},
		{Measure: outcome.MeasureSelfHarmRate, Period: outcome.Baseline, Cells: []outcome.Figure{
			{Kind: outcome.KindRate, N: 20, Value: 1.234567, Observed: 410, Days: 560, State: outcome.Shown},
			{Kind: outcome.KindRate, N: 7, State: outcome.CountsOnly},
			{Kind: outcome.KindRate, N: 27, Value: 1.1, Observed: 600, Days: 756, State: outcome.Shown}}},
		{Measure: outcome.MeasureSelfHarmChange, Comparison: cmp, Part: outcome.PartEligible, Cells: []outcome.Figure{shown(18, 20), few, shown(25, 27)}},
		{Measure: outcome.MeasureSelfHarmChange, Comparison: cmp, Part: outcome.PartFell, Cells: []outcome.Figure{shown(11, 18), few, shown(15, 25)}},
		{Measure: outcome.MeasureSelfHarmChange, Comparison: cmp, Part: outcome.PartStayed, Cells: []outcome.Figure{sup, few, sup}},
		{Measure: outcome.MeasureSelfHarmChange, Comparison: cmp, Part: outcome.PartRose, Cells: []outcome.Figure{sup, few, sup}},
		{Measure: outcome.MeasureSelfHarmChange, Comparison: cmp, Part: outcome.PartMedian, Cells: []outcome.Figure{
			{Kind: outcome.KindMedian, N: 18, Value: -0.5, Low: -1.25, High: 0, State: outcome.Shown},
			{Kind: outcome.KindMedian, N: 7, State: outcome.CountsOnly},
			{Kind: outcome.KindMedian, N: 25, Value: -0.4, Low: -1, High: 0.1, State: outcome.Shown}}},
		{Measure: outcome.MeasureRateRatio, Comparison: cmp, Cells: []outcome.Figure{
			{Kind: outcome.KindRatio, N: 18, State: outcome.NotEstimable},
			{Kind: outcome.KindRatio, N: 7, State: outcome.CountsOnly},
			{Kind: outcome.KindRatio, N: 25, Value: 0.61, Low: 0.4, High: 0.93, State: outcome.Shown}}},
	}
	return outcome.Report{Cohort: outcome.Cohort{Year: 2026, Quarter: 1}, Note: outcome.Note, Settings: outcome.Defaults,
		Columns: []string{"DBT", "CBT", ""},
		Scopes:  []outcome.Scope{{Whole: true, Rows: rows}, {Team: "team-1", Name: "Riverside", Rows: rows}}}
}

func sourcePrinter(t *testing.T) *i18n.Printer {
	t.Helper()
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	return cat.Printer(i18n.Source)
}

// TestReportCells: each state shows only what it may, in words.
func TestReportCells(t *testing.T) {
	v, err := newReportView(reportFixture(), sourcePrinter(t), "")
	if err != nil {
		t.Fatal(err)
	}
	tables := v.tables(0)
	if len(tables) != 4 {
		t.Fatalf("%d tables, want one per measure (4)", len(tables))
	}
	type want struct{ main, people, coverage string }
	check := func(table, row, col int, w want) {
		t.Helper()
		c := tables[table].Rows[row].Cells[col]
		if c.Main != w.main || c.People != w.people || c.Coverage != w.coverage {
			t.Errorf("table %d row %d col %d = %+v, want %+v", table, row, col, c, w)
		}
	}
	check(0, 0, 0, want{"20 people", "", ""})
	check(0, 0, 1, want{"7 people", "", ""})
	check(1, 0, 0, want{"1.23 a week", "20 people", "410 of 560 days recorded"})
	check(1, 0, 1, want{"counts only", "7 people", ""})
	check(2, 1, 0, want{"11 of 18 (61%)", "18 people", ""})
	check(2, 2, 0, want{"fewer than 5", "", ""})
	check(2, 4, 0, want{"-0.50 (interquartile range -1.25 to 0.00)", "18 people", ""})
	check(3, 0, 0, want{"cannot be estimated", "18 people", ""})
	check(3, 0, 2, want{"0.61 (95% interval 0.40 to 0.93)", "25 people", ""})
	if got, want := tables[2].Rows[1].Label, "Baseline to end of treatment, Own rate fell"; got != want {
		t.Errorf("row label %q, want %q", got, want)
	}
}

// TestReportChart: the parts chart draws the shares that may be shown, and
// a suppressed or counts-only figure as absent, with its words; the
// denominator and the median are not drawn.
func TestReportChart(t *testing.T) {
	v, err := newReportView(reportFixture(), sourcePrinter(t), "")
	if err != nil {
		t.Fatal(err)
	}
	tables := v.tables(0)
	if n := len(tables[2].Charts); n != 1 {
		t.Fatalf("%d charts of the change, want 1", n)
	}
	for i, tb := range tables {
		if i != 2 && len(tb.Charts) > 0 {
			t.Errorf("table %d (%s) has a chart", i, tb.Caption)
		}
	}
	ch := tables[2].Charts[0]
	if len(ch.Groups) != 3 || len(ch.Parts) != 3 {
		t.Fatalf("%d groups of %d parts, want 3 of 3 (fell, stayed, rose)", len(ch.Groups), len(ch.Parts))
	}
	fell, stayed := ch.Groups[0].Bars[0], ch.Groups[0].Bars[1]
	if fell.Absent || fell.Text != "61%" || fell.W <= 0 {
		t.Errorf("fell = %+v", fell)
	}
	if !stayed.Absent || stayed.Text != "fewer than 5" || stayed.W != 0 {
		t.Errorf("a suppressed part is drawn: %+v", stayed)
	}
	for _, b := range ch.Groups[1].Bars {
		if !b.Absent || b.Text != "7 of 7" && b.Text != "3 of 7" {
			t.Errorf("a counts-only part: %+v", b)
		}
	}
	if ch.Rows[0].Cells[1] != "fewer than 5" {
		t.Errorf("the chart's table: %v", ch.Rows[0].Cells)
	}
	if !strings.Contains(ch.Desc, "0 to 100%") {
		t.Errorf("desc %q", ch.Desc)
	}
}
