package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/measure"
)

// A care-team member's questionnaires page for a person (issue 7, items 2
// and 3): assigning an instrument once or on a schedule, the assignments
// with their schedules in words, and per instrument the chart of the
// totals with its bands and clinical threshold, every finished response,
// and the reliable change from the first total to the latest, named by
// its rule (outcomes.md section 3). The measure service decides who may
// see and assign (the staff the person shares their questionnaires with)
// and audits each read. The reliable-change words are for clinicians
// only; no page ever shows a risk word.

// withMeasureStaff answers "not found" when the server runs without the
// measure service (tests of other areas), rather than failing on nil.
func (s *Server) withMeasureStaff(fn func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.opt.Measures == nil {
			return tend.ErrNotFound
		}
		return fn(w, r)
	}
}

type qInstrumentChoice struct {
	ID, Label string
}

type qScheduleChoice struct {
	Value, Label string
	Weeks        bool // the choice takes a number of weeks
}

type qAssignmentRow struct {
	ID         tend.ID
	Instrument string
	Schedule   string
	Since      string
	Ended      string // "" while it still falls due
}

type qResponseRow struct {
	Date, Total, Band, Above string
	Incomplete               bool
	Href                     string
}

type qSeries struct {
	Chart     scoreChartView
	Heading   string
	Version   string
	Threshold string
	Rows      []qResponseRow
	// Change words the change from the first total to the latest and its
	// judgement; Rule names the rule it was judged by. NoChange says why
	// there is none.
	Change, Rule, NoChange string
}

type clinicQuestionnairesPage struct {
	Base
	PersonID    tend.ID
	Username    string
	Instruments []qInstrumentChoice
	Schedules   []qScheduleChoice
	Form        struct{ Instrument, Schedule, Weeks string }
	Assignments []qAssignmentRow
	Series      []qSeries
	Problem     string
	Done        string
	MaxWeeks    int
}

const qDateLayout = "2 January 2006"

// clinicQuestionnairesShow is the person's questionnaires page.
func (s *Server) clinicQuestionnairesShow(w http.ResponseWriter, r *http.Request) error {
	a, id, err := staffPerson(r)
	if err != nil {
		return err
	}
	page, err := s.clinicQuestionnairesPage(r, a, id)
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("done") {
	case "assigned":
		page.Done = page.T("questionnaires_clinic.assigned")
	case "ended":
		page.Done = page.T("questionnaires_clinic.ended")
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "clinic_questionnaires", page)
}

// clinicQuestionnairesPage reads the person's assignments and scores
// (each read audited by the service) and the instruments to assign.
func (s *Server) clinicQuestionnairesPage(r *http.Request, a tend.Actor, id tend.ID) (*clinicQuestionnairesPage, error) {
	ctx := r.Context()
	assigned, err := s.opt.Measures.Assignments(ctx, a, id)
	if err != nil {
		return nil, err
	}
	series, err := s.opt.Measures.Scores(ctx, a, id)
	if err != nil {
		return nil, err
	}
	avail, err := s.opt.Measures.Instruments(ctx, a)
	if err != nil {
		return nil, err
	}
	v, err := s.opt.CareTeam.Person(ctx, a, id)
	if err != nil {
		return nil, err
	}
	p := s.printer()
	page := &clinicQuestionnairesPage{Base: Base{Title: p.T("questionnaires_clinic.title", v.Username), p: p}, PersonID: id, Username: v.Username, MaxWeeks: measure.MaxEveryWeeks}
	page.Form.Schedule = string(measure.ScheduleOnce)
	for _, av := range avail {
		if av.Retired() {
			continue
		}
		page.Instruments = append(page.Instruments, qInstrumentChoice{ID: av.Instrument.ID, Label: instrumentLabel(p, av.Instrument)})
	}
	for _, k := range measure.ScheduleKinds {
		page.Schedules = append(page.Schedules, qScheduleChoice{Value: string(k), Label: p.T("questionnaires_clinic.schedule." + string(k)),
			Weeks: k == measure.ScheduleEveryWeeks})
	}
	for _, as := range assigned {
		row := qAssignmentRow{ID: as.Assignment.ID, Instrument: instrumentLabel(p, as.Instrument),
			Schedule: scheduleWords(p, as.Assignment.Schedule), Since: as.Assignment.StartsOn.Format(qDateLayout)}
		if as.Assignment.EndedAt != nil {
			row.Ended = as.Assignment.EndedAt.Format(qDateLayout)
		}
		page.Assignments = append(page.Assignments, row)
	}
	for i, se := range series {
		page.Series = append(page.Series, qSeriesView(p, id, se, i))
	}
	return page, nil
}

