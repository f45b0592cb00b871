package web

import (
	"net/http"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/followup"
)

// Safety prompts (safety-rules.md section 4): what each trigger does for
// one person, shown to the person and set by their clinician; the
// triggers kept for the next session; the team queue of tasks nobody can
// take.

// promptView is one trigger's setting as a page shows it.
type promptView struct {
	Kind     string // the kind, for form names
	Label    string // "recorded a self-harm act"
	Response string // the response, for selects
	Says     string // what it does, in the reader's words
	SetBy    string // "Lee changed this on 3 March 2026", when a clinician set it
	Person   string // the person's own setting, "" for the service's
}

func (s *Server) promptViews(prompts []followup.Prompt, level int, forPerson bool) []promptView {
	p := s.printer()
	st, _ := s.opt.Settings.Get()
	who := "staff"
	if forPerson {
		who = "person"
	}
	var out []promptView
	for _, pr := range prompts {
		v := promptView{Kind: string(pr.Kind), Response: string(pr.Response),
			Says: p.T("prompts." + who + "." + string(pr.Response))}
		if forPerson {
			v.Label = p.T("prompts.person_kind." + string(pr.Kind))
			if pr.Kind == followup.KindUrgeToDie {
				v.Label = p.T("prompts.person_kind.urge_to_die", level)
			}
		} else {
			v.Label = p.T("task.kind." + string(pr.Kind))
			if pr.Kind == followup.KindUrgeToDie {
				v.Label = p.T("prompts.staff_urge_level", v.Label, level)
			}
		}
		if pr.Person != nil {
			v.Person = string(pr.Person.Response)
			v.SetBy = p.T("prompts.set_by", pr.Person.SetByName, pr.Person.SetAt.In(st.Location()).Format("2 January 2006"))
		}
		out = append(out, v)
	}
	return out
}

type myPromptsPage struct {
	Base
	Prompts []promptView
}

// myPromptsShow tells the person what happens when they record an act, an
// urge to end their life, an answer about being better off dead, or ask to
// be contacted, and whether their clinician changed it.
func (s *Server) myPromptsShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	prompts, err := s.opt.FollowUp.Prompts(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	page := &myPromptsPage{Base: Base{Title: s.printer().T("prompts.title"), QuickExit: true},
		Prompts: s.promptViews(prompts, s.opt.FollowUp.UrgeToDieLevel(), true)}
	return s.render(w, r, http.StatusOK, "me_prompts", page)
}

type flagView struct {
	ID                 tend.ID
	Kind               string
	Recorded, Received string
}

type clinicPromptsPage struct {
	Base
	ID        tend.ID
	Username  string
	Prompts   []promptView
	Responses []followup.Response
	Flags     []flagView
	MaySet    bool // the caller may change the settings (the person's clinicians)
	Saved     bool
	Problem   string
}

// clinicPromptsShow is a person's safety prompts and the triggers kept for
// their next session, for their care team.
func (s *Server) clinicPromptsShow(w http.ResponseWriter, r *http.Request) error {
	return s.clinicPromptsRender(w, r, http.StatusOK, "")
}

func (s *Server) clinicPromptsRender(w http.ResponseWriter, r *http.Request, status int, problem string) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	v, err := s.opt.CareTeam.Person(r.Context(), a, id)
	if err != nil {
		return err
	}
	prompts, err := s.opt.FollowUp.Prompts(r.Context(), a, id)
	if err != nil {
		return err
	}
	flags, err := s.opt.FollowUp.Flags(r.Context(), a, id)
	if err != nil {
		return err
	}
	p := s.printer()
	st, _ := s.opt.Settings.Get()
	page := &clinicPromptsPage{Base: Base{Title: p.T("prompts.staff_title", v.Username)}, ID: id, Username: v.Username,
		Prompts: s.promptViews(prompts, s.opt.FollowUp.UrgeToDieLevel(), false), Responses: followup.Responses,
		Saved: r.URL.Query().Get("saved") == "1", Problem: problem, MaySet: s.opt.FollowUp.CheckSetRules(r.Context(), a, id) == nil}
	const layout = "Mon 2 Jan 2006 15:04"
	for _, f := range flags {
		page.Flags = append(page.Flags, flagView{ID: f.ID, Kind: p.T("task.kind." + string(f.Kind)),
			Recorded: p.T("task.recorded_at", f.RecordedAt.In(st.Location()).Format(layout)),
			Received: p.T("task.received_at", f.ReceivedAt.In(st.Location()).Format(layout))})
	}
	return s.render(w, r, status, "clinic_prompts", page)
}

