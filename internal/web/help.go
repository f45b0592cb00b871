package web

import (
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/crisis"
	"github.com/tendcare/tend/internal/settings"
)

// Cookies the help page remembers. They hold a country code and a yes/no,
// nothing else, and work signed out.
const (
	cookieCountry = "tend_country"
	cookieYoung   = "tend_young"
)

type helpPage struct {
	Base
	helpOptions
	CountryCode string
	Young       bool
	Countries   []crisis.Choice
}

// helpOptions are the ways to get help in one country: the emergency
// number, the service's own routes (only where the service works; in
// another country they would mislead) and the crisis lines. Every page that
// offers help builds them here, from memory only (the embedded crisis lines
// and the settings cache), so they show while the database is down.
type helpOptions struct {
	CountryName      string
	Emergency        []emergencyNumber
	ServiceEmergency string
	OutOfHours       string
	Hours            string
	ServiceLines     []lineView
	Lines            []lineView
	Fallback         string
}

// helpOptionsFor builds the help options for country code; b, when not
// nil, lets the lines' templates translate.
func (s *Server) helpOptionsFor(b *Base, code string, young bool) helpOptions {
	st, _ := s.opt.Settings.Get()
	view := s.opt.Crisis.View(code, crisis.Options{Demo: s.opt.Demo, Young: young, Confirmed: s.opt.Confirmed, Now: s.opt.Clock.Now()})
	h := helpOptions{Fallback: view.Fallback}
	if view.Country != nil {
		h.CountryName = view.Country.Name
	}
	if view.Emergency != nil {
		for _, n := range view.Emergency.Numbers() {
			h.Emergency = append(h.Emergency, emergencyNumber{Number: n, URI: template.URL(crisis.TelURI(n))}) // #nosec G203 -- TelURI emits only tel: and digits.
		}
	}
	if code == st.Country {
		h.ServiceEmergency, h.OutOfHours, h.Hours = st.Emergency, st.OutOfHours, s.hoursText(st.WorkingHours)
		for _, l := range st.Lines {
			h.ServiceLines = append(h.ServiceLines, lineView{
				Base: b, Name: l.Name, Hours: l.Hours, Call: l.Call, Text: l.Text, Own: true,
				CallURI: template.URL(crisis.TelURI(l.Call)), TextURI: template.URL(crisis.SMSURI(l.Text, "")), // #nosec G203 -- tel:/sms: with digits only.
			})
		}
	}
	for _, l := range view.Lines {
		h.Lines = append(h.Lines, lineView{
			Base: b, Name: l.Name, Audience: l.Audience, Hours: l.Hours, Note: l.Note,
			Call: l.Call, Text: l.Text, Keyword: l.TextKeyword, Checked: l.Checked,
			CallURI: template.URL(l.CallURI()), TextURI: template.URL(l.TextURI()), // #nosec G203 -- tel:/sms: built from validated numbers.
		})
	}
	return h
}

type emergencyNumber struct {
	Number string
	URI    template.URL
}

type lineView struct {
	*Base
	Name, Audience, Hours, Note string
	Call, Text, Keyword         string
	CallURI, TextURI            template.URL
	Checked                     string
	Own                         bool // the service's own line (no national check date)
}

// helpShow renders the help page from memory only: the embedded crisis
// lines and the service settings the cache holds. It reads no database, so
// it works while the database is down.
func (s *Server) helpShow(w http.ResponseWriter, r *http.Request) error {
	if c := r.URL.Query().Get("country"); c != "" && r.PathValue("country") == "" {
		// The country picker is a plain GET form; give it a clean URL.
		http.Redirect(w, r, "/help/"+sanitizeCountry(c), http.StatusSeeOther) // #nosec G710 -- a local path with two letters A-Z.
		return nil
	}
	st, _ := s.opt.Settings.Get()
	code := sanitizeCountry(r.PathValue("country"))
	if code == "" && r.PathValue("country") != "" {
		return tend.ErrNotFound
	}
	if code != "" {
		s.remember(w, cookieCountry, code)
	} else if c, err := r.Cookie(cookieCountry); err == nil {
		code = sanitizeCountry(c.Value)
	}
	if code == "" {
		code = st.Country
	}
	young := false
	if c, err := r.Cookie(cookieYoung); err == nil && c.Value == "1" {
		young = true
	}
	p := s.printer()
	page := &helpPage{Base: Base{Title: p.T("help.title")}, CountryCode: code, Young: young, Countries: s.opt.Crisis.Countries()}
	page.helpOptions = s.helpOptionsFor(&page.Base, code, young)
	// Not personal, so it may be kept; the service worker refreshes its copy
	// on every visit and the browser revalidates.
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Add("Vary", "Cookie")
	return s.render(w, r, http.StatusOK, "help", page)
}

// helpYoung remembers whether lines for young people come first.
func (s *Server) helpYoung(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	v := "0"
	if r.PostForm.Get("young") == "1" {
		v = "1"
	}
	s.remember(w, cookieYoung, v)
	to := "/help"
	if c := sanitizeCountry(r.PostForm.Get("country")); c != "" {
		to += "/" + c
	}
	http.Redirect(w, r, to, http.StatusSeeOther) // #nosec G710 -- a local path with two letters A-Z.
	return nil
}

func (s *Server) remember(w http.ResponseWriter, name, value string) {
	// Secure whenever Tend is served over https; a demo on plain http
	// still needs the cookie to work.
	http.SetCookie(w, &http.Cookie{ // #nosec G124 -- HttpOnly and SameSite always; Secure on https.
		Name: name, Value: value, Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.opt.PublicURL != nil && s.opt.PublicURL.Scheme == "https",
	})
}

// sanitizeCountry returns an upper-case two-letter code, or "".
func sanitizeCountry(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		return ""
	}
	return s
}

var dayIDs = [7]string{"day.sun", "day.mon", "day.tue", "day.wed", "day.thu", "day.fri", "day.sat"}

// hoursText writes working hours in the page's language, e.g. "Monday to
// Friday, 09:00 to 17:00; Saturday, 10:00 to 12:00".
func (s *Server) hoursText(h settings.Hours) string {
	p := s.printer()
	groups := h.Groups()
	parts := make([]string, 0, len(groups))
	for _, g := range groups {
		if g.First == g.Last {
			parts = append(parts, p.T("hours.window", p.T(dayIDs[g.First]), clock(g.Start), clock(g.End)))
		} else {
			parts = append(parts, p.T("hours.range", p.T(dayIDs[g.First]), p.T(dayIDs[g.Last]), clock(g.Start), clock(g.End)))
		}
	}
	return strings.Join(parts, "; ")
}

func clock(min int) string {
	return time.Date(2000, 1, 1, min/60, min%60, 0, 0, time.UTC).Format("15:04")
}

type homePage struct{ Base }

func (s *Server) homeShow(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "home", &homePage{Base{Title: s.printer().T("home.title")}})
}
