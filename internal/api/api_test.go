package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/api"
)

// TestAPI is the scenario table for the JSON API. Every expectation is
// written by hand from DESIGN.md "Who sees what", the access policy and the
// demo accounts (issue 3, items 9 and 10); none is generated from what the
// code does. Every answer is also checked against openapi.json, and every
// route needs at least one success and one error row.
//
// who: "" is anonymous; a demo account signs in with its session cookie;
// "bearer:…" sends a token; "header:…" sends a raw Authorization header.
// Paths and bodies use {placeholders} filled in once the fixture exists.
func TestAPI(t *testing.T) {
	e := newEnv(t)
	v := newValidator(t, spec(t, e))

	// Tokens of sam: one narrow, one to revoke, one revoked, one expired;
	// one of Lee's, which sam must not be able to touch.
	narrow, _ := e.token(t, "sam", 30*24*time.Hour, "care_team.read")
	_, toRevoke := e.token(t, "sam", 30*24*time.Hour, "care_team.read")
	revoked, revokedTok := e.token(t, "sam", 30*24*time.Hour, "care_team.read", "audit.read_own")
	if err := e.accounts.RevokeToken(ctx, e.actors["sam"], revokedTok.ID); err != nil {
		t.Fatal(err)
	}
	expired, _ := e.token(t, "sam", time.Minute, "care_team.read", "audit.read_own")
	_, leeTok := e.token(t, "lee@example.org", 30*24*time.Hour, "profile.read")
	full, _ := e.token(t, "sam", 30*24*time.Hour, "profile.read", "audit.read_own")
	e.clock.Advance(2 * time.Minute) // the expired token is now past its expiry

	fill := strings.NewReplacer(
		"{sam}", string(e.ids["sam"]), "{riley}", string(e.ids["riley"]),
		"{lee-on-sam}", string(e.memberID(t, "sam", "lee@example.org")),
		"{kim-on-riley}", string(e.memberID(t, "riley", "kim@example.org")),
		"{to-revoke}", string(toRevoke.ID), "{lee-token}", string(leeTok.ID),
		"{narrow}", narrow, "{revoked}", revoked, "{expired}", expired, "{full}", full,
		"{in-30-days}", e.clock.Now().Add(30*24*time.Hour).Format(time.RFC3339),
		"{in-2-years}", e.clock.Now().Add(2*365*24*time.Hour).Format(time.RFC3339),
	)
	tests := []struct {
		name            string
		who             string
		method, path    string
		body            string
		wantStatus      int
		wantContains    []string
		wantNotContains []string
		notInSpec       bool // answers for paths or methods the document does not describe
	}{
		// The document itself needs no sign-in.
		{name: "OpenAPIIsPublic", method: "GET", path: "/api/v1/openapi.json", wantStatus: 200, wantContains: []string{`"openapi": "3.1.0"`, "bearerToken", "sessionCookie"}},

		// Who is signed in.
		{name: "ErrUnauthorized/AnonymousMe", method: "GET", path: "/api/v1/me", wantStatus: 401, wantContains: []string{`"status":401`, "Sign in"}},
		{name: "PersonMe", who: "sam", method: "GET", path: "/api/v1/me", wantStatus: 200,
			wantContains:    []string{`"kind":"person"`, `"id":"{sam}"`, `"username":"sam"`, `"state":"in_treatment"`, `"time_zone":"Europe/London"`},
			wantNotContains: []string{"hash", "argon2", "tses_", `"role"`}},
		{name: "StaffMe", who: "lee@example.org", method: "GET", path: "/api/v1/me", wantStatus: 200,
			wantContains: []string{`"kind":"staff"`, `"role":"clinician"`, `"name":"Lee"`}, wantNotContains: []string{"username", "hash"}},
		{name: "AdminMe", who: "admin@example.org", method: "GET", path: "/api/v1/me", wantStatus: 200, wantContains: []string{`"role":"admin"`}},
		{name: "TokenWithProfileReadMe", who: "bearer:{full}", method: "GET", path: "/api/v1/me", wantStatus: 200, wantContains: []string{`"username":"sam"`}},
		{name: "ErrForbidden/TokenWithoutProfileReadMe", who: "bearer:{narrow}", method: "GET", path: "/api/v1/me", wantStatus: 403,
			wantContains: []string{"profile.read"}, wantNotContains: []string{`"username"`}},
		{name: "ErrUnauthorized/RevokedToken", who: "bearer:{revoked}", method: "GET", path: "/api/v1/me/care-team", wantStatus: 401,
			wantContains: []string{"not valid"}, wantNotContains: []string{"Lee"}},
		{name: "ErrUnauthorized/ExpiredToken", who: "bearer:{expired}", method: "GET", path: "/api/v1/me/care-team", wantStatus: 401,
			wantContains: []string{"not valid"}, wantNotContains: []string{"Lee"}},
		{name: "ErrUnauthorized/UnknownToken", who: "bearer:tapi_not-a-real-token", method: "GET", path: "/api/v1/me", wantStatus: 401},
		{name: "ErrUnauthorized/NotBearer", who: "header:Basic c2FtOnB3", method: "GET", path: "/api/v1/me", wantStatus: 401, wantContains: []string{"Bearer"}},

		// The person's care team.
		{name: "PersonCareTeam", who: "sam", method: "GET", path: "/api/v1/me/care-team", wantStatus: 200,
			wantContains:    []string{`"staff_name":"Lee","role":"therapist"`, `"staff_name":"Priya","role":"prescriber"`, `"staff_name":"Jo","role":"group_facilitator"`, `"state":"active"`},
			wantNotContains: []string{"Kim"}},
		{name: "OtherPersonCareTeam", who: "riley", method: "GET", path: "/api/v1/me/care-team", wantStatus: 200,
			wantContains: []string{`"staff_name":"Kim","role":"therapist"`}, wantNotContains: []string{"Lee", "Priya", "Jo"}},
		{name: "NarrowTokenReadsCareTeam", who: "bearer:{narrow}", method: "GET", path: "/api/v1/me/care-team", wantStatus: 200, wantContains: []string{`"staff_name":"Lee"`}},
		{name: "ErrNotFound/StaffHaveNoOwnCareTeam", who: "lee@example.org", method: "GET", path: "/api/v1/me/care-team", wantStatus: 404, wantNotContains: []string{"Priya"}},
		{name: "ErrNotFound/AdminHasNoOwnCareTeam", who: "admin@example.org", method: "GET", path: "/api/v1/me/care-team", wantStatus: 404},
		{name: "ErrUnauthorized/AnonymousCareTeam", method: "GET", path: "/api/v1/me/care-team", wantStatus: 401},

		// A person's care team as staff see it.
		{name: "TherapistSeesCareTeam", who: "lee@example.org", method: "GET", path: "/api/v1/people/{sam}/care-team", wantStatus: 200,
			wantContains: []string{`"staff_name":"Priya"`, `"staff_name":"Jo"`}},
		{name: "LeadSeesCareTeam", who: "morgan@example.org", method: "GET", path: "/api/v1/people/{sam}/care-team", wantStatus: 200, wantContains: []string{`"staff_name":"Lee"`}},
		{name: "PersonSeesOwnCareTeamByID", who: "sam", method: "GET", path: "/api/v1/people/{sam}/care-team", wantStatus: 200, wantContains: []string{`"staff_name":"Lee"`}},
		// Policy: admins manage care-team membership (who is on it, never clinical data).
		{name: "AdminSeesMembership", who: "admin@example.org", method: "GET", path: "/api/v1/people/{sam}/care-team", wantStatus: 200, wantContains: []string{`"staff_name":"Lee"`}},
		{name: "ErrNotFound/StrangerClinician", who: "kim@example.org", method: "GET", path: "/api/v1/people/{sam}/care-team", wantStatus: 404,
			wantNotContains: []string{"Lee", "Priya", "Jo", "therapist"}},
		{name: "ErrNotFound/LeadOfAnotherTeam", who: "morgan@example.org", method: "GET", path: "/api/v1/people/{riley}/care-team", wantStatus: 404, wantNotContains: []string{"Kim"}},
		{name: "ErrNotFound/AnotherPerson", who: "sam", method: "GET", path: "/api/v1/people/{riley}/care-team", wantStatus: 404, wantNotContains: []string{"Kim"}},
		{name: "ErrNotFound/MalformedID", who: "lee@example.org", method: "GET", path: "/api/v1/people/not-an-id/care-team", wantStatus: 404},
		{name: "ErrUnauthorized/AnonymousPersonCareTeam", method: "GET", path: "/api/v1/people/{sam}/care-team", wantStatus: 401, wantNotContains: []string{"Lee"}},

		// The staff caseload (each person shown is an audited read).
		{name: "TherapistCaseload", who: "lee@example.org", method: "GET", path: "/api/v1/caseload", wantStatus: 200,
			wantContains: []string{`"username":"sam"`, `"username":"alex"`, `"roles":["therapist"]`, `"membership":"active"`}, wantNotContains: []string{"riley"}},
		{name: "OtherTeamCaseload", who: "kim@example.org", method: "GET", path: "/api/v1/caseload", wantStatus: 200,
			wantContains: []string{`"username":"riley"`}, wantNotContains: []string{"sam", "alex"}},
		{name: "AdminCaseloadIsEmpty", who: "admin@example.org", method: "GET", path: "/api/v1/caseload", wantStatus: 200,
			wantContains: []string{`"cases":[]`}, wantNotContains: []string{"sam", "alex", "riley"}},
		{name: "ErrNotFound/PeopleHaveNoCaseload", who: "sam", method: "GET", path: "/api/v1/caseload", wantStatus: 404},
		{name: "ErrUnauthorized/AnonymousCaseload", method: "GET", path: "/api/v1/caseload", wantStatus: 401},

		// Who looked: Lee's caseload above was a read of sam's record.
		{name: "PersonWhoLooked", who: "sam", method: "GET", path: "/api/v1/me/who-looked", wantStatus: 200,
			wantContains: []string{`"staff_name":"Lee"`, `"action":"profile.read"`}, wantNotContains: []string{"Kim"}},
		{name: "TokenWithAuditReadOwn", who: "bearer:{full}", method: "GET", path: "/api/v1/me/who-looked", wantStatus: 200, wantContains: []string{`"staff_name":"Lee"`}},
		{name: "ErrForbidden/NarrowTokenCannotReadWhoLooked", who: "bearer:{narrow}", method: "GET", path: "/api/v1/me/who-looked", wantStatus: 403,
			wantNotContains: []string{"Lee", "looks"}},
		{name: "ErrNotFound/StaffWhoLooked", who: "lee@example.org", method: "GET", path: "/api/v1/me/who-looked", wantStatus: 404},
		{name: "ErrNotFound/AdminWhoLooked", who: "admin@example.org", method: "GET", path: "/api/v1/me/who-looked", wantStatus: 404, wantNotContains: []string{"sam"}},
		{name: "ErrUnauthorized/AnonymousWhoLooked", method: "GET", path: "/api/v1/me/who-looked", wantStatus: 401},

		// Notices.
		{name: "PersonNotices", who: "sam", method: "GET", path: "/api/v1/me/notices", wantStatus: 200,
			wantContains: []string{`"kind":"care_team.joined"`, `"kind":"sharing.default_applied"`, `"staff_name":"Lee"`, `"area":"diary"`}, wantNotContains: []string{"Kim"}},
		{name: "ErrForbidden/NarrowTokenNotices", who: "bearer:{narrow}", method: "GET", path: "/api/v1/me/notices", wantStatus: 403},
		{name: "ErrNotFound/StaffNotices", who: "lee@example.org", method: "GET", path: "/api/v1/me/notices", wantStatus: 404},

		// Sharing.
		{name: "PersonSharing", who: "sam", method: "GET", path: "/api/v1/me/sharing", wantStatus: 200,
			wantContains: []string{`"member_id":"{lee-on-sam}","area":"diary","level":"see"`, `"area":"safety_plan","level":"edit"`}},
		{name: "ErrForbidden/NarrowTokenSharing", who: "bearer:{narrow}", method: "GET", path: "/api/v1/me/sharing", wantStatus: 403, wantNotContains: []string{"grants"}},
		{name: "ErrNotFound/StaffSharing", who: "lee@example.org", method: "GET", path: "/api/v1/me/sharing", wantStatus: 404},
		{name: "ErrNotFound/AdminSharing", who: "admin@example.org", method: "GET", path: "/api/v1/me/sharing", wantStatus: 404},
		{name: "PersonSetsGrant", who: "sam", method: "PUT", path: "/api/v1/me/sharing/{lee-on-sam}/journal", body: `{"level":"see"}`, wantStatus: 200,
			wantContains: []string{`"member_id":"{lee-on-sam}","area":"journal","level":"see"`}},
		{name: "PersonSeesNewGrant", who: "sam", method: "GET", path: "/api/v1/me/sharing", wantStatus: 200, wantContains: []string{`"area":"journal","level":"see"`}},
		{name: "ErrInvalid/UnknownField", who: "sam", method: "PUT", path: "/api/v1/me/sharing/{lee-on-sam}/journal", body: `{"level":"edit","colour":"red"}`, wantStatus: 400,
			wantContains: []string{`Unknown field \"colour\"`}},
		{name: "ErrInvalid/TwoValues", who: "sam", method: "PUT", path: "/api/v1/me/sharing/{lee-on-sam}/journal", body: `{"level":"edit"} {"level":"see"}`, wantStatus: 400,
			wantContains: []string{"one JSON value"}},
		{name: "ErrInvalid/NotJSON", who: "sam", method: "PUT", path: "/api/v1/me/sharing/{lee-on-sam}/journal", body: `level=edit`, wantStatus: 400, wantContains: []string{"not valid JSON"}},
		{name: "ErrInvalid/WrongType", who: "sam", method: "PUT", path: "/api/v1/me/sharing/{lee-on-sam}/journal", body: `{"level":2}`, wantStatus: 400, wantContains: []string{`\"level\"`, "string"}},
		{name: "ErrInvalid/UnknownLevel", who: "sam", method: "PUT", path: "/api/v1/me/sharing/{lee-on-sam}/journal", body: `{"level":"all"}`, wantStatus: 400},
		{name: "ErrInvalid/HopeBoxNeverShared", who: "sam", method: "PUT", path: "/api/v1/me/sharing/{lee-on-sam}/hope_box", body: `{"level":"see"}`, wantStatus: 400,
			wantContains: []string{"never shared"}},
		{name: "ErrNotFound/AnotherPersonsMember", who: "sam", method: "PUT", path: "/api/v1/me/sharing/{kim-on-riley}/diary", body: `{"level":"see"}`, wantStatus: 404},
		{name: "ErrNotFound/StaffCannotSetGrants", who: "lee@example.org", method: "PUT", path: "/api/v1/me/sharing/{lee-on-sam}/diary", body: `{"level":"edit"}`, wantStatus: 404},
		{name: "ErrNotFound/AdminCannotSetGrants", who: "admin@example.org", method: "PUT", path: "/api/v1/me/sharing/{lee-on-sam}/diary", body: `{"level":"edit"}`, wantStatus: 404},
		{name: "ErrForbidden/NarrowTokenCannotSetGrants", who: "bearer:{narrow}", method: "PUT", path: "/api/v1/me/sharing/{lee-on-sam}/diary", body: `{"level":"edit"}`, wantStatus: 403},
		{name: "ErrUnauthorized/AnonymousSetGrant", method: "PUT", path: "/api/v1/me/sharing/{lee-on-sam}/diary", body: `{"level":"edit"}`, wantStatus: 401},

		// Tokens.
		{name: "ListTokens", who: "sam", method: "GET", path: "/api/v1/me/tokens", wantStatus: 200,
			wantContains: []string{`"scopes":["care_team.read"]`, `"revoked_at"`}, wantNotContains: []string{"tapi_", "hash"}},
		{name: "CreateToken", who: "sam", method: "POST", path: "/api/v1/me/tokens", body: `{"scopes":["care_team.read","audit.read_own"],"expires_at":"{in-30-days}"}`, wantStatus: 201,
			wantContains: []string{`"token":"tapi_`, `"scopes":["audit.read_own","care_team.read"]`}},
		{name: "ErrInvalid/UnknownScope", who: "sam", method: "POST", path: "/api/v1/me/tokens", body: `{"scopes":["everything"],"expires_at":"{in-30-days}"}`, wantStatus: 400,
			wantContains: []string{`\"everything\" is not a scope`}, wantNotContains: []string{"tapi_"}},
		{name: "ErrInvalid/NoScopes", who: "sam", method: "POST", path: "/api/v1/me/tokens", body: `{"scopes":[],"expires_at":"{in-30-days}"}`, wantStatus: 400},
		{name: "ErrInvalid/NoExpiry", who: "sam", method: "POST", path: "/api/v1/me/tokens", body: `{"scopes":["care_team.read"]}`, wantStatus: 400, wantContains: []string{"expires"}},
		{name: "ErrInvalid/ExpiryOverAYear", who: "sam", method: "POST", path: "/api/v1/me/tokens", body: `{"scopes":["care_team.read"],"expires_at":"{in-2-years}"}`, wantStatus: 400,
			wantContains: []string{"at most a year"}},
		{name: "ErrInvalid/BadExpiry", who: "sam", method: "POST", path: "/api/v1/me/tokens", body: `{"scopes":["care_team.read"],"expires_at":"next week"}`, wantStatus: 400},
		{name: "ErrInvalid/TokenUnknownField", who: "sam", method: "POST", path: "/api/v1/me/tokens", body: `{"scopes":["care_team.read"],"expires_at":"{in-30-days}","admin":true}`, wantStatus: 400,
			wantContains: []string{`Unknown field \"admin\"`}},
		{name: "ErrInvalid/EmptyBody", who: "sam", method: "POST", path: "/api/v1/me/tokens", wantStatus: 400},
		{name: "ErrForbidden/TokensDoNotMakeTokens", who: "bearer:{full}", method: "POST", path: "/api/v1/me/tokens", body: `{"scopes":["care_team.read"],"expires_at":"{in-30-days}"}`, wantStatus: 403,
			wantNotContains: []string{"tapi_"}},
		{name: "ErrUnauthorized/AnonymousTokens", method: "GET", path: "/api/v1/me/tokens", wantStatus: 401},
		{name: "ErrUnauthorized/AnonymousCreateToken", method: "POST", path: "/api/v1/me/tokens", body: `{"scopes":["care_team.read"],"expires_at":"{in-30-days}"}`, wantStatus: 401},
		{name: "RevokeToken", who: "sam", method: "DELETE", path: "/api/v1/me/tokens/{to-revoke}", wantStatus: 204},
		{name: "RevokeTokenTwice", who: "sam", method: "DELETE", path: "/api/v1/me/tokens/{to-revoke}", wantStatus: 204},
		{name: "ErrNotFound/AnotherAccountsToken", who: "sam", method: "DELETE", path: "/api/v1/me/tokens/{lee-token}", wantStatus: 404},
		{name: "ErrNotFound/UnknownToken", who: "sam", method: "DELETE", path: "/api/v1/me/tokens/not-an-id", wantStatus: 404},
		{name: "ErrUnauthorized/AnonymousRevoke", method: "DELETE", path: "/api/v1/me/tokens/{to-revoke}", wantStatus: 401},

		// What the route table does not serve.
		{name: "ErrNotFound/UnknownPath", who: "sam", method: "GET", path: "/api/v1/diary", wantStatus: 404, notInSpec: true,
			wantContains: []string{`"type":"about:blank"`, `"title":"Not Found"`, `"status":404`}},
		{name: "ErrMethodNotAllowed", who: "sam", method: "DELETE", path: "/api/v1/me", wantStatus: 405, notInSpec: true, wantContains: []string{`"status":405`}},
	}
	succeeded, failed := map[string]bool{}, map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			who, path, body := fill.Replace(tt.who), fill.Replace(tt.path), fill.Replace(tt.body)
			req, res := e.do(who, tt.method, path, body)
			got := res.Body.String()
			if res.Code != tt.wantStatus {
				t.Fatalf("%s %s as %q = %d, want %d\n%s", tt.method, tt.path, tt.who, res.Code, tt.wantStatus, got)
			}
			for _, s := range tt.wantContains {
				if s = fill.Replace(s); !strings.Contains(got, s) {
					t.Errorf("answer lacks %q\n%s", s, got)
				}
			}
			for _, s := range tt.wantNotContains {
				if strings.Contains(got, fill.Replace(s)) {
					t.Errorf("answer contains %q\n%s", s, got)
				}
			}
			ct := res.Header().Get("Content-Type")
			switch {
			case res.Code >= 400 && ct != "application/problem+json":
				t.Errorf("error Content-Type %q, want application/problem+json", ct)
			case res.Code == 401 && res.Header().Get("WWW-Authenticate") == "":
				t.Error("401 without WWW-Authenticate")
			case res.Code < 300 && res.Code != 204 && ct != "application/json":
				t.Errorf("Content-Type %q, want application/json", ct)
			}
			if tt.notInSpec {
				return
			}
			validateResponse(t, v, req, res)
			if res.Code < 400 {
				succeeded[req.Pattern] = true
			} else {
				failed[req.Pattern] = true
			}
		})
	}
	routes, public := apiRoutes()
	for _, r := range routes {
		if !succeeded[r] {
			t.Errorf("route %s has no success row", r)
		}
		// The document cannot fail: it is embedded and public.
		if !failed[r] && !public[r] {
			t.Errorf("route %s has no error row", r)
		}
	}
}