// instrumentLabel names an instrument with its version and language:
// "PHQ-9: Patient Health Questionnaire-9 (version 1, en)".
func instrumentLabel(p *i18n.Printer, in measure.Instrument) string {
	if strings.Contains(in.Title, in.Short) { // "Patient Health Questionnaire (PHQ-9)"
		return p.T("questionnaires_clinic.instrument_label_title", in.Title, in.Version, in.Language)
	}
	return p.T("questionnaires_clinic.instrument_label", in.Short, in.Title, in.Version, in.Language)
}

// scheduleWords says when an assignment falls due.
func scheduleWords(p *i18n.Printer, sc measure.Schedule) string {
	if sc.Kind == measure.ScheduleEveryWeeks {
		return p.T("questionnaires_clinic.every_weeks", sc.EveryWeeks)
	}
	return p.T("questionnaires_clinic.schedule." + string(sc.Kind))
}

// thresholdWords says where the clinical threshold lies, and which way.
func thresholdWords(p *i18n.Printer, in measure.Instrument) string {
	t := in.Scoring.Threshold
	if t == nil {
		return ""
	}
	if in.Scoring.Direction == measure.HigherIsBetter {
		return p.T("questionnaires_clinic.threshold_below", in.FormatScore(*t))
	}
	return p.T("questionnaires_clinic.threshold_above", in.FormatScore(*t))
}

// ruleWords names the reliable-change rule of an instrument, with the
// index when the rule is Jacobson-Truax (c non-nil): the same words as the
// outcome reports (measure.Instrument.RuleWords).
func ruleWords(p *i18n.Printer, in measure.Instrument, c *measure.Change) string {
	return in.RuleWords(p, c)
}

// seriesView is one instrument's chart, table and reliable change.
func qSeriesView(p *i18n.Printer, personID tend.ID, se measure.Series, i int) qSeries {
	in := se.Instrument
	v := qSeries{Heading: instrumentLabel(p, in), Threshold: thresholdWords(p, in),
		Chart: scoreChart(p, in, se.Points, "q-chart-"+strconv.Itoa(i))}
	if t := in.Scoring.Threshold; t != nil {
		v.Chart.Lines = append(v.Chart.Lines, v.Chart.scoreLine(*t, p.T("questionnaires_clinic.threshold_line", in.FormatScore(*t)), "threshold"))
	}
	dash := p.T("questionnaires_clinic.dash")
	for _, pt := range se.Points {
		sc := pt.Response.Score
		row := qResponseRow{Date: pt.On.Format(qDateLayout), Band: dash, Above: dash,
			Href: "/clinic/people/" + string(personID) + "/questionnaires/responses/" + string(pt.Response.ID)}
		if sc.Complete() {
			row.Total = in.FormatScore(*sc.Total)
			if sc.Band != "" {
				row.Band = sc.Band
			}
			if in.Scoring.Threshold != nil {
				row.Above = qYesNo(p, sc.AboveThreshold)
			}
		} else {
			row.Total, row.Incomplete = p.T("questionnaires_clinic.incomplete", sc.Answered, sc.Scored), true
		}
		v.Rows = append(v.Rows, row)
	}
	totals := se.Totals()
	switch {
	case in.Scoring.Change == nil:
		v.NoChange = p.T("questionnaires_clinic.no_rule")
	case se.Change == nil || len(totals) < 2:
		v.NoChange = p.T("questionnaires_clinic.change_needs_two")
		v.Rule = ruleWords(p, in, nil)
	default:
		c := se.Change
		v.Change = p.T("questionnaires_clinic.change", in.FormatScore(c.From), totals[0].On.Format(qDateLayout),
			in.FormatScore(c.To), totals[len(totals)-1].On.Format(qDateLayout), p.T("questionnaires_clinic.judgement."+string(c.Judgement)))
		v.Rule = ruleWords(p, in, c)
	}
	return v
}

