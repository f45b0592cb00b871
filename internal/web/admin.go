package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/episodes"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/notify"
	"github.com/tendcare/tend/internal/rights"
	"github.com/tendcare/tend/internal/settings"
)

// The admin pages: staff, invites, teams, care teams and the service's
// settings. Admins see no clinical data here: people appear by username and
// team only. Every page first loads its data through a domain service, which
// decides access (non-admin staff get 403), so a POST from anyone else is
// refused before it changes anything. Secrets (one-time passwords, invite
// codes) are shown once, in the answer to the POST that made them, and never
// cached; every other POST redirects.

// adminActor returns the signed-in staff member. A staff member who has not
// passed their second factor is sent to finish it (GET) or refused by the
// services (POST).
func adminActor(w http.ResponseWriter, r *http.Request) (tend.Actor, bool, error) {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return tend.Actor{}, false, err
	}
	if !a.MFA && r.Method == http.MethodGet {
		http.Redirect(w, r, "/signin/mfa", http.StatusSeeOther)
		return tend.Actor{}, true, nil
	}
	return a, false, nil
}

// shownInPlace reports whether err is one a form shows next to itself (bad
// input, a conflict, or a refusal the service explains in words), and the
// status to answer with.
func shownInPlace(err error, kinds ...string) (int, bool) {
	k := tend.ErrorKind(err)
	for _, want := range append([]string{tend.EINVALID, tend.ECONFLICT}, kinds...) {
		if k == want {
			return codes[k], true
		}
	}
	return 0, false
}

// noStore keeps a page holding a secret out of every cache.
func noStore(w http.ResponseWriter) { w.Header().Set("Cache-Control", "no-store") }

var careRoles = []tend.CareRole{tend.CareTherapist, tend.CarePrescriber, tend.CareGroupFacilitator, tend.CareCoordinator}

type option struct {
	Value, Label string
}

// ---- staff ----

type staffRow struct {
	ID                tend.ID
	Name, Email, Role string
	Teams             string
	MFA, Disabled     bool
	Problem           string // a refusal about this row (disable)
	NewPassword       string // shown once, after a reset
	SSOSubject        string // linked identity at the identity provider; "" when none (sso.go)
}

type staffForm struct {
	Email, Name, Role, Team string
}

type adminStaffPage struct {
	Base
	Staff   []staffRow
	Roles   []option
	Teams   []string
	Form    staffForm
	Problem string // about the create form
	Notice  string
	// Created is the new account and its one-time password, shown once.
	Created         string
	CreatedPassword string
	// SSOName is the identity provider's name when single sign-on is set up.
	SSOName string
}

func (s *Server) adminStaffPage(r *http.Request, a tend.Actor) (*adminStaffPage, []auth.StaffSummary, error) {
	list, err := s.opt.Accounts.ListStaff(r.Context(), a)
	if err != nil {
		return nil, nil, err
	}
	teams, err := s.opt.Accounts.ListTeams(r.Context(), a)
	if err != nil {
		return nil, nil, err
	}
	p := s.printer()
	page := &adminStaffPage{Base: Base{Title: p.T("admin.staff_title"), p: p}, Form: staffForm{Role: string(tend.RoleClinician)}}
	for _, role := range []tend.Role{tend.RoleClinician, tend.RoleLead, tend.RoleAdmin} {
		page.Roles = append(page.Roles, option{Value: string(role), Label: p.T("staffrole." + string(role))})
	}
	for _, t := range teams {
		page.Teams = append(page.Teams, t.Name)
	}
	for _, st := range list {
		page.Staff = append(page.Staff, staffRow{ID: st.ID, Name: st.Name, Email: st.Email, Role: p.T("staffrole." + string(st.Role)),
			Teams: strings.Join(st.Teams, ", "), MFA: st.MFAEnrolled, Disabled: st.Disabled})
	}
	if err := s.adminStaffSSO(r, a, page); err != nil {
		return nil, nil, err
	}
	return page, list, nil
}

// adminStaffShow lists the staff accounts, with a form to add one.
func (s *Server) adminStaffShow(w http.ResponseWriter, r *http.Request) error {
	a, done, err := adminActor(w, r)
	if err != nil || done {
		return err
	}
	page, _, err := s.adminStaffPage(r, a)
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("done") {
	case "mfa":
		page.Notice = page.T("admin.staff_mfa_done")
	case "disabled":
		page.Notice = page.T("admin.staff_disabled_done")
	case "sso-linked":
		page.Notice = page.T("sso.admin_linked_done")
	case "sso-removed":
		page.Notice = page.T("sso.admin_unlinked_done")
	}
	return s.render(w, r, http.StatusOK, "admin_staff", page)
}

