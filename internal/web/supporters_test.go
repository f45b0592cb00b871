package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/api"
)

const supporterPassword = "a supporter's own password"

var supporterCodeRE = regexp.MustCompile(`<code>([A-Z0-9]{4}(?:-[A-Z0-9]{4}){3})</code>`)

// inviteSupporter has who invite a supporter with items from
// /me/supporters and returns the code shown once.
func (d *demoServer) inviteSupporter(t *testing.T, who string, items ...string) string {
	t.Helper()
	res := d.post(t, who, "/me/supporters", url.Values{"item": items})
	if res.Code != http.StatusOK {
		t.Fatalf("invite a supporter: %d\n%s", res.Code, res.Body.String())
	}
	if cc := res.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("the page with the code is cacheable: Cache-Control %q", cc)
	}
	m := supporterCodeRE.FindStringSubmatch(res.Body.String())
	if m == nil {
		t.Fatalf("no code on the page:\n%s", res.Body.String())
	}
	return m[1]
}

func supporterSessionCookie(res *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range res.Result().Cookies() {
		if c.Name == "tend_session" && c.Value != "" {
			return c
		}
	}
	return nil
}

// The supporter's pages in the words they are written in (supporters.json).
const (
	sharedSteps3to5  = "People, places and services that help (steps 3 to 5 of their safety plan)"
	sharedWhoToCall  = "Who to call"
	sharedStep1      = "Signs that things are getting hard (step 1 of their safety plan)"
	sharedStep6      = "How they make where they are safer (step 6)"
	notWrittenBySam  = "sam has not written this part of their plan yet."
	supporterOfSam   = "You are a supporter of sam."
	neverDiaryRefuse = "A supporter never sees your diary, journal, questionnaires or your care team"
)

