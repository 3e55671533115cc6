package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"

	"gridwork/internal/apperr"
	"gridwork/internal/auth"
)

type ctxKey int

const (
	keyUser ctxKey = iota
	keyAuthErr
	keyRequestID
	keyRemote
	keyScope
)

// SessionCookie is the name of the browser session cookie.
const SessionCookie = "gridwork_session"

// authenticate finds the caller from a bearer token or the session cookie and
// puts the user (or why there is none) into the request's context. Whether
// an operation needs a user is the operation's business (see op).
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id := make([]byte, 8)
		rand.Read(id)
		ctx = context.WithValue(ctx, keyRequestID, hex.EncodeToString(id))
		ctx = context.WithValue(ctx, keyRemote, clientAddr(r, s.trustedProxies))
		token, viaCookie := "", false
		if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
			token = strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
		} else if c, err := r.Cookie(SessionCookie); err == nil {
			token, viaCookie = c.Value, true
		}
		if token != "" {
			u, err := s.auth.Authenticate(ctx, token)
			if err == nil && viaCookie && !sameOrigin(r) {
				err = apperr.New(apperr.Forbidden, "cross-site request refused")
			}
			if err != nil {
				ctx = context.WithValue(ctx, keyAuthErr, err)
			} else {
				ctx = context.WithValue(ctx, keyUser, u)
				s.noteLogin(r, u, viaCookie) // duty: the day's login (app or PC)
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// sameOrigin guards cookie-authenticated writes against cross-site requests:
// a browser sends Origin (or Sec-Fetch-Site) with them, and it must be ours.
func sameOrigin(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return false
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		o := strings.TrimPrefix(strings.TrimPrefix(origin, "https://"), "http://")
		return o == r.Host
	}
	return true
}

// caller returns the signed-in user, or Unauthorized.
func caller(ctx context.Context) (auth.User, error) {
	if u, ok := ctx.Value(keyUser).(auth.User); ok {
		return u, nil
	}
	if err, ok := ctx.Value(keyAuthErr).(error); ok {
		return auth.User{}, err
	}
	return auth.User{}, apperr.New(apperr.Unauthorized, "sign in first (POST /api/login), or send a bearer token")
}

// scope returns the caller's scope, resolved once per request by op (or
// here, for a handler outside op).
func (s *Server) scope(ctx context.Context) *auth.Scope {
	if sc, ok := ctx.Value(keyScope).(*auth.Scope); ok {
		return sc
	}
	u, _ := caller(ctx)
	return s.auth.ScopeOf(u)
}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(keyRequestID).(string)
	return id
}

func remoteAddr(ctx context.Context) string {
	a, _ := ctx.Value(keyRemote).(string)
	return a
}
