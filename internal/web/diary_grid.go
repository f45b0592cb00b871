package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/skills"
)

// The clinician's weekly grid of a person's diary card
// (clinical/diary-card.md "The weekly grid"): seven real-dated days by the
// rows of the card in the order of the DBT target hierarchy, actions
// marked clearly but calmly, the skills of each day by module, the dated
// notes under the grid, and a print view for A4 landscape.

// withDiaryGrid answers "not found" when the server runs without the
// diary service (tests of other areas), rather than failing on nil.
func (s *Server) withDiaryGrid(fn func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.opt.Diary == nil {
			return tend.ErrNotFound
		}
		return fn(w, r)
	}
}

// diaryUnshared makes a refusal of the diary answer "not found": for a
// member of staff the person does not share their diary with, the grid is
// not there at all (issue 6, "Done when").
func diaryUnshared(err error) error {
	if tend.ErrorKind(err) == tend.EFORBIDDEN {
		return tend.ErrNotFound
	}
	return err
}

// gridCell is one day of one row. Mark: an action was done that day (a
// neutral symbol before the words, never a colour or a block).
type gridCell struct {
	Text string
	Mark bool
	None bool // the card has no answer here
}

type gridRow struct {
	Label string
	// Kind is the row's fixed kind, shown under a label the person or
	// clinician chose.
	Kind   string
	Action bool
	Cells  []gridCell
}

type gridGroup struct {
	Heading string
	Rows    []gridRow
}

type gridModule struct {
	Module string
	Skills []string
}

type gridChain struct{ Label, Href string }

type gridDay struct {
	Date    string // YYYY-MM-DD
	Heading string // "Mon 23 Nov"
	// Future: the day has not happened yet (or came before the person
	// joined), nothing is shown. Missing: it has, and there is no card
	// ("not filled in", nothing more).
	Future, Missing bool
	// When says when the card was filled in (the same day, later, in
	// session).
	When    string
	Flagged bool
	FlagBy  string
	Skills  []gridModule
	Chains  []gridChain
	Note    string
}

type diaryGridPage struct {
	Base
	PersonID  tend.ID
	Username  string
	WeekLabel string
	Week      string // the Monday shown
	Prev      string
	Next      string
	ThisWeek  string
	Days      []gridDay
	Groups    []gridGroup
	Notes     []gridDay // the days with a note
	Print     bool
	MayEdit   bool // the person lets the viewer change their card
	Problem   string
	Done      string
	// SkillsKey lists the skills-used codes with their exact labels.
	SkillsKey []string
}

// gridWeek reads the week asked for (any day in it), or this week.
func gridWeek(r *http.Request, loc *time.Location, now time.Time) (time.Time, error) {
	if v := strings.TrimSpace(r.URL.Query().Get("week")); v != "" {
		return diary.ParseDay(v)
	}
	return diary.Today(now, loc), nil
}

// clinicDiaryShow is the weekly grid: only while the person shares their
// diary with the viewer; each read audited by the service.
func (s *Server) clinicDiaryShow(w http.ResponseWriter, r *http.Request) error {
	return s.clinicDiaryGrid(w, r, false)
}

// clinicDiaryPrint is the grid laid out for A4 landscape, without the
// week's navigation and forms.
func (s *Server) clinicDiaryPrint(w http.ResponseWriter, r *http.Request) error {
	return s.clinicDiaryGrid(w, r, true)
}

func (s *Server) clinicDiaryGrid(w http.ResponseWriter, r *http.Request, printView bool) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	st, _ := s.opt.Settings.Get()
	day, err := gridWeek(r, st.Location(), s.opt.Clock.Now())
	if err != nil {
		return err
	}
	page, err := s.diaryGridPage(r, a, id, day, printView)
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("done") {
	case "flagged":
		page.Done = page.T("diary_clinic.flag_done")
	case "unflagged":
		page.Done = page.T("diary_clinic.unflag_done")
	}
	name := "clinic_diary"
	if printView {
		name = "clinic_diary_print"
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, name, page)
}