// TestSupporters walks the supporter role of young-people.md end to end:
// sam invites a supporter with chosen items, the supporter joins and signs
// in, sees exactly those items and nothing else of sam's, sam changes the
// items and then ends the supporter. Every expectation is written by hand.
//
// The supporter is not a column of the authorization matrix (matrix_test.go,
// 13 callers): they are tested here against every /me, /clinic and /admin
// route of the router and every signed-in API route, each of which must
// refuse them (403 or 404) without naming sam.
func TestSupporters(t *testing.T) {
	d := newDemoServer(t)
	ctx := context.Background()
	samID := d.people["sam"]
	asSam := tend.Actor{Kind: tend.KindPerson, ID: samID}

	code := d.inviteSupporter(t, "sam", "safety_plan.steps_3_5", "who_to_call")
	sups, err := d.careTeam.Supporters(ctx, asSam, samID)
	if err != nil || len(sups) != 1 {
		t.Fatalf("sam's supporters = %+v, %v", sups, err)
	}
	supID := string(sups[0].ID)

	t.Run("PersonSeesTheSupporter", func(t *testing.T) {
		res := d.get(t, "sam", "/me/supporters")
		body := res.Body.String()
		if res.Code != http.StatusOK || !strings.Contains(body, "Supporter invited on ") || !strings.Contains(body, `action="/me/supporters/`+supID+`/end"`) {
			t.Fatalf("%d\n%s", res.Code, body)
		}
		if strings.Contains(body, code) {
			t.Error("the code is shown again: it must be shown once")
		}
		if res := d.get(t, "alex", "/me/supporters"); strings.Contains(res.Body.String(), supID) {
			t.Error("alex sees sam's supporter")
		}
	})

	t.Run("Join", func(t *testing.T) {
		res := d.post(t, "", "/supporter/join", url.Values{"code": {code}, "username": {"alex"}, "password": {supporterPassword}})
		if res.Code != http.StatusConflict {
			t.Fatalf("a person's username: %d, want 409", res.Code)
		}
		res = d.post(t, "", "/supporter/join", url.Values{"code": {strings.ToLower(code)}, "username": {"sams-mum"}, "password": {supporterPassword}})
		if res.Code != http.StatusSeeOther || res.Header().Get("Location") != "/supporter" || supporterSessionCookie(res) == nil {
			t.Fatalf("join: %d %q\n%s", res.Code, res.Header().Get("Location"), res.Body.String())
		}
		res = d.post(t, "", "/supporter/join", url.Values{"code": {code}, "username": {"sams-dad"}, "password": {supporterPassword}})
		if res.Code != http.StatusBadRequest || !strings.Contains(res.Body.String(), "already been used") {
			t.Fatalf("the code again: %d, want 400", res.Code)
		}
	})

	t.Run("SignIn", func(t *testing.T) {
		res := d.post(t, "", "/signin", url.Values{"identifier": {"Sams-Mum"}, "password": {supporterPassword}})
		if res.Code != http.StatusSeeOther || res.Header().Get("Location") != "/supporter" {
			t.Fatalf("sign in: %d %q", res.Code, res.Header().Get("Location"))
		}
		d.setSession("sams-mum", supporterSessionCookie(res))
		if res := d.get(t, "sams-mum", "/signin"); res.Code != http.StatusSeeOther || res.Header().Get("Location") != "/supporter" {
			t.Errorf("signed-in supporter at /signin: %d %q, want 303 to /supporter", res.Code, res.Header().Get("Location"))
		}
	})
	if d.sessions["sams-mum"] == nil { // set by SignIn above, before any subtest runs in parallel
		t.FailNow()
	}

	t.Run("SamSeesTheSupporterLooked", func(t *testing.T) {
		d.get(t, "sams-mum", "/supporter")
		body := d.get(t, "sam", "/me/who-looked").Body.String()
		if !strings.Contains(body, "Your supporter (who you invited)") || !strings.Contains(body, "what you chose to share with them") {
			t.Error("sam's who-looked page does not show the supporter's view")
		}
	})

	t.Run("HomeShowsExactlyTheChosenItems", func(t *testing.T) {
		res := d.get(t, "sams-mum", "/supporter")
		body := res.Body.String()
		if res.Code != http.StatusOK {
			t.Fatalf("%d\n%s", res.Code, body)
		}
		for _, want := range []string{supporterOfSam, sharedSteps3to5, sharedWhoToCall, notWrittenBySam} {
			if !strings.Contains(body, want) {
				t.Errorf("home lacks %q", want)
			}
		}
		for _, not := range []string{sharedStep1, sharedStep6, string(samID), "Riverside", "in treatment", "Lee"} {
			if strings.Contains(body, not) {
				t.Errorf("home shows %q", not)
			}
		}
	})

	// The supporter's refusals, written by hand: only their own home and the
	// pages open to everyone answer them.
	scenarios := []struct {
		name   string
		method string
		path   string
		form   url.Values
		want   int
	}{
		{"sam's home", http.MethodGet, "/me", nil, http.StatusNotFound},
		{"sam's who looked", http.MethodGet, "/me/who-looked", nil, http.StatusNotFound},
		{"sam's sharing", http.MethodGet, "/me/sharing", nil, http.StatusNotFound},
		{"sam's settings", http.MethodGet, "/me/settings", nil, http.StatusNotFound},
		{"sam's supporters", http.MethodGet, "/me/supporters", nil, http.StatusNotFound},
		{"invite another supporter", http.MethodPost, "/me/supporters", url.Values{"item": {"who_to_call"}}, http.StatusNotFound},
		{"give themselves more", http.MethodPost, "/me/supporters/" + supID + "/items", url.Values{"item": {"safety_plan.step_1"}}, http.StatusNotFound},
		{"end themselves", http.MethodPost, "/me/supporters/" + supID + "/end", nil, http.StatusNotFound},
		{"the staff home", http.MethodGet, "/clinic", nil, http.StatusNotFound},
		{"sam's staff page", http.MethodGet, "/clinic/people/" + string(samID), nil, http.StatusNotFound},
		{"the admin home", http.MethodGet, "/admin", nil, http.StatusNotFound},
		{"the help page", http.MethodGet, "/help", nil, http.StatusOK},
		{"the supporter join page", http.MethodGet, "/supporter/join", nil, http.StatusOK},
	}
	for _, tt := range scenarios {
		t.Run("Refused/"+tt.name, func(t *testing.T) {
			var res *httptest.ResponseRecorder
			if tt.method == http.MethodPost {
				res = d.post(t, "sams-mum", tt.path, tt.form)
			} else {
				res = d.get(t, "sams-mum", tt.path)
			}
			if res.Code != tt.want {
				t.Errorf("%s %s: %d, want %d", tt.method, tt.path, res.Code, tt.want)
			}
			if tt.want != http.StatusOK && strings.Contains(res.Body.String(), string(samID)) {
				t.Errorf("%s %s names sam", tt.method, tt.path)
			}
		})
	}

	t.Run("RefusedEveryPersonStaffAdminAndAPIRoute", func(t *testing.T) {
		var patterns []string
		for _, p := range d.srv.Patterns() {
			_, path, _ := strings.Cut(p, " ")
			if path == "/me" || strings.HasPrefix(path, "/me/") || strings.HasPrefix(path, "/clinic") || strings.HasPrefix(path, "/admin") {
				patterns = append(patterns, p)
			}
		}
		for _, p := range api.Patterns() {
			if !strings.HasSuffix(p, "/openapi.json") {
				patterns = append(patterns, p)
			}
		}
		for _, p := range api.FHIRPatterns() {
			if !strings.HasSuffix(p, "/metadata") {
				patterns = append(patterns, p)
			}
		}
		if len(patterns) < 30 {
			t.Fatalf("only %d routes to try", len(patterns))
		}
		repl := strings.NewReplacer("{id}", string(samID), "{memberID}", string(samID), "{area}", "diary", "{country}", "GB")
		for _, p := range patterns {
			method, path, _ := strings.Cut(p, " ")
			var req *http.Request
			if strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/fhir/") {
				req = httptest.NewRequest(method, repl.Replace(path), strings.NewReader("{}"))
				req.Header.Set("Content-Type", "application/json")
			} else {
				req = httptest.NewRequest(method, repl.Replace(path), strings.NewReader(""))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			res := d.do(t, "sams-mum", req)
			if res.Code != http.StatusNotFound && res.Code != http.StatusForbidden {
				t.Errorf("%s as sam's supporter: %d, want 403 or 404", p, res.Code)
			}
			if strings.Contains(res.Body.String(), string(samID)) {
				t.Errorf("%s as sam's supporter names sam", p)
			}
		}
		// Still signed in after all that: nothing above acted for them.
		if res := d.get(t, "sams-mum", "/supporter"); res.Code != http.StatusOK {
			t.Fatalf("supporter home after the refusals: %d", res.Code)
		}
	})

	t.Run("PersonCannotGiveAnythingElse", func(t *testing.T) {
		for _, item := range []string{"diary", "journal", "questionnaires", "note.read"} {
			res := d.post(t, "sam", "/me/supporters", url.Values{"item": {item}})
			if res.Code != http.StatusBadRequest || !strings.Contains(res.Body.String(), neverDiaryRefuse) {
				t.Errorf("invite with %s: %d, want 400 with the refusal", item, res.Code)
			}
			res = d.post(t, "sam", "/me/supporters/"+supID+"/items", url.Values{"item": {"who_to_call", item}})
			if res.Code != http.StatusBadRequest {
				t.Errorf("give %s: %d, want 400", item, res.Code)
			}
		}
		if res := d.get(t, "sams-mum", "/supporter"); !strings.Contains(res.Body.String(), sharedSteps3to5) {
			t.Error("a refused change changed what the supporter sees")
		}
	})

	t.Run("OnlyThePersonChangesTheirSupporter", func(t *testing.T) {
		for _, who := range []string{"alex", "lee@example.org", "admin@example.org"} {
			if res := d.post(t, who, "/me/supporters/"+supID+"/items", url.Values{"item": {"safety_plan.step_1"}}); res.Code != http.StatusNotFound {
				t.Errorf("%s changes sam's supporter: %d, want 404", who, res.Code)
			}
			if res := d.post(t, who, "/me/supporters/"+supID+"/end", nil); res.Code != http.StatusNotFound {
				t.Errorf("%s ends sam's supporter: %d, want 404", who, res.Code)
			}
		}
	})

	t.Run("ChangedItemsHoldOnTheNextRequest", func(t *testing.T) {
		res := d.post(t, "sam", "/me/supporters/"+supID+"/items", url.Values{"item": {"safety_plan.step_1"}})
		if res.Code != http.StatusSeeOther {
			t.Fatalf("change items: %d\n%s", res.Code, res.Body.String())
		}
		body := d.get(t, "sams-mum", "/supporter").Body.String()
		if !strings.Contains(body, sharedStep1) || strings.Contains(body, sharedSteps3to5) || strings.Contains(body, ">"+sharedWhoToCall+"<") {
			t.Errorf("after the change the supporter sees:\n%s", body)
		}
	})

	t.Run("EndedSupporterIsSignedOut", func(t *testing.T) {
		res := d.post(t, "sam", "/me/supporters/"+supID+"/end", nil)
		if res.Code != http.StatusSeeOther {
			t.Fatalf("end: %d", res.Code)
		}
		res = d.get(t, "sams-mum", "/supporter")
		if res.Code != http.StatusSeeOther || !strings.HasPrefix(res.Header().Get("Location"), "/signin") {
			t.Fatalf("ended supporter's next request: %d %q, want 303 to sign in", res.Code, res.Header().Get("Location"))
		}
		cleared := false
		for _, c := range res.Result().Cookies() {
			cleared = cleared || (c.Name == "tend_session" && c.MaxAge < 0)
		}
		if !cleared {
			t.Error("the ended supporter's cookie was not cleared")
		}
		res = d.post(t, "", "/signin", url.Values{"identifier": {"sams-mum"}, "password": {supporterPassword}})
		if res.Code != http.StatusUnauthorized {
			t.Errorf("ended supporter signs in: %d, want 401", res.Code)
		}
		if sups, _ := d.careTeam.Supporters(ctx, asSam, samID); len(sups) != 0 {
			t.Errorf("sam still lists %d supporters", len(sups))
		}
	})
}
