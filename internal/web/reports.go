package web

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/api"
	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/outcome"
)

// The service outcomes report for leads (issue 8, item 3;
// clinical/outcomes.md sections 6 and 7): a cohort of episodes that ended
// in one calendar year or quarter, for the fixed groupings only (the total,
// then each team the lead leads), each measure by modality side by side
// with the number of people and the coverage behind every figure, charts
// of the measures reported in parts, and the fixed observational note above
// the figures. The CSV and JSON exports are written from the same report
// value through the same projection (api.OutcomeCellOut) as the page, so a
// suppressed cell is "fewer than 5" everywhere and never a number. The
// report service decides who may read it (anyone who leads no team gets
// 404) and audits each read. Nothing here ranks, sorts or colours by
// outcome: columns and rows keep the report's own order.

// withReports answers "not found" when the server runs without the report
// service (tests of other areas), rather than failing on nil.
func (s *Server) withReports(fn func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.opt.Reports == nil {
			return tend.ErrNotFound
		}
		return fn(w, r)
	}
}

const reportPath = "/clinic/reports/outcomes"

type reportCohortChoice struct {
	Value, Label string
	Selected     bool
}

type reportScopeLink struct {
	Label, Href string
	Current     bool
}

// reportCell is one figure as the page and the CSV show it: Main is the
// figure (or the words that stand for it), People the number of people
// behind it and Coverage the days recorded behind it, when shown.
type reportCell struct {
	Main, People, Coverage string
	State                  string
}

type reportRow struct {
	Label string
	Cells []reportCell
}

// reportTable is one measure: a row per period, comparison, instrument or
// part, a column per modality and one of all modalities.
type reportTable struct {
	ID, Caption string
	Rows        []reportRow
	Charts      []partChart
}

type reportOutcomesPage struct {
	Base
	Heading  string
	Note     string
	None     bool // no episode has ended yet: no cohort to report
	Cohorts  []reportCohortChoice
	Cohort   string
	Scope    string
	Scopes   []reportScopeLink
	Name     string // the chosen grouping
	Notes    []string
	Columns  []string
	Tables   []reportTable
	CSV      string
	JSON     string
	Download string
}

// reportOutcomesShow is the report page.
func (s *Server) reportOutcomesShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	p := s.printer()
	cohorts, err := s.opt.Reports.Cohorts(r.Context(), a)
	if err != nil {
		return err
	}
	page := &reportOutcomesPage{Base: Base{Title: p.T("reports.title"), p: p}, Heading: p.T("reports.heading"), Note: api.OutcomeNote(outcome.Report{}, p)}
	w.Header().Set("Cache-Control", "no-store")
	if len(cohorts) == 0 && r.URL.Query().Get("cohort") == "" {
		page.None = true
		return s.render(w, r, http.StatusOK, "clinic_report_outcomes", page)
	}
	c, err := api.ChooseCohort(cohorts, r.URL.Query().Get("cohort"))
	if err != nil {
		return err
	}
	rep, err := s.opt.Reports.Outcomes(r.Context(), a, c)
	if err != nil {
		return err
	}
	scope := r.URL.Query().Get("scope")
	if scope == "" && len(rep.Scopes) > 0 {
		scope = api.ScopeKey(rep.Scopes[0])
	}
	v, err := newReportView(rep, p, scope)
	if err != nil {
		return err
	}
	page.Note = v.out.Note
	page.Cohort, page.Scope = c.String(), scope
	page.Heading = p.T("reports.heading_cohort", cohortLabel(p, c))
	page.Title = page.Heading
	for _, k := range api.SortCohorts(cohorts) {
		page.Cohorts = append(page.Cohorts, reportCohortChoice{Value: k.String(), Label: cohortLabel(p, k), Selected: k == c})
	}
	for _, sc := range rep.Scopes {
		key := api.ScopeKey(sc)
		page.Scopes = append(page.Scopes, reportScopeLink{Label: api.ScopeName(sc, p), Href: reportHref(reportPath, c, key), Current: key == scope})
	}
	page.Columns = v.columns
	sc := v.out.Scopes[0]
	page.Name = sc.Name
	page.Notes = reportNotes(p, rep.Settings)
	page.Tables = v.tables(0)
	page.CSV = reportHref(reportPath+".csv", c, scope)
	page.JSON = reportHref(reportPath+".json", c, scope)
	return s.render(w, r, http.StatusOK, "clinic_report_outcomes", page)
}

