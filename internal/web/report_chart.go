package web

import (
	"fmt"
	"strings"

	"github.com/tendcare/tend/internal/api"
	"github.com/tendcare/tend/internal/outcome"
)

// The charts of the outcomes report: for a measure reported in parts (the
// people whose rate fell, stayed the same or rose; the skills categories),
// horizontal bars of each part's share, a group of bars per modality
// column in the report's order (never sorted by outcome), on a fixed scale
// from 0 to 100%. Parts are told apart by shade and by their label, never
// by a danger colour. A figure that may not be shown (fewer than 5, counts
// only, no data) is drawn as absent and labelled with the same words as
// the table. The measure's table above is the chart's full alternative;
// the chart also carries its own small table, as every chart does.

// The chart's drawing, in SVG user units.
const (
	partW       = 360.0
	partLeft    = 8.0
	partPlotW   = 250.0 // the bar of a share of 100%
	partTop     = 4.0
	partLabelH  = 14.0 // the line that names the modality
	partBarH    = 11.0
	partBarGap  = 2.0
	partGroupGp = 8.0
	partAxisH   = 16.0
)

type partBar struct {
	X, Y, W, H   float64
	TextX, TextY float64
	Class, Text  string
	Absent       bool
}

type partGroup struct {
	Label  string
	LabelY float64
	Bars   []partBar
}

type partTick struct {
	X     float64
	Label string
}

type partLegend struct {
	Class, Label string
}

type partTableRow struct {
	Label string
	Cells []string
}

// partChart is one chart of a measure in parts.
type partChart struct {
	ID, Title, Desc string
	W, H            float64
	AxisY, TickY    float64
	Left, Right     float64
	Groups          []partGroup
	Ticks           []partTick
	Legend          []partLegend
	// The table: a row per modality column, a column per part.
	TableLabel, ColumnLabel string
	Parts                   []string
	Rows                    []partTableRow
}

// partChart draws the rows of one figure in parts (allJS their projection)
// as chart id. ok is false when fewer than two of the parts are shares, or
// nothing of them may be drawn (counts only everywhere, say): then the
// table says it all.
func (v *reportView) partChart(all []outcome.Row, allJS []api.OutcomeRowJSON, id string) (partChart, bool) {
	// The parts drawn are those that are shares: counts of people (with
	// their share) or shares of days. A part that is the others'
	// denominator (the people eligible for a change) or no share at all
	// (the median change) stays in the table.
	var rows []outcome.Row
	var js []api.OutcomeRowJSON
	for i, r := range all {
		if r.Part == "" || r.Part == outcome.PartEligible || i >= len(allJS) {
			continue
		}
		shares := true
		for _, c := range allJS[i].Cells {
			if k := outcome.Kind(c.Kind); k != outcome.KindCount && k != outcome.KindShare {
				shares = false
			}
		}
		if shares {
			rows, js = append(rows, r), append(js, allJS[i])
		}
	}
	if len(rows) < 2 {
		return partChart{}, false
	}
	drawable := false
	for _, r := range js {
		for _, c := range r.Cells {
			if _, ok := chartShare(c); ok {
				drawable = true
			}
		}
	}
	if !drawable {
		return partChart{}, false
	}
	p := v.p
	first := rows[0]
	first.Part = ""
	measure, detail := api.OutcomeRowLabels(first, p)
	title := measure
	if detail != "" {
		title = p.T("reports.row_label", measure, detail)
	}
	ch := partChart{ID: id, Title: title, W: partW, Left: partLeft, Right: partLeft + partPlotW,
		TableLabel: p.T("reports.chart.table"), ColumnLabel: p.T("reports.chart.column")}
	var parts []string
	for i, r := range rows {
		label := p.T("outcome.part." + string(r.Part))
		parts = append(parts, label)
		ch.Legend = append(ch.Legend, partLegend{Class: fmt.Sprintf("s%d", i%5), Label: label})
	}
	ch.Parts = parts
	y := partTop
	for col, name := range v.columns {
		g := partGroup{Label: name, LabelY: y + partLabelH - 3}
		tr := partTableRow{Label: name}
		y += partLabelH
		top := y
		for i, r := range js {
			if col >= len(r.Cells) {
				continue
			}
			c := r.Cells[col]
			b := partBar{X: partLeft, Y: y, H: partBarH, Class: fmt.Sprintf("s%d", i%5), TextY: y + partBarH - 2}
			if share, ok := chartShare(c); ok {
				b.W = share * partPlotW
				if share > 0 && b.W < 1 {
					b.W = 1
				}
				b.Text = percent(p, share)
				b.TextX = partLeft + b.W + 4
			} else {
				b.Absent, b.Text, b.TextX = true, v.cell(r.Measure, c).Main, partLeft
			}
			tr.Cells = append(tr.Cells, b.Text)
			g.Bars = append(g.Bars, b)
			y += partBarH + partBarGap
		}
		if same(g.Bars) {
			// Nothing of the column may be drawn, for one reason: say it
			// once ("counts only"), not for every part.
			g.Bars = g.Bars[:1]
			y = top + partBarH + partBarGap
		}
		ch.Groups = append(ch.Groups, g)
		ch.Rows = append(ch.Rows, tr)
		y += partGroupGp
	}
	ch.AxisY = y
	ch.TickY = y + partAxisH - 4
	ch.H = y + partAxisH
	for _, pc := range []float64{0, 0.5, 1} {
		ch.Ticks = append(ch.Ticks, partTick{X: partLeft + pc*partPlotW, Label: percent(p, pc)})
	}
	ch.Desc = p.T("reports.chart.desc", strings.Join(parts, p.T("reports.chart.sep")), len(v.columns), suppressBelow(v.rep.Settings))
	return ch, true
}

// chartShare is the share a cell's bar draws, when it may be shown.
func chartShare(c api.OutcomeCellJSON) (float64, bool) {
	if c.State != string(outcome.Shown) {
		return 0, false
	}
	var share float64
	switch {
	case c.Share != nil:
		share = *c.Share
	case outcome.Kind(c.Kind) == outcome.KindShare && c.Value != nil:
		share = *c.Value
	default:
		return 0, false
	}
	return min(max(share, 0), 1), true
}

// same reports whether every bar is absent for the same reason.
func same(bars []partBar) bool {
	for _, b := range bars {
		if !b.Absent || b.Text != bars[0].Text {
			return false
		}
	}
	return len(bars) > 0
}
