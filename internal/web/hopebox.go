package web

import (
	"errors"
	"io"
	"net/http"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/hopebox"
)

// hopeBoxUploadLimit is the largest request body the photo upload takes:
// the largest photo plus room for the form around it. Other routes keep
// the server's own limit.
const hopeBoxUploadLimit = hopebox.MaxPhotoBytes + 1<<20

// withHopeBox answers "not found" when the server runs without the hope box
// service (tests of other areas), rather than failing on nil.
func (s *Server) withHopeBox(fn func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.opt.HopeBox == nil {
			return tend.ErrNotFound
		}
		return fn(w, r)
	}
}

type hopeWordsView struct {
	ID   tend.ID
	Text string
}

type hopePhotoView struct {
	ID    tend.ID
	Alt   string
	Width int
}

type hopeBoxPage struct {
	Base
	Words   []hopeWordsView
	Photos  []hopePhotoView
	Text    string
	Problem string
	Done    string
}

// hopeBoxShow is "My hope box": the person's own words and photos.
func (s *Server) hopeBoxShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	done := ""
	switch r.URL.Query().Get("done") {
	case "added":
		done = s.printer().T("hopebox.added")
	case "removed":
		done = s.printer().T("hopebox.removed")
	}
	return s.hopeBoxRender(w, r, a, http.StatusOK, "", "", done)
}

func (s *Server) hopeBoxRender(w http.ResponseWriter, r *http.Request, a tend.Actor, status int, text, problem, done string) error {
	box, err := s.opt.HopeBox.Box(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	loc, err := s.personZone(r)
	if err != nil {
		return err
	}
	p := s.printer()
	page := &hopeBoxPage{Base: Base{Title: p.T("hopebox.title"), QuickExit: true}, Text: text, Problem: problem, Done: done}
	for _, wd := range box.Words {
		page.Words = append(page.Words, hopeWordsView{ID: wd.ID, Text: wd.Text})
	}
	for _, ph := range box.Photos {
		page.Photos = append(page.Photos, hopePhotoView{ID: ph.ID, Alt: p.T("hopebox.photo_alt", ph.CreatedAt.In(loc).Format("2 January 2006")), Width: ph.Width})
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, status, "me_hope_box", page)
}

// hopeBoxWordsAdd keeps words in the box.
func (s *Server) hopeBoxWordsAdd(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	text := r.PostForm.Get("text")
	_, err = s.opt.HopeBox.AddWords(r.Context(), a, a.ID, text)
	if tend.ErrorKind(err) == tend.EINVALID {
		return s.hopeBoxRender(w, r, a, http.StatusBadRequest, text, tend.ErrorMessage(err), "")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/me/hope-box?done=added", http.StatusSeeOther)
	return nil
}

// hopeBoxWordsDelete removes words from the box.
func (s *Server) hopeBoxWordsDelete(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	if err := s.opt.HopeBox.DeleteWords(r.Context(), a, a.ID, r.PostForm.Get("words")); err != nil {
		return err
	}
	http.Redirect(w, r, "/me/hope-box?done=removed", http.StatusSeeOther)
	return nil
}

// hopeBoxPhotoAdd keeps an uploaded photo (a multipart form, so it works
// without JavaScript).
func (s *Server) hopeBoxPhotoAdd(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	problem := func(msg string) error { return s.hopeBoxRender(w, r, a, http.StatusBadRequest, "", msg, "") }
	mr, err := r.MultipartReader()
	if err != nil {
		return problem(s.printer().T("hopebox.choose_photo"))
	}
	var data []byte
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return s.uploadProblem(err, problem)
		}
		if part.FormName() != "photo" || data != nil {
			_ = part.Close()
			continue
		}
		// Read one byte past the limit, so the service can say "too big".
		data, err = io.ReadAll(io.LimitReader(part, hopebox.MaxPhotoBytes+1))
		_ = part.Close()
		if err != nil {
			return s.uploadProblem(err, problem)
		}
		if data == nil {
			data = []byte{}
		}
	}
	_, err = s.opt.HopeBox.AddPhoto(r.Context(), a, a.ID, data)
	if tend.ErrorKind(err) == tend.EINVALID {
		return problem(tend.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/me/hope-box?done=added", http.StatusSeeOther)
	return nil
}

// uploadProblem shows a body over the upload limit as the photo being too
// big; any other read failure is returned as it is.
func (s *Server) uploadProblem(err error, problem func(string) error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return problem(s.printer().T("hopebox.too_big"))
	}
	return tend.Errorf(tend.EINVALID, "The form could not be read.")
}

// hopeBoxPhotoShow serves a photo (or its thumbnail) to the person alone,
// never cached anywhere.
func (s *Server) hopeBoxPhotoShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	b, ct, err := s.opt.HopeBox.PhotoBytes(r.Context(), a, a.ID, r.PathValue("id"), r.URL.Query().Get("size") == "thumb")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", "inline")
	_, err = w.Write(b) // #nosec G705 -- image bytes re-encoded by the hope box as JPEG or PNG, sent with their type and nosniff.
	return err
}

// hopeBoxPhotoDelete removes a photo from the box.
func (s *Server) hopeBoxPhotoDelete(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	if err := s.opt.HopeBox.DeletePhoto(r.Context(), a, a.ID, r.PostForm.Get("photo")); err != nil {
		return err
	}
	http.Redirect(w, r, "/me/hope-box?done=removed", http.StatusSeeOther)
	return nil
}
