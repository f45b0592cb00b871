package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/chain"
	"github.com/tendcare/tend/internal/skills"
)

// withChains answers "not found" when the server runs without the chain
// analysis service (tests of other areas), rather than failing on nil.
func (s *Server) withChains(fn func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.opt.Chains == nil {
			return tend.ErrNotFound
		}
		return fn(w, r)
	}
}

// chainBlankLinks and chainBlankSolutions are the empty rows each form
// offers, so that links and ideas can be added without JavaScript.
const (
	chainBlankLinks     = 3
	chainBlankSolutions = 2
)

type chainSectionView struct {
	Name    string
	Heading string
	Hint    string
	Text    string
}

type chainLinkView struct {
	Index int
	ID    string
	Pos   int
	Type  string
	Text  string
	Label string // the link's type, for reading
}

type chainSolutionView struct {
	Index     int
	N         int // its number on the page
	ID        string
	LinkID    string
	SkillID   string
	Text      string
	LinkLabel string // which link it is for, or "In general"
	SkillName string // the skill's name, or ""
	// Caution and CautionHead are the skill's medical caution, shown
	// wherever it is offered (safety-rules.md section 8), or "".
	Caution     string
	CautionHead string
}

type chainView struct {
	ID       tend.ID
	Day      string // the day, written out
	DayISO   string
	Target   string
	Action   string // the action's label from the diary card, when wired
	Complete bool
	Revision int
	// Parts are the nine sections in worksheet order: seven free-text
	// sections, the links (4) and the solutions (6).
	Parts     []chainPart
	Links     []chainLinkView
	Solutions []chainSolutionView
	Opened    string // "Opened by Lee on 3 March 2026"
	Updated   string
	Completed string
}

// chainPart is one section of the worksheet: free text, or one of the
// two lists.
type chainPart struct {
	Section   *chainSectionView
	Links     bool
	Solutions bool
}

type chainListItem struct {
	ID       tend.ID
	Day      string
	Action   string
	Complete bool
	Updated  string
}

type chainPage struct {
	Base
	Staff    bool
	PersonID tend.ID
	Username string
	// Path is the page's own address; form actions start from it.
	Path     string
	List     []chainListItem
	Chain    chainView
	WhoReads string
	MayEdit  bool
	MayOpen  bool
	// MayHomework shows the form that turns an idea with a skill into
	// homework (the clinician who may assign homework).
	MayHomework bool
	LinkTypes   []itemOption
	LinkOptions []itemOption // the links an idea can be for
	Skills      []itemGroup
	// Cautions are the medical cautions of the skills the form offers
	// (safety-rules.md section 8), each as skill_caution renders it.
	Cautions []chainSolutionView
	PerWeek  []itemOption
	Problem  string
	Done     string
	Merged   bool
	// The start form: the actions of the person's card to choose from.
	NewID       tend.ID
	StartDay    string
	StartTarget string
	Actions     []itemOption
}

func formatDay(day string) string {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return d.Format("Monday 2 January 2006")
}

// actionLabel names the diary action an analysis is about, as the
// person's card calls it; without the diary, or for a row the card no
// longer has, the page shows the day only.
func (s *Server) actionLabel(r *http.Request, personID tend.ID, target string) string {
	if s.opt.Diary == nil {
		return ""
	}
	t, ok, err := s.opt.Diary.TargetOf(r.Context(), personID, target)
	if err != nil || !ok {
		return ""
	}
	label, _ := targetLabels(s.printer(), t)
	return label
}

