// Package auth holds user accounts, argon2id passwords, cookie sessions and
// bearer tokens, login throttling, and the access rules: what each role may
// do, and the org subtree (scope) it may do it in.
package auth

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/org"
	"gridwork/internal/store"
)

// Role is what a user is.
type Role string

// The roles.
const (
	Admin          Role = "admin"           // 系统管理员: everything, everywhere
	CentreStaff    Role = "centre_staff"    // 中心工作人员: runs the centre for a street or district
	CommunityStaff Role = "community_staff" // 社区工作人员: one community
	Inspector      Role = "inspector"       // 督查员: reads, and later records findings
	GridWorkerRole Role = "grid_worker"     // 网格员: reads their community, writes their own grids
)

// Roles lists every role.
var Roles = []Role{Admin, CentreStaff, CommunityStaff, Inspector, GridWorkerRole}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// User is an account. The password hash never leaves this package.
type User struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Role        Role   `json:"role"`
	// ScopeUnitID is the root of the org subtree the user may see; empty
	// only for an admin, who sees everything.
	ScopeUnitID string `json:"scope_unit_id,omitempty"`
	// WorkerID links a grid worker's account to their staff record.
	WorkerID string `json:"worker_id,omitempty"`
	// PasswordGenerated is true while the password is one the system made
	// and the user has not yet chosen their own.
	PasswordGenerated bool      `json:"password_generated"`
	Disabled          bool      `json:"disabled"`
	CreatedAt         time.Time `json:"created_at"`
}

// Store keeps users and sessions.
type Store struct {
	db     *store.DB
	org    *org.Store
	params Params
	// now is the clock, replaceable in tests of throttling.
	now func() time.Time
}

// NewStore returns a Store hashing passwords with p.
func NewStore(db *store.DB, orgs *org.Store, p Params) *Store {
	return &Store{db: db, org: orgs, params: p, now: store.Now}
}

// userCols lists the columns scanUser reads, qualified by alias.
func userCols(alias string) string {
	return strings.NewReplacer("@", alias+".").Replace(
		`@id, @username, @display_name, @role, COALESCE(@scope_unit_id, ''), COALESCE(@worker_id, ''), @password_generated, @disabled, @created_at`)
}

var userColumns = userCols("users")

// scanUser reads the userCols columns, then any extra columns into extra.
func scanUser(row store.Row, extra ...any) (User, error) {
	var u User
	dest := append([]any{&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.ScopeUnitID, &u.WorkerID, &u.PasswordGenerated, &u.Disabled, &u.CreatedAt}, extra...)
	err := row.Scan(dest...)
	return u, err
}

