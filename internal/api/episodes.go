package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/episodes"
)

// Episodes of care, sessions and incidents: the care team's, and the
// person's own episodes and sessions (never the incidents).

func episodesOn(h *Handler) bool { return h.opt.Episodes != nil }

type followUpPointJSON struct {
	Months int    `json:"months"`
	Due    string `json:"due"`
	From   string `json:"from"`
	To     string `json:"to"`
}

type episodeJSON struct {
	ID              tend.ID             `json:"id"`
	Modality        string              `json:"modality"`
	Source          episodes.Source     `json:"source"`
	ReferredOn      string              `json:"referred_on"`
	Decision        episodes.Decision   `json:"decision"`
	DecidedOn       *string             `json:"decided_on"`
	StartedOn       *string             `json:"started_on"`
	EndedOn         *string             `json:"ended_on"`
	FollowUpConsent *bool               `json:"follow_up_consent"`
	ClosedOn        *string             `json:"closed_on"`
	FollowUpPoints  []followUpPointJSON `json:"follow_up_points"`
}

type episodesJSON struct {
	State    tend.PersonState `json:"state"`
	Episodes []episodeJSON    `json:"episodes"`
}

type careSessionJSON struct {
	ID         tend.ID              `json:"id"`
	EpisodeID  tend.ID              `json:"episode_id"`
	HeldOn     string               `json:"held_on"`
	Kind       episodes.SessionKind `json:"kind"`
	Attendance *episodes.Attendance `json:"attendance"` // null for a planned session
}

type careSessionsJSON struct {
	Sessions    []careSessionJSON `json:"sessions"`
	NextSession *careSessionJSON  `json:"next_session"`
}

type incidentJSON struct {
	ID          tend.ID               `json:"id"`
	OccurredOn  string                `json:"occurred_on"`
	Kind        episodes.IncidentKind `json:"kind"`
	MedicalCare episodes.MedicalCare  `json:"medical_care"`
}

func episodeDay(t time.Time) string { return t.Format(time.DateOnly) }

func episodeOptDay(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := episodeDay(*t)
	return &s
}

func (h *Handler) episodesOut(state tend.PersonState, eps []episodes.Episode) episodesJSON {
	out := episodesJSON{State: state, Episodes: []episodeJSON{}}
	weeks := h.opt.Episodes.WindowWeeks()
	for _, e := range eps {
		j := episodeJSON{ID: e.ID, Modality: e.Modality, Source: e.Source, ReferredOn: episodeDay(e.ReferredOn), Decision: e.Decision,
			DecidedOn: episodeOptDay(e.DecidedOn), StartedOn: episodeOptDay(e.StartedOn), EndedOn: episodeOptDay(e.EndedOn), FollowUpConsent: e.FollowUpConsent,
			ClosedOn: episodeOptDay(e.ClosedOn), FollowUpPoints: []followUpPointJSON{}}
		for _, p := range e.FollowUpPoints(weeks) {
			j.FollowUpPoints = append(j.FollowUpPoints, followUpPointJSON{Months: p.Months, Due: episodeDay(p.Due), From: episodeDay(p.From), To: episodeDay(p.To)})
		}
		out.Episodes = append(out.Episodes, j)
	}
	return out
}

func sessionOut(s episodes.Session) careSessionJSON {
	j := careSessionJSON{ID: s.ID, EpisodeID: s.EpisodeID, HeldOn: episodeDay(s.HeldOn), Kind: s.Kind}
	if s.Attendance != episodes.AttendancePlanned {
		a := s.Attendance
		j.Attendance = &a
	}
	return j
}

func (h *Handler) sessionsOut(ss []episodes.Session) careSessionsJSON {
	out := careSessionsJSON{Sessions: []careSessionJSON{}}
	today := h.opt.Episodes.Today()
	for _, s := range ss {
		j := sessionOut(s)
		out.Sessions = append(out.Sessions, j)
		if s.Attendance == episodes.AttendancePlanned && !s.HeldOn.Before(today) {
			out.NextSession = &j // sessions come latest first: the last match is the earliest
		}
	}
	return out
}

// personEpisodesList is a person's referral and episodes with their
// follow-up points, for the care team (and the person themselves).
func (h *Handler) personEpisodesList(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := h.opt.Episodes.Overview(r.Context(), a, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, h.episodesOut(c.State, c.Episodes))
}

// episodeStepJSON is one step of a person's lifecycle. Decide, start and
// discharge apply to the person's open episode (there is at most one).
type episodeStepJSON struct {
	Step     string          `json:"step"` // refer, decide, start, discharge or close
	Date     string          `json:"date"`
	Source   episodes.Source `json:"source"`
	Modality string          `json:"modality"`
	Accepted *bool           `json:"accepted"`
	FollowUp *bool           `json:"follow_up"`
}

