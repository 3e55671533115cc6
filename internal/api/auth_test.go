package api_test

import (
	"context"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"gridwork/internal/api"
	"gridwork/internal/apperr"
	"gridwork/internal/store"
)

// dummyID stands in for every path parameter of the unauthenticated sweep.
const dummyID = "01900000-0000-7000-8000-000000000000"

// operation is one operation of the OpenAPI document.
type operation struct {
	method, path string
	op           *huma.Operation
}

func operations(t *testing.T, srv *api.Server) []operation {
	t.Helper()
	var out []operation
	for p, item := range srv.API().OpenAPI().Paths {
		for method, o := range map[string]*huma.Operation{
			http.MethodGet: item.Get, http.MethodPut: item.Put, http.MethodPost: item.Post, http.MethodDelete: item.Delete,
			http.MethodPatch: item.Patch, http.MethodHead: item.Head, http.MethodOptions: item.Options,
		} {
			if o != nil {
				out = append(out, operation{method: method, path: p, op: o})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path+out[i].method < out[j].path+out[j].method })
	if len(out) < 20 {
		t.Fatalf("the OpenAPI document lists only %d operations", len(out))
	}
	return out
}

// concrete fills a path template's parameters with the dummy id.
func concrete(template string) string {
	for {
		i := strings.Index(template, "{")
		j := strings.Index(template, "}")
		if i < 0 || j < i {
			return template
		}
		template = template[:i] + dummyID + template[j+1:]
	}
}

// Every operation but login and the public side needs a session or a
// token, and says so before it looks at the input: 401, never a 422 that
// describes the input.
func TestEveryOperationNeedsSignIn(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, f *fixture) {
		ops := operations(t, f.srv)
		for _, p := range []string{"/healthz", "/openapi.json", "/metrics"} {
			if _, ok := f.srv.API().OpenAPI().Paths[p]; ok {
				t.Errorf("%s is in the OpenAPI document; it is served outside the API", p)
			}
		}
		garbage := &client{base: f.ts.URL, hc: &http.Client{}, token: "gw_not-a-real-token"}
		notOurs := &client{base: f.ts.URL, hc: &http.Client{}, token: "something-else"}
		badCookie := f.anon()
		checked := 0
		for _, o := range ops {
			// Login and the public side (/api/public/: grid boards and the
			// residents' survey) are open by design, and only they.
			if o.op.OperationID == "login" || strings.HasPrefix(o.path, "/api/public/") {
				if len(o.op.Security) != 0 {
					t.Errorf("%s is documented as needing security %v", o.op.OperationID, o.op.Security)
				}
				continue
			}
			checked++
			if len(o.op.Security) == 0 {
				t.Errorf("%s %s (%s) documents no security", o.method, o.path, o.op.OperationID)
			}
			var body any
			if o.op.RequestBody != nil {
				body = rawBody("{}")
			}
			p := concrete(o.path)
			for _, who := range []struct {
				name   string
				c      *client
				header []string
			}{
				{"anonymous", f.anon(), nil},
				{"unknown bearer token", garbage, nil},
				{"foreign bearer token", notOurs, nil},
				{"unknown cookie", badCookie, []string{"Cookie", api.SessionCookie + "=gw_forged"}},
			} {
				r := who.c.do(t, o.method, p, body, who.header...)
				s := scenario{name: o.op.OperationID, method: o.method, path: p, wantStatus: http.StatusUnauthorized, wantCode: apperr.Unauthorized,
					notBody: []string{"required property", "validation failed"}}
				t.Run(o.op.OperationID+"/"+who.name, func(t *testing.T) { s.verify(t, r) })
			}
		}
		if checked < 25 {
			t.Errorf("checked %d operations, want every one of the route table's but login", checked)
		}
	})
}

