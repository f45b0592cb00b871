package api

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/tendcare/tend"
)

// codes maps each error kind to its HTTP status. It repeats the table in
// internal/web/errors.go on purpose: api does not import web (web mounts
// api), and the table is nine lines. TestCodesCoverEveryKind keeps it
// complete; if a third copy is ever needed, move it to the root package.
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

// genericDetail replaces a kind's message where it says nothing useful or
// could say too much.
var genericDetail = map[string]string{
	tend.EINTERNAL:    "Something went wrong on our side.",
	tend.EUNAVAILABLE: "Tend cannot reach its database just now. Try again in a minute.",
}

// Problem is an RFC 9457 problem detail, as every error is answered.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
}

// fail writes err as a problem. Only tend.ErrorMessage(err) is shown; the
// cause of a server-side failure is logged with the request id, never sent.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = tend.Wrap(tend.ETOOLARGE, err, "The request body is too large.")
	}
	kind := tend.ErrorKind(err)
	status, ok := codes[kind]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status >= 500 {
		h.opt.Logger.ErrorContext(r.Context(), "api request failed", "request_id", w.Header().Get("X-Request-Id"),
			"route", r.Pattern, "kind", kind, "err", err)
	}
	if kind == tend.EUNAUTHORIZED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="tend"`)
	}
	detail := tend.ErrorMessage(err)
	if d, ok := genericDetail[kind]; ok {
		detail = d
	}
	h.problem(w, r, status, detail)
}

func (h *Handler) problem(w http.ResponseWriter, _ *http.Request, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail})
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
	return nil
}

// maxBody caps a request body here as well as in the web layer: every
// body the API takes is a few hundred bytes.
const maxBody = 64 << 10

// decode reads exactly one JSON value into v. Other content types,
// unknown fields, a second value and bodies over maxBody are refused with a
// message that says which.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return tend.Errorf(tend.EINVALID, "Send the body as JSON, with Content-Type: application/json.")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return decodeError(err)
		}
		return tend.Errorf(tend.EINVALID, "Send one JSON value only.")
	}
	return nil
}

func decodeError(err error) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
		mbe *http.MaxBytesError
	)
	switch {
	case errors.As(err, &mbe):
		return tend.Wrap(tend.ETOOLARGE, err, "The request body is too large.")
	case errors.Is(err, io.EOF):
		return tend.Errorf(tend.EINVALID, "The body is empty: send a JSON object.")
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF):
		return tend.Wrap(tend.EINVALID, err, "The body is not valid JSON.")
	case errors.As(err, &typ):
		if typ.Field == "" {
			return tend.Wrap(tend.EINVALID, err, "The body must be a JSON object.")
		}
		return tend.Errorf(tend.EINVALID, "The field %q has the wrong type: it must be a %s.", typ.Field, jsonType(typ.Type.Kind().String()))
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if len(name) > 66 {
			name = name[:64] + "…\""
		}
		return tend.Errorf(tend.EINVALID, "Unknown field %s: this request takes no such field.", name)
	}
	return tend.Wrap(tend.EINVALID, err, "The body could not be read as JSON.")
}

func jsonType(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "slice", "array":
		return "list"
	case "struct", "map":
		return "JSON object"
	case "bool":
		return "true or false"
	}
	return "number"
}
