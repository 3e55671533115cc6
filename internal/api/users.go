package api

import (
	"context"

	"gridwork/internal/apperr"
	"gridwork/internal/auth"
)

type usersOutput struct{ Body []auth.User }

func (s *Server) listUsers(ctx context.Context, u auth.User, _ *struct{}) (*usersOutput, error) {
	out, err := s.auth.UsersIn(ctx, s.scope(ctx))
	if err != nil {
		return nil, err
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

func (s *Server) createUser(ctx context.Context, u auth.User, in *createUserInput) (*createUserOutput, error) {
	scope := in.Body.ScopeUnitID
	if scope == "" && in.Body.WorkerID != "" {
		w, err := s.org.GetWorker(ctx, in.Body.WorkerID)
		if err != nil {
			return nil, apperr.Field("worker_id", err.Error())
		}
		scope = w.HomeUnitID
	}
	if err := s.scope(ctx).CheckManages(ctx, in.Body.Role, scope); err != nil {
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
	if err := s.scope(ctx).CheckManages(ctx, target.Role, target.ScopeUnitID); err != nil {
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
