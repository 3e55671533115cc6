package api

import (
	"context"
	"net/http"
	"reflect"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"gridwork/internal/apperr"
	"gridwork/internal/auth"
	"gridwork/internal/dates"
	"gridwork/internal/patrol"
)

// maxPatrolBatchBytes bounds a batch's body: MaxBatchItems fixes of about
// 150 bytes of JSON each, with room to spare.
const maxPatrolBatchBytes = 1 << 20

// patrolRoutes registers the patrol operations.
func (s *Server) patrolRoutes() {
	tags := []string{"patrols"}
	o := func(id, method, path, summary string) huma.Operation {
		return huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: tags}
	}
	batch := o("post-patrol-batch", http.MethodPost, "/api/patrol/batches", "Send a batch of your own GPS fixes (a resend is a no-op)")
	batch.Description = "The phone buffers fixes while offline and sends them in batches of at most 2000 points and markers, " +
		"each batch under a UUID it made (`client_id`): resending a stored batch stores nothing and answers `duplicate: true`. " +
		"The batch is validated whole: a bad fix refuses it, naming `points[i].field`, and nothing is stored."
	batch.MaxBodyBytes = maxPatrolBatchBytes
	batch.SkipValidateBody = true // DecodeBatch and patrol.Validate name the fields
	op(s, batch, needs(auth.PostPatrol), s.postPatrolBatch)
	// The body is read raw (huma would otherwise parse and validate 2000
	// fixes twice); the document still shows its schema.
	if p := s.api.OpenAPI().Paths["/api/patrol/batches"]; p != nil && p.Post != nil && p.Post.RequestBody != nil {
		p.Post.RequestBody.Content["application/json"] = &huma.MediaType{
			Schema: s.api.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[patrol.Batch](), true, "PatrolBatch")}
	}
	op(s, o("post-patrol-marker", http.MethodPost, "/api/patrol/markers", "Start or stop a patrol (a resend is a no-op)"), needs(auth.PostPatrol), s.postPatrolTap)
	op(s, o("get-patrol-day", http.MethodGet, "/api/patrol/workers/{id}/days/{day}", "A worker's day: every fix, the patrols with their time inside the own grids, the flags"),
		needs(auth.ReadPatrol), s.getPatrolDay)
	op(s, o("list-patrol-flags", http.MethodGet, "/api/patrol/flags", "Flagged tracks (mock locations, teleports, repeated tracks, fixes during leave) and times out of the work area"),
		needs(auth.ReadPatrol), s.listPatrolFlags)
}

// patrolWorker returns the caller's own worker id: only a grid worker
// sends fixes, and only their own.
func patrolWorker(u auth.User) (string, error) {
	if u.WorkerID == "" {
		return "", apperr.New(apperr.Forbidden, "only a grid worker's account sends patrol fixes: this account is not linked to a worker")
	}
	return u.WorkerID, nil
}

func (s *Server) postPatrolBatch(ctx context.Context, u auth.User, in *struct {
	RawBody []byte `contentType:"application/json"`
}) (*struct{ Body patrol.Receipt }, error) {
	worker, err := patrolWorker(u)
	if err != nil {
		return nil, err
	}
	b, err := patrol.DecodeBatch(in.RawBody)
	if err != nil {
		return nil, err
	}
	return reply(s.patrol.Ingest(ctx, u.ID, worker, b))
}

// PatrolTap is a start or stop tapped in the app (one marker, sent alone).
type PatrolTap struct {
	ClientID string            `json:"client_id" doc:"a UUID the phone made for this tap; a resend is a no-op"`
	Kind     patrol.MarkerKind `json:"kind" enum:"start,stop"`
	At       time.Time         `json:"at"`
}

func (s *Server) postPatrolTap(ctx context.Context, u auth.User, in *struct{ Body PatrolTap }) (*struct{ Body patrol.Receipt }, error) {
	worker, err := patrolWorker(u)
	if err != nil {
		return nil, err
	}
	r, err := s.patrol.Ingest(ctx, u.ID, worker, patrol.Batch{ClientID: in.Body.ClientID,
		Markers: []patrol.Marker{{Kind: in.Body.Kind, At: in.Body.At}}})
	if err != nil {
		return nil, err
	}
	return &struct{ Body patrol.Receipt }{r}, nil
}

// checkPatrolReader refuses a worker's patrols to a caller who may not see
// them: a grid worker sees only their own; staff see workers whose home
// unit lies in their scope.
func (s *Server) checkPatrolReader(ctx context.Context, u auth.User, workerID string) error {
	if own, only := s.scope(ctx).OwnOnly(); only {
		if own == "" || own != workerID {
			return apperr.New(apperr.Forbidden, "a grid worker reads only their own patrols")
		}
		return nil
	}
	w, err := s.org.GetWorker(ctx, workerID)
	if err != nil {
		return err
	}
	return s.checkWorkerScope(ctx, u, w)
}

func (s *Server) getPatrolDay(ctx context.Context, u auth.User, in *struct {
	ID  string `path:"id" doc:"the worker's id"`
	Day string `path:"day" doc:"YYYY-MM-DD (Asia/Shanghai)"`
}) (*struct{ Body patrol.DayView }, error) {
	d, err := dates.Parse(in.Day)
	if err != nil {
		return nil, apperr.Field("day", err.Error())
	}
	if err := s.checkPatrolReader(ctx, u, in.ID); err != nil {
		return nil, err
	}
	return reply(s.patrol.Day(ctx, in.ID, d))
}

func (s *Server) listPatrolFlags(ctx context.Context, u auth.User, in *struct {
	WithinID string `query:"within_id" doc:"only workers whose home unit lies under this unit"`
	WorkerID string `query:"worker_id"`
	From     string `query:"from" doc:"first day, YYYY-MM-DD"`
	To       string `query:"to" doc:"last day, YYYY-MM-DD"`
	Kind     string `query:"kind" enum:"mock,teleport,repeat,leave,out_of_area"`
	Cheats   bool   `query:"cheats" doc:"only cheat flags (not out_of_area)"`
	Page
}) (*struct{ Body ListBody[patrol.Flag] }, error) {
	q := patrol.FlagQuery{WorkerID: in.WorkerID, Kind: patrol.FlagKind(in.Kind), Cheats: in.Cheats}
	q.Limit, q.Offset = in.limitOffset()
	for _, f := range []struct {
		name, v string
		dst     *dates.Date
	}{{"from", in.From, &q.From}, {"to", in.To, &q.To}} {
		if f.v == "" {
			continue
		}
		d, err := dates.Parse(f.v)
		if err != nil {
			return nil, apperr.Field(f.name, err.Error())
		}
		*f.dst = d
	}
	own, only := s.scope(ctx).OwnOnly()
	switch {
	case only:
		if own == "" || (in.WorkerID != "" && in.WorkerID != own) {
			return nil, apperr.New(apperr.Forbidden, "a grid worker reads only their own patrols")
		}
		q.WorkerID = own
	case in.WorkerID != "":
		if err := s.checkPatrolReader(ctx, u, in.WorkerID); err != nil {
			return nil, err
		}
	default:
		within, err := s.listScope(ctx, u, in.WithinID)
		if err != nil {
			return nil, err
		}
		q.WithinID = within
	}
	fs, total, err := s.patrol.Flags(ctx, q)
	if err != nil {
		return nil, err
	}
	return list(fs, total, in.Page), nil
}