func qYesNo(p *i18n.Printer, b bool) string {
	if b {
		return p.T("questionnaires_clinic.yes")
	}
	return p.T("questionnaires_clinic.no")
}

// clinicQuestionnaireAssign assigns an instrument to the person. A form
// the service refuses is shown again with its problem (400).
func (s *Server) clinicQuestionnaireAssign(w http.ResponseWriter, r *http.Request) error {
	a, id, err := staffPerson(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Wrap(tend.EINVALID, err, "That form could not be read.")
	}
	f := r.PostForm
	sc := measure.Schedule{Kind: measure.ScheduleKind(f.Get("schedule"))}
	weeks := strings.TrimSpace(f.Get("weeks"))
	var problem string
	if sc.Kind == measure.ScheduleEveryWeeks {
		n, err := strconv.Atoi(weeks)
		if err != nil {
			problem = s.printer().T("questionnaires_clinic.weeks_problem", measure.MaxEveryWeeks)
		}
		sc.EveryWeeks = n
	}
	if problem == "" {
		_, err = s.opt.Measures.Assign(r.Context(), a, id, measure.NewAssignment{InstrumentID: f.Get("instrument"), Schedule: sc})
		if err == nil {
			http.Redirect(w, r, "/clinic/people/"+string(id)+"/questionnaires?done=assigned", http.StatusSeeOther) // #nosec G710 -- a local path with a parsed id.
			return nil
		}
		if tend.ErrorKind(err) != tend.EINVALID {
			return err
		}
		problem = tend.ErrorMessage(err)
	}
	page, err := s.clinicQuestionnairesPage(r, a, id)
	if err != nil {
		return err
	}
	page.Problem = problem
	page.Form.Instrument, page.Form.Schedule, page.Form.Weeks = f.Get("instrument"), f.Get("schedule"), weeks
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusBadRequest, "clinic_questionnaires", page)
}

// clinicQuestionnaireEnd stops an assignment falling due; the answers
// given stay.
func (s *Server) clinicQuestionnaireEnd(w http.ResponseWriter, r *http.Request) error {
	a, id, err := staffPerson(r)
	if err != nil {
		return err
	}
	aid := tend.ID(r.PathValue("assignment")) // the service checks access first, then finds it (or not)
	if err := s.opt.Measures.EndAssignment(r.Context(), a, id, aid); err != nil {
		return err
	}
	http.Redirect(w, r, "/clinic/people/"+string(id)+"/questionnaires?done=ended", http.StatusSeeOther) // #nosec G710 -- a local path with a parsed id.
	return nil
}

type qAnswerRow struct {
	Number, Text string
	Answer       string // the chosen label and value; "" when not answered
	Scored       bool
}

type clinicQuestionnaireResponsePage struct {
	Base
	PersonID   tend.ID
	Username   string
	Heading    string
	Version    string
	Stem       string
	When       string
	Finished   bool
	Total      string
	Incomplete bool
	Band       string
	Above      string
	Threshold  string
	Answers    []qAnswerRow
}

