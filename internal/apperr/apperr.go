// Package apperr is gridwork's one application error type. Every error a user
// can cause is an *Error with one of a small set of codes; anything else is an
// internal error, which is logged and never shown. The mapping from codes to
// HTTP statuses lives in one place: HTTPStatus.
package apperr

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Code is a machine-readable class of error.
type Code string

// The codes. Keep this set small: a client branches on them.
const (
	Invalid      Code = "EINVALID"      // the input is wrong; FieldErrors say where
	Unauthorized Code = "EUNAUTHORIZED" // no valid session or token
	Forbidden    Code = "EFORBIDDEN"    // authenticated, but outside the caller's role or scope
	NotFound     Code = "ENOTFOUND"     // no such thing (or not visible to the caller)
	Conflict     Code = "ECONFLICT"     // the request contradicts what is stored
	TooMany      Code = "ETOOMANY"      // slowed down: retry later
	Locked       Code = "ELOCKED"       // the account is locked after repeated failed logins
	Internal     Code = "EINTERNAL"     // our fault; details are in the log only
)

// FieldError names one input field and why it was refused.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Error is an error a user can act on. Message is safe to show.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	// RetryAfterSeconds is set with TooMany and Locked.
	RetryAfterSeconds int
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Message)
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Reason
	}
	return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, strings.Join(parts, "; "))
}

// New returns an *Error with a formatted message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// InvalidFields returns an Invalid error listing each bad field.
func InvalidFields(message string, fields ...FieldError) *Error {
	return &Error{Code: Invalid, Message: message, Fields: fields}
}

// Field is shorthand for an Invalid error about one field.
func Field(field, reason string) *Error {
	return InvalidFields("invalid input", FieldError{Field: field, Reason: reason})
}

// CodeOf returns the code of the first *Error in err's chain, or Internal.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns the first *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// HTTPStatus maps a code to its HTTP status. It is the only such mapping.
func HTTPStatus(c Code) int {
	switch c {
	case Invalid:
		return http.StatusUnprocessableEntity
	case Unauthorized:
		return http.StatusUnauthorized
	case Forbidden:
		return http.StatusForbidden
	case NotFound:
		return http.StatusNotFound
	case Conflict:
		return http.StatusConflict
	case TooMany:
		return http.StatusTooManyRequests
	case Locked:
		return http.StatusLocked
	default:
		return http.StatusInternalServerError
	}
}

// CodeForStatus is the inverse of HTTPStatus, used for errors raised by the
// HTTP framework itself (a malformed JSON body, an unknown route).
func CodeForStatus(status int) Code {
	switch status {
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return Invalid
	case http.StatusUnauthorized:
		return Unauthorized
	case http.StatusForbidden:
		return Forbidden
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return NotFound
	case http.StatusConflict, http.StatusPreconditionFailed:
		return Conflict
	case http.StatusTooManyRequests:
		return TooMany
	case http.StatusLocked:
		return Locked
	}
	if status >= 400 && status < 500 {
		return Invalid
	}
	return Internal
}
