package patrol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"

	"gridwork/internal/apperr"
)

// maxFieldErrors caps the field errors one refusal lists: a phone with a
// broken clock sends hundreds of bad times, and the first few say enough.
const maxFieldErrors = 20

// DecodeBatch reads a batch from its JSON text. Unknown fields are refused,
// so that a misspelt "lng" is not silently read as longitude 0. Errors are
// apperr Invalid naming the field (points[i].field where it can).
func DecodeBatch(body []byte) (Batch, error) {
	var b Batch
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return Batch{}, jsonError(err)
	}
	if dec.More() {
		return Batch{}, apperr.Field("body", "holds more than one JSON value")
	}
	return b, nil
}

// jsonError turns a decoding error into an Invalid error naming the field.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "body"
		}
		return apperr.Field(field, fmt.Sprintf("must be a JSON %s, not %s", jsonKind(te.Type.Kind().String()), te.Value))
	case errors.As(err, &se):
		return apperr.Field("body", fmt.Sprintf("is not valid JSON at byte %d: %v", se.Offset, se))
	}
	return apperr.Field("body", "cannot be read: "+err.Error())
}

func jsonKind(k string) string {
	switch k {
	case "float64", "int", "int64":
		return "number"
	case "bool":
		return "boolean"
	case "slice":
		return "array"
	case "struct":
		return "string or object"
	}
	return k
}

// Validate checks a whole batch against now (the server's clock) and
// returns an apperr Invalid error listing the bad fields as
// points[i].field or markers[i].field, or nil. A batch is stored whole or
// not at all. Accuracy is checked for being a number, not for being good:
// a poor fix is evidence too, and the analysis drops it.
func Validate(b Batch, now time.Time) error {
	var fe []apperr.FieldError
	add := func(field, format string, args ...any) {
		if len(fe) < maxFieldErrors {
			fe = append(fe, apperr.FieldError{Field: field, Reason: fmt.Sprintf(format, args...)})
		}
	}
	if _, err := uuid.Parse(b.ClientID); err != nil || len(b.ClientID) != 36 {
		add("client_id", "must be a UUID the phone made for this batch, like 0190a8e2-6c1b-7c3e-9d2f-3b4a5c6d7e8f")
	}
	switch n := len(b.Points) + len(b.Markers); {
	case n == 0:
		add("points", "the batch holds no points and no markers")
	case n > MaxBatchItems:
		add("points", "the batch holds %d points and markers; at most %d are accepted in one batch", n, MaxBatchItems)
		return apperr.InvalidFields("batch refused", fe...)
	}
	checkTime := func(field string, t time.Time) {
		switch {
		case t.IsZero():
			add(field, "is required")
		case t.After(now.Add(MaxSkew)):
			add(field, "%s is in the future (the server's time is %s)", t.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
		case t.Before(now.Add(-MaxAge)):
			add(field, "%s is more than %d days old", t.UTC().Format(time.RFC3339), int(MaxAge.Hours()/24))
		}
	}
	for i, p := range b.Points {
		f := func(name string) string { return fmt.Sprintf("points[%d].%s", i, name) }
		switch {
		case !finite(p.Lat) || p.Lat < -90 || p.Lat > 90:
			add(f("lat"), "%v is not a latitude in [-90, 90]", p.Lat)
		case !finite(p.Lon) || p.Lon < -180 || p.Lon > 180:
			add(f("lon"), "%v is not a longitude in [-180, 180]", p.Lon)
		case p.Lat == 0 && p.Lon == 0:
			// A phone without a fix reports 0, 0 ("null island").
			add(f("lat"), "0, 0 is not a position: the phone had no fix")
		}
		if !finite(p.Accuracy) || p.Accuracy <= 0 || p.Accuracy > maxAccuracy {
			add(f("accuracy"), "%v is not an accuracy radius in metres in (0, %d]", p.Accuracy, maxAccuracy)
		}
		if !finite(p.Speed) || p.Speed > maxSpeed {
			add(f("speed"), "%v is not a speed in m/s (at most %d; negative for unknown)", p.Speed, maxSpeed)
		}
		checkTime(f("at"), p.At)
	}
	for i, m := range b.Markers {
		if m.Kind != Start && m.Kind != Stop {
			add(fmt.Sprintf("markers[%d].kind", i), "%q is not start or stop", m.Kind)
		}
		checkTime(fmt.Sprintf("markers[%d].at", i), m.At)
	}
	if len(fe) > 0 {
		return apperr.InvalidFields("batch refused: nothing was stored", fe...)
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
