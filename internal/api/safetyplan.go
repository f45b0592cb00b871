package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/safetyplan"
)

// planContentJSON is what a person (with their clinician) writes in a plan.
// Steps is a list, not a fixed array, so that a seventh step is refused
// rather than silently dropped by the decoder.
type planContentJSON struct {
	Steps         [][]string `json:"steps"`
	MostImportant string     `json:"most_important"`
	Reasons       []string   `json:"reasons"`
	Likely        string     `json:"likely"`
}

type planReviewJSON struct {
	Version      int       `json:"version"`
	ReviewerName string    `json:"reviewer_name"`
	ReviewedAt   time.Time `json:"reviewed_at"`
}

// planJSON is one version of a plan, or {"exists": false} when there is none.
type planJSON struct {
	Exists      bool             `json:"exists"`
	PersonID    tend.ID          `json:"person_id"`
	Version     int              `json:"version,omitempty"`
	BasedOn     *int             `json:"based_on,omitempty"`
	Merged      *bool            `json:"merged,omitempty"`
	SavedByKind tend.AccountKind `json:"saved_by_kind,omitempty"`
	SavedByName string           `json:"saved_by_name,omitempty"`
	SavedAt     *time.Time       `json:"saved_at,omitempty"`
	Content     *planContentJSON `json:"content,omitempty"`
	Review      *planReviewJSON  `json:"review,omitempty"`
}

func planOut(p safetyplan.Plan) planJSON {
	if p.Version == 0 {
		return planJSON{Exists: false, PersonID: p.PersonID}
	}
	c := &planContentJSON{Steps: make([][]string, len(p.Steps)), MostImportant: p.MostImportant, Reasons: nonNilStrings(p.Reasons), Likely: p.Likely}
	for i, s := range p.Steps {
		c.Steps[i] = nonNilStrings(s)
	}
	out := planJSON{Exists: true, PersonID: p.PersonID, Version: p.Version, BasedOn: &p.BasedOn, Merged: &p.Merged,
		SavedByKind: p.SavedByKind, SavedByName: p.SavedByName, SavedAt: &p.SavedAt, Content: c}
	if p.Review != nil {
		out.Review = &planReviewJSON{Version: p.Review.Version, ReviewerName: p.Review.ReviewerName, ReviewedAt: p.Review.ReviewedAt}
	}
	return out
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// safetyPlanShow is the signed-in person's current plan.
func (h *Handler) safetyPlanShow(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	return h.planShow(w, r, a, a.ID)
}

// personSafetyPlanShow is a person's current plan as staff see it: access
// decides (the person's sharing), and another person's plan answers 404.
func (h *Handler) personSafetyPlanShow(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return h.planShow(w, r, a, id)
}

func (h *Handler) planShow(w http.ResponseWriter, r *http.Request, a tend.Actor, personID tend.ID) error {
	p, _, err := h.opt.SafetyPlan.Current(r.Context(), a, personID)
	if err != nil {
		return err
	}
	if p.PersonID == "" {
		p.PersonID = personID
	}
	return writeJSON(w, http.StatusOK, planOut(p))
}

type planVersionsJSON struct {
	Versions []planJSON `json:"versions"`
}

// safetyPlanVersions is every version of the person's plan, newest first.
func (h *Handler) safetyPlanVersions(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	plans, err := h.opt.SafetyPlan.Versions(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	out := planVersionsJSON{Versions: make([]planJSON, 0, len(plans))}
	for _, p := range plans {
		out.Versions = append(out.Versions, planOut(p))
	}
	return writeJSON(w, http.StatusOK, out)
}

type planSaveJSON struct {
	// BasedOn is the version the saver started from; 0 for none.
	BasedOn *int            `json:"based_on"`
	Content planContentJSON `json:"content"`
}

// safetyPlanSave writes a new version of the person's plan. When the plan
// moved on since based_on, both sides are kept and the answer says merged.
func (h *Handler) safetyPlanSave(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	var in planSaveJSON
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.BasedOn == nil {
		return tend.Errorf(tend.EINVALID, "Say which version you started from (based_on, 0 for a new plan).")
	}
	if len(in.Content.Steps) > safetyplan.Steps {
		return tend.Errorf(tend.EINVALID, "A safety plan has %d steps.", safetyplan.Steps)
	}
	c := safetyplan.Content{MostImportant: in.Content.MostImportant, Reasons: in.Content.Reasons, Likely: in.Content.Likely}
	copy(c.Steps[:], in.Content.Steps)
	res, err := h.opt.SafetyPlan.Save(r.Context(), a, a.ID, strconv.Itoa(*in.BasedOn), c)
	if err != nil {
		return err
	}
	out := planOut(res.Plan)
	out.Merged = &res.Merged
	return writeJSON(w, http.StatusOK, out)
}