// adminStaffCreate adds a staff account and shows its one-time password once.
func (s *Server) adminStaffCreate(w http.ResponseWriter, r *http.Request) error {
	a, _, err := adminActor(w, r)
	if err != nil {
		return err
	}
	page, _, err := s.adminStaffPage(r, a)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	f := r.PostForm
	page.Form = staffForm{Email: strings.TrimSpace(f.Get("email")), Name: strings.TrimSpace(f.Get("name")), Role: f.Get("role"), Team: f.Get("team")}
	acct, once, err := s.opt.Accounts.CreateStaff(r.Context(), a, auth.NewStaff{Email: page.Form.Email, Name: page.Form.Name, Role: tend.Role(page.Form.Role), Team: page.Form.Team})
	if err != nil {
		status, ok := shownInPlace(err)
		if !ok {
			return err
		}
		page.Problem = tend.ErrorMessage(err)
		return s.render(w, r, status, "admin_staff", page)
	}
	page, _, err = s.adminStaffPage(r, a)
	if err != nil {
		return err
	}
	page.Created, page.CreatedPassword = acct.Email, once
	noStore(w)
	return s.render(w, r, http.StatusOK, "admin_staff", page)
}

// adminStaffRow finds the staff member the route names among the admin's
// list; 404 when there is none.
func (s *Server) adminStaffRow(r *http.Request, a tend.Actor) (*adminStaffPage, int, error) {
	page, _, err := s.adminStaffPage(r, a)
	if err != nil {
		return nil, 0, err
	}
	id := tend.ID(r.PathValue("id"))
	for i, row := range page.Staff {
		if row.ID == id {
			return page, i, nil
		}
	}
	return nil, 0, tend.ErrNotFound
}

// adminStaffPasswordReset gives a staff member a new one-time password,
// shown once, and signs them out everywhere.
func (s *Server) adminStaffPasswordReset(w http.ResponseWriter, r *http.Request) error {
	a, _, err := adminActor(w, r)
	if err != nil {
		return err
	}
	page, i, err := s.adminStaffRow(r, a)
	if err != nil {
		return err
	}
	once, err := s.opt.Accounts.ResetStaffPassword(r.Context(), a, page.Staff[i].ID)
	if err != nil {
		return err
	}
	page.Staff[i].NewPassword = once
	noStore(w)
	return s.render(w, r, http.StatusOK, "admin_staff", page)
}

// adminStaffAction answers a POST on one row of the staff page: the
// admin's list first, so that a non-admin is refused (403) the same way
// whatever the action, then do with the staff member's id. A refusal the
// page can show appears next to the row; success returns to the page
// saying done.
func (s *Server) adminStaffAction(w http.ResponseWriter, r *http.Request, done string, do func(a tend.Actor, staffID tend.ID) error) error {
	a, _, err := adminActor(w, r)
	if err != nil {
		return err
	}
	page, i, err := s.adminStaffRow(r, a)
	if err != nil {
		return err
	}
	if err := do(a, page.Staff[i].ID); err != nil {
		status, ok := shownInPlace(err)
		if !ok {
			return err
		}
		page.Staff[i].Problem = tend.ErrorMessage(err)
		return s.render(w, r, status, "admin_staff", page)
	}
	http.Redirect(w, r, "/admin/staff?done="+done, http.StatusSeeOther)
	return nil
}

// adminStaffMFAReset clears a staff member's second factor (a lost device).
func (s *Server) adminStaffMFAReset(w http.ResponseWriter, r *http.Request) error {
	return s.adminStaffAction(w, r, "mfa", func(a tend.Actor, id tend.ID) error {
		return s.opt.Accounts.ResetMFA(r.Context(), a, id)
	})
}

// adminStaffDisable disables a staff account; the service refuses while
// they still have people, and the refusal shows next to their row.
func (s *Server) adminStaffDisable(w http.ResponseWriter, r *http.Request) error {
	return s.adminStaffAction(w, r, "disabled", func(a tend.Actor, id tend.ID) error {
		return s.opt.Accounts.DisableStaff(r.Context(), a, id)
	})
}

// ---- invites ----

type inviteForm struct {
	Team, AgeBand, BirthDate, Days string
}

type createdInvite struct {
	Code, JoinURL, Expires, Team string
}

type adminInvitesPage struct {
	Base
	Teams    []string
	AgeBands []option
	Form     inviteForm
	Problem  string
	Created  *createdInvite
}

func (s *Server) adminInvitesPage(r *http.Request, a tend.Actor) (*adminInvitesPage, error) {
	teams, err := s.opt.Accounts.ListTeams(r.Context(), a)
	if err != nil {
		return nil, err
	}
	p := s.printer()
	page := &adminInvitesPage{Base: Base{Title: p.T("admin.invites_title"), p: p}, Form: inviteForm{Days: "3"}}
	for _, t := range teams {
		if t.Kind == auth.TeamCare {
			page.Teams = append(page.Teams, t.Name)
		}
	}
	for _, b := range []string{auth.AgeUnder18, auth.Age18To25, auth.AgeOver25} {
		page.AgeBands = append(page.AgeBands, option{Value: b, Label: p.T("admin.age_" + b)})
	}
	return page, nil
}

