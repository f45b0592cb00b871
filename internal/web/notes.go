package web

import (
	"net/http"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/notes"
)

// withNotes answers "not found" when the server runs without the notes
// service (tests of other areas), rather than failing on nil.
func (s *Server) withNotes(fn func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.opt.Notes == nil {
			return tend.ErrNotFound
		}
		return fn(w, r)
	}
}

type noteVersionView struct {
	Text    string
	Written string // "Lee, 3 March 2026, 10:15"
}

type noteView struct {
	ID        tend.ID
	Kind      string
	Session   bool
	Current   noteVersionView
	Earlier   []noteVersionView
	Corrected bool
}

type notesPage struct {
	Base
	PersonID tend.ID
	Username string
	Notes    []noteView
	MayWrite bool
	Kinds    []option
	Form     noteForm
	Problem  string
	// ProblemNote is the note whose correction failed ("" for the new note form).
	ProblemNote tend.ID
	Done        string
}

type noteForm struct {
	Kind, Session, Text string
}

// clinicNotesShow lists the clinician notes about a person, with the form
// to write one: for the therapist, prescriber and care coordinator only,
// each read audited.
func (s *Server) clinicNotesShow(w http.ResponseWriter, r *http.Request) error {
	a, id, err := staffPerson(r)
	if err != nil {
		return err
	}
	done := ""
	switch r.URL.Query().Get("done") {
	case "written":
		done = s.printer().T("notes.written")
	case "corrected":
		done = s.printer().T("notes.corrected_done")
	}
	return s.notesPage(w, r, a, id, http.StatusOK, noteForm{Kind: string(notes.KindNote)}, "", "", done)
}

func (s *Server) notesPage(w http.ResponseWriter, r *http.Request, a tend.Actor, id tend.ID, status int, form noteForm, problem string, problemNote tend.ID, done string) error {
	list, err := s.opt.Notes.List(r.Context(), a, id)
	if err != nil {
		return err
	}
	v, err := s.opt.CareTeam.Person(r.Context(), a, id)
	if err != nil {
		return err
	}
	p := s.printer()
	st, _ := s.opt.Settings.Get()
	loc := st.Location()
	written := func(v notes.Version) noteVersionView {
		return noteVersionView{Text: v.Text, Written: p.T("notes.written_by", v.WriterName, v.WrittenAt.In(loc).Format("2 January 2006, 15:04"))}
	}
	page := &notesPage{Base: Base{Title: p.T("notes.title", v.Username)}, PersonID: id, Username: v.Username,
		MayWrite: s.opt.Notes.MayWrite(r.Context(), a, id), Form: form, Problem: problem, ProblemNote: problemNote, Done: done}
	for _, k := range notes.Kinds {
		page.Kinds = append(page.Kinds, option{Value: string(k), Label: p.T("notes.kind." + string(k))})
	}
	for _, n := range list {
		nv := noteView{ID: n.ID, Kind: p.T("notes.kind." + string(n.Kind)), Session: n.SessionID != "", Current: written(n.Current), Corrected: n.Corrected()}
		for _, e := range n.Earlier {
			nv.Earlier = append(nv.Earlier, written(e))
		}
		page.Notes = append(page.Notes, nv)
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, status, "clinic_notes", page)
}

// clinicNoteCreate writes a new note about the person.
func (s *Server) clinicNoteCreate(w http.ResponseWriter, r *http.Request) error {
	a, id, err := staffPerson(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	form := noteForm{Kind: r.PostForm.Get("kind"), Session: r.PostForm.Get("session"), Text: r.PostForm.Get("text")}
	_, err = s.opt.Notes.Write(r.Context(), a, id, notes.Draft{Kind: notes.Kind(form.Kind), SessionID: form.Session, Text: form.Text})
	if tend.ErrorKind(err) == tend.EINVALID {
		return s.notesPage(w, r, a, id, http.StatusBadRequest, form, tend.ErrorMessage(err), "", "")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/clinic/people/"+string(id)+"/notes?done=written", http.StatusSeeOther) // #nosec G710 -- a local path with a parsed id.
	return nil
}

// clinicNoteCorrect writes a new version of a note; the earlier stays.
func (s *Server) clinicNoteCorrect(w http.ResponseWriter, r *http.Request) error {
	a, id, err := staffPerson(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	noteID := r.PathValue("note")
	_, err = s.opt.Notes.Correct(r.Context(), a, id, noteID, r.PostForm.Get("text"))
	if tend.ErrorKind(err) == tend.EINVALID {
		return s.notesPage(w, r, a, id, http.StatusBadRequest, noteForm{Kind: string(notes.KindNote)}, tend.ErrorMessage(err), tend.ID(noteID), "")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/clinic/people/"+string(id)+"/notes?done=corrected", http.StatusSeeOther) // #nosec G710 -- a local path with a parsed id.
	return nil
}

// staffPerson returns the signed-in staff member and the person the path
// names (ENOTFOUND for a malformed id; people get ENOTFOUND too).
func staffPerson(r *http.Request) (tend.Actor, tend.ID, error) {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return tend.Actor{}, "", err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.Actor{}, "", tend.ErrNotFound
	}
	return a, id, nil
}

// civilDate writes a YYYY-MM-DD date as "2 March 2026" (as given when it
// is not a date).
func civilDate(s string) string {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return d.Format("2 January 2006")
}
