package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/fhir"
	"github.com/tendcare/tend/internal/measure"
)

// The admin's page of instruments (issue 7, item 1): the shipped and
// imported instruments with their licences, the service's statement of
// its right to use each import, retirement and safety prompts; and the
// import of a FHIR R4 Questionnaire with Tend's scoring extension, pasted
// or chosen as a file (a multipart form, so it works without JavaScript),
// with the required rights statement. The measure service decides access
// (admins only; anyone else: not found) and refuses, naming why, what it
// cannot score; nothing is saved then.

// instrumentUploadLimit is the body an import may send: a pasted
// questionnaire and a chosen file, each up to the import limit, and the
// rights statement.
const instrumentUploadLimit = 2*measure.MaxQuestionnaireBytes + 64<<10

type adminInstrumentPrompt struct {
	Item, Text string
	From       int
}

type adminInstrumentRow struct {
	ID, Short, Title       string
	Heading                string // the title, with the short name where the title lacks it
	Key, Version, Language string
	Licence, Rights        string
	Builtin, Retired       bool
	PromptsOn              bool
	Prompts                []adminInstrumentPrompt
	ImportedAt, RetiredAt  string
	Problem                string // a refusal about this row
}

type adminInstrumentsPage struct {
	Base
	Rows    []adminInstrumentRow
	Done    string
	Problem string
	Form    struct{ Questionnaire, Rights string }
	MaxKB   int
}

// adminInstrumentsPage reads every instrument for the admin.
func (s *Server) adminInstrumentsPage(r *http.Request, a tend.Actor) (*adminInstrumentsPage, error) {
	all, err := s.opt.Measures.Catalogue(r.Context(), a)
	if err != nil {
		return nil, err
	}
	p := s.printer()
	page := &adminInstrumentsPage{Base: Base{Title: p.T("instruments_admin.title"), p: p}, MaxKB: measure.MaxQuestionnaireBytes >> 10}
	for _, av := range all {
		in := av.Instrument
		row := adminInstrumentRow{ID: in.ID, Short: in.Short, Title: in.Title, Heading: instrumentHeading(in), Key: in.Key, Version: in.Version, Language: in.Language,
			Licence: in.Licence, Builtin: av.Imported == nil, Retired: av.Retired(), PromptsOn: av.PromptsOn()}
		for _, pr := range in.Scoring.Prompts {
			it, _ := in.Item(pr.LinkID)
			row.Prompts = append(row.Prompts, adminInstrumentPrompt{Item: pr.LinkID, Text: it.Text, From: pr.From})
		}
		if imp := av.Imported; imp != nil {
			row.Rights = imp.Rights
			row.ImportedAt = imp.ImportedAt.Format(qDateLayout)
			if imp.RetiredAt != nil {
				row.RetiredAt = imp.RetiredAt.Format(qDateLayout)
			}
		}
		page.Rows = append(page.Rows, row)
	}
	return page, nil
}

// adminInstrumentsShow lists the instruments, with the import form.
func (s *Server) adminInstrumentsShow(w http.ResponseWriter, r *http.Request) error {
	a, done, err := adminActor(w, r)
	if err != nil || done {
		return err
	}
	page, err := s.adminInstrumentsPage(r, a)
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("done") {
	case "imported":
		page.Done = page.T("instruments_admin.imported")
	case "retired":
		page.Done = page.T("instruments_admin.retired_done")
	case "prompts_on":
		page.Done = page.T("instruments_admin.prompts_on_done")
	case "prompts_off":
		page.Done = page.T("instruments_admin.prompts_off_done")
	}
	return s.render(w, r, http.StatusOK, "admin_instruments", page)
}

// instrumentForm is what the import form sent.
type instrumentForm struct {
	pasted, file []byte
	rights       string
}

// readInstrumentForm reads the import form: multipart (the file input)
// or, without a file, a plain form. A part past the import limit is kept
// one byte over it, so the size is refused by name.
func readInstrumentForm(r *http.Request) (instrumentForm, error) {
	var f instrumentForm
	mr, err := r.MultipartReader()
	if err != nil {
		if err := r.ParseForm(); err != nil {
			return f, err
		}
		f.pasted, f.rights = []byte(r.PostForm.Get("questionnaire")), r.PostForm.Get("rights")
		return f, nil
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return f, nil
		}
		if err != nil {
			return f, err
		}
		limit := int64(measure.MaxQuestionnaireBytes) + 1
		if part.FormName() == "rights" {
			limit = 4*measure.MaxRightsChars + 1
		}
		b, err := io.ReadAll(io.LimitReader(part, limit))
		_ = part.Close()
		if err != nil {
			return f, err
		}
		switch part.FormName() {
		case "questionnaire":
			f.pasted = b
		case "file":
			f.file = b
		case "rights":
			f.rights = string(b)
		}
	}
}

