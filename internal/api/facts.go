package api

import (
	"context"

	"gridwork/internal/apperr"
	"gridwork/internal/auth"
	"gridwork/internal/dates"
	"gridwork/internal/facts"
	"gridwork/internal/metric"
)

type listFactsInput struct {
	Month       string `query:"month" required:"true" pattern:"^\\d{4}-\\d{2}$" doc:"YYYY-MM"`
	SubjectKind string `query:"subject_kind" enum:"worker,unit"`
	SubjectID   string `query:"subject_id"`
	Name        string `query:"name" doc:"a fact name from docs/metrics.md, or its Chinese alias"`
	Evidence    bool   `query:"evidence" doc:"include the records behind each value"`
}

// checkSubject refuses facts of a subject outside u's scope. A grid worker
// sees their own facts and those of their grids.
func (s *Server) checkSubject(ctx context.Context, u auth.User, kind metric.SubjectKind, id string) error {
	if kind == metric.Worker {
		if own, only := s.scope(ctx).OwnOnly(); only && id != own {
			return apperr.New(apperr.Forbidden, "you see only your own facts")
		}
		w, err := s.org.GetWorker(ctx, id)
		if err != nil {
			return err
		}
		return s.checkWorkerScope(ctx, u, w)
	}
	return s.auth.CheckScope(ctx, u, id, dates.Today())
}

func (s *Server) listFacts(ctx context.Context, u auth.User, in *listFactsInput) (*struct{ Body []facts.Stored }, error) {
	p, err := metric.ParsePeriod(in.Month)
	if err != nil {
		return nil, apperr.Field("month", err.Error())
	}
	name := in.Name
	if name != "" {
		d, ok := metric.Lookup(name)
		if !ok {
			return nil, apperr.Field("name", "no fact "+name+"; see docs/metrics.md")
		}
		name = d.Name
	}
	if in.SubjectID == "" && !s.scope(ctx).Can(auth.ListAllFacts) {
		return nil, apperr.Field("subject_id", "is required for your role: name a worker or a unit in your scope")
	}
	if in.SubjectID != "" {
		if in.SubjectKind == "" {
			return nil, apperr.Field("subject_kind", "is required with subject_id")
		}
		if err := s.checkSubject(ctx, u, metric.SubjectKind(in.SubjectKind), in.SubjectID); err != nil {
			return nil, err
		}
	}
	return reply(facts.List(ctx, s.db, facts.Query{Period: p, Subject: metric.SubjectKind(in.SubjectKind), SubjectID: in.SubjectID, Name: name, WithEvidence: in.Evidence}))
}

// CollectResult says how many facts a collection stored.
type CollectResult struct {
	Month  string `json:"month"`
	Stored int    `json:"stored"`
}

func (s *Server) collectFacts(ctx context.Context, u auth.User, in *struct {
	Body struct {
		Month string `json:"month" pattern:"^\\d{4}-\\d{2}$" doc:"YYYY-MM"`
	}
}) (*struct{ Body CollectResult }, error) {
	p, err := metric.ParsePeriod(in.Body.Month)
	if err != nil {
		return nil, apperr.Field("month", err.Error())
	}
	n, err := s.facts.Refresh(ctx, p)
	if err != nil {
		return nil, err
	}
	return &struct{ Body CollectResult }{CollectResult{Month: p.String(), Stored: n}}, nil
}
