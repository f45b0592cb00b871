package web

import (
	"net/http"
	"strings"

	"github.com/tendcare/tend"
)

type signInPage struct {
	Base
	Identifier string
	Problem    string
	SSOName    string // the identity provider's name when single sign-on is set up
}

func (s *Server) signInShow(w http.ResponseWriter, r *http.Request) error {
	if a := actorFrom(r); a.Kind != "" {
		http.Redirect(w, r, homeFor(a), http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, http.StatusOK, "signin", s.signInData(&signInPage{Base: Base{Title: s.printer().T("signin.title")}}))
}

// signInCreate signs in a person (username) or a staff member (e-mail: a
// username never holds "@"). A wrong password and an unknown account get
// the same answer.
func (s *Server) signInCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	id := strings.TrimSpace(r.PostForm.Get("identifier"))
	password := r.PostForm.Get("password")
	var token string
	var err error
	if strings.Contains(id, "@") {
		token, _, err = s.opt.Accounts.SignInStaff(r.Context(), id, password, s.client(r))
	} else {
		token, _, err = s.opt.Accounts.SignInPerson(r.Context(), id, password, s.client(r))
	}
	if err != nil {
		kind := tend.ErrorKind(err)
		if kind != tend.EUNAUTHORIZED && kind != tend.ERATELIMITED && kind != tend.EINVALID {
			return err
		}
		status := http.StatusUnauthorized
		if kind == tend.ERATELIMITED {
			status = http.StatusTooManyRequests
		}
		page := &signInPage{Base: Base{Title: s.printer().T("signin.title")}, Identifier: id, Problem: tend.ErrorMessage(err)}
		return s.render(w, r, status, "signin", s.signInData(page))
	}
	s.setSession(w, token)
	actor, ss, err := s.opt.Accounts.Authenticate(r.Context(), token)
	if err != nil {
		return err
	}
	to := homeFor(actor)
	if actor.Kind == tend.KindStaff && !ss.MFA {
		to = "/signin/mfa"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) error {
	if info := sessionFrom(r.Context()); info != nil {
		if err := s.opt.Accounts.SignOut(r.Context(), info.token); err != nil && tend.ErrorKind(err) != tend.EUNAUTHORIZED {
			return err
		}
	}
	s.clearSession(w)
	// Signing out ends the choice to keep a copy of the plan here; the
	// service worker removes the copy itself (static/js/sw.js).
	s.clearKeepPlan(w)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
	return nil
}

type mfaPage struct {
	Base
	Enrolling bool
	Secret    string
	Problem   string
}

// mfaShow asks a staff member for their authenticator code, or, the first
// time, shows the secret to add to an authenticator app.
func (s *Server) mfaShow(w http.ResponseWriter, r *http.Request) error {
	info := sessionFrom(r.Context())
	if info == nil || info.actor.Kind != tend.KindStaff {
		return tend.Errorf(tend.EUNAUTHORIZED, "Please sign in.")
	}
	if info.session.MFA {
		http.Redirect(w, r, homeFor(info.actor), http.StatusSeeOther)
		return nil
	}
	page := &mfaPage{Base: Base{Title: s.printer().T("mfa.title")}}
	if !info.session.MFAEnrolled {
		e, err := s.opt.Accounts.BeginTOTP(r.Context(), info.token)
		if err != nil {
			return err
		}
		page.Enrolling, page.Secret = true, e.Secret
	}
	return s.render(w, r, http.StatusOK, "mfa", page)
}

func (s *Server) mfaCreate(w http.ResponseWriter, r *http.Request) error {
	info := sessionFrom(r.Context())
	if info == nil || info.actor.Kind != tend.KindStaff {
		return tend.Errorf(tend.EUNAUTHORIZED, "Please sign in.")
	}
	if info.session.MFA {
		http.Redirect(w, r, homeFor(info.actor), http.StatusSeeOther)
		return nil
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	code := strings.ReplaceAll(r.PostForm.Get("code"), " ", "")
	var err error
	if info.session.MFAEnrolled {
		_, err = s.opt.Accounts.VerifyTOTP(r.Context(), info.token, code)
	} else {
		_, err = s.opt.Accounts.ConfirmTOTP(r.Context(), info.token, code)
	}
	if err != nil {
		if k := tend.ErrorKind(err); k != tend.EINVALID && k != tend.EUNAUTHORIZED && k != tend.ERATELIMITED {
			return err
		}
		page := &mfaPage{Base: Base{Title: s.printer().T("mfa.title")}, Enrolling: !info.session.MFAEnrolled, Problem: tend.ErrorMessage(err)}
		if page.Enrolling {
			page.Problem += " " + s.printer().T("mfa.start_again")
		}
		return s.render(w, r, http.StatusBadRequest, "mfa", page)
	}
	http.Redirect(w, r, homeFor(info.actor), http.StatusSeeOther)
	return nil
}
