package web

import (
	"net/http"
	"slices"
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
	Session   string // the session it belongs to, "" for a note on its own
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
	Sessions []option // the person's sessions, newest first, to tie a note to
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
	sessions, err := s.noteSessions(r, a, id)
	if err != nil {
		return err
	}
	label := map[string]string{}
	for _, o := range sessions {
		label[o.Value] = o.Label
	}
	if page.MayWrite {
		page.Sessions = sessions
	}
	for _, n := range list {
		nv := noteView{ID: n.ID, Kind: p.T("notes.kind." + string(n.Kind)), Current: written(n.Current), Corrected: n.Corrected()}
		if n.SessionID != "" {
			nv.Session = label[string(n.SessionID)]
			if nv.Session == "" {
				nv.Session = p.T("notes.session_other")
			}
		}
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
	if form.Session != "" {
		sessions, err := s.noteSessions(r, a, id)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(sessions, func(o option) bool { return o.Value == form.Session }) {
			return s.notesPage(w, r, a, id, http.StatusBadRequest, form, s.printer().T("notes.session_unknown"), "", "")
		}
	}
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

// noteSessions lists the person's sessions a note can belong to, newest
// first, as the caller may read them (none without episodes of care).
func (s *Server) noteSessions(r *http.Request, a tend.Actor, personID tend.ID) ([]option, error) {
	if s.opt.Episodes == nil {
		return nil, nil
	}
	list, err := s.opt.Episodes.Sessions(r.Context(), a, personID)
	if tend.ErrorKind(err) == tend.EFORBIDDEN || tend.ErrorKind(err) == tend.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	p := s.printer()
	out := make([]option, 0, len(list))
	for _, ses := range list {
		l := ses.HeldOn.Format("Mon 2 Jan 2006") + " · " + p.T("episodes.session."+string(ses.Kind))
		out = append(out, option{Value: string(ses.ID), Label: l})
	}
	slices.Reverse(out)
	return out, nil
}
