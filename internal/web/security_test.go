package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/api"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/fhir"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/web"
)

// The security suites of issue 11 (docs/security.md): cross-site requests,
// the headers of every response, account enumeration and the session
// lifecycle. Each suite enumerates the routes from the route tables
// themselves (the router's, the JSON API's and FHIR's), so a route added
// later is covered without editing this file. The authorization matrix
// (matrix_test.go) and the canary crawler (canary_test.go) are the other
// two suites over every route.

// secRoute is one request the suites send: the pattern it comes from and a
// concrete method and path.
type secRoute struct {
	pattern, method, path string
}

// unsafeMethods change state; CrossOriginProtection checks exactly these.
var unsafeMethods = []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

var wildcard = regexp.MustCompile(`\{[^}]+\}`)

// secRoutes lists every route of the router, the JSON API and FHIR R4 with
// its wildcards filled in: a person named is sam, a country GB, a day
// today, and every other id sam's id (no record has it, which is enough
// for requests that must be refused, or must change nothing, before any
// record is looked up). A pattern without a method (the catch-all and the
// API and FHIR mounts) is sent with each method of methods.
func secRoutes(d *demoServer, methods []string) []secRoute {
	sam := string(d.people["sam"])
	fill := func(p string) string {
		p = strings.NewReplacer("{$}", "", "{path...}", "css/tend.css", "{country}", "GB", "{date}", demoToday()).Replace(p)
		return wildcard.ReplaceAllString(p, sam)
	}
	patterns := d.srv.Patterns()
	patterns = append(patterns, api.Patterns()...)
	patterns = append(patterns, api.FHIRPatterns()...)
	var out []secRoute
	seen := map[string]bool{}
	for _, p := range patterns {
		method, path, ok := strings.Cut(p, " ")
		ms := []string{method}
		if !ok {
			path, ms = p, methods
			if p == "/" {
				path = "/no/such/page"
			}
		}
		for _, m := range ms {
			if !slices.Contains(methods, m) || seen[m+" "+path] {
				continue
			}
			seen[m+" "+path] = true
			out = append(out, secRoute{pattern: p, method: m, path: fill(path)})
		}
	}
	return out
}

