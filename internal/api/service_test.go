package api_test

import (
	"bytes"
	"encoding/json"
	"log"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"gridwork/internal/apperr"
)

// The endpoints outside the OpenAPI document: health, metrics, the document.
func TestServiceEndpoints(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, f *fixture) {
		anon := f.anon()

		r := anon.do(t, http.MethodGet, "/healthz", nil)
		if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			t.Fatalf("/healthz: %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
		}
		var health struct{ Status, Engine, Version string }
		r.decode(t, &health)
		if health.Status != "ok" || health.Engine != string(f.db.Engine) || health.Version != "test" {
			t.Errorf("/healthz = %+v", health)
		}

		r = anon.do(t, http.MethodGet, "/openapi.json", nil)
		if r.status != http.StatusOK {
			t.Fatalf("/openapi.json: %d", r.status)
		}
		var doc struct {
			OpenAPI string `json:"openapi"`
			Info    struct{ Version string }
			Paths   map[string]map[string]struct {
				OperationID string                `json:"operationId"`
				Security    []map[string][]string `json:"security"`
			}
			Components struct {
				Schemas         map[string]json.RawMessage
				SecuritySchemes map[string]json.RawMessage `json:"securitySchemes"`
			}
		}
		r.decode(t, &doc)
		if !strings.HasPrefix(doc.OpenAPI, "3.") || doc.Info.Version != "test" {
			t.Errorf("openapi %q, version %q", doc.OpenAPI, doc.Info.Version)
		}
		if doc.Paths["/api/grids"]["get"].OperationID != "list-grids" {
			t.Errorf("/openapi.json lacks GET /api/grids: %v", doc.Paths["/api/grids"])
		}
		if len(doc.Paths["/api/grids/{id}/board"]["put"].Security) == 0 {
			t.Error("PUT /api/grids/{id}/board documents no security")
		}
		if _, ok := doc.Components.SecuritySchemes["bearer"]; !ok {
			t.Error("no bearer security scheme")
		}
		if p, ok := doc.Components.Schemas["Problem"]; !ok || !strings.Contains(string(p), `"code"`) {
			t.Errorf("Problem schema %s lacks code", p)
		}

		// One request of each kind, then the counters.
		if r := f.signIn(t, "admin").do(t, http.MethodGet, "/api/grids?per_page=1", nil); strings.Contains(string(r.body), `"$schema"`) {
			t.Errorf("a response body carries a $schema link: %s", r.body)
		}
		anon.do(t, http.MethodGet, "/api/grids", nil)
		r = anon.do(t, http.MethodGet, "/metrics", nil)
		if r.status != http.StatusOK {
			t.Fatalf("/metrics: %d", r.status)
		}
		for _, want := range []string{
			"gridwork_http_requests_total",
			`gridwork_http_requests_total{pattern="GET /api/grids",status="200"}`,
			`gridwork_http_requests_total{pattern="GET /api/grids",status="401"}`,
			`gridwork_http_requests_total{pattern="POST /api/login",status="200"}`,
			"gridwork_http_request_seconds_bucket",
			"go_goroutines",
		} {
			if !strings.Contains(string(r.body), want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		// Metrics must not name ids: the label is the route pattern.
		if strings.Contains(string(r.body), f.communityID(t, "c01")) {
			t.Error("/metrics carries a unit id")
		}
	})
}

// syncBuffer is a log sink the server's goroutines may share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// captureLog sends slog's default logger to a buffer for the test.
func captureLog(t *testing.T) *syncBuffer {
	buf := &syncBuffer{}
	old, oldOut, oldFlags := slog.Default(), log.Writer(), log.Flags()
	slog.SetDefault(slog.New(slog.NewTextHandler(buf, nil)))
	t.Cleanup(func() {
		slog.SetDefault(old)
		log.SetOutput(oldOut)
		log.SetFlags(oldFlags)
	})
	return buf
}

// A fault of ours is logged in full and shown as nothing but "internal
// error" and the request id to quote.
func TestInternalErrorsAreNotShown(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		admin := f.signIn(t, "admin")
		bearer := f.bearer(t, "centre02")
		logs := captureLog(t)
		if err := f.db.Close(); err != nil {
			t.Fatal(err)
		}
		leaks := []string{"sql", "SELECT", "closed", "org:", "auth:", "pgx", "sqlite"}
		internal := func(name, method, path string, c *client, body any) {
			t.Run(name, func(t *testing.T) {
				r := c.do(t, method, path, body)
				scenario{method: method, path: path, wantStatus: 500, wantCode: apperr.Internal, notBody: leaks}.verify(t, r)
				p := r.problem(t)
				if !strings.HasPrefix(p.Detail, "internal error") {
					t.Errorf("detail %q", p.Detail)
				}
				// The request id the detail quotes is the one in the log.
				if _, id, ok := strings.Cut(p.Detail, "request "); !ok || id == "" || !strings.Contains(logs.String(), "request="+id) {
					t.Errorf("detail %q quotes no request id found in the log", p.Detail)
				}
				if len(p.Errors) != 0 {
					t.Errorf("an internal error lists fields: %+v", p.Errors)
				}
			})
		}
		internal("cookie session", http.MethodGet, "/api/grids", admin, nil)
		internal("bearer token", http.MethodGet, "/api/workers", bearer, nil)
		internal("login", http.MethodPost, "/api/login", f.anon(), map[string]string{"username": "admin", "password": testPassword})

		r := f.anon().do(t, http.MethodGet, "/healthz", nil)
		if r.status != http.StatusServiceUnavailable || strings.Contains(string(r.body), "sql") {
			t.Errorf("/healthz on a closed database: %d %s", r.status, r.body)
		}
		// The log has what the response hides.
		if l := logs.String(); !strings.Contains(l, "internal error") || !strings.Contains(l, "closed") || !strings.Contains(l, "request=") {
			t.Errorf("the log does not record the fault: %s", l)
		}
	})
}

// A path under /api/ that is no operation, or a wrong method, answers a
// Problem like every other API error.
func TestUnknownOperationIsAProblem(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, f *fixture) {
		for _, tt := range []struct{ method, path string }{{"GET", "/api/nothing-here"}, {"DELETE", "/api/grids"}} {
			r := f.anon().do(t, tt.method, tt.path, nil)
			var p struct{ Code string }
			json.Unmarshal(r.body, &p)
			if r.status != http.StatusNotFound || p.Code != "ENOTFOUND" || r.header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s %s: %d %q %q", tt.method, tt.path, r.status, p.Code, r.header.Get("Content-Type"))
			}
		}
	})
}