func (s *Server) chainViewOf(r *http.Request, a chain.Analysis, loc *time.Location) chainView {
	p := s.printer()
	v := chainView{ID: a.ID, Day: formatDay(a.Day), DayISO: a.Day, Target: a.Target, Action: s.actionLabel(r, a.PersonID, a.Target),
		Complete: a.Complete(), Revision: a.Revision,
		Opened:  p.T("chain.opened_by", a.OpenedByName, a.CreatedAt.In(loc).Format("2 January 2006")),
		Updated: a.UpdatedAt.In(loc).Format("2 January 2006, 15:04")}
	if a.Complete() {
		v.Completed = a.CompletedAt.In(loc).Format("2 January 2006")
	}
	c := a.Content
	for _, sec := range c.Sections() {
		sv := &chainSectionView{Name: sec.Name, Heading: p.T("chain.section." + sec.Name), Hint: p.T("chain.hint." + sec.Name), Text: *sec.Text}
		if sec.Number == 1 {
			sv.Heading = p.T("chain.section.behaviour_on", v.Day)
		}
		switch sec.Number {
		case 5:
			v.Parts = append(v.Parts, chainPart{Links: true})
		case 7:
			v.Parts = append(v.Parts, chainPart{Solutions: true})
		}
		v.Parts = append(v.Parts, chainPart{Section: sv})
	}
	labels := map[string]string{}
	for i, l := range c.Links {
		label := ""
		if l.Type.Valid() {
			label = p.T(l.Type.MessageID())
		}
		v.Links = append(v.Links, chainLinkView{Index: i, ID: l.ID, Pos: i + 1, Type: string(l.Type), Text: l.Text, Label: label})
		labels[l.ID] = p.T("chain.link_label", i+1, label, preview(l.Text, 40))
	}
	for i, so := range c.Solutions {
		sv := chainSolutionView{Index: i, N: i + 1, ID: so.ID, LinkID: so.LinkID, SkillID: so.SkillID, Text: so.Text, LinkLabel: p.T("chain.general")}
		if l, ok := labels[so.LinkID]; ok {
			sv.LinkLabel = l
		}
		if sk, ok := skills.Find(so.SkillID); ok {
			sv.SkillName = p.T(sk.NameID())
			if sk.Caution != "" {
				sv.Caution, sv.CautionHead = p.T(sk.Caution.MessageID()), p.T("skills.caution_heading")
			}
		}
		v.Solutions = append(v.Solutions, sv)
	}
	return v
}

func preview(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if r := []rune(text); len(r) > n {
		return string(r[:n]) + "…"
	}
	return text
}

// addBlankRows adds the empty rows of the form, each with a fresh id so a
// repeated save adds a link once.
func addBlankRows(v *chainView) {
	for i := 0; i < chainBlankLinks; i++ {
		n := len(v.Links)
		v.Links = append(v.Links, chainLinkView{Index: n, ID: string(tend.NewID()), Pos: n + 1})
	}
	for i := 0; i < chainBlankSolutions; i++ {
		n := len(v.Solutions)
		v.Solutions = append(v.Solutions, chainSolutionView{Index: n, N: n + 1, ID: string(tend.NewID())})
	}
}

func (s *Server) chainChoices(page *chainPage) {
	p := s.printer()
	for _, t := range chain.LinkTypes {
		page.LinkTypes = append(page.LinkTypes, itemOption{Value: string(t), Label: p.T(t.MessageID())})
	}
	for _, m := range skills.Modules {
		g := itemGroup{Label: p.T(m.NameID())}
		for _, sk := range skills.InModule(m.ID) {
			g.Options = append(g.Options, itemOption{Value: sk.ID, Label: p.T(sk.NameID())})
			if sk.Caution != "" && !slices.ContainsFunc(page.Cautions, func(c chainSolutionView) bool { return c.SkillID == string(sk.Caution) }) {
				page.Cautions = append(page.Cautions, chainSolutionView{SkillID: string(sk.Caution), Caution: p.T(sk.Caution.MessageID()), CautionHead: p.T("skills.caution_heading")})
			}
		}
		page.Skills = append(page.Skills, g)
	}
	for i, id := range perWeekIDs {
		page.PerWeek = append(page.PerWeek, itemOption{Value: strconv.Itoa(i + 1), Label: p.T(id)})
	}
}

// chainWhoReads says who reads the person's chain analyses, and when
// (safety-rules.md section 3): for the person, from their grants as they
// stand now; for staff, that the person reads everything in it.
func (s *Server) chainWhoReads(r *http.Request, a tend.Actor, username string) (string, error) {
	p := s.printer()
	if a.Kind == tend.KindStaff {
		return p.T("chain.who_staff", username), nil
	}
	readers, err := s.opt.Chains.Readers(r.Context(), a, a.ID)
	if err != nil {
		return "", err
	}
	if len(readers) == 0 {
		return p.T("chain.who_only_you"), nil
	}
	names := make([]string, len(readers))
	for i, rd := range readers {
		names[i] = p.T("chain.reader", rd.Name, p.T("role."+string(rd.Role)))
	}
	return p.T("chain.who_readers", strings.Join(names, ", ")), nil
}

