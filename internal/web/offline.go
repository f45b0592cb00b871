package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/tendcare/tend"
)

// Offline copies (DESIGN.md "Offline"). A page answered with the header
// Tend-Offline: keep is kept by the service worker (static/js/sw.js) in
// its personal cache and shown when the connection fails; a later answer
// for the same page without the header removes the copy. Pages stay
// Cache-Control: no-store for the browser's HTTP cache.
const (
	headerOffline = "Tend-Offline"
	offlineKeep   = "keep"
)

// cookieKeepPlan records that the person chose, on this device, to keep a
// copy of their safety plan (safety-rules.md section 9). Its value is a
// digest of the account id, so that another person signing in on the same
// device does not inherit the choice; it holds nothing readable about
// anyone. HttpOnly, SameSite=Lax, Secure on https; cleared on sign-out,
// which also clears the copy.
const cookieKeepPlan = "tend_keep_plan"

// keepPlanFor is how long the choice lasts on a device without signing out.
const keepPlanFor = 400 * 24 * time.Hour // the longest a browser keeps a cookie

// accountTag is an opaque digest of an account id for purpose: the same
// account and purpose always give the same tag, and the tag tells someone
// holding the device nothing about whose it is.
func accountTag(purpose string, id tend.ID) string {
	sum := sha256.Sum256([]byte("tend\x00" + purpose + "\x00" + string(id)))
	return hex.EncodeToString(sum[:12])
}

// planKept reports whether a keeps a copy of their plan on this device.
func planKept(r *http.Request, a tend.Actor) bool {
	c, err := r.Cookie(cookieKeepPlan)
	if err != nil || a.Kind != tend.KindPerson {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(c.Value), []byte(accountTag("keep-plan", a.ID))) == 1
}

// planOffline marks the person's plan page for keeping on this device when
// they chose it, with the time the copy was made (shown in the copy).
func (s *Server) planOffline(w http.ResponseWriter, r *http.Request, a tend.Actor, page *planPage) error {
	if !planKept(r, a) {
		return nil
	}
	loc, err := s.personZone(r)
	if err != nil {
		return err
	}
	page.KeptOnDevice = true
	page.KeptAt = s.opt.Clock.Now().In(loc).Format("2 January 2006, 15:04")
	w.Header().Set(headerOffline, offlineKeep)
	return nil
}

// planDevice keeps a copy of the person's plan on this device (keep=1) or
// stops keeping it (keep=0). It works without JavaScript: the next answer
// for /me/plan carries Tend-Offline: keep, or no longer does and so
// removes the copy.
func (s *Server) planDevice(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	switch r.PostForm.Get("keep") {
	case "1":
		http.SetCookie(w, &http.Cookie{ // #nosec G124 -- HttpOnly and SameSite always; Secure on https.
			Name: cookieKeepPlan, Value: accountTag("keep-plan", a.ID), Path: "/", MaxAge: int(keepPlanFor / time.Second),
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(),
		})
	case "0":
		s.clearKeepPlan(w)
	default:
		return tend.Errorf(tend.EINVALID, "%s", s.printer().T("offline.plan_choose"))
	}
	http.Redirect(w, r, "/me/plan#device", http.StatusSeeOther)
	return nil
}

func (s *Server) clearKeepPlan(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{ // #nosec G124 -- clearing the cookie.
		Name: cookieKeepPlan, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.secureCookies(),
	})
}
