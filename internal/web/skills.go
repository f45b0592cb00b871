package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/skills"
)

// withSkills answers 404 when the server was built without the skills
// library and homework.
func (s *Server) withSkills(fn func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.opt.Skills == nil {
			return tend.ErrNotFound
		}
		return fn(w, r)
	}
}

type skillView struct {
	ID          string
	Name        string
	Acronym     string
	Module      string
	Description string
	Steps       []string
	Caution     string // the medical caution, word for word, or ""
	CautionHead string
	TaughtIn    string
	Favourite   bool
}

type moduleView struct {
	ID     string
	Name   string
	Note   string
	Skills []skillView
}

type worksheetFieldView struct {
	ID, Label string
	Rating    bool
	Max       int
}

type worksheetView struct {
	Name, Intro string
	Fields      []worksheetFieldView
}

type practiceView struct {
	At        string
	Helpful   string
	Note      string
	Answers   []answerView
	Skill     string
	Worksheet string
}

type answerView struct{ Label, Value string }

type homeworkView struct {
	ID         tend.ID
	Title      string // the skill's or worksheet's name
	SkillID    string
	When       string // "Practise by 3 March" or "Twice a week"
	Note       string
	From       string
	AssignedAt string
	EndedAt    string
	Open       bool
	Practice   []practiceView
}

// skillView words sk in the service's language.
func (s *Server) skillView(sk skills.Skill, favourite bool) skillView {
	p := s.printer()
	m, _ := skills.FindModule(sk.Module)
	v := skillView{ID: sk.ID, Name: p.T(sk.NameID()), Acronym: sk.Acronym, Module: p.T(m.NameID()), Description: p.T(sk.DescriptionID()), Favourite: favourite}
	for i := range sk.Steps {
		v.Steps = append(v.Steps, p.T(sk.StepID(i)))
	}
	if sk.Caution != "" {
		v.Caution, v.CautionHead = p.T(sk.Caution.MessageID()), p.T("skills.caution_heading")
	}
	var names []string
	for _, md := range sk.Modalities() {
		names = append(names, p.T(md.MessageID()))
	}
	v.TaughtIn = p.T("skills.taught_in", strings.Join(names, ", "))
	return v
}

// moduleNotes are the modules that carry a line under their heading.
var moduleNotes = map[string]bool{"distress_tolerance": true, "middle_path": true, "mentalizing": true}

func (s *Server) worksheetView(id string) *worksheetView {
	w, ok := skills.FindWorksheet(id)
	if !ok {
		return nil
	}
	p := s.printer()
	v := &worksheetView{Name: p.T(w.NameID()), Intro: p.T(w.IntroID())}
	for _, f := range w.Fields {
		v.Fields = append(v.Fields, worksheetFieldView{ID: f.ID, Label: p.T(w.FieldID(f)), Rating: f.Kind == skills.FieldRating, Max: f.Max})
	}
	return v
}

// itemName is the name of what homework asks to practise.
func (s *Server) itemName(skillID, worksheet string) string {
	p := s.printer()
	if sk, ok := skills.Find(skillID); ok {
		return p.T(sk.NameID())
	}
	if w, ok := skills.FindWorksheet(worksheet); ok {
		return p.T(w.NameID())
	}
	return ""
}

func (s *Server) homeworkView(h skills.Homework, loc *time.Location) homeworkView {
	p := s.printer()
	v := homeworkView{ID: h.ID, Title: s.itemName(h.SkillID, h.Worksheet), SkillID: h.SkillID, Note: h.Note, From: h.AssignedByName,
		AssignedAt: h.AssignedAt.In(loc).Format("2 Jan 2006"), Open: h.Open()}
	if v.SkillID == "" {
		if w, ok := skills.FindWorksheet(h.Worksheet); ok {
			v.SkillID = w.Skill
		}
	}
	switch {
	case h.Due != "":
		d, err := time.Parse(time.DateOnly, h.Due)
		if err == nil {
			v.When = p.T("homework.due", d.Format("2 Jan 2006"))
		}
	case h.PerWeek >= 1 && h.PerWeek <= 7:
		v.When = p.T(perWeekIDs[h.PerWeek-1])
	}
	if !h.Open() {
		v.EndedAt = h.EndedAt.In(loc).Format("2 Jan 2006")
	}
	for _, pr := range h.Practice {
		v.Practice = append(v.Practice, s.practiceView(pr, loc))
	}
	return v
}

