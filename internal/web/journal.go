package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/journal"
)

// withJournal answers "not found" when the server runs without the
// journal service (tests of other areas), rather than failing on nil.
func (s *Server) withJournal(fn func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.opt.Journal == nil {
			return tend.ErrNotFound
		}
		return fn(w, r)
	}
}

type journalEntryView struct {
	ID       tend.ID
	Revision int
	Text     string
	Preview  string
	Prompt   string
	PromptID tend.ID
	Deeper   bool
	Created  string
	Updated  string
}

type assignmentView struct {
	ID       tend.ID
	Text     string
	Assigned string // "Assigned by Lee on 3 March 2026"
}

type journalPage struct {
	Base
	Entries    []journalEntryView
	Prompts    []journal.Prompt
	Assigned   []assignmentView
	WhoReads   string
	Entry      journalEntryView
	Text       string // the text in the box (the entry's, or what was sent back)
	Problem    string
	Saved      bool
	Merged     bool
	StatusText string
	// Staff pages name the person.
	PersonID  tend.ID
	Username  string
	MayAssign bool
	Done      string // a confirmation to show
}

// entryPreviewChars is how much of an entry the list shows.
const entryPreviewChars = 160

func (s *Server) journalEntryOf(e journal.Entry, loc *time.Location) journalEntryView {
	v := journalEntryView{ID: e.ID, Revision: e.Revision, Text: e.Text, Prompt: e.Prompt, PromptID: e.PromptID, Deeper: e.Deeper,
		Created: e.CreatedAt.In(loc).Format("2 January 2006, 15:04"), Updated: e.UpdatedAt.In(loc).Format("2 January 2006, 15:04")}
	v.Preview = strings.Join(strings.Fields(e.Text), " ")
	if utf8.RuneCountInString(v.Preview) > entryPreviewChars {
		v.Preview = string([]rune(v.Preview)[:entryPreviewChars]) + "…"
	}
	return v
}

// whoReads says who will read the person's journal, and when, from their
// journal grants as they stand now (safety-rules.md section 3).
func (s *Server) whoReads(r *http.Request, a tend.Actor) (string, error) {
	readers, err := s.opt.Journal.Readers(r.Context(), a, a.ID)
	if err != nil {
		return "", err
	}
	p := s.printer()
	if len(readers) == 0 {
		return p.T("journal.who_only_you"), nil
	}
	names := make([]string, len(readers))
	for i, rd := range readers {
		names[i] = p.T("journal.reader", rd.Name, p.T("role."+string(rd.Role)))
	}
	return p.T("journal.who_readers", strings.Join(names, ", ")), nil
}

func (s *Server) assignmentViews(as []journal.Assignment, loc *time.Location) []assignmentView {
	p := s.printer()
	out := make([]assignmentView, len(as))
	for i, a := range as {
		out[i] = assignmentView{ID: a.ID, Text: a.Text, Assigned: p.T("journal.assigned_on", a.AssignedByName, a.AssignedAt.In(loc).Format("2 January 2006"))}
	}
	return out
}

// journalShow is "My journal": the entries, the prompts to pick from, and
// who reads what is written.
func (s *Server) journalShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	loc, err := s.personZone(r)
	if err != nil {
		return err
	}
	entries, err := s.opt.Journal.Entries(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	page := &journalPage{Base: Base{Title: s.printer().T("journal.title"), QuickExit: true}}
	for _, e := range entries {
		page.Entries = append(page.Entries, s.journalEntryOf(e, loc))
	}
	if page.Prompts, err = s.opt.Journal.Prompts(r.Context(), a); err != nil {
		return err
	}
	as, err := s.opt.Journal.Assignments(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	page.Assigned = s.assignmentViews(as, loc)
	if page.WhoReads, err = s.whoReads(r, a); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "me_journal", page)
}

// journalNew is the form for a new entry, with a fresh id, so that every
// save of it (the first, a retry, each autosave) changes the same entry.
func (s *Server) journalNew(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	page := &journalPage{Base: Base{Title: s.printer().T("journal.new"), QuickExit: true}}
	page.Entry.ID = tend.NewID()
	if pid := r.URL.Query().Get("prompt"); pid != "" {
		if err := s.pickPrompt(r, a, page, pid); err != nil {
			return err
		}
	}
	return s.journalForm(w, r, a, page, http.StatusOK)
}

