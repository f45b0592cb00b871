package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/api"
	"github.com/tendcare/tend/internal/rights"
)

// The person's data rights (docs/data-rights.md): "Your information" with
// "Download my information", how to correct what they entered, and "Erase
// my account". Who may do what is decided by internal/rights, never here.

// withRights answers 404 when the deployment has no data-rights service.
func (s *Server) withRights(fn func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.opt.Rights == nil {
			return tend.ErrNotFound
		}
		return fn(w, r)
	}
}

type exportView struct {
	ID         tend.ID
	Ready      bool
	Requested  string
	Expires    string
	Size       string
	Downloaded bool
}

type meDataPage struct {
	Base
	Exports []exportView
	Pending bool   // a download is being made
	Problem string // why a request was refused, already in words
	Asked   bool   // just asked: "we will let you know"
	// ErasureDue is when a pending erasure runs ("" for none).
	ErasureDue string
}

// dataShow is "Your information": downloads, correcting, erasing.
func (s *Server) dataShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	page, err := s.dataPageFor(r, a)
	if err != nil {
		return err
	}
	page.Asked = r.URL.Query().Get("asked") == "1"
	return s.render(w, r, http.StatusOK, "me_data", page)
}

func (s *Server) dataPageFor(r *http.Request, a tend.Actor) (*meDataPage, error) {
	exports, err := s.opt.Rights.Exports(r.Context(), a, a.ID)
	if err != nil {
		return nil, err
	}
	loc, err := s.personZone(r)
	if err != nil {
		return nil, err
	}
	p := s.printer()
	page := &meDataPage{Base: Base{Title: p.T("rights.title"), QuickExit: true}}
	for _, e := range exports {
		v := exportView{ID: e.ID, Ready: e.State == rights.ExportReady, Requested: e.RequestedAt.In(loc).Format("2 January 2006 15:04"),
			Expires: e.ExpiresAt.In(loc).Format("2 January 2006 15:04"), Downloaded: e.DownloadedAt != nil}
		if v.Ready {
			v.Size = sizeWords(e.Size)
		} else {
			page.Pending = true
		}
		page.Exports = append(page.Exports, v)
	}
	e, pending, err := s.opt.Rights.ErasureStatus(r.Context(), a, a.ID)
	if err != nil {
		return nil, err
	}
	if pending {
		page.ErasureDue = e.DueAt.In(loc).Format("2 January 2006 15:04")
	}
	return page, nil
}

// sizeWords writes a zip's size in kilobytes or megabytes.
func sizeWords(n int) string {
	if n < 1<<20 {
		return strconv.Itoa((n+1023)/1024) + " KB"
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// dataExportCreate asks for a new download; the job makes it and a notice
// says when it is ready.
func (s *Server) dataExportCreate(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	_, err = s.opt.Rights.RequestExport(r.Context(), a, a.ID)
	if err == nil {
		http.Redirect(w, r, "/me/data?asked=1", http.StatusSeeOther)
		return nil
	}
	switch tend.ErrorKind(err) {
	case tend.ERATELIMITED, tend.ECONFLICT:
		page, perr := s.dataPageFor(r, a)
		if perr != nil {
			return perr
		}
		page.Problem = tend.ErrorMessage(err)
		status := http.StatusTooManyRequests
		if tend.ErrorKind(err) == tend.ECONFLICT {
			status = http.StatusConflict
		}
		return s.render(w, r, status, "me_data", page)
	}
	return err
}

// dataExportDownload sends one ready download, to its owner only.
func (s *Server) dataExportDownload(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	zip, e, err := s.opt.Rights.Download(r.Context(), a, a.ID, id)
	if err != nil {
		return err
	}
	return api.WriteDataExport(w, e, zip)
}

type meErasePage struct {
	Base
	HoldDays  int
	DueAt     string // when a pending erasure runs ("" for none)
	Problems  map[string]string
	Cancelled bool
}

// eraseShow explains what erasing the account does and asks for the
// password again; with an erasure pending, it says when and offers to
// cancel.
func (s *Server) eraseShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	page, err := s.erasePageFor(r, a)
	if err != nil {
		return err
	}
	page.Cancelled = r.URL.Query().Get("cancelled") == "1"
	return s.render(w, r, http.StatusOK, "me_erase", page)
}

func (s *Server) erasePageFor(r *http.Request, a tend.Actor) (*meErasePage, error) {
	e, pending, err := s.opt.Rights.ErasureStatus(r.Context(), a, a.ID)
	if err != nil {
		return nil, err
	}
	p := s.printer()
	page := &meErasePage{Base: Base{Title: p.T("rights.erase_title"), QuickExit: true}, HoldDays: s.opt.Rights.Settings().HoldDays(), Problems: map[string]string{}}
	if pending {
		loc, err := s.personZone(r)
		if err != nil {
			return nil, err
		}
		page.DueAt = e.DueAt.In(loc).Format("2 January 2006 15:04")
	}
	return page, nil
}

// eraseCreate asks for the account to be erased after the service's
// hold, once the password is confirmed.
func (s *Server) eraseCreate(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	p := s.printer()
	problems := map[string]string{}
	password := r.PostForm.Get("password")
	if password == "" {
		problems["password"] = p.T("rights.erase_password_missing")
	} else if _, err := s.opt.Rights.RequestErasure(r.Context(), a, a.ID, password); err != nil {
		var status int
		if problems, status, err = formProblem(err, "password"); err != nil {
			return err
		}
		page, perr := s.erasePageFor(r, a)
		if perr != nil {
			return perr
		}
		page.Problems = problems
		return s.render(w, r, status, "me_erase", page)
	}
	if len(problems) > 0 {
		page, err := s.erasePageFor(r, a)
		if err != nil {
			return err
		}
		page.Problems = problems
		return s.render(w, r, http.StatusBadRequest, "me_erase", page)
	}
	http.Redirect(w, r, "/me/data/erase", http.StatusSeeOther)
	return nil
}

// eraseCancel cancels a pending erasure.
func (s *Server) eraseCancel(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	if err := s.opt.Rights.CancelErasure(r.Context(), a, a.ID); err != nil {
		return err
	}
	http.Redirect(w, r, "/me/data/erase?cancelled=1", http.StatusSeeOther)
	return nil
}

// erasureDue is when the signed-in person's pending erasure runs, in their
// zone, or "" when none is pending (or the deployment has no data rights).
func (s *Server) erasureDue(r *http.Request, a tend.Actor) (string, error) {
	if s.opt.Rights == nil {
		return "", nil
	}
	e, pending, err := s.opt.Rights.ErasureStatus(r.Context(), a, a.ID)
	if err != nil || !pending {
		return "", err
	}
	loc, err := s.personZone(r)
	if err != nil {
		return "", err
	}
	return e.DueAt.In(loc).Format("2 January 2006 15:04"), nil
}
