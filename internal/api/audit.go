package api

import (
	"context"
	"encoding/json"

	"gridwork/internal/audit"
	"gridwork/internal/auth"
)

type listAuditInput struct {
	Entity   string `query:"entity" required:"true" doc:"e.g. grid, community, worker, assignment, user"`
	EntityID string `query:"entity_id" required:"true"`
	Limit    int    `query:"limit" minimum:"1" maximum:"1000" default:"100"`
}

// AuditEntry is one audit row as the API shows it.
type AuditEntry struct {
	Seq      int64           `json:"seq"`
	At       string          `json:"at"`
	Actor    string          `json:"actor"`
	Action   string          `json:"action"`
	Entity   string          `json:"entity"`
	EntityID string          `json:"entity_id"`
	Before   json.RawMessage `json:"before,omitempty"`
	After    json.RawMessage `json:"after,omitempty"`
	Hash     string          `json:"hash"`
}

type auditOutput struct{ Body []AuditEntry }

func (s *Server) listAudit(ctx context.Context, u auth.User, in *listAuditInput) (*auditOutput, error) {
	rows, err := audit.List(ctx, s.db, in.Entity, in.EntityID, in.Limit)
	if err != nil {
		return nil, err
	}
	scope, err := s.scope(ctx).Units(ctx)
	if err != nil {
		return nil, err
	}
	// Centre staff see the history of units in their scope; other
	// entities' history is for admins.
	if scope != nil && !scope[in.EntityID] {
		return nil, forbidden("the audit history of " + in.Entity + " " + in.EntityID + " is outside your scope")
	}
	out := []AuditEntry{}
	for _, r := range rows {
		e := AuditEntry{Seq: r.Seq, At: r.At, Actor: r.Actor, Action: r.Action, Entity: r.Entity, EntityID: r.EntityID, Hash: r.Hash}
		if r.BeforeJSON != nil {
			e.Before = json.RawMessage(*r.BeforeJSON)
		}
		if r.AfterJSON != nil {
			e.After = json.RawMessage(*r.AfterJSON)
		}
		out = append(out, e)
	}
	return &auditOutput{Body: out}, nil
}
