package web

import (
	"net/http"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/followup"
)

// The message ids this file builds at run time.
var followUpMessageIDs = []string{
	"task.kind.contact_request", "task.kind.act", "task.kind.urge_to_die", "task.kind.phq9_item9", "task.kind.questionnaire_item", "task.see_answers",
	"task.contact.call", "task.contact.text", "task.contact.next_session",
	"task.state.open", "task.state.acknowledged", "task.state.resolved",
	"task.route.care_team", "task.route.duty", "task.route.none",
	"contact.title", "contact.sent_title", "task.title", "task.detail_title",
	"contact.next_read_now", "contact.next_read_today", "contact.next_read_day", "contact.next_read_unknown",
	"contact.morning", "contact.afternoon", "contact.evening", "contact.how_chosen",
}

// withFollowUp answers "not found" when the server runs without the
// follow-up service (tests of other areas), rather than failing on nil.
func (s *Server) withFollowUp(fn func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.opt.FollowUp == nil {
			return tend.ErrNotFound
		}
		return fn(w, r)
	}
}

type contactPage struct {
	Base
	Notice  bool   // show the first-use notice first
	Key     string // the idempotency key of this form
	NoRoute bool   // nobody would see a request now
	Problem string
}

// contactShow is "Ask my care team to contact me": the first-use notice of
// safety-rules.md section 3 once, then the form.
func (s *Server) contactShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	return s.contactForm(w, r, a, http.StatusOK, "")
}

