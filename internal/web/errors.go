package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/api"
)

// codes maps each error kind to its one HTTP status.
var codes = map[string]int{
	tend.ECONFLICT:     http.StatusConflict,
	tend.EINTERNAL:     http.StatusInternalServerError,
	tend.EINVALID:      http.StatusBadRequest,
	tend.ENOTFOUND:     http.StatusNotFound,
	tend.EFORBIDDEN:    http.StatusForbidden,
	tend.EUNAVAILABLE:  http.StatusServiceUnavailable,
	tend.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	tend.ERATELIMITED:  http.StatusTooManyRequests,
	tend.EUNAUTHORIZED: http.StatusUnauthorized,
}

// messageIDs gives the page wording for kinds whose message is generic.
var messageIDs = map[string]string{
	tend.EINTERNAL:    "error.internal",
	tend.ENOTFOUND:    "error.not_found",
	tend.EUNAVAILABLE: "error.unavailable",
	tend.ETOOLARGE:    "error.too_large",
}

type errorPage struct {
	Base
	Status    int
	Message   string
	RequestID string
}

// handle adapts an error-returning handler. Errors become a page (or an RFC
// 9457 problem for the API) with a safe message; the internal cause is
// logged with the request id and never shown.
func (s *Server) handle(fn func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			s.fail(w, r, err)
		}
	}
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = tend.Wrap(tend.ETOOLARGE, err, "The request is too large.")
	}
	kind := tend.ErrorKind(err)
	status, ok := codes[kind]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", "request_id", requestIDFrom(r.Context()), "route", r.Pattern, "kind", kind, "err", err)
	}
	// A locked person session is anonymous to every page (actorFrom); it
	// gets the unlock page, which shows nothing personal, not the sign-in.
	if info := sessionFrom(r.Context()); kind == tend.EUNAUTHORIZED && info != nil && info.session.Locked && !strings.HasPrefix(r.URL.Path, "/api/") {
		http.Redirect(w, r, "/me/unlock", http.StatusSeeOther)
		return
	}
	if kind == tend.EUNAUTHORIZED && !strings.HasPrefix(r.URL.Path, "/api/") && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	p := s.printer()
	msg := tend.ErrorMessage(err)
	if id, ok := messageIDs[kind]; ok {
		msg = p.T(id)
	}
	if r.URL.Path == "/fhir/r4" || strings.HasPrefix(r.URL.Path, "/fhir/r4/") {
		// What the middleware refuses before FHIR's own handler (another
		// site, too large a body) in FHIR's own error format.
		api.WriteFHIRError(w, status, kind, msg)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"type": "about:blank", "title": http.StatusText(status), "status": status, "detail": msg})
		return
	}
	page := &errorPage{Base: Base{Title: p.T("error.title")}, Status: status, Message: msg, RequestID: requestIDFrom(r.Context())}
	if rerr := s.render(w, r, status, "error", page); rerr != nil {
		s.log.ErrorContext(r.Context(), "render error page", "request_id", requestIDFrom(r.Context()), "err", rerr)
		http.Error(w, http.StatusText(status), status)
	}
}

// statusError returns a handler that answers with kind for routes that
// fall through (unknown paths, wrong methods).
func (s *Server) statusError(kind, message string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, tend.Errorf(kind, "%s", message))
	}
}
