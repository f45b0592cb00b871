package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/diary"
)

// The person's progress (safety-rules.md section 6): what they did for
// themselves, without shame. The week as a grid of real dates, where a
// missing day is "not filled in" and nothing more; hand-written SVG charts
// on fixed clinical axes (0-5 for ratings), each with its numbers as a
// table; urges and actions as separate series; the skills categories as
// counts, never a mean of the 0-7 codes. No streaks, no red, no scores.

// The chart's drawing area, in SVG user units.
const (
	chartW, chartH           = 320.0, 150.0
	chartLeft, chartRight    = 28.0, 8.0
	chartTop, chartBottom    = 8.0, 24.0
	chartPlotW, chartPlotH   = chartW - chartLeft - chartRight, chartH - chartTop - chartBottom
	chartSeriesClasses       = 5
	progressDayLabelLayout   = "2 Jan"
	progressTableLabelLayout = "Mon 2 Jan"
)

type chartTick struct {
	Pos, Text float64 // the tick's place, and its label's
	Label     string
}

type chartRect struct{ X, Y, W, H float64 }

type chartPoint struct{ X, Y float64 }

type chartSeries struct {
	Name   string
	Class  string
	Paths  []string     // lines: one path per run of recorded points
	Points []chartPoint // lines: a mark at each recorded point
	Rects  []chartRect  // bars
	Values []string     // per bucket, for the table ("" shows a dash)
}

type chartView struct {
	ID, Title, Desc string
	W, H            float64
	Left, Bottom    float64 // the axes' position
	Right           float64
	TickX, LabelY   float64 // where the axes' labels go
	// The words around the chart.
	TableLabel, PeriodLabel, Dash, Nothing string
	YTicks, XTicks                         []chartTick
	Series                                 []chartSeries
	Periods                                []string // the table's first column
	Empty                                  bool
}

type weekCell struct{ Text string }

type weekRow struct {
	Label string
	Cells []weekCell
}

type weekDayView struct {
	Label, Day string
	Link       bool // a day that has happened: its card opens
	State      string
}

type progressPage struct {
	Base
	Span       string
	Spans      []spanView
	Week       []weekDayView
	WeekRows   []weekRow
	Filled     string
	RiddenOut  string
	SkillsUsed string
	Ridden     string
	Charts     []chartView
	// Questionnaires is each questionnaire's change in kind words.
	Questionnaires []questionnaireChange
}

type spanView struct {
	Value, Label string
	Current      bool
}

// progressShow is "My progress" over 4 weeks, 3 months or a year.
func (s *Server) progressShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	span := diary.Span(r.URL.Query().Get("span"))
	if span == "" {
		span = diary.Span4Weeks
	}
	prog, err := s.opt.Diary.Progress(r.Context(), a, a.ID, span)
	if err != nil {
		return err
	}
	week, err := s.opt.Diary.Week(r.Context(), a, a.ID, prog.To)
	if err != nil {
		return err
	}
	p := s.printer()
	page := &progressPage{Base: Base{Title: p.T("progress.title"), QuickExit: true}, Span: string(span),
		Filled: p.T("progress.filled_total", prog.Filled), RiddenOut: p.T("progress.ridden_total", prog.RiddenOut),
		SkillsUsed: p.T("progress.skills_total", prog.SkillsUsed), Ridden: p.T("progress.ridden_explained", prog.Level)}
	for _, sp := range diary.Spans {
		page.Spans = append(page.Spans, spanView{Value: string(sp), Label: p.T("progress.span." + string(sp)), Current: sp == span})
	}
	s.progressWeek(page, week)
	s.progressCharts(page, prog)
	if page.Questionnaires, err = s.progressQuestionnaires(r, a); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "me_progress", page)
}

