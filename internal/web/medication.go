package web

import (
	"net/http"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/medication"
)

// withMedication answers "not found" when the server runs without the
// medication service (tests of other areas), rather than failing on nil.
func (s *Server) withMedication(fn func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.opt.Medication == nil {
			return tend.ErrNotFound
		}
		return fn(w, r)
	}
}

type medicationView struct {
	ID       tend.ID
	Name     string
	Dose     string
	Schedule string
	AsNeeded bool
	Started  string
	Stopped  string // "" while current
}

type medicationPage struct {
	Base
	PersonID tend.ID
	Username string
	Current  []medicationView
	Stopped  []medicationView
	MayEdit  bool
	Form     medicationForm
	Problem  string
	// ProblemMed is the medication whose stop failed ("" for the add form).
	ProblemMed tend.ID
	Done       string
}

type medicationForm struct {
	ID, Name, Dose, Schedule, StartedOn string
	AsNeeded                            bool
}

func (s *Server) medicationViews(list []medication.Medication) (current, stopped []medicationView) {
	for _, m := range list {
		v := medicationView{ID: m.ID, Name: m.Name, Dose: m.Dose, Schedule: m.Schedule, AsNeeded: m.AsNeeded, Started: civilDate(m.StartedOn)}
		if m.Current() {
			current = append(current, v)
		} else {
			v.Stopped = civilDate(m.StoppedOn)
			stopped = append(stopped, v)
		}
	}
	return current, stopped
}

// myMedicationShow is the person's own medication list, read-only: their
// prescriber keeps it.
func (s *Server) myMedicationShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	list, err := s.opt.Medication.List(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	page := &medicationPage{Base: Base{Title: s.printer().T("medication.my_title"), QuickExit: true}}
	page.Current, page.Stopped = s.medicationViews(list)
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "me_medication", page)
}

// clinicMedicationShow is a person's medication list as their care team
// sees it: the prescriber keeps it; the therapist and care coordinator
// read it. Each read is audited.
func (s *Server) clinicMedicationShow(w http.ResponseWriter, r *http.Request) error {
	a, id, err := staffPerson(r)
	if err != nil {
		return err
	}
	done := ""
	switch r.URL.Query().Get("done") {
	case "added":
		done = s.printer().T("medication.added")
	case "stopped":
		done = s.printer().T("medication.stopped_done")
	}
	return s.medicationPage(w, r, a, id, http.StatusOK, medicationForm{}, "", "", done)
}

func (s *Server) medicationPage(w http.ResponseWriter, r *http.Request, a tend.Actor, id tend.ID, status int, form medicationForm, problem string, problemMed tend.ID, done string) error {
	list, err := s.opt.Medication.List(r.Context(), a, id)
	if err != nil {
		return err
	}
	v, err := s.opt.CareTeam.Person(r.Context(), a, id)
	if err != nil {
		return err
	}
	if form.ID == "" {
		// A fresh id per form: a retry of this form adds nothing.
		form.ID = string(tend.NewID())
	}
	page := &medicationPage{Base: Base{Title: s.printer().T("medication.clinic_title", v.Username)}, PersonID: id, Username: v.Username,
		MayEdit: s.opt.Medication.MayEdit(r.Context(), a, id), Form: form, Problem: problem, ProblemMed: problemMed, Done: done}
	page.Current, page.Stopped = s.medicationViews(list)
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, status, "clinic_medication", page)
}

// clinicMedicationAdd puts a medication on the person's list.
func (s *Server) clinicMedicationAdd(w http.ResponseWriter, r *http.Request) error {
	a, id, err := staffPerson(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	f := medicationForm{ID: r.PostForm.Get("id"), Name: r.PostForm.Get("name"), Dose: r.PostForm.Get("dose"), Schedule: r.PostForm.Get("schedule"),
		StartedOn: r.PostForm.Get("started_on"), AsNeeded: r.PostForm.Get("as_needed") == "yes"}
	_, _, err = s.opt.Medication.Add(r.Context(), a, id, medication.New{ID: f.ID, Name: f.Name, Dose: f.Dose, Schedule: f.Schedule, AsNeeded: f.AsNeeded, StartedOn: f.StartedOn})
	if tend.ErrorKind(err) == tend.EINVALID {
		return s.medicationPage(w, r, a, id, http.StatusBadRequest, f, tend.ErrorMessage(err), "", "")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/clinic/people/"+string(id)+"/medication?done=added", http.StatusSeeOther) // #nosec G710 -- a local path with a parsed id.
	return nil
}

// clinicMedicationStop records that a medication stopped; it stays on the
// list as stopped.
func (s *Server) clinicMedicationStop(w http.ResponseWriter, r *http.Request) error {
	a, id, err := staffPerson(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	st, _ := s.opt.Settings.Get()
	med := r.PathValue("med")
	_, err = s.opt.Medication.Stop(r.Context(), a, id, med, r.PostForm.Get("stopped_on"), st.Location())
	if tend.ErrorKind(err) == tend.EINVALID {
		return s.medicationPage(w, r, a, id, http.StatusBadRequest, medicationForm{}, tend.ErrorMessage(err), tend.ID(med), "")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/clinic/people/"+string(id)+"/medication?done=stopped", http.StatusSeeOther) // #nosec G710 -- a local path with a parsed id.
	return nil
}
