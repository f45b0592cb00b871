package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/skills"
)

// Setting up a person's diary card (clinical/diary-card.md): the rows of
// urges, actions and emotions with their fixed kinds and free labels, and
// the skills on the tick list. One page serves the person (/me/diary/setup)
// and a care-team member with "see and edit" on the diary
// (/clinic/people/{id}/diary/setup); the service decides who may change
// what.

type setupOption struct {
	Value, Label string
	Selected     bool
}

type setupRow struct {
	ID     string
	Label  string // what the row is called now
	Kind   string // the fixed kind's name
	Own    string // the person's or clinician's own name, "" for the default
	Linked string // the urge an action belongs to
	Hidden bool
	// Locked: a self-harm or suicide row the service does not let anyone
	// hide; the page says why instead of offering the button.
	Locked      bool
	First, Last bool
}

type setupSection struct {
	Section string
	Heading string
	Rows    []setupRow
	Kinds   []setupOption
}

type setupSkill struct {
	ID, Name string
	On       bool
}

type setupModule struct {
	Name   string
	Skills []setupSkill
}

type diarySetupPage struct {
	Base
	Action   string // the page's own path; forms post below it
	Staff    bool
	PersonID tend.ID
	Username string
	Sections []setupSection
	Urges    []setupOption
	Sets     []setupOption
	Modules  []setupModule
	Problem  string
	Done     string
	// Section and Label are the section and name of a new row sent back
	// after a problem.
	Section, Label string
}

// setupSubject reads whose card the request is about: the signed-in
// person's own, or the person a member of staff names.
func setupSubject(r *http.Request) (tend.Actor, tend.ID, string, error) {
	if r.PathValue("id") == "" {
		a, err := requireKind(r, tend.KindPerson)
		return a, a.ID, "/me/diary/setup", err
	}
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return a, "", "", err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return a, "", "", tend.ErrNotFound
	}
	return a, id, "/clinic/people/" + string(id) + "/diary/setup", nil
}

// diarySetupShow is the card's set-up page.
func (s *Server) diarySetupShow(w http.ResponseWriter, r *http.Request) error {
	a, id, action, err := setupSubject(r)
	if err != nil {
		return err
	}
	done := ""
	switch r.URL.Query().Get("done") {
	case "added", "changed", "skills":
		done = s.printer().T("diary_clinic.setup_done_" + r.URL.Query().Get("done"))
	}
	return s.diarySetupRender(w, r, a, id, action, http.StatusOK, "", done)
}

func (s *Server) diarySetupRender(w http.ResponseWriter, r *http.Request, a tend.Actor, id tend.ID, action string, status int, problem, done string, sent ...string) error {
	cfg, err := s.opt.Diary.Config(r.Context(), a, id)
	if err != nil {
		return err
	}
	p := s.printer()
	page := &diarySetupPage{Base: Base{Title: p.T("diary_clinic.setup_title"), p: p}, Action: action, PersonID: id,
		Problem: problem, Done: done}
	if len(sent) == 2 {
		page.Section, page.Label = sent[0], sent[1]
	}
	if a.Kind == tend.KindStaff {
		v, err := s.opt.CareTeam.Person(r.Context(), a, id)
		if err != nil {
			return err
		}
		if v.SharedWith[access.AreaDiary] != access.LevelEdit {
			return tend.Errorf(tend.EFORBIDDEN, "%s", p.T("diary_clinic.setup_needs_edit", v.Username))
		}
		page.Staff, page.Username = true, v.Username
		page.Title = p.T("diary_clinic.setup_title_staff", v.Username)
	} else {
		page.QuickExit = true
	}
	allow := s.opt.Diary.Settings().AllowHideSafetyRows
	for _, sec := range []diary.Section{diary.SectionUrge, diary.SectionAction, diary.SectionEmotion} {
		ss := setupSection{Section: string(sec), Heading: p.T("diary_clinic.setup_section_" + string(sec))}
		rows := cfg.Section(sec, true)
		for i, t := range rows {
			label, _ := targetLabels(p, t)
			row := setupRow{ID: t.ID, Label: label, Kind: p.T(t.Kind.LabelID()), Own: t.Label, Hidden: t.Hidden,
				Locked: t.Kind.Safety() && !allow && !t.Hidden, First: i == 0, Last: i == len(rows)-1}
			if u, ok := cfg.Target(t.UrgeID); ok && t.UrgeID != "" {
				row.Linked, _ = targetLabels(p, u)
			}
			ss.Rows = append(ss.Rows, row)
		}
		for _, k := range diary.Kinds[sec] {
			ss.Kinds = append(ss.Kinds, setupOption{Value: string(k), Label: p.T(k.LabelID())})
		}
		page.Sections = append(page.Sections, ss)
	}
	for _, u := range cfg.Section(diary.SectionUrge, false) {
		label, _ := targetLabels(p, u)
		page.Urges = append(page.Urges, setupOption{Value: u.ID, Label: label})
	}
	for _, set := range []diary.SkillsSet{diary.SkillsDBT, diary.SkillsDBTA} {
		page.Sets = append(page.Sets, setupOption{Value: string(set), Label: p.T("diary_clinic.set_" + string(set)), Selected: set == cfg.Set})
	}
	for _, m := range cfg.Set.Modules() {
		sm := setupModule{Name: p.T(m.NameID())}
		for _, sk := range skills.Library {
			if sk.Module == m.ID {
				sm.Skills = append(sm.Skills, setupSkill{ID: sk.ID, Name: p.T(sk.NameID()), On: slices.Contains(cfg.Skills, sk.ID)})
			}
		}
		page.Modules = append(page.Modules, sm)
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, status, "me_diary_setup", page)
}