// newSecRequest makes a request for rt with an empty body of the kind the
// route reads: JSON for the API and FHIR, a form for pages.
func newSecRequest(rt secRoute) *http.Request {
	if rt.method == http.MethodGet || rt.method == http.MethodHead {
		return httptest.NewRequest(rt.method, rt.path, nil)
	}
	if strings.HasPrefix(rt.path, "/api/") || strings.HasPrefix(rt.path, "/fhir/") {
		r := httptest.NewRequest(rt.method, rt.path, strings.NewReader("{}"))
		r.Header.Set("Content-Type", "application/json")
		return r
	}
	r := httptest.NewRequest(rt.method, rt.path, strings.NewReader(""))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

// send sends r as who ("" anonymous).
func (d *demoServer) send(t *testing.T, who string, r *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	if who != "" {
		return d.do(t, who, r)
	}
	res := httptest.NewRecorder()
	d.srv.ServeHTTP(res, r)
	return res
}

// dbDigest returns a function that digests the main database table by
// table, so that a difference names the table. Tables whose name has one of
// the prefixes in skip are left out. A session's last_seen_at and
// expires_at are left out too: Authenticate moves them at most once a
// minute as bookkeeping of any request, reads included (DESIGN.md
// "Sessions"), and a suite taking more than a minute would see them move.
func dbDigest(t *testing.T, db *store.DB, skip ...string) func() map[string]string {
	t.Helper()
	var tables []string
	for _, name := range testenv.Tables(t, db) {
		if !slices.ContainsFunc(skip, func(p string) bool { return strings.HasPrefix(name, p) }) {
			tables = append(tables, name)
		}
	}
	if len(tables) < 20 {
		t.Fatalf("the database has only %d tables: %v", len(tables), tables)
	}
	source := func(table string) string {
		if table == "sessions" {
			return `(SELECT id, token_hash, account_kind, account_id, mfa, locked, device, created_at, absolute_at FROM sessions)`
		}
		return `"` + table + `"`
	}
	return func() map[string]string {
		t.Helper()
		out := make(map[string]string, len(tables))
		for _, table := range tables {
			out[table] = testenv.RowsDigest(t, db, `SELECT * FROM `+source(table)+` t`)
		}
		return out
	}
}

// setCookies parses the Set-Cookie headers of res.
func setCookies(res *httptest.ResponseRecorder) []*http.Cookie {
	var out []*http.Cookie
	for _, v := range res.Header().Values("Set-Cookie") {
		if c, err := http.ParseSetCookie(v); err == nil {
			out = append(out, c)
		}
	}
	return out
}

// newSession is the session cookie res sets, or nil.
func newSession(res *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range setCookies(res) {
		if c.Name == "tend_session" && c.Value != "" && c.MaxAge >= 0 {
			return c
		}
	}
	return nil
}

// refusalType is the format of a refusal at path: each interface answers
// in its own (RFC 9457 problems for the API, OperationOutcome for FHIR).
func refusalType(path string) string {
	switch {
	case strings.HasPrefix(path, "/api/"):
		return "application/problem+json"
	case path == "/fhir/r4" || strings.HasPrefix(path, "/fhir/r4/"):
		return "application/fhir+json"
	}
	return "text/html"
}

// crossSite are the ways a browser marks a request from another site.
// Sec-Fetch-Site is sent by every current browser; older ones send only
// Origin. A sibling subdomain (same-site) is another origin too.
var crossSite = []struct {
	name string
	set  func(*http.Request)
}{
	{"SecFetchSiteCrossSite", func(r *http.Request) {
		r.Header.Set("Sec-Fetch-Site", "cross-site")
		r.Header.Set("Origin", "https://attacker.example")
	}},
	{"SecFetchSiteSameSite", func(r *http.Request) {
		r.Header.Set("Sec-Fetch-Site", "same-site")
		r.Header.Set("Origin", "http://evil."+r.Host)
	}},
	{"OriginOtherSite", func(r *http.Request) { r.Header.Set("Origin", "https://attacker.example") }},
	{"OriginNull", func(r *http.Request) { r.Header.Set("Origin", "null") }},
}

// TestCSRFMatrix: every state-changing route of pages, the JSON API and
// FHIR refuses a request from another site for every kind of caller, with
// a valid session cookie, and the refusal changes nothing in the
// database; GET and HEAD of every route change nothing either, as every
// role, since a cross-site GET is never refused (links must work).
//
// The protection is net/http's CrossOriginProtection around the whole
// router (routes.go), so no route can opt out by accident. Bearer-token
// callers of the API are not exempt: the check looks only at the
// browser's Sec-Fetch-Site and Origin headers, which a program holding a
// token does not send, so its requests pass; and a token is never sent by
// a browser on its own, as a cookie is, so another site cannot ride on it.
// A token sent from a page of another site is refused like a cookie.
func TestCSRFMatrix(t *testing.T) {
	d := newDemoServer(t)
	digest := dbDigest(t, d.db)
	forbidden := "This request came from another site, so we did not act on it."

	t.Run("CrossSiteRefusedAndChangesNothing", func(t *testing.T) {
		routes := secRoutes(d, unsafeMethods)
		callers := []string{"", "sam", "lee@example.org", "morgan@example.org", "admin@example.org"}
		for _, who := range callers {
			if who != "" {
				d.session(t, who) // signed in before the digest
			}
		}
		before := digest()
		// Every route and caller, each pair in one of the cross-site forms
		// in turn: every route meets every form (there are more callers
		// than forms), and so does every caller.
		sent := 0
		for i, rt := range routes {
			for j, who := range callers {
				cs := crossSite[(i+j)%len(crossSite)]
				req := newSecRequest(rt)
				cs.set(req)
				res := d.send(t, who, req)
				sent++
				if res.Code != http.StatusForbidden || !strings.Contains(res.Body.String(), forbidden) {
					t.Errorf("%s %s as %q (%s): %d, want 403 refused as from another site", rt.method, rt.path, who, cs.name, res.Code)
				}
				if c := setCookies(res); len(c) > 0 {
					t.Errorf("%s %s as %q (%s): a refused request set cookies %v", rt.method, rt.path, who, cs.name, c)
				}
				if ct := res.Header().Get("Content-Type"); !strings.HasPrefix(ct, refusalType(rt.path)) {
					t.Errorf("%s %s: the refusal is %q, not %s", rt.method, rt.path, ct, refusalType(rt.path))
				}
			}
		}
		if diff := testenv.ChangedTables(before, digest()); len(diff) > 0 {
			t.Errorf("refused cross-site requests changed %v", diff)
		}
		t.Logf("CSRF matrix: %d state-changing routes x %d callers = %d requests refused, in %d cross-site forms", len(routes), len(callers), sent, len(crossSite))
	})

	// Requests that do change data when sent from Tend's own pages (or by
	// a program) are refused from another site: the refusal is the
	// protection, not a malformed request, and the digest sees a change.
	t.Run("SameRequestChangesDataOnlyFromOwnSite", func(t *testing.T) {
		secret, _, err := d.accounts.CreateToken(context.Background(), personActor(d, "sam"), []string{string(access.JournalWrite)}, time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		form := func(method, path string, v url.Values) func() *http.Request {
			return func() *http.Request {
				r := httptest.NewRequest(method, path, strings.NewReader(v.Encode()))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				return r
			}
		}
		jsonReq := func(method, path, body, bearer string) func() *http.Request {
			return func() *http.Request {
				r := httptest.NewRequest(method, path, strings.NewReader(body))
				r.Header.Set("Content-Type", "application/json")
				r.Header.Set("Idempotency-Key", string(tend.NewID()))
				if bearer != "" {
					r.Header.Set("Authorization", "Bearer "+bearer)
				}
				return r
			}
		}
		tests := []struct {
			name string
			who  string
			req  func() *http.Request
			want int
		}{
			{"PageForm", "sam", form(http.MethodPost, "/me/hope-box/words", url.Values{"text": {"the sea at Whitby"}}), http.StatusSeeOther},
			{"AdminForm", "admin@example.org", form(http.MethodPost, "/admin/teams", url.Values{"name": {"Eastside"}, "kind": {auth.TeamCare}}), http.StatusSeeOther},
			{"APIWithCookie", "sam", jsonReq(http.MethodPost, "/api/v1/me/journal", `{"text":"a walk by the river"}`, ""), http.StatusCreated},
			{"APIWithBearerToken", "", jsonReq(http.MethodPost, "/api/v1/me/journal", `{"text":"written by a program"}`, secret), http.StatusCreated},
			// Signing in from another site would sign the browser into the
			// other site's account (login CSRF).
			{"SignIn", "", form(http.MethodPost, "/signin", url.Values{"identifier": {"alex"}, "password": {demoPassword}}), http.StatusSeeOther},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := digest()
				for _, cs := range crossSite {
					r := tt.req()
					cs.set(r)
					if res := d.send(t, tt.who, r); res.Code != http.StatusForbidden || newSession(res) != nil {
						t.Errorf("%s: %d, want 403 and no session", cs.name, res.Code)
					}
				}
				if diff := testenv.ChangedTables(before, digest()); len(diff) > 0 {
					t.Errorf("refused requests changed %v", diff)
				}
				r := tt.req()
				r.Header.Set("Sec-Fetch-Site", "same-origin")
				if tt.who == "" {
					r.Header.Del("Sec-Fetch-Site") // a program sends no browser headers
				}
				if res := d.send(t, tt.who, r); res.Code != tt.want {
					t.Fatalf("from Tend itself: %d, want %d\n%s", res.Code, tt.want, res.Body.String())
				}
				if diff := testenv.ChangedTables(before, digest()); len(diff) == 0 {
					t.Error("the accepted request changed nothing: the digest cannot see this change")
				}
			})
		}
	})

	t.Run("GetAndHeadChangeNothing", func(t *testing.T) {
		routes := secRoutes(d, []string{http.MethodGet, http.MethodHead})
		// FHIR searches name the person in the query.
		for _, p := range api.FHIRPatterns() {
			if method, path, _ := strings.Cut(p, " "); method == http.MethodGet && !strings.Contains(path, "{") && path != "/fhir/r4/metadata" {
				routes = append(routes, secRoute{pattern: p, method: http.MethodGet, path: path + "?patient=" + string(d.people["sam"])})
			}
		}
		// A GET pattern also answers HEAD, through the same handler, so
		// HEAD is sent by three of the callers: anonymous, a person and a
		// clinician.
		var heads []secRoute
		for _, rt := range routes {
			if strings.HasPrefix(rt.pattern, "GET ") {
				heads = append(heads, secRoute{pattern: rt.pattern, method: http.MethodHead, path: rt.path})
			}
		}
		// One caller of each kind: anonymous, a person, a clinician, a
		// lead and an admin.
		callers := []string{"", "sam", "lee@example.org", "morgan@example.org", "admin@example.org"}
		for _, who := range callers {
			if who != "" {
				d.session(t, who)
			}
		}
		// The service's Web Push key pair is made once, by the first
		// request that needs it (notify.Service.VAPIDPublicKey), and never
		// changes after: it is made here, before the digest.
		if res := d.get(t, "", "/push/key"); res.Code != http.StatusOK {
			t.Fatalf("the push key: %d", res.Code)
		}
		// A staff member's read of a person's information is audited, by
		// design (DESIGN.md "Access"): the audit trail is left out here.
		readDigest := dbDigest(t, d.db, "audit_")
		before := readDigest()
		sent := 0
		for _, who := range callers {
			send := routes
			if who == "" || who == "sam" || who == "lee@example.org" {
				send = append(slices.Clone(routes), heads...)
			}
			for _, rt := range send {
				res := d.send(t, who, newSecRequest(rt))
				sent++
				if res.Code >= 500 {
					t.Errorf("%s %s as %q: %d", rt.method, rt.path, who, res.Code)
				}
			}
			if diff := testenv.ChangedTables(before, readDigest()); len(diff) > 0 {
				t.Errorf("GET and HEAD as %q changed %v", who, diff)
				before = readDigest()
			}
		}
		t.Logf("safe methods: %d GET routes x %d callers + %d HEAD routes x 3 callers = %d requests", len(routes), len(callers), len(heads), sent)
	})
}

