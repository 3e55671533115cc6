package api

import (
	"context"

	"gridwork/internal/apperr"
	"gridwork/internal/auth"
	"gridwork/internal/dates"
	"gridwork/internal/org"
)

type listWorkersInput struct {
	Post     string `query:"post" enum:"grid_worker,grid_leader,area_leader,inspector,centre_staff"`
	InPost   bool   `query:"in_post" doc:"only workers in post on the date"`
	WithinID string `query:"within_id" doc:"only workers of this unit's subtree"`
	On       string `query:"on" doc:"the date (YYYY-MM-DD); default today"`
	Name     string `query:"q" maxLength:"50" doc:"only workers whose name contains this"`
	Page
}

type workersOutput = struct{ Body ListBody[org.Worker] }

func (s *Server) listWorkers(ctx context.Context, u auth.User, in *listWorkersInput) (*workersOutput, error) {
	on, err := onDate("on", in.On)
	if err != nil {
		return nil, err
	}
	within := s.scope(ctx).Root()
	if in.WithinID != "" {
		if err := s.auth.CheckScope(ctx, u, in.WithinID, on); err != nil {
			return nil, err
		}
		within = in.WithinID
	}
	limit, offset := in.limitOffset()
	ws, total, err := s.org.ListWorkers(ctx, org.WorkerQuery{WithinID: within, On: on, Post: org.Post(in.Post), InPostOnly: in.InPost, Name: in.Name, Limit: limit, Offset: offset})
	return replyPage(ws, total, err, in.Page)
}

// WorkerDetail is a worker with their assignments, past and present.
type WorkerDetail struct {
	org.Worker
	Assignments []org.Assignment `json:"assignments"`
}

type workerOutput struct{ Body WorkerDetail }

// checkWorkerScope refuses a worker whose home unit lies outside u's scope.
func (s *Server) checkWorkerScope(ctx context.Context, u auth.User, w org.Worker) error {
	return s.auth.CheckScope(ctx, u, w.HomeUnitID, dates.Today())
}

func (s *Server) getWorker(ctx context.Context, u auth.User, in *struct {
	ID string `path:"id"`
}) (*workerOutput, error) {
	w, err := s.org.GetWorker(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if err := s.checkWorkerScope(ctx, u, w); err != nil {
		return nil, err
	}
	as, _, err := s.org.ListAssignments(ctx, org.AssignmentQuery{WorkerID: w.ID})
	if err != nil {
		return nil, err
	}
	if as == nil {
		as = []org.Assignment{}
	}
	return &workerOutput{Body: WorkerDetail{Worker: w, Assignments: as}}, nil
}

type createWorkerInput struct{ Body org.NewWorker }

func (s *Server) createWorker(ctx context.Context, u auth.User, in *createWorkerInput) (*workerOutput, error) {
	if err := s.auth.CheckScope(ctx, u, in.Body.HomeUnitID, dates.Today()); err != nil {
		return nil, err
	}
	w, err := s.org.CreateWorker(ctx, u.ID, in.Body)
	if err != nil {
		return nil, err
	}
	return &workerOutput{Body: WorkerDetail{Worker: w, Assignments: []org.Assignment{}}}, nil
}

type updateWorkerInput struct {
	ID   string `path:"id"`
	Body org.WorkerPatch
}

func (s *Server) updateWorker(ctx context.Context, u auth.User, in *updateWorkerInput) (*workerOutput, error) {
	w, err := s.org.GetWorker(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if err := s.checkWorkerScope(ctx, u, w); err != nil {
		return nil, err
	}
	if in.Body.HomeUnitID != nil {
		if err := s.auth.CheckScope(ctx, u, *in.Body.HomeUnitID, dates.Today()); err != nil {
			return nil, err
		}
	}
	w, err = s.org.UpdateWorker(ctx, u.ID, in.ID, in.Body)
	if err != nil {
		return nil, err
	}
	return s.getWorker(ctx, u, &struct {
		ID string `path:"id"`
	}{w.ID})
}

type listAssignmentsInput struct {
	WorkerID string `query:"worker_id"`
	GridID   string `query:"grid_id"`
	On       string `query:"on" doc:"only assignments active on this date (YYYY-MM-DD); default today"`
	All      bool   `query:"all" doc:"all dates, not only those active on 'on'"`
	Page
}

type assignmentsOutput = struct{ Body ListBody[org.Assignment] }

func (s *Server) listAssignments(ctx context.Context, u auth.User, in *listAssignmentsInput) (*assignmentsOutput, error) {
	on, err := onDate("on", in.On)
	if err != nil {
		return nil, err
	}
	q := org.AssignmentQuery{WorkerID: in.WorkerID, GridID: in.GridID, WithinID: s.scope(ctx).Root(), On: on}
	if in.All {
		if q.WithinID != "" {
			return nil, apperr.Field("all", "only an admin lists assignments of all dates across the tree; name a worker_id or grid_id")
		}
		q.On = dates.Date{}
	}
	if in.GridID != "" {
		if err := s.auth.CheckScope(ctx, u, in.GridID, on); err != nil {
			return nil, err
		}
		q.WithinID = ""
	}
	if in.WorkerID != "" {
		w, err := s.org.GetWorker(ctx, in.WorkerID)
		if err != nil {
			return nil, err
		}
		if err := s.checkWorkerScope(ctx, u, w); err != nil {
			return nil, err
		}
		q.WithinID = ""
	}
	q.Limit, q.Offset = in.limitOffset()
	as, total, err := s.org.ListAssignments(ctx, q)
	return replyPage(as, total, err, in.Page)
}

type createAssignmentInput struct{ Body org.NewAssignment }

type assignmentOutput struct{ Body org.Assignment }

func (s *Server) createAssignment(ctx context.Context, u auth.User, in *createAssignmentInput) (*assignmentOutput, error) {
	if err := s.auth.CheckWrite(ctx, u, auth.ManageWorkers, in.Body.GridID, in.Body.ValidFrom); err != nil {
		return nil, err
	}
	w, err := s.org.GetWorker(ctx, in.Body.WorkerID)
	if err != nil {
		return nil, apperr.Field("worker_id", err.Error())
	}
	if err := s.checkWorkerScope(ctx, u, w); err != nil {
		return nil, err
	}
	a, err := s.org.Assign(ctx, u.ID, in.Body)
	if err != nil {
		return nil, err
	}
	return &assignmentOutput{Body: a}, nil
}

type endAssignmentInput struct {
	ID   string `path:"id"`
	Body struct {
		On dates.Date `json:"on" doc:"the first day the assignment no longer holds"`
	}
}

func (s *Server) endAssignment(ctx context.Context, u auth.User, in *endAssignmentInput) (*assignmentOutput, error) {
	a, err := s.org.GetAssignment(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if err := s.auth.CheckWrite(ctx, u, auth.ManageWorkers, a.GridID, a.ValidFrom); err != nil {
		return nil, err
	}
	a, err = s.org.EndAssignment(ctx, u.ID, in.ID, in.Body.On)
	if err != nil {
		return nil, err
	}
	return &assignmentOutput{Body: a}, nil
}
