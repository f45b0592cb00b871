package web_test

import (
	"compress/gzip"
	"context"
	"errors"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/crisis"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/web"
)

// memStore is a settings store in memory. When down is set it fails like a
// database that has gone away.
type memStore struct {
	s    settings.Settings
	v    int64
	down bool
}

func (m *memStore) FindSettings(context.Context) (settings.Settings, int64, error) {
	if m.down {
		return settings.Settings{}, 0, errors.New("database is down")
	}
	if m.v == 0 {
		return settings.Settings{}, 0, tend.ErrNotFound
	}
	return m.s, m.v, nil
}

func (m *memStore) SaveSettings(_ context.Context, s settings.Settings) error {
	if m.down {
		return errors.New("database is down")
	}
	m.s, m.v = s, m.v+1
	return nil
}

type fixture struct {
	srv   *web.Server
	store *memStore
	ready error
}

func newFixture(t *testing.T, change func(*web.Options)) *fixture {
	t.Helper()
	s, err := demo.Settings()
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: &memStore{s: s, v: 1}}
	cache := settings.NewCache(f.store)
	if err := cache.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	dir, err := crisis.Load()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	opt := web.Options{
		Logger: testenv.Logger(t), Demo: true, Settings: cache, Crisis: dir, Catalog: cat,
		Ready: func(context.Context) error { return f.ready },
	}
	if change != nil {
		change(&opt)
	}
	f.srv, err = web.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

type response struct {
	status int
	header http.Header
	body   string
}

func (f *fixture) do(t *testing.T, req *http.Request) response {
	t.Helper()
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	res := rec.Result()
	defer res.Body.Close()
	var r io.Reader = res.Body
	if res.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	b, _ := io.ReadAll(r)
	return response{res.StatusCode, res.Header, string(b)}
}

func get(path string, cookies ...*http.Cookie) *http.Request {
	r := httptest.NewRequest(http.MethodGet, path, nil)
	for _, c := range cookies {
		r.AddCookie(c)
	}
	return r
}

func post(path string, form url.Values) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

