package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/notify"
)

// Notification channels (docs/notifications.md). Web Push: the browser's
// script (static/js/push.js) reads the VAPID key from GET /push/key and
// posts the PushSubscription JSON to POST /push, or to POST /push/remove
// to stop; one path for any signed-in account, person or staff. E-mail: a
// person adds, changes or removes their address in their settings (plain
// forms), and confirms it from the link in the verification e-mail, which
// opens a page with a button (GET then POST /email/verify), so a mail
// scanner that follows links does not use the link up.

// notifyMessageIDs are the ids this file names in Go code, for checkMessages.
var notifyMessageIDs = []string{
	"notify.verify_title", "notify.verified", "notify.verify_failed", "settings.saved_email_sent",
	"settings.saved_email_removed", "settings.email_unavailable",
}

// maxSubscriptionBody bounds a PushSubscription JSON.
const maxSubscriptionBody = 4096

// pushKey returns the service's VAPID public key for the browser's
// applicationServerKey. It is public: every browser that subscribes gets it.
func (s *Server) pushKey(w http.ResponseWriter, r *http.Request) error {
	if s.opt.Notify == nil {
		return tend.ErrNotFound
	}
	key, err := s.opt.Notify.VAPIDPublicKey(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-cache")
	return writeNotifyJSON(w, http.StatusOK, map[string]string{"key": key})
}

// pushSubscribe keeps the signed-in account's push subscription.
func (s *Server) pushSubscribe(w http.ResponseWriter, r *http.Request) error {
	return s.pushChange(w, r, (*notify.Service).Subscribe)
}

// pushUnsubscribe forgets one of the signed-in account's subscriptions.
func (s *Server) pushUnsubscribe(w http.ResponseWriter, r *http.Request) error {
	return s.pushChange(w, r, (*notify.Service).Unsubscribe)
}

func (s *Server) pushChange(w http.ResponseWriter, r *http.Request, fn func(*notify.Service, context.Context, tend.Actor, []byte) error) error {
	a := actorFrom(r)
	if a.Kind == "" {
		return tend.Errorf(tend.EUNAUTHORIZED, "Please sign in.")
	}
	if s.opt.Notify == nil {
		return tend.ErrNotFound
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxSubscriptionBody+1))
	if err != nil {
		return err
	}
	if len(body) > maxSubscriptionBody {
		return writeNotifyJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": "This push subscription is too large."})
	}
	if err := fn(s.opt.Notify, r.Context(), a, body); err != nil {
		switch tend.ErrorKind(err) {
		case tend.EINVALID:
			return writeNotifyJSON(w, http.StatusBadRequest, map[string]string{"error": tend.ErrorMessage(err)})
		case tend.ERATELIMITED:
			return writeNotifyJSON(w, http.StatusTooManyRequests, map[string]string{"error": tend.ErrorMessage(err)})
		}
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func writeNotifyJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// settingsEmail adds or changes the person's e-mail address and sends the
// verification link to it.
func (s *Server) settingsEmail(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	if s.opt.Notify == nil {
		return tend.ErrNotFound
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	if err := s.opt.Notify.SetEmail(r.Context(), a, r.PostForm.Get("email")); err != nil {
		if tend.ErrorKind(err) == tend.EUNAVAILABLE {
			return s.settingsProblem(w, r, a, http.StatusServiceUnavailable, map[string]string{"email": s.printer().T("settings.email_unavailable")})
		}
		problems, status, err := formProblem(err, "email")
		if err != nil {
			return err
		}
		return s.settingsProblem(w, r, a, status, problems)
	}
	http.Redirect(w, r, "/me/settings?saved=email_sent#email-heading", http.StatusSeeOther)
	return nil
}

// settingsEmailRemove forgets the person's e-mail address.
func (s *Server) settingsEmailRemove(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	if s.opt.Notify == nil {
		return tend.ErrNotFound
	}
	if err := s.opt.Notify.RemoveEmail(r.Context(), a); err != nil {
		return err
	}
	http.Redirect(w, r, "/me/settings?saved=email_removed#email-heading", http.StatusSeeOther)
	return nil
}

type emailVerifyPage struct {
	Base
	Token  string // the one-time token from the link; not personal
	Done   bool
	Failed string
}

// emailVerifyShow is the page the verification link opens: one button
// that confirms. It needs no sign-in: the token is the proof.
func (s *Server) emailVerifyShow(w http.ResponseWriter, r *http.Request) error {
	if s.opt.Notify == nil {
		return tend.ErrNotFound
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
	page := &emailVerifyPage{Base: Base{Title: s.printer().T("notify.verify_title")}, Token: r.URL.Query().Get("t")}
	return s.render(w, r, http.StatusOK, "email_verify", page)
}

// emailVerify uses the token.
func (s *Server) emailVerify(w http.ResponseWriter, r *http.Request) error {
	if s.opt.Notify == nil {
		return tend.ErrNotFound
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	p := s.printer()
	page := &emailVerifyPage{Base: Base{Title: p.T("notify.verify_title")}}
	if err := s.opt.Notify.VerifyEmail(r.Context(), r.PostForm.Get("t")); err != nil {
		if tend.ErrorKind(err) != tend.EINVALID {
			return err
		}
		page.Failed = p.T("notify.verify_failed")
		return s.render(w, r, http.StatusBadRequest, "email_verify", page)
	}
	page.Done = true
	return s.render(w, r, http.StatusOK, "email_verify", page)
}
