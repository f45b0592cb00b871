package web

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/notify"
)

// The person's settings (issue 3, item 8; safety-rules.md section 9):
// password, sign out everywhere, PIN and auto-lock, time zone and discreet
// mode on one page, with sharing and "who looked" linked from it. Every
// form is a plain POST that redirects when it worked and re-renders the page
// with the problem next to its field when it did not.

// settingsMessageIDs are the ids this file names in Go code, for
// checkMessages (templates are checked by reading them).
var settingsMessageIDs = []string{
	"settings.title", "settings.saved_password", "settings.saved_pin", "settings.saved_pin_removed",
	"settings.saved_time_zone", "settings.saved_discreet", "settings.password_current_missing",
	"settings.password_mismatch", "settings.pin_format", "settings.pin_mismatch", "settings.auto_lock_invalid",
	"settings.auto_lock_off", "settings.auto_lock_5", "settings.auto_lock_15", "settings.auto_lock_60",
	"settings.discreet_choose", "settings.discreet_name", "settings.discreet_footer",
	"lock.title", "lock.pin_missing",
}

// settingsFields orders the fields for the error summary, as on the page.
var settingsFields = []string{"current_password", "new_password", "confirm_password", "pin", "pin_confirm", "auto_lock", "lock", "time_zone", "discreet", "email"}

// autoLockMinutes are the auto-lock times offered; 0 is off.
var autoLockMinutes = []int{0, 5, 15, 60}

// savedMessages words what ?saved= says was just saved.
var savedMessages = map[string]string{
	"password":    "settings.saved_password",
	"pin":         "settings.saved_pin",
	"pin_removed": "settings.saved_pin_removed",
	"time_zone":   "settings.saved_time_zone",
	"discreet":    "settings.saved_discreet",
	// The e-mail address (notify.go).
	"email_sent":    "settings.saved_email_sent",
	"email_removed": "settings.saved_email_removed",
}

type problemLink struct{ Field, Text string }

type autoLockChoice struct {
	Minutes  int
	Label    string
	Selected bool
}

type settingsPage struct {
	Base
	Saved     string
	Problems  map[string]string // field id: what is wrong with it
	Summary   []problemLink     // the problems in page order
	PIN       bool
	AutoLocks []autoLockChoice
	Zones     []string
	Zone      string
	Discreet  bool
	// Email is the person's address for reminders and whether it is
	// confirmed; EmailOn says whether the service sends e-mail at all.
	Email   notify.EmailStatus
	EmailOn bool
}

// settingsPageFor builds the page from the person's own preferences.
func (s *Server) settingsPageFor(r *http.Request, a tend.Actor, problems map[string]string) (*settingsPage, error) {
	prefs, err := s.opt.Accounts.Preferences(r.Context(), a)
	if err != nil {
		return nil, err
	}
	p := s.printer()
	page := &settingsPage{Base: Base{Title: p.T("settings.title"), QuickExit: true}, Problems: problems,
		PIN: prefs.PIN, Zone: prefs.TimeZone, Discreet: prefs.Discreet}
	for _, f := range settingsFields {
		if text, ok := problems[f]; ok {
			page.Summary = append(page.Summary, problemLink{Field: f, Text: text})
		}
	}
	for _, m := range autoLockMinutes {
		page.AutoLocks = append(page.AutoLocks, autoLockChoice{Minutes: m, Label: p.T("settings.auto_lock_" + autoLockName(m)), Selected: m == prefs.AutoLockMinutes})
	}
	if s.opt.Notify != nil {
		page.EmailOn = s.opt.Notify.EmailEnabled()
		if page.Email, err = s.opt.Notify.Email(r.Context(), a); err != nil {
			return nil, err
		}
	}
	// The person's zone first, then the service's, then the usual list.
	st, _ := s.opt.Settings.Get()
	page.Zones = []string{prefs.TimeZone}
	for _, z := range append([]string{st.TimeZone}, zones...) {
		if z != "" && !slices.Contains(page.Zones, z) {
			page.Zones = append(page.Zones, z)
		}
	}
	return page, nil
}

func autoLockName(m int) string {
	if m == 0 {
		return "off"
	}
	return strconv.Itoa(m)
}

// settingsProblem re-renders the settings page with the problems in place.
func (s *Server) settingsProblem(w http.ResponseWriter, r *http.Request, a tend.Actor, status int, problems map[string]string) error {
	page, err := s.settingsPageFor(r, a, problems)
	if err != nil {
		return err
	}
	return s.render(w, r, status, "me_settings", page)
}

