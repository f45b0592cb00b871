package api

import (
	"net/http"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/groups"
	"github.com/tendcare/tend/internal/medication"
	"github.com/tendcare/tend/internal/notes"
)

func notesOn(h *Handler) bool      { return h.opt.Notes != nil }
func medicationOn(h *Handler) bool { return h.opt.Medication != nil }
func groupsOn(h *Handler) bool     { return h.opt.Groups != nil }

type noteVersionJSON struct {
	Version   int       `json:"version"`
	Text      string    `json:"text"`
	WrittenBy tend.ID   `json:"written_by"`
	Writer    string    `json:"writer_name"`
	WrittenAt time.Time `json:"written_at"`
}

// noteJSON is a clinician note: its current version and the versions it
// corrected, newest first. A safety formulation carries no rating.
type noteJSON struct {
	ID        tend.ID           `json:"id"`
	PersonID  tend.ID           `json:"person_id"`
	SessionID *tend.ID          `json:"session_id"`
	Kind      notes.Kind        `json:"kind"`
	Current   noteVersionJSON   `json:"current"`
	Earlier   []noteVersionJSON `json:"earlier"`
}

type notesJSON struct {
	Notes []noteJSON `json:"notes"`
}

func noteOut(n notes.Note) noteJSON {
	v := func(x notes.Version) noteVersionJSON {
		return noteVersionJSON{Version: x.Version, Text: x.Text, WrittenBy: x.WrittenBy, Writer: x.WriterName, WrittenAt: x.WrittenAt}
	}
	out := noteJSON{ID: n.ID, PersonID: n.PersonID, Kind: n.Kind, Current: v(n.Current), Earlier: []noteVersionJSON{}}
	if n.SessionID != "" {
		sid := n.SessionID
		out.SessionID = &sid
	}
	for _, e := range n.Earlier {
		out.Earlier = append(out.Earlier, v(e))
	}
	return out
}

// personNoteList is the clinician notes about a person: therapist,
// prescriber and care coordinator only, each read audited.
func (h *Handler) personNoteList(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	list, err := h.opt.Notes.List(r.Context(), a, id)
	if err != nil {
		return err
	}
	out := notesJSON{Notes: []noteJSON{}}
	for _, n := range list {
		out.Notes = append(out.Notes, noteOut(n))
	}
	return writeJSON(w, http.StatusOK, out)
}

type noteInJSON struct {
	Kind      notes.Kind `json:"kind"`
	SessionID string     `json:"session_id"`
	Text      string     `json:"text"`
	// Corrects names the note this one corrects: the text becomes its
	// newest version, and the earlier versions stay.
	Corrects string `json:"corrects"`
}

// personNoteCreate writes a note, or a new version of one (corrects).
func (h *Handler) personNoteCreate(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in noteInJSON
	if err := decode(w, r, &in); err != nil {
		return err
	}
	var n notes.Note
	if in.Corrects != "" {
		n, err = h.opt.Notes.Correct(r.Context(), a, id, in.Corrects, in.Text)
	} else {
		n, err = h.opt.Notes.Write(r.Context(), a, id, notes.Draft{Kind: in.Kind, SessionID: in.SessionID, Text: in.Text})
	}
	if err != nil {
		return err
	}
	n.PersonID = id
	return writeJSON(w, http.StatusCreated, noteOut(n))
}

// medicationJSON is one line of a medication list.
type medicationJSON struct {
	ID        tend.ID `json:"id"`
	Name      string  `json:"name"`
	Dose      string  `json:"dose"`
	Schedule  string  `json:"schedule"`
	AsNeeded  bool    `json:"as_needed"`
	StartedOn string  `json:"started_on"`
	StoppedOn *string `json:"stopped_on"`
}

type medicationListJSON struct {
	Medication []medicationJSON `json:"medication"`
}

func medicationOut(m medication.Medication) medicationJSON {
	out := medicationJSON{ID: m.ID, Name: m.Name, Dose: m.Dose, Schedule: m.Schedule, AsNeeded: m.AsNeeded, StartedOn: m.StartedOn}
	if m.StoppedOn != "" {
		s := m.StoppedOn
		out.StoppedOn = &s
	}
	return out
}

func (h *Handler) medicationList(w http.ResponseWriter, r *http.Request, a tend.Actor, personID tend.ID) error {
	list, err := h.opt.Medication.List(r.Context(), a, personID)
	if err != nil {
		return err
	}
	out := medicationListJSON{Medication: []medicationJSON{}}
	for _, m := range list {
		out.Medication = append(out.Medication, medicationOut(m))
	}
	return writeJSON(w, http.StatusOK, out)
}

