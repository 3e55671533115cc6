package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/store"
)

// Session kinds: a browser's cookie, or a bearer token for devices and
// scripts.
const (
	CookieSession = "cookie"
	BearerToken   = "bearer"
)

// Lifetimes.
const (
	CookieTTL      = 12 * time.Hour
	DefaultBearerT = 90 * 24 * time.Hour
	// touchEvery limits how often a request writes last_seen_at.
	touchEvery = 5 * time.Minute
)

// Login throttling: after SlowAfter consecutive failures each further try
// must wait 2^(n-SlowAfter) seconds (at most MaxDelay) after the last
// failure; at LockAfter failures the account is locked for LockFor. A
// success, or a password set by an admin, clears both.
const (
	SlowAfter = 3
	LockAfter = 10
	MaxDelay  = time.Minute
	LockFor   = 15 * time.Minute
)

// delayAfter returns how long to wait after n consecutive failures.
func delayAfter(n int) time.Duration {
	if n < SlowAfter {
		return 0
	}
	d := time.Duration(math.Pow(2, float64(n-SlowAfter))) * time.Second
	if d > MaxDelay {
		return MaxDelay
	}
	return d
}

// tokenPrefix marks gridwork tokens, so a leaked one is recognisable.
const tokenPrefix = "gw_"

func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// Session is a signed-in session or token.
type Session struct {
	Token     string    `json:"token"`
	User      User      `json:"user"`
	ExpiresAt time.Time `json:"expires_at"`
}

var errBadLogin = apperr.New(apperr.Unauthorized, "wrong username or password")