// formProblem turns a service's EINVALID or ERATELIMITED error into a
// problem with field and its status; any other error is returned as is.
func formProblem(err error, field string) (map[string]string, int, error) {
	switch tend.ErrorKind(err) {
	case tend.EINVALID:
		return map[string]string{field: tend.ErrorMessage(err)}, http.StatusBadRequest, nil
	case tend.ERATELIMITED:
		return map[string]string{field: tend.ErrorMessage(err)}, http.StatusTooManyRequests, nil
	}
	return nil, 0, err
}

// settingsShow is the person's settings page.
func (s *Server) settingsShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	page, err := s.settingsPageFor(r, a, nil)
	if err != nil {
		return err
	}
	if id, ok := savedMessages[r.URL.Query().Get("saved")]; ok {
		page.Saved = s.printer().T(id)
	}
	return s.render(w, r, http.StatusOK, "me_settings", page)
}

// settingsPassword changes the person's password. auth.ChangePassword
// ends every other session of theirs and keeps this one.
func (s *Server) settingsPassword(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	current, next, confirm := r.PostForm.Get("current_password"), r.PostForm.Get("new_password"), r.PostForm.Get("confirm_password")
	p := s.printer()
	problems := map[string]string{}
	if current == "" {
		problems["current_password"] = p.T("settings.password_current_missing")
	}
	if err := auth.CheckPassword(next); err != nil {
		problems["new_password"] = tend.ErrorMessage(err)
	} else if next != confirm {
		problems["confirm_password"] = p.T("settings.password_mismatch")
	}
	if len(problems) > 0 {
		return s.settingsProblem(w, r, a, http.StatusBadRequest, problems)
	}
	if err := s.opt.Accounts.ChangePassword(r.Context(), sessionFrom(r.Context()).token, current, next); err != nil {
		problems, status, err := formProblem(err, "current_password")
		if err != nil {
			return err
		}
		return s.settingsProblem(w, r, a, status, problems)
	}
	http.Redirect(w, r, "/me/settings?saved=password", http.StatusSeeOther)
	return nil
}

// settingsSignOutEverywhere ends every session of the person, this one
// too, and goes to the sign-in page.
func (s *Server) settingsSignOutEverywhere(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	if _, err := s.opt.Accounts.SignOutEverywhere(r.Context(), a); err != nil {
		return err
	}
	s.clearSession(w)
	s.clearKeepPlan(w)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
	return nil
}

// settingsPIN sets the person's PIN and auto-lock time, or removes the PIN
// (the form's remove=1).
func (s *Server) settingsPIN(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	f := r.PostForm
	saved := "pin_removed"
	pin, minutes := "", 0
	if f.Get("remove") != "1" {
		saved = "pin"
		p := s.printer()
		problems := map[string]string{}
		pin = f.Get("pin")
		if auth.CheckPIN(pin) != nil {
			problems["pin"] = p.T("settings.pin_format")
		} else if pin != f.Get("pin_confirm") {
			problems["pin_confirm"] = p.T("settings.pin_mismatch")
		}
		m, err := strconv.Atoi(f.Get("auto_lock"))
		if err != nil || !slices.Contains(autoLockMinutes, m) {
			problems["auto_lock"] = p.T("settings.auto_lock_invalid")
		}
		if len(problems) > 0 {
			return s.settingsProblem(w, r, a, http.StatusBadRequest, problems)
		}
		minutes = m
	}
	if err := s.opt.Accounts.SetPIN(r.Context(), a, pin, minutes); err != nil {
		problems, status, err := formProblem(err, "pin")
		if err != nil {
			return err
		}
		return s.settingsProblem(w, r, a, status, problems)
	}
	http.Redirect(w, r, "/me/settings?saved="+saved, http.StatusSeeOther)
	return nil
}

// lockCreate locks this session at once ("Lock now").
func (s *Server) lockCreate(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	if err := s.opt.Accounts.Lock(r.Context(), sessionFrom(r.Context()).token); err != nil {
		problems, status, err := formProblem(err, "lock")
		if err != nil {
			return err
		}
		return s.settingsProblem(w, r, a, status, problems)
	}
	http.Redirect(w, r, "/me/unlock", http.StatusSeeOther)
	return nil
}

type unlockPage struct {
	Base
	Problem string
}

