// Package api is gridwork's JSON API: one route table (routes), one file per
// resource, one error mapping (errors.go). It only wires and translates; the
// rules live in the domain packages.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"path"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"gridwork/internal/app"
	"gridwork/internal/apperr"
	"gridwork/internal/auth"
	"gridwork/internal/care"
	"gridwork/internal/dates"
	"gridwork/internal/duty"
	"gridwork/internal/events"
	"gridwork/internal/facts"
	"gridwork/internal/files"
	"gridwork/internal/inspect"
	"gridwork/internal/org"
	"gridwork/internal/patrol"
	"gridwork/internal/records"
	"gridwork/internal/runs"
	"gridwork/internal/store"
	"gridwork/internal/survey"
	"gridwork/ui"
)

// Server serves the API.
type Server struct {
	db      *store.DB
	org     *org.Store
	auth    *auth.Store
	version string
	api     huma.API
	handler http.Handler
	// SecureCookies marks the session cookie Secure (behind HTTPS).
	secureCookies bool
	records       *records.Store
	care          *care.Store
	files         *files.Store
	facts         *facts.Collector
	assess        *runs.Store
	events        *events.Store
	patrol        *patrol.Store
	inspect       *inspect.Store
	duty          *duty.Store
	survey        *survey.Store
	// publicURL is where residents' phones reach this server: QR codes
	// encode it.
	publicURL string
	// trustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed (clientAddr).
	trustedProxies []netip.Prefix
}

// datePattern accepts YYYY-MM-DD with a day that exists in its month (29
// February in any year), so that schema validation, which names the field,
// catches 2026-02-30; dates.Date's own parsing then only has to refuse 29
// February of a common year.
const datePattern = `^\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|02-(?:0[1-9]|1\d|2\d))$`

// dateSchema describes dates.Date in the OpenAPI document.
type dateSchema string

// Schema implements huma.SchemaProvider.
func (dateSchema) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Nullable: true,
		Pattern: datePattern, PatternDescription: "a real date of the form YYYY-MM-DD",
		Description: "a calendar date YYYY-MM-DD (Asia/Shanghai), or null for none"}
}

// prefixedSchemas are the domain packages whose schema names get a prefix,
// by package name.
var prefixedSchemas = map[string]string{"scheme": "Assess", "runs": "Assess", "inspect": "Inspect", "events": "Events", "duty": "Duty", "survey": "Survey", "patrol": "Patrol"}

// Options configure a Server beyond the app it serves.
type Options struct {
	Version       string
	SecureCookies bool
	// PublicURL is the server's address as phones reach it, without a
	// trailing slash; the rentals' QR codes encode it.
	PublicURL string
	// TrustedProxies are the reverse proxies in front of the server: from
	// them, the client's address is read from X-Forwarded-For, so that
	// rate limits and the login throttle see residents, not the proxy.
	TrustedProxies []netip.Prefix
}