// The headers every answer carries (middleware.go "secure"). The CSP is
// the same on every answer but for its nonce.
var (
	cspPattern = regexp.MustCompile(`^default-src 'self'; script-src 'self' 'nonce-([0-9a-f]{32})'; style-src 'self'; img-src 'self' data:; ` +
		`connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'$`)
	fixedHeaders = map[string]string{
		"X-Content-Type-Options":     "nosniff",
		"Referrer-Policy":            "no-referrer",
		"X-Frame-Options":            "DENY",
		"Cross-Origin-Opener-Policy": "same-origin",
		"Permissions-Policy":         "camera=(), microphone=(), geolocation=(), interest-cohort=()",
	}
	// mayBeCached are the only routes whose answers a browser may keep (and
	// must revalidate): the same for everyone, never personal. Every other
	// answer, errors and redirects included, is no-store.
	mayBeCached = map[string]bool{
		"GET /help": true, "GET /help/{country}": true, "GET /evidence": true, "GET /static/{path...}": true,
		"GET /sw.js": true, "GET /manifest.webmanifest": true, "GET /push/key": true,
	}
	anyNonceAttr = regexp.MustCompile(`\bnonce="([^"]*)"`)
	scriptTags   = regexp.MustCompile(`<script\b[^>]*>`)
)

