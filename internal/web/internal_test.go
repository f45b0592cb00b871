package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/tendcare/tend"
)

func TestClientAddr(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	tests := []struct {
		name, remote, xff, want string
	}{
		{"DirectClient", "203.0.113.9:5000", "", "203.0.113.9"},
		{"UntrustedPeerCannotSpoof", "203.0.113.9:5000", "198.51.100.1", "203.0.113.9"},
		{"TrustedProxy", "10.1.2.3:443", "198.51.100.1", "198.51.100.1"},
		{"ChainOfProxies", "10.1.2.3:443", "192.0.2.7, 198.51.100.1, 10.9.9.9", "198.51.100.1"},
		{"SpoofedLeftmostIgnored", "10.1.2.3:443", "1.2.3.4, 198.51.100.1", "198.51.100.1"},
		{"IPv6Proxy", "[::1]:443", "2001:db8::5", "2001:db8::5"},
		{"GarbageHopFallsBackToPeer", "10.1.2.3:443", "not-an-address", "10.1.2.3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tt.remote
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			if got := clientAddr(r, trusted).String(); got != tt.want {
				t.Errorf("clientAddr = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestErrorsNeverShowInternals: whatever a handler fails with, the page
// shows a safe message and the internal text stays in the log.
func TestErrorsNeverShowInternals(t *testing.T) {
	s := newTestServer(t)
	tests := []struct {
		name       string
		err        error
		wantStatus int
		want       string
	}{
		{"Internal", fmt.Errorf("store: secret-internal-detail %w", errors.New("disk full")), 500, "Something went wrong on our side."},
		{"Invalid", tend.Errorf(tend.EINVALID, "Enter a date."), 400, "Enter a date."},
		{"Unavailable", tend.Wrap(tend.EUNAVAILABLE, errors.New("secret-internal-detail"), "x"), 503, "The help page still works."},
		{"NotFound", tend.ErrNotFound, 404, "We could not find that page."},
		{"Panic", nil, 500, "Something went wrong on our side."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := s.observe(s.secure(s.handle(func(http.ResponseWriter, *http.Request) error {
				if tt.err == nil {
					panic("secret-internal-detail")
				}
				return tt.err
			})))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/x", nil))
			body := rec.Body.String()
			if rec.Code != tt.wantStatus || !strings.Contains(body, tt.want) {
				t.Errorf("status %d, body lacks %q", rec.Code, tt.want)
			}
			if strings.Contains(body, "secret-internal-detail") || strings.Contains(body, "disk full") {
				t.Error("the page shows the internal error")
			}
		})
	}
	t.Run("APIProblemJSON", func(t *testing.T) {
		h := s.handle(func(http.ResponseWriter, *http.Request) error { return tend.Errorf(tend.EINVALID, "Unknown field.") })
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/x", nil))
		if rec.Code != 400 || rec.Header().Get("Content-Type") != "application/problem+json" || !strings.Contains(rec.Body.String(), `"detail":"Unknown field."`) {
			t.Errorf("problem: %d %s %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
		}
	})
}
