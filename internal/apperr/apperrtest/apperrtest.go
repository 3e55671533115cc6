// Package apperrtest checks the errors a test expects.
package apperrtest

import (
	"slices"
	"testing"

	"gridwork/internal/apperr"
)

// Want fails the test unless err is an apperr with code naming every field
// given, and returns it.
func Want(tb testing.TB, err error, code apperr.Code, fields ...string) *apperr.Error {
	tb.Helper()
	if err == nil {
		tb.Fatalf("got no error, want %s naming %v", code, fields)
	}
	if got := apperr.CodeOf(err); got != code {
		tb.Fatalf("error code %s, want %s: %v", got, code, err)
	}
	e := apperr.As(err)
	for _, f := range fields {
		if !HasField(e, f) {
			tb.Fatalf("error does not name field %q: %v", f, err)
		}
	}
	return e
}

// HasField reports whether e names field.
func HasField(e *apperr.Error, field string) bool {
	return e != nil && slices.ContainsFunc(e.Fields, func(f apperr.FieldError) bool { return f.Field == field })
}
