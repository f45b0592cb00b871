package api

import (
	"math"
	"net/http"
	"slices"
	"sync"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/outcome"
)

// The service outcomes report (issue 8; clinical/outcomes.md sections 6
// and 7): aggregated over the fixed groupings and cohorts, after the
// outcome package's disclosure control. The report service decides who may
// read it (a lead, for the teams they lead; anyone else 404) and audits
// each read. This file also owns the report's JSON shape, which the web
// page's JSON export writes too, and the projection of a figure onto what
// may be shown of it, which the page and its CSV read: so the page, the CSV,
// the JSON export and the API show the same figures, suppressed alike.

func reportsOn(h *Handler) bool { return h.opt.Reports != nil }

// OutcomeTexts words catalogue messages in one language (i18n.Printer).
type OutcomeTexts interface {
	T(id string, args ...any) string
}

// ScopeTotal is the scope key of the total over the report's teams (the
// whole service for a lead of every team); a team's key is its id.
const ScopeTotal = "total"

// OutcomesJSON is the outcomes report as the API and the JSON export give
// it. Its shape is stable: fields are only ever added.
type OutcomesJSON struct {
	// Cohort is the report's period: "2026" or "2026-Q3", the episodes of
	// care that ended in it; From and To its first and last day.
	Cohort string `json:"cohort"`
	From   string `json:"from"`
	To     string `json:"to"`
	// Note is the fixed observational note every report carries.
	Note     string              `json:"note"`
	Settings OutcomeSettingsJSON `json:"settings"`
	// Modalities are the modality columns, in the service's order: every
	// row has one cell per modality, then the cell of all modalities.
	Modalities []string           `json:"modalities"`
	Scopes     []OutcomeScopeJSON `json:"scopes"`
}

// OutcomeSettingsJSON are the choices the figures depend on.
type OutcomeSettingsJSON struct {
	// SuppressBelow: counts from 1 to SuppressBelow-1 are shown as "fewer
	// than SuppressBelow", never as the number.
	SuppressBelow int `json:"suppress_below"`
	// CountsOnlyBelow: a grouping with fewer people shows counts only.
	CountsOnlyBelow int     `json:"counts_only_below"`
	PeriodDays      int     `json:"period_days"`
	MinCoverage     float64 `json:"min_coverage"`
	Resamples       int     `json:"resamples"`
	Seed            uint64  `json:"seed"`
}

// OutcomeScopeJSON is one grouping: the total first, then each team.
type OutcomeScopeJSON struct {
	Scope        string           `json:"scope"` // "total" or the team's id
	Team         *string          `json:"team"`  // the team's id; null for the total
	Name         string           `json:"name"`
	WholeService bool             `json:"whole_service"`
	Rows         []OutcomeRowJSON `json:"rows"`
}

// OutcomeComparisonJSON is a change from one period to a later one.
type OutcomeComparisonJSON struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// OutcomeRowJSON is one measure (for one period, comparison or part)
// across the modality columns.
type OutcomeRowJSON struct {
	Measure      string `json:"measure"`
	MeasureLabel string `json:"measure_label"`
	// Detail says which period, comparison, instrument or part the row is
	// ("" when the measure has one row); Label is the whole row's name.
	Detail     string                 `json:"detail"`
	Label      string                 `json:"label"`
	Period     *string                `json:"period"`
	Comparison *OutcomeComparisonJSON `json:"comparison"`
	Instrument *string                `json:"instrument"`
	Rule       *string                `json:"rule"`
	Part       *string                `json:"part"`
	Cells      []OutcomeCellJSON      `json:"cells"`
}

// OutcomeCellJSON is one figure after disclosure control: a field is null
// whenever it may not be shown. A suppressed cell carries only its text
// ("fewer than 5"); a counts-only cell only its people and count; shares
// and values only when the state is "shown".
type OutcomeCellJSON struct {
	Modality *string `json:"modality"` // null for all modalities
	Kind     string  `json:"kind"`
	State    string  `json:"state"`
	// Text words a figure that is not a number: "fewer than 5", "counts
	// only", "cannot be estimated", "no data"; null when shown.
	Text   *string `json:"text"`
	People *int    `json:"people"`
	Count  *int    `json:"count"`
	// Share is count / people (0 to 1), for counts; Value the rate per
	// week, mean, median, ratio, share of days (0 to 1) or median days,
	// with Low and High its interval where it has one.
	Share        *float64 `json:"share"`
	Value        *float64 `json:"value"`
	Low          *float64 `json:"low"`
	High         *float64 `json:"high"`
	ObservedDays *int     `json:"observed_days"`
	Days         *int     `json:"days"`
}