// adminInstrumentImport imports a FHIR Questionnaire with the service's
// rights statement. Anything the mapping or the service refuses is shown
// with the form (400, or 409 for a version already imported); nothing is
// saved then.
func (s *Server) adminInstrumentImport(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	// The page first: only an admin reads it, so anyone else is refused
	// before the form is read.
	page, err := s.adminInstrumentsPage(r, a)
	if err != nil {
		return err
	}
	refuse := func(status int, msg string, f instrumentForm) error {
		page.Problem = msg
		page.Form.Questionnaire, page.Form.Rights = string(f.pasted), f.rights
		if len(f.pasted) > measure.MaxQuestionnaireBytes {
			page.Form.Questionnaire = ""
		}
		return s.render(w, r, status, "admin_instruments", page)
	}
	f, err := readInstrumentForm(r)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return refuse(http.StatusRequestEntityTooLarge, page.T("instruments_admin.too_large", page.MaxKB), instrumentForm{})
		}
		return refuse(http.StatusBadRequest, page.T("instruments_admin.unreadable"), instrumentForm{})
	}
	data := bytes.TrimSpace(f.file)
	if len(data) == 0 {
		data = bytes.TrimSpace(f.pasted)
	}
	switch {
	case len(data) == 0:
		return refuse(http.StatusBadRequest, page.T("instruments_admin.nothing"), f)
	case len(data) > measure.MaxQuestionnaireBytes:
		return refuse(http.StatusBadRequest, page.T("instruments_admin.too_large", page.MaxKB), f)
	case strings.TrimSpace(f.rights) == "":
		return refuse(http.StatusBadRequest, page.T("instruments_admin.rights_needed"), f)
	}
	in, err := fhir.ParseQuestionnaire(data)
	if err == nil {
		_, err = s.opt.Measures.Import(r.Context(), a, in, data, f.rights)
	}
	if status, ok := shownInPlace(err); ok {
		return refuse(status, tend.ErrorMessage(err), f)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/instruments?done=imported", http.StatusSeeOther)
	return nil
}

// adminInstrumentRetire stops an imported instrument being assigned or
// answered; what was answered stays.
func (s *Server) adminInstrumentRetire(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := s.opt.Measures.Retire(r.Context(), a, id); err != nil {
		return s.adminInstrumentRefused(w, r, a, id, err)
	}
	http.Redirect(w, r, "/admin/instruments?done=retired", http.StatusSeeOther)
	return nil
}

// adminInstrumentPrompts turns on or off the safety prompts an imported
// instrument's items propose.
func (s *Server) adminInstrumentPrompts(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Wrap(tend.EINVALID, err, "That form could not be read.")
	}
	id := r.PathValue("id")
	on := r.PostForm.Get("on") == "1"
	if err := s.opt.Measures.SetPrompts(r.Context(), a, id, on); err != nil {
		return s.adminInstrumentRefused(w, r, a, id, err)
	}
	done := "prompts_off"
	if on {
		done = "prompts_on"
	}
	http.Redirect(w, r, "/admin/instruments?done="+done, http.StatusSeeOther) // #nosec G710 -- a fixed local path.
	return nil
}

// adminInstrumentRefused shows a refusal the service explains in words
// beside the instrument's row; any other error is returned as it is.
func (s *Server) adminInstrumentRefused(w http.ResponseWriter, r *http.Request, a tend.Actor, id string, err error) error {
	status, ok := shownInPlace(err)
	if !ok {
		return err
	}
	page, perr := s.adminInstrumentsPage(r, a)
	if perr != nil {
		return perr
	}
	page.Problem = tend.ErrorMessage(err)
	for i := range page.Rows {
		if page.Rows[i].ID == id {
			page.Rows[i].Problem = page.Problem
		}
	}
	return s.render(w, r, status, "admin_instruments", page)
}

// instrumentHeading is an instrument's title, with its short name after it
// unless the title already holds it ("Patient Health Questionnaire (PHQ-9)").
func instrumentHeading(in measure.Instrument) string {
	if strings.Contains(in.Title, in.Short) {
		return in.Title
	}
	return in.Title + " (" + in.Short + ")"
}
