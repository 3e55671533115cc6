package apperr

import (
	"fmt"
	"testing"
)

// Every code maps to a status that maps back to it: the one mapping is
// consistent both ways.
func TestStatusRoundTrip(t *testing.T) {
	for _, c := range []Code{Invalid, Unauthorized, Forbidden, NotFound, Conflict, TooMany, Locked, Internal} {
		if got := CodeForStatus(HTTPStatus(c)); got != c {
			t.Errorf("%s → %d → %s", c, HTTPStatus(c), got)
		}
	}
}

func TestCodeOfAndError(t *testing.T) {
	e := InvalidFields("cannot add worker", FieldError{Field: "phone", Reason: "too short"}, FieldError{Field: "name", Reason: "is required"})
	wrapped := fmt.Errorf("org: create worker: %w", e)
	if CodeOf(wrapped) != Invalid || As(wrapped) != e {
		t.Fatalf("CodeOf/As lost the error through wrapping")
	}
	if got, want := e.Error(), "EINVALID: cannot add worker (phone: too short; name: is required)"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
	if CodeOf(fmt.Errorf("disk on fire")) != Internal || As(fmt.Errorf("x")) != nil {
		t.Fatal("a plain error is not Internal")
	}
}