// progressWeek builds the week's grid: the urge and action rows, the
// skills, each day by its real date; a day with no card is "not filled
// in", a day still to come "not yet".
func (s *Server) progressWeek(page *progressPage, week diary.Week) {
	p := s.printer()
	for _, d := range week.Days {
		v := weekDayView{Label: d.Day.Format("Mon 2"), Day: d.Day.Format(diary.DayLayout), Link: !d.Day.After(week.Today) && !d.Day.Before(week.Config.Joined)}
		switch {
		case d.Day.After(week.Today):
			v.State = p.T("progress.later")
		case d.Card == nil:
			v.State = p.T("progress.not_filled")
		default:
			v.State = p.T("progress.filled")
		}
		page.Week = append(page.Week, v)
	}
	for _, t := range week.Config.GridOrder() {
		row := weekRow{Label: s.targetLabel(t)}
		for _, d := range week.Days {
			c := weekCell{}
			if d.Card != nil {
				if t.Section == diary.SectionUrge {
					if v, ok := d.Card.Get(diary.UrgeField(t.ID)); ok {
						c.Text = strconv.Itoa(v)
					}
				} else if v, ok := d.Card.Get(diary.ActField(t.ID)); ok {
					c.Text = p.T(answerID(diary.ActField(t.ID), v))
					if n, ok := d.Card.Get(diary.CountField(t.ID)); ok && n > 0 && v == diary.Yes {
						c.Text += " (" + strconv.Itoa(n) + ")"
					}
				}
			}
			row.Cells = append(row.Cells, c)
		}
		page.WeekRows = append(page.WeekRows, row)
	}
	skills := weekRow{Label: p.T("diary.skills_heading")}
	for _, d := range week.Days {
		c := weekCell{}
		if d.Card != nil {
			if v, ok := d.Card.Get(diary.FieldSkills); ok {
				c.Text = p.T("diary.category." + string(diary.CategoryOf(v)))
			}
		}
		skills.Cells = append(skills.Cells, c)
	}
	page.WeekRows = append(page.WeekRows, skills)
}

// progressCharts builds the charts of the span.
func (s *Server) progressCharts(page *progressPage, prog diary.Progress) {
	p := s.printer()
	per := 1
	unit := p.T("progress.per_day")
	if len(prog.Buckets) > 0 && diary.DaysBetween(prog.Buckets[0].From, prog.Buckets[0].To) > 0 {
		per, unit = 7, p.T("progress.per_week")
	}
	desc := p.T("progress.chart_desc", prog.From.Format("2 January 2006"), prog.To.Format("2 January 2006"), unit)
	periods := make([]string, len(prog.Buckets))
	for i, b := range prog.Buckets {
		periods[i] = b.From.Format(progressTableLabelLayout)
		if per > 1 {
			periods[i] += " – " + b.To.Format(progressTableLabelLayout)
		}
	}
	n := len(prog.Buckets)
	var urges, actions, emotions []seriesData
	for _, t := range prog.Config.Section(diary.SectionUrge, false) {
		id := t.ID
		urges = append(urges, seriesData{name: s.targetLabel(t), at: func(i int) (int, bool) { v, ok := prog.Buckets[i].Urges[id]; return v, ok }})
	}
	for _, t := range prog.Config.Section(diary.SectionAction, false) {
		id := t.ID
		actions = append(actions, seriesData{name: s.targetLabel(t), at: func(i int) (int, bool) {
			b := prog.Buckets[i]
			return b.Actions[id], b.Filled > 0
		}})
	}
	for _, t := range prog.Config.Section(diary.SectionEmotion, false) {
		id := t.ID
		emotions = append(emotions, seriesData{name: s.targetLabel(t), at: func(i int) (int, bool) { v, ok := prog.Buckets[i].Emotions[id]; return v, ok }})
	}
	var skills []seriesData
	for _, c := range diary.Categories {
		skills = append(skills, seriesData{name: p.T("diary.category." + string(c)), at: func(i int) (int, bool) {
			b := prog.Buckets[i]
			return b.Skills[c], b.Filled > 0
		}})
	}
	ridden := []seriesData{{name: p.T("progress.ridden"), at: func(i int) (int, bool) {
		b := prog.Buckets[i]
		return b.RiddenOut, b.Filled > 0
	}}}
	maxRidden := diary.MaxRating
	for _, b := range prog.Buckets {
		maxRidden = max(maxRidden, b.RiddenOut)
	}
	cards := []seriesData{{name: p.T("progress.cards"), at: func(i int) (int, bool) { return prog.Buckets[i].Filled, true }}}
	page.Charts = []chartView{
		lineChart("urges", p.T("progress.urges"), desc, urges, n, diary.MaxRating, periods),
		barChart("actions", p.T("progress.actions"), desc, actions, n, per, periods, false),
		lineChart("emotions", p.T("progress.emotions"), desc, emotions, n, diary.MaxRating, periods),
		barChart("skills", p.T("progress.skills"), desc, skills, n, per, periods, true),
		barChart("ridden", p.T("progress.ridden"), desc, ridden, n, maxRidden, periods, false),
		barChart("cards", p.T("progress.cards"), desc, cards, n, per, periods, false),
	}
	for i := range page.Charts {
		c := &page.Charts[i]
		c.XTicks = xTicks(prog, n)
		c.TableLabel, c.PeriodLabel, c.Dash, c.Nothing = p.T("progress.table"), p.T("progress.period"), p.T("progress.none"), p.T("progress.nothing")
	}
}

