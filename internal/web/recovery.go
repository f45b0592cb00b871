package web

import (
	"net/http"
	"strings"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/i18n"
)

// Account recovery (DESIGN.md "Account recovery"): people have no e-mail,
// so their care team or an admin gives them a short-lived, single-use reset
// code (auth.IssueResetCode decides who may), which the person redeems on
// /reset with a new password; one of their own recovery codes works there
// too. The code is shown once, in the answer to the POST that made it, and
// never stored in clear.

// recoveryMessageIDs are the ids this file names in Go code, for
// checkMessages (templates are checked by reading them).
var recoveryMessageIDs = []string{
	"recovery.title", "recovery.username_missing", "recovery.code_missing",
	"recovery.password_mismatch", "recovery.expires_format",
}

// recoveryFields orders the fields for the error summary, as on the page.
var recoveryFields = []string{"username", "code", "new_password", "confirm_password"}

type fieldProblem struct {
	Field, Text string
}

type resetPage struct {
	Base
	Username string
	Problems map[string]string // field: problem
	Summary  []fieldProblem    // the same problems in page order
	Problem  string            // about the whole form: a wrong code, a rate limit
}

// resetCodeShown is a reset code just issued, with what to tell the person.
type resetCodeShown struct {
	Username string
	Code     string
	ResetURL string
	Expires  string // in the service's zone
	p        *i18n.Printer
}

// T translates a message id, for the reset_code partial.
func (c *resetCodeShown) T(id string, args ...any) string { return c.p.T(id, args...) }

func (s *Server) resetPage() *resetPage {
	p := s.printer()
	return &resetPage{Base: Base{Title: p.T("recovery.title"), p: p}, Problems: map[string]string{}}
}

// resetShow is the signed-out page where a person sets a new password with a
// reset code or a recovery code. Someone signed in goes home.
func (s *Server) resetShow(w http.ResponseWriter, r *http.Request) error {
	if a := actorFrom(r); a.Kind != "" {
		http.Redirect(w, r, homeFor(a), http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, http.StatusOK, "recovery_reset", s.resetPage())
}

// resetCreate redeems a reset or recovery code through auth.ResetPassword,
// which answers a wrong code and an unknown username alike and slows a run
// of wrong codes down; on success the person is signed in and goes home.
func (s *Server) resetCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	f := r.PostForm
	page := s.resetPage()
	page.Username = strings.TrimSpace(f.Get("username"))
	code, password := strings.TrimSpace(f.Get("code")), f.Get("new_password")
	if page.Username == "" {
		page.Problems["username"] = page.T("recovery.username_missing")
	}
	if code == "" {
		page.Problems["code"] = page.T("recovery.code_missing")
	}
	if err := auth.CheckPassword(password); err != nil {
		page.Problems["new_password"] = tend.ErrorMessage(err)
	} else if password != f.Get("confirm_password") {
		page.Problems["confirm_password"] = page.T("recovery.password_mismatch")
	}
	if len(page.Problems) > 0 {
		for _, field := range recoveryFields {
			if p := page.Problems[field]; p != "" {
				page.Summary = append(page.Summary, fieldProblem{Field: field, Text: p})
			}
		}
		return s.render(w, r, http.StatusBadRequest, "recovery_reset", page)
	}
	token, _, err := s.opt.Accounts.ResetPassword(r.Context(), auth.ResetRequest{Username: page.Username, Code: code, NewPassword: password}, s.client(r))
	if err != nil {
		status, ok := shownInPlace(err, tend.ERATELIMITED)
		if !ok {
			return err
		}
		page.Problem = tend.ErrorMessage(err)
		return s.render(w, r, status, "recovery_reset", page)
	}
	s.setSession(w, token)
	http.Redirect(w, r, "/me", http.StatusSeeOther)
	return nil
}

// issueResetCode asks auth for a reset code for the person and words it for
// the page that shows it once.
func (s *Server) issueResetCode(r *http.Request, a tend.Actor, person tend.ID, username string) (*resetCodeShown, error) {
	code, rc, err := s.opt.Accounts.IssueResetCode(r.Context(), a, person)
	if err != nil {
		return nil, err
	}
	st, _ := s.opt.Settings.Get()
	reset := "/reset"
	if s.opt.PublicURL != nil {
		reset = strings.TrimSuffix(s.opt.PublicURL.String(), "/") + "/reset"
	}
	p := s.printer()
	return &resetCodeShown{Username: username, Code: code, ResetURL: reset,
		Expires: rc.ExpiresAt.In(st.Location()).Format(p.T("recovery.expires_format")), p: p}, nil
}

// clinicPersonResetCode gives the person a reset code from the staff view of
// them. The person's page is loaded first, through the service that decides
// who may see it (an admin is refused there, 403, and uses the admin page),
// so no code is made that could not be shown; auth then decides who may
// issue one (404 for anyone not on the person's care team).
func (s *Server) clinicPersonResetCode(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	page, err := s.clinicPersonPage(r, a, id)
	if err != nil {
		return err
	}
	if page.ResetCode, err = s.issueResetCode(r, a, id, page.Username); err != nil {
		return err
	}
	noStore(w)
	return s.render(w, r, http.StatusOK, "clinic_person", page)
}

// adminPersonResetCode gives the person a reset code from the admin's care
// teams page (admins cannot open a person's page), shown once next to them.
func (s *Server) adminPersonResetCode(w http.ResponseWriter, r *http.Request) error {
	a, _, err := adminActor(w, r)
	if err != nil {
		return err
	}
	page, err := s.adminCareTeamsPage(r, a)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	row := -1
	for i := range page.People {
		if page.People[i].ID == id {
			row = i
		}
	}
	if row < 0 {
		return tend.ErrNotFound
	}
	if page.People[row].ResetCode, err = s.issueResetCode(r, a, id, page.People[row].Username); err != nil {
		return err
	}
	noStore(w)
	return s.render(w, r, http.StatusOK, "admin_care_teams", page)
}