// chainPerson returns the person the page is about: the signed-in person
// on /me pages, the {id} of /clinic pages.
func (s *Server) chainPerson(r *http.Request) (tend.Actor, tend.ID, error) {
	if strings.HasPrefix(r.URL.Path, "/me/") {
		a, err := requireKind(r, tend.KindPerson)
		return a, a.ID, err
	}
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return a, "", err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return a, "", tend.ErrNotFound
	}
	return a, id, nil
}

func (s *Server) chainBase(r *http.Request, a tend.Actor, personID tend.ID) (*chainPage, *time.Location, error) {
	page := &chainPage{Staff: a.Kind == tend.KindStaff, PersonID: personID}
	if page.Staff {
		v, err := s.opt.CareTeam.Person(r.Context(), a, personID)
		if err != nil {
			return nil, nil, err
		}
		page.Username = v.Username
		st, _ := s.opt.Settings.Get()
		return page, st.Location(), nil
	}
	page.QuickExit = true
	loc, err := s.personZone(r)
	return page, loc, err
}

func chainsPath(a tend.Actor, personID tend.ID) string {
	if a.Kind == tend.KindStaff {
		return "/clinic/people/" + string(personID) + "/chains"
	}
	return "/me/chains"
}

// chainsShow lists the person's chain analyses: the person's own list (the
// only way they find one: nothing is sent to them), or a care-team
// member's, with the form to start one.
func (s *Server) chainsShow(w http.ResponseWriter, r *http.Request) error {
	a, personID, err := s.chainPerson(r)
	if err != nil {
		return err
	}
	list, err := s.opt.Chains.List(r.Context(), a, personID)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	return s.chainsRender(w, r, a, personID, list, http.StatusOK, "", q.Get("day"), q.Get("target"))
}

func (s *Server) chainsRender(w http.ResponseWriter, r *http.Request, a tend.Actor, personID tend.ID, list []chain.Analysis, status int, problem, day, target string) error {
	page, loc, err := s.chainBase(r, a, personID)
	if err != nil {
		return err
	}
	p := s.printer()
	page.Title = p.T("chain.my_title")
	if page.Staff {
		page.Title = p.T("chain.staff_title", page.Username)
		page.MayOpen = s.opt.Chains.MayOpen(r.Context(), a, personID)
	}
	page.Path = chainsPath(a, personID)
	for _, c := range list {
		page.List = append(page.List, chainListItem{ID: c.ID, Day: formatDay(c.Day), Action: s.actionLabel(r, personID, c.Target), Complete: c.Complete(),
			Updated: c.UpdatedAt.In(loc).Format("2 January 2006")})
	}
	page.Problem, page.NewID, page.StartDay, page.StartTarget = problem, tend.NewID(), day, target
	if page.Staff && s.opt.Diary != nil {
		actions, err := s.opt.Diary.Actions(r.Context(), personID)
		if err != nil {
			return err
		}
		for _, t := range actions {
			label, _ := targetLabels(p, t)
			page.Actions = append(page.Actions, itemOption{Value: t.ID, Label: label})
		}
	}
	if page.StartDay == "" {
		page.StartDay = s.opt.Clock.Now().In(loc).Format(time.DateOnly)
	}
	w.Header().Set("Cache-Control", "no-store")
	name := "me_chains"
	if page.Staff {
		name = "clinic_chains"
	}
	return s.render(w, r, status, name, page)
}