// skillsMessageIDs lists the catalogue ids the skills pages build at run
// time, so start-up fails when the catalogue lacks one.
func skillsMessageIDs() []string {
	ids := append([]string(nil), perWeekIDs[:]...)
	for _, sk := range skills.Library {
		ids = append(ids, sk.MessageIDs()...)
	}
	for _, m := range skills.Modules {
		ids = append(ids, m.NameID())
		for _, md := range m.Modalities {
			ids = append(ids, md.MessageID())
		}
		if moduleNotes[m.ID] {
			ids = append(ids, m.NameID()+".note")
		}
	}
	for _, w := range skills.Worksheets {
		ids = append(ids, w.MessageIDs()...)
	}
	return ids
}

var perWeekIDs = [7]string{"homework.freq.1", "homework.freq.2", "homework.freq.3", "homework.freq.4", "homework.freq.5", "homework.freq.6", "homework.freq.7"}

func (s *Server) practiceView(pr skills.Practice, loc *time.Location) practiceView {
	p := s.printer()
	v := practiceView{At: pr.RecordedAt.In(loc).Format("2 Jan 2006 15:04"), Note: pr.Note, Skill: s.itemName(pr.SkillID, pr.Worksheet)}
	switch pr.Helpful {
	case skills.HelpfulYes:
		v.Helpful = p.T("homework.helpful_yes_short")
	case skills.HelpfulNo:
		v.Helpful = p.T("homework.helpful_no_short")
	}
	if w, ok := skills.FindWorksheet(pr.Worksheet); ok {
		v.Worksheet = p.T(w.NameID())
		for _, f := range w.Fields {
			if a := pr.Answers[f.ID]; a != "" {
				v.Answers = append(v.Answers, answerView{Label: p.T(w.FieldID(f)), Value: a})
			}
		}
	}
	return v
}

type skillsPage struct {
	Base
	Query      string
	Searched   bool
	Results    []skillView
	Favourites []skillView
	Modules    []moduleView
}

// skillsShow is the skills library: favourites first, then every module;
// with ?q= only the skills whose words match, in the service's language.
func (s *Server) skillsShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	favs, err := s.opt.Skills.Favourites(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	p := s.printer()
	page := &skillsPage{Base: Base{Title: p.T("skills.title"), QuickExit: true}}
	for _, id := range favs {
		if sk, ok := skills.Find(id); ok {
			page.Favourites = append(page.Favourites, s.skillView(sk, true))
		}
	}
	page.Query = strings.TrimSpace(r.URL.Query().Get("q"))
	if len(page.Query) > 200 {
		page.Query = page.Query[:200]
	}
	if page.Query != "" {
		page.Searched = true
		for _, sk := range skills.Search(p, page.Query) {
			page.Results = append(page.Results, s.skillView(sk, slices.Contains(favs, sk.ID)))
		}
	} else {
		for _, m := range skills.Modules {
			mv := moduleView{ID: m.ID, Name: p.T(m.NameID())}
			if moduleNotes[m.ID] {
				mv.Note = p.T(m.NameID() + ".note")
			}
			for _, sk := range skills.InModule(m.ID) {
				mv.Skills = append(mv.Skills, s.skillView(sk, slices.Contains(favs, sk.ID)))
			}
			page.Modules = append(page.Modules, mv)
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "me_skills", page)
}

// practiceFormView is the practice form of a skill or a piece of homework.
type practiceFormView struct {
	Action    string
	Key       string // the idempotency key: a resent form adds nothing
	Worksheet *worksheetView
	Assigner  string // who set the homework, who reads the note too
	Note      string // what the person wrote, kept when the form comes back
	Answers   map[string]string
	Problem   string
}

type skillPage struct {
	Base
	Skill skillView
	// Homework is the person's open homework for this skill, if any: the
	// practice logged here counts for it.
	Homework *homeworkView
	Form     practiceFormView
	Saved    bool
}

// skillShow is one skill: what it is, its steps, any caution, the
// favourite toggle and the practice form.
func (s *Server) skillShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	page, err := s.skillPage(r, a, r.PathValue("id"))
	if err != nil {
		return err
	}
	page.Saved = r.URL.Query().Get("saved") == "1"
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "me_skill", page)
}

