package web

import (
	"net/http"
	"strings"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/auth"
)

// zones are the time zones the join page offers, the service's first. The
// person's diary days follow the zone they choose (DESIGN.md "Time").
var zones = []string{
	"Europe/London", "Europe/Dublin", "America/St_Johns", "America/Halifax", "America/Toronto", "America/New_York",
	"America/Chicago", "America/Winnipeg", "America/Denver", "America/Edmonton", "America/Phoenix", "America/Los_Angeles",
	"America/Vancouver", "America/Anchorage", "Pacific/Honolulu", "Australia/Perth", "Australia/Darwin", "Australia/Adelaide",
	"Australia/Brisbane", "Australia/Sydney", "Australia/Melbourne", "Australia/Hobart", "Pacific/Auckland", "UTC",
}

type joinPage struct {
	Base
	Step          string // code, notice, account or done
	Code          string
	Acknowledged  bool
	Notice        string // the service's confidentiality notice, for under-18s
	NoticeMissing bool
	Username      string
	Zones         []string
	Zone          string
	RecoveryCodes []string
	Problem       string
}

func (s *Server) joinPage(step string) *joinPage {
	st, _ := s.opt.Settings.Get()
	z := []string{st.TimeZone}
	for _, zone := range zones {
		if zone != st.TimeZone {
			z = append(z, zone)
		}
	}
	return &joinPage{Base: Base{Title: s.printer().T("join.title"), QuickExit: true}, Step: step, Zones: z, Zone: st.TimeZone}
}

func (s *Server) joinShow(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "join", s.joinPage("code"))
}

// joinCreate walks through joining with POSTs only, so the invite code never
// appears in a URL: the code; for under-18s the service's confidentiality
// notice before anything else; then the account.
func (s *Server) joinCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	f := r.PostForm
	page := s.joinPage("code")
	page.Code = strings.TrimSpace(f.Get("code"))
	page.Acknowledged = f.Get("acknowledged") == "1"
	fail := func(err error, step string) error {
		if k := tend.ErrorKind(err); k != tend.EINVALID && k != tend.ECONFLICT && k != tend.ERATELIMITED {
			return err
		}
		page.Step, page.Problem = step, tend.ErrorMessage(err)
		status := http.StatusBadRequest
		if tend.ErrorKind(err) == tend.ERATELIMITED {
			status = http.StatusTooManyRequests
		}
		return s.render(w, r, status, "join", page)
	}
	check, err := s.opt.Accounts.CheckInvite(r.Context(), page.Code, s.client(r))
	if err != nil {
		page.Code = ""
		return fail(err, "code")
	}
	if check.Under18 && !page.Acknowledged {
		st, _ := s.opt.Settings.Get()
		page.Step, page.Notice, page.NoticeMissing = "notice", st.YoungConfidentiality, st.YoungConfidentiality == ""
		return s.render(w, r, http.StatusOK, "join", page)
	}
	if f.Get("username") == "" && f.Get("password") == "" {
		page.Step = "account"
		return s.render(w, r, http.StatusOK, "join", page)
	}
	page.Username = f.Get("username")
	if z := f.Get("time_zone"); z != "" {
		page.Zone = z
	}
	j, err := s.opt.Accounts.Join(r.Context(), auth.JoinRequest{
		Code: page.Code, Username: page.Username, Password: f.Get("password"), TimeZone: page.Zone,
		RecoveryCodes: f.Get("recovery_codes") == "1",
	}, s.client(r))
	if err != nil {
		return fail(err, "account")
	}
	s.setSession(w, j.Token)
	if len(j.RecoveryCodes) == 0 {
		http.Redirect(w, r, "/me", http.StatusSeeOther)
		return nil
	}
	page.Step, page.RecoveryCodes, page.Code = "done", j.RecoveryCodes, ""
	return s.render(w, r, http.StatusOK, "join", page)
}
