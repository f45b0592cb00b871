package web

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/measure"
)

// The chart of a questionnaire's scores, shared by the person's scores
// page and the clinician's: the finished totals over time, on the
// instrument's own fixed axis (its lowest to its highest possible total),
// with the instrument's bands drawn as light horizontal bands and labelled
// with its band labels, and the same numbers as a table. A finished
// response without a total is "incomplete" in the table and a gap in the
// line, never a number (Tend never imputes a missing answer). The
// clinician's page adds its threshold line (scoreLine) and its words
// around the chart; the person's page adds only kind words.

// The score chart's drawing area, in SVG user units.
const (
	scoreW, scoreH             = 360.0, 180.0
	scoreLeft, scoreRight      = 28.0, 8.0
	scoreTop, scoreBottom      = 8.0, 24.0
	scorePlotW, scorePlotH     = scoreW - scoreLeft - scoreRight, scoreH - scoreTop - scoreBottom
	scorePad                   = 10.0 // keeps the first and last marks off the axes
	scoreMinBandLabel          = 10.0 // a band narrower than this is labelled in the table only
	scoreDateLayout            = "2 January 2006"
	scoreTickLayout            = "2 Jan"
	scoreChartSeriesClass      = "s0"
	scoreChartMaxTicks         = 7
	scoreChartDescBandSep      = "; "
	scoreChartDescBandRangeSep = "–"
)

// chartBand is one of an instrument's bands drawn across the chart.
type chartBand struct {
	Y, H  float64
	TextY float64
	Label string
	Class string // "b0" or "b1", alternating shades
}

// chartLine is a labelled horizontal line across the chart (the
// clinician's threshold line).
type chartLine struct {
	Y, TextY float64
	Label    string
	Class    string
}

// scoreRow is one finished response in the table.
type scoreRow struct {
	Date, Score, Band string
	Incomplete        bool
}

// scoreChartView is a score chart: the shared chart fields (progress.go)
// with the bands, any lines, and the table's rows.
type scoreChartView struct {
	chartView
	Bands []chartBand
	Lines []chartLine
	Rows  []scoreRow
	// The table's column headers.
	DateLabel, ScoreLabel, BandLabel string
	HasBands                         bool
	PlotW, BandLabelX                float64
	lo, hi                           float64
}