// New returns a Server on the app's stores (app.New builds them all), with
// every route registered.
func New(a *app.App, opt Options) *Server {
	s := &Server{db: a.DB, org: a.Orgs, auth: a.Users, version: opt.Version, secureCookies: opt.SecureCookies,
		records: a.Records, care: a.Care, files: a.Files, facts: a.Facts, assess: a.Assess, publicURL: opt.PublicURL}
	s.events = a.Events
	s.inspect = a.Inspect
	s.patrol = a.Patrol
	s.duty = a.Duty
	s.survey = a.Survey
	s.trustedProxies = opt.TrustedProxies
	mux := http.NewServeMux()
	cfg := huma.DefaultConfig("gridwork API", opt.Version)
	cfg.Info.Description = "网格化管理中心 API. Sign in with POST /api/login (cookie) or send `Authorization: Bearer <token>`."
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer"},
		"cookie": {Type: "apiKey", In: "cookie", Name: SessionCookie},
	}
	// Dates travel as "YYYY-MM-DD", or null for "none" (an open end).
	// Types of later domains share names with earlier ones' (Subject, Row,
	// Visit): their schemas are prefixed with their package's name
	// (prefixedSchemas).
	cfg.Components.Schemas = huma.NewMapRegistry("#/components/schemas/", func(t reflect.Type, hint string) string {
		name := huma.DefaultSchemaNamer(t, hint)
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if p, ok := prefixedSchemas[path.Base(t.PkgPath())]; ok && strings.HasPrefix(t.PkgPath(), "gridwork/internal/") {
			return p + name
		}
		return name
	})
	cfg.Components.Schemas.RegisterTypeAlias(reflect.TypeFor[dates.Date](), reflect.TypeFor[dateSchema]())
	// No "$schema" links in every response body: clients read /openapi.json.
	cfg.CreateHooks = nil
	s.api = humago.New(mux, cfg)
	s.routes()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gridwork_http_requests_total", Help: "HTTP requests by route pattern and status.",
	}, []string{"pattern", "status"})
	latency := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "gridwork_http_request_seconds", Help: "HTTP request latency by route pattern.",
		Buckets: prometheus.DefBuckets,
	}, []string{"pattern"})
	reg.MustRegister(requests, latency)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("GET /healthz", s.healthz)
	// Anything else under /api/ is not an operation: say so as a Problem,
	// like every other API error, not as the mux's plain text.
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusNotFound)
		json.NewEncoder(w).Encode(&Problem{Status: http.StatusNotFound, Title: http.StatusText(http.StatusNotFound),
			Code: apperr.NotFound, Detail: "no operation " + r.Method + " " + r.URL.Path + "; see /openapi.json"})
	})

	// Every other path is the web front end (package ui): the console at
	// /, the phone app at /m/, the public side at /p/.
	mux.Handle("/", ui.Embedded())

	s.handler = s.authenticate(instrument(mux, requests, latency))
	return s
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// API returns the huma API, e.g. for its OpenAPI document.
func (s *Server) API() huma.API { return s.api }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "application/json")
	if err := s.db.PingContext(ctx); err != nil {
		slog.ErrorContext(ctx, "healthz: database unreachable", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"status":"unavailable","database":"unreachable"}` + "\n"))
		return
	}
	w.Write([]byte(`{"status":"ok","engine":"` + string(s.db.Engine) + `","version":"` + s.version + `"}` + "\n"))
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func instrument(next http.Handler, requests *prometheus.CounterVec, latency *prometheus.HistogramVec) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		pattern := r.Pattern
		if pattern == "" {
			pattern = "unmatched"
		}
		requests.WithLabelValues(pattern, strconv.Itoa(rec.status)).Inc()
		latency.WithLabelValues(pattern).Observe(time.Since(start).Seconds())
		slog.Debug("http", "method", r.Method, "path", r.URL.Path, "status", rec.status, "took", time.Since(start), "request", requestID(r.Context()))
	})
}

// ActionExtension is the OpenAPI extension naming the auth.Action an
// operation needs, or "public" for one open without sign-in.
const ActionExtension = "x-gridwork-action"

// access says who may call an operation.
type access struct {
	public bool        // no sign-in needed
	action auth.Action // the role must allow this; scope is checked in the handler
}

func public() access             { return access{public: true} }
func needs(a auth.Action) access { return access{action: a} }

// op registers one operation. Every operation goes through here, so none can
// forget the sign-in and role check, and every error goes through problemFor.
func op[I, O any](s *Server, o huma.Operation, acc access, h func(ctx context.Context, u auth.User, in *I) (*O, error)) {
	// The OpenAPI document names each operation's action (or says it is
	// public), so that a test can check every route against auth's table.
	if o.Extensions == nil {
		o.Extensions = map[string]any{}
	}
	if acc.public {
		o.Extensions[ActionExtension] = "public"
	} else {
		o.Extensions[ActionExtension] = string(acc.action)
	}
	if !acc.public {
		o.Security = []map[string][]string{{"bearer": {}}, {"cookie": {}}}
		o.Description += "\n\nNeeds permission `" + string(acc.action) + "` and checks the caller's org scope."
		// Sign-in and role are checked before huma reads and validates the
		// input, so a caller without them gets 401/403, never a 422 that
		// describes the operation's input.
		o.Middlewares = append(o.Middlewares, func(hctx huma.Context, next func(huma.Context)) {
			if err := allowed(hctx.Context(), acc.action); err != nil {
				writeProblem(hctx, problemFor(hctx.Context(), err))
				return
			}
			next(hctx)
		})
	}
	o.Errors = append(o.Errors, http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity)
	huma.Register(s.api, o, func(ctx context.Context, in *I) (*O, error) {
		// The middleware above has already admitted the caller; their
		// scope is resolved once, here.
		u, _ := caller(ctx)
		ctx = context.WithValue(ctx, keyScope, s.auth.ScopeOf(u))
		out, err := h(ctx, u, in)
		if err != nil {
			return nil, problemFor(ctx, err)
		}
		return out, nil
	})
}

// allowed returns nil if the caller is signed in and their role may perform
// action; otherwise Unauthorized or Forbidden.
func allowed(ctx context.Context, action auth.Action) error {
	u, err := caller(ctx)
	if err != nil {
		return err
	}
	return auth.Require(u, action)
}

// writeProblem writes a Problem from problemFor where huma cannot, before it
// has read the operation's input.
func writeProblem(hctx huma.Context, err error) {
	var p *Problem
	if !errors.As(err, &p) {
		p = &Problem{Status: http.StatusInternalServerError, Title: http.StatusText(http.StatusInternalServerError),
			Code: apperr.Internal, Detail: "internal error"}
	}
	hctx.SetHeader("Content-Type", "application/problem+json")
	hctx.SetStatus(p.Status)
	json.NewEncoder(hctx.BodyWriter()).Encode(p)
}

// Page is the paging input of list operations.
type Page struct {
	Page    int `query:"page" minimum:"1" default:"1" doc:"1-based page number"`
	PerPage int `query:"per_page" minimum:"1" maximum:"1000" default:"100" doc:"items per page"`
}

func (p Page) limitOffset() (int, int) {
	return p.PerPage, (p.Page - 1) * p.PerPage
}

// ListBody is the body of every list response.
type ListBody[T any] struct {
	Items   []T `json:"items"`
	Total   int `json:"total" doc:"items matching, before paging"`
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
}

// reply wraps a store call's result as an operation's response body, or
// passes its error on: the last step of most handlers.
func reply[T any](v T, err error) (*struct{ Body T }, error) {
	if err != nil {
		return nil, err
	}
	return &struct{ Body T }{v}, nil
}

func list[T any](items []T, total int, p Page) *struct{ Body ListBody[T] } {
	if items == nil {
		items = []T{}
	}
	return &struct{ Body ListBody[T] }{ListBody[T]{Items: items, Total: total, Page: p.Page, PerPage: p.PerPage}}
}

// onDate reads an optional "on" date, defaulting to today in Asia/Shanghai.
func onDate(field, s string) (dates.Date, error) {
	if s == "" {
		return dates.Today(), nil
	}
	d, err := dates.Parse(s)
	if err != nil {
		return dates.Date{}, apperr.Field(field, err.Error())
	}
	return d, nil
}