// clinicPromptsUpdate sets the person's safety prompts: each select either
// keeps the service's setting ("") or names a response. Only changes are
// saved (and audited).
func (s *Server) clinicPromptsUpdate(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	if err := s.opt.FollowUp.CheckSetRules(r.Context(), a, id); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Wrap(tend.EINVALID, err, "That form could not be read.")
	}
	prompts, err := s.opt.FollowUp.Prompts(r.Context(), a, id)
	if err != nil {
		return err
	}
	for _, pr := range prompts {
		vals, ok := r.PostForm["prompt."+string(pr.Kind)]
		if !ok {
			continue
		}
		cur := followup.Response("")
		if pr.Person != nil {
			cur = pr.Person.Response
		}
		want := followup.Response(vals[0])
		if want == cur {
			continue
		}
		err := s.opt.FollowUp.SetPersonRule(r.Context(), a, id, pr.Kind, want)
		if tend.ErrorKind(err) == tend.EINVALID {
			return s.clinicPromptsRender(w, r, http.StatusBadRequest, tend.ErrorMessage(err))
		}
		if err != nil {
			return err
		}
	}
	http.Redirect(w, r, "/clinic/people/"+string(id)+"/safety-prompts?saved=1", http.StatusSeeOther) // #nosec G710 -- a local path; id is a parsed UUID.
	return nil
}

// flagDiscussed marks a trigger kept for the next session as gone through.
func (s *Server) flagDiscussed(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	flag, err := tend.ParseID(r.PathValue("flag"))
	if err != nil {
		return tend.ErrNotFound
	}
	if err := s.opt.FollowUp.MarkFlagDiscussed(r.Context(), a, id, flag); err != nil {
		return err
	}
	http.Redirect(w, r, "/clinic/people/"+string(id)+"/safety-prompts", http.StatusSeeOther) // #nosec G710 -- a local path; id is a parsed UUID.
	return nil
}

type queuePage struct {
	Base
	Tasks   []taskView
	Problem string
}

// queueShow is the team queue: tasks that reach nobody now, for the leads
// of the people's teams, oldest first.
func (s *Server) queueShow(w http.ResponseWriter, r *http.Request) error {
	return s.queueRender(w, r, http.StatusOK, "")
}

func (s *Server) queueRender(w http.ResponseWriter, r *http.Request, status int, problem string) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	tasks, err := s.opt.FollowUp.Queue(r.Context(), a)
	if err != nil {
		return err
	}
	st, _ := s.opt.Settings.Get()
	page := &queuePage{Base: Base{Title: s.printer().T("prompts.queue_title")}, Problem: problem}
	for _, t := range tasks {
		page.Tasks = append(page.Tasks, s.taskView(t, st.Location()))
	}
	return s.render(w, r, status, "clinic_queue", page)
}

// taskReroute sends a task from the queue to whoever can take it now.
func (s *Server) taskReroute(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	_, err = s.opt.FollowUp.Reroute(r.Context(), a, id)
	if tend.ErrorKind(err) == tend.ECONFLICT {
		return s.queueRender(w, r, http.StatusConflict, tend.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/clinic/queue", http.StatusSeeOther)
	return nil
}

// safetyPage is what the person sees at once after a save that contains a
// trigger (safety-rules.md section 4), whatever the trigger's setting:
// physical safety first for an act today or yesterday; their safety plan or
// the default card; the help options; and who will see it, and when.
type safetyPage struct {
	planPage
	// PhysicalFirst: an act recorded for today or yesterday.
	PhysicalFirst bool
	// EarlierAct: an act recorded for an earlier day: no urgent screen.
	EarlierAct bool
	// Who sees it: NoRoute (nobody will), NextSession (kept for the next
	// session), NotSent (the setting sends nothing), else NextRead.
	NoRoute, NextSession, NotSent bool
	Duty                          bool
	NextRead                      string
}

// safetyScreen renders the safety screen for outcome. actDay is the
// person's civil date of a recorded act, nil for other triggers.
func (s *Server) safetyScreen(w http.ResponseWriter, r *http.Request, a tend.Actor, out followup.Outcome, actDay *time.Time) error {
	pp, err := s.planPage(r, a, a.ID)
	if err != nil {
		return err
	}
	page := &safetyPage{planPage: *pp}
	page.Title = s.printer().T("screen.title")
	page.QuickExit = true
	if actDay != nil {
		loc, err := s.personZone(r)
		if err != nil {
			return err
		}
		page.PhysicalFirst = recentDay(*actDay, s.opt.Clock.Now(), loc)
		page.EarlierAct = !page.PhysicalFirst
	}
	switch {
	case out.Response == followup.ResponseNone:
		page.NotSent = true
	case out.Route == followup.RouteNone:
		page.NoRoute = true
	case out.Response == followup.ResponseNextSession:
		page.NextSession = true
	default:
		page.Duty = out.Route == followup.RouteDuty
		page.NextRead = s.nextRead(s.opt.Clock.Now())
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "me_safety", page)
}

// recentDay reports whether day (a civil date) is today or yesterday in
// loc at now.
func recentDay(day, now time.Time, loc *time.Location) bool {
	y, m, d := now.In(loc).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	dy, dm, dd := day.Date()
	act := time.Date(dy, dm, dd, 0, 0, 0, 0, time.UTC)
	return !act.Before(today.AddDate(0, 0, -1)) && !act.After(today)
}
