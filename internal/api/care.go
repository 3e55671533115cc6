package api

import (
	"context"

	"gridwork/internal/auth"
	"gridwork/internal/care"
	"gridwork/internal/dates"
)

type listCareInput struct {
	WithinID  string `query:"within_id"`
	GridID    string `query:"grid_id"`
	GroupCode string `query:"group_code"`
	Status    string `query:"status" enum:"active,lost,ended"`
	Overdue   bool   `query:"overdue" doc:"only subjects whose visit is overdue today"`
	Page
}

func (s *Server) listCare(ctx context.Context, u auth.User, in *listCareInput) (*struct{ Body ListBody[care.Subject] }, error) {
	within, err := s.listScope(ctx, u, in.WithinID)
	if err != nil {
		return nil, err
	}
	limit, offset := in.limitOffset()
	ss, total, err := s.care.List(ctx, u.ID, care.Query{WithinID: within, GridID: in.GridID, GroupCode: in.GroupCode, Status: care.Status(in.Status),
		Overdue: in.Overdue, Limit: limit, Offset: offset})
	if err != nil {
		return nil, err
	}
	return list(ss, total, in.Page), nil
}

// careGrid checks the caller's scope on a subject's grid before any
// audited read or write.
func (s *Server) careGrid(ctx context.Context, u auth.User, id string, write bool) error {
	grid, err := s.care.GridOf(ctx, id)
	if err != nil {
		return err
	}
	if write {
		return s.writeGrid(ctx, u, auth.WriteCare, grid)
	}
	return s.readGrid(ctx, u, grid)
}

func (s *Server) getCare(ctx context.Context, u auth.User, in *idInput) (*struct{ Body care.Subject }, error) {
	if err := s.careGrid(ctx, u, in.ID, false); err != nil {
		return nil, err
	}
	return reply(s.care.Get(ctx, u.ID, in.ID))
}

func (s *Server) registerCare(ctx context.Context, u auth.User, in *struct{ Body care.NewSubject }) (*struct{ Body care.Subject }, error) {
	p, err := s.records.GetPerson(ctx, in.Body.PersonID)
	if err != nil {
		return nil, err
	}
	if err := s.writeGrid(ctx, u, auth.WriteCare, p.GridID); err != nil {
		return nil, err
	}
	return reply(s.care.Register(ctx, u.ID, in.Body))
}

func (s *Server) updateCare(ctx context.Context, u auth.User, in *struct {
	ID   string `path:"id"`
	Body care.SubjectPatch
}) (*struct{ Body care.Subject }, error) {
	if err := s.careGrid(ctx, u, in.ID, true); err != nil {
		return nil, err
	}
	return reply(s.care.Update(ctx, u.ID, in.ID, in.Body))
}

// CareEvent marks a subject lost, found or ended on a date.
type CareEvent struct {
	On      dates.Date `json:"on"`
	Reason  string     `json:"reason,omitempty" doc:"why they were lost from control (required for lost); stored encrypted"`
	Version int        `json:"version,omitempty" doc:"the version you read (for end)"`
}

func (s *Server) careEvent(ctx context.Context, u auth.User, in *struct {
	ID    string `path:"id"`
	Event string `path:"event" enum:"lost,found,end"`
	Body  CareEvent
}) (*struct{ Body care.Subject }, error) {
	if err := s.careGrid(ctx, u, in.ID, true); err != nil {
		return nil, err
	}
	var sub care.Subject
	var err error
	switch in.Event {
	case "lost":
		sub, err = s.care.MarkLost(ctx, u.ID, in.ID, in.Body.On, in.Body.Reason)
	case "found":
		sub, err = s.care.MarkFound(ctx, u.ID, in.ID, in.Body.On)
	default:
		sub, err = s.care.End(ctx, u.ID, in.ID, in.Body.On, in.Body.Version)
	}
	if err != nil {
		return nil, err
	}
	return &struct{ Body care.Subject }{sub}, nil
}

func (s *Server) recordCareVisit(ctx context.Context, u auth.User, in *struct {
	ID   string `path:"id"`
	Body care.NewVisit
}) (*struct{ Body care.Visit }, error) {
	if err := s.careGrid(ctx, u, in.ID, true); err != nil {
		return nil, err
	}
	in.Body.SubjectID = in.ID
	return reply(s.care.RecordVisit(ctx, u.ID, u.WorkerID, in.Body))
}

func (s *Server) listCareVisits(ctx context.Context, u auth.User, in *idInput) (*struct{ Body []care.Visit }, error) {
	if err := s.careGrid(ctx, u, in.ID, false); err != nil {
		return nil, err
	}
	return reply(s.care.Visits(ctx, u.ID, in.ID))
}

func (s *Server) careOverdue(ctx context.Context, u auth.User, in *struct {
	WithinID string `query:"within_id"`
	On       string `query:"on" doc:"YYYY-MM-DD; default today"`
}) (*struct{ Body []care.Due }, error) {
	within, err := s.listScope(ctx, u, in.WithinID)
	if err != nil {
		return nil, err
	}
	on, err := onDate("on", in.On)
	if err != nil {
		return nil, err
	}
	return reply(s.care.Overdue(ctx, on, within))
}

func (s *Server) listCareGroups(ctx context.Context, u auth.User, in *struct{}) (*struct{ Body []care.Group }, error) {
	return reply(s.care.Groups(ctx))
}

func (s *Server) setCareGroup(ctx context.Context, u auth.User, in *struct {
	Code string `path:"code"`
	Body care.Group
}) (*struct{ Body care.Group }, error) {
	in.Body.Code = in.Code
	return reply(s.care.SetGroup(ctx, u.ID, in.Body))
}
