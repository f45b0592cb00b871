package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/episodes"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/skills"
)

// The caseload (issue 5): the people on a clinician's care teams, with
// their open follow-up task (oldest first), homework and next session,
// ordered by time or by the clinician's choice, never by a score.

// caseloadOrders are the orders a clinician can choose; the first is the
// default.
var caseloadOrders = []string{"tasks", "name", "session"}

// cookieCaseloadOrder remembers the clinician's choice on this device.
const cookieCaseloadOrder = "tend_caseload_order"

type caseView struct {
	PersonID tend.ID
	Username string
	Roles    []string
	State    string
	// Task describes the person's open follow-up task the caller can see.
	TaskID tend.ID
	Task   string
	// Homework lists the open homework the caller may read.
	Homework []string
	// NextSession is the next planned session, when the service records them.
	NextSession string

	taskAt, sessionAt time.Time
}

type orderChoice struct {
	Value, Label string
	Selected     bool
}

type clinicHomePage struct {
	Base
	Cases  []caseView
	Orders []orderChoice
	// Reports links a lead to the service outcomes report (the report
	// service decides what they may see in it).
	Reports bool
}

// clinicShow is the staff home: the people on their care teams.
func (s *Server) clinicShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	if !a.MFA {
		http.Redirect(w, r, "/signin/mfa", http.StatusSeeOther)
		return nil
	}
	order := s.caseloadOrder(w, r)
	cases, err := s.opt.CareTeam.Caseload(r.Context(), a)
	if err != nil {
		return err
	}
	p := s.printer()
	st, _ := s.opt.Settings.Get()
	loc := st.Location()
	const layout = "Mon 2 Jan 15:04"
	page := &clinicHomePage{Base: Base{Title: p.T("clinic.title")}, Reports: a.Role == tend.RoleLead && s.opt.Reports != nil}
	for _, o := range caseloadOrders {
		page.Orders = append(page.Orders, orderChoice{Value: o, Label: p.T("clinic.order." + o), Selected: o == order})
	}
	var ids []tend.ID
	for _, c := range cases {
		ids = append(ids, c.PersonID)
	}
	tasks := map[tend.ID]followup.TaskView{}
	if s.opt.FollowUp != nil {
		inbox, err := s.opt.FollowUp.Inbox(r.Context(), a)
		if err != nil {
			return err
		}
		for _, t := range inbox {
			if _, ok := tasks[t.PersonID]; !ok {
				tasks[t.PersonID] = t
			}
		}
	}
	homework := map[tend.ID][]skills.Homework{}
	if s.opt.Skills != nil {
		if homework, err = s.opt.Skills.OpenOnCaseload(r.Context(), a, ids); err != nil {
			return err
		}
	}
	sessions := map[tend.ID]episodes.Session{}
	if s.opt.Episodes != nil {
		if sessions, err = s.opt.Episodes.NextSessions(r.Context(), a, ids); err != nil {
			return err
		}
	}
	for _, c := range cases {
		v := caseView{PersonID: c.PersonID, Username: c.Username, State: p.T("state." + string(c.State))}
		if next, ok := sessions[c.PersonID]; ok {
			v.sessionAt = next.HeldOn
			v.NextSession = p.T("clinic.session", next.HeldOn.Format("Mon 2 Jan"), p.T("episodes.session."+string(next.Kind)))
		}
		for _, role := range c.Roles {
			v.Roles = append(v.Roles, p.T("role."+string(role)))
		}
		if t, ok := tasks[c.PersonID]; ok {
			v.TaskID, v.taskAt = t.ID, t.OpenedAt
			v.Task = p.T("clinic.task", p.T("task.state."+string(t.State)), t.OpenedAt.In(loc).Format(layout), len(t.Entries))
		}
		for _, h := range homework[c.PersonID] {
			v.Homework = append(v.Homework, s.homeworkSummary(h))
		}
		page.Cases = append(page.Cases, v)
	}
	sortCases(page.Cases, order)
	return s.render(w, r, http.StatusOK, "clinic_home", page)
}

// caseloadOrder reads the order asked for (remembering it on this device)
// or the one remembered, else the default.
func (s *Server) caseloadOrder(w http.ResponseWriter, r *http.Request) string {
	if o := r.URL.Query().Get("order"); slices.Contains(caseloadOrders, o) {
		http.SetCookie(w, &http.Cookie{ // #nosec G124 -- HttpOnly and SameSite always; Secure on https.
			Name: cookieCaseloadOrder, Value: o, Path: "/clinic", MaxAge: 400 * 24 * 3600,
			HttpOnly: true, Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode})
		return o
	}
	if c, err := r.Cookie(cookieCaseloadOrder); err == nil && slices.Contains(caseloadOrders, c.Value) {
		return c.Value
	}
	return caseloadOrders[0]
}

// sortCases orders the caseload: by open task, oldest first, then the
// rest by name; by name; or by next session, soonest first. Never by a
// score.
func sortCases(cs []caseView, order string) {
	byName := func(a, b caseView) int { return strings.Compare(a.Username, b.Username) }
	byTime := func(a, b time.Time) int {
		switch {
		case a.IsZero() && b.IsZero():
			return 0
		case a.IsZero():
			return 1
		case b.IsZero():
			return -1
		}
		return a.Compare(b)
	}
	slices.SortStableFunc(cs, func(a, b caseView) int {
		switch order {
		case "tasks":
			if c := byTime(a.taskAt, b.taskAt); c != 0 {
				return c
			}
		case "session":
			if c := byTime(a.sessionAt, b.sessionAt); c != 0 {
				return c
			}
		}
		return byName(a, b)
	})
}

// homeworkSummary words one piece of open homework for the caseload.
func (s *Server) homeworkSummary(h skills.Homework) string {
	p := s.printer()
	name := h.SkillID
	if h.Worksheet != "" {
		name = p.T("skills.worksheet." + h.Worksheet + ".name")
	} else if sk, ok := skills.Find(h.SkillID); ok {
		name = p.T(sk.NameID())
	}
	if h.Due != "" {
		if d, err := time.Parse(time.DateOnly, h.Due); err == nil {
			return p.T("clinic.homework_due", name, d.Format("Mon 2 Jan"))
		}
	}
	if h.PerWeek >= 7 {
		return p.T("clinic.homework_daily", name)
	}
	return p.T("clinic.homework_often", name, h.PerWeek)
}
