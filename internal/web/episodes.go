package web

import (
	"net/http"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/episodes"
)

// Episodes of care, sessions and incidents: the care team's page for one
// person (/clinic/people/{id}/episodes) and the person's own summary
// (/me/care). Handlers parse the form, call one service method and
// redirect; access and audit are the service's.

// withEpisodes answers "not found" when the server runs without the
// episodes service (tests of other areas), rather than failing on nil.
func (s *Server) withEpisodes(fn func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.opt.Episodes == nil {
			return tend.ErrNotFound
		}
		return fn(w, r)
	}
}

// episodeChoice is one option of a select or radio group.
type episodeChoice struct {
	Value, Label string
}

type episodePoint struct {
	Label, Due, From, To string
	Now                  bool // today falls in the window
}

type episodeView struct {
	ID                                  tend.ID
	Modality, Source, Decision          string
	Referred, Decided, Started, Ended   string
	FollowUp                            string // the consent answer, once discharged
	Points                              []episodePoint
	Pending, Accepted, InTreatment, Ran bool // which step comes next
}

type careSessionView struct {
	ID                     tend.ID
	Date, Kind, Attendance string
	Planned                bool
	Due                    bool // planned, and its day has come: its attendance can be recorded
}

type incidentRow struct {
	Date, Kind, MedicalCare string
}

type clinicEpisodesPage struct {
	Base
	PersonID                tend.ID
	Username, State         string
	Open                    *episodeView
	Episodes                []episodeView
	Sessions                []careSessionView
	Next                    *careSessionView
	Incidents               []incidentRow
	MayClose                bool
	MaySession              bool // an accepted episode is open: sessions can be recorded
	Modalities, Sources     []episodeChoice
	SessionKinds            []episodeChoice
	Attendances             []episodeChoice
	IncidentKinds           []episodeChoice
	MedicalCares            []episodeChoice
	Today                   string
	WindowWeeks             int
	SessionKey, IncidentKey string
	// Problem is what is wrong with the form just sent (nothing changed);
	// Saved names what was just recorded.
	Problem, Saved string
}

func episodeDate(t time.Time) string { return t.Format("2 Jan 2006") }

func episodeOptDate(t *time.Time) string {
	if t == nil {
		return ""
	}
	return episodeDate(*t)
}

func (s *Server) episodeViews(p interface{ T(string, ...any) string }, eps []episodes.Episode, today time.Time) []episodeView {
	weeks := s.opt.Episodes.WindowWeeks()
	out := make([]episodeView, 0, len(eps))
	for _, e := range eps {
		v := episodeView{ID: e.ID, Modality: e.Modality, Source: p.T("episodes.source." + string(e.Source)),
			Decision: p.T("episodes.decision." + string(e.Decision)), Referred: episodeDate(e.ReferredOn),
			Decided: episodeOptDate(e.DecidedOn), Started: episodeOptDate(e.StartedOn), Ended: episodeOptDate(e.EndedOn)}
		if e.FollowUpConsent != nil {
			v.FollowUp = p.T("episodes.follow_up_no")
			if *e.FollowUpConsent {
				v.FollowUp = p.T("episodes.follow_up_yes")
			}
		}
		for _, pt := range e.FollowUpPoints(weeks) {
			v.Points = append(v.Points, episodePoint{Label: p.T("episodes.point_months", pt.Months), Due: episodeDate(pt.Due),
				From: episodeDate(pt.From), To: episodeDate(pt.To), Now: !today.Before(pt.From) && !today.After(pt.To)})
		}
		switch {
		case e.EndedOn != nil || e.Decision == episodes.DecisionNotAccepted:
			v.Ran = true
		case e.Decision == episodes.DecisionPending:
			v.Pending = true
		case e.StartedOn == nil:
			v.Accepted = true
		default:
			v.InTreatment = true
		}
		out = append(out, v)
	}
	return out
}

func careSessionViews(p interface{ T(string, ...any) string }, ss []episodes.Session, prefix string) []careSessionView {
	out := make([]careSessionView, 0, len(ss))
	for _, x := range ss {
		v := careSessionView{ID: x.ID, Date: episodeDate(x.HeldOn), Kind: p.T("episodes.session." + string(x.Kind)), Planned: x.Attendance == episodes.AttendancePlanned}
		if v.Planned {
			v.Attendance = p.T(prefix + "planned")
		} else {
			v.Attendance = p.T(prefix + string(x.Attendance))
		}
		out = append(out, v)
	}
	return out
}