// TestSharingTakesEffect shows a person's change of a grant through the API
// holding for the care-team member on the very next request.
func TestSharingTakesEffect(t *testing.T) {
	e := newEnv(t)
	lee, sam := e.actors["lee@example.org"], e.ids["sam"]
	member := string(e.memberID(t, "sam", "lee@example.org"))
	path := "/api/v1/me/sharing/" + member + "/test_area"
	check := func(want string) {
		t.Helper()
		err := e.checker.Check(ctx, lee, access.TestAreaRead, sam)
		if got := kindOf(err); got != want {
			t.Fatalf("Lee reading sam's test area: %s, want %s", got, want)
		}
	}
	check(tend.EFORBIDDEN) // the therapist default does not include the test area
	t.Run("OK/Granted", func(t *testing.T) {
		if _, res := e.do("sam", http.MethodPut, path, `{"level":"see"}`); res.Code != 200 {
			t.Fatalf("PUT see = %d %s", res.Code, res.Body)
		}
		check("ok")
		if err := e.checker.Check(ctx, lee, access.TestAreaWrite, sam); kindOf(err) != tend.EFORBIDDEN {
			t.Fatalf("see must not allow editing: %v", err)
		}
	})
	t.Run("OK/Revoked", func(t *testing.T) {
		if _, res := e.do("sam", http.MethodPut, path, `{"level":"none"}`); res.Code != 200 {
			t.Fatalf("PUT none = %d %s", res.Code, res.Body)
		}
		check(tend.EFORBIDDEN)
	})
	t.Run("ErrNotFound/OtherPeopleUnaffected", func(t *testing.T) {
		// Kim, on no team of sam's, never had access and still has none.
		if err := e.checker.Check(ctx, e.actors["kim@example.org"], access.TestAreaRead, sam); kindOf(err) != tend.ENOTFOUND {
			t.Fatalf("Kim: %v", err)
		}
	})
}