// headerProblems lists what is wrong with the security headers of res, the
// answer to a request for pattern. hsts is the Strict-Transport-Security
// the server must send ("" for none).
func headerProblems(res *httptest.ResponseRecorder, pattern, hsts string) []string {
	var out []string
	h := res.Header()
	m := cspPattern.FindStringSubmatch(h.Get("Content-Security-Policy"))
	if m == nil || len(h.Values("Content-Security-Policy")) != 1 {
		out = append(out, fmt.Sprintf("Content-Security-Policy %q", h.Values("Content-Security-Policy")))
	}
	for name, want := range fixedHeaders {
		if got := h.Values(name); len(got) != 1 || got[0] != want {
			out = append(out, fmt.Sprintf("%s %q, want %q", name, got, want))
		}
	}
	if got := h.Get("Strict-Transport-Security"); got != hsts {
		out = append(out, fmt.Sprintf("Strict-Transport-Security %q, want %q", got, hsts))
	}
	cc := h.Values("Cache-Control")
	switch {
	case len(cc) != 1:
		out = append(out, fmt.Sprintf("Cache-Control %q", cc))
	case cc[0] == "no-store":
	case cc[0] == "no-cache" && mayBeCached[pattern]:
	default:
		out = append(out, fmt.Sprintf("Cache-Control %q, want no-store", cc[0]))
	}
	if h.Get("X-Request-Id") == "" {
		out = append(out, "no X-Request-Id")
	}
	if strings.HasPrefix(h.Get("Content-Type"), "text/html") && m != nil {
		body := res.Body.String()
		for _, a := range anyNonceAttr.FindAllStringSubmatch(body, -1) {
			if a[1] != m[1] {
				out = append(out, fmt.Sprintf("an element carries nonce %q, not the CSP's", a[1]))
			}
		}
		for _, tag := range scriptTags.FindAllString(body, -1) {
			if !strings.Contains(tag, " src=") && !strings.Contains(tag, `nonce="`+m[1]+`"`) {
				out = append(out, fmt.Sprintf("an inline script without the nonce: %s", tag))
			}
		}
	}
	return out
}

// TestHeadersOnEveryResponse: every answer, whatever the route, method,
// caller and outcome (pages, redirects, errors, 404s, static files, the
// JSON API and FHIR), carries exactly the security headers the server
// sets; personal answers are never kept in a cache. TestSecurityHeaders
// (web_test.go) checks the nonce changes between requests.
func TestHeadersOnEveryResponse(t *testing.T) {
	d := newDemoServer(t)
	all := append(append([]string{http.MethodGet, http.MethodHead}, unsafeMethods...), http.MethodOptions)
	routes := secRoutes(d, all)
	// Other methods of each path: 404 and 405 answers.
	n := len(routes)
	for i := range n {
		if strings.HasPrefix(routes[i].pattern, "GET ") {
			routes = append(routes, secRoute{pattern: routes[i].pattern + " (DELETE)", method: http.MethodDelete, path: routes[i].path})
		}
	}
	callers := []string{"", "sam", "lee@example.org", "admin@example.org"}
	checked, sent := map[int]int{}, 0
	check := func(what, pattern string, res *httptest.ResponseRecorder) {
		t.Helper()
		sent++
		checked[res.Code]++
		for _, p := range headerProblems(res, pattern, "") {
			t.Errorf("%s (%d): %s", what, res.Code, p)
		}
	}
	for _, rt := range routes {
		for _, who := range callers {
			check(fmt.Sprintf("%s %s as %q", rt.method, rt.path, who), strings.TrimSuffix(rt.pattern, " (DELETE)"), d.send(t, who, newSecRequest(rt)))
		}
	}

	// Answers no route table lists.
	css := d.get(t, "", "/static/css/tend.css")
	notModified := httptest.NewRequest(http.MethodGet, "/static/css/tend.css", nil)
	notModified.Header.Set("If-None-Match", css.Header().Get("ETag"))
	gz := httptest.NewRequest(http.MethodGet, "/static/js/app.js", nil)
	gz.Header.Set("Accept-Encoding", "gzip")
	tooLarge := httptest.NewRequest(http.MethodPost, "/me/journal", strings.NewReader(strings.Repeat("x", 2<<20)))
	tooLarge.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	apiTooLarge := httptest.NewRequest(http.MethodPost, "/api/v1/me/journal", strings.NewReader(strings.Repeat("x", 2<<20)))
	fhirTooLarge := httptest.NewRequest(http.MethodPost, "/fhir/r4", strings.NewReader(strings.Repeat("x", fhir.MaxImportBytes+1)))
	crossSiteReq := httptest.NewRequest(http.MethodPost, "/me/journal", strings.NewReader(""))
	crossSiteReq.Header.Set("Sec-Fetch-Site", "cross-site")
	htmx := httptest.NewRequest(http.MethodGet, "/me", nil)
	htmx.Header.Set("HX-Request", "true")
	badCookie := httptest.NewRequest(http.MethodGet, "/me", nil)
	badCookie.AddCookie(&http.Cookie{Name: "tend_session", Value: "tses_unknown"})
	extras := []struct {
		name, pattern, who string
		req                *http.Request
	}{
		{"NotModified", "GET /static/{path...}", "", notModified},
		{"StaticGzip", "GET /static/{path...}", "", gz},
		{"TooLarge", "POST /me/journal", "sam", tooLarge},
		{"APITooLarge", "/api/v1/", "sam", apiTooLarge},
		{"FHIRTooLarge", "/fhir/r4", "sam", fhirTooLarge},
		{"CrossSite", "POST /me/journal", "sam", crossSiteReq},
		{"HTMXFragment", "GET /me", "sam", htmx},
		{"UnknownSessionCleared", "GET /me", "", badCookie},
		{"PathTraversal", "/", "", httptest.NewRequest(http.MethodGet, "/static/../../go.mod", nil)},
		{"MetricsAsAdmin", "GET /metrics", "admin@example.org", httptest.NewRequest(http.MethodGet, "/metrics", nil)},
	}
	for _, e := range extras {
		check(e.name, e.pattern, d.send(t, e.who, e.req))
	}

	// Served over https, every answer also says to use https only.
	f := newFixture(t, func(o *web.Options) {
		o.PublicURL = &url.URL{Scheme: "https", Host: "tend.example"}
		// Without accounts, signing in and joining fail by a panic: their
		// error pages are checked too.
		o.Logger = testenv.Discard()
	})
	httpsSent := 0
	for _, rt := range routes {
		req := newSecRequest(rt)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		res := httptest.NewRecorder()
		f.srv.ServeHTTP(res, req)
		httpsSent++
		for _, p := range headerProblems(res, strings.TrimSuffix(rt.pattern, " (DELETE)"), "max-age=31536000") {
			t.Errorf("https: %s %s (%d): %s", rt.method, rt.path, res.Code, p)
		}
	}
	t.Logf("headers: %d routes x %d callers + %d other answers = %d responses (statuses %v), and %d over https",
		len(routes), len(callers), len(extras), sent, checked, httpsSent)
}