func (s *Server) skillPage(r *http.Request, a tend.Actor, id string) (*skillPage, error) {
	sk, ok := skills.Find(id)
	if !ok {
		return nil, tend.ErrNotFound
	}
	favs, err := s.opt.Skills.Favourites(r.Context(), a, a.ID)
	if err != nil {
		return nil, err
	}
	hw, _, err := s.opt.Skills.List(r.Context(), a, a.ID, true)
	if err != nil {
		return nil, err
	}
	loc, err := s.personZone(r)
	if err != nil {
		return nil, err
	}
	v := s.skillView(sk, slices.Contains(favs, sk.ID))
	page := &skillPage{Base: Base{Title: v.Name, QuickExit: true}, Skill: v,
		Form: practiceFormView{Key: randomHex(16), Action: "/me/skills/" + sk.ID + "/practice"}}
	if sk.Worksheet != "" {
		page.Form.Worksheet = s.worksheetView(sk.Worksheet)
	}
	for _, h := range hw {
		if h.SkillID == sk.ID {
			hv := s.homeworkView(h, loc)
			page.Homework = &hv
			page.Form.Action, page.Form.Assigner = "/me/homework/"+string(h.ID)+"/practice", h.AssignedByName
			break
		}
	}
	return page, nil
}

// skillFavourite marks or unmarks a skill as a favourite ("on" says which,
// so a repeated form does the same thing again, not the opposite).
func (s *Server) skillFavourite(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, ok := skills.Find(id); !ok {
		return tend.ErrNotFound
	}
	if err := r.ParseForm(); err != nil {
		return tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	if err := s.opt.Skills.SetFavourite(r.Context(), a, a.ID, id, r.PostForm.Get("on") == "1"); err != nil {
		return err
	}
	http.Redirect(w, r, "/me/skills/"+url.PathEscape(id), http.StatusSeeOther) // #nosec G710 -- a local path; id is a skill the library knows.
	return nil
}

// practiceForm reads the practice form.
func practiceForm(r *http.Request) (skills.NewPractice, error) {
	if err := r.ParseForm(); err != nil {
		return skills.NewPractice{}, tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	n := skills.NewPractice{Key: r.PostForm.Get("idempotency_key"), Helpful: skills.Helpful(r.PostForm.Get("helpful")), Note: r.PostForm.Get("note"),
		Answers: map[string]string{}}
	for k, v := range r.PostForm {
		if name, ok := strings.CutPrefix(k, "answer."); ok && len(v) > 0 {
			n.Answers[name] = v[0]
		}
	}
	return n, nil
}

// skillPractice logs practice of a library skill outside homework.
func (s *Server) skillPractice(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, ok := skills.Find(id); !ok {
		return tend.ErrNotFound
	}
	n, err := practiceForm(r)
	if err != nil {
		return err
	}
	_, _, err = s.opt.Skills.LogPractice(r.Context(), a, a.ID, "", id, n)
	if tend.ErrorKind(err) == tend.EINVALID {
		page, perr := s.skillPage(r, a, id)
		if perr != nil {
			return perr
		}
		page.Form.Problem, page.Form.Note, page.Form.Answers, page.Form.Key = tend.ErrorMessage(err), n.Note, n.Answers, n.Key
		return s.render(w, r, http.StatusBadRequest, "me_skill", page)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/me/skills/"+url.PathEscape(id)+"?saved=1", http.StatusSeeOther) // #nosec G710 -- a local path; id is a skill the library knows.
	return nil
}

type homeworkPage struct {
	Base
	Homework homeworkView
	Skill    *skillView
	Form     practiceFormView
	Saved    bool
}

// homeworkShow is one piece of the person's homework: what to practise, the
// clinician's note, the practice form and the practice logged so far.
func (s *Server) homeworkShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	page, err := s.homeworkPage(r, a)
	if err != nil {
		return err
	}
	page.Saved = r.URL.Query().Get("saved") == "1"
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "me_homework", page)
}

func (s *Server) homeworkPage(r *http.Request, a tend.Actor) (*homeworkPage, error) {
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return nil, tend.ErrNotFound
	}
	h, err := s.opt.Skills.FindHomework(r.Context(), a, a.ID, id)
	if err != nil {
		return nil, err
	}
	loc, err := s.personZone(r)
	if err != nil {
		return nil, err
	}
	hv := s.homeworkView(h, loc)
	page := &homeworkPage{Base: Base{Title: hv.Title, QuickExit: true}, Homework: hv,
		Form: practiceFormView{Key: randomHex(16), Action: "/me/homework/" + string(h.ID) + "/practice", Assigner: h.AssignedByName}}
	if sk, ok := skills.Find(hv.SkillID); ok && h.SkillID != "" {
		v := s.skillView(sk, false)
		page.Skill = &v
		if sk.Worksheet != "" {
			page.Form.Worksheet = s.worksheetView(sk.Worksheet)
		}
	}
	if h.Worksheet != "" {
		page.Form.Worksheet = s.worksheetView(h.Worksheet)
	}
	return page, nil
}

