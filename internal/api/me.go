package api

import (
	"net/http"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/episodes"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/skills"
)

type accountJSON struct {
	Kind     tend.AccountKind `json:"kind"`
	ID       tend.ID          `json:"id"`
	Role     tend.Role        `json:"role,omitempty"`
	Name     string           `json:"name,omitempty"`
	Username string           `json:"username,omitempty"`
	State    tend.PersonState `json:"state,omitempty"`
	TimeZone string           `json:"time_zone,omitempty"`
}

// meShow is the signed-in account.
func (h *Handler) meShow(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	acc, err := h.opt.Accounts.Account(r.Context(), a)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, accountJSON{Kind: acc.Kind, ID: acc.ID, Role: acc.Role, Name: acc.Name,
		Username: acc.Username, State: acc.State, TimeZone: acc.TimeZone})
}

type memberJSON struct {
	ID        tend.ID            `json:"id"`
	StaffID   tend.ID            `json:"staff_id"`
	StaffName string             `json:"staff_name"`
	Role      tend.CareRole      `json:"role"`
	State     access.MemberState `json:"state"`
	StartedAt time.Time          `json:"started_at"`
}

type careTeamJSON struct {
	Members []memberJSON `json:"members"`
}

func careTeam(members []careteam.TeamMember) careTeamJSON {
	out := careTeamJSON{Members: make([]memberJSON, 0, len(members))}
	for _, m := range members {
		out.Members = append(out.Members, memberJSON{ID: m.ID, StaffID: m.StaffID, StaffName: m.StaffName, Role: m.Role, State: m.State, StartedAt: m.StartedAt})
	}
	return out
}

// meCareTeamList is the signed-in person's care team.
func (h *Handler) meCareTeamList(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	members, err := h.opt.CareTeam.TeamMembers(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, careTeam(members))
}

// personCareTeamList is a person's care team as staff see it. Access
// decides: another person's record answers 404.
func (h *Handler) personCareTeamList(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	members, err := h.opt.CareTeam.TeamMembers(r.Context(), a, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, careTeam(members))
}

type grantJSON struct {
	MemberID  tend.ID      `json:"member_id"`
	Area      access.Area  `json:"area"`
	Level     access.Level `json:"level"`
	UpdatedAt *time.Time   `json:"updated_at,omitempty"`
}

type sharingJSON struct {
	Grants []grantJSON `json:"grants"`
}

// sharingList is what the person shares with each care-team member.
func (h *Handler) sharingList(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	grants, err := h.opt.CareTeam.Grants(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	out := sharingJSON{Grants: make([]grantJSON, 0, len(grants))}
	for _, g := range grants {
		out.Grants = append(out.Grants, grantJSON{MemberID: g.MemberID, Area: g.Area, Level: g.Level, UpdatedAt: &g.UpdatedAt})
	}
	return writeJSON(w, http.StatusOK, out)
}

type grantUpdate struct {
	Level access.Level `json:"level"`
}

// sharingUpdate sets what one care-team member may do with one area; it
// holds from the next request.
func (h *Handler) sharingUpdate(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	memberID, err := pathID(r, "memberID")
	if err != nil {
		return err
	}
	var in grantUpdate
	if err := decode(w, r, &in); err != nil {
		return err
	}
	area := access.Area(r.PathValue("area"))
	if err := h.opt.CareTeam.SetGrant(r.Context(), a, a.ID, memberID, area, in.Level); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, grantJSON{MemberID: memberID, Area: area, Level: in.Level})
}

type lookJSON struct {
	At        time.Time `json:"at"`
	StaffID   tend.ID   `json:"staff_id"`
	StaffName string    `json:"staff_name"`
	StaffRole string    `json:"staff_role"`
	Action    string    `json:"action"`
}

type looksJSON struct {
	Looks []lookJSON `json:"looks"`
}

// whoLookedMax is how many of the newest staff reads the API returns.
const whoLookedMax = 200

// whoLookedList is "who has looked at my information": staff reads of the
// person's data, newest first.
func (h *Handler) whoLookedList(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	looks, err := h.opt.Looks.WhoLooked(r.Context(), a, a.ID, whoLookedMax)
	if err != nil {
		return err
	}
	out := looksJSON{Looks: make([]lookJSON, 0, len(looks))}
	for _, l := range looks {
		out.Looks = append(out.Looks, lookJSON{At: l.At, StaffID: l.ActorID, StaffName: l.StaffName, StaffRole: l.ActorRole, Action: l.Action})
	}
	return writeJSON(w, http.StatusOK, out)
}