// TestEnumerationSameAnswer: nothing a stranger can send tells whether an
// account exists. Signing in (a person, a member of staff, a disabled
// member of staff), redeeming a person's or a supporter's invite with a
// username, and resetting a password answer a known account exactly as an
// unknown one, attempt after attempt until the rate limit, which counts
// unknown accounts too. Tend has no e-mail "forgot my password" flow: a
// person's reset code comes from their care team (recovery.go), so /reset
// is the only form to ask. The answers are compared once the per-request
// nonce and request id, and the identifier echoed back into the form, are
// taken out. auth compares the service's answers (TestSignInStaff,
// TestRateLimits, TestResetCodes) and does the same work for an unknown
// account, a hash against a dummy (staff.go signIn, person.go
// ResetPassword), so no timing is asserted here.
func TestEnumerationSameAnswer(t *testing.T) {
	d := newDemoServer(t)
	ctx := context.Background()
	// A disabled staff account is as unknown as one that never was.
	quinn, _, err := d.accounts.CreateStaff(ctx, tend.System, auth.NewStaff{Email: "quinn@example.org", Name: "Quinn", Role: tend.RoleClinician,
		Team: demo.TeamRiverside, Password: demoPassword})
	if err != nil {
		t.Fatal(err)
	}
	admin := staffActor(t, d, "admin@example.org")
	admin.Role = tend.RoleAdmin
	if err := d.accounts.DisableStaff(ctx, admin, quinn.ID); err != nil {
		t.Fatal(err)
	}
	const wrong, newPassword, badCode = "not the password at all", "a brand new long password", "ABCD-EFGH-JKLM"
	flows := []struct {
		name, path       string
		known, unknown   string
		form             func(ident string) url.Values
		attempts, wantAt int // wantAt: the attempt (from 1) answered 429, 0 for none
	}{
		{"SignInPerson", "/signin", "sam", "zed", func(id string) url.Values {
			return url.Values{"identifier": {id}, "password": {wrong}}
		}, 6, 6},
		{"SignInStaff", "/signin", "lee@example.org", "zed@example.org", func(id string) url.Values {
			return url.Values{"identifier": {id}, "password": {wrong}}
		}, 6, 6},
		{"SignInDisabledStaff", "/signin", "quinn@example.org", "zoe@example.org", func(id string) url.Values {
			return url.Values{"identifier": {id}, "password": {demoPassword}}
		}, 1, 0},
		{"Reset", "/reset", "alex", "zed", func(id string) url.Values {
			return url.Values{"username": {id}, "code": {badCode}, "new_password": {newPassword}, "confirm_password": {newPassword}}
		}, 6, 6},
		// Redeeming an invite names the username to take: a wrong code
		// answers before the username is looked at.
		{"JoinInvite", "/join", "riley", "zed", func(id string) url.Values {
			return url.Values{"code": {badCode}, "acknowledged": {"1"}, "username": {id}, "password": {newPassword}}
		}, 1, 0},
		{"JoinSupporter", "/supporter/join", "riley", "zed", func(id string) url.Values {
			return url.Values{"code": {badCode}, "username": {id}, "password": {newPassword}}
		}, 1, 0},
	}
	pairs := 0
	for i, fl := range flows {
		t.Run(fl.name, func(t *testing.T) {
			post := func(ident string, addr int) *httptest.ResponseRecorder {
				r := httptest.NewRequest(http.MethodPost, fl.path, strings.NewReader(fl.form(ident).Encode()))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				r.RemoteAddr = fmt.Sprintf("198.51.100.%d:40000", addr)
				return d.send(t, "", r)
			}
			for n := 1; n <= fl.attempts; n++ {
				k, u := post(fl.known, 2*i+1), post(fl.unknown, 2*i+2)
				pairs++
				if k.Code != u.Code {
					t.Fatalf("attempt %d: known %d, unknown %d", n, k.Code, u.Code)
				}
				if want := http.StatusTooManyRequests; (n == fl.wantAt) != (k.Code == want) {
					t.Errorf("attempt %d: %d (rate limit expected at attempt %d)", n, k.Code, fl.wantAt)
				}
				if k.Code < 400 {
					t.Fatalf("attempt %d: %d, want a refusal", n, k.Code)
				}
				kb, ub := sameAnswer(k, fl.known), sameAnswer(u, fl.unknown)
				if kb != ub {
					t.Errorf("attempt %d: the answers differ:\n%s", n, firstDifference(kb, ub))
				}
			}
		})
	}
	t.Logf("enumeration: %d flows, %d known/unknown pairs compared", len(flows), pairs)
}

