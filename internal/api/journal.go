package api

import (
	"net/http"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/journal"
)

type journalEntryJSON struct {
	ID        tend.ID   `json:"id"`
	Revision  int       `json:"revision"`
	Text      string    `json:"text"`
	Prompt    string    `json:"prompt"`
	PromptID  *tend.ID  `json:"prompt_id"`
	Assigned  bool      `json:"assigned"` // the prompt was assigned by a clinician
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func journalEntryOut(e journal.Entry) journalEntryJSON {
	out := journalEntryJSON{ID: e.ID, Revision: e.Revision, Text: e.Text, Prompt: e.Prompt, Assigned: e.Deeper, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
	if e.PromptID != "" {
		out.PromptID = &e.PromptID
	}
	return out
}

type journalReaderJSON struct {
	Name string        `json:"name"`
	Role tend.CareRole `json:"role"`
}

type journalListJSON struct {
	// Readers are who can read the journal now (empty: only the person).
	Readers []journalReaderJSON `json:"readers"`
	Entries []journalEntryJSON  `json:"entries"`
}

// journalList is the signed-in person's journal, with who can read it.
func (h *Handler) journalList(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	entries, err := h.opt.Journal.Entries(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	readers, err := h.opt.Journal.Readers(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	out := journalListJSON{Readers: []journalReaderJSON{}, Entries: make([]journalEntryJSON, 0, len(entries))}
	for _, rd := range readers {
		out.Readers = append(out.Readers, journalReaderJSON{Name: rd.Name, Role: rd.Role})
	}
	for _, e := range entries {
		out.Entries = append(out.Entries, journalEntryOut(e))
	}
	return writeJSON(w, http.StatusOK, out)
}

type journalCreateJSON struct {
	Text     string `json:"text"`
	PromptID string `json:"prompt_id"`
}

type journalSavedJSON struct {
	Entry journalEntryJSON `json:"entry"`
	// Merged is true when the entry had changed since based_on: both texts
	// were kept.
	Merged bool `json:"merged"`
}

// journalCreate adds an entry. The Idempotency-Key header makes a retry
// return the first request's entry and add nothing.
func (h *Handler) journalCreate(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	var in journalCreateJSON
	if err := decode(w, r, &in); err != nil {
		return err
	}
	res, err := h.opt.Journal.Create(r.Context(), a, a.ID, r.Header.Get("Idempotency-Key"), in.Text, in.PromptID)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if res.Unchanged {
		status = http.StatusOK
	}
	return writeJSON(w, status, journalSavedJSON{Entry: journalEntryOut(res.Entry)})
}

// journalShow is one entry of the signed-in person's journal.
func (h *Handler) journalShow(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	e, err := h.opt.Journal.Entry(r.Context(), a, a.ID, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, journalEntryOut(e))
}

type journalSaveJSON struct {
	// BasedOn is the revision the writer started from.
	BasedOn *int   `json:"based_on"`
	Text    string `json:"text"`
}

// journalSave changes an entry. A save based on an older revision keeps
// both texts and says merged.
func (h *Handler) journalSave(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in journalSaveJSON
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.BasedOn == nil || *in.BasedOn < 1 {
		return tend.Errorf(tend.EINVALID, "Say which revision you started from (based_on, 1 or more).")
	}
	if _, err := h.opt.Journal.Entry(r.Context(), a, a.ID, id); err != nil {
		return err // an entry is created with POST, never by PUT
	}
	res, err := h.opt.Journal.Save(r.Context(), a, a.ID, journal.Draft{ID: string(id), BasedOn: *in.BasedOn, Text: in.Text})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, journalSavedJSON{Entry: journalEntryOut(res.Entry), Merged: res.Merged})
}

type hopeWordsJSON struct {
	ID        tend.ID   `json:"id"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
}

type hopePhotoJSON struct {
	ID          tend.ID   `json:"id"`
	ContentType string    `json:"content_type"`
	Width       int       `json:"width"`
	Height      int       `json:"height"`
	CreatedAt   time.Time `json:"created_at"`
	// URL serves the photo to the person's browser session (no-store).
	URL string `json:"url"`
}

type hopeBoxJSON struct {
	Words  []hopeWordsJSON `json:"words"`
	Photos []hopePhotoJSON `json:"photos"`
}

// hopeBoxShow is the signed-in person's hope box: their words, and their
// photos' metadata. It is never anyone else's to read.
func (h *Handler) hopeBoxShow(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	b, err := h.opt.HopeBox.Box(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	out := hopeBoxJSON{Words: make([]hopeWordsJSON, 0, len(b.Words)), Photos: make([]hopePhotoJSON, 0, len(b.Photos))}
	for _, wd := range b.Words {
		out.Words = append(out.Words, hopeWordsJSON{ID: wd.ID, Text: wd.Text, CreatedAt: wd.CreatedAt})
	}
	for _, p := range b.Photos {
		out.Photos = append(out.Photos, hopePhotoJSON{ID: p.ID, ContentType: p.ContentType, Width: p.Width, Height: p.Height, CreatedAt: p.CreatedAt,
			URL: "/me/hope-box/photos/" + string(p.ID)})
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, out)
}