// seriesData is one series: its name and its value at bucket i, when one
// was recorded.
type seriesData struct {
	name string
	at   func(i int) (int, bool)
}

func baseChart(id, title, desc string, top int, periods []string) chartView {
	c := chartView{ID: id, Title: title, Desc: desc, W: chartW, H: chartH, Left: chartLeft, Bottom: chartH - chartBottom, Right: chartW - chartRight,
		TickX: chartLeft - 4, LabelY: chartH - 6, Periods: periods}
	step := 1
	if top > 7 {
		step = (top + 4) / 5
	}
	for v := 0; v <= top; v += step {
		c.YTicks = append(c.YTicks, chartTick{Pos: yOf(v, top), Text: yOf(v, top) + 4, Label: strconv.Itoa(v)})
	}
	return c
}

func yOf(v, top int) float64 {
	return chartTop + chartPlotH - float64(v)/float64(max(top, 1))*chartPlotH
}

func xOf(i, n int) float64 {
	if n <= 1 {
		return chartLeft + chartPlotW/2
	}
	return chartLeft + float64(i)/float64(n-1)*chartPlotW
}

// lineChart draws each series as a line on the fixed axis 0..top; a
// bucket with nothing recorded breaks the line.
func lineChart(id, title, desc string, series []seriesData, n, top int, periods []string) chartView {
	c := baseChart(id, title, desc, top, periods)
	c.Empty = true
	for si, sd := range series {
		cs := chartSeries{Name: sd.name, Class: fmt.Sprintf("s%d", si%chartSeriesClasses)}
		path := ""
		for i := 0; i < n; i++ {
			v, ok := sd.at(i)
			if !ok {
				cs.Values = append(cs.Values, "")
				if path != "" {
					cs.Paths = append(cs.Paths, path)
					path = ""
				}
				continue
			}
			c.Empty = false
			cs.Values = append(cs.Values, strconv.Itoa(v))
			x, y := xOf(i, n), yOf(min(v, top), top)
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
		c.Series = append(c.Series, cs)
	}
	return c
}

// barChart draws counts as bars on the axis 0..top, side by side or, when
// stacked, one on another (the days of a week in each skills category).
func barChart(id, title, desc string, series []seriesData, n, top int, periods []string, stacked bool) chartView {
	c := baseChart(id, title, desc, top, periods)
	c.Empty = true
	slot := chartPlotW / float64(max(n, 1))
	width := slot * 0.7
	if !stacked && len(series) > 1 {
		width /= float64(len(series))
	}
	base := make([]int, n)
	for si, sd := range series {
		cs := chartSeries{Name: sd.name, Class: fmt.Sprintf("s%d", si%chartSeriesClasses)}
		for i := 0; i < n; i++ {
			v, ok := sd.at(i)
			if !ok {
				cs.Values = append(cs.Values, "")
				continue
			}
			cs.Values = append(cs.Values, strconv.Itoa(v))
			if v <= 0 {
				continue
			}
			c.Empty = false
			x := chartLeft + float64(i)*slot + (slot-slot*0.7)/2
			lo := 0
			if stacked {
				lo = base[i]
				base[i] += v
			} else if len(series) > 1 {
				x += float64(si) * width
			}
			y0, y1 := yOf(min(lo, top), top), yOf(min(lo+v, top), top)
			cs.Rects = append(cs.Rects, chartRect{X: x, Y: y1, W: width, H: y0 - y1})
		}
		c.Series = append(c.Series, cs)
	}
	return c
}

// xTicks labels the first and the last period, and one between.
func xTicks(prog diary.Progress, n int) []chartTick {
	if n == 0 {
		return nil
	}
	idx := []int{0}
	if n > 2 {
		idx = append(idx, n/2)
	}
	if n > 1 {
		idx = append(idx, n-1)
	}
	var out []chartTick
	for _, i := range idx {
		out = append(out, chartTick{Pos: xOf(i, n), Label: prog.Buckets[i].From.Format(progressDayLabelLayout)})
	}
	return out
}
