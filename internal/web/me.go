package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/careteam"
)

// requireKind returns the signed-in actor when it is of kind, or the error
// that sends the browser to the sign-in page. Which data the actor may see
// is decided by the services, not here.
func requireKind(r *http.Request, kind tend.AccountKind) (tend.Actor, error) {
	a := actorFrom(r)
	switch a.Kind {
	case kind:
		return a, nil
	case "":
		return tend.Actor{}, tend.Errorf(tend.EUNAUTHORIZED, "Please sign in.")
	}
	// Signed in as another kind of account: these pages do not exist for it.
	return tend.Actor{}, tend.ErrNotFound
}

type noticeView struct {
	ID   tend.ID
	Text string
	// KeepSharing offers the person to let a new member see what the one
	// they took over from could (a transfer).
	KeepSharing bool
	// Link is a page the notice leads to ("" for none).
	Link, LinkText string
}

type meHomePage struct {
	Base
	Notices  []noticeView
	Homework []homeworkView // open homework, calmly, with no count of what was missed
	// Waiting are the questionnaires waiting to be filled in.
	Waiting []dueView
	// ErasureDue is when the person's pending account erasure runs ("" for
	// none): every sign-in says so until it runs or they cancel.
	ErasureDue string
}

// meShow is the person's home page.
func (s *Server) meShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	notices, err := s.opt.CareTeam.NoticeViews(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	p := s.printer()
	page := &meHomePage{Base: Base{Title: p.T("me.title"), QuickExit: true}}
	for _, n := range notices {
		v := noticeView{ID: n.ID, Text: s.noticeText(n), KeepSharing: n.Kind == careteam.NoticeTransfer && len(n.Params.Grants) > 0}
		if n.Kind == careteam.NoticeExportReady {
			v.Link, v.LinkText = "/me/data", p.T("rights.title")
		}
		page.Notices = append(page.Notices, v)
	}
	if page.ErasureDue, err = s.erasureDue(r, a); err != nil {
		return err
	}
	if page.Homework, err = s.openHomework(r, a); err != nil {
		return err
	}
	if page.Waiting, err = s.waitingQuestionnaires(r, a); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "me_home", page)
}