var usernameShape = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{2,31}$`)

// NewUser describes an account to create.
type NewUser struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Role        Role   `json:"role"`
	ScopeUnitID string `json:"scope_unit_id,omitempty"`
	WorkerID    string `json:"worker_id,omitempty"`
	// Password is optional: empty means "generate one", which CreateUser
	// returns once and which the user is asked to replace.
	Password string `json:"password,omitempty"`
	// NoPassword creates the account without any password that can sign
	// in, to be activated later by a password reset (bulk loads, where
	// hashing thousands of passwords nobody will see is wasted work).
	NoPassword bool `json:"-"`
}

// noPassword is the stored hash of an account that cannot sign in yet.
const noPassword = "!"

// CreateUser adds an account and returns it with the generated password, if
// one was generated. Errors: Invalid naming each field, Conflict for a taken
// username.
func (s *Store) CreateUser(ctx context.Context, actor string, in NewUser) (User, string, error) {
	var out User
	var generated string
	err := s.db.Tx(ctx, func(tx store.Tx) error {
		ctx := store.WithTx(ctx, tx) // helpers read through tx, not the pool
		u, pw, err := s.createUser(ctx, tx, actor, in)
		out, generated = u, pw
		return err
	})
	return out, generated, err
}

// scopeLevels are the levels a role's scope may be rooted at.
var scopeLevels = map[Role][]org.Level{
	CentreStaff:    {org.District, org.Street},
	CommunityStaff: {org.Community, org.Area},
	Inspector:      {org.District, org.Street, org.Community},
	GridWorkerRole: {org.Community, org.Area},
}

func (s *Store) createUser(ctx context.Context, tx store.Tx, actor string, in NewUser) (User, string, error) {
	in.Username = strings.ToLower(strings.TrimSpace(in.Username))
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	var bad []apperr.FieldError
	if !usernameShape.MatchString(in.Username) {
		bad = append(bad, apperr.FieldError{Field: "username", Reason: fmt.Sprintf("%q must be 3-32 characters: lower-case letters, digits, '.', '_' or '-'", in.Username)})
	}
	if in.DisplayName == "" {
		in.DisplayName = in.Username
	}
	if !in.Role.Valid() {
		bad = append(bad, apperr.FieldError{Field: "role", Reason: fmt.Sprintf("%q is not one of admin, centre_staff, community_staff, inspector, grid_worker", in.Role)})
	}
	if in.Password != "" {
		if why := CheckPasswordStrength(in.Password, in.Username); why != "" {
			bad = append(bad, apperr.FieldError{Field: "password", Reason: why})
		}
	}
	if len(bad) > 0 {
		return User{}, "", apperr.InvalidFields("cannot create user "+in.Username, bad...)
	}
	today := dates.Today()
	if in.Role == GridWorkerRole {
		if in.WorkerID == "" {
			return User{}, "", apperr.Field("worker_id", "a grid worker's account must name their staff record")
		}
		w, err := s.org.GetWorker(ctx, in.WorkerID)
		if err != nil {
			return User{}, "", apperr.Field("worker_id", err.Error())
		}
		if in.ScopeUnitID == "" {
			in.ScopeUnitID = w.HomeUnitID
		}
	}
	if in.Role == Admin {
		if in.ScopeUnitID != "" {
			return User{}, "", apperr.Field("scope_unit_id", "an admin's scope is everything; leave it empty")
		}
	} else {
		if in.ScopeUnitID == "" {
			return User{}, "", apperr.Field("scope_unit_id", fmt.Sprintf("a %s needs a scope: the org unit whose subtree they may see", in.Role))
		}
		unit, err := s.org.GetUnit(ctx, in.ScopeUnitID, today)
		if err != nil {
			return User{}, "", apperr.Field("scope_unit_id", err.Error())
		}
		ok := false
		for _, l := range scopeLevels[in.Role] {
			ok = ok || unit.Level == l
		}
		if !ok {
			return User{}, "", apperr.Field("scope_unit_id", fmt.Sprintf("a %s's scope cannot be a %s", in.Role, unit.Level))
		}
	}
	generated, hash := "", noPassword
	if !in.NoPassword {
		pw := in.Password
		if pw == "" {
			generated = GeneratePassword()
			pw = generated
		}
		var err error
		if hash, err = HashPassword(pw, s.params); err != nil {
			return User{}, "", err
		}
	}
	u := User{ID: store.NewID(), Username: in.Username, DisplayName: in.DisplayName, Role: in.Role,
		ScopeUnitID: in.ScopeUnitID, WorkerID: in.WorkerID, PasswordGenerated: in.Password == "", CreatedAt: s.now()}
	var exists int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE username = $1`, u.Username).Scan(&exists); err != nil {
		return User{}, "", fmt.Errorf("auth: check username: %w", err)
	}
	if exists > 0 {
		return User{}, "", apperr.New(apperr.Conflict, "username %s is taken", u.Username)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO users (id, username, display_name, role, scope_unit_id, worker_id, password_hash, password_generated, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		u.ID, u.Username, u.DisplayName, u.Role, nullable(u.ScopeUnitID), nullable(u.WorkerID), hash, u.PasswordGenerated, u.CreatedAt)
	if err != nil {
		return User{}, "", fmt.Errorf("auth: create user: %w", err)
	}
	_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "create", Entity: "user", EntityID: u.ID, After: u})
	return u, generated, err
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// GetUser returns user id. Errors: NotFound.
func (s *Store) GetUser(ctx context.Context, id string) (User, error) {
	return getUser(ctx, s.db.Q(ctx), `id = $1`, id)
}