func (s *Server) adminInvitesShow(w http.ResponseWriter, r *http.Request) error {
	a, done, err := adminActor(w, r)
	if err != nil || done {
		return err
	}
	page, err := s.adminInvitesPage(r, a)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "admin_invites", page)
}

// adminInviteCreate makes an invite and shows its code once, with what to
// tell the person.
func (s *Server) adminInviteCreate(w http.ResponseWriter, r *http.Request) error {
	a, _, err := adminActor(w, r)
	if err != nil {
		return err
	}
	page, err := s.adminInvitesPage(r, a)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	f := r.PostForm
	page.Form = inviteForm{Team: f.Get("team"), AgeBand: f.Get("age_band"), BirthDate: strings.TrimSpace(f.Get("birth_date")), Days: strings.TrimSpace(f.Get("days"))}
	fail := func(status int, msg string) error {
		page.Problem = msg
		return s.render(w, r, status, "admin_invites", page)
	}
	days := 3
	if page.Form.Days != "" {
		n, err := strconv.Atoi(page.Form.Days)
		if err != nil || n < 1 || n > 90 {
			return fail(http.StatusBadRequest, page.T("admin.invite_days_invalid"))
		}
		days = n
	}
	if page.Form.AgeBand == "" && page.Form.BirthDate == "" {
		return fail(http.StatusBadRequest, page.T("admin.invite_age_missing"))
	}
	code, inv, err := s.opt.Accounts.CreateInvite(r.Context(), a, auth.NewInvite{Team: page.Form.Team, AgeBand: page.Form.AgeBand,
		BirthDate: page.Form.BirthDate, TTL: time.Duration(days) * 24 * time.Hour})
	if err != nil {
		status, ok := shownInPlace(err)
		if !ok {
			return err
		}
		return fail(status, tend.ErrorMessage(err))
	}
	st, _ := s.opt.Settings.Get()
	join := "/join"
	if s.opt.PublicURL != nil {
		join = strings.TrimSuffix(s.opt.PublicURL.String(), "/") + "/join"
	}
	page.Created = &createdInvite{Code: code, JoinURL: join, Team: page.Form.Team,
		Expires: inv.ExpiresAt.In(st.Location()).Format("Monday 2 January 2006, 15:04 MST")}
	page.Form = inviteForm{Days: "3"}
	noStore(w)
	return s.render(w, r, http.StatusOK, "admin_invites", page)
}

// ---- teams ----

type teamRow struct {
	Name, Kind string
}

type adminTeamsPage struct {
	Base
	Teams   []teamRow
	Kinds   []option
	Name    string
	Kind    string
	Problem string
	Created bool
}

func (s *Server) adminTeamsPage(r *http.Request, a tend.Actor) (*adminTeamsPage, error) {
	teams, err := s.opt.Accounts.ListTeams(r.Context(), a)
	if err != nil {
		return nil, err
	}
	p := s.printer()
	page := &adminTeamsPage{Base: Base{Title: p.T("admin.teams_title"), p: p}, Kind: auth.TeamCare}
	for _, k := range []string{auth.TeamCare, auth.TeamDuty} {
		page.Kinds = append(page.Kinds, option{Value: k, Label: p.T("admin.team_kind_" + k)})
	}
	for _, t := range teams {
		page.Teams = append(page.Teams, teamRow{Name: t.Name, Kind: p.T("admin.team_kind_" + t.Kind)})
	}
	return page, nil
}

func (s *Server) adminTeamsShow(w http.ResponseWriter, r *http.Request) error {
	a, done, err := adminActor(w, r)
	if err != nil || done {
		return err
	}
	page, err := s.adminTeamsPage(r, a)
	if err != nil {
		return err
	}
	page.Created = r.URL.Query().Get("created") == "1"
	return s.render(w, r, http.StatusOK, "admin_teams", page)
}

func (s *Server) adminTeamCreate(w http.ResponseWriter, r *http.Request) error {
	a, _, err := adminActor(w, r)
	if err != nil {
		return err
	}
	page, err := s.adminTeamsPage(r, a)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	page.Name, page.Kind = strings.TrimSpace(r.PostForm.Get("name")), r.PostForm.Get("kind")
	if _, err := s.opt.Accounts.CreateTeam(r.Context(), a, page.Name, page.Kind); err != nil {
		status, ok := shownInPlace(err)
		if !ok {
			return err
		}
		page.Problem = tend.ErrorMessage(err)
		return s.render(w, r, status, "admin_teams", page)
	}
	http.Redirect(w, r, "/admin/teams?created=1", http.StatusSeeOther)
	return nil
}

// ---- care teams ----

type careMemberRow struct {
	ID                tend.ID
	Name, Role, State string
	Active            bool // may be transferred
}

type careTeamRow struct {
	ID                tend.ID
	Username, Team    string
	Members           []careMemberRow
	Problem           string
	StaffID, CareRole string          // the add form, kept after a refusal
	ResetCode         *resetCodeShown // a reset code just issued, shown once (recovery.go)
}

type adminCareTeamsPage struct {
	Base
	People []careTeamRow
	Staff  []option
	Roles  []option
	Saved  bool
}