// noticeDismiss marks one of the person's notices as read.
func (s *Server) noticeDismiss(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	if err := s.opt.CareTeam.DismissNotice(r.Context(), a, a.ID, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/me", http.StatusSeeOther)
	return nil
}

// noticeKeepSharing is the person's "yes" to a transfer notice: the new
// member sees what the one they took over from could.
func (s *Server) noticeKeepSharing(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	if err := s.opt.CareTeam.KeepSharingAfterTransfer(r.Context(), a, a.ID, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/me/sharing?saved=1", http.StatusSeeOther)
	return nil
}

// noticeText words a notice for the person.
func (s *Server) noticeText(n careteam.NoticeView) string {
	p := s.printer()
	name := n.StaffName
	if name == "" {
		name = p.T("notice.someone")
	}
	role := p.T("role." + string(n.Params.Role))
	switch n.Kind {
	case careteam.NoticeExportReady:
		return p.T("rights.notice_ready")
	case careteam.NoticeJoined:
		return p.T("notice.joined", name, role)
	case careteam.NoticeEnded:
		return p.T("notice.ended", name, role)
	case careteam.NoticeFollowUp:
		return p.T("notice.follow_up", name, role)
	case careteam.NoticeShared:
		return p.T("notice.shared", name, p.T("area."+string(n.Params.Area)))
	case careteam.NoticeTransfer:
		from := n.FromStaffName
		if from == "" {
			from = p.T("notice.someone")
		}
		var areas []string
		for _, a := range access.Areas {
			if _, ok := n.Params.Grants[a]; ok {
				areas = append(areas, p.T("area."+string(a)))
			}
		}
		if len(areas) == 0 {
			return p.T("notice.transfer", name, role, from)
		}
		return p.T("notice.transfer_offer", name, role, from, strings.Join(areas, ", "))
	}
	return p.T("notice.changed")
}

type lookView struct {
	Who, Role, What string
	At              string
}

type signInView struct {
	At, Device string
	Failed     bool
}

type whoLookedPage struct {
	Base
	Looks   []lookView
	SignIns []signInView
}

// whoLookedShow is "Who has looked at my information": staff reads of the
// person's data, and their own sign-ins by device and time.
func (s *Server) whoLookedShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	looks, err := s.opt.Looks.WhoLooked(r.Context(), a, a.ID, 200)
	if err != nil {
		return err
	}
	signIns, err := s.opt.Accounts.FindSignIns(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	p := s.printer()
	loc, err := s.personZone(r)
	if err != nil {
		return err
	}
	page := &whoLookedPage{Base: Base{Title: p.T("who.title"), QuickExit: true}}
	for _, l := range looks {
		v := lookView{Who: l.StaffName, Role: p.T("staffrole." + l.ActorRole), What: p.T("action." + l.Action), At: l.At.In(loc).Format("2 Jan 2006 15:04")}
		if l.ActorKind == tend.KindSupporter {
			v.Who, v.Role = p.T("who.supporter"), p.T("who.supporter_role")
		}
		if v.Who == "" {
			v.Who = p.T("notice.someone")
		}
		page.Looks = append(page.Looks, v)
	}
	for _, si := range signIns {
		dev := si.Device
		if dev == "" {
			dev = p.T("who.unknown_device")
		}
		page.SignIns = append(page.SignIns, signInView{At: si.At.In(loc).Format("2 Jan 2006 15:04"), Device: dev, Failed: si.Outcome != tend.OutcomeOK})
	}
	return s.render(w, r, http.StatusOK, "me_who_looked", page)
}

// personZone is the zone the signed-in person's dates are shown in: the
// one they chose (on joining or in their settings), read through their own
// preferences; the service's only if theirs no longer loads.
func (s *Server) personZone(r *http.Request) (*time.Location, error) {
	prefs, err := s.opt.Accounts.Preferences(r.Context(), actorFrom(r))
	if err != nil {
		return nil, err
	}
	if loc, err := time.LoadLocation(prefs.TimeZone); err == nil && prefs.TimeZone != "" {
		return loc, nil
	}
	st, _ := s.opt.Settings.Get()
	return st.Location(), nil
}

type awaitingView struct {
	Country, Name string
	Stale         []string
	Confirmed     string
}

type adminHomePage struct {
	Base
	Awaiting   []awaitingView
	NoDutyTeam bool // the service has not chosen its duty or intake team
	// NoLead names the teams without an active lead, whom reminders of
	// unacknowledged tasks would reach.
	NoLead string
}

// adminShow is the admin home: what awaits the admin, starting with crisis
// lines to confirm.
func (s *Server) adminShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	if !a.MFA {
		http.Redirect(w, r, "/signin/mfa", http.StatusSeeOther)
		return nil
	}
	items, err := s.opt.Admin.Awaiting(r.Context(), a)
	if err != nil {
		return err
	}
	page := &adminHomePage{Base: Base{Title: s.printer().T("admin.title")}}
	if st, _ := s.opt.Settings.Get(); st.DutyTeam == "" {
		page.NoDutyTeam = true
	}
	noLead, err := s.opt.Admin.TeamsWithoutLead(r.Context(), a)
	if err != nil {
		return err
	}
	page.NoLead = strings.Join(noLead, ", ")
	for _, it := range items {
		v := awaitingView{Country: it.Country, Name: it.Name, Stale: it.Stale}
		if !it.ConfirmedAt.IsZero() {
			v.Confirmed = it.ConfirmedAt.Format("2 Jan 2006")
		}
		page.Awaiting = append(page.Awaiting, v)
	}
	return s.render(w, r, http.StatusOK, "admin_home", page)
}

// crisisLinesConfirm records an admin's check of a country's crisis lines.
func (s *Server) crisisLinesConfirm(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	if err := s.opt.Admin.ConfirmCrisisLines(r.Context(), a, sanitizeCountry(r.PathValue("country"))); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin", http.StatusSeeOther)
	return nil
}
