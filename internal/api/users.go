package api

import (
	"context"

	"gridwork/internal/apperr"
	"gridwork/internal/auth"
	"gridwork/internal/dates"
	"gridwork/internal/org"
)

type usersOutput struct{ Body []auth.User }

// inScope returns the ids of the units in u's scope today (nil for an admin:
// everything).
func (s *Server) inScope(ctx context.Context, u auth.User) (map[string]bool, error) {
	if u.Role == auth.Admin {
		return nil, nil
	}
	units, _, err := s.org.ListUnits(ctx, org.UnitQuery{On: dates.Today(), WithinID: u.ScopeUnitID, WithoutGeometry: true})
	if err != nil {
		return nil, err
	}
	ids := make(map[string]bool, len(units))
	for _, x := range units {
		ids[x.ID] = true
	}
	return ids, nil
}

func (s *Server) listUsers(ctx context.Context, u auth.User, _ *struct{}) (*usersOutput, error) {
	all, err := s.auth.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	scope, err := s.inScope(ctx, u)
	if err != nil {
		return nil, err
	}
	out := []auth.User{}
	for _, x := range all {
		if scope == nil || scope[x.ScopeUnitID] {
			out = append(out, x)
		}
	}
	return &usersOutput{Body: out}, nil
}

type createUserInput struct{ Body auth.NewUser }

type createUserOutput struct {
	Body struct {
		User auth.User `json:"user"`
		// Password is the generated one-time password, shown once; empty
		// when the request chose the password.
		Password string `json:"password,omitempty"`
	}
}

// checkManages refuses to let a non-admin create or reset accounts above
// their own standing or outside their scope.
func (s *Server) checkManages(ctx context.Context, u auth.User, role auth.Role, scopeUnitID string) error {
	if u.Role == auth.Admin {
		return nil
	}
	if role == auth.Admin || role == auth.CentreStaff {
		return forbidden("only an admin manages admin and centre staff accounts")
	}
	if scopeUnitID == "" {
		return apperr.Field("scope_unit_id", "is required")
	}
	return s.auth.CheckScope(ctx, u, scopeUnitID, dates.Today())
}

func (s *Server) createUser(ctx context.Context, u auth.User, in *createUserInput) (*createUserOutput, error) {
	scope := in.Body.ScopeUnitID
	if scope == "" && in.Body.WorkerID != "" {
		w, err := s.org.GetWorker(ctx, in.Body.WorkerID)
		if err != nil {
			return nil, apperr.Field("worker_id", err.Error())
		}
		scope = w.HomeUnitID
	}
	if err := s.checkManages(ctx, u, in.Body.Role, scope); err != nil {
		return nil, err
	}
	nu, pw, err := s.auth.CreateUser(ctx, u.ID, in.Body)
	if err != nil {
		return nil, err
	}
	out := &createUserOutput{}
	out.Body.User, out.Body.Password = nu, pw
	return out, nil
}

type resetOutput struct {
	Body struct {
		Password string `json:"password" doc:"the new one-time password, shown once"`
	}
}

func (s *Server) resetPassword(ctx context.Context, u auth.User, in *struct {
	ID string `path:"id"`
}) (*resetOutput, error) {
	target, err := s.auth.GetUser(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if err := s.checkManages(ctx, u, target.Role, target.ScopeUnitID); err != nil {
		return nil, err
	}
	pw := auth.GeneratePassword()
	if err := s.auth.SetPassword(ctx, u.ID, target.ID, pw, true); err != nil {
		return nil, err
	}
	out := &resetOutput{}
	out.Body.Password = pw
	return out, nil
}