func TestSessionsAndTokens(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()

		t.Run("login answers the user and sets a strict cookie", func(t *testing.T) {
			u := f.setPassword(t, "c04staff")
			c := f.anon()
			r := c.do(t, http.MethodPost, "/api/login", map[string]string{"username": "C04Staff ", "password": testPassword})
			if r.status != http.StatusOK {
				t.Fatalf("login: %d %s", r.status, r.body)
			}
			var body struct {
				User struct {
					ID       string `json:"id"`
					Username string `json:"username"`
				} `json:"user"`
				ExpiresAt          time.Time `json:"expires_at"`
				MustChangePassword bool      `json:"must_change_password"`
			}
			r.decode(t, &body)
			if body.User.ID != u.ID || body.MustChangePassword || body.ExpiresAt.Before(time.Now().Add(11*time.Hour)) {
				t.Errorf("login body = %+v", body)
			}
			sc := r.header.Get("Set-Cookie")
			for _, want := range []string{api.SessionCookie + "=gw_", "HttpOnly", "SameSite=Strict", "Path=/"} {
				if !strings.Contains(sc, want) {
					t.Errorf("Set-Cookie %q lacks %q", sc, want)
				}
			}
			if strings.Contains(sc, "Secure") {
				t.Errorf("Set-Cookie %q is Secure without SecureCookies", sc)
			}
			if strings.Contains(string(r.body), c.sessionCookie()) {
				t.Error("the login body repeats the session token")
			}
		})

		t.Run("bearer token", func(t *testing.T) {
			b := f.bearer(t, "c05staff")
			scenario{method: "GET", path: "/api/me", wantStatus: 200, wantBody: []string{`"username":"c05staff"`}}.verify(t, b.do(t, "GET", "/api/me", nil))
			// A token is not a cookie: no cross-site check applies to it.
			r := b.do(t, http.MethodPost, "/api/me/tokens", map[string]any{"name": "second"}, "Origin", "http://evil.example")
			scenario{method: "POST", path: "/api/me/tokens", wantStatus: 200, wantBody: []string{`"token":"gw_`}}.verify(t, r)
			// "Bearer" with no token is no credential at all.
			bare := &client{base: f.ts.URL, hc: &http.Client{}}
			scenario{method: "GET", path: "/api/me", wantStatus: 401, wantCode: apperr.Unauthorized}.verify(t, bare.do(t, "GET", "/api/me", nil, "Authorization", "Bearer "))
			// Tokens are named after their device.
			r = b.do(t, http.MethodPost, "/api/me/tokens", map[string]any{"name": "   "})
			scenario{method: "POST", path: "/api/me/tokens", wantStatus: 422, wantCode: apperr.Invalid}.verify(t, r)
		})

		t.Run("expired token", func(t *testing.T) {
			b := f.bearer(t, "c06staff")
			if _, err := f.db.ExecContext(ctx, `UPDATE sessions SET expires_at = $1 WHERE user_id = $2 AND kind = 'bearer'`,
				store.Now().Add(-time.Minute), b.user.ID); err != nil {
				t.Fatal(err)
			}
			r := b.do(t, http.MethodGet, "/api/me", nil)
			scenario{method: "GET", path: "/api/me", wantStatus: 401, wantCode: apperr.Unauthorized, wantBody: []string{"expired"}}.verify(t, r)
		})

		t.Run("logout ends the cookie session", func(t *testing.T) {
			c := f.freshSignIn(t, "c07staff")
			token := c.sessionCookie()
			scenario{method: "GET", path: "/api/me", wantStatus: 200}.verify(t, c.do(t, "GET", "/api/me", nil))
			r := c.do(t, http.MethodPost, "/api/logout", nil)
			scenario{method: "POST", path: "/api/logout", wantStatus: 204}.verify(t, r)
			if sc := r.header.Get("Set-Cookie"); !strings.Contains(sc, api.SessionCookie+"=;") || !strings.Contains(sc, "Max-Age=0") {
				t.Errorf("logout Set-Cookie %q does not clear the cookie", sc)
			}
			if c.sessionCookie() != "" {
				t.Error("the cookie jar still holds the session after logout")
			}
			// The old cookie, replayed, is dead on the server too.
			r = f.anon().do(t, http.MethodGet, "/api/me", nil, "Cookie", api.SessionCookie+"="+token)
			scenario{method: "GET", path: "/api/me", wantStatus: 401, wantCode: apperr.Unauthorized}.verify(t, r)
		})

		t.Run("logout revokes a bearer token", func(t *testing.T) {
			b := f.bearer(t, "c08staff")
			scenario{method: "POST", path: "/api/logout", wantStatus: 204}.verify(t, b.do(t, http.MethodPost, "/api/logout", nil))
			scenario{method: "GET", path: "/api/me", wantStatus: 401, wantCode: apperr.Unauthorized}.verify(t, b.do(t, "GET", "/api/me", nil))
		})

		t.Run("logout with a non-bearer Authorization header ends the cookie session", func(t *testing.T) {
			c := f.freshSignIn(t, "c09staff")
			token := c.sessionCookie()
			r := c.do(t, http.MethodPost, "/api/logout", nil, "Authorization", "Basic Zm9vOmJhcg==")
			scenario{method: "POST", path: "/api/logout", wantStatus: 204}.verify(t, r)
			r = f.anon().do(t, http.MethodGet, "/api/me", nil, "Cookie", api.SessionCookie+"="+token)
			scenario{method: "GET", path: "/api/me", wantStatus: 401, wantCode: apperr.Unauthorized}.verify(t, r)
		})

		t.Run("a disabled account's session stops working", func(t *testing.T) {
			c := f.freshSignIn(t, "c10staff")
			if _, err := f.db.ExecContext(ctx, `UPDATE users SET disabled = $1 WHERE id = $2`, true, c.user.ID); err != nil {
				t.Fatal(err)
			}
			scenario{method: "GET", path: "/api/me", wantStatus: 401, wantCode: apperr.Unauthorized}.verify(t, c.do(t, "GET", "/api/me", nil))
		})
	})
}