// homeworkPractice logs practice for a piece of homework. A retry with the
// same idempotency key adds nothing.
func (s *Server) homeworkPractice(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	n, err := practiceForm(r)
	if err != nil {
		return err
	}
	_, _, err = s.opt.Skills.LogPractice(r.Context(), a, a.ID, id, "", n)
	if tend.ErrorKind(err) == tend.EINVALID {
		page, perr := s.homeworkPage(r, a)
		if perr != nil {
			return perr
		}
		page.Form.Problem, page.Form.Note, page.Form.Answers, page.Form.Key = tend.ErrorMessage(err), n.Note, n.Answers, n.Key
		return s.render(w, r, http.StatusBadRequest, "me_homework", page)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/me/homework/"+string(id)+"?saved=1", http.StatusSeeOther) // #nosec G710 -- a local path; id is a parsed UUID.
	return nil
}

// openHomework is the person's open homework for their home page; nil
// when the server has no skills service.
func (s *Server) openHomework(r *http.Request, a tend.Actor) ([]homeworkView, error) {
	if s.opt.Skills == nil {
		return nil, nil
	}
	hw, _, err := s.opt.Skills.List(r.Context(), a, a.ID, true)
	if err != nil || len(hw) == 0 {
		return nil, err
	}
	loc, err := s.personZone(r)
	if err != nil {
		return nil, err
	}
	var out []homeworkView
	for _, h := range hw {
		out = append(out, s.homeworkView(h, loc))
	}
	return out, nil
}

type itemOption struct{ Value, Label string }

type itemGroup struct {
	Label   string
	Options []itemOption
}

type clinicHomeworkPage struct {
	Base
	PersonID  tend.ID
	Username  string
	Groups    []itemGroup
	PerWeek   []itemOption
	Homework  []homeworkView
	Other     []practiceView
	Therapist bool // sees every piece of homework
	Assigned  bool
	Ended     bool
	Problem   string
	Form      struct{ Item, Due, PerWeek, Note string }
}

// clinicHomeworkShow is a person's homework as a care-team member sees it
// (the therapist all of it, others what they assigned; the read audited),
// with the form to assign more.
func (s *Server) clinicHomeworkShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	page, err := s.clinicHomeworkPage(r, a, id)
	if err != nil {
		return err
	}
	page.Assigned = r.URL.Query().Get("assigned") == "1"
	page.Ended = r.URL.Query().Get("ended") == "1"
	return s.render(w, r, http.StatusOK, "clinic_homework", page)
}