// diaryGridPage builds the grid of the week that holds day.
func (s *Server) diaryGridPage(r *http.Request, a tend.Actor, id tend.ID, day time.Time, printView bool) (*diaryGridPage, error) {
	wk, err := s.opt.Diary.Week(r.Context(), a, id, day)
	if err != nil {
		return nil, diaryUnshared(err)
	}
	v, err := s.opt.CareTeam.Person(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	p := s.printer()
	end := wk.Start.AddDate(0, 0, 6)
	page := &diaryGridPage{Base: Base{Title: p.T("diary_clinic.title", v.Username), p: p}, PersonID: id, Username: v.Username, Print: printView,
		WeekLabel: p.T("diary_clinic.week_label", wk.Start.Format("Monday 2 January 2006"), end.Format("Sunday 2 January 2006")),
		Week:      wk.Start.Format(diary.DayLayout), Prev: wk.Start.AddDate(0, 0, -7).Format(diary.DayLayout),
		Next: wk.Start.AddDate(0, 0, 7).Format(diary.DayLayout), ThisWeek: diary.WeekStart(wk.Today).Format(diary.DayLayout),
		MayEdit: v.SharedWith[access.AreaDiary] == access.LevelEdit}
	for i := 0; i <= diary.MaxSkills; i++ {
		page.SkillsKey = append(page.SkillsKey, p.T("diary_clinic.skills_code", i, p.T("diary.skills."+strconv.Itoa(i))))
	}
	cfg := wk.Config
	// A day's act links to its chain analysis when one is open about it
	// and the person shares chain analyses with this member; else to
	// starting one.
	chains := map[string]tend.ID{}
	if s.opt.Chains != nil && !printView {
		list, err := s.opt.Chains.List(r.Context(), a, id)
		switch k := tend.ErrorKind(err); {
		case err == nil:
			for _, c := range list {
				chains[c.Day+" "+c.Target] = c.ID
			}
		case k != tend.EFORBIDDEN && k != tend.ENOTFOUND:
			return nil, err
		}
	}
	for _, d := range wk.Days {
		page.Days = append(page.Days, s.gridDayOf(p, id, cfg, d, wk.Today, chains))
	}
	cell := func(d diary.WeekDay, f func(c *diary.Card) gridCell) gridCell {
		if d.Card == nil {
			return gridCell{}
		}
		return f(d.Card)
	}
	rating := func(f diary.Field) func(c *diary.Card) gridCell {
		return func(c *diary.Card) gridCell {
			if v, ok := c.Get(f); ok {
				return gridCell{Text: strconv.Itoa(v)}
			}
			return gridCell{None: true}
		}
	}
	row := func(label, kind string, action bool, f func(c *diary.Card) gridCell) gridRow {
		rw := gridRow{Label: label, Kind: kind, Action: action}
		for _, d := range wk.Days {
			rw.Cells = append(rw.Cells, cell(d, f))
		}
		return rw
	}
	targets := gridGroup{Heading: p.T("diary_clinic.section_targets")}
	for _, t := range cfg.GridOrder() {
		label, kind := targetLabels(p, t)
		if t.Section == diary.SectionUrge {
			targets.Rows = append(targets.Rows, row(label, kind, false, rating(diary.UrgeField(t.ID))))
			continue
		}
		targets.Rows = append(targets.Rows, row(label, kind, true, func(c *diary.Card) gridCell { return actionCell(p, t, c) }))
	}
	page.Groups = append(page.Groups, targets)
	emotions := gridGroup{Heading: p.T("diary_clinic.section_emotions")}
	for _, t := range cfg.Section(diary.SectionEmotion, false) {
		label, kind := targetLabels(p, t)
		emotions.Rows = append(emotions.Rows, row(label, kind, false, rating(diary.EmotionField(t.ID))))
	}
	if len(emotions.Rows) > 0 {
		page.Groups = append(page.Groups, emotions)
	}
	other := gridGroup{Heading: p.T("diary_clinic.section_skills")}
	other.Rows = append(other.Rows, row(p.T("diary_clinic.row_skills"), "", false, func(c *diary.Card) gridCell {
		if v, ok := c.Get(diary.FieldSkills); ok {
			return gridCell{Text: p.T("diary_clinic.skills_code", v, p.T("diary.skills."+strconv.Itoa(v)))}
		}
		return gridCell{None: true}
	}))
	answer := func(f diary.Field, partly bool) func(c *diary.Card) gridCell {
		return func(c *diary.Card) gridCell {
			v, ok := c.Get(f)
			switch {
			case !ok:
				return gridCell{None: true}
			case v == diary.Yes:
				return gridCell{Text: p.T("diary_clinic.yes")}
			case v == diary.Partly && partly:
				return gridCell{Text: p.T("diary_clinic.partly")}
			}
			return gridCell{Text: p.T("diary_clinic.no")}
		}
	}
	has := func(f diary.Field) bool {
		for _, d := range wk.Days {
			if d.Card != nil {
				if _, ok := d.Card.Get(f); ok {
					return true
				}
			}
		}
		return false
	}
	if cfg.Medication || has(diary.FieldMedication) {
		other.Rows = append(other.Rows, row(p.T("diary_clinic.row_medication"), "", false, answer(diary.FieldMedication, true)))
	}
	if cfg.Medication || has(diary.FieldPRN) {
		other.Rows = append(other.Rows, row(p.T("diary_clinic.row_prn"), "", false, rating(diary.FieldPRN)))
	}
	if cfg.Group || has(diary.FieldGroup) {
		other.Rows = append(other.Rows, row(p.T("diary_clinic.row_group"), "", false, answer(diary.FieldGroup, false)))
	}
	page.Groups = append(page.Groups, other)
	for _, d := range page.Days {
		if d.Note != "" {
			page.Notes = append(page.Notes, d)
		}
	}
	return page, nil
}

// targetLabels returns a row's label and, when the label is the person's
// or clinician's own, the kind it stands for.
func targetLabels(p *i18n.Printer, t diary.Target) (string, string) {
	kind := p.T(t.Kind.LabelID())
	if t.Label == "" {
		return kind, ""
	}
	return t.Label, kind
}

// actionCell words one day of an action: "Yes, 2 times", with whether it
// needed medical care; "No"; or a dash when nothing was recorded.
func actionCell(p *i18n.Printer, t diary.Target, c *diary.Card) gridCell {
	did, ok := c.Get(diary.ActField(t.ID))
	n, counted := c.Get(diary.CountField(t.ID))
	if did != diary.Yes && (!counted || n <= 0) {
		if ok {
			return gridCell{Text: p.T("diary_clinic.no")}
		}
		return gridCell{None: true}
	}
	text := p.T("diary_clinic.yes")
	if counted && n > 0 {
		text = p.T("diary_clinic.yes_times", n)
	}
	if m, ok := c.Get(diary.MedicalField(t.ID)); ok {
		switch m {
		case diary.Yes:
			text += "; " + p.T("diary_clinic.medical_yes")
		case diary.Unsure:
			text += "; " + p.T("diary_clinic.medical_unsure")
		default:
			text += "; " + p.T("diary_clinic.medical_no")
		}
	}
	return gridCell{Text: text, Mark: true}
}

// gridDayOf is one day's column head, marks, skills, chain links and note.
func (s *Server) gridDayOf(p *i18n.Printer, id tend.ID, cfg diary.Config, d diary.WeekDay, today time.Time, chains map[string]tend.ID) gridDay {
	g := gridDay{Date: d.Day.Format(diary.DayLayout), Heading: p.T(dayIDs[d.Day.Weekday()]) + " " + d.Day.Format("2 Jan")}
	if d.Flag != nil {
		g.Flagged = true
		g.FlagBy = d.Flag.ByName
	}
	switch {
	case d.Day.After(today) || d.Card == nil && d.Day.Before(cfg.Joined):
		g.Future = true
		return g
	case d.Card == nil:
		g.Missing = true
		return g
	}
	c := d.Card
	switch {
	case c.InSession:
		g.When = p.T("diary_clinic.in_session")
	case c.LateDays > 0:
		g.When = p.T("diary_clinic.late", c.LateDays)
	default:
		g.When = p.T("diary_clinic.same_day")
	}
	for _, m := range cfg.Set.Modules() {
		gm := gridModule{Module: p.T(m.NameID())}
		for _, sk := range skills.Library {
			if sk.Module != m.ID {
				continue
			}
			if v, ok := c.Get(diary.SkillField(sk.ID)); ok && v == 1 {
				gm.Skills = append(gm.Skills, p.T(sk.NameID()))
			}
		}
		if len(gm.Skills) > 0 {
			g.Skills = append(g.Skills, gm)
		}
	}
	for _, t := range cfg.Section(diary.SectionAction, true) {
		if cell := actionCell(p, t, c); cell.Mark {
			label, _ := targetLabels(p, t)
			if cid, ok := chains[g.Date+" "+t.ID]; ok {
				g.Chains = append(g.Chains, gridChain{Label: p.T("diary_clinic.chain_open", label), Href: "/clinic/people/" + string(id) + "/chains/" + string(cid)})
				continue
			}
			q := url.Values{"day": {g.Date}, "target": {t.ID}}
			g.Chains = append(g.Chains, gridChain{Label: p.T("diary_clinic.chain_start", label), Href: "/clinic/people/" + string(id) + "/chains?" + q.Encode()})
		}
	}
	g.Note = c.Note
	return g
}

// clinicDiaryFlag notes, or un-notes, that a day "may not have been
// written by the person" (safety-rules.md section 9). A day that is not a
// date re-renders the grid with the problem.
func (s *Server) clinicDiaryFlag(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
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
	day, err := diary.ParseDay(strings.TrimSpace(r.PostForm.Get("day")))
	if err != nil {
		st, _ := s.opt.Settings.Get()
		page, perr := s.diaryGridPage(r, a, id, diary.Today(s.opt.Clock.Now(), st.Location()), false)
		if perr != nil {
			return perr
		}
		page.Problem = page.T("diary_clinic.flag_no_day")
		w.Header().Set("Cache-Control", "no-store")
		return s.render(w, r, http.StatusBadRequest, "clinic_diary", page)
	}
	on := r.PostForm.Get("on") == "1"
	if err := s.opt.Diary.SetFlag(r.Context(), a, id, day, on); err != nil {
		return diaryUnshared(err)
	}
	done := "unflagged"
	if on {
		done = "flagged"
	}
	to := "/clinic/people/" + string(id) + "/diary?week=" + day.Format(diary.DayLayout) + "&done=" + done + "#day-" + day.Format(diary.DayLayout)
	http.Redirect(w, r, to, http.StatusSeeOther) // #nosec G710 -- a local path with a parsed id and date.
	return nil
}
