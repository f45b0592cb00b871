package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/fhir"
)

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyNonce
	keyRoute
)

func requestIDFrom(ctx context.Context) string {
	v, _ := ctx.Value(keyRequestID).(string)
	return v
}

func nonceFrom(ctx context.Context) string {
	v, _ := ctx.Value(keyNonce).(string)
	return v
}

// randomHex returns n random bytes in lowercase hex: the CSP nonce, request
// ids, forms' idempotency keys and single sign-on's state and nonce. Hex,
// unlike base64, cannot spell a word in mixed case, such as a person's
// name, that a check of a page's text would then find where it is not.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand never fails on supported systems
	return hex.EncodeToString(b)
}

// statusWriter remembers the status for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe gives each request an id, then logs and counts it by route
// pattern and status. It never logs paths, queries, bodies or addresses:
// those can carry personal content.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := randomHex(8)
		w.Header().Set("X-Request-Id", id)
		route := new(string)
		ctx := context.WithValue(context.WithValue(r.Context(), keyRequestID, id), keyRoute, route)
		sw := &statusWriter{ResponseWriter: w}
		r = r.WithContext(ctx)
		defer func() {
			if p := recover(); p != nil {
				s.log.ErrorContext(ctx, "panic", "request_id", id, "route", *route, "panic", fmt.Sprint(p))
				if sw.status == 0 {
					s.fail(sw, r, tend.Errorf(tend.EINTERNAL, "internal"))
				}
			}
			rt := *route
			if rt == "" {
				rt = "unmatched"
			}
			d := time.Since(start)
			s.metrics.requests.WithLabelValues(rt, strconv.Itoa(sw.status)).Inc()
			s.metrics.duration.WithLabelValues(rt).Observe(d.Seconds())
			s.log.InfoContext(ctx, "request", "request_id", id, "route", rt, "status", sw.status, "duration_ms", float64(d.Microseconds())/1000)
		}()
		next.ServeHTTP(sw, r)
	})
}

// secure sets the headers every answer carries: a CSP with a fresh nonce,
// nosniff, no referrer, no framing, and no-store unless a handler says
// otherwise (personal pages must never sit in a shared cache).
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nonce := randomHex(16)
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'nonce-"+nonce+"'; style-src 'self'; img-src 'self' data:; "+
			"connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		h.Set("Cache-Control", "no-store")
		if s.opt.PublicURL != nil && s.opt.PublicURL.Scheme == "https" {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyNonce, nonce)))
	})
}

// limitBody caps every request body (Options.MaxBodyBytes, documented in
// the README); reading past it fails and the request answers 413.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := s.opt.MaxBodyBytes
		if r.Method == http.MethodPost && r.URL.Path == "/me/hope-box/photos" {
			limit = max(limit, hopeBoxUploadLimit) // a photo is bigger than any form
		}
		if r.Method == http.MethodPost && r.URL.Path == "/admin/instruments" {
			limit = max(limit, instrumentUploadLimit) // a questionnaire pasted and as a file
		}
		if r.Method == http.MethodPost && r.URL.Path == "/fhir/r4" {
			limit = max(limit, fhir.MaxImportBytes) // a FHIR import Bundle: its own limit
		}
		if r.ContentLength > limit {
			s.fail(w, r, tend.Errorf(tend.ETOOLARGE, "too large"))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}
