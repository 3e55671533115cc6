package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"gridwork/internal/auth"
	"gridwork/internal/dates"
	"gridwork/internal/org"
)

// publicRoutes registers the public side (公示): what seed 004 puts on the
// wall of a community, readable without signing in. It shows nothing about
// a worker beyond the board itself: name, phone, area and duties.
func (s *Server) publicRoutes() {
	tags := []string{"public"}
	op(s, huma.Operation{OperationID: "public-communities", Method: http.MethodGet, Path: "/api/public/communities",
		Summary: "The communities, with their outlines (no sign-in)", Tags: tags}, public(), s.publicCommunities)
	op(s, huma.Operation{OperationID: "public-boards", Method: http.MethodGet, Path: "/api/public/communities/{id}/boards",
		Summary: "A community's grid map and each grid's public board: worker, phone, area and duties (no sign-in)", Tags: tags}, public(), s.publicBoards)
}

// PublicUnit is a community as the public side shows it.
type PublicUnit struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Code     string `json:"code"`
	Kind     string `json:"kind,omitempty"`
	Geometry string `json:"geometry,omitempty" doc:"GeoJSON Polygon, WGS84"`
}

// BoardWorker is a worker as a grid's public board names them.
type BoardWorker struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
	// Extra is true for a worker who looks after part of this grid on top
	// of their own (seed 004's 减员增效), with the share they take.
	Extra    bool `json:"extra"`
	SharePct int  `json:"share_pct"`
}

// GridBoard is one grid's public board.
type GridBoard struct {
	ID          string        `json:"id"`
	Name        string        `json:"name"`
	Code        string        `json:"code"`
	Geometry    string        `json:"geometry,omitempty" doc:"GeoJSON Polygon, WGS84"`
	Description string        `json:"description" doc:"the grid's area and duties, as its workers wrote them"`
	Workers     []BoardWorker `json:"workers"`
}

// PublicBoards is a community's grids with their boards.
type PublicBoards struct {
	Community PublicUnit  `json:"community"`
	Grids     []GridBoard `json:"grids"`
}

func (s *Server) publicCommunities(ctx context.Context, _ auth.User, _ *struct{}) (*struct{ Body []PublicUnit }, error) {
	us, _, err := s.org.ListUnits(ctx, org.UnitQuery{On: dates.Today(), Level: org.Community})
	if err != nil {
		return nil, err
	}
	out := make([]PublicUnit, 0, len(us))
	for _, u := range us {
		out = append(out, PublicUnit{ID: u.ID, Name: u.Name, Code: u.Code, Kind: u.Kind, Geometry: u.Geometry})
	}
	return &struct{ Body []PublicUnit }{out}, nil
}

func (s *Server) publicBoards(ctx context.Context, _ auth.User, in *struct {
	ID string `path:"id"`
}) (*struct{ Body PublicBoards }, error) {
	today := dates.Today()
	c, err := s.org.GetUnit(ctx, in.ID, today)
	if err != nil {
		return nil, err
	}
	if c.Level != org.Community {
		return nil, notFound("%s is not a community", in.ID)
	}
	grids, _, err := s.org.ListUnits(ctx, org.UnitQuery{On: today, Level: org.Grid, WithinID: c.ID})
	if err != nil {
		return nil, err
	}
	as, _, err := s.org.ListAssignments(ctx, org.AssignmentQuery{WithinID: c.ID, On: today})
	if err != nil {
		return nil, err
	}
	workers := map[string]org.Worker{}
	byGrid := map[string][]BoardWorker{}
	for _, a := range as {
		w, ok := workers[a.WorkerID]
		if !ok {
			if w, err = s.org.GetWorker(ctx, a.WorkerID); err != nil {
				return nil, err
			}
			workers[a.WorkerID] = w
		}
		byGrid[a.GridID] = append(byGrid[a.GridID], BoardWorker{Name: w.Name, Phone: w.Phone, Extra: a.Kind == org.Extra, SharePct: a.SharePct})
	}
	out := PublicBoards{Community: PublicUnit{ID: c.ID, Name: c.Name, Code: c.Code, Kind: c.Kind, Geometry: c.Geometry}, Grids: []GridBoard{}}
	for _, g := range grids {
		ws := byGrid[g.ID]
		if ws == nil {
			ws = []BoardWorker{}
		}
		out.Grids = append(out.Grids, GridBoard{ID: g.ID, Name: g.Name, Code: g.Code, Geometry: g.Geometry, Description: g.Description, Workers: ws})
	}
	return &struct{ Body PublicBoards }{out}, nil
}
