package api

import (
	"net/http"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/chain"
)

func chainsOn(h *Handler) bool { return h.opt.Chains != nil }

type chainJSON struct {
	ID           tend.ID       `json:"id"`
	Day          string        `json:"day"`
	TargetID     string        `json:"target_id"`
	State        chain.State   `json:"state"`
	Revision     int           `json:"revision"`
	Content      chain.Content `json:"content"`
	OpenedByName string        `json:"opened_by_name"`
	CreatedAt    time.Time     `json:"created_at"`
	UpdatedAt    time.Time     `json:"updated_at"`
	CompletedAt  *time.Time    `json:"completed_at"`
}

func chainOut(a chain.Analysis) chainJSON {
	out := chainJSON{ID: a.ID, Day: a.Day, TargetID: a.Target, State: a.State, Revision: a.Revision, Content: a.Content,
		OpenedByName: a.OpenedByName, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
	if a.Complete() {
		t := a.CompletedAt
		out.CompletedAt = &t
	}
	return out
}

type chainListJSON struct {
	Chains []chainJSON `json:"chains"`
}

func (h *Handler) chainList(w http.ResponseWriter, r *http.Request, a tend.Actor, personID tend.ID) error {
	list, err := h.opt.Chains.List(r.Context(), a, personID)
	if err != nil {
		return err
	}
	out := chainListJSON{Chains: make([]chainJSON, 0, len(list))}
	for _, c := range list {
		out.Chains = append(out.Chains, chainOut(c))
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, out)
}

func (h *Handler) chainShow(w http.ResponseWriter, r *http.Request, a tend.Actor, personID tend.ID) error {
	cid, err := pathID(r, "cid")
	if err != nil {
		return err
	}
	c, err := h.opt.Chains.Get(r.Context(), a, personID, cid)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, chainOut(c))
}

type chainSaveJSON struct {
	// BasedOn is the revision the writer started from.
	BasedOn *int           `json:"based_on"`
	Content *chain.Content `json:"content"`
	// State, when given, marks the analysis complete or reopens it after
	// the content (if any) is saved.
	State *chain.State `json:"state"`
}

type chainSavedJSON struct {
	Chain chainJSON `json:"chain"`
	// Merged is true when the analysis had changed since based_on: both
	// writers' words were kept.
	Merged bool `json:"merged"`
}

func (h *Handler) chainSave(w http.ResponseWriter, r *http.Request, a tend.Actor, personID tend.ID) error {
	cid, err := pathID(r, "cid")
	if err != nil {
		return err
	}
	var in chainSaveJSON
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.BasedOn == nil || *in.BasedOn < 1 {
		return tend.Errorf(tend.EINVALID, "Say which revision you started from (based_on, 1 or more).")
	}
	if in.State != nil && *in.State != chain.StateDraft && *in.State != chain.StateComplete {
		return tend.Errorf(tend.EINVALID, "The state is draft or complete.")
	}
	if in.Content == nil && in.State == nil {
		return tend.Errorf(tend.EINVALID, "Send the content, the state, or both.")
	}
	var out chainSavedJSON
	c, err := h.opt.Chains.Get(r.Context(), a, personID, cid)
	if err != nil {
		return err // an analysis is opened with POST, never by PUT
	}
	if in.Content != nil {
		res, err := h.opt.Chains.Save(r.Context(), a, personID, cid, chain.Draft{BasedOn: *in.BasedOn, Content: *in.Content})
		if err != nil {
			return err
		}
		c, out.Merged = res.Analysis, res.Merged
	}
	if in.State != nil {
		if c, err = h.opt.Chains.SetComplete(r.Context(), a, personID, cid, *in.State == chain.StateComplete); err != nil {
			return err
		}
	}
	out.Chain = chainOut(c)
	return writeJSON(w, http.StatusOK, out)
}

// myChainList is the signed-in person's chain analyses (the only place
// they find one: nothing is pushed to them).
func (h *Handler) myChainList(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	return h.chainList(w, r, a, a.ID)
}

// myChainShow is one of the signed-in person's chain analyses.
func (h *Handler) myChainShow(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	return h.chainShow(w, r, a, a.ID)
}

// myChainSave changes one of the signed-in person's chain analyses.
func (h *Handler) myChainSave(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	return h.chainSave(w, r, a, a.ID)
}

// personChainList is a person's chain analyses as a care-team member they
// share them with reads them (audited).
func (h *Handler) personChainList(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return h.chainList(w, r, a, id)
}

// personChainShow is one of a person's chain analyses (audited).
func (h *Handler) personChainShow(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return h.chainShow(w, r, a, id)
}

// personChainSave changes one of a person's chain analyses (a care-team
// member with their "see and edit" grant).
func (h *Handler) personChainSave(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return h.chainSave(w, r, a, id)
}

type chainOpenJSON struct {
	Day      string `json:"day"`
	TargetID string `json:"target_id"`
}

// personChainOpen starts a chain analysis for a person. The
// Idempotency-Key header makes a retry return the first request's
// analysis and open nothing more.
func (h *Handler) personChainOpen(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in chainOpenJSON
	if err := decode(w, r, &in); err != nil {
		return err
	}
	o, err := h.opt.Chains.Open(r.Context(), a, id, chain.Start{Key: r.Header.Get("Idempotency-Key"), Day: in.Day, Target: in.TargetID})
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if o.Unchanged {
		status = http.StatusOK
	}
	return writeJSON(w, status, chainSavedJSON{Chain: chainOut(o.Analysis)})
}