func (s *Server) adminCareTeamsPage(r *http.Request, a tend.Actor) (*adminCareTeamsPage, error) {
	teams, err := s.opt.CareTeam.CareTeams(r.Context(), a)
	if err != nil {
		return nil, err
	}
	staff, err := s.opt.Accounts.ListStaff(r.Context(), a)
	if err != nil {
		return nil, err
	}
	p := s.printer()
	page := &adminCareTeamsPage{Base: Base{Title: p.T("admin.care_teams_title"), p: p}}
	for _, st := range staff {
		// Admins see no clinical data, so they never join a care team.
		if st.Role != tend.RoleAdmin && !st.Disabled {
			page.Staff = append(page.Staff, option{Value: string(st.ID), Label: st.Name + " (" + st.Email + ")"})
		}
	}
	for _, role := range careRoles {
		page.Roles = append(page.Roles, option{Value: string(role), Label: p.T("role." + string(role))})
	}
	for _, t := range teams {
		row := careTeamRow{ID: t.PersonID, Username: t.Username, Team: t.TeamName}
		for _, m := range t.Members {
			name := m.StaffName
			if name == "" {
				name = p.T("notice.someone")
			}
			row.Members = append(row.Members, careMemberRow{ID: m.ID, Name: name, Role: p.T("role." + string(m.Role)), State: p.T("admin.member_" + string(m.State)),
				Active: m.State == access.MemberActive})
		}
		page.People = append(page.People, row)
	}
	return page, nil
}

func (s *Server) adminCareTeamsShow(w http.ResponseWriter, r *http.Request) error {
	a, done, err := adminActor(w, r)
	if err != nil || done {
		return err
	}
	page, err := s.adminCareTeamsPage(r, a)
	if err != nil {
		return err
	}
	page.Saved = r.URL.Query().Get("saved") == "1"
	return s.render(w, r, http.StatusOK, "admin_care_teams", page)
}

// careTeamRefused shows the service's refusal next to the person it is about.
func (s *Server) careTeamRefused(w http.ResponseWriter, r *http.Request, page *adminCareTeamsPage, person tend.ID, err error, keep func(*careTeamRow)) error {
	status, ok := shownInPlace(err, tend.EFORBIDDEN)
	if !ok {
		return err
	}
	for i := range page.People {
		if page.People[i].ID == person {
			page.People[i].Problem = tend.ErrorMessage(err)
			if keep != nil {
				keep(&page.People[i])
			}
		}
	}
	return s.render(w, r, status, "admin_care_teams", page)
}

// adminCareTeamMemberAdd puts a staff member on a person's care team through
// careteam.AddMember, which refuses anyone adding themselves.
func (s *Server) adminCareTeamMemberAdd(w http.ResponseWriter, r *http.Request) error {
	a, _, err := adminActor(w, r)
	if err != nil {
		return err
	}
	page, err := s.adminCareTeamsPage(r, a)
	if err != nil {
		return err
	}
	person, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	staffID, role := r.PostForm.Get("staff_id"), r.PostForm.Get("role")
	if _, err := s.opt.CareTeam.AddMember(r.Context(), a, person, tend.ID(staffID), tend.CareRole(role)); err != nil {
		return s.careTeamRefused(w, r, page, person, err, func(row *careTeamRow) { row.StaffID, row.CareRole = staffID, role })
	}
	http.Redirect(w, r, "/admin/care-teams?saved=1#person-"+string(person), http.StatusSeeOther) // #nosec G710 -- a local path; person is a parsed id.
	return nil
}

// adminCareTeamMemberEnd ends one membership (the form names it).
func (s *Server) adminCareTeamMemberEnd(w http.ResponseWriter, r *http.Request) error {
	return s.careTeamMemberStep(w, r, func(a tend.Actor, person, member tend.ID) error {
		return s.opt.CareTeam.EndMember(r.Context(), a, person, member)
	})
}

// adminCareTeamTransfer hands a membership to another staff member in the
// same role; the person is asked whether the new member may see what the
// old one could.
func (s *Server) adminCareTeamTransfer(w http.ResponseWriter, r *http.Request) error {
	return s.careTeamMemberStep(w, r, func(a tend.Actor, person, member tend.ID) error {
		to, err := tend.ParseID(r.PostForm.Get("staff_id"))
		if err != nil {
			return tend.Errorf(tend.EINVALID, "Choose who takes over.")
		}
		_, err = s.opt.CareTeam.Transfer(r.Context(), a, person, member, to)
		return err
	})
}

