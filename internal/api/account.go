package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"gridwork/internal/auth"
)

type loginInput struct {
	Body struct {
		Username string `json:"username" minLength:"1" maxLength:"64"`
		Password string `json:"password" minLength:"1" maxLength:"256"`
	}
}

type sessionOutput struct {
	SetCookie http.Cookie `header:"Set-Cookie"`
	Body      struct {
		User      auth.User `json:"user"`
		ExpiresAt time.Time `json:"expires_at"`
		// MustChangePassword is true while the password is a one-time
		// password the system generated.
		MustChangePassword bool `json:"must_change_password"`
	}
}

func (s *Server) login(ctx context.Context, _ auth.User, in *loginInput) (*sessionOutput, error) {
	sess, err := s.auth.Login(ctx, in.Body.Username, in.Body.Password, remoteAddr(ctx))
	if err != nil {
		return nil, err
	}
	out := &sessionOutput{SetCookie: http.Cookie{
		Name: SessionCookie, Value: sess.Token, Path: "/", Expires: sess.ExpiresAt,
		HttpOnly: true, Secure: s.secureCookies, SameSite: http.SameSiteStrictMode,
	}}
	out.Body.User, out.Body.ExpiresAt, out.Body.MustChangePassword = sess.User, sess.ExpiresAt, sess.User.PasswordGenerated
	return out, nil
}

type tokenInput struct {
	Authorization string `header:"Authorization"`
	Cookie        string `cookie:"gridwork_session"`
}

type logoutOutput struct {
	SetCookie http.Cookie `header:"Set-Cookie"`
}

func (s *Server) logout(ctx context.Context, _ auth.User, in *tokenInput) (*logoutOutput, error) {
	// The same token authenticate took: a bearer token, else the cookie.
	token := in.Cookie
	if strings.HasPrefix(in.Authorization, "Bearer ") {
		token = strings.TrimSpace(strings.TrimPrefix(in.Authorization, "Bearer "))
	}
	if err := s.auth.Logout(ctx, token); err != nil {
		return nil, err
	}
	return &logoutOutput{SetCookie: http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secureCookies, SameSite: http.SameSiteStrictMode}}, nil
}

type userOutput struct{ Body auth.User }

func (s *Server) me(ctx context.Context, u auth.User, _ *struct{}) (*userOutput, error) {
	return &userOutput{Body: u}, nil
}

type changePasswordInput struct {
	Body struct {
		CurrentPassword string `json:"current_password" minLength:"1"`
		NewPassword     string `json:"new_password" minLength:"1" maxLength:"256"`
	}
}

func (s *Server) changePassword(ctx context.Context, u auth.User, in *changePasswordInput) (*struct{}, error) {
	return nil, s.auth.ChangeOwnPassword(ctx, u.ID, in.Body.CurrentPassword, in.Body.NewPassword)
}

type createTokenInput struct {
	Body struct {
		Name string `json:"name" minLength:"1" maxLength:"100" doc:"the device or script that will use the token"`
		Days int    `json:"days,omitempty" minimum:"1" maximum:"366" doc:"lifetime in days (default 90)"`
	}
}

type createTokenOutput struct {
	Body struct {
		Token     string    `json:"token" doc:"shown once; only its hash is stored"`
		ExpiresAt time.Time `json:"expires_at"`
	}
}

func (s *Server) createToken(ctx context.Context, u auth.User, in *createTokenInput) (*createTokenOutput, error) {
	sess, err := s.auth.CreateToken(ctx, u.ID, u.ID, in.Body.Name, time.Duration(in.Body.Days)*24*time.Hour)
	if err != nil {
		return nil, err
	}
	out := &createTokenOutput{}
	out.Body.Token, out.Body.ExpiresAt = sess.Token, sess.ExpiresAt
	return out, nil
}