// pickPrompt puts the open prompt or assigned prompt id on a new entry's
// form; an id that is neither is ignored (the entry has no prompt).
func (s *Server) pickPrompt(r *http.Request, a tend.Actor, page *journalPage, id string) error {
	prompts, err := s.opt.Journal.Prompts(r.Context(), a)
	if err != nil {
		return err
	}
	for _, p := range prompts {
		if string(p.ID) == id {
			page.Entry.Prompt, page.Entry.PromptID = p.Text, p.ID
			return nil
		}
	}
	as, err := s.opt.Journal.Assignments(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	for _, as := range as {
		if string(as.ID) == id {
			page.Entry.Prompt, page.Entry.PromptID, page.Entry.Deeper = as.Text, as.ID, true
		}
	}
	return nil
}

func (s *Server) journalForm(w http.ResponseWriter, r *http.Request, a tend.Actor, page *journalPage, status int) error {
	var err error
	if page.WhoReads, err = s.whoReads(r, a); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, status, "me_journal_entry", page)
}

// journalEntryShow is one entry, in its box, to read and change.
func (s *Server) journalEntryShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	e, err := s.opt.Journal.Entry(r.Context(), a, a.ID, id)
	if err != nil {
		return err
	}
	loc, err := s.personZone(r)
	if err != nil {
		return err
	}
	page := &journalPage{Base: Base{Title: s.printer().T("journal.entry_title"), QuickExit: true}, Entry: s.journalEntryOf(e, loc), Text: e.Text}
	page.Saved = r.URL.Query().Get("saved") == "1"
	page.Merged = r.URL.Query().Get("merged") == "1"
	return s.journalForm(w, r, a, page, http.StatusOK)
}

// autosaveJSON answers a script's autosave.
type autosaveJSON struct {
	ID       tend.ID `json:"id"`
	Revision int     `json:"revision"`
	Merged   bool    `json:"merged"`
	Text     string  `json:"text"`
	Status   string  `json:"status"` // for the page's live region
	Problem  string  `json:"problem,omitempty"`
}

// journalSave saves an entry: from the form's Save button (redirects to
// the entry), or from the page's script while the person types (answers
// JSON, for the live region). Both are real saves.
func (s *Server) journalSave(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	f := r.PostForm
	d := journal.Draft{ID: f.Get("id"), Text: f.Get("text"), PromptID: f.Get("prompt")}
	if d.BasedOn, err = strconv.Atoi(strings.TrimSpace(f.Get("revision"))); err != nil && f.Get("revision") != "" {
		d.BasedOn = -1
	}
	res, err := s.opt.Journal.Save(r.Context(), a, a.ID, d)
	script := strings.Contains(r.Header.Get("Accept"), "application/json")
	if tend.ErrorKind(err) == tend.EINVALID {
		if script {
			return writeAutosave(w, http.StatusBadRequest, autosaveJSON{Problem: tend.ErrorMessage(err)})
		}
		page := &journalPage{Base: Base{Title: s.printer().T("journal.entry_title"), QuickExit: true}, Problem: tend.ErrorMessage(err), Text: d.Text}
		page.Entry = journalEntryView{ID: tend.ID(d.ID), Revision: max(d.BasedOn, 0)}
		if d.BasedOn == 0 && d.PromptID != "" {
			if err := s.pickPrompt(r, a, page, d.PromptID); err != nil {
				return err
			}
		}
		if e, err := s.opt.Journal.Entry(r.Context(), a, a.ID, tend.ID(d.ID)); err == nil {
			page.Entry.Prompt, page.Entry.Deeper = e.Prompt, e.Deeper
		}
		return s.journalForm(w, r, a, page, http.StatusBadRequest)
	}
	if err != nil {
		return err
	}
	if script {
		loc, err := s.personZone(r)
		if err != nil {
			return err
		}
		p := s.printer()
		out := autosaveJSON{ID: res.Entry.ID, Revision: res.Entry.Revision, Merged: res.Merged, Text: res.Entry.Text,
			Status: p.T("journal.saved_at", res.Entry.UpdatedAt.In(loc).Format("15:04"))}
		if res.Merged {
			out.Status = p.T("journal.merged")
		}
		return writeAutosave(w, http.StatusOK, out)
	}
	to := "/me/journal/" + string(res.Entry.ID) + "?saved=1"
	if res.Merged {
		to = "/me/journal/" + string(res.Entry.ID) + "?merged=1"
	}
	http.Redirect(w, r, to, http.StatusSeeOther) // #nosec G710 -- a local path with a parsed id.
	return nil
}

func writeAutosave(w http.ResponseWriter, status int, v autosaveJSON) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// clinicJournalShow is a person's journal as a care-team member reads it:
// only while the person shares their journal with them, each read audited.
func (s *Server) clinicJournalShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	entries, err := s.opt.Journal.Entries(r.Context(), a, id)
	if err != nil {
		return err
	}
	v, err := s.opt.CareTeam.Person(r.Context(), a, id)
	if err != nil {
		return err
	}
	st, _ := s.opt.Settings.Get()
	page := &journalPage{Base: Base{Title: v.Username}, PersonID: id, Username: v.Username, MayAssign: s.opt.Journal.MayAssign(r.Context(), a, id)}
	for _, e := range entries {
		page.Entries = append(page.Entries, s.journalEntryOf(e, st.Location()))
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "clinic_journal", page)
}

