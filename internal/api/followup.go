package api

import (
	"net/http"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/followup"
)

type contactRequestJSON struct {
	How        followup.ContactMethod `json:"how"`
	RecordedAt string                 `json:"recorded_at"`
}

type contactOutcomeJSON struct {
	Response followup.Response  `json:"response"`
	TaskID   tend.ID            `json:"task_id,omitempty"`
	FlagID   tend.ID            `json:"flag_id,omitempty"`
	Route    followup.RouteKind `json:"route"`
	// Routed is false when no one will see the request (route "none").
	Routed bool `json:"routed"`
	// Added is false for a retry with the same Idempotency-Key.
	Added bool `json:"added"`
	// NextReadAt is when the care team will next read it: now while the
	// service is open, else when it next opens. Absent when no one will
	// see it, or the service's hours are unknown.
	NextReadAt *time.Time `json:"next_read_at,omitempty"`
}

// contactRequestCreate is "Ask my care team to contact me". The
// Idempotency-Key header makes a retry add nothing.
func (h *Handler) contactRequestCreate(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	var in contactRequestJSON
	if err := decode(w, r, &in); err != nil {
		return err
	}
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		return tend.Errorf(tend.EINVALID, "Send an Idempotency-Key header, the same on every retry of this request.")
	}
	var recorded time.Time
	if in.RecordedAt != "" {
		var err error
		if recorded, err = time.Parse(time.RFC3339, in.RecordedAt); err != nil {
			return tend.Errorf(tend.EINVALID, "recorded_at must be a date and time such as 2026-03-02T09:00:00Z.")
		}
	}
	out, err := h.opt.FollowUp.RequestContact(r.Context(), a, a.ID, followup.ContactRequest{Method: in.How, RecordedAt: recorded, Key: key})
	if err != nil {
		return err
	}
	res := contactOutcomeJSON{Response: out.Response, TaskID: out.TaskID, FlagID: out.FlagID, Route: out.Route, Routed: out.Route != followup.RouteNone, Added: out.Added}
	if res.Routed {
		res.NextReadAt = h.nextRead()
	}
	status := http.StatusOK
	if out.Added {
		status = http.StatusCreated
	}
	return writeJSON(w, status, res)
}

// nextRead is when the care team next reads what arrives now, from the
// service's opening hours; nil when they are not known.
func (h *Handler) nextRead() *time.Time {
	if h.opt.Settings == nil {
		return nil
	}
	st, ok := h.opt.Settings.Get()
	if !ok {
		return nil
	}
	now := time.Now()
	if h.opt.Clock != nil {
		now = h.opt.Clock.Now()
	}
	now = now.UTC()
	if st.Open(now) {
		return &now
	}
	next := st.NextOpen(now)
	if next.IsZero() {
		return nil
	}
	next = next.UTC()
	return &next
}

type taskEntryJSON struct {
	Kind       followup.Kind          `json:"kind"`
	How        followup.ContactMethod `json:"how,omitempty"`
	RecordedAt time.Time              `json:"recorded_at"`
	ReceivedAt time.Time              `json:"received_at"`
}

// taskJSON is a task's metadata: who, when, which kinds of trigger and
// where it is. Never a resolution note or a trigger's content.
type taskJSON struct {
	ID             tend.ID            `json:"id"`
	PersonID       tend.ID            `json:"person_id"`
	Username       string             `json:"username"`
	State          followup.State     `json:"state"`
	Route          followup.RouteKind `json:"route"`
	OpenedAt       time.Time          `json:"opened_at"`
	AcknowledgedAt *time.Time         `json:"acknowledged_at,omitempty"`
	Recipient      bool               `json:"recipient"`
	Entries        []taskEntryJSON    `json:"entries"`
}

type tasksJSON struct {
	Tasks []taskJSON `json:"tasks"`
}

// taskList is the staff inbox: tasks not yet resolved that reach the caller.
func (h *Handler) taskList(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	views, err := h.opt.FollowUp.Inbox(r.Context(), a)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, tasksOf(views))
}

// teamTaskList is a lead's view of their teams' open tasks by age:
// metadata only. Anyone but a lead gets 404.
func (h *Handler) teamTaskList(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	if a.Kind != tend.KindStaff || a.Role != tend.RoleLead {
		return tend.ErrNotFound
	}
	views, err := h.opt.FollowUp.TeamTasks(r.Context(), a)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, tasksOf(views))
}

func tasksOf(views []followup.TaskView) tasksJSON {
	out := tasksJSON{Tasks: make([]taskJSON, 0, len(views))}
	for _, v := range views {
		t := taskJSON{ID: v.ID, PersonID: v.PersonID, Username: v.Username, State: v.State, Route: v.Route, OpenedAt: v.OpenedAt,
			AcknowledgedAt: v.AcknowledgedAt, Recipient: v.Recipient, Entries: make([]taskEntryJSON, 0, len(v.Entries))}
		for _, e := range v.Entries {
			t.Entries = append(t.Entries, taskEntryJSON{Kind: e.Kind, How: e.Contact, RecordedAt: e.RecordedAt, ReceivedAt: e.ReceivedAt})
		}
		out.Tasks = append(out.Tasks, t)
	}
	return out
}

// taskAcknowledge says the caller has seen the task and will act on it.
func (h *Handler) taskAcknowledge(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.opt.FollowUp.Acknowledge(r.Context(), a, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type taskResolveJSON struct {
	Note string `json:"note"`
}

// taskResolve closes the task with a short note of what was done.
func (h *Handler) taskResolve(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in taskResolveJSON
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := h.opt.FollowUp.Resolve(r.Context(), a, id, in.Note); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// contactNoticeRead records that the person read what happens with a
// request (safety-rules.md section 3).
func (h *Handler) contactNoticeRead(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	if err := h.opt.FollowUp.MarkNoticeSeen(r.Context(), a, a.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type safetyPromptJSON struct {
	Kind     followup.Kind     `json:"kind"`
	Response followup.Response `json:"response"`
	Service  followup.Response `json:"service_response"`
	SetBy    string            `json:"set_by,omitempty"`
	SetAt    *time.Time        `json:"set_at,omitempty"`
}

type safetyPromptsJSON struct {
	Level   int                `json:"urge_to_die_level"`
	Prompts []safetyPromptJSON `json:"prompts"`
}

// safetyPromptList is what each trigger does for the signed-in person.
func (h *Handler) safetyPromptList(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	if a.Kind != tend.KindPerson {
		return tend.ErrNotFound
	}
	prompts, err := h.opt.FollowUp.Prompts(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	out := safetyPromptsJSON{Level: h.opt.FollowUp.UrgeToDieLevel(), Prompts: []safetyPromptJSON{}}
	for _, p := range prompts {
		j := safetyPromptJSON{Kind: p.Kind, Response: p.Response, Service: p.Service}
		if p.Person != nil {
			at := p.Person.SetAt
			j.SetBy, j.SetAt = p.Person.SetByName, &at
		}
		out.Prompts = append(out.Prompts, j)
	}
	return writeJSON(w, http.StatusOK, out)
}
