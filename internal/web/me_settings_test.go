package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
)

// The person's settings (issue 3, item 8; safety-rules.md section 9).
// Every expectation is written by hand from the brief and DESIGN.md
// ("Sessions", "Time and language").

// signInAgain signs who in once more, as from another device, and returns
// that session's cookie.
func signInAgain(t *testing.T, d *demoServer, who, password string) *http.Cookie {
	t.Helper()
	res := d.post(t, "", "/signin", url.Values{"identifier": {who}, "password": {password}})
	if res.Code != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d", who, res.Code)
	}
	for _, c := range res.Result().Cookies() {
		if c.Name == "tend_session" && c.Value != "" {
			return c
		}
	}
	t.Fatalf("sign in as %s set no session cookie", who)
	return nil
}

// getWith sends GET path with cookie c (nil: none).
func getWith(t *testing.T, d *demoServer, c *http.Cookie, path string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if c != nil {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	d.srv.ServeHTTP(rec, req)
	return rec
}

type pageWant struct {
	status          int
	location        string
	contains        []string
	notContains     []string
	clearsTheCookie bool
}

func (w pageWant) check(t *testing.T, res *httptest.ResponseRecorder) {
	t.Helper()
	if res.Code != w.status {
		t.Errorf("status = %d, want %d", res.Code, w.status)
	}
	if w.location != "" && res.Header().Get("Location") != w.location {
		t.Errorf("Location = %q, want %q", res.Header().Get("Location"), w.location)
	}
	body := res.Body.String()
	for _, s := range w.contains {
		if !strings.Contains(body, s) {
			t.Errorf("body lacks %q", s)
		}
	}
	for _, s := range w.notContains {
		if strings.Contains(body, s) {
			t.Errorf("body contains %q", s)
		}
	}
	if w.clearsTheCookie {
		cleared := false
		for _, c := range res.Result().Cookies() {
			cleared = cleared || (c.Name == "tend_session" && c.MaxAge < 0)
		}
		if !cleared {
			t.Error("the session cookie was not cleared")
		}
	}
}

func TestSettingsPage(t *testing.T) {
	d := newDemoServer(t)
	pageWant{status: 200, contains: []string{
		"<title>Settings · Tend</title>",
		`href="/me/sharing"`, `href="/me/who-looked"`,
		`action="/me/settings/password"`, `action="/me/settings/sign-out-everywhere"`, `action="/me/settings/pin"`,
		`action="/me/settings/time-zone"`, `action="/me/settings/discreet"`,
		"Changing your password signs you out on every other device",
		"Leave this site quickly", // quick exit on every person page
		"You have no PIN.",
		`<option value="Europe/London" selected>Europe/London</option>`, // the service's zone, which sam joined with
		`<input type="radio" name="discreet" value="0" checked>`,
	}, notContains: []string{
		`action="/me/lock"`, // no "Lock now" without a PIN
		"error-summary",
	}}.check(t, d.get(t, "sam", "/me/settings"))
	pageWant{status: 200, contains: []string{`<a href="/me/settings">Settings</a>`}}.check(t, d.get(t, "sam", "/me"))
}

// TestSettingsBadInput: each form's bad input is re-rendered in place with
// a clear message, and nothing is saved.
func TestSettingsBadInput(t *testing.T) {
	d := newDemoServer(t)
	long := "a new long password"
	tests := []struct {
		name string
		path string
		form url.Values
		want pageWant
	}{
		{"Password/CurrentMissing", "/me/settings/password", url.Values{"new_password": {long}, "confirm_password": {long}},
			pageWant{status: 400, contains: []string{"Enter your current password.", `href="#current_password"`, `aria-invalid="true"`}}},
		{"Password/NewTooShort", "/me/settings/password", url.Values{"current_password": {demoPassword}, "new_password": {"short"}, "confirm_password": {"short"}},
			pageWant{status: 400, contains: []string{"Choose a password of at least 10 characters.", `href="#new_password"`}}},
		{"Password/NotTheSame", "/me/settings/password", url.Values{"current_password": {demoPassword}, "new_password": {long}, "confirm_password": {long + "!"}},
			pageWant{status: 400, contains: []string{"The two new passwords are not the same.", `href="#confirm_password"`}}},
		{"Password/WrongCurrent", "/me/settings/password", url.Values{"current_password": {"not the password"}, "new_password": {long}, "confirm_password": {long}},
			pageWant{status: 400, contains: []string{"Your current password is not right."}, notContains: []string{"not the password", long}}},
		{"PIN/NotDigits", "/me/settings/pin", url.Values{"pin": {"12a4"}, "pin_confirm": {"12a4"}, "auto_lock": {"5"}},
			pageWant{status: 400, contains: []string{"A PIN is 4 to 8 digits, like 2468.", `href="#pin"`}, notContains: []string{"12a4"}}},
		{"PIN/TooShort", "/me/settings/pin", url.Values{"pin": {"123"}, "pin_confirm": {"123"}, "auto_lock": {"5"}},
			pageWant{status: 400, contains: []string{"A PIN is 4 to 8 digits, like 2468."}}},
		{"PIN/TooLong", "/me/settings/pin", url.Values{"pin": {"123456789"}, "pin_confirm": {"123456789"}, "auto_lock": {"5"}},
			pageWant{status: 400, contains: []string{"A PIN is 4 to 8 digits, like 2468."}}},
		{"PIN/NotTheSame", "/me/settings/pin", url.Values{"pin": {"2468"}, "pin_confirm": {"2469"}, "auto_lock": {"5"}},
			pageWant{status: 400, contains: []string{"The two PINs are not the same.", `href="#pin_confirm"`}}},
		{"PIN/AutoLockNotOffered", "/me/settings/pin", url.Values{"pin": {"2468"}, "pin_confirm": {"2468"}, "auto_lock": {"7"}},
			pageWant{status: 400, contains: []string{"Choose one of the times in the list.", `href="#auto_lock"`}}},
		{"Lock/NoPIN", "/me/lock", url.Values{},
			pageWant{status: 400, contains: []string{"Set a PIN first, so you can unlock again."}}},
		{"TimeZone/Unknown", "/me/settings/time-zone", url.Values{"time_zone": {"Mars/Olympus_Mons"}},
			pageWant{status: 400, contains: []string{"Choose a time zone from the list.", `href="#time_zone"`}}},
		{"TimeZone/Missing", "/me/settings/time-zone", url.Values{},
			pageWant{status: 400, contains: []string{"Choose a time zone from the list."}}},
		{"Discreet/NeitherOnNorOff", "/me/settings/discreet", url.Values{"discreet": {"maybe"}},
			pageWant{status: 400, contains: []string{"Choose on or off.", `href="#discreet"`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.want.contains = append(tt.want.contains, `<div class="error-summary" role="alert"`, "Leave this site quickly")
			tt.want.check(t, d.post(t, "sam", tt.path, tt.form))
		})
	}
	// Nothing was saved: no PIN, the zone and discreet mode as they were,
	// and the password unchanged.
	pageWant{status: 200, contains: []string{"You have no PIN.", `<option value="Europe/London" selected>`, "<title>Settings · Tend</title>"}}.
		check(t, d.get(t, "sam", "/me/settings"))
	signInAgain(t, d, "sam", demoPassword)
}

// TestSettingsSaved: each setting's success, seen on the next page.
func TestSettingsSaved(t *testing.T) {
	d := newDemoServer(t)
	tests := []struct {
		name      string
		path      string
		form      url.Values
		location  string
		then      string // a page of sam's to look at afterwards ("": where the POST went)
		want      pageWant
		alexStays []string // alex's settings page still shows this
	}{
		{"TimeZone", "/me/settings/time-zone", url.Values{"time_zone": {"Pacific/Auckland"}}, "/me/settings?saved=time_zone", "",
			pageWant{status: 200, contains: []string{"Your time zone is saved.", `<option value="Pacific/Auckland" selected>`}},
			[]string{`<option value="Europe/London" selected>`}},
		{"PINSet", "/me/settings/pin", url.Values{"pin": {"2468"}, "pin_confirm": {"2468"}, "auto_lock": {"15"}}, "/me/settings?saved=pin", "",
			pageWant{status: 200, contains: []string{"Your PIN and auto-lock are saved.", "You have a PIN.", `<option value="15" selected>`, `action="/me/lock"`, "Remove my PIN"},
				notContains: []string{"2468"}},
			[]string{"You have no PIN."}},
		{"PINChangedAutoLockOff", "/me/settings/pin", url.Values{"pin": {"13579"}, "pin_confirm": {"13579"}, "auto_lock": {"0"}}, "/me/settings?saved=pin", "",
			pageWant{status: 200, contains: []string{"You have a PIN.", `<option value="0" selected>`}}, nil},
		{"PINRemoved", "/me/settings/pin", url.Values{"remove": {"1"}}, "/me/settings?saved=pin_removed", "",
			pageWant{status: 200, contains: []string{"Your PIN is removed.", "You have no PIN."}, notContains: []string{`action="/me/lock"`}}, nil},
		{"DiscreetOn", "/me/settings/discreet", url.Values{"discreet": {"1"}}, "/me/settings?saved=discreet", "/me",
			pageWant{status: 200, contains: []string{"<title>Notes</title>", `alt="" width="28" height="28">Notes</a>`,
				"This is not an emergency service.", "Leave this site quickly", "Lee (therapist) joined your care team."},
				notContains: []string{"· Tend</title>", "Your space · ", ">Tend</a>", "Tend is not an emergency service."}},
			[]string{"<title>Settings · Tend</title>"}},
		{"DiscreetOnSharingStillWorks", "/me/settings/discreet", url.Values{"discreet": {"1"}}, "/me/settings?saved=discreet", "/me/sharing",
			pageWant{status: 200, contains: []string{"<title>Notes</title>", `<select id="grant.`}}, nil},
		{"DiscreetOff", "/me/settings/discreet", url.Values{"discreet": {"0"}}, "/me/settings?saved=discreet", "/me",
			pageWant{status: 200, contains: []string{"<title>Your space · Tend</title>", ">Tend</a>"}, notContains: []string{"Notes"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pageWant{status: 303, location: tt.location}.check(t, d.post(t, "sam", tt.path, tt.form))
			if tt.then == "" {
				tt.then = tt.location
			}
			tt.want.check(t, d.get(t, "sam", tt.then))
			if tt.alexStays != nil {
				pageWant{status: 200, contains: tt.alexStays}.check(t, d.get(t, "alex", "/me/settings"))
			}
		})
	}
}

// TestPasswordChange: the new password works, the old one no longer does,
// and another session of the person (another device) is signed out while
// this one stays.
func TestPasswordChange(t *testing.T) {
	d := newDemoServer(t)
	other := signInAgain(t, d, "sam", demoPassword)
	pageWant{status: 200}.check(t, getWith(t, d, other, "/me"))
	next := "a brand new password"
	pageWant{status: 303, location: "/me/settings?saved=password"}.check(t,
		d.post(t, "sam", "/me/settings/password", url.Values{"current_password": {demoPassword}, "new_password": {next}, "confirm_password": {next}}))
	pageWant{status: 200, contains: []string{"Your password is changed. Every other device where you were signed in is now signed out"}}.
		check(t, d.get(t, "sam", "/me/settings?saved=password"))
	pageWant{status: 303, location: "/signin"}.check(t, getWith(t, d, other, "/me"))
	pageWant{status: 200}.check(t, d.get(t, "sam", "/me"))
	pageWant{status: 401}.check(t, d.post(t, "", "/signin", url.Values{"identifier": {"sam"}, "password": {demoPassword}}))
	signInAgain(t, d, "sam", next)
	// alex's password is alex's own.
	signInAgain(t, d, "alex", demoPassword)
}

func TestSignOutEverywhere(t *testing.T) {
	d := newDemoServer(t)
	other := signInAgain(t, d, "sam", demoPassword)
	pageWant{status: 303, location: "/signin", clearsTheCookie: true}.check(t, d.post(t, "sam", "/me/settings/sign-out-everywhere", url.Values{}))
	pageWant{status: 303, location: "/signin"}.check(t, d.get(t, "sam", "/me"))
	pageWant{status: 303, location: "/signin"}.check(t, getWith(t, d, other, "/me"))
	pageWant{status: 200}.check(t, d.get(t, "alex", "/me")) // nobody else's
	signInAgain(t, d, "sam", demoPassword)                  // the password still works
}

// TestLockAndUnlock: with a PIN, "Lock now" locks the session; every person
// page then gives way to the unlock page, which shows nothing personal; a
// wrong PIN is refused and the right one unlocks.
func TestLockAndUnlock(t *testing.T) {
	d := newDemoServer(t)
	pageWant{status: 303, location: "/me/settings?saved=pin"}.check(t,
		d.post(t, "sam", "/me/settings/pin", url.Values{"pin": {"2468"}, "pin_confirm": {"2468"}, "auto_lock": {"0"}}))
	other := signInAgain(t, d, "sam", demoPassword) // another device: locking is per session
	pageWant{status: 303, location: "/me/unlock"}.check(t, d.post(t, "sam", "/me/lock", url.Values{}))

	personal := []string{"sam", "Lee", "Priya", "joined your care team", "Your space", "Sign out", `href="/me`}
	unlock := pageWant{status: 200,
		contains:    []string{"<title>Locked · Tend</title>", `action="/me/unlock"`, `name="pin"`, `href="/help"`, "Leave this site quickly"},
		notContains: personal}
	locked := []struct {
		name, method, path string
		want               pageWant
	}{
		{"Home", "GET", "/me", pageWant{status: 303, location: "/me/unlock"}},
		{"WhoLooked", "GET", "/me/who-looked", pageWant{status: 303, location: "/me/unlock"}},
		{"Sharing", "GET", "/me/sharing", pageWant{status: 303, location: "/me/unlock"}},
		{"Settings", "GET", "/me/settings", pageWant{status: 303, location: "/me/unlock"}},
		{"SharingSave", "POST", "/me/sharing", pageWant{status: 303, location: "/me/unlock"}},
		{"PINChange", "POST", "/me/settings/pin", pageWant{status: 303, location: "/me/unlock"}},
		{"UnlockPage", "GET", "/me/unlock", unlock},
		{"ErrWrongPIN", "POST", "/me/unlock?pin=1357", pageWant{status: 400, contains: []string{"That PIN is not right.", `name="pin"`}, notContains: append(personal, "1357")}},
		{"ErrNoPIN", "POST", "/me/unlock", pageWant{status: 400, contains: []string{"Enter your PIN."}, notContains: personal}},
		{"HelpStillWorks", "GET", "/help", pageWant{status: 200, notContains: []string{"sam"}}},
	}
	for _, tt := range locked {
		t.Run("Locked/"+tt.name, func(t *testing.T) {
			var res *httptest.ResponseRecorder
			if tt.method == "POST" {
				path, query, _ := strings.Cut(tt.path, "?")
				form, _ := url.ParseQuery(query)
				res = d.post(t, "sam", path, form)
			} else {
				res = d.get(t, "sam", tt.path)
			}
			tt.want.check(t, res)
		})
	}
	t.Run("OtherSessionNotLocked", func(t *testing.T) {
		pageWant{status: 200}.check(t, getWith(t, d, other, "/me"))
	})
	t.Run("RightPINUnlocks", func(t *testing.T) {
		pageWant{status: 303, location: "/me"}.check(t, d.post(t, "sam", "/me/unlock", url.Values{"pin": {"2468"}}))
		pageWant{status: 200, contains: []string{"Lee (therapist) joined your care team."}}.check(t, d.get(t, "sam", "/me"))
		pageWant{status: 303, location: "/me"}.check(t, d.get(t, "sam", "/me/unlock"))
	})
}

// TestTimeZoneChangesDates: the times on "who looked" follow the zone the
// person chooses.
func TestTimeZoneChangesDates(t *testing.T) {
	d := newDemoServer(t)
	sam := tend.Actor{Kind: tend.KindPerson, ID: d.people["sam"]}
	signIns, err := d.accounts.FindSignIns(context.Background(), sam, sam.ID)
	if err != nil || len(signIns) == 0 {
		t.Fatalf("sam's sign-ins: %d, %v", len(signIns), err)
	}
	at := signIns[0].At
	zone := func(name string) string {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return at.In(loc).Format("2 Jan 2006 15:04")
	}
	london, auckland := zone("Europe/London"), zone("Pacific/Auckland") // 11 to 13 hours apart
	pageWant{status: 200, contains: []string{"<td>" + london + "</td>"}, notContains: []string{auckland}}.check(t, d.get(t, "sam", "/me/who-looked"))
	pageWant{status: 303}.check(t, d.post(t, "sam", "/me/settings/time-zone", url.Values{"time_zone": {"Pacific/Auckland"}}))
	pageWant{status: 200, contains: []string{"<td>" + auckland + "</td>"}, notContains: []string{london}}.check(t, d.get(t, "sam", "/me/who-looked"))
}