// careTeamMemberStep runs one change to the membership the form names
// (member_id) of the person in the path: back to the care-teams page when
// it is done, or the refusal shown beside that person's care team.
func (s *Server) careTeamMemberStep(w http.ResponseWriter, r *http.Request, change func(a tend.Actor, person, member tend.ID) error) error {
	a, _, err := adminActor(w, r)
	if err != nil {
		return err
	}
	page, err := s.adminCareTeamsPage(r, a)
	if err != nil {
		return err
	}
	person, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	member, err := tend.ParseID(r.PostForm.Get("member_id"))
	if err != nil {
		return tend.ErrNotFound
	}
	if err := change(a, person, member); err != nil {
		return s.careTeamRefused(w, r, page, person, err, nil)
	}
	http.Redirect(w, r, "/admin/care-teams?saved=1#person-"+string(person), http.StatusSeeOther) // #nosec G710 -- a local path; person is a parsed id.
	return nil
}

// ---- service settings ----

type lineForm struct {
	Name, Call, Text, Hours string
	Number                  int // 1 to settings.MaxLines, for its legend
	Problem                 string
}

// fieldView is one field of the settings form with its words and problem.
type fieldView struct {
	ID, Label, Hint, Value, Problem string
	Area                            bool // a textarea
}

// Described is the ids of the hint and problem the field refers to.
func (f fieldView) Described() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.ID+"-hint")
	}
	if f.Problem != "" {
		ids = append(ids, f.ID+"-error")
	}
	return strings.Join(ids, " ")
}

type settingsForm struct {
	Name, Country, TimeZone, Locale string
	WorkingHours, Holidays          string
	OutOfHours, Emergency           string
	QuickExitURL                    string
	YoungConfidentiality            string
	EvidenceStatement               string
	DutyTeam                        string
	Lines                           []lineForm
	Triggers                        []triggerChoice // what each safety prompt does
	UrgeLevel                       int             // the urge-to-die rating that fires one
	UrgeLevels                      []int
	Modalities                      string // one per line
	FollowUpWindowWeeks             string
	// The diary card: the urge rating at or above which an urge not acted
	// on counts as ridden out, and whether the self-harm and suicide rows
	// may be hidden.
	RiddenOutLevel      int
	RiddenOutLevels     []int
	AllowHideSafetyRows bool
	// The records settings of the person's data rights: clinician notes
	// in their download, and the days before an erasure ("" for the
	// default).
	NotesInExport   bool
	ErasureHoldDays string
	// DraftDays is how many days unsent drafts are kept ("" for the
	// default).
	DraftDays string
	// NudgeTeam and NudgeLead are when an unacknowledged task reminds the
	// care team, then the team lead ("1 working day", "4 working hours",
	// "off"; "" for the default).
	NudgeTeam, NudgeLead string
	// Notify is the notification wording, staff e-mail and allowed push
	// hosts (admin_notify.go); PushHosts is the hosts one a line.
	Notify    notify.Settings
	PushHosts string
}

// triggerChoice is one safety prompt's select in the settings form.
type triggerChoice struct {
	Kind, Label, Response string
}

type defaultRow struct {
	Role  string
	Areas []areaChoice
}

type adminSettingsPage struct {
	Base
	DutyTeams []teamChoice // the teams of kind duty, for the duty-team select
	// PromptResponses are the choices for each safety prompt.
	PromptResponses []followup.Response
	Form            settingsForm
	Fields          []fieldView       // built from Form and Errors by fields
	Errors          map[string]string // field name -> what is wrong, shown next to it
	Saved           bool
	Sharing         []defaultRow
	// SharingSaved and SharingProblem are about the sharing defaults form.
	SharingSaved   bool
	SharingProblem string
}

// fields lays out the settings form's single fields, in order, with their
// values and problems.
func (page *adminSettingsPage) fields() {
	f := page.Form
	page.Fields = nil
	for _, x := range []struct {
		id, value  string
		hint, area bool
	}{
		{"name", f.Name, false, false}, {"country", f.Country, true, false}, {"time_zone", f.TimeZone, true, false},
		{"locale", f.Locale, true, false}, {"working_hours", f.WorkingHours, true, false}, {"holidays", f.Holidays, true, true},
		{"out_of_hours", f.OutOfHours, true, true}, {"emergency", f.Emergency, true, true}, {"quick_exit_url", f.QuickExitURL, true, false},
		{"young_confidentiality", f.YoungConfidentiality, true, true},
		{"evidence_statement", f.EvidenceStatement, true, true},
		{"modalities", f.Modalities, true, true}, {"follow_up_window_weeks", f.FollowUpWindowWeeks, true, false},
	} {
		v := fieldView{ID: x.id, Label: page.T("admin.settings_" + x.id), Value: x.value, Problem: page.Errors[x.id], Area: x.area}
		if x.hint {
			v.Hint = page.T("admin.settings_" + x.id + "_hint")
		}
		page.Fields = append(page.Fields, v)
	}
	for i := range page.Form.Lines {
		page.Form.Lines[i].Number = i + 1
	}
}

// hoursForm writes working hours as an admin would type them, runs of days
// together ("mon-fri 09:00-17:00; sat 10:00-12:00"), in the form
// settings.ParseHours reads.
func hoursForm(h settings.Hours) string {
	days := [...]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
	var parts []string
	for _, g := range h.Groups() {
		d := days[g.First]
		if g.Last != g.First {
			d += "-" + days[g.Last]
		}
		parts = append(parts, fmt.Sprintf("%s %02d:%02d-%02d:%02d", d, g.Start/60, g.Start%60, g.End/60, g.End%60))
	}
	return strings.Join(parts, "; ")
}

