package web

import (
	"net/http"
	"strings"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/safetyplan"
)

// planStepIDs are the message ids of each step's heading and prompt.
var planStepIDs = [safetyplan.Steps]string{"plan.step1", "plan.step2", "plan.step3", "plan.step4", "plan.step5", "plan.step6"}

type planStep struct {
	Number  int
	Heading string
	Prompt  string
	Field   string
	Entries []string
	Text    string // the entries one a line, for the form
}

type planView struct {
	Exists        bool
	Version       int
	MostImportant string
	Reasons       []string
	ReasonsText   string
	Likely        string
	Steps         []planStep
	SavedAt       string
	SavedBy       string
	ReviewedAt    string
	ReviewedBy    string
}

type planPage struct {
	Base
	Plan     planView
	Contacts helpOptions
	Starters []string
	Merged   bool
	Saved    bool
	Problem  string
	// Staff pages name the person; the person's own pages leave these empty.
	PersonID tend.ID
	Username string
	MayEdit  bool
	Action   string
	// KeptOnDevice: the person keeps a copy on this device, made at KeptAt.
	KeptOnDevice bool
	KeptAt       string
	// Copies lists who has a copy of parts of the plan (the person's
	// supporters, safety-plan.md "who has a copy"), on the person's page.
	Copies []planCopy
}

// planCopy is one supporter who was given parts of the plan.
type planCopy struct {
	Invited string
	Items   []string
}

type planHistoryPage struct {
	Base
	Versions []planView
}

// planPage loads personID's plan page for actor.
func (s *Server) planPage(r *http.Request, a tend.Actor, personID tend.ID) (*planPage, error) {
	p := s.printer()
	page := &planPage{Base: Base{Title: p.T("plan.title")}, Contacts: s.planContacts(r)}
	pl, ok, err := s.opt.SafetyPlan.Current(r.Context(), a, personID)
	if err != nil {
		return nil, err
	}
	page.Plan = s.planViewOf(pl)
	if !ok {
		// No plan yet: the service's default card, never an empty plan.
		page.Starters = []string{p.T("plan.starter1"), p.T("plan.starter2"), p.T("plan.starter3")}
	}
	return page, nil
}

func (s *Server) planViewOf(pl safetyplan.Plan) planView {
	p := s.printer()
	v := planView{Exists: pl.Version > 0, Version: pl.Version, MostImportant: pl.MostImportant, Reasons: pl.Reasons,
		ReasonsText: strings.Join(pl.Reasons, "\n"), Likely: pl.Likely}
	for i, entries := range pl.Steps {
		v.Steps = append(v.Steps, planStep{Number: i + 1, Heading: p.T(planStepIDs[i] + ".heading"), Prompt: p.T(planStepIDs[i] + ".prompt"),
			Field: safetyplan.Sections[i], Entries: entries, Text: strings.Join(entries, "\n")})
	}
	if pl.Version > 0 {
		v.SavedAt = pl.SavedAt.Format("2 January 2006, 15:04")
		v.SavedBy = p.T("plan.saved_by_you")
		if pl.SavedByKind == tend.KindStaff {
			v.SavedBy = pl.SavedByName
		}
	}
	if pl.Review != nil {
		v.ReviewedAt = pl.Review.ReviewedAt.Format("2 January 2006")
		v.ReviewedBy = pl.Review.ReviewerName
	}
	return v
}

// planContacts builds step 5's contacts from memory (settings cache and
// the embedded crisis lines), as the help page does, for the person's
// country: the help page's remembered choice, else the service's.
func (s *Server) planContacts(r *http.Request) helpOptions {
	st, _ := s.opt.Settings.Get()
	code := st.Country
	if c, err := r.Cookie(cookieCountry); err == nil && sanitizeCountry(c.Value) != "" {
		code = sanitizeCountry(c.Value)
	}
	return s.helpOptionsFor(nil, code, false)
}

// planShow is "My safety plan": the person's plan, or the service's
// default card when there is none yet.
func (s *Server) planShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	page, err := s.planPage(r, a, a.ID)
	if err != nil {
		return err
	}
	page.QuickExit = true
	page.Merged = r.URL.Query().Get("merged") == "1"
	page.Saved = r.URL.Query().Get("saved") == "1"
	if page.Copies, err = s.planCopies(r, a); err != nil {
		return err
	}
	if err := s.planOffline(w, r, a, page); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "me_plan", page)
}

// planEdit is the form for the person's plan, with the version it is based on.
func (s *Server) planEdit(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	page, err := s.planPage(r, a, a.ID)
	if err != nil {
		return err
	}
	page.QuickExit = true
	page.Action = "/me/plan"
	page.Title = s.printer().T("plan.edit_title")
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "me_plan_edit", page)
}