// OutcomesOut is the report in its JSON shape, worded by t. scope chooses
// one grouping ("total" or a team's id); "" keeps them all. An unknown
// scope is ENOTFOUND.
func OutcomesOut(rep outcome.Report, t OutcomeTexts, scope string) (OutcomesJSON, error) {
	st := rep.Settings
	out := OutcomesJSON{Cohort: rep.Cohort.String(), From: rep.Cohort.From().Format(civilLayout), To: rep.Cohort.To().Format(civilLayout),
		Note: OutcomeNote(rep, t),
		Settings: OutcomeSettingsJSON{SuppressBelow: st.Suppress, CountsOnlyBelow: st.CountsOnly, PeriodDays: st.BaselineDays,
			MinCoverage: st.MinCoverage, Resamples: st.Resamples, Seed: st.Seed},
		Modalities: []string{}, Scopes: []OutcomeScopeJSON{}}
	for _, c := range rep.Columns {
		if c != "" {
			out.Modalities = append(out.Modalities, c)
		}
	}
	found := scope == ""
	for _, sc := range rep.Scopes {
		key := ScopeKey(sc)
		if scope != "" && key != scope {
			continue
		}
		found = true
		js := OutcomeScopeJSON{Scope: key, Name: ScopeName(sc, t), WholeService: sc.Whole, Rows: []OutcomeRowJSON{}}
		if sc.Team != "" {
			js.Team = ptr(sc.Team)
		}
		for _, row := range sc.Rows {
			js.Rows = append(js.Rows, outcomeRowOut(rep, row, t))
		}
		out.Scopes = append(out.Scopes, js)
	}
	if !found {
		return OutcomesJSON{}, tend.Errorf(tend.ENOTFOUND, "There is no such grouping in this report.")
	}
	return out, nil
}

func outcomeRowOut(rep outcome.Report, row outcome.Row, t OutcomeTexts) OutcomeRowJSON {
	measure, detail := OutcomeRowLabels(row, t)
	label := measure
	if detail != "" {
		label = t.T("reports.row_label", measure, detail)
	}
	js := OutcomeRowJSON{Measure: string(row.Measure), MeasureLabel: measure, Detail: detail, Label: label, Cells: []OutcomeCellJSON{}}
	if row.Period != "" {
		js.Period = ptr(string(row.Period))
	}
	if row.Comparison.From != "" || row.Comparison.To != "" {
		js.Comparison = &OutcomeComparisonJSON{From: string(row.Comparison.From), To: string(row.Comparison.To)}
	}
	if row.Instrument != "" {
		js.Instrument = ptr(row.Instrument)
	}
	if row.Rule != "" {
		js.Rule = ptr(row.Rule)
	}
	if row.Part != "" {
		js.Part = ptr(string(row.Part))
	}
	for i, f := range row.Cells {
		modality := ""
		if i < len(rep.Columns) {
			modality = rep.Columns[i]
		}
		js.Cells = append(js.Cells, OutcomeCellOut(f, modality, rep.Settings, t))
	}
	return js
}

// OutcomeCellOut is what may be shown of figure f of the modality column
// ("" for all modalities), under the report's settings: the one place that
// reads a figure's state, for the API, the exports and the page alike.
func OutcomeCellOut(f outcome.Figure, modality string, st outcome.Settings, t OutcomeTexts) OutcomeCellJSON {
	c := OutcomeCellJSON{Kind: string(f.Kind), State: string(f.State)}
	if modality != "" {
		c.Modality = ptr(modality)
	}
	coverage := func() {
		if f.Days > 0 {
			c.ObservedDays, c.Days = ptr(f.Observed), ptr(f.Days)
		}
	}
	switch f.State {
	case outcome.Shown:
		c.People = ptr(f.N)
		switch f.Kind {
		case outcome.KindCount:
			c.Count = ptr(f.Count)
			if f.N > 0 {
				c.Share = num(f.Share)
			}
		case outcome.KindMedian, outcome.KindRatio, outcome.KindDays:
			c.Value, c.Low, c.High = num(f.Value), num(f.Low), num(f.High)
		default:
			c.Value = num(f.Value)
		}
		coverage()
	case outcome.CountsOnly:
		// Counts only: no rate, ratio or percentage (outcomes.md section 6).
		c.People = ptr(f.N)
		if f.Kind == outcome.KindCount {
			c.Count = ptr(f.Count)
		}
		c.Text = ptr(t.T("outcome.counts_only"))
	case outcome.NotEstimable:
		c.People = ptr(f.N)
		coverage()
		c.Text = ptr(t.T("outcome.not_estimable"))
	case outcome.NoData:
		c.People = ptr(0)
		c.Text = ptr(t.T("outcome.no_data"))
	default:
		// Suppressed, and any state this code does not know: nothing but
		// the words, never a number.
		c.State = string(outcome.Suppressed)
		c.Text = ptr(t.T("outcome.fewer_than", suppressBelow(st)))
	}
	return c
}

// suppressBelow is the report's suppression threshold.
func suppressBelow(st outcome.Settings) int {
	if st.Suppress > 0 {
		return st.Suppress
	}
	return outcome.Defaults.Suppress
}