// Three wrong passwords slow the account down; an unknown name is refused
// exactly like a wrong password; a locked account says so until reset.
func TestLoginThrottling(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		login := func(user, pw string) *response {
			return f.anon().do(t, http.MethodPost, "/api/login", map[string]string{"username": user, "password": pw})
		}
		const victim = "c02staff"
		f.setPassword(t, victim)

		var wrongDetail string
		for i := 1; i <= 3; i++ {
			r := login(victim, "wrong password "+strconv.Itoa(i))
			scenario{name: "wrong password", method: "POST", path: "/api/login", wantStatus: 401, wantCode: apperr.Unauthorized}.verify(t, r)
			p := r.problem(t)
			if wrongDetail == "" {
				wrongDetail = p.Detail
			} else if p.Detail != wrongDetail {
				t.Errorf("failure %d says %q, failure 1 said %q", i, p.Detail, wrongDetail)
			}
		}
		// The fourth try, even with the right password, must wait.
		r := login(victim, testPassword)
		scenario{method: "POST", path: "/api/login", wantStatus: 429, wantCode: apperr.TooMany}.verify(t, r)
		ra, err := strconv.Atoi(r.header.Get("Retry-After"))
		if err != nil || ra < 1 || ra > 2 {
			t.Errorf("Retry-After = %q, want 1 or 2 seconds after the third failure", r.header.Get("Retry-After"))
		}

		// An unknown user gets the wrong password's answer, word for word.
		r = login("nobody-here", "whatever password")
		scenario{method: "POST", path: "/api/login", wantStatus: 401, wantCode: apperr.Unauthorized}.verify(t, r)
		if p := r.problem(t); p.Detail != wrongDetail {
			t.Errorf("unknown user: %q; wrong password: %q", p.Detail, wrongDetail)
		}
		// So does an account that has no password yet (demo accounts).
		r = login("c03staff", "whatever password")
		scenario{method: "POST", path: "/api/login", wantStatus: 401, wantCode: apperr.Unauthorized}.verify(t, r)
		if p := r.problem(t); p.Detail != wrongDetail {
			t.Errorf("account without password: %q; wrong password: %q", p.Detail, wrongDetail)
		}
		// Malformed logins are input errors, not failures.
		scenario{method: "POST", path: "/api/login", wantStatus: 422, wantCode: apperr.Invalid}.verify(t, login("", "x"))

		// A locked account answers 423 with Retry-After, even to the right
		// password, until an admin resets it.
		const locked = "w002"
		lu := f.setPassword(t, locked)
		until := store.Now().Add(10 * time.Minute)
		if _, err := f.db.ExecContext(ctx, `UPDATE users SET failed_logins = $1, last_failed_at = $2, locked_until = $3 WHERE id = $4`,
			10, store.Now(), until, lu.ID); err != nil {
			t.Fatal(err)
		}
		r = login(locked, testPassword)
		scenario{method: "POST", path: "/api/login", wantStatus: 423, wantCode: apperr.Locked, wantBody: []string{"locked"}}.verify(t, r)
		if ra, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || ra < 500 || ra > 600 {
			t.Errorf("Retry-After = %q, want about 600 seconds", r.header.Get("Retry-After"))
		}
		reset := f.signIn(t, "admin").do(t, http.MethodPost, "/api/users/"+lu.ID+"/password-reset", nil)
		scenario{method: "POST", path: "/api/users/{id}/password-reset", wantStatus: 200}.verify(t, reset)
		var pw struct {
			Password string `json:"password"`
		}
		reset.decode(t, &pw)
		r = login(locked, pw.Password)
		scenario{method: "POST", path: "/api/login", wantStatus: 200, wantBody: []string{`"must_change_password":true`}}.verify(t, r)
	})
}

