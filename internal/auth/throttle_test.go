package auth

// Login throttling needs a clock the test moves, so these tests live inside
// the package and set Store.now.

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/org"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

const goodPassword = "correct horse battery"

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// throttled returns a store on a fresh database whose clock the test holds,
// and one account with a known password.
func throttled(t *testing.T, db *store.DB) (*Store, *clock, User) {
	t.Helper()
	c := &clock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	s := NewStore(db, org.NewStore(db), TestParams)
	s.now = c.now
	u, _, err := s.CreateUser(context.Background(), "test", NewUser{Username: "alice", Role: Admin, Password: goodPassword})
	if err != nil {
		t.Fatal(err)
	}
	return s, c, u
}

// wantCode checks err's code and, for TooMany and Locked, its Retry-After.
func wantCode(t *testing.T, what string, err error, code apperr.Code, retryAfter int) {
	t.Helper()
	if got := apperr.CodeOf(err); got != code {
		t.Fatalf("%s: %v (code %s), want %s", what, err, got, code)
	}
	if e := apperr.As(err); retryAfter >= 0 && e.RetryAfterSeconds != retryAfter {
		t.Fatalf("%s: Retry-After %d s, want %d", what, e.RetryAfterSeconds, retryAfter)
	}
}

func TestDelaySchedule(t *testing.T) {
	want := map[int]time.Duration{0: 0, 1: 0, 2: 0, 3: time.Second, 4: 2 * time.Second, 5: 4 * time.Second,
		8: 32 * time.Second, 9: MaxDelay, 10: MaxDelay, 40: MaxDelay}
	for n, d := range want {
		if got := delayAfter(n); got != d {
			t.Errorf("delayAfter(%d) = %s, want %s", n, got, d)
		}
	}
}

// Failures 1-3 are answered at once; from the third each further try must
// wait 2^(n-3) s (at most a minute); the tenth locks the account for
// LockFor, against the right password too; when the lock runs out the right
// password signs in and clears the count.
func TestLoginSlowsThenLocks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, c, u := throttled(t, db)

		for n := 1; n <= LockAfter; n++ {
			if wait := delayAfter(n - 1); wait > 0 {
				// Too soon, even with the right password: refused
				// without counting, and told how long to wait.
				_, err := s.Login(ctx, "alice", goodPassword, "test")
				wantCode(t, fmt.Sprintf("try %d at once", n), err, apperr.TooMany, int(wait/time.Second))
				c.advance(wait - time.Second)
				_, err = s.Login(ctx, "alice", goodPassword, "test")
				wantCode(t, fmt.Sprintf("try %d a second early", n), err, apperr.TooMany, 1)
				c.advance(time.Second)
			}
			_, err := s.Login(ctx, "alice", "wrong password", "test")
			wantCode(t, fmt.Sprintf("failure %d", n), err, apperr.Unauthorized, 0)
		}
		var failed int
		if err := db.QueryRowContext(ctx, `SELECT failed_logins FROM users WHERE id = $1`, u.ID).Scan(&failed); err != nil {
			t.Fatal(err)
		}
		if failed != LockAfter {
			t.Fatalf("failed_logins = %d after %d failures", failed, LockAfter)
		}

		// Locked: the right password is refused for LockFor.
		_, err := s.Login(ctx, "alice", goodPassword, "test")
		wantCode(t, "right password while locked", err, apperr.Locked, int(LockFor/time.Second))
		c.advance(LockFor - time.Second)
		_, err = s.Login(ctx, "alice", goodPassword, "test")
		wantCode(t, "a second before the lock ends", err, apperr.Locked, 1)
		c.advance(time.Second)
		sess, err := s.Login(ctx, "alice", goodPassword, "test")
		if err != nil {
			t.Fatalf("right password when the lock ends: %v", err)
		}
		if sess.User.ID != u.ID || !sess.ExpiresAt.Equal(c.now().Add(CookieTTL)) {
			t.Errorf("session = %+v", sess)
		}

		// The success cleared the count: one failure is not slowed.
		_, err = s.Login(ctx, "alice", "wrong password", "test")
		wantCode(t, "failure after success", err, apperr.Unauthorized, 0)
		if _, err := s.Login(ctx, "alice", goodPassword, "test"); err != nil {
			t.Fatalf("right password after one failure: %v", err)
		}

		// The audit log has the lock.
		rows, err := audit.List(ctx, db, "user", u.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		for _, r := range rows {
			count[r.Action]++
		}
		if count["locked"] != 1 || count["login_failed"] != LockAfter || count["login"] != 2 {
			t.Errorf("audit actions %v, want 1 locked, %d login_failed, 2 login", count, LockAfter)
		}
	})
}