var (
	requestID = regexp.MustCompile(`\b[0-9a-f]{16}\b`)
	retryIn   = regexp.MustCompile(`\b\d+ (second|minute)s?\b`)
)

// sameAnswer is res as a stranger sees it, without what differs on every
// request (the nonce, the request id) and the identifier they typed,
// which the form shows back to them.
func sameAnswer(res *httptest.ResponseRecorder, ident string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d\n", res.Code)
	var names []string
	for name := range res.Header() {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		switch name {
		case "X-Request-Id", "Content-Security-Policy", "Content-Length", "Retry-After":
			fmt.Fprintf(&b, "%s\n", name)
		default:
			fmt.Fprintf(&b, "%s: %q\n", name, res.Header().Values(name))
		}
	}
	body := anyNonceAttr.ReplaceAllString(res.Body.String(), `nonce=""`)
	body = requestID.ReplaceAllString(body, "REQUEST-ID")
	body = retryIn.ReplaceAllString(body, "N minutes")
	body = regexp.MustCompile(`\b`+regexp.QuoteMeta(ident)+`\b`).ReplaceAllString(body, "IDENTIFIER")
	b.WriteString(body)
	return b.String()
}

// firstDifference shows where a and b part.
func firstDifference(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-80)
	return fmt.Sprintf("known:   %q\nunknown: %q", a[from:min(len(a), i+80)], b[from:min(len(b), i+80)])
}

// clockServer is a Tend server on the demo service whose clock the test
// moves: accounts, care teams, the pages, the JSON API and FHIR.
type clockServer struct {
	srv      *web.Server
	clock    *tend.FixedClock
	accounts *auth.Service
	people   map[string]tend.ID
	staff    map[string]tend.ID
}

func newClockServer(t *testing.T) *clockServer {
	t.Helper()
	clock := &tend.FixedClock{T: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	d := newDemoServerAt(t, testenv.Discard(), "", clock)
	c := &clockServer{srv: d.srv, clock: clock, accounts: d.accounts, people: d.people, staff: map[string]tend.ID{}}
	for _, e := range []string{"lee@example.org", "kim@example.org", "admin@example.org"} {
		a, err := d.accounts.FindStaffByEmail(context.Background(), tend.System, e)
		if err != nil {
			t.Fatal(err)
		}
		c.staff[e] = a.ID
	}
	return c
}

// serve sends r with cookie c (nil: none).
func (c *clockServer) serve(r *http.Request, ck *http.Cookie) *httptest.ResponseRecorder {
	if ck != nil {
		r.AddCookie(ck)
	}
	res := httptest.NewRecorder()
	c.srv.ServeHTTP(res, r)
	return res
}

func (c *clockServer) postForm(path string, v url.Values, ck *http.Cookie) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.serve(r, ck)
}

// signIn signs who in with the demo password and returns the session
// cookie, sending planted (nil: none) as a cookie already in the browser.
func (c *clockServer) signIn(t *testing.T, who string, planted *http.Cookie) *http.Cookie {
	t.Helper()
	res := c.postForm("/signin", url.Values{"identifier": {who}, "password": {demoPassword}}, planted)
	ck := newSession(res)
	if res.Code != http.StatusSeeOther || ck == nil {
		t.Fatalf("sign in as %s: %d, cookie %v", who, res.Code, ck)
	}
	return ck
}

// owner is whose session token ck holds ("" for none).
func (c *clockServer) owner(ck *http.Cookie) tend.ID {
	a, _, err := c.accounts.Authenticate(context.Background(), ck.Value)
	if err != nil {
		return ""
	}
	return a.ID
}