func formFromSettings(st settings.Settings) settingsForm {
	f := settingsForm{Name: st.Name, Country: st.Country, TimeZone: st.TimeZone, Locale: st.Locale, WorkingHours: hoursForm(st.WorkingHours),
		Holidays: strings.Join(st.Holidays, "\n"), OutOfHours: st.OutOfHours, Emergency: st.Emergency, QuickExitURL: st.QuickExitURL,
		YoungConfidentiality: st.YoungConfidentiality, DutyTeam: string(st.DutyTeam), EvidenceStatement: st.EvidenceStatement}
	f.setTriggers(st.Triggers)
	f.setEpisodes(st)
	f.setDiary(st.Diary)
	f.setRecords(st.Records)
	f.setNotify(st.Notifications)
	f.NudgeTeam, f.NudgeLead = st.Nudges.Team.String(), st.Nudges.Lead.String()
	if st.Retention.DraftDays != 0 {
		f.DraftDays = strconv.Itoa(st.Retention.DraftDays)
	}
	for _, l := range st.Lines {
		f.Lines = append(f.Lines, lineForm{Name: l.Name, Call: l.Call, Text: l.Text, Hours: l.Hours})
	}
	for len(f.Lines) < settings.MaxLines {
		f.Lines = append(f.Lines, lineForm{})
	}
	return f
}

func (s *Server) adminSettingsPage(r *http.Request, a tend.Actor) (*adminSettingsPage, error) {
	st, err := s.opt.Admin.Current(r.Context(), a)
	if err != nil {
		return nil, err
	}
	defaults, err := s.opt.CareTeam.SharingDefaults(r.Context(), a)
	if err != nil {
		return nil, err
	}
	p := s.printer()
	page := &adminSettingsPage{Base: Base{Title: p.T("admin.settings_title"), p: p}, Form: formFromSettings(st), Errors: map[string]string{},
		PromptResponses: followup.Responses}
	teams, err := s.opt.Accounts.ListTeams(r.Context(), a)
	if err != nil {
		return nil, err
	}
	for _, t := range teams {
		if t.Kind == auth.TeamDuty {
			page.DutyTeams = append(page.DutyTeams, teamChoice{ID: string(t.ID), Name: t.Name})
		}
	}
	for _, role := range careRoles {
		row := defaultRow{Role: p.T("role." + string(role))}
		for _, area := range sharedAreas() {
			level := access.LevelNone
			for _, d := range defaults {
				if d.Role == role && d.Area == area {
					level = d.Level
				}
			}
			if level == access.LevelEdit && !area.Written() {
				level = access.LevelSee
			}
			row.Areas = append(row.Areas, areaChoice{Name: "default." + string(role) + "." + string(area), Label: p.T("area." + string(area)), Level: string(level), SeeOnly: !area.Written()})
		}
		page.Sharing = append(page.Sharing, row)
	}
	return page, nil
}

func (s *Server) adminSettingsShow(w http.ResponseWriter, r *http.Request) error {
	a, done, err := adminActor(w, r)
	if err != nil || done {
		return err
	}
	page, err := s.adminSettingsPage(r, a)
	if err != nil {
		return err
	}
	page.Saved = r.URL.Query().Get("saved") == "1"
	page.SharingSaved = r.URL.Query().Get("sharing") == "1"
	page.fields()
	return s.render(w, r, http.StatusOK, "admin_settings", page)
}

