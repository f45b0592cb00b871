package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend/internal/crisis"
	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/web"
)

// TestMountedBehindWeb serves the API through web.Server, as tend serve
// does, and checks that the web layer's middleware applies to it: security
// headers, the request id, the body limit and cross-origin protection.
func TestMountedBehindWeb(t *testing.T) {
	e := newEnv(t)
	cache := settings.NewCache(e.db)
	if err := cache.Refresh(ctx); err != nil {
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
	srv, err := web.New(web.Options{
		Logger: testenv.Discard(), Demo: true, Settings: cache, Crisis: dir, Catalog: cat, Clock: e.clock,
		Ready: func(context.Context) error { return nil }, MaxBodyBytes: 1 << 10,
		Accounts: e.accounts, CareTeam: e.careTeam, Looks: e.looks, API: e.api,
	})
	if err != nil {
		t.Fatal(err)
	}
	member := string(e.memberID(t, "sam", "lee@example.org"))
	bearer, _ := e.token(t, "sam", 24*time.Hour, "sharing.manage")
	serve := func(who, method, path, body string, header map[string]string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		switch {
		case strings.HasPrefix(who, "bearer:"):
			req.Header.Set("Authorization", "Bearer "+strings.TrimPrefix(who, "bearer:"))
		case who != "":
			req.AddCookie(&http.Cookie{Name: "tend_session", Value: e.sessions[who]})
		}
		for k, v := range header {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec
	}
	t.Run("OK/SessionAndHeaders", func(t *testing.T) {
		res := serve("sam", "GET", "/api/v1/me/care-team", "", nil)
		if res.Code != 200 || !strings.Contains(res.Body.String(), `"staff_name":"Lee"`) {
			t.Fatalf("= %d %s", res.Code, res.Body)
		}
		for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store", "X-Frame-Options": "DENY"} {
			if got := res.Header().Get(h); got != want {
				t.Errorf("%s = %q, want %q", h, got, want)
			}
		}
		if res.Header().Get("X-Request-Id") == "" || res.Header().Get("Content-Security-Policy") == "" {
			t.Error("no request id or CSP")
		}
	})
	t.Run("OK/BearerFromAnotherProgram", func(t *testing.T) {
		res := serve("bearer:"+bearer, "PUT", "/api/v1/me/sharing/"+member+"/journal", `{"level":"see"}`, nil)
		if res.Code != 200 {
			t.Fatalf("= %d %s", res.Code, res.Body)
		}
	})
	t.Run("ErrForbidden/CrossOrigin", func(t *testing.T) {
		res := serve("sam", "PUT", "/api/v1/me/sharing/"+member+"/journal", `{"level":"edit"}`,
			map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"})
		if res.Code != 403 || res.Header().Get("Content-Type") != "application/problem+json" {
			t.Fatalf("= %d %s %s", res.Code, res.Header().Get("Content-Type"), res.Body)
		}
		// The refused change did not happen.
		got := serve("sam", "GET", "/api/v1/me/sharing", "", nil).Body.String()
		if !strings.Contains(got, `"area":"journal","level":"see"`) {
			t.Fatalf("sharing after a refused cross-origin change: %s", got)
		}
	})
	t.Run("ErrTooLarge/WebBodyLimit", func(t *testing.T) {
		res := serve("sam", "PUT", "/api/v1/me/sharing/"+member+"/journal", `{"level":"see","x":"`+strings.Repeat("x", 2<<10)+`"}`, nil)
		if res.Code != 413 || res.Header().Get("Content-Type") != "application/problem+json" {
			t.Fatalf("= %d %s", res.Code, res.Body)
		}
	})
	t.Run("ErrUnauthorized/Anonymous", func(t *testing.T) {
		res := serve("", "GET", "/api/v1/me", "", nil)
		if res.Code != 401 || res.Header().Get("Content-Type") != "application/problem+json" {
			t.Fatalf("= %d %s", res.Code, res.Body)
		}
	})
	t.Run("OK/OpenAPIPublic", func(t *testing.T) {
		if res := serve("", "GET", "/api/v1/openapi.json", "", nil); res.Code != 200 {
			t.Fatalf("= %d", res.Code)
		}
	})
}