func (s *Server) clinicEpisodesPage(r *http.Request, a tend.Actor, id tend.ID) (*clinicEpisodesPage, error) {
	care, err := s.opt.Episodes.Overview(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	v, err := s.opt.CareTeam.Person(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	p := s.printer()
	today := s.opt.Episodes.Today()
	page := &clinicEpisodesPage{Base: Base{Title: p.T("episodes.title", v.Username)}, PersonID: id, Username: v.Username,
		State: p.T("state." + string(care.State)), Today: today.Format(time.DateOnly), WindowWeeks: s.opt.Episodes.WindowWeeks(),
		SessionKey: randomHex(16), IncidentKey: randomHex(16),
		MayClose: care.State == tend.StateDischarged}
	// A record in follow-up can be closed once the last window has closed.
	if care.State == tend.StateFollowUp && len(care.Episodes) > 0 {
		pts := care.Episodes[0].FollowUpPoints(page.WindowWeeks)
		page.MayClose = len(pts) == 0 || today.After(pts[len(pts)-1].To)
	}
	page.Episodes = s.episodeViews(p, care.Episodes, today)
	for i, e := range care.Episodes {
		if e.Open() {
			page.Open = &page.Episodes[i]
			page.MaySession = e.Decision == episodes.DecisionAccepted
		}
	}
	page.Sessions = careSessionViews(p, care.Sessions, "episodes.attendance.")
	for i, x := range care.Sessions {
		page.Sessions[i].Due = page.Sessions[i].Planned && !x.HeldOn.After(today)
	}
	for i := len(care.Sessions) - 1; i >= 0; i-- {
		if x := care.Sessions[i]; x.Attendance == episodes.AttendancePlanned && !x.HeldOn.Before(today) {
			page.Next = &page.Sessions[i]
			break
		}
	}
	for _, inc := range care.Incidents {
		page.Incidents = append(page.Incidents, incidentRow{Date: episodeDate(inc.OccurredOn), Kind: p.T("episodes.incident." + string(inc.Kind)),
			MedicalCare: p.T("episodes.medical." + string(inc.MedicalCare))})
	}
	for _, m := range s.opt.Episodes.Modalities() {
		page.Modalities = append(page.Modalities, episodeChoice{Value: m, Label: m})
	}
	for _, x := range episodes.Sources {
		page.Sources = append(page.Sources, episodeChoice{Value: string(x), Label: p.T("episodes.source." + string(x))})
	}
	for _, x := range episodes.SessionKinds {
		page.SessionKinds = append(page.SessionKinds, episodeChoice{Value: string(x), Label: p.T("episodes.session." + string(x))})
	}
	for _, x := range episodes.Attendances {
		page.Attendances = append(page.Attendances, episodeChoice{Value: string(x), Label: p.T("episodes.attendance." + string(x))})
	}
	for _, x := range episodes.IncidentKinds {
		page.IncidentKinds = append(page.IncidentKinds, episodeChoice{Value: string(x), Label: p.T("episodes.incident." + string(x))})
	}
	for _, x := range episodes.MedicalCares {
		page.MedicalCares = append(page.MedicalCares, episodeChoice{Value: string(x), Label: p.T("episodes.medical." + string(x))})
	}
	return page, nil
}

// clinicEpisodesShow shows a person's referral, episodes, follow-up points,
// sessions and incidents, with a form for each next step.
func (s *Server) clinicEpisodesShow(w http.ResponseWriter, r *http.Request) error {
	a, id, err := episodeStaffPerson(r)
	if err != nil {
		return err
	}
	page, err := s.clinicEpisodesPage(r, a, id)
	if err != nil {
		return err
	}
	page.Saved = episodeSaved(r.URL.Query().Get("saved"))
	return s.render(w, r, http.StatusOK, "clinic_episodes", page)
}

var episodeSavedKinds = []string{"referral", "decision", "start", "discharge", "close", "session", "attendance", "incident"}

func episodeSaved(v string) string {
	for _, k := range episodeSavedKinds {
		if v == k {
			return k
		}
	}
	return ""
}

func episodeStaffPerson(r *http.Request) (tend.Actor, tend.ID, error) {
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

// episodeStep runs one recording step: parse the form, call do, and
// redirect back with what was saved; a bad form or a step out of order is
// shown next to its form with nothing changed.
func (s *Server) episodeStep(form string, do func(r *http.Request, a tend.Actor, id tend.ID) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		a, id, err := episodeStaffPerson(r)
		if err != nil {
			return err
		}
		if err := r.ParseForm(); err != nil {
			return err
		}
		err = do(r, a, id)
		if err == nil {
			http.Redirect(w, r, "/clinic/people/"+string(id)+"/episodes?saved="+form, http.StatusSeeOther) // #nosec G710 -- a local path; id is a parsed UUID, form a fixed step name.
			return nil
		}
		kind := tend.ErrorKind(err)
		if kind != tend.EINVALID && kind != tend.ECONFLICT {
			return err
		}
		page, perr := s.clinicEpisodesPage(r, a, id)
		if perr != nil {
			return perr
		}
		page.Problem = tend.ErrorMessage(err)
		return s.render(w, r, codes[kind], "clinic_episodes", page)
	}
}

func episodeYesNo(v string) *bool {
	switch v {
	case "yes":
		t := true
		return &t
	case "no":
		f := false
		return &f
	}
	return nil
}

func (s *Server) episodeRefer(r *http.Request, a tend.Actor, id tend.ID) error {
	f := r.PostForm
	_, err := s.opt.Episodes.Refer(r.Context(), a, id, episodes.NewReferral{ReferredOn: f.Get("referred_on"),
		Source: episodes.Source(f.Get("source")), Modality: f.Get("modality")})
	return err
}

func episodeID(r *http.Request) tend.ID {
	id, err := tend.ParseID(r.PathValue("episode"))
	if err != nil {
		return "" // no episode has an empty id: the service answers "not found"
	}
	return id
}

func (s *Server) episodeDecide(r *http.Request, a tend.Actor, id tend.ID) error {
	return s.opt.Episodes.Decide(r.Context(), a, id, episodeID(r), episodeYesNo(r.PostForm.Get("accepted")), r.PostForm.Get("decided_on"))
}

func (s *Server) episodeStart(r *http.Request, a tend.Actor, id tend.ID) error {
	return s.opt.Episodes.Start(r.Context(), a, id, episodeID(r), r.PostForm.Get("started_on"))
}

func (s *Server) episodeDischarge(r *http.Request, a tend.Actor, id tend.ID) error {
	return s.opt.Episodes.Discharge(r.Context(), a, id, episodeID(r), r.PostForm.Get("ended_on"), episodeYesNo(r.PostForm.Get("follow_up")))
}

func (s *Server) episodeClose(r *http.Request, a tend.Actor, id tend.ID) error {
	return s.opt.Episodes.Close(r.Context(), a, id)
}

func (s *Server) sessionRecord(r *http.Request, a tend.Actor, id tend.ID) error {
	f := r.PostForm
	att := f.Get("attendance")
	if att == "planned" {
		att = ""
	}
	_, _, err := s.opt.Episodes.RecordSession(r.Context(), a, id, episodes.NewSession{HeldOn: f.Get("held_on"),
		Kind: episodes.SessionKind(f.Get("kind")), Attendance: episodes.Attendance(att), Key: f.Get("idempotency_key")})
	return err
}

func (s *Server) sessionAttendance(r *http.Request, a tend.Actor, id tend.ID) error {
	sid, err := tend.ParseID(r.PathValue("session"))
	if err != nil {
		sid = "" // no session has an empty id: the service answers "not found"
	}
	return s.opt.Episodes.RecordAttendance(r.Context(), a, id, sid, episodes.Attendance(r.PostForm.Get("attendance")))
}

func (s *Server) incidentRecord(r *http.Request, a tend.Actor, id tend.ID) error {
	f := r.PostForm
	_, _, err := s.opt.Episodes.RecordIncident(r.Context(), a, id, episodes.NewIncident{OccurredOn: f.Get("occurred_on"),
		Kind: episodes.IncidentKind(f.Get("kind")), MedicalCare: episodes.MedicalCare(f.Get("medical_care")), Key: f.Get("idempotency_key")})
	return err
}

type meCarePage struct {
	Base
	State    string
	Episodes []episodeView
	Sessions []careSessionView
	Next     *careSessionView
}

// meCareShow shows the person their own episodes of care and sessions.
func (s *Server) meCareShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	care, err := s.opt.Episodes.Overview(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	p := s.printer()
	today := s.opt.Episodes.Today()
	page := &meCarePage{Base: Base{Title: p.T("episodes.me_title"), QuickExit: true}, State: p.T("state." + string(care.State))}
	page.Episodes = s.episodeViews(p, care.Episodes, today)
	page.Sessions = careSessionViews(p, care.Sessions, "episodes.me_attendance.")
	for i := len(care.Sessions) - 1; i >= 0; i-- {
		if x := care.Sessions[i]; x.Attendance == episodes.AttendancePlanned && !x.HeldOn.Before(today) {
			page.Next = &page.Sessions[i]
			break
		}
	}
	return s.render(w, r, http.StatusOK, "me_care", page)
}