// reportOutcomesCSV writes the report as CSV: every grouping, or the one
// that scope names. The layout is long, one line per figure:
//
//	cohort, scope, scope_name, measure, measure_label, detail, modality,
//	kind, state, figure, people, count, share_percent, value, low, high,
//	observed_days, days
//
// after the header and a first line that carries the fixed observational
// note (measure "note", the note as its figure). figure is the cell's text
// on the page; the number columns hold the same figures as the page (shares
// in whole percent), and are empty whenever the figure may not be shown: a
// suppressed figure is "fewer than 5" with every number column empty.
// Every cell is escaped against spreadsheet formulas (csvSafe).
func (s *Server) reportOutcomesCSV(w http.ResponseWriter, r *http.Request) error {
	v, c, err := s.reportExport(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := v.writeCSV(&buf, c); err != nil {
		return err
	}
	exportHeaders(w, "text/csv; charset=utf-8", reportFileName(c, "csv"))
	_, err = w.Write(buf.Bytes())
	return err
}

// OutcomesCSV writes the whole report (every grouping) as the CSV export
// of the report page does, worded by p: the operator's export of the
// outcome figures (tend export outcomes) is the same file a lead of every
// team downloads.
func OutcomesCSV(w io.Writer, rep outcome.Report, p *i18n.Printer) error {
	v, err := newReportView(rep, p, "")
	if err != nil {
		return err
	}
	return v.writeCSV(w, rep.Cohort)
}

// writeCSV writes the view's CSV lines (csvRecords), each cell escaped.
func (v *reportView) writeCSV(w io.Writer, c outcome.Cohort) error {
	cw := csv.NewWriter(w)
	for _, rec := range v.csvRecords(c) {
		for i := range rec {
			rec[i] = csvSafe(rec[i])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// reportOutcomesJSON writes the report in the API's JSON shape
// (GET /api/v1/reports/outcomes, described in its OpenAPI document).
func (s *Server) reportOutcomesJSON(w http.ResponseWriter, r *http.Request) error {
	v, c, err := s.reportExport(r)
	if err != nil {
		return err
	}
	b, err := json.Marshal(v.out)
	if err != nil {
		return err
	}
	exportHeaders(w, "application/json", reportFileName(c, "json"))
	_, err = w.Write(append(b, '\n'))
	return err
}

// reportExport reads the report an export asks for: its cohort (the
// newest by default) and its grouping (every one by default).
func (s *Server) reportExport(r *http.Request) (*reportView, outcome.Cohort, error) {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return nil, outcome.Cohort{}, err
	}
	cohorts, err := s.opt.Reports.Cohorts(r.Context(), a)
	if err != nil {
		return nil, outcome.Cohort{}, err
	}
	c, err := api.ChooseCohort(cohorts, r.URL.Query().Get("cohort"))
	if err != nil {
		return nil, outcome.Cohort{}, err
	}
	rep, err := s.opt.Reports.Outcomes(r.Context(), a, c)
	if err != nil {
		return nil, outcome.Cohort{}, err
	}
	v, err := newReportView(rep, s.printer(), r.URL.Query().Get("scope"))
	return v, c, err
}

func exportHeaders(w http.ResponseWriter, ctype, name string) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
}

// reportFileName is an export's neutral file name: the cohort only.
func reportFileName(c outcome.Cohort, ext string) string {
	return "outcomes-" + c.String() + "." + ext
}

func reportHref(path string, c outcome.Cohort, scope string) string {
	q := url.Values{"cohort": {c.String()}}
	if scope != "" {
		q.Set("scope", scope)
	}
	return path + "?" + q.Encode()
}

// cohortLabel names a cohort: "2026 (the whole year)", "2026, quarter 3".
func cohortLabel(p *i18n.Printer, c outcome.Cohort) string {
	if c.Quarter == 0 {
		return p.T("reports.cohort_year", strconv.Itoa(c.Year))
	}
	// The year as text: a number would be grouped ("2,026").
	return p.T("reports.cohort_quarter", strconv.Itoa(c.Year), c.Quarter)
}

// reportNotes say how to read the figures, with the report's settings.
func reportNotes(p *i18n.Printer, st outcome.Settings) []string {
	st = st.WithDefaults()
	return []string{
		p.T("reports.explain"),
		p.T("outcome.periods_note", st.BaselineDays),
		p.T("outcome.coverage_note", int(math.Round(st.MinCoverage*100))),
		p.T("outcome.suppressed_note", st.Suppress, st.Suppress-1),
		p.T("outcome.counts_only_note", st.CountsOnly),
		p.T("outcome.ratio_note", st.Resamples),
		p.T("outcome.not_estimable_note"),
	}
}

func suppressBelow(st outcome.Settings) int {
	if st.Suppress > 0 {
		return st.Suppress
	}
	return outcome.Defaults.Suppress
}

// reportView is one report as the page and the exports show it: the
// report, its JSON projection (only what may be shown) and the words.
type reportView struct {
	rep     outcome.Report
	out     api.OutcomesJSON
	p       *i18n.Printer
	columns []string // the column headers: each modality, then all
	// scopes maps each scope of out to its index in rep.Scopes.
	scopes []int
}

func newReportView(rep outcome.Report, p *i18n.Printer, scope string) (*reportView, error) {
	out, err := api.OutcomesOut(rep, p, scope)
	if err != nil {
		return nil, err
	}
	v := &reportView{rep: rep, out: out, p: p}
	for _, c := range rep.Columns {
		v.columns = append(v.columns, v.columnLabel(c))
	}
	for _, js := range out.Scopes {
		for i, sc := range rep.Scopes {
			if api.ScopeKey(sc) == js.Scope {
				v.scopes = append(v.scopes, i)
				break
			}
		}
	}
	return v, nil
}

func (v *reportView) columnLabel(modality string) string {
	if modality == "" {
		return v.p.T("outcome.all_modalities")
	}
	return modality
}

// tables lays out scope i of the view: a table per measure, in the
// report's order, with the charts of its rows reported in parts.
func (v *reportView) tables(i int) []reportTable {
	js := v.out.Scopes[i]
	rows := v.rep.Scopes[v.scopes[i]].Rows
	var out []reportTable
	table := make([]int, len(js.Rows)) // the table of each row
	for j, row := range js.Rows {
		if j == 0 || row.Measure != js.Rows[j-1].Measure {
			out = append(out, reportTable{ID: fmt.Sprintf("m%d", len(out)+1), Caption: row.MeasureLabel})
		}
		table[j] = len(out) - 1
		label := row.Detail
		if label == "" {
			label = row.MeasureLabel
		}
		rr := reportRow{Label: label}
		for _, c := range row.Cells {
			rr.Cells = append(rr.Cells, v.cell(row.Measure, c))
		}
		out[table[j]].Rows = append(out[table[j]].Rows, rr)
	}
	// The charts: each run of rows of one measure that differ only in
	// their part (fell / stayed / rose; the skills categories).
	start := 0
	for j := 1; j <= len(rows); j++ {
		if j < len(rows) && samePartGroup(rows[j-1], rows[j]) {
			continue
		}
		if ch, ok := v.partChart(rows[start:j], js.Rows[start:j], fmt.Sprintf("c%d", start+1)); ok {
			out[table[start]].Charts = append(out[table[start]].Charts, ch)
		}
		start = j
	}
	return out
}

// samePartGroup reports whether two rows are parts of one figure: the same
// measure, period, comparison and instrument, each with a part.
func samePartGroup(a, b outcome.Row) bool {
	return a.Part != "" && b.Part != "" && a.Measure == b.Measure && a.Period == b.Period && a.Comparison == b.Comparison &&
		a.Instrument == b.Instrument && a.Rule == b.Rule
}

// cell words one figure of measure as the page and the CSV show it.
func (v *reportView) cell(measure string, c api.OutcomeCellJSON) reportCell {
	p := v.p
	out := reportCell{State: c.State}
	switch {
	case c.Count != nil && c.People != nil:
		switch {
		case measure == string(outcome.MeasureFollowUp):
			// Follow-up is always "reached of due" (outcomes.md section 4).
			out.Main = p.T("outcome.reached_of_due", *c.Count, *c.People)
			if c.Share != nil {
				out.Main = p.T("reports.with_detail", out.Main, percent(p, *c.Share))
			}
		case measure == string(outcome.MeasurePeople):
			// The people of the grouping: a count, not a share of itself.
			out.Main = p.T("outcome.people", *c.Count)
		case c.Share != nil:
			out.Main = p.T("outcome.count_of_share", *c.Count, *c.People, percent(p, *c.Share))
		default:
			out.Main = p.T("outcome.count_of", *c.Count, *c.People)
		}
	case c.Value != nil:
		out.Main = valueWords(p, outcome.Kind(c.Kind), c)
	case c.Text != nil:
		out.Main = *c.Text
	}
	if c.People != nil && c.State != string(outcome.NoData) && measure != string(outcome.MeasurePeople) {
		out.People = p.T("outcome.people", *c.People)
	}
	if c.ObservedDays != nil && c.Days != nil {
		out.Coverage = p.T("outcome.coverage", *c.ObservedDays, *c.Days)
	}
	return out
}

// The decimals each kind of figure is shown with.
var kindDecimals = map[outcome.Kind]int{
	outcome.KindRate: 2, outcome.KindMean: 1, outcome.KindMedian: 2, outcome.KindRatio: 2, outcome.KindDays: 0,
}

func valueWords(p *i18n.Printer, k outcome.Kind, c api.OutcomeCellJSON) string {
	d := kindDecimals[k]
	val := decimal(*c.Value, d)
	var lo, hi string
	interval := c.Low != nil && c.High != nil
	if interval {
		lo, hi = decimal(*c.Low, d), decimal(*c.High, d)
	}
	switch k {
	case outcome.KindRate:
		return p.T("outcome.per_week", val)
	case outcome.KindShare:
		return percent(p, *c.Value)
	case outcome.KindMedian:
		if interval {
			return p.T("reports.with_detail", val, p.T("outcome.iqr", lo, hi))
		}
	case outcome.KindDays:
		if interval {
			return p.T("reports.with_detail", p.T("outcome.days", val), p.T("outcome.iqr", lo, hi))
		}
		return p.T("outcome.days", val)
	case outcome.KindRatio:
		if interval {
			return p.T("reports.with_detail", val, p.T("outcome.interval", lo, hi))
		}
	}
	return val
}

// decimal writes v with d decimals.
func decimal(v float64, d int) string {
	s := strconv.FormatFloat(v, 'f', d, 64)
	if strings.Trim(s, "-0.") == "" {
		s = strings.TrimPrefix(s, "-") // no "-0.00"
	}
	return s
}

// percentNumber writes a share (0 to 1) as a whole percentage: "43".
func percentNumber(share float64) string {
	return decimal(math.Round(share*100), 0)
}

// percent words a share (0 to 1) in whole percent: "43%".
func percent(p *i18n.Printer, share float64) string {
	return p.T("outcome.percent", percentNumber(share))
}

// csvHeader is the first line of the CSV export.
var csvHeader = []string{"cohort", "scope", "scope_name", "measure", "measure_label", "detail", "modality", "kind", "state", "figure",
	"people", "count", "share_percent", "value", "low", "high", "observed_days", "days"}

// csvRecords is the CSV export's lines, unescaped.
func (v *reportView) csvRecords(c outcome.Cohort) [][]string {
	out := [][]string{csvHeader}
	note := make([]string, len(csvHeader))
	note[0], note[3], note[9] = c.String(), "note", v.out.Note
	out = append(out, note)
	for _, js := range v.out.Scopes {
		for _, row := range js.Rows {
			for i, cell := range row.Cells {
				shown := v.cell(row.Measure, cell)
				k := outcome.Kind(cell.Kind)
				d := kindDecimals[k]
				rec := []string{c.String(), js.Scope, js.Name, row.Measure, row.MeasureLabel, row.Detail, v.columns[min(i, len(v.columns)-1)], cell.Kind, cell.State, shown.Main,
					intCell(cell.People), intCell(cell.Count), "", "", "", "", intCell(cell.ObservedDays), intCell(cell.Days)}
				if cell.Share != nil {
					rec[12] = percentNumber(*cell.Share)
				}
				if cell.Value != nil {
					if k == outcome.KindShare {
						rec[12] = percentNumber(*cell.Value)
					} else {
						rec[13] = decimal(*cell.Value, d)
					}
				}
				if cell.Low != nil && cell.High != nil {
					rec[14], rec[15] = decimal(*cell.Low, d), decimal(*cell.High, d)
				}
				out = append(out, rec)
			}
		}
	}
	return out
}

func intCell(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

// csvSafe escapes a CSV cell that a spreadsheet would read as a formula or
// a control: one that starts with = + - @, a tab or a carriage return gets
// a single quote in front (OWASP "CSV injection").
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
