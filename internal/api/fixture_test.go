package api_test

// The fixture every API test runs against: per engine, a fresh copy of the
// demo town of demo.DefaultSeed (loaded once per engine: demoTown), and the
// API served by httptest. Tests sign in as demo accounts after giving them a
// known password, and describe requests as scenarios (PocketBase style):
// method, path, body, who asks, and the status and Problem code they expect.
//
// Each top-level test loads its own town, so most run in parallel; the few
// that touch process-wide state (the slog default) or race the clock (login
// throttling) do not.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"gridwork/internal/api"
	"gridwork/internal/app"
	"gridwork/internal/app/apptest"
	"gridwork/internal/apperr"
	"gridwork/internal/auth"
	"gridwork/internal/demo"
	"gridwork/internal/org"
	"gridwork/internal/records"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
	"gridwork/internal/survey"
)

// testPassword is the password the fixture gives every account it signs in.
const testPassword = "correct-horse-battery"

// fixture is one engine's loaded demo town behind a test server. app is
// the whole system (app.New); db, orgs, users, records and survey are
// short names for its parts.
type fixture struct {
	t       *testing.T
	app     *app.App
	db      *store.DB
	orgs    *org.Store
	users   *auth.Store
	records *records.Store
	survey  *survey.Store
	srv     *api.Server
	ts      *httptest.Server
	town    demo.Town
	summary demo.Summary

	mu      sync.Mutex
	clients map[string]*client // signed-in clients by username
}

func TestMain(m *testing.M) { storetest.Main(m) }

// demoTown is the demo town of demo.DefaultSeed, loaded once per engine;
// each test gets its own copy (storetest.Template). Its value is what
// demo.Load returned.
var demoTown = &storetest.Template[demo.Summary]{
	Name: "the demo town",
	Build: func(ctx context.Context, db storetest.Database) (demo.Summary, error) {
		orgs := org.NewStore(db.DB)
		return demo.Load(ctx, db.DB, orgs, auth.NewStore(db.DB, orgs, auth.TestParams), demo.Generate(demo.DefaultSeed, demo.DefaultFrom))
	},
}

// eachEngine runs fn once per engine on a fresh copy of the demo town.
func eachEngine(t *testing.T, fn func(t *testing.T, f *fixture)) {
	t.Helper()
	demoTown.Each(t, func(t *testing.T, loaded storetest.Copy[demo.Summary]) {
		fn(t, newFixture(t, loaded))
	})
}

// newFixture serves loaded, a copy of the demo town.
func newFixture(t *testing.T, loaded storetest.Copy[demo.Summary]) *fixture {
	t.Helper()
	ctx := context.Background()
	db, sum := loaded.DB, loaded.Value
	a := apptest.New(t, db)
	town := demo.Generate(demo.DefaultSeed, demo.DefaultFrom)
	if _, err := a.Users.EnsureAdmin(ctx); err != nil {
		t.Fatalf("ensure admin: %v", err)
	}
	srv := api.New(a, api.Options{Version: "test", PublicURL: "http://grid.test"})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &fixture{t: t, app: a, db: db, orgs: a.Orgs, users: a.Users, records: a.Records, survey: a.Survey, srv: srv, ts: ts, town: town, summary: sum, clients: map[string]*client{}}
}

// user returns the account called username.
func (f *fixture) user(t *testing.T, username string) auth.User {
	t.Helper()
	u, err := f.users.GetUserByUsername(context.Background(), username)
	if err != nil {
		t.Fatalf("user %s: %v", username, err)
	}
	return u
}

// setPassword gives username the known test password (demo accounts have
// none) and returns the account.
func (f *fixture) setPassword(t *testing.T, username string) auth.User {
	t.Helper()
	u := f.user(t, username)
	if err := f.users.SetPassword(context.Background(), "test", u.ID, testPassword, false); err != nil {
		t.Fatalf("set password of %s: %v", username, err)
	}
	return u
}

// anon returns a client with an empty cookie jar and no token.
func (f *fixture) anon() *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return &client{base: f.ts.URL, hc: &http.Client{Jar: jar}}
}

// signIn returns a cookie-authenticated client for username, signing in
// through POST /api/login the first time and reusing the client after.
func (f *fixture) signIn(t *testing.T, username string) *client {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.clients[username]; ok {
		return c
	}
	c := f.freshSignIn(t, username)
	f.clients[username] = c
	return c
}

// freshSignIn signs in again, giving a client with a session of its own (for
// tests that end it).
func (f *fixture) freshSignIn(t *testing.T, username string) *client {
	t.Helper()
	u := f.setPassword(t, username)
	c := f.anon()
	c.user = u
	r := c.do(t, http.MethodPost, "/api/login", map[string]string{"username": username, "password": testPassword})
	if r.status != http.StatusOK {
		t.Fatalf("sign in as %s: %d %s", username, r.status, r.body)
	}
	if c.sessionCookie() == "" {
		t.Fatalf("sign in as %s set no %s cookie", username, api.SessionCookie)
	}
	return c
}