// clinicQuestionnaireResponseShow is one response: every item with the
// answer chosen, or "not answered" (never a 0), and its score.
func (s *Server) clinicQuestionnaireResponseShow(w http.ResponseWriter, r *http.Request) error {
	a, id, err := staffPerson(r)
	if err != nil {
		return err
	}
	rid := tend.ID(r.PathValue("response")) // the service checks access first, then finds it (or not)
	resp, in, err := s.opt.Measures.Response(r.Context(), a, id, rid)
	if err != nil {
		return err
	}
	v, err := s.opt.CareTeam.Person(r.Context(), a, id)
	if err != nil {
		return err
	}
	p := s.printer()
	page := &clinicQuestionnaireResponsePage{Base: Base{Title: p.T("questionnaires_clinic.response_title", in.Short, v.Username), p: p},
		PersonID: id, Username: v.Username, Heading: instrumentLabel(p, in), Version: resp.Version, Stem: in.Stem,
		Finished: resp.Finished, Threshold: thresholdWords(p, in), Band: p.T("questionnaires_clinic.dash"), Above: p.T("questionnaires_clinic.dash")}
	when := resp.UpdatedAt
	if resp.FinishedAt != nil {
		when = *resp.FinishedAt
	}
	page.When = when.Format(qDateLayout)
	sc := resp.Score
	if sc.Complete() {
		page.Total = in.FormatScore(*sc.Total)
		if sc.Band != "" {
			page.Band = sc.Band
		}
		if in.Scoring.Threshold != nil {
			page.Above = qYesNo(p, sc.AboveThreshold)
		}
	} else {
		page.Total, page.Incomplete = p.T("questionnaires_clinic.incomplete", sc.Answered, sc.Scored), true
	}
	for i, it := range in.Items {
		row := qAnswerRow{Number: strconv.Itoa(i + 1), Text: it.Text, Scored: in.Scored(it.LinkID)}
		if val, ok := resp.Answers[it.LinkID]; ok {
			label := strconv.Itoa(val)
			if o, ok := it.Option(val); ok {
				label = o.Label
			}
			row.Answer = p.T("questionnaires_clinic.answer", label, val)
		}
		page.Answers = append(page.Answers, row)
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "clinic_questionnaire_response", page)
}

// questionnairesClinicMessageIDs lists the message ids these pages build
// from data, so start-up fails when one is missing.
func questionnairesClinicMessageIDs() []string {
	ids := []string{"questionnaires_clinic.title", "questionnaires_clinic.assigned", "questionnaires_clinic.ended",
		"questionnaires_clinic.instrument_label", "questionnaires_clinic.instrument_label_title", "questionnaires_clinic.every_weeks", "questionnaires_clinic.threshold_above",
		"questionnaires_clinic.threshold_below", "questionnaires_clinic.threshold_line", "questionnaires_clinic.rule_points",
		"questionnaires_clinic.rule_points_source", "questionnaires_clinic.rule_jt", "questionnaires_clinic.rule_jt_plain",
		"questionnaires_clinic.rule_source", "questionnaires_clinic.dash", "questionnaires_clinic.incomplete",
		"questionnaires_clinic.no_rule", "questionnaires_clinic.change_needs_two", "questionnaires_clinic.change",
		"questionnaires_clinic.yes", "questionnaires_clinic.no", "questionnaires_clinic.weeks_problem",
		"questionnaires_clinic.response_title", "questionnaires_clinic.answer",
		"instruments_admin.title", "instruments_admin.imported", "instruments_admin.retired_done", "instruments_admin.prompts_on_done",
		"instruments_admin.prompts_off_done", "instruments_admin.too_large", "instruments_admin.unreadable", "instruments_admin.nothing",
		"instruments_admin.rights_needed"}
	for _, k := range measure.ScheduleKinds {
		ids = append(ids, "questionnaires_clinic.schedule."+string(k))
	}
	for _, j := range []measure.Judgement{measure.ReliablyImproved, measure.NoReliableChange, measure.ReliablyWorse} {
		ids = append(ids, "questionnaires_clinic.judgement."+string(j))
	}
	return ids
}