// Login checks a username and password and opens a cookie session. Errors:
// Unauthorized (the same for an unknown user and a wrong password), TooMany
// while slowed down, Locked while locked; both carry RetryAfterSeconds.
func (s *Store) Login(ctx context.Context, username, password, from string) (Session, error) {
	var hash string
	var failed int
	var lastFailed, lockedUntil *time.Time
	u, err := scanUser(s.db.Q(ctx).QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash, failed_logins, last_failed_at, locked_until
		FROM users WHERE username = $1`, strings.ToLower(strings.TrimSpace(username))), &hash, &failed, &lastFailed, &lockedUntil)
	if store.IsNoRows(err) {
		// Spend the time a real check would, so response times do not
		// tell which usernames exist.
		CheckPassword(dummyHash(s.params), password)
		return Session{}, errBadLogin
	}
	if err != nil {
		return Session{}, fmt.Errorf("auth: login: %w", err)
	}
	now := s.now()
	if lockedUntil != nil && now.Before(*lockedUntil) {
		return Session{}, &apperr.Error{Code: apperr.Locked, RetryAfterSeconds: ceilSeconds(lockedUntil.Sub(now)),
			Message: fmt.Sprintf("account locked after %d failed logins until %s; ask an administrator to reset it, or wait", LockAfter, lockedUntil.Format(time.RFC3339))}
	}
	if lastFailed != nil {
		if wait := lastFailed.Add(delayAfter(failed)).Sub(now); wait > 0 {
			return Session{}, &apperr.Error{Code: apperr.TooMany, RetryAfterSeconds: ceilSeconds(wait),
				Message: fmt.Sprintf("too many failed logins; try again in %d seconds", ceilSeconds(wait))}
		}
	}
	ok := false
	if hash == noPassword {
		// As slow as a real check, so timing does not tell which
		// accounts have no password yet.
		CheckPassword(dummyHash(s.params), password)
	} else if ok, err = CheckPassword(hash, password); err != nil {
		return Session{}, err
	}
	if !ok || u.Disabled {
		failed++
		var lock any
		action := "login_failed"
		if failed >= LockAfter {
			lock, action = now.Add(LockFor), "locked"
		}
		err := s.db.Tx(ctx, func(tx store.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = $1, last_failed_at = $2, locked_until = $3 WHERE id = $4`, failed, now, lock, u.ID); err != nil {
				return fmt.Errorf("auth: record failed login: %w", err)
			}
			_, err := audit.Append(ctx, tx, audit.Entry{Actor: "anonymous", Action: action, Entity: "user", EntityID: u.ID,
				After: map[string]any{"failed_logins": failed, "from": from}})
			return err
		})
		if err != nil {
			return Session{}, err
		}
		return Session{}, errBadLogin
	}
	var sess Session
	err = s.db.Tx(ctx, func(tx store.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = 0, last_failed_at = NULL, locked_until = NULL WHERE id = $1`, u.ID); err != nil {
			return fmt.Errorf("auth: clear failed logins: %w", err)
		}
		sess, err = s.createSession(ctx, tx, u, CookieSession, "", CookieTTL)
		if err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: u.ID, Action: "login", Entity: "user", EntityID: u.ID, After: map[string]any{"from": from}})
		return err
	})
	return sess, err
}

func ceilSeconds(d time.Duration) int { return int(math.Ceil(d.Seconds())) }

// dummy is the hash an unknown user's password is checked against. Logins
// run concurrently, so it is guarded.
var dummy struct {
	sync.Mutex
	params Params
	hash   string
}

func dummyHash(p Params) string {
	dummy.Lock()
	defer dummy.Unlock()
	if dummy.hash == "" || dummy.params != p {
		dummy.hash, _ = HashPassword("not a password", p)
		dummy.params = p
	}
	return dummy.hash
}

func (s *Store) createSession(ctx context.Context, tx store.Tx, u User, kind, name string, ttl time.Duration) (Session, error) {
	token := newToken()
	now := s.now()
	exp := now.Add(ttl)
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, kind, name, created_at, expires_at, last_seen_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, tokenHash(token), u.ID, kind, name, now, exp, now)
	if err != nil {
		return Session{}, fmt.Errorf("auth: create session: %w", err)
	}
	return Session{Token: token, User: u, ExpiresAt: exp}, nil
}

// CreateToken issues a bearer token for a device or script acting as user
// id. The token is returned once; only its hash is kept.
func (s *Store) CreateToken(ctx context.Context, actor, userID, name string, ttl time.Duration) (Session, error) {
	u, err := s.GetUser(ctx, userID)
	if err != nil {
		return Session{}, err
	}
	if strings.TrimSpace(name) == "" {
		return Session{}, apperr.Field("name", "name the token after the device or script that will use it")
	}
	if ttl <= 0 {
		ttl = DefaultBearerT
	}
	var sess Session
	err = s.db.Tx(ctx, func(tx store.Tx) error {
		sess, err = s.createSession(ctx, tx, u, BearerToken, name, ttl)
		if err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "create_token", Entity: "user", EntityID: u.ID,
			After: map[string]any{"name": name, "expires_at": sess.ExpiresAt}})
		return err
	})
	return sess, err
}

// Authenticate returns the user a session token or bearer token belongs to.
// Errors: Unauthorized for an unknown, expired or revoked token, or a
// disabled user.
func (s *Store) Authenticate(ctx context.Context, token string) (User, error) {
	if !strings.HasPrefix(token, tokenPrefix) {
		return User{}, apperr.New(apperr.Unauthorized, "not signed in")
	}
	h := tokenHash(token)
	var expires, seen time.Time
	// One query per request: the session and its user together.
	u, err := scanUser(s.db.Q(ctx).QueryRowContext(ctx, `SELECT `+userCols("u")+`, s.expires_at, s.last_seen_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1`, h), &expires, &seen)
	if store.IsNoRows(err) {
		return User{}, apperr.New(apperr.Unauthorized, "session unknown or signed out; sign in again")
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: authenticate: %w", err)
	}
	now := s.now()
	if !now.Before(expires) {
		return User{}, apperr.New(apperr.Unauthorized, "session expired; sign in again")
	}
	if u.Disabled {
		return User{}, apperr.New(apperr.Unauthorized, "account disabled")
	}
	if now.Sub(seen) > touchEvery {
		if _, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2`, now, h); err != nil {
			return User{}, fmt.Errorf("auth: touch session: %w", err)
		}
	}
	return u, nil
}

// Logout ends the session or revokes the token. Unknown tokens are ignored.
func (s *Store) Logout(ctx context.Context, token string) error {
	_, err := s.db.Q(ctx).ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash(token))
	if err != nil {
		return fmt.Errorf("auth: logout: %w", err)
	}
	return nil
}
