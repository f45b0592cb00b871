package tend

import (
	"errors"
	"fmt"
)

// Error kinds. The web layer maps each kind to one HTTP status in a single
// table, so a kind means the same thing everywhere.
const (
	ECONFLICT     = "conflict"     // the change conflicts with the current state
	EINTERNAL     = "internal"     // a fault on Tend's side; never shown in detail
	EINVALID      = "invalid"      // the input is wrong; Message says how
	ENOTFOUND     = "not_found"    // missing, or not the caller's to see
	EFORBIDDEN    = "forbidden"    // known to the caller but not allowed
	EUNAVAILABLE  = "unavailable"  // a dependency (the database) is down
	ETOOLARGE     = "too_large"    // the request body is over the limit
	ERATELIMITED  = "rate_limited" // too many attempts; try later
	EUNAUTHORIZED = "unauthorized" // not signed in
)

// Error is an error with a kind and a message that is safe to show to the
// person using Tend. Err carries the internal cause, which is logged by id
// and never shown.
type Error struct {
	Kind    string
	Message string
	Err     error
}

// Error implements the error interface. It includes the internal cause, so it
// is for logs only; pages show Message.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("tend %s: %s: %v", e.Kind, e.Message, e.Err)
	}
	return fmt.Sprintf("tend %s: %s", e.Kind, e.Message)
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error of the given kind with a formatted, showable message.
func Errorf(kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an Error of the given kind that keeps err as its internal cause.
func Wrap(kind string, err error, message string) *Error {
	return &Error{Kind: kind, Message: message, Err: err}
}

// Sentinel errors for the common kinds, for comparisons with errors.Is.
var (
	ErrNotFound  = &Error{Kind: ENOTFOUND, Message: "Not found."}
	ErrInvalid   = &Error{Kind: EINVALID, Message: "That input is not valid."}
	ErrForbidden = &Error{Kind: EFORBIDDEN, Message: "You cannot do that."}
	ErrConflict  = &Error{Kind: ECONFLICT, Message: "That changed in the meantime."}
)

// Is lets errors.Is(err, tend.ErrNotFound) match any Error of the same kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind
}

// ErrorKind returns the kind of err, or EINTERNAL when err is not an Error.
func ErrorKind(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return EINTERNAL
}

// ErrorMessage returns the showable message of err. Errors that are not of
// type Error have no showable message, so a generic one is returned.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Kind != EINTERNAL {
		return e.Message
	}
	return "Something went wrong on our side."
}