// scoreChart draws the instrument's finished responses (points, oldest
// first) as chart id. The title is the instrument's short name; the
// description says what is drawn, on which scale, and the bands.
func scoreChart(p *i18n.Printer, in measure.Instrument, points []measure.Point, id string) scoreChartView {
	lo, hi := in.Range()
	if hi <= lo {
		hi = lo + 1
	}
	c := scoreChartView{lo: lo, hi: hi, HasBands: len(in.Scoring.Bands) > 0, PlotW: scorePlotW, BandLabelX: scoreW - scoreRight - 3}
	c.chartView = chartView{ID: id, Title: in.Short, W: scoreW, H: scoreH, Left: scoreLeft, Bottom: scoreH - scoreBottom, Right: scoreW - scoreRight,
		TickX: scoreLeft - 4, LabelY: scoreH - 6, Empty: true,
		TableLabel: p.T("questionnaires.chart.table"), PeriodLabel: p.T("questionnaires.chart.date"), Dash: p.T("questionnaires.chart.none"), Nothing: p.T("questionnaires.chart.nothing")}
	c.DateLabel, c.ScoreLabel, c.BandLabel = c.PeriodLabel, p.T("questionnaires.chart.score"), p.T("questionnaires.chart.band")

	// The bands, and ticks at their edges (or evenly when there are none).
	step := scoreStep(in)
	var bandWords []string
	for i, b := range in.Scoring.Bands {
		from, to := b.From-step/2, b.To+step/2
		if i == 0 {
			from = lo
		}
		if i == len(in.Scoring.Bands)-1 {
			to = hi
		}
		from, to = math.Max(from, lo), math.Min(to, hi)
		y0, y1 := c.y(to), c.y(from)
		band := chartBand{Y: y0, H: y1 - y0, Class: fmt.Sprintf("b%d", i%2)}
		if band.H >= scoreMinBandLabel {
			band.Label, band.TextY = b.Label, y0+(y1-y0)/2+3
		}
		c.Bands = append(c.Bands, band)
		bandWords = append(bandWords, in.FormatScore(b.From)+scoreChartDescBandRangeSep+in.FormatScore(b.To)+" "+b.Label)
	}
	for _, v := range scoreTicks(in, lo, hi) {
		y := c.y(v)
		c.YTicks = append(c.YTicks, chartTick{Pos: y, Text: y + 4, Label: in.FormatScore(v)})
	}

	// The points on a time axis: a response without a total breaks the line.
	var first, last time.Time
	if len(points) > 0 {
		first, last = points[0].On, points[len(points)-1].On
	}
	cs := chartSeries{Name: in.Short, Class: scoreChartSeriesClass}
	path := ""
	for i, pt := range points {
		row := scoreRow{Date: pt.On.Format(scoreDateLayout), Band: c.Dash}
		sc := pt.Response.Score
		if !sc.Complete() {
			row.Score, row.Incomplete = p.T("questionnaires.chart.incomplete"), true
			c.Periods = append(c.Periods, row.Date)
			cs.Values = append(cs.Values, row.Score)
			c.Rows = append(c.Rows, row)
			if path != "" {
				cs.Paths = append(cs.Paths, path)
				path = ""
			}
			continue
		}
		total := *sc.Total
		row.Score = in.FormatScore(total)
		if band := in.Band(total); band != "" {
			row.Band = band
		}
		c.Rows = append(c.Rows, row)
		c.Periods = append(c.Periods, row.Date)
		cs.Values = append(cs.Values, row.Score)
		c.Empty = false
		x, y := scoreX(pt.On, first, last, i, len(points)), c.y(math.Min(math.Max(total, lo), hi))
		cs.Points = append(cs.Points, chartPoint{X: x, Y: y})
		if path == "" {
			path = fmt.Sprintf("M%.1f %.1f", x, y)
		} else {
			path += fmt.Sprintf(" L%.1f %.1f", x, y)
		}
	}
	if path != "" {
		cs.Paths = append(cs.Paths, path)
	}
	c.Series = []chartSeries{cs}
	if len(points) > 0 {
		c.XTicks = append(c.XTicks, chartTick{Pos: scoreX(first, first, last, 0, len(points)), Label: first.Format(scoreTickLayout)})
		if len(points) > 1 && !last.Equal(first) {
			c.XTicks = append(c.XTicks, chartTick{Pos: scoreX(last, first, last, len(points)-1, len(points)), Label: last.Format(scoreTickLayout)})
		}
	}

	// The description: what, when, on which scale, and the bands.
	switch {
	case len(points) == 0:
		c.Desc = p.T("questionnaires.chart.desc_none", in.Short, in.FormatScore(lo), in.FormatScore(hi))
	default:
		c.Desc = p.T("questionnaires.chart.desc", in.Short, len(points), first.Format(scoreDateLayout), last.Format(scoreDateLayout), in.FormatScore(lo), in.FormatScore(hi))
	}
	if len(bandWords) > 0 {
		c.Desc += " " + p.T("questionnaires.chart.desc_bands", strings.Join(bandWords, scoreChartDescBandSep))
	}
	return c
}

// scoreLine returns a labelled horizontal line at total v on chart c (the
// clinician's threshold line); class styles it.
func (c *scoreChartView) scoreLine(v float64, label, class string) chartLine {
	y := c.y(math.Min(math.Max(v, c.lo), c.hi))
	return chartLine{Y: y, TextY: y - 3, Label: label, Class: class}
}

// y places total v on the chart's vertical axis.
func (c *scoreChartView) y(v float64) float64 {
	return scoreTop + scorePlotH - (v-c.lo)/(c.hi-c.lo)*scorePlotH
}

// scoreX places a date between the first and last on the horizontal axis;
// with a single date (or all on one day) the points are spread evenly.
func scoreX(on, first, last time.Time, i, n int) float64 {
	w := scorePlotW - 2*scorePad
	span := last.Sub(first)
	switch {
	case n <= 1:
		return scoreLeft + scorePlotW/2
	case span <= 0:
		return scoreLeft + scorePad + float64(i)/float64(n-1)*w
	}
	return scoreLeft + scorePad + float64(on.Sub(first))/float64(span)*w
}

// scoreStep is the smallest difference between two totals.
func scoreStep(in measure.Instrument) float64 {
	if in.Scoring.Method == measure.MethodSum {
		return 1
	}
	return math.Pow10(-in.Scoring.Decimals)
}

// scoreTicks returns the axis labels: the lowest and highest totals and
// the bands' lower edges, or even steps when the instrument has no bands.
func scoreTicks(in measure.Instrument, lo, hi float64) []float64 {
	out := []float64{lo}
	if bands := in.Scoring.Bands; len(bands) > 0 && len(bands) < scoreChartMaxTicks {
		for _, b := range bands[1:] {
			if b.From > lo && b.From < hi {
				out = append(out, b.From)
			}
		}
	} else {
		n := 4.0
		if in.Scoring.Method == measure.MethodSum && hi-lo < n {
			n = hi - lo
		}
		for i := 1.0; i < n; i++ {
			v := measure.Round(lo+(hi-lo)*i/n, in.Scoring.Decimals)
			if v > out[len(out)-1] && v < hi {
				out = append(out, v)
			}
		}
	}
	return append(out, hi)
}
