package api

import (
	"context"

	"gridwork/internal/auth"
	"gridwork/internal/dates"
	"gridwork/internal/org"
)

type listUnitsInput struct {
	Level    string `query:"level" enum:"district,street,community,area,grid" doc:"only units of this level"`
	ParentID string `query:"parent_id" doc:"only direct children of this unit"`
	On       string `query:"on" doc:"the date (YYYY-MM-DD) to read the tree as of; default today"`
	Geometry bool   `query:"geometry" doc:"include polygons"`
	Page
}

type unitsOutput = struct{ Body ListBody[org.Unit] }

func (s *Server) listUnits(ctx context.Context, u auth.User, in *listUnitsInput) (*unitsOutput, error) {
	on, err := onDate("on", in.On)
	if err != nil {
		return nil, err
	}
	if in.ParentID != "" {
		if err := s.auth.CheckScope(ctx, u, in.ParentID, on); err != nil {
			return nil, err
		}
	}
	limit, offset := in.limitOffset()
	units, total, err := s.org.ListUnits(ctx, org.UnitQuery{On: on, Level: org.Level(in.Level), ParentID: in.ParentID,
		WithinID: s.scope(ctx).Root(), WithoutGeometry: !in.Geometry, Limit: limit, Offset: offset})
	if err != nil {
		return nil, err
	}
	return list(units, total, in.Page), nil
}

type unitInput struct {
	ID string `path:"id"`
	On string `query:"on" doc:"the date (YYYY-MM-DD); default today"`
}

type unitOutput struct{ Body org.Unit }

func (s *Server) getUnit(ctx context.Context, u auth.User, in *unitInput) (*unitOutput, error) {
	on, err := onDate("on", in.On)
	if err != nil {
		return nil, err
	}
	// Scope first: outside it, an unknown id and a known one look alike.
	if err := s.auth.CheckScope(ctx, u, in.ID, on); err != nil {
		return nil, err
	}
	unit, err := s.org.GetUnit(ctx, in.ID, on)
	if err != nil {
		return nil, err
	}
	return &unitOutput{Body: unit}, nil
}

type historyOutput struct{ Body []org.Unit }

func (s *Server) unitHistory(ctx context.Context, u auth.User, in *struct {
	ID string `path:"id"`
}) (*historyOutput, error) {
	versions, err := s.org.History(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	// Scope is judged on the newest version: who may see the unit now may
	// see its past.
	last := versions[len(versions)-1]
	d := dates.Today()
	if !last.ValidTo.IsZero() {
		d = last.ValidTo.AddDays(-1)
	}
	if err := s.auth.CheckScope(ctx, u, in.ID, d); err != nil {
		return nil, err
	}
	return &historyOutput{Body: versions}, nil
}

type createUnitInput struct {
	Body struct {
		Level       org.Level  `json:"level" enum:"district,street,community,area,grid"`
		ParentID    string     `json:"parent_id,omitempty"`
		Name        string     `json:"name" minLength:"1" maxLength:"100"`
		Kind        string     `json:"kind,omitempty" doc:"街道/镇/乡 for a street, 社区/村 for a community"`
		Code        string     `json:"code,omitempty" doc:"CJ/T 349 code; generated when empty"`
		Geometry    string     `json:"geometry,omitempty" doc:"GeoJSON Polygon (WGS84) as text; required for a grid"`
		Description string     `json:"description,omitempty"`
		ValidFrom   dates.Date `json:"valid_from" doc:"the date the unit takes effect"`
	}
}

func (s *Server) createUnit(ctx context.Context, u auth.User, in *createUnitInput) (*unitOutput, error) {
	b := in.Body
	if b.ParentID != "" {
		if err := s.auth.CheckScope(ctx, u, b.ParentID, b.ValidFrom); err != nil {
			return nil, err
		}
	} else if !s.scope(ctx).Everywhere() {
		return nil, forbidden("only an admin creates a top-level unit")
	}
	unit, err := s.org.CreateUnit(ctx, u.ID, org.NewUnit{Level: b.Level, ParentID: b.ParentID, Name: b.Name, Kind: b.Kind,
		Code: b.Code, Geometry: b.Geometry, Description: b.Description, ValidFrom: b.ValidFrom})
	if err != nil {
		return nil, err
	}
	return &unitOutput{Body: unit}, nil
}

type changeUnitInput struct {
	ID   string `path:"id"`
	Body struct {
		From        dates.Date `json:"from" doc:"the date the change takes effect"`
		ParentID    *string    `json:"parent_id,omitempty"`
		Name        *string    `json:"name,omitempty"`
		Code        *string    `json:"code,omitempty"`
		Geometry    *string    `json:"geometry,omitempty" doc:"GeoJSON Polygon text"`
		Description *string    `json:"description,omitempty"`
	}
}

func (s *Server) changeUnit(ctx context.Context, u auth.User, in *changeUnitInput) (*unitOutput, error) {
	b := in.Body
	if err := s.auth.CheckScope(ctx, u, in.ID, b.From); err != nil {
		return nil, err
	}
	if b.ParentID != nil {
		if err := s.auth.CheckScope(ctx, u, *b.ParentID, b.From); err != nil {
			return nil, err
		}
	}
	unit, err := s.org.ChangeUnit(ctx, u.ID, in.ID, org.UnitChange{From: b.From, ParentID: b.ParentID, Name: b.Name,
		Code: b.Code, Geometry: b.Geometry, Description: b.Description})
	if err != nil {
		return nil, err
	}
	return &unitOutput{Body: unit}, nil
}

type endUnitInput struct {
	ID   string `path:"id"`
	Body struct {
		On dates.Date `json:"on" doc:"the first day the unit is no longer in force"`
	}
}

func (s *Server) endUnit(ctx context.Context, u auth.User, in *endUnitInput) (*struct{}, error) {
	if err := s.auth.CheckScope(ctx, u, in.ID, in.Body.On); err != nil {
		return nil, err
	}
	return nil, s.org.EndUnit(ctx, u.ID, in.ID, in.Body.On)
}

type numberGridsInput struct {
	ID   string `path:"id"`
	Body struct {
		From dates.Date `json:"from" doc:"the date the new codes take effect"`
	}
}

func (s *Server) numberGrids(ctx context.Context, u auth.User, in *numberGridsInput) (*unitsOutput, error) {
	if err := s.auth.CheckScope(ctx, u, in.ID, in.Body.From); err != nil {
		return nil, err
	}
	if err := s.org.NumberGrids(ctx, u.ID, in.ID, in.Body.From); err != nil {
		return nil, err
	}
	grids, total, err := s.org.ListUnits(ctx, org.UnitQuery{On: in.Body.From, ParentID: in.ID, Level: org.Grid, WithoutGeometry: true})
	if err != nil {
		return nil, err
	}
	return list(grids, total, Page{Page: 1, PerPage: total}), nil
}