// sessionProbes are requests of every kind a session opens: a page, a
// form, the JSON API (read and write) and FHIR. Each answers signedOut
// when the session is not accepted.
func (c *clockServer) sessionProbes(person bool) []struct {
	name      string
	req       func() *http.Request
	signedOut func(*httptest.ResponseRecorder) bool
} {
	page := "/clinic"
	if person {
		page = "/me"
	}
	sam := string(c.people["sam"])
	redirected := func(res *httptest.ResponseRecorder) bool {
		return res.Code == http.StatusSeeOther && res.Header().Get("Location") == "/signin"
	}
	unauthorized := func(res *httptest.ResponseRecorder) bool { return res.Code == http.StatusUnauthorized }
	return []struct {
		name      string
		req       func() *http.Request
		signedOut func(*httptest.ResponseRecorder) bool
	}{
		{"Page", func() *http.Request { return httptest.NewRequest(http.MethodGet, page, nil) }, redirected},
		{"Form", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/me/sharing", strings.NewReader(""))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, unauthorized},
		{"APIRead", func() *http.Request { return httptest.NewRequest(http.MethodGet, "/api/v1/me", nil) }, unauthorized},
		{"APIWrite", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/api/v1/me/tokens", strings.NewReader("{}"))
			r.Header.Set("Content-Type", "application/json")
			return r
		}, unauthorized},
		{"FHIR", func() *http.Request { return httptest.NewRequest(http.MethodGet, "/fhir/r4/Patient/"+sam, nil) }, unauthorized},
	}
}

// alive reports whether ck is accepted, and fails the test unless every
// kind of request agrees; a refused cookie is cleared from the browser.
func (c *clockServer) alive(t *testing.T, ck *http.Cookie, person bool) bool {
	t.Helper()
	var in, out []string
	for _, p := range c.sessionProbes(person) {
		res := c.serve(p.req(), ck)
		if p.signedOut(res) {
			out = append(out, p.name)
			cleared := false
			for _, sc := range setCookies(res) {
				cleared = cleared || (sc.Name == "tend_session" && sc.MaxAge < 0)
			}
			if !cleared {
				t.Errorf("%s: a refused session cookie is not cleared", p.name)
			}
		} else {
			in = append(in, p.name)
		}
	}
	if len(in) > 0 && len(out) > 0 {
		t.Errorf("the session is accepted by %v but refused by %v", in, out)
	}
	return len(out) == 0
}