// TestTokenExpiresOnTime: a token works until its expiry and not after.
func TestTokenExpiresOnTime(t *testing.T) {
	e := newEnv(t)
	secret, _ := e.token(t, "sam", time.Hour, "care_team.read")
	if _, res := e.do("bearer:"+secret, "GET", "/api/v1/me/care-team", ""); res.Code != 200 {
		t.Fatalf("before expiry: %d %s", res.Code, res.Body)
	}
	e.clock.Advance(time.Hour)
	if _, res := e.do("bearer:"+secret, "GET", "/api/v1/me/care-team", ""); res.Code != 401 {
		t.Fatalf("at expiry: %d %s", res.Code, res.Body)
	}
}

// TestBodyLimit refuses bodies over the API's own cap even when nothing in
// front of it limits them.
func TestBodyLimit(t *testing.T) {
	e := newEnv(t)
	member := string(e.memberID(t, "sam", "lee@example.org"))
	body := `{"level":"see","pad":"` + strings.Repeat("x", 70<<10) + `"}`
	_, res := e.do("sam", http.MethodPut, "/api/v1/me/sharing/"+member+"/journal", body)
	if res.Code != http.StatusRequestEntityTooLarge || res.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("oversized body = %d %s", res.Code, res.Body)
	}
}

// TestLockedSessionIsAnonymous: a person's locked session shows nothing
// until the PIN unlocks it.
func TestLockedSessionIsAnonymous(t *testing.T) {
	e := newEnv(t)
	if err := e.accounts.SetPIN(ctx, e.actors["sam"], "2468", 0); err != nil {
		t.Fatal(err)
	}
	if err := e.accounts.Lock(ctx, e.sessions["sam"]); err != nil {
		t.Fatal(err)
	}
	if _, res := e.do("sam", "GET", "/api/v1/me/care-team", ""); res.Code != 401 || strings.Contains(res.Body.String(), "Lee") {
		t.Fatalf("locked session = %d %s", res.Code, res.Body)
	}
}

func kindOf(err error) string {
	if err == nil {
		return "ok"
	}
	return tend.ErrorKind(err)
}

func apiRoutes() ([]string, map[string]bool) {
	return api.Routes()
}
