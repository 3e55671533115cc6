package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"gridwork/internal/apperr"
)

// Problem is every error response: RFC 9457 problem details plus our code
// and the list of bad fields.
type Problem struct {
	Status int                 `json:"status"`
	Title  string              `json:"title"`
	Code   apperr.Code         `json:"code" doc:"EINVALID, EUNAUTHORIZED, EFORBIDDEN, ENOTFOUND, ECONFLICT, ETOOMANY, ELOCKED or EINTERNAL"`
	Detail string              `json:"detail,omitempty"`
	Errors []apperr.FieldError `json:"errors,omitempty"`
}

func (p *Problem) Error() string  { return p.Detail }
func (p *Problem) GetStatus() int { return p.Status }

// ContentType serves problems as application/problem+json.
func (p *Problem) ContentType(ct string) string {
	if ct == "application/json" {
		return "application/problem+json"
	}
	return ct
}

func init() {
	// Errors raised by huma itself (malformed JSON, a body that does not
	// match the schema) become Problems too, with each location as a field.
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		p := &Problem{Status: status, Title: http.StatusText(status), Code: apperr.CodeForStatus(status), Detail: msg}
		if p.Code == apperr.Internal {
			p.Detail = "internal error"
			return p
		}
		for _, e := range errs {
			if e == nil {
				continue
			}
			var d huma.ErrorDetailer
			if errors.As(e, &d) {
				det := d.ErrorDetail()
				p.Errors = append(p.Errors, apperr.FieldError{Field: det.Location, Reason: det.Message})
			} else {
				p.Errors = append(p.Errors, apperr.FieldError{Reason: e.Error()})
			}
		}
		return p
	}
}

// problemFor maps any error from the domain to a response. It is the one
// place where codes become statuses; an error that is not an *apperr.Error is
// an internal fault, logged in full and shown as nothing more than that.
func problemFor(ctx context.Context, err error) error {
	e := apperr.As(err)
	if e == nil || e.Code == apperr.Internal {
		slog.ErrorContext(ctx, "internal error", "err", err, "request", requestID(ctx))
		status := http.StatusInternalServerError
		return &Problem{Status: status, Title: http.StatusText(status), Code: apperr.Internal,
			Detail: "internal error; it has been logged as request " + requestID(ctx)}
	}
	status := apperr.HTTPStatus(e.Code)
	p := &Problem{Status: status, Title: http.StatusText(status), Code: e.Code, Detail: e.Message, Errors: e.Fields}
	if e.RetryAfterSeconds > 0 {
		return huma.ErrorWithHeaders(p, http.Header{"Retry-After": {strconv.Itoa(e.RetryAfterSeconds)}})
	}
	return p
}

func forbidden(msg string) error { return apperr.New(apperr.Forbidden, "%s", msg) }

func notFound(format string, args ...any) error { return apperr.New(apperr.NotFound, format, args...) }