// clinicJournalPrompts lists the prompts assigned to a person, with the
// form to assign another, for the therapist or an assigning clinician.
func (s *Server) clinicJournalPrompts(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	done := ""
	switch r.URL.Query().Get("done") {
	case "assigned":
		done = s.printer().T("journal.prompt_assigned")
	case "withdrawn":
		done = s.printer().T("journal.prompt_withdrawn")
	}
	return s.clinicPromptsPage(w, r, a, id, http.StatusOK, "", done)
}

func (s *Server) clinicPromptsPage(w http.ResponseWriter, r *http.Request, a tend.Actor, id tend.ID, status int, problem, done string) error {
	as, err := s.opt.Journal.Assignments(r.Context(), a, id)
	if err != nil {
		return err
	}
	v, err := s.opt.CareTeam.Person(r.Context(), a, id)
	if err != nil {
		return err
	}
	prompts, err := s.opt.Journal.Prompts(r.Context(), a)
	if err != nil {
		return err
	}
	st, _ := s.opt.Settings.Get()
	page := &journalPage{Base: Base{Title: s.printer().T("journal.prompts_title", v.Username)}, PersonID: id, Username: v.Username,
		Assigned: s.assignmentViews(as, st.Location()), Prompts: prompts, Problem: problem, Done: done}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, status, "clinic_journal_prompts", page)
}

// clinicJournalAssign assigns a prompt to the person.
func (s *Server) clinicJournalAssign(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	if err := r.ParseForm(); err != nil {
		return tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	_, err = s.opt.Journal.Assign(r.Context(), a, id, r.PostForm.Get("prompt"))
	if tend.ErrorKind(err) == tend.EINVALID {
		return s.clinicPromptsPage(w, r, a, id, http.StatusBadRequest, tend.ErrorMessage(err), "")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/clinic/people/"+string(id)+"/journal/prompts?done=assigned", http.StatusSeeOther) // #nosec G710 -- a local path with a parsed id.
	return nil
}

// clinicJournalWithdraw withdraws an assigned prompt.
func (s *Server) clinicJournalWithdraw(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	if err := r.ParseForm(); err != nil {
		return tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	if err := s.opt.Journal.Withdraw(r.Context(), a, id, r.PostForm.Get("assignment")); err != nil {
		return err
	}
	http.Redirect(w, r, "/clinic/people/"+string(id)+"/journal/prompts?done=withdrawn", http.StatusSeeOther) // #nosec G710 -- a local path with a parsed id.
	return nil
}

type adminPromptsPage struct {
	Base
	Prompts []journal.Prompt
	Text    string
	Problem string
	Done    bool
}

// adminJournalPrompts lists the service's open journal prompts.
func (s *Server) adminJournalPrompts(w http.ResponseWriter, r *http.Request) error {
	a, done, err := adminActor(w, r)
	if err != nil || done {
		return err
	}
	return s.adminPromptsRender(w, r, a, http.StatusOK, "", "")
}

func (s *Server) adminPromptsRender(w http.ResponseWriter, r *http.Request, a tend.Actor, status int, text, problem string) error {
	prompts, err := s.opt.Journal.ManagedPrompts(r.Context(), a)
	if err != nil {
		return err
	}
	page := &adminPromptsPage{Base: Base{Title: s.printer().T("journal.admin_title")}, Prompts: prompts, Text: text, Problem: problem,
		Done: r.URL.Query().Get("done") == "1"}
	return s.render(w, r, status, "admin_journal_prompts", page)
}

// adminJournalPromptAdd adds an open prompt.
func (s *Server) adminJournalPromptAdd(w http.ResponseWriter, r *http.Request) error {
	a, _, err := adminActor(w, r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	text := r.PostForm.Get("text")
	_, err = s.opt.Journal.AddPrompt(r.Context(), a, text)
	if tend.ErrorKind(err) == tend.EINVALID {
		return s.adminPromptsRender(w, r, a, http.StatusBadRequest, text, tend.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/journal-prompts?done=1", http.StatusSeeOther)
	return nil
}

// adminJournalPromptRetire takes an open prompt off the list.
func (s *Server) adminJournalPromptRetire(w http.ResponseWriter, r *http.Request) error {
	a, _, err := adminActor(w, r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	if err := s.opt.Journal.RetirePrompt(r.Context(), a, r.PostForm.Get("prompt")); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/journal-prompts?done=1", http.StatusSeeOther)
	return nil
}