// TestPages is the scenario table for the pages of this issue. Expected
// outcomes are written by hand from crisis-lines.json and safety-rules.md.
func TestPages(t *testing.T) {
	f := newFixture(t, nil)
	young := &http.Cookie{Name: "tend_young", Value: "1"}
	crossSite := post("/help/young", url.Values{"young": {"1"}})
	crossSite.Header.Set("Sec-Fetch-Site", "cross-site")
	tests := []struct {
		name            string
		req             *http.Request
		wantStatus      int
		wantContains    []string
		wantNotContains []string
		wantHeader      map[string]string
	}{
		{
			name: "HelpShowsEmergencyAndLinesFirst", req: get("/help"), wantStatus: 200,
			wantContains: []string{`<a class="help-link" href="/help">Get help now</a>`, `href="tel:999">Call 999</a>`, "Samaritans", `href="tel:116123"`,
				`href="sms:85258?body=SHOUT">Text SHOUT to 85258</a>`, "Number last checked 2026-11-29", "NHS 111 and choose the mental health option",
				"Monday to Friday, 09:00 to 17:00", "Tend is not monitored in real time", "Demo: this Tend holds made-up data",
				"If your country is not listed, call your local emergency number"},
			wantHeader: map[string]string{"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"},
		},
		{
			name: "HelpLoadsNoScriptButItsOwn", req: get("/help"), wantStatus: 200,
			wantNotContains: []string{"htmx.min.js", "http://", "https://"},
		},
		{
			name: "HelpOtherCountry", req: get("/help/ie"), wantStatus: 200,
			wantContains:    []string{"Showing help for Ireland.", `<option value="IE" selected>`},
			wantNotContains: []string{"Samaritans\n<", "NHS 111 and choose", "Monday to Friday", "When your service is closed"},
			wantHeader:      map[string]string{"Set-Cookie": "tend_country=IE; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax"},
		},
		{
			name: "HelpCountryPickerRedirects", req: get("/help?country=nz"), wantStatus: 303,
			wantHeader: map[string]string{"Location": "/help/NZ"},
		},
		{
			name: "HelpUnlistedCountry", req: get("/help/fr"), wantStatus: 200,
			wantContains:    []string{"We have no lines for this country yet.", "If your country is not listed, call your local emergency number"},
			wantNotContains: []string{"tel:"},
		},
		{
			name: "ErrHelpNotACountry", req: get("/help/united-kingdom"), wantStatus: 404,
			wantContains: []string{"We could not find that page.", `href="/help"`},
		},
		{
			name: "HelpRemembersCountry", req: get("/help", &http.Cookie{Name: "tend_country", Value: "AU"}), wantStatus: 200,
			wantContains: []string{"Showing help for Australia.", `href="tel:000">Call 000</a>`},
		},
		{
			name: "HelpYoungPeopleFirst", req: get("/help", young), wantStatus: 200,
			wantContains: []string{"Show all lines in the usual order"},
		},
		{
			name: "HelpYoungChoiceSaved", req: post("/help/young", url.Values{"young": {"1"}, "country": {"GB"}}), wantStatus: 303,
			wantHeader: map[string]string{"Location": "/help/GB", "Set-Cookie": "tend_young=1; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax"},
		},
		{
			name: "ErrCrossSitePost", req: crossSite, wantStatus: 403,
			wantContains: []string{"This request came from another site"},
			wantHeader:   map[string]string{"Set-Cookie": ""},
		},
		{
			name: "ErrNotFound", req: get("/no/such/page"), wantStatus: 404,
			wantContains: []string{"We could not find that page.", `href="/help"`},
			wantHeader:   map[string]string{"Cache-Control": "no-store"},
		},
		{
			name: "Home", req: get("/"), wantStatus: 200,
			wantContains: []string{"Tend is not an emergency service.", `<a class="help-link" href="/help">Get help now</a>`},
			wantHeader:   map[string]string{"Cache-Control": "no-store"},
		},
		{name: "Healthz", req: get("/healthz"), wantStatus: 200, wantContains: []string{"ok"}},
		{name: "Readyz", req: get("/readyz"), wantStatus: 200, wantContains: []string{"ready"}},
		{
			name: "ServiceWorkerVersioned", req: get("/sw.js"), wantStatus: 200,
			wantContains: []string{`const VERSION = "dev-`}, wantNotContains: []string{"__TEND_VERSION__"},
		},
		{
			name: "Manifest", req: get("/manifest.webmanifest"), wantStatus: 200,
			wantContains: []string{`"start_url"`}, wantHeader: map[string]string{"Content-Type": "application/manifest+json"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.do(t, tt.req)
			if res.status != tt.wantStatus {
				t.Errorf("status = %d, want %d", res.status, tt.wantStatus)
			}
			for _, s := range tt.wantContains {
				if !strings.Contains(res.body, s) {
					t.Errorf("body lacks %q", s)
				}
			}
			for _, s := range tt.wantNotContains {
				if strings.Contains(res.body, s) {
					t.Errorf("body contains %q", s)
				}
			}
			for k, v := range tt.wantHeader {
				if got := res.header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestYoungPeopleLinesFirst(t *testing.T) {
	f := newFixture(t, nil)
	order := func(body string) []string {
		return regexp.MustCompile(`<h3>([^<]+)</h3>`).FindAllStringSubmatch(body, -1)[0][1:]
	}
	usual := f.do(t, get("/help")).body
	youngFirst := f.do(t, get("/help", &http.Cookie{Name: "tend_young", Value: "1"})).body
	if got := order(usual)[0]; got != "NHS 111, mental health option" {
		t.Errorf("first line in the usual order = %q", got)
	}
	if got := order(youngFirst)[0]; got != "Childline" {
		t.Errorf("first line with young people first = %q, want Childline (audience under 19)", got)
	}
}

// TestHelpOutsideDemo checks what a live service shows before it has
// confirmed a country's lines (DESIGN.md "Deployment"): the emergency
// number is not shown from the file, the service's own routes and the
// fallback sentence are, and so are its own lines.
func TestHelpOutsideDemo(t *testing.T) {
	f := newFixture(t, func(o *web.Options) { o.Demo = false })
	s, _, _ := f.store.FindSettings(context.Background())
	s.Lines = []settings.Line{{Name: "Riverside duty team", Call: "01632 960 000", Hours: "Monday to Friday"}}
	if err := f.store.SaveSettings(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	res := f.do(t, get("/help"))
	// The cache has not been refreshed yet: the page keeps what it held.
	if strings.Contains(res.body, "Riverside duty team") {
		t.Fatal("the page read the store on the request")
	}
	for _, want := range []string{"go straight to the nearest A&amp;E", "NHS 111 and choose the mental health option", "If your country is not listed"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("unconfirmed country: page lacks %q", want)
		}
	}
	for _, notWant := range []string{"Samaritans", "tel:116123", "Demo:"} {
		if strings.Contains(res.body, notWant) {
			t.Errorf("unconfirmed country: page shows %q", notWant)
		}
	}

	confirmed := newFixture(t, func(o *web.Options) {
		o.Demo = false
		o.Confirmed = func(c string) bool { return c == "GB" }
	})
	if body := confirmed.do(t, get("/help")).body; !strings.Contains(body, "tel:116123") || !strings.Contains(body, `href="tel:999"`) {
		t.Error("a confirmed country's lines and emergency number are missing")
	}
}

// TestHelpWithDatabaseDown: once the settings are in memory, the help page
// needs nothing else, and a failing refresh keeps the last good copy.
func TestHelpWithDatabaseDown(t *testing.T) {
	var cache *settings.Cache
	f := newFixture(t, func(o *web.Options) { cache = o.Settings })
	f.store.down = true
	f.ready = errors.New("database is down")
	if err := cache.Refresh(context.Background()); err == nil {
		t.Fatal("refresh against a down store succeeded")
	}
	res := f.do(t, get("/help"))
	if res.status != 200 || !strings.Contains(res.body, "Samaritans") || !strings.Contains(res.body, "NHS 111 and choose") {
		t.Errorf("help with the database down: status %d", res.status)
	}
	if res := f.do(t, get("/readyz")); res.status != 503 {
		t.Errorf("/readyz with the database down = %d, want 503", res.status)
	}
}

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t, nil)
	res := f.do(t, get("/help"))
	csp := res.header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'self' 'nonce-"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	nonce := regexp.MustCompile(`'nonce-([^']+)'`).FindStringSubmatch(csp)
	if nonce == nil || !strings.Contains(res.body, `nonce="`+nonce[1]+`"`) {
		t.Error("the script tag does not carry the CSP nonce")
	}
	again := f.do(t, get("/help")).header.Get("Content-Security-Policy")
	if again == csp {
		t.Error("the nonce did not change between requests")
	}
	if res.header.Get("X-Request-Id") == "" {
		t.Error("no request id")
	}
}

func TestBodyLimit(t *testing.T) {
	f := newFixture(t, func(o *web.Options) { o.MaxBodyBytes = 2048 })
	big := url.Values{"young": {strings.Repeat("x", 4096)}}
	res := f.do(t, post("/help/young", big))
	if res.status != http.StatusRequestEntityTooLarge {
		t.Errorf("status = %d, want 413", res.status)
	}
	if !strings.Contains(res.body, "more than we can take") || res.header.Get("Set-Cookie") != "" {
		t.Errorf("oversized request: unclear message or a cookie was set")
	}
}

func TestStaticFiles(t *testing.T) {
	f := newFixture(t, nil)
	req := get("/static/css/tend.css")
	req.Header.Set("Accept-Encoding", "gzip")
	res := f.do(t, req)
	if res.status != 200 || res.header.Get("Content-Encoding") != "gzip" || !strings.Contains(res.body, "--accent") {
		t.Fatalf("css: status %d, encoding %q", res.status, res.header.Get("Content-Encoding"))
	}
	etag := res.header.Get("ETag")
	again := get("/static/css/tend.css")
	again.Header.Set("If-None-Match", etag)
	if res := f.do(t, again); res.status != http.StatusNotModified {
		t.Errorf("revalidation = %d, want 304", res.status)
	}
	if res := f.do(t, get("/static/js/VENDORED.md")); res.status != 404 {
		t.Errorf("notes beside the static files are served: %d", res.status)
	}
}

func TestMetricsHoldNoPaths(t *testing.T) {
	f := newFixture(t, nil)
	f.do(t, get("/help/ie"))
	f.do(t, get("/no/such/page/canary-7f3a"))
	body := f.do(t, get("/metrics")).body
	if !strings.Contains(body, `tend_http_requests_total{code="200",route="GET /help/{country}"} 1`) {
		t.Errorf("metrics lack the help route count:\n%s", grep(body, "tend_http_requests_total"))
	}
	if strings.Contains(body, "canary-7f3a") || strings.Contains(body, "/help/ie") {
		t.Error("metrics hold a request path")
	}
}

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestPseudoLocale renders every page of this issue in the pseudo-locale:
// any visible words that are neither from the catalogue (marked ⟦…⟧) nor
// data (crisis lines, the service's settings) were hard-coded.
func TestPseudoLocale(t *testing.T) {
	f := newFixture(t, func(o *web.Options) { o.Locale = i18n.PseudoLocale })
	dir, _ := crisis.Load()
	s, _ := demo.Settings()
	var data []string
	for _, c := range dir.Listed {
		data = append(data, c.Name)
		for _, l := range c.Lines {
			data = append(data, l.Name, l.Note, l.Hours, l.Audience, l.TextKeyword)
		}
	}
	data = append(data, dir.Fallback, s.Emergency, s.OutOfHours, s.Name)
	tags := regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<[^>]+>`)
	for _, path := range []string{"/", "/help", "/help/AU", "/help/FR", "/no/such/page"} {
		t.Run(path, func(t *testing.T) {
			res := f.do(t, get(path))
			if !strings.Contains(res.body, `<html lang="en-XA">`) {
				t.Error("page language is not the pseudo-locale")
			}
			text := html.UnescapeString(tags.ReplaceAllString(res.body, "\n"))
			text = strings.ReplaceAll(text, res.header.Get("X-Request-Id"), " ")
			for _, d := range data {
				if d != "" {
					text = strings.ReplaceAll(text, d, " ")
				}
			}
			if left := i18n.Unmarked(text); len(left) > 0 {
				t.Errorf("text not from the catalogue: %q", left)
			}
		})
	}
}

// TestHelpPageWeight keeps the help page within its budget (DESIGN.md: under
// 10 KB gzipped with its CSS and JavaScript), measured on what the server
// sends: the gzipped page plus every stylesheet and script it links.
func TestHelpPageWeight(t *testing.T) {
	f := newFixture(t, nil)
	req := get("/help")
	req.Header.Set("Accept-Encoding", "gzip")
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	total := rec.Body.Len()
	page := f.do(t, get("/help")).body
	links := regexp.MustCompile(`<(?:link rel="stylesheet"|script) [^>]*(?:href|src)="(/static/[^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(links) < 2 {
		t.Fatalf("found %d stylesheets and scripts on the help page, want the CSS and app.js", len(links))
	}
	for _, l := range links {
		r := get(l[1])
		r.Header.Set("Accept-Encoding", "gzip")
		rec := httptest.NewRecorder()
		f.srv.ServeHTTP(rec, r)
		if rec.Code != 200 {
			t.Fatalf("%s: %d", l[1], rec.Code)
		}
		total += rec.Body.Len()
	}
	t.Logf("help page with its CSS and JavaScript: %d bytes gzipped", total)
	if total >= 10*1024 {
		t.Errorf("help page weighs %d bytes gzipped, over the 10 KB budget", total)
	}
}