// adminSettingsUpdate saves the whole settings form through
// settings.Admin.SaveSettings; problems show next to their fields and
// nothing changes.
func (s *Server) adminSettingsUpdate(w http.ResponseWriter, r *http.Request) error {
	a, _, err := adminActor(w, r)
	if err != nil {
		return err
	}
	page, err := s.adminSettingsPage(r, a)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	f := r.PostForm
	page.Form = settingsForm{Name: f.Get("name"), Country: f.Get("country"), TimeZone: strings.TrimSpace(f.Get("time_zone")),
		Locale: strings.TrimSpace(f.Get("locale")), WorkingHours: f.Get("working_hours"), Holidays: f.Get("holidays"),
		OutOfHours: f.Get("out_of_hours"), Emergency: f.Get("emergency"), QuickExitURL: f.Get("quick_exit_url"),
		YoungConfidentiality: strings.TrimSpace(f.Get("young_confidentiality")), DutyTeam: f.Get("duty_team"),
		EvidenceStatement: strings.TrimSpace(f.Get("evidence_statement"))}
	st := settings.Settings{DutyTeam: dutyTeamChoice(page.DutyTeams, page.Form.DutyTeam), Name: strings.TrimSpace(page.Form.Name), Country: page.Form.Country, TimeZone: page.Form.TimeZone,
		Locale: page.Form.Locale, OutOfHours: strings.TrimSpace(page.Form.OutOfHours), Emergency: strings.TrimSpace(page.Form.Emergency),
		QuickExitURL: page.Form.QuickExitURL, YoungConfidentiality: page.Form.YoungConfidentiality, EvidenceStatement: page.Form.EvidenceStatement}
	if h, err := settings.ParseHours(page.Form.WorkingHours); err == nil {
		st.WorkingHours = h
	}
	st.Holidays = strings.FieldsFunc(page.Form.Holidays, func(c rune) bool { return c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '\t' })
	var rowOf []int // the form row of each line kept
	for i := range settings.MaxLines {
		l := lineForm{Name: strings.TrimSpace(f.Get(fmt.Sprintf("line.%d.name", i))), Call: strings.TrimSpace(f.Get(fmt.Sprintf("line.%d.call", i))),
			Text: strings.TrimSpace(f.Get(fmt.Sprintf("line.%d.text", i))), Hours: strings.TrimSpace(f.Get(fmt.Sprintf("line.%d.hours", i)))}
		page.Form.Lines = append(page.Form.Lines, l)
		if l != (lineForm{}) {
			st.Lines = append(st.Lines, settings.Line{Name: l.Name, Call: l.Call, Text: l.Text, Hours: l.Hours})
			rowOf = append(rowOf, i)
		}
	}
	st.Triggers = triggersFromForm(f)
	page.Form.setTriggers(st.Triggers)
	page.Form.Modalities, page.Form.FollowUpWindowWeeks = f.Get("modalities"), strings.TrimSpace(f.Get("follow_up_window_weeks"))
	st.Modalities, st.FollowUpWindowWeeks = episodeSettingsFromForm(page.Form)
	st.Diary = diarySettingsFromForm(f)
	page.Form.setDiary(st.Diary)
	st.Records = recordsSettingsFromForm(f)
	page.Form.NotesInExport, page.Form.ErasureHoldDays = st.Records.NotesInExport, strings.TrimSpace(f.Get("records.erasure_hold_days"))
	st.Retention = retentionSettingsFromForm(f)
	st.Notifications = notifySettingsFromForm(f)
	page.Form.setNotify(st.Notifications)
	page.Form.NudgeTeam, page.Form.NudgeLead = strings.TrimSpace(f.Get("nudges.team")), strings.TrimSpace(f.Get("nudges.lead"))
	st.Nudges = nudgesFromForm(page.Form.NudgeTeam, page.Form.NudgeLead)
	page.Form.DraftDays = strings.TrimSpace(f.Get("retention.draft_days"))
	err = s.opt.Admin.SaveSettings(r.Context(), a, st)
	if err == nil {
		http.Redirect(w, r, "/admin/settings?saved=1", http.StatusSeeOther)
		return nil
	}
	var problems settings.ValidationError
	if tend.ErrorKind(err) != tend.EINVALID || !errors.As(err, &problems) {
		return err
	}
	for field, msg := range problems {
		if rest, ok := strings.CutPrefix(field, "lines."); ok {
			if n, err := strconv.Atoi(rest); err == nil && n < len(rowOf) {
				page.Form.Lines[rowOf[n]].Problem = msg
				continue
			}
		}
		page.Errors[field] = msg
	}
	page.fields()
	return s.render(w, r, http.StatusBadRequest, "admin_settings", page)
}

// adminSharingDefaultsUpdate saves the sharing defaults per care role. A
// default changes only when its field is sent with a new level; defaults
// apply to members who join afterwards, never to current grants.
func (s *Server) adminSharingDefaultsUpdate(w http.ResponseWriter, r *http.Request) error {
	a, _, err := adminActor(w, r)
	if err != nil {
		return err
	}
	page, err := s.adminSettingsPage(r, a)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	for ri, role := range careRoles {
		for ai := range page.Sharing[ri].Areas {
			c := &page.Sharing[ri].Areas[ai]
			v, ok := r.PostForm[c.Name]
			if !ok || len(v) != 1 || v[0] == c.Level {
				continue
			}
			area := access.Area(strings.TrimPrefix(c.Name, "default."+string(role)+"."))
			if err := s.opt.CareTeam.SetSharingDefault(r.Context(), a, careteam.Default{Role: role, Area: area, Level: access.Level(v[0])}); err != nil {
				status, ok := shownInPlace(err)
				if !ok {
					return err
				}
				page.SharingProblem = tend.ErrorMessage(err)
				page.fields()
				return s.render(w, r, status, "admin_settings", page)
			}
			c.Level = v[0]
		}
	}
	http.Redirect(w, r, "/admin/settings?sharing=1#sharing", http.StatusSeeOther)
	return nil
}

// teamChoice is one option of a team select.
type teamChoice struct{ ID, Name string }

// dutyTeamChoice keeps a chosen duty team only when it is one of the
// service's duty teams; anything else means none chosen.
func dutyTeamChoice(teams []teamChoice, id string) tend.ID {
	for _, t := range teams {
		if t.ID == id {
			return tend.ID(id)
		}
	}
	return ""
}

