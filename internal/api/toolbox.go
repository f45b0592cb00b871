package api

import (
	"net/http"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/toolbox"
)

// toolboxActivityJSON is one activity of the person's toolbox. A starter's
// wording is the catalogue message message_id; a service's or the
// person's own activity carries its text.
type toolboxActivityJSON struct {
	ID        string         `json:"id"`
	Kind      toolbox.Kind   `json:"kind"`
	Source    toolbox.Source `json:"source"`
	MessageID string         `json:"message_id,omitempty"`
	Text      string         `json:"text,omitempty"`
	Caution   bool           `json:"caution"`
	Hidden    bool           `json:"hidden"`
	Pinned    bool           `json:"pinned"`
	// Pickable is whether "pick one for me" may choose it.
	Pickable bool `json:"pickable"`
}

type toolboxJSON struct {
	CautionAccepted bool                  `json:"caution_accepted"`
	Activities      []toolboxActivityJSON `json:"activities"`
}

// toolboxActivityList is the person's toolbox, hidden activities included.
func (h *Handler) toolboxActivityList(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	tb, err := h.opt.Toolbox.Toolbox(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	out := toolboxJSON{CautionAccepted: tb.CautionAccepted, Activities: []toolboxActivityJSON{}}
	for _, act := range tb.Activities {
		j := toolboxActivityJSON{ID: act.ID, Kind: act.Kind, Source: act.Source, Text: act.Title, Caution: act.Caution,
			Hidden: act.Hidden, Pinned: act.Pinned, Pickable: !act.Hidden && (!act.Caution || tb.CautionAccepted)}
		if act.Source == toolbox.SourceStarter {
			j.MessageID = act.MessageID()
		}
		out.Activities = append(out.Activities, j)
	}
	return writeJSON(w, http.StatusOK, out)
}

type toolboxUseJSON struct {
	ID         tend.ID          `json:"id"`
	Question   toolbox.Question `json:"question"`
	UrgeBefore int              `json:"urge_before"`
	ActivityID string           `json:"activity_id"`
	Minutes    int              `json:"minutes"`
	UrgeAfter  int              `json:"urge_after"`
	Helpful    bool             `json:"helpful"`
	RecordedAt time.Time        `json:"recorded_at"`
	ReceivedAt time.Time        `json:"received_at"`
}

type toolboxUsesJSON struct {
	Uses []toolboxUseJSON `json:"uses"`
}

func toolboxUseOf(u toolbox.Use) toolboxUseJSON {
	return toolboxUseJSON{ID: u.ID, Question: u.Question, UrgeBefore: u.UrgeBefore, ActivityID: u.ActivityID, Minutes: u.Minutes,
		UrgeAfter: u.UrgeAfter, Helpful: u.Helpful, RecordedAt: u.RecordedAt, ReceivedAt: u.ReceivedAt}
}

// toolboxUseList is the person's toolbox log, newest first.
func (h *Handler) toolboxUseList(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	uses, err := h.opt.Toolbox.Uses(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	out := toolboxUsesJSON{Uses: make([]toolboxUseJSON, 0, len(uses))}
	for _, u := range uses {
		out.Uses = append(out.Uses, toolboxUseOf(u))
	}
	return writeJSON(w, http.StatusOK, out)
}

type toolboxNewUseJSON struct {
	Question   toolbox.Question `json:"question"`
	UrgeBefore *int             `json:"urge_before"`
	ActivityID string           `json:"activity_id"`
	Minutes    int              `json:"minutes"`
	UrgeAfter  *int             `json:"urge_after"`
	Helpful    bool             `json:"helpful"`
	RecordedAt string           `json:"recorded_at"`
}

// toolboxUseCreate logs a finished use. The Idempotency-Key header makes a
// retry, or a use sent again from an offline queue, store nothing new: 200
// with the first use instead of 201.
func (h *Handler) toolboxUseCreate(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	var in toolboxNewUseJSON
	if err := decode(w, r, &in); err != nil {
		return err
	}
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		return tend.Errorf(tend.EINVALID, "Send an Idempotency-Key header, the same on every retry of this request.")
	}
	if in.UrgeBefore == nil || in.UrgeAfter == nil {
		return tend.Errorf(tend.EINVALID, "urge_before and urge_after are required, from 0 to 10.")
	}
	n := toolbox.NewUse{Key: key, Question: in.Question, UrgeBefore: *in.UrgeBefore, ActivityID: in.ActivityID, Minutes: in.Minutes,
		UrgeAfter: *in.UrgeAfter, Helpful: in.Helpful}
	if in.RecordedAt != "" {
		t, err := time.Parse(time.RFC3339, in.RecordedAt)
		if err != nil {
			return tend.Errorf(tend.EINVALID, "recorded_at must be a date and time such as 2026-03-02T09:00:00Z.")
		}
		n.RecordedAt = t
	}
	u, added, err := h.opt.Toolbox.Log(r.Context(), a, a.ID, n)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if added {
		status = http.StatusCreated
	}
	return writeJSON(w, status, toolboxUseOf(u))
}