// personEpisodeStep records a referral (a new episode) or the next step of
// the open one, and answers with the person's episodes after it.
func (h *Handler) personEpisodeStep(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in episodeStepJSON
	if err := decode(w, r, &in); err != nil {
		return err
	}
	ctx, svc := r.Context(), h.opt.Episodes
	status := http.StatusOK
	switch in.Step {
	case "refer":
		_, err = svc.Refer(ctx, a, id, episodes.NewReferral{ReferredOn: in.Date, Source: in.Source, Modality: in.Modality})
		status = http.StatusCreated
	case "decide", "start", "discharge":
		var open tend.ID
		if open, err = h.openEpisode(r, a, id); err != nil {
			return err
		}
		switch in.Step {
		case "decide":
			err = svc.Decide(ctx, a, id, open, in.Accepted, in.Date)
		case "start":
			err = svc.Start(ctx, a, id, open, in.Date)
		default:
			err = svc.Discharge(ctx, a, id, open, in.Date, in.FollowUp)
		}
	case "close":
		err = svc.Close(ctx, a, id)
	default:
		// Access first, so that a stranger learns nothing from the answer.
		if _, err = svc.Episodes(ctx, a, id); err == nil {
			err = tend.Errorf(tend.EINVALID, "step must be refer, decide, start, discharge or close.")
		}
	}
	if err != nil {
		return err
	}
	c, err := svc.Overview(ctx, a, id)
	if err != nil {
		return err
	}
	return writeJSON(w, status, h.episodesOut(c.State, c.Episodes))
}

func (h *Handler) openEpisode(r *http.Request, a tend.Actor, personID tend.ID) (tend.ID, error) {
	eps, err := h.opt.Episodes.Episodes(r.Context(), a, personID)
	if err != nil {
		return "", err
	}
	for _, e := range eps {
		if e.Open() {
			return e.ID, nil
		}
	}
	return "", tend.Errorf(tend.ECONFLICT, "This person has no open episode. Record a referral first.")
}

// personSessionsList is a person's sessions, latest first, and the next
// planned one.
func (h *Handler) personSessionsList(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ss, err := h.opt.Episodes.Sessions(r.Context(), a, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, h.sessionsOut(ss))
}

type newSessionJSON struct {
	HeldOn     string               `json:"held_on"`
	Kind       episodes.SessionKind `json:"kind"`
	Attendance *episodes.Attendance `json:"attendance"` // null or absent: planned
}

type sessionSavedJSON struct {
	careSessionJSON
	Added bool `json:"added"` // false for a retry with the same Idempotency-Key
}

// personSessionCreate records a session of the person's open episode. The
// Idempotency-Key header makes a retry add nothing.
func (h *Handler) personSessionCreate(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in newSessionJSON
	if err := decode(w, r, &in); err != nil {
		return err
	}
	n := episodes.NewSession{HeldOn: in.HeldOn, Kind: in.Kind, Key: strings.TrimSpace(r.Header.Get("Idempotency-Key"))}
	if in.Attendance != nil {
		if *in.Attendance == "" {
			return tend.Errorf(tend.EINVALID, "attendance must be attended, cancelled, did_not_attend, or null for a planned session.")
		}
		n.Attendance = *in.Attendance
	}
	s, added, err := h.opt.Episodes.RecordSession(r.Context(), a, id, n)
	if err != nil {
		return err
	}
	if !added {
		// A retry: answer with the session the first request recorded.
		ss, err := h.opt.Episodes.Sessions(r.Context(), a, id)
		if err != nil {
			return err
		}
		for _, x := range ss {
			if x.ID == s.ID {
				s = x
			}
		}
		return writeJSON(w, http.StatusOK, sessionSavedJSON{careSessionJSON: sessionOut(s)})
	}
	return writeJSON(w, http.StatusCreated, sessionSavedJSON{careSessionJSON: sessionOut(s), Added: true})
}

// personIncidentsList is the incidents the care team recorded for a person.
func (h *Handler) personIncidentsList(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	list, err := h.opt.Episodes.Incidents(r.Context(), a, id)
	if err != nil {
		return err
	}
	out := struct {
		Incidents []incidentJSON `json:"incidents"`
	}{Incidents: []incidentJSON{}}
	for _, i := range list {
		out.Incidents = append(out.Incidents, incidentJSON{ID: i.ID, OccurredOn: episodeDay(i.OccurredOn), Kind: i.Kind, MedicalCare: i.MedicalCare})
	}
	return writeJSON(w, http.StatusOK, out)
}

type newIncidentJSON struct {
	OccurredOn  string                `json:"occurred_on"`
	Kind        episodes.IncidentKind `json:"kind"`
	MedicalCare episodes.MedicalCare  `json:"medical_care"`
}

// personIncidentCreate records an incident: a date, a kind and whether
// medical care was needed, never a method (there is no field for one). The
// Idempotency-Key header makes a retry add nothing.
func (h *Handler) personIncidentCreate(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in newIncidentJSON
	if err := decode(w, r, &in); err != nil {
		return err
	}
	i, added, err := h.opt.Episodes.RecordIncident(r.Context(), a, id, episodes.NewIncident{OccurredOn: in.OccurredOn, Kind: in.Kind,
		MedicalCare: in.MedicalCare, Key: strings.TrimSpace(r.Header.Get("Idempotency-Key"))})
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if !added {
		status = http.StatusOK
	}
	return writeJSON(w, status, struct {
		ID    tend.ID `json:"id"`
		Added bool    `json:"added"`
	}{i.ID, added})
}

// myEpisodesList is the signed-in person's own episodes and sessions.
func (h *Handler) myEpisodesList(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	if a.Kind != tend.KindPerson {
		return tend.ErrNotFound
	}
	c, err := h.opt.Episodes.Overview(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	out := struct {
		episodesJSON
		careSessionsJSON
	}{h.episodesOut(c.State, c.Episodes), h.sessionsOut(c.Sessions)}
	return writeJSON(w, http.StatusOK, out)
}
