package web

import (
	"net/http"
	"strings"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/groups"
)

// withGroups answers "not found" when the server runs without the groups
// service (tests of other areas), rather than failing on nil.
func (s *Server) withGroups(fn func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.opt.Groups == nil {
			return tend.ErrNotFound
		}
		return fn(w, r)
	}
}

type groupsPage struct {
	Base
	Groups  []groups.Group
	Form    groupForm
	Problem string
	Done    bool
}

type groupForm struct{ Name, Kind, Schedule string }

// groupsShow lists the groups the signed-in clinician runs, with the form
// to start one.
func (s *Server) groupsShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	return s.groupsPage(w, r, a, http.StatusOK, groupForm{Kind: s.printer().T("groups.kind_default")}, "")
}

func (s *Server) groupsPage(w http.ResponseWriter, r *http.Request, a tend.Actor, status int, form groupForm, problem string) error {
	list, err := s.opt.Groups.Mine(r.Context(), a)
	if err != nil {
		return err
	}
	page := &groupsPage{Base: Base{Title: s.printer().T("groups.title")}, Groups: list, Form: form, Problem: problem, Done: r.URL.Query().Get("done") == "created"}
	return s.render(w, r, status, "clinic_groups", page)
}

// groupCreate starts a group the signed-in clinician runs.
func (s *Server) groupCreate(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	f := groupForm{Name: r.PostForm.Get("name"), Kind: r.PostForm.Get("kind"), Schedule: r.PostForm.Get("schedule")}
	g, err := s.opt.Groups.Create(r.Context(), a, f.Name, f.Kind, f.Schedule)
	if tend.ErrorKind(err) == tend.EINVALID {
		return s.groupsPage(w, r, a, http.StatusBadRequest, f, tend.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/clinic/groups/"+string(g.ID)+"?done=created", http.StatusSeeOther) // #nosec G710 -- a local path with a new id.
	return nil
}

type attendanceRow struct {
	PersonID tend.ID
	Username string
	Status   string // the status recorded, translated; "" when none
}

type meetingView struct {
	HeldOn string
	Rows   []attendanceRow
}

type groupPage struct {
	Base
	Group    groups.Group
	Members  []groups.Member
	Meetings []meetingView
	Enrol    []groups.Member
	Statuses []option
	Key      string
	Today    string
	Problem  string
	Done     string
}

// groupShow is a group as its facilitator keeps it: members, enrolment
// and attendance per meeting. Nobody else may open it.
func (s *Server) groupShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	done := ""
	switch r.URL.Query().Get("done") {
	case "created":
		done = s.printer().T("groups.created")
	case "enrolled":
		done = s.printer().T("groups.enrolled")
	case "recorded":
		done = s.printer().T("groups.recorded")
	}
	return s.groupPage(w, r, a, http.StatusOK, "", done)
}

func (s *Server) groupPage(w http.ResponseWriter, r *http.Request, a tend.Actor, status int, problem, done string) error {
	d, err := s.opt.Groups.Detail(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	p := s.printer()
	st, _ := s.opt.Settings.Get()
	page := &groupPage{Base: Base{Title: d.Name}, Group: d.Group, Members: d.Members, Enrol: d.Candidates, Key: string(tend.NewID()),
		Today: s.opt.Clock.Now().In(st.Location()).Format("2006-01-02"), Problem: problem, Done: done}
	for _, v := range groups.Statuses {
		page.Statuses = append(page.Statuses, option{Value: string(v), Label: p.T("groups.status." + string(v))})
	}
	for _, m := range d.Meetings {
		mv := meetingView{HeldOn: civilDate(m.HeldOn)}
		for _, mem := range d.Members {
			row := attendanceRow{PersonID: mem.PersonID, Username: mem.Username}
			if v, ok := m.Attendance[mem.PersonID]; ok {
				row.Status = p.T("groups.status." + string(v))
			}
			mv.Rows = append(mv.Rows, row)
		}
		page.Meetings = append(page.Meetings, mv)
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, status, "clinic_group", page)
}

// groupEnrol enrols a person the facilitator is group facilitator for.
func (s *Server) groupEnrol(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	err = s.opt.Groups.Enrol(r.Context(), a, r.PathValue("id"), r.PostForm.Get("person"))
	if tend.ErrorKind(err) == tend.EINVALID {
		return s.groupPage(w, r, a, http.StatusBadRequest, tend.ErrorMessage(err), "")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/clinic/groups/"+r.PathValue("id")+"?done=enrolled", http.StatusSeeOther) // #nosec G710 -- the group id was found.
	return nil
}

// groupAttendance records attendance at one meeting: status-<person> fields
// for each member, the meeting's date and the form's idempotency key.
func (s *Server) groupAttendance(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	m := groups.Marks{HeldOn: r.PostForm.Get("held_on"), Key: r.PostForm.Get("key"), Status: map[tend.ID]groups.Status{}}
	for k, vs := range r.PostForm {
		pid, ok := strings.CutPrefix(k, "status-")
		if !ok || len(vs) == 0 || vs[0] == "" {
			continue
		}
		id, err := tend.ParseID(pid)
		if err != nil {
			return tend.Errorf(tend.EINVALID, "The form could not be read.")
		}
		m.Status[id] = groups.Status(vs[0])
	}
	_, err = s.opt.Groups.Record(r.Context(), a, r.PathValue("id"), m)
	if tend.ErrorKind(err) == tend.EINVALID {
		return s.groupPage(w, r, a, http.StatusBadRequest, tend.ErrorMessage(err), "")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/clinic/groups/"+r.PathValue("id")+"?done=recorded", http.StatusSeeOther) // #nosec G710 -- the group id was found.
	return nil
}

type personGroupsPage struct {
	Base
	PersonID   tend.ID
	Username   string
	Groups     []groups.Enrolment
	Attendance []personAttendanceRow
}

type personAttendanceRow struct {
	Group, Kind, HeldOn, Status string
}

func (s *Server) personGroupsView(v groups.PersonView) ([]groups.Enrolment, []personAttendanceRow) {
	p := s.printer()
	var rows []personAttendanceRow
	for _, a := range v.Attendance {
		rows = append(rows, personAttendanceRow{Group: a.GroupName, Kind: a.GroupKind, HeldOn: civilDate(a.HeldOn), Status: p.T("groups.status." + string(a.Status))})
	}
	return v.Groups, rows
}

// clinicPersonGroupsShow is a person's groups and attendance, for their
// therapist and group facilitator; each read is audited.
func (s *Server) clinicPersonGroupsShow(w http.ResponseWriter, r *http.Request) error {
	a, id, err := staffPerson(r)
	if err != nil {
		return err
	}
	v, err := s.opt.Groups.ForPerson(r.Context(), a, id)
	if err != nil {
		return err
	}
	pv, err := s.opt.CareTeam.Person(r.Context(), a, id)
	if err != nil {
		return err
	}
	page := &personGroupsPage{Base: Base{Title: s.printer().T("groups.person_title", pv.Username)}, PersonID: id, Username: pv.Username}
	page.Groups, page.Attendance = s.personGroupsView(v)
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "clinic_person_groups", page)
}

// myGroupsShow is the person's own groups and attendance.
func (s *Server) myGroupsShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	v, err := s.opt.Groups.ForPerson(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	page := &personGroupsPage{Base: Base{Title: s.printer().T("groups.my_title"), QuickExit: true}}
	page.Groups, page.Attendance = s.personGroupsView(v)
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "me_groups", page)
}