// GetUserByUsername returns the user called username. Errors: NotFound.
func (s *Store) GetUserByUsername(ctx context.Context, username string) (User, error) {
	return getUser(ctx, s.db.Q(ctx), `username = $1`, strings.ToLower(username))
}

func getUser(ctx context.Context, q store.Queryer, cond string, arg string) (User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+cond, arg))
	if store.IsNoRows(err) {
		return User{}, apperr.New(apperr.NotFound, "no user %s", arg)
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: get user: %w", err)
	}
	return u, nil
}

// ListUsers returns all users ordered by username. The caller filters by
// scope.
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("auth: list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// UsersIn returns the accounts whose scope unit lies in sc's subtree today
// (every account for a scope that is everything), ordered by username.
func (s *Store) UsersIn(ctx context.Context, sc *Scope) ([]User, error) {
	var args store.Args
	prefix, where := "", ""
	if root := sc.Root(); root != "" {
		prefix = org.SubtreeCTE(&args, root, dates.Today())
		where = ` WHERE scope_unit_id IN (SELECT id FROM sub)`
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, prefix+`SELECT `+userColumns+` FROM users`+where+` ORDER BY username`, args...)
	if err != nil {
		return nil, fmt.Errorf("auth: list users: %w", err)
	}
	defer rows.Close()
	out := []User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// SetPassword replaces user id's password (generated marks it as one the
// system made, e.g. a reset by an admin) and clears any lock. Errors:
// Invalid, NotFound.
func (s *Store) SetPassword(ctx context.Context, actor, id, pw string, generated bool) error {
	u, err := s.GetUser(ctx, id)
	if err != nil {
		return err
	}
	if !generated {
		if why := CheckPasswordStrength(pw, u.Username); why != "" {
			return apperr.Field("password", why)
		}
	}
	hash, err := HashPassword(pw, s.params)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx store.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, password_generated = $2, failed_logins = 0, locked_until = NULL WHERE id = $3`,
			hash, generated, id); err != nil {
			return fmt.Errorf("auth: set password: %w", err)
		}
		// The hash is not recorded, only that the password changed.
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "set_password", Entity: "user", EntityID: id,
			After: map[string]any{"password_generated": generated}})
		return err
	})
}

// ChangeOwnPassword lets a signed-in user replace their password, proving
// they know the current one. Errors: Invalid, Unauthorized.
func (s *Store) ChangeOwnPassword(ctx context.Context, id, current, next string) error {
	var hash string
	if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = $1`, id).Scan(&hash); err != nil {
		return fmt.Errorf("auth: change password: %w", err)
	}
	ok := false
	if hash != noPassword {
		var err error
		if ok, err = CheckPassword(hash, current); err != nil {
			return err
		}
	}
	if !ok {
		return apperr.Field("current_password", "is not your current password")
	}
	return s.SetPassword(ctx, id, id, next, false)
}

// AdminUsername is the account that `serve` bootstraps.
const AdminUsername = "admin"

// EnsureAdmin makes sure the bootstrap admin account exists. While that
// account still has a system-made password (it has never chosen its own),
// every start gives it a fresh one-time password and returns it, to be
// printed; once the admin has set their own password, it returns "".
func (s *Store) EnsureAdmin(ctx context.Context) (string, error) {
	u, err := s.GetUserByUsername(ctx, AdminUsername)
	if apperr.CodeOf(err) == apperr.NotFound {
		_, pw, err := s.CreateUser(ctx, "system", NewUser{Username: AdminUsername, DisplayName: "系统管理员", Role: Admin})
		return pw, err
	}
	if err != nil {
		return "", err
	}
	if !u.PasswordGenerated {
		return "", nil
	}
	pw := GeneratePassword()
	return pw, s.SetPassword(ctx, "system", u.ID, pw, true)
}