// bearer returns a client that authenticates only with a bearer token issued
// to username through POST /api/me/tokens.
func (f *fixture) bearer(t *testing.T, username string) *client {
	t.Helper()
	r := f.freshSignIn(t, username).do(t, http.MethodPost, "/api/me/tokens", map[string]any{"name": "test script", "days": 1})
	if r.status != http.StatusOK {
		t.Fatalf("create token for %s: %d %s", username, r.status, r.body)
	}
	var tok struct {
		Token string `json:"token"`
	}
	r.decode(t, &tok)
	if !strings.HasPrefix(tok.Token, "gw_") {
		t.Fatalf("token %q lacks the gw_ prefix", tok.Token)
	}
	c := &client{base: f.ts.URL, hc: &http.Client{}, token: tok.Token, user: f.user(t, username)}
	return c
}

// client sends requests to the test server as one caller.
type client struct {
	base  string
	hc    *http.Client
	token string    // sent as "Authorization: Bearer …" when set
	user  auth.User // who this is; zero for anonymous
}

// response is a read response.
type response struct {
	status int
	header http.Header
	body   []byte
}

// rawBody is a request body sent as is, not marshalled.
type rawBody string

// do sends a request. A nil body sends none; a rawBody is sent verbatim; any
// other value is marshalled to JSON.
func (c *client) do(t *testing.T, method, path string, body any, header ...string) *response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case rawBody:
		rd = strings.NewReader(string(b))
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: data}
}

// sessionCookie returns the session cookie the jar holds, or "".
func (c *client) sessionCookie() string {
	if c.hc.Jar == nil {
		return ""
	}
	req, _ := http.NewRequest(http.MethodGet, c.base, nil)
	for _, k := range c.hc.Jar.Cookies(req.URL) {
		if k.Name == api.SessionCookie {
			return k.Value
		}
	}
	return ""
}

// get is do(GET) that must answer 200, decoded into out.
func (c *client) get(t *testing.T, path string, out any) {
	t.Helper()
	r := c.do(t, http.MethodGet, path, nil)
	if r.status != http.StatusOK {
		t.Fatalf("GET %s as %s: %d %s", path, c.user.Username, r.status, r.body)
	}
	r.decode(t, out)
}

func (r *response) decode(t *testing.T, out any) {
	t.Helper()
	if err := json.Unmarshal(r.body, out); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// problem decodes an error body, checking it is problem JSON.
func (r *response) problem(t *testing.T) api.Problem {
	t.Helper()
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("Content-Type = %q, want application/problem+json (body %s)", ct, r.body)
	}
	var p api.Problem
	r.decode(t, &p)
	if p.Status != r.status {
		t.Errorf("problem status %d, response status %d", p.Status, r.status)
	}
	return p
}

// list is the body of every list response.
type list[T any] struct {
	Items   []T `json:"items"`
	Total   int `json:"total"`
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
}

// scenario is one request and what it must answer.
type scenario struct {
	name   string
	method string
	path   string
	body   any      // nil: none; rawBody: verbatim; else JSON
	as     string   // username; "" for anonymous
	header []string // extra header name, value pairs
	// wantStatus and, for errors, wantCode are checked on every scenario.
	wantStatus int
	wantCode   apperr.Code
	// wantBody are substrings the body must contain; notBody must not.
	wantBody []string
	notBody  []string
	// check, if set, looks further at the response.
	check func(t *testing.T, r *response)
}

// run runs each scenario as a subtest, in order (some change state).
func (f *fixture) run(t *testing.T, scenarios []scenario) {
	t.Helper()
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			c := f.anon()
			if s.as != "" {
				c = f.signIn(t, s.as)
			}
			r := c.do(t, s.method, s.path, s.body, s.header...)
			s.verify(t, r)
		})
	}
}

func (s scenario) verify(t *testing.T, r *response) {
	t.Helper()
	who := s.as
	if who == "" {
		who = "anonymous"
	}
	if r.status != s.wantStatus {
		t.Fatalf("%s %s as %s: status %d, want %d; body %s", s.method, s.path, who, r.status, s.wantStatus, r.body)
	}
	if r.status >= 400 {
		p := r.problem(t)
		if p.Code != s.wantCode {
			t.Errorf("%s %s as %s: code %q, want %q; body %s", s.method, s.path, who, p.Code, s.wantCode, r.body)
		}
	} else if s.wantCode != "" {
		t.Errorf("scenario %q wants code %s with a success status", s.name, s.wantCode)
	}
	for _, w := range s.wantBody {
		if !strings.Contains(string(r.body), w) {
			t.Errorf("%s %s: body lacks %q: %s", s.method, s.path, w, r.body)
		}
	}
	for _, w := range s.notBody {
		if strings.Contains(string(r.body), w) {
			t.Errorf("%s %s: body has %q: %s", s.method, s.path, w, r.body)
		}
	}
	if s.check != nil {
		s.check(t, r)
	}
}

// fieldsOf returns the field names a problem lists.
func fieldsOf(p api.Problem) []string {
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Field)
	}
	return out
}

// hasField reports whether a problem names field, either as the domain names
// it ("phone") or as huma locates it ("body.phone").
func hasField(p api.Problem, field string) bool {
	for _, e := range p.Errors {
		if e.Field == field || e.Field == "body."+field {
			return true
		}
	}
	return false
}

func path(format string, args ...any) string { return fmt.Sprintf(format, args...) }