// chainOpen starts a chain analysis (a care-team member the person lets
// edit theirs) and goes to it. Nothing is sent to the person.
func (s *Server) chainOpen(w http.ResponseWriter, r *http.Request) error {
	a, personID, err := s.chainPerson(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	f := r.PostForm
	o, err := s.opt.Chains.Open(r.Context(), a, personID, chain.Start{ID: f.Get("id"), Day: f.Get("day"), Target: f.Get("target")})
	if tend.ErrorKind(err) == tend.EINVALID {
		list, lerr := s.opt.Chains.List(r.Context(), a, personID)
		if lerr != nil {
			return lerr
		}
		return s.chainsRender(w, r, a, personID, list, http.StatusBadRequest, tend.ErrorMessage(err), f.Get("day"), f.Get("target"))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, chainsPath(a, personID)+"/"+string(o.Analysis.ID), http.StatusSeeOther) // #nosec G710 -- a local path of parsed ids.
	return nil
}

// chainShow is one chain analysis: the form to work on it together, or
// the analysis to read (complete, or a care-team member who may only see).
func (s *Server) chainShow(w http.ResponseWriter, r *http.Request) error {
	a, personID, err := s.chainPerson(r)
	if err != nil {
		return err
	}
	cid := tend.ID(r.PathValue("cid")) // the service checks access first, then finds it (or not)
	c, err := s.opt.Chains.Get(r.Context(), a, personID, cid)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	done := ""
	if k := q.Get("done"); slices.Contains([]string{"saved", "complete", "reopened", "homework"}, k) {
		done = s.printer().T("chain.done_" + k)
	}
	return s.chainRender(w, r, a, personID, c, http.StatusOK, "", done, q.Get("merged") == "1")
}

func (s *Server) chainRender(w http.ResponseWriter, r *http.Request, a tend.Actor, personID tend.ID, c chain.Analysis, status int, problem, done string, merged bool) error {
	page, loc, err := s.chainBase(r, a, personID)
	if err != nil {
		return err
	}
	page.Title = s.printer().T("chain.title", formatDay(c.Day))
	page.Path = chainsPath(a, personID) + "/" + string(c.ID)
	page.Chain = s.chainViewOf(r, c, loc)
	page.MayEdit = s.opt.Chains.MayEdit(r.Context(), a, personID)
	page.MayHomework = page.Staff && s.opt.Chains.MayHomework(r.Context(), a, personID)
	page.Problem, page.Done, page.Merged = problem, done, merged
	if page.WhoReads, err = s.chainWhoReads(r, a, page.Username); err != nil {
		return err
	}
	for _, l := range page.Chain.Links {
		page.LinkOptions = append(page.LinkOptions, itemOption{Value: l.ID, Label: s.printer().T("chain.link_label", l.Pos, l.Label, preview(l.Text, 40))})
	}
	if page.MayEdit && !c.Complete() {
		addBlankRows(&page.Chain)
	}
	s.chainChoices(page)
	w.Header().Set("Cache-Control", "no-store")
	name := "me_chain"
	if page.Staff {
		name = "clinic_chain"
	}
	return s.render(w, r, status, name, page)
}

// chainForm reads the analysis form: the sections, the links in the order
// their numbers give (ties keep the form's order) and the ideas.
func chainForm(f url.Values) chain.Draft {
	var d chain.Draft
	d.BasedOn, _ = strconv.Atoi(strings.TrimSpace(f.Get("revision")))
	c := &d.Content
	for _, sec := range c.Sections() {
		*sec.Text = f.Get(sec.Name)
	}
	ids, pos, types, texts := f["link_id"], f["link_pos"], f["link_type"], f["link_text"]
	type posLink struct {
		pos  int
		link chain.Link
	}
	var links []posLink
	for i := range texts {
		l := chain.Link{Text: texts[i]}
		if i < len(ids) {
			l.ID = ids[i]
		}
		if i < len(types) {
			l.Type = chain.LinkType(types[i])
		}
		n := i + 1
		if i < len(pos) {
			if p, err := strconv.Atoi(strings.TrimSpace(pos[i])); err == nil {
				n = p
			}
		}
		links = append(links, posLink{n, l})
	}
	slices.SortStableFunc(links, func(a, b posLink) int { return a.pos - b.pos })
	for _, l := range links {
		c.Links = append(c.Links, l.link)
	}
	sids, slinks, sskills, stexts := f["sol_id"], f["sol_link"], f["sol_skill"], f["sol_text"]
	for i := range stexts {
		so := chain.Solution{Text: stexts[i]}
		if i < len(sids) {
			so.ID = sids[i]
		}
		if i < len(slinks) {
			so.LinkID = slinks[i]
		}
		if i < len(sskills) {
			so.SkillID = sskills[i]
		}
		c.Solutions = append(c.Solutions, so)
	}
	return d
}

// chainSave saves the form, and marks the analysis complete when the
// writer chose "Save and mark complete". A save from an older revision
// keeps both writers' words and says so.
func (s *Server) chainSave(w http.ResponseWriter, r *http.Request) error {
	a, personID, err := s.chainPerson(r)
	if err != nil {
		return err
	}
	cid := tend.ID(r.PathValue("cid")) // the service checks access first, then finds it (or not)
	if err := r.ParseForm(); err != nil {
		return tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	d := chainForm(r.PostForm)
	res, err := s.opt.Chains.Save(r.Context(), a, personID, cid, d)
	if tend.ErrorKind(err) == tend.EINVALID {
		c, gerr := s.opt.Chains.Get(r.Context(), a, personID, cid)
		if gerr != nil {
			return gerr
		}
		c.Content, c.Revision = withoutBlanks(d.Content), max(d.BasedOn, 0)
		return s.chainRender(w, r, a, personID, c, http.StatusBadRequest, tend.ErrorMessage(err), "", false)
	}
	if err != nil {
		return err
	}
	to := chainsPath(a, personID) + "/" + string(cid) + "?done=saved"
	if r.PostForm.Get("then") == "complete" && !res.Merged {
		if _, err := s.opt.Chains.SetComplete(r.Context(), a, personID, cid, true); err != nil {
			return err
		}
		to = chainsPath(a, personID) + "/" + string(cid) + "?done=complete"
	}
	if res.Merged {
		to = chainsPath(a, personID) + "/" + string(cid) + "?merged=1"
	}
	http.Redirect(w, r, to, http.StatusSeeOther) // #nosec G710 -- a local path of parsed ids.
	return nil
}

// chainState marks an analysis complete or reopens it (either writer).
func (s *Server) chainState(w http.ResponseWriter, r *http.Request) error {
	a, personID, err := s.chainPerson(r)
	if err != nil {
		return err
	}
	cid := tend.ID(r.PathValue("cid")) // the service checks access first, then finds it (or not)
	if err := r.ParseForm(); err != nil {
		return tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	c, err := s.opt.Chains.SetState(r.Context(), a, personID, cid, chain.State(r.PostForm.Get("state")))
	if err != nil {
		return err
	}
	k := "reopened"
	if c.Complete() {
		k = "complete"
	}
	http.Redirect(w, r, chainsPath(a, personID)+"/"+string(cid)+"?done="+k, http.StatusSeeOther) // #nosec G710 -- a local path of parsed ids.
	return nil
}

// chainHomework turns an idea that names a skill into homework, through
// the skills service.
func (s *Server) chainHomework(w http.ResponseWriter, r *http.Request) error {
	a, personID, err := s.chainPerson(r)
	if err != nil {
		return err
	}
	cid := tend.ID(r.PathValue("cid")) // the service checks access first, then finds it (or not)
	if err := r.ParseForm(); err != nil {
		return tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	f := r.PostForm
	req := chain.HomeworkRequest{SolutionID: f.Get("solution"), Due: f.Get("due"), Note: f.Get("note")}
	req.PerWeek, err = skills.ParsePerWeek(f.Get("per_week"))
	if err == nil {
		_, err = s.opt.Chains.MakeHomework(r.Context(), a, personID, cid, req)
	}
	if tend.ErrorKind(err) == tend.EINVALID {
		c, gerr := s.opt.Chains.Get(r.Context(), a, personID, cid)
		if gerr != nil {
			return gerr
		}
		return s.chainRender(w, r, a, personID, c, http.StatusBadRequest, tend.ErrorMessage(err), "", false)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, chainsPath(a, personID)+"/"+string(cid)+"?done=homework", http.StatusSeeOther) // #nosec G710 -- a local path of parsed ids.
	return nil
}

// withoutBlanks drops the empty rows of a form sent back with a problem,
// so that the page offers fresh blank rows once.
func withoutBlanks(c chain.Content) chain.Content {
	c.Links = slices.DeleteFunc(c.Links, func(l chain.Link) bool { return strings.TrimSpace(l.Text) == "" })
	c.Solutions = slices.DeleteFunc(c.Solutions, func(s chain.Solution) bool {
		return strings.TrimSpace(s.Text) == "" && strings.TrimSpace(s.SkillID) == ""
	})
	return c
}

// chainMessageIDs are the message ids this file builds from names, for the
// start-up check of the catalogue.
func chainMessageIDs() []string {
	ids := []string{"chain.section.behaviour_on", "chain.done_saved", "chain.done_complete", "chain.done_reopened", "chain.done_homework",
		"chain.opened_by", "chain.link_label", "chain.general", "chain.who_staff", "chain.who_only_you", "chain.who_readers", "chain.reader", "chain.title",
		"chain.my_title", "chain.staff_title"}
	var c chain.Content
	for _, sec := range c.Sections() {
		ids = append(ids, "chain.section."+sec.Name, "chain.hint."+sec.Name)
	}
	for _, t := range chain.LinkTypes {
		ids = append(ids, t.MessageID())
	}
	return ids
}