func (s *Server) clinicHomeworkPage(r *http.Request, a tend.Actor, id tend.ID) (*clinicHomeworkPage, error) {
	hw, other, err := s.opt.Skills.List(r.Context(), a, id, false)
	if err != nil {
		return nil, err
	}
	v, err := s.opt.CareTeam.Person(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	st, _ := s.opt.Settings.Get()
	loc := st.Location()
	p := s.printer()
	page := &clinicHomeworkPage{Base: Base{Title: p.T("homework.clinic_title", v.Username)}, PersonID: id, Username: v.Username,
		Therapist: s.opt.Skills.SeesAll(r.Context(), a, id)}
	for _, m := range skills.Modules {
		g := itemGroup{Label: p.T(m.NameID())}
		for _, sk := range skills.InModule(m.ID) {
			g.Options = append(g.Options, itemOption{Value: "skill:" + sk.ID, Label: p.T(sk.NameID())})
		}
		page.Groups = append(page.Groups, g)
	}
	for i, id := range perWeekIDs {
		page.PerWeek = append(page.PerWeek, itemOption{Value: strconv.Itoa(i + 1), Label: p.T(id)})
	}
	g := itemGroup{Label: p.T("homework.worksheets_group")}
	for _, ws := range skills.Worksheets {
		g.Options = append(g.Options, itemOption{Value: "worksheet:" + ws.ID, Label: p.T(ws.NameID())})
	}
	page.Groups = append(page.Groups, g)
	for _, h := range hw {
		page.Homework = append(page.Homework, s.homeworkView(h, loc))
	}
	for _, pr := range other {
		page.Other = append(page.Other, s.practiceView(pr, loc))
	}
	return page, nil
}

// clinicHomeworkAssign assigns a skill or worksheet to the person.
func (s *Server) clinicHomeworkAssign(w http.ResponseWriter, r *http.Request) error {
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
	as := skills.Assignment{Item: r.PostForm.Get("item"), Due: r.PostForm.Get("due"), Note: r.PostForm.Get("note")}
	as.PerWeek, err = skills.ParsePerWeek(r.PostForm.Get("per_week"))
	if err == nil {
		_, err = s.opt.Skills.Assign(r.Context(), a, id, as)
	}
	if tend.ErrorKind(err) == tend.EINVALID {
		page, perr := s.clinicHomeworkPage(r, a, id)
		if perr != nil {
			return perr
		}
		page.Problem = tend.ErrorMessage(err)
		page.Form.Item, page.Form.Due, page.Form.PerWeek, page.Form.Note = as.Item, as.Due, r.PostForm.Get("per_week"), as.Note
		return s.render(w, r, http.StatusBadRequest, "clinic_homework", page)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/clinic/people/"+string(id)+"/homework?assigned=1", http.StatusSeeOther) // #nosec G710 -- a local path; id is a parsed UUID.
	return nil
}

// clinicHomeworkEnd ends (withdraws) a piece of homework.
func (s *Server) clinicHomeworkEnd(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	hid, err := tend.ParseID(r.PathValue("homework"))
	if err != nil {
		return tend.ErrNotFound
	}
	if err := s.opt.Skills.End(r.Context(), a, id, hid); err != nil {
		return err
	}
	http.Redirect(w, r, "/clinic/people/"+string(id)+"/homework?ended=1", http.StatusSeeOther) // #nosec G710 -- a local path; id is a parsed UUID.
	return nil
}