// diarySetupAdd adds a row: an urge, an action (linked to an urge, or
// not) or an emotion, of a fixed kind with a free label.
func (s *Server) diarySetupAdd(w http.ResponseWriter, r *http.Request) error {
	a, id, action, err := setupSubject(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	f := r.PostForm
	nt := diary.NewTarget{Section: diary.Section(f.Get("section")), Kind: diary.Kind(f.Get("kind")), Label: f.Get("label")}
	if nt.Section == diary.SectionAction {
		nt.UrgeID = f.Get("urge")
	}
	_, err = s.opt.Diary.AddTarget(r.Context(), a, id, nt)
	if tend.ErrorKind(err) == tend.EINVALID {
		return s.diarySetupRender(w, r, a, id, action, http.StatusBadRequest, tend.ErrorMessage(err), "", f.Get("section"), f.Get("label"))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, action+"?done=added", http.StatusSeeOther) // #nosec G710 -- a local path with a parsed id.
	return nil
}

// diarySetupChange renames, hides, shows or moves one row.
func (s *Server) diarySetupChange(w http.ResponseWriter, r *http.Request) error {
	a, id, action, err := setupSubject(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	f := r.PostForm
	var ch diary.TargetChange
	yes, no := true, false
	switch f.Get("op") {
	case "rename":
		label := f.Get("label")
		ch.Label = &label
	case "hide":
		ch.Hidden = &yes
	case "show":
		ch.Hidden = &no
	case "up":
		ch.Move = -1
	case "down":
		ch.Move = 1
	}
	row := strings.TrimSpace(f.Get("row"))
	err = s.opt.Diary.ChangeTarget(r.Context(), a, id, row, ch)
	if tend.ErrorKind(err) == tend.EINVALID {
		return s.diarySetupRender(w, r, a, id, action, http.StatusBadRequest, tend.ErrorMessage(err), "")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, action+"?done=changed#row-"+url.PathEscape(row), http.StatusSeeOther) // #nosec G710 -- a local path; the row was found.
	return nil
}

// diarySetupSkills chooses DBT or DBT-A skills and which are on the tick
// list. Changing the set puts all of the new set's skills on the list.
func (s *Server) diarySetupSkills(w http.ResponseWriter, r *http.Request) error {
	a, id, action, err := setupSubject(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	f := r.PostForm
	set := diary.SkillsSet(f.Get("set"))
	list := f["skill"]
	if list == nil {
		list = []string{}
	}
	if f.Get("current") != string(set) {
		list = nil
	}
	err = s.opt.Diary.SetSkills(r.Context(), a, id, set, list)
	if tend.ErrorKind(err) == tend.EINVALID {
		return s.diarySetupRender(w, r, a, id, action, http.StatusBadRequest, tend.ErrorMessage(err), "")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, action+"?done=skills#skills", http.StatusSeeOther) // #nosec G710 -- a local path with a parsed id.
	return nil
}

// diaryGridMessageIDs lists the message ids the grid and set-up pages
// build at run time, so that start-up checks them too.
func diaryGridMessageIDs() []string {
	ids := []string{"diary_clinic.setup_done_added", "diary_clinic.setup_done_changed", "diary_clinic.setup_done_skills",
		"diary_clinic.set_dbt", "diary_clinic.set_dbt_a", "diary_clinic.skills_code"}
	for _, sec := range []diary.Section{diary.SectionUrge, diary.SectionAction, diary.SectionEmotion} {
		ids = append(ids, "diary_clinic.setup_section_"+string(sec), "diary_clinic.setup_add_"+string(sec))
		for _, k := range diary.Kinds[sec] {
			ids = append(ids, k.LabelID())
		}
	}
	for i := 0; i <= diary.MaxSkills; i++ {
		ids = append(ids, "diary.skills."+strconv.Itoa(i))
	}
	return ids
}
