package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/demo"
)

// The expectations below are written by hand from DESIGN.md "Account
// recovery" and "Rate limits" and the demo care teams (lee is sam's
// therapist; kim is on no team of sam's).

var shownCode = regexp.MustCompile(`<p class="code"><strong>([A-Z0-9-]+)</strong></p>`)

// issueCode asks for a reset code for sam as who on path and returns the
// answer and the code it shows.
func issueCode(t *testing.T, d *demoServer, who, path string) (*httptest.ResponseRecorder, string) {
	t.Helper()
	res := d.post(t, who, path, url.Values{})
	m := shownCode.FindStringSubmatch(res.Body.String())
	if m == nil {
		return res, ""
	}
	return res, m[1]
}

// resetFrom posts the reset form from addr (each test its own address, so
// rate limits of one do not reach another).
func resetFrom(t *testing.T, d *demoServer, addr, username, code, password string) *httptest.ResponseRecorder {
	t.Helper()
	form := url.Values{"username": {username}, "code": {code}, "new_password": {password}, "confirm_password": {password}}
	r := httptest.NewRequest(http.MethodPost, "/reset", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.RemoteAddr = addr + ":40000"
	return d.do(t, "", r)
}

func sessionCookie(res *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range res.Result().Cookies() {
		if c.Name == "tend_session" && c.Value != "" {
			return c
		}
	}
	return nil
}

// problemOf is the text of the page's error summary.
func problemOf(body string) string {
	i := strings.Index(body, `<div class="error-summary"`)
	if i < 0 {
		return ""
	}
	return body[i : i+strings.Index(body[i:], "</div>")]
}

func signInStatus(t *testing.T, d *demoServer, who, password string) int {
	t.Helper()
	return d.post(t, "", "/signin", url.Values{"identifier": {who}, "password": {password}}).Code
}

func TestResetCodeIssue(t *testing.T) {
	d := newDemoServer(t)
	sam := string(d.people["sam"])
	t.Run("ButtonForCareTeam", func(t *testing.T) {
		body := d.get(t, "lee@example.org", "/clinic/people/"+sam).Body.String()
		if !strings.Contains(body, `action="/clinic/people/`+sam+`/reset-code"`) || !strings.Contains(body, "Give a password reset code") {
			t.Error("sam's therapist is not offered the reset-code button")
		}
	})
	t.Run("NoButtonForLead", func(t *testing.T) {
		// morgan may see sam's page but is on no care team of sam's.
		res := d.get(t, "morgan@example.org", "/clinic/people/"+sam)
		if res.Code != 200 || strings.Contains(res.Body.String(), "reset-code") {
			t.Errorf("lead of sam's team: %d, offered the button: %v", res.Code, strings.Contains(res.Body.String(), "reset-code"))
		}
	})
	t.Run("OK", func(t *testing.T) {
		res, code := issueCode(t, d, "lee@example.org", "/clinic/people/"+sam+"/reset-code")
		if res.Code != 200 || code == "" {
			t.Fatalf("lee: %d, code %q\n%s", res.Code, code, res.Body.String())
		}
		body := res.Body.String()
		for _, want := range []string{"Reset code for sam", "Go to /reset", "The code works once.", "It expires on ", "shown only now"} {
			if !strings.Contains(body, want) {
				t.Errorf("the answer lacks %q", want)
			}
		}
		// 24 hours ahead, in the service's zone (the demo's is Europe/London).
		if !regexp.MustCompile(`It expires on [A-Z][a-z]+day \d{1,2} [A-Z][a-z]+ 20\d\d, \d\d:\d\d (GMT|BST)\.`).MatchString(body) {
			t.Errorf("the expiry is not a time in the service's zone:\n%s", body)
		}
		if cc := res.Header().Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control = %q, want no-store", cc)
		}
		if again := d.get(t, "lee@example.org", "/clinic/people/"+sam).Body.String(); strings.Contains(again, code) {
			t.Error("sam's page shows the code again")
		}
		// Not stored in clear: no column of any reset code holds it.
		rows, err := d.db.Writer().QueryContext(context.Background(), `SELECT id, person_id, code_hash, issued_by FROM reset_codes`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var id, person, by string
			var hash []byte
			if err := rows.Scan(&id, &person, &hash, &by); err != nil {
				t.Fatal(err)
			}
			n++
			for _, c := range []string{code, strings.ReplaceAll(code, "-", "")} {
				if strings.Contains(id+person+by, c) || bytes.Contains(hash, []byte(c)) || bytes.Contains(bytes.ToUpper(hash), []byte(c)) {
					t.Errorf("reset_codes holds the code %q in clear", c)
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Error("no reset code was stored")
		}
	})
	t.Run("ErrNotFoundForKim", func(t *testing.T) {
		res, code := issueCode(t, d, "kim@example.org", "/clinic/people/"+sam+"/reset-code")
		if res.Code != 404 || code != "" || strings.Contains(res.Body.String(), "sam") {
			t.Errorf("kim: %d, code %q; want 404 telling nothing of sam", res.Code, code)
		}
	})
	t.Run("ErrForbiddenAdminOnPersonPage", func(t *testing.T) {
		res, code := issueCode(t, d, "admin@example.org", "/clinic/people/"+sam+"/reset-code")
		if res.Code != 403 || code != "" {
			t.Errorf("admin on sam's page: %d, code %q; want 403 and no code", res.Code, code)
		}
	})
	t.Run("AdminPage", func(t *testing.T) {
		page := d.get(t, "admin@example.org", "/admin/care-teams").Body.String()
		if !strings.Contains(page, `action="/admin/people/`+sam+`/reset-code"`) {
			t.Error("the care teams page has no reset-code form for sam")
		}
		res, code := issueCode(t, d, "admin@example.org", "/admin/people/"+sam+"/reset-code")
		if res.Code != 200 || code == "" || !strings.Contains(res.Body.String(), "Reset code for sam") {
			t.Fatalf("admin: %d, code %q", res.Code, code)
		}
		if again := d.get(t, "admin@example.org", "/admin/care-teams").Body.String(); strings.Contains(again, code) {
			t.Error("the care teams page shows the code again")
		}
		if r := resetFrom(t, d, "198.51.100.9", "sam", code, "sam's new password from admin"); r.Code != 303 {
			t.Errorf("the admin's code does not reset: %d", r.Code)
		}
	})
	t.Run("ErrForbiddenLeeOnAdminPage", func(t *testing.T) {
		res, code := issueCode(t, d, "lee@example.org", "/admin/people/"+sam+"/reset-code")
		if res.Code != 403 || code != "" {
			t.Errorf("lee on the admin page: %d, code %q; want 403", res.Code, code)
		}
	})
}

func TestResetPassword(t *testing.T) {
	d := newDemoServer(t)
	sam := string(d.people["sam"])
	d.session(t, "sam") // a session from before the reset, which the reset ends
	_, code := issueCode(t, d, "lee@example.org", "/clinic/people/"+sam+"/reset-code")
	if code == "" {
		t.Fatal("lee got no code")
	}
	const newPassword = "sam's brand new password"

	wrong := resetFrom(t, d, "198.51.100.1", "sam", "AAAA-BBBB-CCCC", newPassword)
	unknown := resetFrom(t, d, "198.51.100.1", "nobody-here", code, newPassword)
	if wrong.Code != 400 || unknown.Code != 400 {
		t.Fatalf("wrong code %d, unknown username %d; want 400 both", wrong.Code, unknown.Code)
	}
	if problemOf(wrong.Body.String()) == "" || problemOf(wrong.Body.String()) != problemOf(unknown.Body.String()) {
		t.Errorf("a wrong code and an unknown username answer differently:\n%q\n%q", problemOf(wrong.Body.String()), problemOf(unknown.Body.String()))
	}
	if strings.Contains(wrong.Body.String(), "AAAA-BBBB-CCCC") || strings.Contains(wrong.Body.String(), newPassword) {
		t.Error("the form echoes the code or the password")
	}

	// The code, typed in lower case without its dashes, still works.
	res := resetFrom(t, d, "198.51.100.2", "Sam", strings.ToLower(strings.ReplaceAll(code, "-", "")), newPassword)
	if res.Code != 303 || res.Header().Get("Location") != "/me" {
		t.Fatalf("reset: %d to %q, want 303 to /me\n%s", res.Code, res.Header().Get("Location"), res.Body.String())
	}
	c := sessionCookie(res)
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
		t.Fatalf("reset set no session cookie like sign-in's: %+v", c)
	}
	me := httptest.NewRequest(http.MethodGet, "/me", nil)
	me.AddCookie(c)
	if r := d.do(t, "", me); r.Code != 200 {
		t.Errorf("the new session does not open /me: %d", r.Code)
	}
	if r := d.get(t, "sam", "/me"); r.Code != 303 {
		t.Errorf("sam's session from before the reset still opens /me: %d", r.Code)
	}
	if got := signInStatus(t, d, "sam", demoPassword); got != 401 {
		t.Errorf("the old password signs in: %d", got)
	}
	if got := signInStatus(t, d, "sam", newPassword); got != 303 {
		t.Errorf("the new password does not sign in: %d", got)
	}

	used := resetFrom(t, d, "198.51.100.3", "sam", code, "yet another password")
	if used.Code != 400 || problemOf(used.Body.String()) != problemOf(wrong.Body.String()) {
		t.Errorf("a used code: %d %q; want 400 with the wrong-code answer %q", used.Code, problemOf(used.Body.String()), problemOf(wrong.Body.String()))
	}
}

func TestResetWithRecoveryCode(t *testing.T) {
	d := newDemoServer(t)
	ctx := context.Background()
	invite, _, err := d.accounts.CreateInvite(ctx, tend.System, auth.NewInvite{Team: demo.TeamRiverside, AgeBand: "over_25"})
	if err != nil {
		t.Fatal(err)
	}
	j, err := d.accounts.Join(ctx, auth.JoinRequest{Code: invite, Username: "robin", Password: "robin's first password", RecoveryCodes: true}, auth.Client{Address: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(j.RecoveryCodes) == 0 {
		t.Fatal("no recovery codes")
	}
	code := j.RecoveryCodes[0]
	if res := resetFrom(t, d, "198.51.100.4", "robin", code, "robin's second password"); res.Code != 303 || sessionCookie(res) == nil {
		t.Fatalf("recovery code: %d", res.Code)
	}
	if got := signInStatus(t, d, "robin", "robin's second password"); got != 303 {
		t.Errorf("the new password does not sign in: %d", got)
	}
	again := resetFrom(t, d, "198.51.100.4", "robin", code, "robin's third password")
	if again.Code != 400 || !strings.Contains(again.Body.String(), "That username and code do not match") {
		t.Errorf("a used recovery code: %d, want 400 with the wrong-code answer", again.Code)
	}
	if res := resetFrom(t, d, "198.51.100.4", "robin", j.RecoveryCodes[1], "robin's third password"); res.Code != 303 {
		t.Errorf("another recovery code: %d, want 303", res.Code)
	}
}

func TestResetBadInput(t *testing.T) {
	d := newDemoServer(t)
	tests := []struct {
		name         string
		form         url.Values
		wantContains []string
	}{
		{"Empty", url.Values{}, []string{"Enter your username.", "Enter the reset code", `href="#new_password"`}},
		{"Mismatch", url.Values{"username": {"sam"}, "code": {"ABCD-EFGH-IJKL"}, "new_password": {"a long new password"}, "confirm_password": {"another long password"}},
			[]string{"The two new passwords are not the same.", `value="sam"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := d.post(t, "", "/reset", tt.form)
			if res.Code != 400 {
				t.Errorf("status = %d, want 400", res.Code)
			}
			body := res.Body.String()
			for _, s := range tt.wantContains {
				if !strings.Contains(body, s) {
					t.Errorf("body lacks %q", s)
				}
			}
			if strings.Contains(body, "ABCD-EFGH-IJKL") || strings.Contains(body, "a long new password") {
				t.Error("the form echoes the code or a password")
			}
		})
	}
}

// TestResetRateLimited: a run of wrong codes for one account is slowed
// down (429) with auth's message, while another account is not.
func TestResetRateLimited(t *testing.T) {
	d := newDemoServer(t)
	var last *httptest.ResponseRecorder
	for i := range 8 {
		last = resetFrom(t, d, fmt.Sprintf("198.51.100.%d", 20+i), "alex", "WRNG-WRNG-WRNG", "alex's new password")
		if last.Code == http.StatusTooManyRequests {
			break
		}
	}
	if last.Code != http.StatusTooManyRequests || problemOf(last.Body.String()) == "" {
		t.Fatalf("after a run of wrong codes: %d, want 429 with a message", last.Code)
	}
	if res := resetFrom(t, d, "198.51.100.40", "riley", "WRNG-WRNG-WRNG", "riley's new password"); res.Code != 400 {
		t.Errorf("another account: %d, want 400", res.Code)
	}
}

func TestResetPageLinks(t *testing.T) {
	d := newDemoServer(t)
	if body := d.get(t, "", "/signin").Body.String(); !strings.Contains(body, `href="/reset"`) {
		t.Error("the sign-in page does not link to /reset")
	}
	res := d.get(t, "", "/reset")
	if res.Code != 200 || !strings.Contains(res.Body.String(), `action="/reset"`) {
		t.Errorf("GET /reset: %d", res.Code)
	}
	if res := d.get(t, "sam", "/reset"); res.Code != 303 || res.Header().Get("Location") != "/me" {
		t.Errorf("signed in: %d to %q, want 303 to /me", res.Code, res.Header().Get("Location"))
	}
}
