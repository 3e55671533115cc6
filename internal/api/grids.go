package api

import (
	"context"

	"gridwork/internal/auth"
	"gridwork/internal/dates"
	"gridwork/internal/org"
)

type listGridsInput struct {
	ParentID string `query:"parent_id" doc:"only grids of this community or 片区"`
	On       string `query:"on" doc:"the date (YYYY-MM-DD); default today"`
	Geometry bool   `query:"geometry" doc:"include polygons"`
	Page
}

func (s *Server) listGrids(ctx context.Context, u auth.User, in *listGridsInput) (*unitsOutput, error) {
	return s.listUnits(ctx, u, &listUnitsInput{Level: string(org.Grid), ParentID: in.ParentID, On: in.On, Geometry: in.Geometry, Page: in.Page})
}

// GridWorker is a worker on a grid, as the grid's view lists them.
type GridWorker struct {
	org.Assignment
	WorkerName string `json:"worker_name"`
	Phone      string `json:"phone"`
}

// GridDetail is a grid with the workers who answer for it on the date.
type GridDetail struct {
	org.Unit
	Workers []GridWorker `json:"workers"`
	// AssignedPct is the total share covered; below 100 the grid is short
	// of workers (seed 004: 相差56人).
	AssignedPct int `json:"assigned_pct"`
}

type gridOutput struct{ Body GridDetail }

func (s *Server) getGrid(ctx context.Context, u auth.User, in *unitInput) (*gridOutput, error) {
	unit, err := s.getUnit(ctx, u, in)
	if err != nil {
		return nil, err
	}
	if unit.Body.Level != org.Grid {
		return nil, notFound("%s is a %s, not a grid", in.ID, unit.Body.Level)
	}
	on := unit.Body.ValidFrom
	if in.On != "" {
		on, _ = dates.Parse(in.On)
	} else if today := dates.Today(); !today.Before(on) {
		on = today
	}
	as, _, err := s.org.ListAssignments(ctx, org.AssignmentQuery{GridID: in.ID, On: on})
	if err != nil {
		return nil, err
	}
	out := &gridOutput{Body: GridDetail{Unit: unit.Body, Workers: []GridWorker{}}}
	for _, a := range as {
		w, err := s.org.GetWorker(ctx, a.WorkerID)
		if err != nil {
			return nil, err
		}
		out.Body.Workers = append(out.Body.Workers, GridWorker{Assignment: a, WorkerName: w.Name, Phone: w.Phone})
		out.Body.AssignedPct += a.SharePct
	}
	return out, nil
}

type gridBoardInput struct {
	ID   string `path:"id"`
	Body struct {
		From        dates.Date `json:"from,omitempty" doc:"default today"`
		Description string     `json:"description" maxLength:"2000" doc:"the grid's area and duties, shown on its public board"`
	}
}

// editGridBoard is the one grid write a grid worker may make, and only to
// their own grids.
func (s *Server) editGridBoard(ctx context.Context, u auth.User, in *gridBoardInput) (*unitOutput, error) {
	from := in.Body.From
	if from.IsZero() {
		from = dates.Today()
	}
	if err := s.auth.CheckWrite(ctx, u, auth.EditGridBoard, in.ID, from); err != nil {
		return nil, err
	}
	g, err := s.org.GetUnit(ctx, in.ID, from)
	if err != nil {
		return nil, err
	}
	if g.Level != org.Grid {
		return nil, notFound("%s is a %s, not a grid", in.ID, g.Level)
	}
	unit, err := s.org.ChangeUnit(ctx, u.ID, in.ID, org.UnitChange{From: from, Description: &in.Body.Description})
	if err != nil {
		return nil, err
	}
	return &unitOutput{Body: unit}, nil
}

type mergeGridsInput struct {
	Body struct {
		GridIDs  []string   `json:"grid_ids" minItems:"2"`
		Name     string     `json:"name" minLength:"1"`
		Code     string     `json:"code,omitempty"`
		Geometry string     `json:"geometry" doc:"GeoJSON Polygon of the merged grid"`
		From     dates.Date `json:"from"`
	}
}

func (s *Server) mergeGrids(ctx context.Context, u auth.User, in *mergeGridsInput) (*unitOutput, error) {
	for _, id := range in.Body.GridIDs {
		if err := s.auth.CheckScope(ctx, u, id, in.Body.From); err != nil {
			return nil, err
		}
	}
	unit, err := s.org.MergeGrids(ctx, u.ID, in.Body.GridIDs, org.NewUnit{Name: in.Body.Name, Code: in.Body.Code,
		Geometry: in.Body.Geometry, ValidFrom: in.Body.From})
	if err != nil {
		return nil, err
	}
	return &unitOutput{Body: unit}, nil
}
