package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/measure"
)

// The person's questionnaires (issue 7; clinical/instruments.md): what is
// waiting, one questionnaire on one screen, and their scores. Every item is
// a radio group with no required answer: PHQ-9 item 9 is never forced, and
// a questionnaire with an item left out is simply incomplete (Tend never
// imputes). A save may be a draft ("Save and finish later") or finished;
// safety prompts are evaluated on every save (safety-rules.md section 4),
// and the person then sees the diary's safety screen. Questionnaires need a
// connection (DESIGN.md, offline): no offline queue.

// The form's field names: "q:<link id>" for each item, "finish" from the
// button pressed.
const (
	questionField  = "q:"
	finishField    = "finish"
	questionDueDay = "Monday 2 January"
	questionDate   = "2 January 2006"
)

// withMeasures answers "not found" when the server runs without the
// questionnaire or follow-up service (tests of other areas).
func (s *Server) withMeasures(fn func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.opt.Measures == nil || s.opt.FollowUp == nil {
			return tend.ErrNotFound
		}
		return fn(w, r)
	}
}

// dueView is a waiting questionnaire as a list shows it.
type dueView struct {
	ID      tend.ID
	Short   string // "PHQ-9"
	Title   string
	When    string // "due today"
	Started bool   // a draft exists
}

// waitingQuestionnaires lists what is waiting for the person (their home
// page and their questionnaires page); nothing without the service.
func (s *Server) waitingQuestionnaires(r *http.Request, a tend.Actor) ([]dueView, error) {
	if s.opt.Measures == nil {
		return nil, nil
	}
	due, err := s.opt.Measures.Waiting(r.Context(), a, a.ID)
	if err != nil {
		return nil, err
	}
	today, err := s.personToday(r)
	if err != nil {
		return nil, err
	}
	out := make([]dueView, 0, len(due))
	for _, d := range due {
		out = append(out, dueView{ID: d.Due.ID, Short: d.Instrument.Short, Title: d.Instrument.Title,
			When: s.dueWords(d.Due.On, today), Started: d.Response != nil})
	}
	return out, nil
}

// personToday is today's civil date in the person's zone.
func (s *Server) personToday(r *http.Request) (time.Time, error) {
	loc, err := s.personZone(r)
	if err != nil {
		return time.Time{}, err
	}
	y, m, d := s.opt.Clock.Now().In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
}

// dueWords says when a questionnaire is due, in words: "due today", "due
// since Monday 2 March".
func (s *Server) dueWords(on, today time.Time) string {
	p := s.printer()
	y, m, d := on.Date()
	on = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	switch {
	case on.Equal(today):
		return p.T("questionnaires.due_today")
	case on.Equal(today.AddDate(0, 0, 1)):
		return p.T("questionnaires.due_tomorrow")
	case on.Equal(today.AddDate(0, 0, -1)):
		return p.T("questionnaires.due_yesterday")
	case on.After(today):
		return p.T("questionnaires.due_on", on.Format(questionDueDay))
	}
	return p.T("questionnaires.due_since", on.Format(questionDueDay))
}

type questionnairesPage struct {
	Base
	Waiting []dueView
}

// questionnairesShow is what is waiting for the person, with a link to
// their scores.
func (s *Server) questionnairesShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	waiting, err := s.waitingQuestionnaires(r, a)
	if err != nil {
		return err
	}
	page := &questionnairesPage{Base: Base{Title: s.printer().T("questionnaires.title"), QuickExit: true}, Waiting: waiting}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "me_questionnaires", page)
}

// optionView is one answer an item offers.
type optionView struct {
	Value   int
	Label   string
	Checked bool
}

// itemView is one item of the questionnaire: a fieldset whose legend is
// the item's text.
type itemView struct {
	Field   string // the form field, "q:<link id>"
	Number  int
	Text    string
	Options []optionView
	Answer  string // the chosen answer's label (read-only pages)
}

type questionnairePage struct {
	Base
	DueID      tend.ID
	Instrument string // its title
	Stem       string
	When       string
	Items      []itemView
	Finished   string // when it was finished: the answers are read-only
	Notice     bool   // before the person's first questionnaire (safety-rules.md section 3)
	WhoReads   string
	NextRead   string
	NoRoute    bool
	Saved      bool
	Problem    string
}

// questionnaireShow is one due questionnaire on one screen: to answer, or,
// once finished, its answers.
func (s *Server) questionnaireShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	return s.questionnaireRender(w, r, a, id, http.StatusOK, nil, func(p *questionnairePage) { p.Saved = r.URL.Query().Get("saved") == "1" })
}