// lockedSession returns the session when it is a person's and locked. An
// unlocked person's session goes home instead (done=true); no session asks
// for sign-in; staff have no such page.
func lockedSession(w http.ResponseWriter, r *http.Request) (info *sessionInfo, done bool, err error) {
	info = sessionFrom(r.Context())
	switch {
	case info == nil:
		return nil, false, tend.Errorf(tend.EUNAUTHORIZED, "Please sign in.")
	case info.actor.Kind != tend.KindPerson:
		return nil, false, tend.ErrNotFound
	case !info.session.Locked:
		http.Redirect(w, r, "/me", http.StatusSeeOther)
		return nil, true, nil
	}
	return info, false, nil
}

// unlockShow is the page every person page gives way to while the session
// is locked (errors.go). It shows nothing about the person: the layout's
// help link and quick exit, and the PIN field.
func (s *Server) unlockShow(w http.ResponseWriter, r *http.Request) error {
	if _, done, err := lockedSession(w, r); err != nil || done {
		return err
	}
	return s.render(w, r, http.StatusOK, "me_unlock", s.unlockPage(""))
}

func (s *Server) unlockPage(problem string) *unlockPage {
	return &unlockPage{Base: Base{Title: s.printer().T("lock.title"), QuickExit: true}, Problem: problem}
}

// unlockCreate checks the PIN and unlocks the session. Wrong PINs are rate
// limited per session by auth.Unlock.
func (s *Server) unlockCreate(w http.ResponseWriter, r *http.Request) error {
	info, done, err := lockedSession(w, r)
	if err != nil || done {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	pin := r.PostForm.Get("pin")
	if pin == "" {
		return s.render(w, r, http.StatusBadRequest, "me_unlock", s.unlockPage(s.printer().T("lock.pin_missing")))
	}
	if _, err := s.opt.Accounts.Unlock(r.Context(), info.token, pin); err != nil {
		problems, status, err := formProblem(err, "pin")
		if err != nil {
			return err
		}
		return s.render(w, r, status, "me_unlock", s.unlockPage(problems["pin"]))
	}
	http.Redirect(w, r, "/me", http.StatusSeeOther)
	return nil
}

// settingsTimeZone sets the zone the person's dates are shown in.
func (s *Server) settingsTimeZone(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	if err := s.opt.Accounts.SetTimeZone(r.Context(), a, r.PostForm.Get("time_zone")); err != nil {
		problems, status, err := formProblem(err, "time_zone")
		if err != nil {
			return err
		}
		return s.settingsProblem(w, r, a, status, problems)
	}
	http.Redirect(w, r, "/me/settings?saved=time_zone", http.StatusSeeOther)
	return nil
}

// settingsDiscreet turns discreet mode on (1) or off (0).
func (s *Server) settingsDiscreet(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	var on bool
	switch r.PostForm.Get("discreet") {
	case "1":
		on = true
	case "0":
	default:
		return s.settingsProblem(w, r, a, http.StatusBadRequest, map[string]string{"discreet": s.printer().T("settings.discreet_choose")})
	}
	v := "0"
	if on {
		v = "1"
	}
	s.remember(w, cookieDiscreet, v)
	if err := s.opt.Accounts.SetDiscreet(r.Context(), a, on); err != nil {
		return err
	}
	http.Redirect(w, r, "/me/settings?saved=discreet", http.StatusSeeOther)
	return nil
}

// cookieDiscreet remembers discreet mode in the browser, for the pages that
// look up no session (the help page).
const cookieDiscreet = "tend_discreet"

// discreetFor tells render whether the signed-in person chose discreet
// mode: the layout then shows a neutral name instead of Tend and no page
// names (safety-rules.md section 9). A locked session counts too, so the
// unlock page is discreet as well. When the preference cannot be read the
// neutral name is shown: it gives nothing away.
//
// TODO(#3): the manifest's name and icon, the brand icon, and neutral
// wording and sender for notifications and e-mails in discreet mode.
func (s *Server) discreetFor(r *http.Request) bool {
	info := sessionFrom(r.Context())
	if info == nil {
		// Public pages look up no session; the browser remembers the choice.
		c, err := r.Cookie(cookieDiscreet)
		return err == nil && c.Value == "1"
	}
	if info.actor.Kind != tend.KindPerson || s.opt.Accounts == nil {
		return false
	}
	prefs, err := s.opt.Accounts.Preferences(r.Context(), info.actor)
	if err != nil {
		return true
	}
	return prefs.Discreet
}
