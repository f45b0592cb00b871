package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/skills"
)

func skillsOn(h *Handler) bool { return h.opt.Skills != nil && h.opt.SkillTexts != nil }

type skillJSON struct {
	ID          string   `json:"id"`
	Module      string   `json:"module"`
	ModuleName  string   `json:"module_name"`
	Modalities  []string `json:"modalities"`
	Acronym     string   `json:"acronym,omitempty"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Steps       []string `json:"steps"`
	// Caution is the medical caution shown with the skill, word for word.
	Caution   string `json:"caution,omitempty"`
	Worksheet string `json:"worksheet,omitempty"`
}

type skillListJSON struct {
	Skills []skillJSON `json:"skills"`
}

// skillList is the skills library in the service's language; q keeps only
// the skills whose words match. Any signed-in account may read it.
func (h *Handler) skillList(w http.ResponseWriter, r *http.Request, _ tend.Actor) error {
	t := h.opt.SkillTexts()
	q := r.URL.Query().Get("q")
	if len(q) > 200 {
		return tend.Errorf(tend.EINVALID, "q is too long: send up to 200 characters.")
	}
	out := skillListJSON{Skills: []skillJSON{}}
	for _, sk := range skills.Search(t, q) {
		m, _ := skills.FindModule(sk.Module)
		j := skillJSON{ID: sk.ID, Module: sk.Module, ModuleName: t.T(m.NameID()), Acronym: sk.Acronym, Name: t.T(sk.NameID()),
			Description: t.T(sk.DescriptionID()), Steps: []string{}, Worksheet: sk.Worksheet}
		for _, md := range sk.Modalities() {
			j.Modalities = append(j.Modalities, string(md))
		}
		for i := range sk.Steps {
			j.Steps = append(j.Steps, t.T(sk.StepID(i)))
		}
		if sk.Caution != "" {
			j.Caution = t.T(sk.Caution.MessageID())
		}
		out.Skills = append(out.Skills, j)
	}
	return writeJSON(w, http.StatusOK, out)
}

type practiceJSON struct {
	ID         tend.ID           `json:"id"`
	RecordedAt time.Time         `json:"recorded_at"`
	Helpful    skills.Helpful    `json:"helpful"`
	Note       string            `json:"note"`
	Answers    map[string]string `json:"answers"`
}

type homeworkJSON struct {
	ID             tend.ID        `json:"id"`
	SkillID        string         `json:"skill_id,omitempty"`
	Worksheet      string         `json:"worksheet,omitempty"`
	Due            string         `json:"due,omitempty"`
	PerWeek        int            `json:"per_week,omitempty"`
	Note           string         `json:"note"`
	AssignedByName string         `json:"assigned_by_name"`
	AssignedAt     time.Time      `json:"assigned_at"`
	Open           bool           `json:"open"`
	EndedAt        *time.Time     `json:"ended_at,omitempty"`
	Practice       []practiceJSON `json:"practice"`
}

type homeworkListJSON struct {
	Homework []homeworkJSON `json:"homework"`
}

// homeworkList is the signed-in person's homework, open and ended, each
// with the practice they logged.
func (h *Handler) homeworkList(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	hw, _, err := h.opt.Skills.List(r.Context(), a, a.ID, false)
	if err != nil {
		return err
	}
	out := homeworkListJSON{Homework: []homeworkJSON{}}
	for _, x := range hw {
		j := homeworkJSON{ID: x.ID, SkillID: x.SkillID, Worksheet: x.Worksheet, Due: x.Due, PerWeek: x.PerWeek, Note: x.Note,
			AssignedByName: x.AssignedByName, AssignedAt: x.AssignedAt, Open: x.Open(), Practice: []practiceJSON{}}
		if !x.Open() {
			ended := x.EndedAt
			j.EndedAt = &ended
		}
		for _, p := range x.Practice {
			answers := p.Answers
			if answers == nil {
				answers = map[string]string{}
			}
			j.Practice = append(j.Practice, practiceJSON{ID: p.ID, RecordedAt: p.RecordedAt, Helpful: p.Helpful, Note: p.Note, Answers: answers})
		}
		out.Homework = append(out.Homework, j)
	}
	return writeJSON(w, http.StatusOK, out)
}

type practiceInJSON struct {
	Helpful skills.Helpful    `json:"helpful"`
	Note    string            `json:"note"`
	Answers map[string]string `json:"answers"`
}

type practiceOutcomeJSON struct {
	ID tend.ID `json:"id"`
	// Added is false for a retry with the same Idempotency-Key.
	Added bool `json:"added"`
}

// homeworkPracticeCreate logs practice for a piece of the signed-in
// person's homework. The Idempotency-Key header makes a retry add nothing.
func (h *Handler) homeworkPracticeCreate(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in practiceInJSON
	if err := decode(w, r, &in); err != nil {
		return err
	}
	key := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	if key == "" {
		return tend.Errorf(tend.EINVALID, "Send an Idempotency-Key header, the same on every retry of this request.")
	}
	p, added, err := h.opt.Skills.LogPractice(r.Context(), a, a.ID, id, "", skills.NewPractice{Key: key, Helpful: in.Helpful, Note: in.Note, Answers: in.Answers})
	if err != nil {
		return err
	}
	status := http.StatusOK
	if added {
		status = http.StatusCreated
	}
	return writeJSON(w, status, practiceOutcomeJSON{ID: p.ID, Added: added})
}