// questionnaireRender renders the form for due id; chosen, when not nil,
// are the answers to show checked instead of the saved ones (a refused
// save).
func (s *Server) questionnaireRender(w http.ResponseWriter, r *http.Request, a tend.Actor, id tend.ID, status int, chosen measure.Answers, more func(*questionnairePage)) error {
	ctx := r.Context()
	dv, err := s.opt.Measures.Form(ctx, a, a.ID, id)
	if err != nil {
		return err
	}
	p := s.printer()
	today, err := s.personToday(r)
	if err != nil {
		return err
	}
	in := dv.Instrument
	page := &questionnairePage{Base: Base{Title: in.Title, QuickExit: true}, DueID: id, Instrument: in.Title, Stem: in.Stem,
		When: s.dueWords(dv.Due.On, today)}
	answers := measure.Answers{}
	if dv.Response != nil {
		answers = dv.Response.Answers
		if dv.Response.Finished && dv.Response.FinishedAt != nil {
			loc, err := s.personZone(r)
			if err != nil {
				return err
			}
			page.Finished = p.T("questionnaires.finished_on", dv.Response.FinishedAt.In(loc).Format(questionDate))
		}
	}
	if chosen != nil && page.Finished == "" {
		answers = chosen
	}
	for i, it := range in.Items {
		v := itemView{Field: questionField + it.LinkID, Number: i + 1, Text: it.Text, Answer: p.T("questionnaires.not_answered")}
		cur, ok := answers[it.LinkID]
		for _, o := range it.Options {
			checked := ok && cur == o.Value
			v.Options = append(v.Options, optionView{Value: o.Value, Label: o.Label, Checked: checked})
			if checked {
				v.Answer = o.Label
			}
		}
		page.Items = append(page.Items, v)
	}
	if page.Finished == "" {
		if err := s.questionnaireNotice(r, a, page, dv); err != nil {
			return err
		}
	}
	if more != nil {
		more(page)
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, status, "me_questionnaire", page)
}

// questionnaireNotice fills in who reads the person's questionnaires and
// when (safety-rules.md section 3), and, before their first questionnaire
// (none finished, none started), the first-use notice.
func (s *Server) questionnaireNotice(r *http.Request, a tend.Actor, page *questionnairePage, dv measure.DueView) error {
	ctx := r.Context()
	var err error
	if page.WhoReads, err = s.areaReaders(r, a, access.AreaQuestionnaires); err != nil {
		return err
	}
	reach, err := s.opt.FollowUp.Preview(ctx, a, a.ID)
	if err != nil {
		return err
	}
	page.NoRoute = reach.Route == followup.RouteNone
	if !page.NoRoute {
		page.NextRead = s.nextRead(s.opt.Clock.Now())
	}
	if dv.Response != nil {
		return nil
	}
	series, err := s.opt.Measures.Scores(ctx, a, a.ID)
	if err != nil {
		return err
	}
	if len(series) > 0 {
		return nil
	}
	waiting, err := s.opt.Measures.Waiting(ctx, a, a.ID)
	if err != nil {
		return err
	}
	for _, w := range waiting {
		if w.Response != nil {
			return nil
		}
	}
	page.Notice = true
	return nil
}

// areaReaders says who reads an area of the person's record, and when,
// from their sharing as it stands now (safety-rules.md section 3).
func (s *Server) areaReaders(r *http.Request, a tend.Actor, area access.Area) (string, error) {
	p := s.printer()
	if s.opt.CareTeam == nil {
		return p.T("diary.who_only_you"), nil
	}
	team, err := s.opt.CareTeam.Team(r.Context(), a, a.ID)
	if err != nil {
		return "", err
	}
	var names []string
	for _, m := range team {
		if m.State == access.MemberActive && m.Grants[area].AtLeast(access.LevelSee) {
			names = append(names, p.T("diary.reader", m.StaffName, p.T("role."+string(m.Role))))
		}
	}
	if len(names) == 0 {
		return p.T("diary.who_only_you"), nil
	}
	return p.T("diary.who_readers", strings.Join(names, ", ")), nil
}

// questionnaireAnswers reads the form's answers: one "q:<link id>" field
// an item, none for an item left out.
func questionnaireAnswers(r *http.Request) (measure.Answers, bool) {
	answers := measure.Answers{}
	ok := true
	for k, vals := range r.PostForm {
		id, found := strings.CutPrefix(k, questionField)
		if !found || len(vals) == 0 || strings.TrimSpace(vals[0]) == "" {
			continue
		}
		v, err := strconv.Atoi(strings.TrimSpace(vals[0]))
		if err != nil {
			ok = false
			continue
		}
		answers[id] = v
	}
	return answers, ok
}

