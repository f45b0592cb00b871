package web

import (
	"net/http"
	"strings"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/careteam"
)

// sharedAreas are the areas the sharing page offers. The hope box is never
// shareable and the test area is a fixture of the tests, so neither shows.
func sharedAreas() []access.Area {
	var out []access.Area
	for _, a := range access.Areas {
		if a.Shareable() && a != access.AreaTest {
			out = append(out, a)
		}
	}
	return out
}

type areaChoice struct {
	Name, Label string // form field name, area's words
	Level       string
	// SeeOnly leaves out "see and edit" for areas only the person writes in.
	SeeOnly bool
}

type memberSharing struct {
	Name, Role string
	Areas      []areaChoice
}

type sharingPage struct {
	Base
	Members []memberSharing
	Problem string
	Saved   bool
}

func (s *Server) sharingPageFor(r *http.Request, a tend.Actor) (*sharingPage, error) {
	team, err := s.opt.CareTeam.Team(r.Context(), a, a.ID)
	if err != nil {
		return nil, err
	}
	p := s.printer()
	page := &sharingPage{Base: Base{Title: p.T("sharing.title"), QuickExit: true}}
	for _, m := range team {
		if m.State != access.MemberActive && m.State != access.MemberFollowUp {
			continue
		}
		ms := memberSharing{Name: m.StaffName, Role: p.T("role." + string(m.Role))}
		for _, area := range sharedAreas() {
			level := m.Grants[area]
			if level == "" {
				level = access.LevelNone
			}
			if level == access.LevelEdit && !area.Written() {
				level = access.LevelSee
			}
			ms.Areas = append(ms.Areas, areaChoice{Name: "grant." + string(m.ID) + "." + string(area), Label: p.T("area." + string(area)), Level: string(level), SeeOnly: !area.Written()})
		}
		page.Members = append(page.Members, ms)
	}
	return page, nil
}

// sharingShow is the person's sharing page: for each member of their care
// team, what they may see or edit.
func (s *Server) sharingShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	page, err := s.sharingPageFor(r, a)
	if err != nil {
		return err
	}
	page.Saved = r.URL.Query().Get("saved") == "1"
	return s.render(w, r, http.StatusOK, "me_sharing", page)
}

// sharingUpdate saves the whole sharing form in one unit of work.
func (s *Server) sharingUpdate(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	var changes []careteam.GrantChange
	for key, vals := range r.PostForm {
		rest, ok := strings.CutPrefix(key, "grant.")
		if !ok || len(vals) != 1 {
			continue
		}
		member, area, ok := strings.Cut(rest, ".")
		if !ok {
			continue
		}
		id, err := tend.ParseID(member)
		if err != nil {
			return err
		}
		changes = append(changes, careteam.GrantChange{MemberID: id, Area: access.Area(area), Level: access.Level(vals[0])})
	}
	if err := s.opt.CareTeam.SetGrants(r.Context(), a, a.ID, changes); err != nil {
		if tend.ErrorKind(err) != tend.EINVALID {
			return err
		}
		page, perr := s.sharingPageFor(r, a)
		if perr != nil {
			return perr
		}
		page.Problem = tend.ErrorMessage(err)
		return s.render(w, r, http.StatusBadRequest, "me_sharing", page)
	}
	http.Redirect(w, r, "/me/sharing?saved=1", http.StatusSeeOther)
	return nil
}

type personPage struct {
	Base
	ID                    tend.ID
	Username, State, Team string
	Members               []memberSharing
	Shared                []areaChoice
	// MayReset offers the reset-code button (auth decides, recovery.go);
	// ResetCode is a code just issued, shown once.
	MayReset  bool
	ResetCode *resetCodeShown
	// Diary links the weekly diary grid: the person shares their diary
	// with the viewer.
	Diary bool
	// Erased says when the person erased their account ("" if never).
	Erased string
}

// clinicPersonShow is a person's page as a staff member sees it. Someone
// with no relationship to the person gets 404, as if there were no one.
func (s *Server) clinicPersonShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	page, err := s.clinicPersonPage(r, a, id)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "clinic_person", page)
}

// clinicPersonPage loads the person's page for a staff member.
func (s *Server) clinicPersonPage(r *http.Request, a tend.Actor, id tend.ID) (*personPage, error) {
	v, err := s.opt.CareTeam.Person(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	mayReset, err := s.opt.Accounts.MayIssueResetCode(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	p := s.printer()
	page := &personPage{Base: Base{Title: v.Username}, ID: id, Username: v.Username, State: p.T("state." + string(v.State)), Team: v.TeamName, MayReset: mayReset}
	for _, m := range v.Team {
		page.Members = append(page.Members, memberSharing{Name: m.StaffName, Role: p.T("role." + string(m.Role))})
	}
	page.Diary = v.SharedWith[access.AreaDiary].AtLeast(access.LevelSee)
	if v.ErasedAt != nil {
		page.Erased = v.ErasedAt.In(s.serviceZone()).Format("2 January 2006")
	}
	for _, area := range sharedAreas() {
		if l := v.SharedWith[area]; l != "" && l != access.LevelNone {
			page.Shared = append(page.Shared, areaChoice{Label: p.T("area." + string(area)), Level: p.T("level." + string(l))})
		}
	}
	return page, nil
}