// planForm reads a plan form: each list one entry a line.
func planForm(r *http.Request) (string, safetyplan.Content, error) {
	if err := r.ParseForm(); err != nil {
		return "", safetyplan.Content{}, tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	lines := func(name string) []string {
		return strings.Split(strings.ReplaceAll(r.PostForm.Get(name), "\r\n", "\n"), "\n")
	}
	var c safetyplan.Content
	for i := range c.Steps {
		c.Steps[i] = lines(safetyplan.Sections[i])
	}
	c.MostImportant = r.PostForm.Get("most_important")
	c.Reasons = lines("reasons")
	c.Likely = r.PostForm.Get("likely")
	return r.PostForm.Get("version"), c, nil
}

// planSave saves the person's plan as a new version.
func (s *Server) planSave(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	version, c, err := planForm(r)
	if err != nil {
		return err
	}
	res, err := s.opt.SafetyPlan.Save(r.Context(), a, a.ID, version, c)
	if tend.ErrorKind(err) == tend.EINVALID {
		page, perr := s.planPage(r, a, a.ID)
		if perr != nil {
			return perr
		}
		page.QuickExit, page.Action, page.Problem = true, "/me/plan", tend.ErrorMessage(err)
		return s.render(w, r, http.StatusBadRequest, "me_plan_edit", page)
	}
	if err != nil {
		return err
	}
	to := "/me/plan?saved=1"
	if res.Merged {
		to = "/me/plan?merged=1"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// planHistory lists every version of the person's plan, newest first.
func (s *Server) planHistory(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	versions, err := s.opt.SafetyPlan.Versions(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	page := &planHistoryPage{Base: Base{Title: s.printer().T("plan.history_title"), QuickExit: true}}
	for _, v := range versions {
		page.Versions = append(page.Versions, s.planViewOf(v))
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "me_plan_history", page)
}

// clinicPlanShow is a person's plan as a care-team member sees it (read
// per sharing, audited), with the form when they may edit it.
func (s *Server) clinicPlanShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	page, err := s.clinicPlanPage(r, a, id)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "clinic_plan", page)
}

func (s *Server) clinicPlanPage(r *http.Request, a tend.Actor, id tend.ID) (*planPage, error) {
	page, err := s.planPage(r, a, id)
	if err != nil {
		return nil, err
	}
	v, err := s.opt.CareTeam.Person(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	page.PersonID, page.Username, page.Title = id, v.Username, v.Username
	page.MayEdit = s.opt.SafetyPlan.MayEdit(r.Context(), a, id)
	page.Action = "/clinic/people/" + string(id) + "/plan"
	page.Merged = r.URL.Query().Get("merged") == "1"
	page.Saved = r.URL.Query().Get("saved") == "1"
	return page, nil
}

// clinicPlanSave saves a person's plan as a care-team member with
// see-and-edit on it.
func (s *Server) clinicPlanSave(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	version, c, err := planForm(r)
	if err != nil {
		return err
	}
	res, err := s.opt.SafetyPlan.Save(r.Context(), a, id, version, c)
	if tend.ErrorKind(err) == tend.EINVALID {
		page, perr := s.clinicPlanPage(r, a, id)
		if perr != nil {
			return perr
		}
		page.Problem = tend.ErrorMessage(err)
		return s.render(w, r, http.StatusBadRequest, "clinic_plan", page)
	}
	if err != nil {
		return err
	}
	to := "/clinic/people/" + string(id) + "/plan?saved=1"
	if res.Merged {
		to = "/clinic/people/" + string(id) + "/plan?merged=1"
	}
	http.Redirect(w, r, to, http.StatusSeeOther) // #nosec G710 -- a local path with a parsed id.
	return nil
}

// clinicPlanReviewed marks the person's plan reviewed (a separate,
// audited action).
func (s *Server) clinicPlanReviewed(w http.ResponseWriter, r *http.Request) error {
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
	if _, err := s.opt.SafetyPlan.MarkReviewed(r.Context(), a, id, r.PostForm.Get("version")); err != nil {
		return err
	}
	http.Redirect(w, r, "/clinic/people/"+string(id)+"/plan?saved=1", http.StatusSeeOther) // #nosec G710 -- a local path with a parsed id.
	return nil
}

// planCopies lists the person's supporters who hold parts of the plan.
func (s *Server) planCopies(r *http.Request, a tend.Actor) ([]planCopy, error) {
	sups, err := s.opt.CareTeam.Supporters(r.Context(), a, a.ID)
	if err != nil {
		return nil, err
	}
	loc, err := s.personZone(r)
	if err != nil {
		return nil, err
	}
	p := s.printer()
	var out []planCopy
	for _, sup := range sups {
		var items []string
		for _, it := range sup.Items {
			if strings.HasPrefix(string(it), "safety_plan.") || it == access.ItemWhoToCall {
				items = append(items, p.T("supporter.item."+string(it)))
			}
		}
		if len(items) > 0 {
			out = append(out, planCopy{Invited: p.T("supporter.invited_on", sup.CreatedAt.In(loc).Format("2 January 2006")), Items: items})
		}
	}
	return out, nil
}