// questionnaireSave saves the answers as a draft or finished. An answer
// that proposes a safety prompt shows the safety screen at once, every
// time; otherwise a draft goes back to the form and a finished one to the
// scores. A refused save shows the form again with the person's choices.
func (s *Server) questionnaireSave(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	if err := r.ParseForm(); err != nil {
		return tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	answers, ok := questionnaireAnswers(r)
	finish := r.PostForm.Get(finishField) == "1"
	var saved measure.Saved
	if ok {
		saved, err = s.opt.Measures.Save(r.Context(), a, a.ID, id, answers, finish)
	} else {
		// Nothing is saved; the page says why, once it knows the due
		// questionnaire is the person's.
		if _, err := s.opt.Measures.Form(r.Context(), a, a.ID, id); err != nil {
			return err
		}
		err = tend.Errorf(tend.EINVALID, "%s", s.printer().T("questionnaires.not_a_number"))
	}
	if kind := tend.ErrorKind(err); err != nil && (kind == tend.EINVALID || kind == tend.ECONFLICT) {
		status := http.StatusBadRequest
		if kind == tend.ECONFLICT {
			status = http.StatusConflict
		}
		problem := tend.ErrorMessage(err)
		return s.questionnaireRender(w, r, a, id, status, answers, func(p *questionnairePage) {
			p.Problem, p.Notice = problem, false
		})
	}
	if err != nil {
		return err
	}
	if saved.Prompted {
		// The prompt's own outcome says who will see it; an instrument
		// whose prompts the service turned off sends nothing.
		out := followup.Outcome{Response: followup.ResponseNone, Route: followup.RouteNone}
		if len(saved.Prompts) > 0 {
			out = saved.Prompts[0]
		}
		return s.safetyScreen(w, r, a, out, nil)
	}
	to := "/me/questionnaires/" + string(id) + "?saved=1"
	if finish {
		to = "/me/questionnaires/scores?thanks=1"
	}
	http.Redirect(w, r, to, http.StatusSeeOther) // #nosec G710 -- a local path; id is a parsed UUID.
	return nil
}

// scoreView is one instrument's scores on the person's page.
type scoreView struct {
	Chart     scoreChartView
	Direction string // what a score means, in plain words
	Change    string // kind words about the change, or ""
}

type scoresPage struct {
	Base
	Thanks bool
	Scores []scoreView
}

// questionnaireScores is the person's scores: a chart and a table for
// each instrument, and kind words about the change (safety-rules.md
// section 6): never a reliable-change label or a threshold.
func (s *Server) questionnaireScores(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	series, err := s.opt.Measures.Scores(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	p := s.printer()
	page := &scoresPage{Base: Base{Title: p.T("questionnaires.scores_title"), QuickExit: true}, Thanks: r.URL.Query().Get("thanks") == "1"}
	who := ""
	for i, se := range series {
		v := scoreView{Chart: scoreChart(p, se.Instrument, se.Points, "scores-"+strconv.Itoa(i)),
			Direction: p.T("questionnaires.direction." + string(se.Instrument.Scoring.Direction))}
		totals := se.Totals()
		switch {
		case len(totals) == 1:
			v.Change = p.T("questionnaires.first_score")
		case len(totals) > 1:
			if who == "" {
				if who, err = s.talkWith(r, a); err != nil {
					return err
				}
			}
			v.Change = changeWords(p.T, se.Instrument, totals[0], totals[len(totals)-1], who)
		}
		page.Scores = append(page.Scores, v)
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "me_questionnaire_scores", page)
}

// changeWords words the change from the first total to the latest, by the
// instrument's direction, kindly: up or down, and when a rise means more
// difficulty, that it is worth talking about.
func changeWords(t func(string, ...any) string, in measure.Instrument, first, last measure.Point, who string) string {
	from, to := *first.Response.Score.Total, *last.Response.Score.Total
	since := first.On.Format(questionDate)
	worseUp := in.Scoring.Direction != measure.HigherIsBetter
	switch {
	case in.FormatScore(from) == in.FormatScore(to):
		return t("questionnaires.change.same", since)
	case to > from && worseUp:
		return t("questionnaires.change.up_more", since, who)
	case to > from:
		return t("questionnaires.change.up_better", since, who)
	case worseUp:
		return t("questionnaires.change.down_fewer", since, who)
	}
	return t("questionnaires.change.down_more", since, who)
}

// talkWith names whom the person might talk with about their scores: their
// therapist, or their care team.
func (s *Server) talkWith(r *http.Request, a tend.Actor) (string, error) {
	fallback := s.printer().T("questionnaires.your_care_team")
	if s.opt.CareTeam == nil {
		return fallback, nil
	}
	team, err := s.opt.CareTeam.Team(r.Context(), a, a.ID)
	if err != nil {
		return "", err
	}
	for _, m := range team {
		if m.State == access.MemberActive && m.Role == tend.CareTherapist && m.StaffName != "" {
			return m.StaffName, nil
		}
	}
	return fallback, nil
}