// A password set by an admin clears the lock at once.
func TestSetPasswordUnlocks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, c, u := throttled(t, db)
		for n := 1; n <= LockAfter; n++ {
			c.advance(delayAfter(n - 1))
			s.Login(ctx, "alice", "wrong password", "test")
		}
		_, err := s.Login(ctx, "alice", goodPassword, "test")
		wantCode(t, "locked", err, apperr.Locked, -1)
		const reset = "a fresh one-time password"
		if err := s.SetPassword(ctx, "admin", u.ID, reset, true); err != nil {
			t.Fatal(err)
		}
		sess, err := s.Login(ctx, "alice", reset, "test")
		if err != nil {
			t.Fatalf("login right after the reset: %v", err)
		}
		if !sess.User.PasswordGenerated {
			t.Error("a reset password is not marked as generated")
		}
	})
}

// An unknown user, a wrong password, an account without a password and a
// disabled account get the same answer; the last two count as failures.
func TestLoginRefusalsLookAlike(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, c, u := throttled(t, db)
		if _, _, err := s.CreateUser(ctx, "test", NewUser{Username: "bob", Role: Admin, NoPassword: true}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CreateUser(ctx, "test", NewUser{Username: "carol", Role: Admin, Password: goodPassword}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE users SET disabled = $1 WHERE username = 'carol'`, true); err != nil {
			t.Fatal(err)
		}
		var first string
		for _, who := range []struct{ user, pw string }{
			{"alice", "wrong password"},
			{"nobody", "wrong password"},
			{"bob", "wrong password"},
			{"bob", ""},
			{"bob", "!"},
			{"carol", goodPassword},
		} {
			_, err := s.Login(ctx, who.user, who.pw, "test")
			wantCode(t, who.user, err, apperr.Unauthorized, 0)
			if first == "" {
				first = err.Error()
			} else if err.Error() != first {
				t.Errorf("%s is refused with %q, alice with %q", who.user, err, first)
			}
		}
		// Usernames are matched case-blind and trimmed.
		c.advance(time.Second)
		if sess, err := s.Login(ctx, "  ALICE ", goodPassword, "test"); err != nil || sess.User.ID != u.ID {
			t.Errorf("login as \"  ALICE \": %v", err)
		}
	})
}

// Logins of unknown users run concurrently (every HTTP request is a
// goroutine); the dummy hash they share must not race. Run with -race.
func TestUnknownUserLoginsConcurrently(t *testing.T) {
	db := storetest.SQLite(t)
	s := NewStore(db, org.NewStore(db), TestParams)
	dummy.Lock()
	dummy.params, dummy.hash = Params{}, "" // as in a fresh process
	dummy.Unlock()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Login(context.Background(), fmt.Sprintf("ghost%d", i), "pw", "test"); apperr.CodeOf(err) != apperr.Unauthorized {
				t.Errorf("ghost%d: %v", i, err)
			}
		}()
	}
	wg.Wait()
}

// Sessions expire on the store's clock.
func TestSessionExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, c, u := throttled(t, db)
		sess, err := s.Login(ctx, "alice", goodPassword, "test")
		if err != nil {
			t.Fatal(err)
		}
		tok, err := s.CreateToken(ctx, u.ID, u.ID, "script", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, sess.Token); err != nil {
			t.Fatalf("fresh session: %v", err)
		}
		c.advance(time.Hour)
		if _, err := s.Authenticate(ctx, tok.Token); apperr.CodeOf(err) != apperr.Unauthorized {
			t.Errorf("token at its expiry: %v", err)
		}
		if _, err := s.Authenticate(ctx, sess.Token); err != nil {
			t.Errorf("cookie session after an hour: %v", err)
		}
		c.advance(CookieTTL)
		if _, err := s.Authenticate(ctx, sess.Token); apperr.CodeOf(err) != apperr.Unauthorized {
			t.Errorf("cookie session after its TTL: %v", err)
		}
		for _, bad := range []string{"", "gw_", "gw_forged", "not-ours"} {
			if _, err := s.Authenticate(ctx, bad); apperr.CodeOf(err) != apperr.Unauthorized {
				t.Errorf("Authenticate(%q): %v", bad, err)
			}
		}
	})
}