type noticeJSON struct {
	ID        tend.ID             `json:"id"`
	Kind      careteam.NoticeKind `json:"kind"`
	CreatedAt time.Time           `json:"created_at"`
	MemberID  tend.ID             `json:"member_id,omitempty"`
	StaffID   tend.ID             `json:"staff_id,omitempty"`
	StaffName string              `json:"staff_name,omitempty"`
	Role      tend.CareRole       `json:"role,omitempty"`
	Area      access.Area         `json:"area,omitempty"`
	Level     access.Level        `json:"level,omitempty"`
}

type noticesJSON struct {
	Notices []noticeJSON `json:"notices"`
}

// noticeList is the person's notices not yet dismissed: changes to their
// care team and sharing.
func (h *Handler) noticeList(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	notices, err := h.opt.CareTeam.NoticeViews(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	out := noticesJSON{Notices: make([]noticeJSON, 0, len(notices))}
	for _, n := range notices {
		out.Notices = append(out.Notices, noticeJSON{ID: n.ID, Kind: n.Kind, CreatedAt: n.CreatedAt, MemberID: n.Params.MemberID,
			StaffID: n.Params.StaffID, StaffName: n.StaffName, Role: n.Params.Role, Area: n.Params.Area, Level: n.Params.Level})
	}
	return writeJSON(w, http.StatusOK, out)
}

type caseJSON struct {
	PersonID   tend.ID            `json:"person_id"`
	Username   string             `json:"username"`
	State      tend.PersonState   `json:"state"`
	Roles      []tend.CareRole    `json:"roles"`
	Membership access.MemberState `json:"membership"`
	// OpenTask is the person's open follow-up task that reaches the caller.
	OpenTask *caseTaskJSON `json:"open_task,omitempty"`
	// HomeworkOpen counts the open homework the caller may read.
	HomeworkOpen int `json:"homework_open"`
	// NextSessionOn is the date of the next planned session.
	NextSessionOn string `json:"next_session_on,omitempty"`
}

type caseTaskJSON struct {
	ID       tend.ID        `json:"id"`
	State    followup.State `json:"state"`
	OpenedAt time.Time      `json:"opened_at"`
}

type caseloadJSON struct {
	Cases []caseJSON `json:"cases"`
}

// caseloadList is the people on the signed-in staff member's care teams.
func (h *Handler) caseloadList(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	cases, err := h.opt.CareTeam.Caseload(r.Context(), a)
	if err != nil {
		return err
	}
	tasks := map[tend.ID]*caseTaskJSON{}
	if h.opt.FollowUp != nil {
		inbox, err := h.opt.FollowUp.Inbox(r.Context(), a)
		if err != nil {
			return err
		}
		for _, t := range inbox {
			if tasks[t.PersonID] == nil {
				tasks[t.PersonID] = &caseTaskJSON{ID: t.ID, State: t.State, OpenedAt: t.OpenedAt}
			}
		}
	}
	var ids []tend.ID
	for _, c := range cases {
		ids = append(ids, c.PersonID)
	}
	homework := map[tend.ID][]skills.Homework{}
	if h.opt.Skills != nil {
		if homework, err = h.opt.Skills.OpenOnCaseload(r.Context(), a, ids); err != nil {
			return err
		}
	}
	sessions := map[tend.ID]episodes.Session{}
	if h.opt.Episodes != nil {
		if sessions, err = h.opt.Episodes.NextSessions(r.Context(), a, ids); err != nil {
			return err
		}
	}
	out := caseloadJSON{Cases: make([]caseJSON, 0, len(cases))}
	for _, c := range cases {
		roles := c.Roles
		if roles == nil {
			roles = []tend.CareRole{}
		}
		out.Cases = append(out.Cases, caseJSON{PersonID: c.PersonID, Username: c.Username, State: c.State, Roles: roles, Membership: c.Member,
			OpenTask: tasks[c.PersonID], HomeworkOpen: len(homework[c.PersonID])})
		if next, ok := sessions[c.PersonID]; ok {
			out.Cases[len(out.Cases)-1].NextSessionOn = next.HeldOn.Format(time.DateOnly)
		}
	}
	return writeJSON(w, http.StatusOK, out)
}

// pathID reads an id from the path. A malformed id names nothing, so it
// answers 404 like any id the caller may not see.
func pathID(r *http.Request, name string) (tend.ID, error) {
	id, err := tend.ParseID(r.PathValue(name))
	if err != nil {
		return "", tend.Errorf(tend.ENOTFOUND, "Not found.")
	}
	return id, nil
}