// myMedicationList is the person's own medication list, read-only.
func (h *Handler) myMedicationList(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	if a.Kind != tend.KindPerson {
		return tend.ErrNotFound
	}
	return h.medicationList(w, r, a, a.ID)
}

// personMedicationList is a person's medication list as their care team
// sees it (prescriber, therapist, care coordinator), each read audited.
func (h *Handler) personMedicationList(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return h.medicationList(w, r, a, id)
}

type medicationInJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Dose      string `json:"dose"`
	Schedule  string `json:"schedule"`
	AsNeeded  bool   `json:"as_needed"`
	StartedOn string `json:"started_on"`
}

type medicationAddedJSON struct {
	medicationJSON
	// Added is false for a retry with the same id: nothing was added.
	Added bool `json:"added"`
}

// personMedicationCreate puts a medication on the list (the prescriber).
// A retry with the same id adds nothing.
func (h *Handler) personMedicationCreate(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in medicationInJSON
	if err := decode(w, r, &in); err != nil {
		return err
	}
	m, added, err := h.opt.Medication.Add(r.Context(), a, id, medication.New{ID: in.ID, Name: in.Name, Dose: in.Dose, Schedule: in.Schedule,
		AsNeeded: in.AsNeeded, StartedOn: in.StartedOn})
	if err != nil {
		return err
	}
	status := http.StatusOK
	if added {
		status = http.StatusCreated
	}
	return writeJSON(w, status, medicationAddedJSON{medicationJSON: medicationOut(m), Added: added})
}

type medicationStopJSON struct {
	StoppedOn string `json:"stopped_on"`
}

// personMedicationStop marks a medication stopped; it stays on the list.
func (h *Handler) personMedicationStop(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in medicationStopJSON
	if r.ContentLength != 0 {
		if err := decode(w, r, &in); err != nil {
			return err
		}
	}
	loc := time.UTC
	if h.opt.Settings != nil {
		if st, ok := h.opt.Settings.Get(); ok {
			loc = st.Location()
		}
	}
	m, err := h.opt.Medication.Stop(r.Context(), a, id, r.PathValue("mid"), in.StoppedOn, loc)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, medicationOut(m))
}

type groupJSON struct {
	ID       tend.ID `json:"id"`
	Name     string  `json:"name"`
	Kind     string  `json:"kind"`
	Schedule string  `json:"schedule"`
}

type groupsJSON struct {
	Groups []groupJSON `json:"groups"`
}

// groupList is the groups the caller runs.
func (h *Handler) groupList(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	list, err := h.opt.Groups.Mine(r.Context(), a)
	if err != nil {
		return err
	}
	out := groupsJSON{Groups: []groupJSON{}}
	for _, g := range list {
		out.Groups = append(out.Groups, groupJSON{ID: g.ID, Name: g.Name, Kind: g.Kind, Schedule: g.Schedule})
	}
	return writeJSON(w, http.StatusOK, out)
}

type markJSON struct {
	PersonID tend.ID       `json:"person_id"`
	Status   groups.Status `json:"status"`
}

type attendanceInJSON struct {
	HeldOn     string     `json:"held_on"`
	Attendance []markJSON `json:"attendance"`
}

type attendanceOutJSON struct {
	MeetingID tend.ID `json:"meeting_id"`
	// Added is false for a retry with the same Idempotency-Key.
	Added bool `json:"added"`
}

// groupAttendanceCreate records attendance at one meeting of a group the
// caller runs. The Idempotency-Key header makes a retry write nothing.
func (h *Handler) groupAttendanceCreate(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	var in attendanceInJSON
	if err := decode(w, r, &in); err != nil {
		return err
	}
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		return tend.Errorf(tend.EINVALID, "Send an Idempotency-Key header, the same on every retry of this request.")
	}
	m := groups.Marks{HeldOn: in.HeldOn, Key: key, Status: map[tend.ID]groups.Status{}}
	for _, x := range in.Attendance {
		if _, err := tend.ParseID(string(x.PersonID)); err != nil {
			return tend.Errorf(tend.EINVALID, "person_id must be a person's id.")
		}
		m.Status[x.PersonID] = x.Status
	}
	res, err := h.opt.Groups.Record(r.Context(), a, r.PathValue("id"), m)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if res.Added {
		status = http.StatusCreated
	}
	return writeJSON(w, status, attendanceOutJSON{MeetingID: res.MeetingID, Added: res.Added})
}