// setTriggers fills the safety-prompt part of the form from rules.
func (f *settingsForm) setTriggers(rules followup.Rules) {
	f.Triggers = f.Triggers[:0]
	for _, k := range followup.Kinds {
		f.Triggers = append(f.Triggers, triggerChoice{Kind: string(k), Label: "task.kind." + string(k), Response: string(rules.Response(k))})
	}
	f.UrgeLevel = rules.Level()
	f.UrgeLevels = nil
	for l := 1; l <= followup.MaxUrgeToDieLevel; l++ {
		f.UrgeLevels = append(f.UrgeLevels, l)
	}
}

// triggersFromForm reads the safety-prompt part of the settings form. A
// value the form never offers is kept, so that validation names it.
func triggersFromForm(f url.Values) followup.Rules {
	r := followup.Rules{Responses: map[followup.Kind]followup.Response{}}
	for _, k := range followup.Kinds {
		if v := f.Get("trigger." + string(k)); v != "" {
			r.Responses[k] = followup.Response(v)
		}
	}
	if l, err := strconv.Atoi(f.Get("urge_to_die_level")); err == nil {
		r.UrgeToDieLevel = l
	} else if f.Get("urge_to_die_level") != "" {
		r.UrgeToDieLevel = -1
	}
	return r
}

// setEpisodes fills the episode part of the form: the modality list (the
// default list while the service has none of its own) and the follow-up
// window.
func (f *settingsForm) setEpisodes(st settings.Settings) {
	m := st.Modalities
	if len(m) == 0 {
		m = episodes.DefaultModalities
	}
	f.Modalities = strings.Join(m, "\n")
	w := st.FollowUpWindowWeeks
	if w == 0 {
		w = episodes.DefaultWindowWeeks
	}
	f.FollowUpWindowWeeks = strconv.Itoa(w)
}

// episodeSettingsFromForm reads the modality list (one per line, blank
// lines dropped) and the follow-up window (empty for the default; -1 for
// something that is not a number, which settings validation refuses).
func episodeSettingsFromForm(f settingsForm) ([]string, int) {
	var ms []string
	for _, line := range strings.Split(f.Modalities, "\n") {
		if m := strings.TrimSpace(line); m != "" {
			ms = append(ms, m)
		}
	}
	if f.FollowUpWindowWeeks == "" {
		return ms, 0
	}
	w, err := strconv.Atoi(f.FollowUpWindowWeeks)
	if err != nil {
		w = -1
	}
	return ms, w
}

// setDiary fills the diary part of the form: the ridden-out level (the
// default while the service has none of its own) and whether the safety
// rows may be hidden.
func (f *settingsForm) setDiary(d diary.Settings) {
	f.RiddenOutLevel = d.Level()
	f.RiddenOutLevels = nil
	for l := 1; l <= diary.MaxRating; l++ {
		f.RiddenOutLevels = append(f.RiddenOutLevels, l)
	}
	f.AllowHideSafetyRows = d.AllowHideSafetyRows
}

// diarySettingsFromForm reads the diary part of the settings form. A level
// the form never offers is kept (-1 for one that is not a number), so that
// validation names it; a missing one is the default.
func diarySettingsFromForm(f url.Values) diary.Settings {
	var d diary.Settings
	if v := strings.TrimSpace(f.Get("diary.ridden_out_level")); v != "" {
		l, err := strconv.Atoi(v)
		if err != nil {
			l = -1
		}
		d.RiddenOutLevel = l
	}
	d.AllowHideSafetyRows = f.Get("diary.allow_hide_safety_rows") == "yes"
	return d
}

// setRecords fills the records part of the settings form.
func (f *settingsForm) setRecords(r rights.Settings) {
	f.NotesInExport = r.NotesInExport
	f.ErasureHoldDays = ""
	if r.ErasureHoldDays != nil {
		f.ErasureHoldDays = strconv.Itoa(*r.ErasureHoldDays)
	}
}

// recordsSettingsFromForm reads the records part of the settings form: an
// empty hold is the default, and one that is not a number is kept as -1
// so that validation names it.
func recordsSettingsFromForm(f url.Values) rights.Settings {
	r := rights.Settings{NotesInExport: f.Get("records.notes_in_export") == "yes"}
	if v := strings.TrimSpace(f.Get("records.erasure_hold_days")); v != "" {
		d, err := strconv.Atoi(v)
		if err != nil {
			d = -1
		}
		r.ErasureHoldDays = &d
	}
	return r
}

// nudgesFromForm reads the task reminders of the settings form: text
// ParseDelay refuses is kept as followup.InvalidDelay, so that validation
// names the field and nothing is saved.
func nudgesFromForm(team, lead string) followup.Nudges {
	read := func(text string) followup.Delay {
		d, err := followup.ParseDelay(text)
		if err != nil {
			return followup.InvalidDelay
		}
		return d
	}
	return followup.Nudges{Team: read(team), Lead: read(lead)}
}