func (s *Server) contactForm(w http.ResponseWriter, r *http.Request, a tend.Actor, status int, problem string) error {
	seen, err := s.opt.FollowUp.NoticeSeen(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	reach, err := s.opt.FollowUp.Preview(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	page := &contactPage{Base: Base{Title: s.printer().T("contact.title"), QuickExit: true},
		Notice: !seen, Key: randomHex(16), NoRoute: reach.Route == followup.RouteNone, Problem: problem}
	return s.render(w, r, status, "me_contact", page)
}

// contactNoticeSeen records that the person read the first-use notice.
func (s *Server) contactNoticeSeen(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	if err := s.opt.FollowUp.MarkNoticeSeen(r.Context(), a, a.ID); err != nil {
		return err
	}
	http.Redirect(w, r, "/me/contact", http.StatusSeeOther)
	return nil
}

// contactCreate sends the request. A double submit carries the same
// Idempotency-Key and adds nothing.
func (s *Server) contactCreate(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Wrap(tend.EINVALID, err, "That form could not be read.")
	}
	req := followup.ContactRequest{Method: followup.ContactMethod(r.PostForm.Get("method")), Key: r.PostForm.Get("idempotency_key")}
	if t, err := time.Parse(time.RFC3339, r.PostForm.Get("recorded_at")); err == nil {
		req.RecordedAt = t
	}
	_, err = s.opt.FollowUp.RequestContact(r.Context(), a, a.ID, req)
	if k := tend.ErrorKind(err); k == tend.EINVALID || k == tend.ECONFLICT {
		return s.contactForm(w, r, a, http.StatusBadRequest, tend.ErrorMessage(err))
	}
	if tend.ErrorKind(err) == tend.ERATELIMITED {
		// Earlier requests already reached the open task: say so, and
		// lead with the help options as the confirmation does.
		return s.contactSent(w, r, a, http.StatusTooManyRequests, tend.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/me/contact/sent?how="+string(req.Method), http.StatusSeeOther)
	return nil
}

type contactSentPage struct {
	Base
	helpOptions
	NoRoute     bool
	Duty        bool
	NextSession bool // the service or clinician keeps requests for the next session
	NextRead    string
	How         string
	Limited     string // why this request added nothing (too many in an hour)
}

// contactSentShow is the confirmation: help first (danger now, someone to
// talk to now), then when the care team will read it, or, when no one can,
// that no one will.
func (s *Server) contactSentShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	return s.contactSent(w, r, a, http.StatusOK, "")
}

func (s *Server) contactSent(w http.ResponseWriter, r *http.Request, a tend.Actor, status int, limited string) error {
	reach, err := s.opt.FollowUp.Preview(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	p := s.printer()
	st, _ := s.opt.Settings.Get()
	page := &contactSentPage{Base: Base{Title: p.T("contact.sent_title"), QuickExit: true},
		NoRoute: reach.Route == followup.RouteNone, Duty: reach.Route == followup.RouteDuty,
		NextSession: reach.Response == followup.ResponseNextSession && reach.Route == followup.RouteCareTeam, Limited: limited}
	if m := followup.ContactMethod(r.URL.Query().Get("how")); m.Valid() {
		page.How = p.T("contact.how_chosen", p.T("task.contact."+string(m)))
	}
	country := reach.Country
	if country == "" {
		country = st.Country
	}
	page.helpOptions = s.helpOptionsFor(&page.Base, country, false)
	// The service's own emergency wording and out-of-hours route go with
	// a request to the service whatever the person's country.
	page.ServiceEmergency, page.OutOfHours = st.Emergency, st.OutOfHours
	if !page.NoRoute {
		page.NextRead = s.nextRead(s.opt.Clock.Now())
	}
	return s.render(w, r, status, "me_contact_sent", page)
}

// nextRead words when the care team will next read what arrives at now, in
// the service's zone ("Your care team will see this on Monday morning").
func (s *Server) nextRead(now time.Time) string {
	p := s.printer()
	st, _ := s.opt.Settings.Get()
	if st.Open(now) {
		return p.T("contact.next_read_now")
	}
	next := st.NextOpen(now)
	if next.IsZero() {
		return p.T("contact.next_read_unknown")
	}
	loc := st.Location()
	local, today := next.In(loc), now.In(loc)
	if local.Year() == today.Year() && local.YearDay() == today.YearDay() {
		return p.T("contact.next_read_today", local.Format("15:04"))
	}
	part := "contact.morning"
	switch {
	case local.Hour() >= 17:
		part = "contact.evening"
	case local.Hour() >= 12:
		part = "contact.afternoon"
	}
	return p.T("contact.next_read_day", p.T(dayIDs[local.Weekday()]), p.T(part))
}

// nextReadWhen is when the service next opens after now, for staff pages
// ("Mon 9 Mar 09:00"), or that it is not known.
func (s *Server) nextReadWhen(now time.Time) string {
	st, _ := s.opt.Settings.Get()
	next := st.NextOpen(now)
	if next.IsZero() {
		return s.printer().T("task.hours_unknown")
	}
	return next.In(st.Location()).Format("Mon 2 Jan 15:04")
}

type entryView struct {
	Kind, How, Recorded, Received string
	// Answers links a questionnaire entry to the response that raised it,
	// only where the person shares their questionnaires with the viewer.
	Answers string
}

type taskView struct {
	ID        tend.ID
	Username  string
	Opened    string
	State     string
	Route     string
	Open      bool // not resolved
	Pending   bool // open, not yet acknowledged
	Recipient bool
	Note      string
	Entries   []entryView
}

func (s *Server) taskView(v followup.TaskView, loc *time.Location) taskView {
	p := s.printer()
	const layout = "Mon 2 Jan 2006 15:04"
	tv := taskView{ID: v.ID, Username: v.Username, Opened: v.OpenedAt.In(loc).Format(layout), State: p.T("task.state." + string(v.State)),
		Route: p.T("task.route." + string(v.Route)), Open: v.State != followup.StateResolved, Pending: v.State == followup.StateOpen,
		Recipient: v.Recipient, Note: v.Note}
	for _, e := range v.Entries {
		ev := entryView{Kind: p.T("task.kind." + string(e.Kind)),
			Recorded: p.T("task.recorded_at", e.RecordedAt.In(loc).Format(layout)),
			Received: p.T("task.received_at", e.ReceivedAt.In(loc).Format(layout))}
		if e.Contact.Valid() {
			ev.How = p.T("task.contact." + string(e.Contact))
		}
		tv.Entries = append(tv.Entries, ev)
	}
	return tv
}

type tasksPage struct {
	Base
	Tasks []taskView
	// Hours says whether the service is open now and what people sending
	// something now are told.
	Hours string
	// Lead shows the lead's view of their teams' open tasks.
	Lead      bool
	TeamTasks []taskView
}

// tasksShow is the staff task inbox: open tasks routed to the caller or
// their duty team, oldest first, with no score, tier or colour.
func (s *Server) tasksShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	tasks, err := s.opt.FollowUp.Inbox(r.Context(), a)
	if err != nil {
		return err
	}
	if err := s.opt.FollowUp.SeeAlerts(r.Context(), a); err != nil {
		// Best effort: the inbox still shows when the database takes no
		// writes; the alert stays until the next visit.
		s.log.WarnContext(r.Context(), "alerts not marked seen", "error", err)
	}
	st, _ := s.opt.Settings.Get()
	p := s.printer()
	page := &tasksPage{Base: Base{Title: p.T("task.title")}, Lead: a.Role == tend.RoleLead}
	for _, t := range tasks {
		page.Tasks = append(page.Tasks, s.taskView(t, st.Location()))
	}
	now := s.opt.Clock.Now()
	if st.Open(now) {
		page.Hours = p.T("task.hours_open")
	} else {
		page.Hours = p.T("task.hours_closed", s.nextReadWhen(now))
	}
	team, err := s.opt.FollowUp.TeamTasks(r.Context(), a)
	if err != nil {
		return err
	}
	for _, t := range team {
		page.TeamTasks = append(page.TeamTasks, s.taskView(t, st.Location()))
	}
	return s.render(w, r, http.StatusOK, "clinic_tasks", page)
}

type taskPage struct {
	Base
	Task    taskView
	Problem string
}

// taskShow is one task's metadata, for those who may see it.
func (s *Server) taskShow(w http.ResponseWriter, r *http.Request) error {
	return s.taskRender(w, r, http.StatusOK, "")
}

func (s *Server) taskRender(w http.ResponseWriter, r *http.Request, status int, problem string) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	t, err := s.opt.FollowUp.Task(r.Context(), a, id)
	if err != nil {
		return err
	}
	st, _ := s.opt.Settings.Get()
	page := &taskPage{Base: Base{Title: s.printer().T("task.detail_title")}, Task: s.taskView(t, st.Location()), Problem: problem}
	if s.opt.Measures != nil && s.opt.Measures.CanRead(r.Context(), a, t.PersonID) {
		for i, e := range t.Entries {
			if e.Kind == followup.KindPHQ9Item9 || e.Kind == followup.KindQuestionnaireItem {
				page.Task.Entries[i].Answers = "/clinic/people/" + string(t.PersonID) + "/questionnaires/responses/" + string(e.SourceID)
			}
		}
	}
	return s.render(w, r, status, "clinic_task", page)
}

// taskAcknowledge marks a task acknowledged.
func (s *Server) taskAcknowledge(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	if err := s.opt.FollowUp.Acknowledge(r.Context(), a, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/clinic/tasks/"+string(id), http.StatusSeeOther) // #nosec G710 -- a local path; id is a parsed UUID.
	return nil
}

// taskResolve closes a task with a short note.
func (s *Server) taskResolve(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	if err := r.ParseForm(); err != nil {
		return tend.Wrap(tend.EINVALID, err, "That form could not be read.")
	}
	err = s.opt.FollowUp.Resolve(r.Context(), a, id, r.PostForm.Get("note"))
	if tend.ErrorKind(err) == tend.EINVALID {
		return s.taskRender(w, r, http.StatusBadRequest, tend.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/clinic/tasks", http.StatusSeeOther)
	return nil
}