// OutcomeRowLabels names a row: its measure, and which instrument (with
// its rule), period or comparison, and part of it the row is ("" when
// none).
func OutcomeRowLabels(row outcome.Row, t OutcomeTexts) (measure, detail string) {
	measure = t.T("outcome.measure." + string(row.Measure))
	var parts []string
	if row.Instrument != "" {
		parts = append(parts, row.Instrument)
	}
	if row.Rule != "" {
		parts = append(parts, t.T("outcome.rule", row.Rule))
	}
	switch {
	case row.Comparison.From != "" && row.Comparison.To != "":
		parts = append(parts, t.T("outcome.comparison."+string(row.Comparison.To)))
	case row.Period != "":
		parts = append(parts, periodLabel(row.Period, t))
	}
	if row.Part != "" {
		parts = append(parts, t.T("outcome.part."+string(row.Part)))
	}
	for i, p := range parts {
		if i == 0 {
			detail = p
			continue
		}
		detail = t.T("reports.detail_join", detail, p)
	}
	return measure, detail
}

func periodLabel(p outcome.Period, t OutcomeTexts) string {
	return t.T("outcome.period." + string(p))
}

// ScopeKey is a grouping's key: "total", or the team's id.
func ScopeKey(sc outcome.Scope) string {
	if sc.Team == "" {
		return ScopeTotal
	}
	return sc.Team
}

// ScopeName names a grouping: the team, the whole service, or the
// reader's teams together.
func ScopeName(sc outcome.Scope, t OutcomeTexts) string {
	switch {
	case sc.Team != "":
		return sc.Name
	case sc.Whole:
		return t.T("outcome.whole_service")
	}
	return t.T("outcome.teams_together")
}

// OutcomeNote is the fixed observational note, in the catalogue's
// language when it has it.
func OutcomeNote(rep outcome.Report, t OutcomeTexts) string {
	if s := t.T("outcome.note"); s != "outcome.note" {
		return s
	}
	if rep.Note != "" {
		return rep.Note
	}
	return outcome.Note
}

// ChooseCohort returns the cohort param names ("2026" or "2026-Q3"), or the
// newest of the reader's cohorts when it is empty. A cohort the reader has
// no report for is ENOTFOUND; one that is no cohort at all EINVALID.
func ChooseCohort(cohorts []outcome.Cohort, param string) (outcome.Cohort, error) {
	sorted := SortCohorts(cohorts)
	if param == "" {
		if len(sorted) == 0 {
			return outcome.Cohort{}, tend.Errorf(tend.ENOTFOUND, "No episode of care has ended yet, so there is no report.")
		}
		return sorted[0], nil
	}
	c, ok := outcome.ParseCohort(param)
	if !ok {
		return outcome.Cohort{}, tend.Errorf(tend.EINVALID, "Give the cohort as a year (2026) or a quarter (2026-Q3).")
	}
	if !slices.Contains(sorted, c) {
		return outcome.Cohort{}, tend.Errorf(tend.ENOTFOUND, "There is no report for %s.", c.String())
	}
	return c, nil
}

// SortCohorts returns the cohorts newest first: each year, then its
// quarters from the latest.
func SortCohorts(cohorts []outcome.Cohort) []outcome.Cohort {
	out := slices.Clone(cohorts)
	slices.SortFunc(out, func(a, b outcome.Cohort) int {
		if a.Year != b.Year {
			return b.Year - a.Year
		}
		qa, qb := a.Quarter, b.Quarter
		if qa == 0 {
			qa = 5
		}
		if qb == 0 {
			qb = 5
		}
		return qb - qa
	})
	return slices.Compact(out)
}

// outcomesReport is the aggregated, suppressed outcomes report of one
// cohort (the newest by default), for the teams the caller leads.
func (h *Handler) outcomesReport(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	ctx := r.Context()
	cohorts, err := h.opt.Reports.Cohorts(ctx, a)
	if err != nil {
		return err
	}
	c, err := ChooseCohort(cohorts, r.URL.Query().Get("cohort"))
	if err != nil {
		return err
	}
	rep, err := h.opt.Reports.Outcomes(ctx, a, c)
	if err != nil {
		return err
	}
	out, err := OutcomesOut(rep, h.reportTexts(), r.URL.Query().Get("scope"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, out)
}

// reportTexts words the report in the service's language: the catalogue
// the skills library is worded from, or the source language.
func (h *Handler) reportTexts() OutcomeTexts {
	if h.opt.SkillTexts != nil {
		return h.opt.SkillTexts()
	}
	return sourceTexts()
}

var sourceTexts = sync.OnceValue(func() OutcomeTexts {
	cat, err := i18n.New()
	if err != nil {
		// The catalogue is embedded and checked by every test run.
		panic(err)
	}
	return cat.Printer(i18n.Source)
})

func ptr[T any](v T) *T { return &v }

// num is v with four decimals (enough for every figure, without the noise
// of binary fractions), or nil when v is no number.
func num(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return ptr(math.Round(v*1e4) / 1e4)
}