// A cookie is refused on a write that another site's page sends.
func TestCrossSiteWrites(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, f *fixture) {
		c := f.signIn(t, "admin")
		send := func(method, origin string, header ...string) *response {
			h := append([]string{"Origin", origin}, header...)
			if origin == "" {
				h = header
			}
			var body any
			if method != http.MethodGet {
				body = map[string]any{"name": "csrf probe"}
			}
			p := "/api/me/tokens"
			if method == http.MethodGet {
				p = "/api/me"
			}
			return c.do(t, method, p, body, h...)
		}
		cases := []struct {
			name   string
			method string
			origin string
			header []string
			want   int
			code   apperr.Code
		}{
			{"foreign origin", http.MethodPost, "http://evil.example", nil, 403, apperr.Forbidden},
			{"foreign https origin", http.MethodPost, "https://evil.example", nil, 403, apperr.Forbidden},
			{"our host on another port", http.MethodPost, "http://127.0.0.1:1", nil, 403, apperr.Forbidden},
			{"cross-site fetch metadata", http.MethodPost, "", []string{"Sec-Fetch-Site", "cross-site"}, 403, apperr.Forbidden},
			{"same-site fetch metadata", http.MethodPost, "", []string{"Sec-Fetch-Site", "same-site"}, 403, apperr.Forbidden},
			{"our origin", http.MethodPost, f.ts.URL, nil, 200, ""},
			{"same-origin fetch metadata", http.MethodPost, f.ts.URL, []string{"Sec-Fetch-Site", "same-origin"}, 200, ""},
			{"no origin (curl)", http.MethodPost, "", nil, 200, ""},
			{"a read from a foreign origin", http.MethodGet, "http://evil.example", nil, 200, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := send(tc.method, tc.origin, tc.header...)
				scenario{method: tc.method, path: "/api/me/tokens", wantStatus: tc.want, wantCode: tc.code}.verify(t, r)
				if tc.want == 403 && !strings.Contains(string(r.body), "cross-site") {
					t.Errorf("refusal does not say why: %s", r.body)
				}
			})
		}
		// The refused request changed nothing: the session still works.
		scenario{method: "GET", path: "/api/me", wantStatus: 200}.verify(t, c.do(t, http.MethodGet, "/api/me", nil))
	})
}