// TestSessionLifecycle: session fixation, replay after signing out, a
// disabled account and the idle and absolute timeouts, each over pages,
// forms, the JSON API and FHIR, with the server's clock moved by the test.
//
// Already covered elsewhere, and not repeated: the timeouts and
// extension in auth (TestSessions: PersonIdle, PersonAbsolute,
// StaffIdle30Minutes, StaffAbsolute12Hours, ExtendedAtMostOnceAMinute) and
// a disabled account's session at the service (TestDisableStaff); a planted
// token through single sign-on (TestSSOSignIn); an old cookie on /me after
// signing out (TestSignIn), after signing out everywhere
// (TestSignOutEverywhere) and after a password change (TestPasswordChange);
// a disabled staff member's page (TestAdminStaff). These add the web layer
// over every kind of request, and the clock.
func TestSessionLifecycle(t *testing.T) {
	c := newClockServer(t)
	ctx := context.Background()
	cases := 0

	t.Run("FixationSignInGivesANewSession", func(t *testing.T) {
		made := &http.Cookie{Name: "tend_session", Value: "tses_" + strings.Repeat("A", 43)}
		for _, tt := range []struct{ who, planter string }{
			{"sam", "alex"}, {"lee@example.org", "kim@example.org"}, {"sam", ""},
		} {
			planted := made
			if tt.planter != "" {
				// Another account's live session, planted in the browser
				// by someone who signed in themselves.
				planted = c.signIn(t, tt.planter, nil)
			}
			ck := c.signIn(t, tt.who, planted)
			cases++
			if ck.Value == planted.Value {
				t.Errorf("%s signed in with the planted token", tt.who)
			}
			if c.owner(planted) == c.owner(ck) {
				t.Errorf("the planted token now opens %s's account", tt.who)
			}
		}
	})

	t.Run("FixationJoinAndResetGiveANewSession", func(t *testing.T) {
		planted := c.signIn(t, "alex", nil)
		code, _, err := c.accounts.CreateInvite(ctx, tend.System, auth.NewInvite{Team: demo.TeamRiverside, AgeBand: "over_25"})
		if err != nil {
			t.Fatal(err)
		}
		res := c.postForm("/join", url.Values{"code": {code}, "username": {"pat"}, "password": {"a long enough password"}}, planted)
		joined := newSession(res)
		if res.Code != http.StatusSeeOther || joined == nil || joined.Value == planted.Value || c.owner(planted) != c.people["alex"] {
			t.Errorf("joining with a planted session: %d, new cookie %v", res.Code, joined)
		}
		admin := tend.Actor{Kind: tend.KindStaff, ID: c.staff["admin@example.org"], Role: tend.RoleAdmin, MFA: true}
		reset, _, err := c.accounts.IssueResetCode(ctx, admin, c.people["riley"])
		if err != nil {
			t.Fatal(err)
		}
		next := "another long enough password"
		res = c.postForm("/reset", url.Values{"username": {"riley"}, "code": {reset}, "new_password": {next}, "confirm_password": {next}}, planted)
		after := newSession(res)
		if res.Code != http.StatusSeeOther || after == nil || after.Value == planted.Value || c.owner(after) != c.people["riley"] || c.owner(planted) != c.people["alex"] {
			t.Errorf("resetting with a planted session: %d, new cookie %v", res.Code, after)
		}
		if _, _, err := c.accounts.ResetPassword(ctx, auth.ResetRequest{Username: "riley", Code: reset, NewPassword: demoPassword}, auth.Client{Address: "192.0.2.7"}); err == nil {
			t.Error("a reset code worked twice")
		}
		cases += 2
	})

	t.Run("LogoutReplayRefused", func(t *testing.T) {
		for _, who := range []string{"sam", "lee@example.org"} {
			person := !strings.Contains(who, "@")
			ck := c.signIn(t, who, nil)
			if !c.alive(t, ck, person) {
				t.Fatalf("%s's new session is refused", who)
			}
			res := c.postForm("/signout", url.Values{}, ck)
			if res.Code != http.StatusSeeOther || !slices.ContainsFunc(setCookies(res), func(sc *http.Cookie) bool { return sc.Name == "tend_session" && sc.MaxAge < 0 }) {
				t.Errorf("%s signing out: %d, the cookie not cleared", who, res.Code)
			}
			if c.alive(t, ck, person) {
				t.Errorf("%s's cookie still works after signing out", who)
			}
			cases++
		}
		// Every device, from another one: the API is refused too.
		ck, other := c.signIn(t, "alex", nil), c.signIn(t, "alex", nil)
		if res := c.postForm("/me/settings/sign-out-everywhere", url.Values{}, ck); res.Code != http.StatusSeeOther {
			t.Fatalf("sign out everywhere: %d", res.Code)
		}
		if c.alive(t, other, true) {
			t.Error("another device's cookie still works after signing out everywhere")
		}
		cases++
	})

	t.Run("DisabledAccountRefusedAtOnce", func(t *testing.T) {
		quinn, _, err := c.accounts.CreateStaff(ctx, tend.System, auth.NewStaff{Email: "quinn@example.org", Name: "Quinn", Role: tend.RoleClinician,
			Team: demo.TeamRiverside, Password: demoPassword})
		if err != nil {
			t.Fatal(err)
		}
		ck := c.signIn(t, "quinn@example.org", nil)
		token, _, err := c.accounts.CreateToken(ctx, tend.Actor{Kind: tend.KindStaff, ID: quinn.ID, Role: tend.RoleClinician, MFA: true},
			[]string{string(access.ProfileRead)}, c.clock.Now().Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		bearer := func() int {
			r := httptest.NewRequest(http.MethodGet, "/api/v1/me", nil)
			r.Header.Set("Authorization", "Bearer "+token)
			return c.serve(r, nil).Code
		}
		if !c.alive(t, ck, false) || bearer() != http.StatusOK {
			t.Fatalf("quinn's session or token is refused before being disabled (token: %d)", bearer())
		}
		admin := c.signIn(t, "admin@example.org", nil)
		if res := c.postForm("/admin/staff/"+string(quinn.ID)+"/disable", url.Values{}, admin); res.Code != http.StatusSeeOther {
			t.Fatalf("disabling quinn: %d\n%s", res.Code, res.Body.String())
		}
		if c.alive(t, ck, false) {
			t.Error("a disabled account's session is still accepted")
		}
		if code := bearer(); code != http.StatusUnauthorized {
			t.Errorf("a disabled account's API token: %d, want 401", code)
		}
		cases++
	})

	// Each timeout: active at every gap of alive (each probe is activity,
	// so an idle timeout counts from the last one), then refused after
	// the last gap, at the timeout to the second.
	timeouts := []struct {
		name  string
		who   string
		alive []time.Duration
		last  time.Duration
	}{
		{"StaffIdle", "lee@example.org", []time.Duration{auth.StaffIdle - time.Second, auth.StaffIdle - time.Second, auth.StaffIdle - time.Second}, auth.StaffIdle},
		{"StaffAbsolute", "lee@example.org", append(slices.Repeat([]time.Duration{25 * time.Minute}, 28), auth.StaffAbsolute-28*25*time.Minute-time.Second), time.Second},
		{"PersonIdle", "sam", []time.Duration{14*24*time.Hour - time.Second, 14*24*time.Hour - time.Second}, 14 * 24 * time.Hour},
		{"PersonAbsolute", "sam", append(slices.Repeat([]time.Duration{13 * 24 * time.Hour}, 6), 90*24*time.Hour-6*13*24*time.Hour-time.Second), time.Second},
	}
	for _, tt := range timeouts {
		t.Run(tt.name+"Ends", func(t *testing.T) {
			person := !strings.Contains(tt.who, "@")
			ck := c.signIn(t, tt.who, nil)
			var since time.Duration
			for _, gap := range tt.alive {
				c.clock.Advance(gap)
				since += gap
				if !c.alive(t, ck, person) {
					t.Fatalf("refused %v after signing in, %v after the last request", since, gap)
				}
			}
			c.clock.Advance(tt.last)
			if c.alive(t, ck, person) {
				t.Errorf("still accepted %v after signing in, %v after the last request", since+tt.last, tt.last)
			}
			cases++
		})
	}
	t.Logf("session lifecycle: %d cases x %d kinds of request", cases, len(c.sessionProbes(true)))
}
