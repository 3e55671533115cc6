package api

import (
	"context"
	"net/http"
	"sort"

	"github.com/danielgtaylor/huma/v2"

	"gridwork/internal/auth"
	"gridwork/internal/dates"
	"gridwork/internal/events"
	"gridwork/internal/org"
	"gridwork/internal/runs"
)

// consoleRoutes serves what the centre's console reads in one go rather
// than from each domain's lists: the home screen's summary.
func (s *Server) consoleRoutes() {
	op(s, huma.Operation{OperationID: "console-summary", Method: http.MethodGet, Path: "/api/console/summary",
		Summary: "The home screen's counts: open events by light, due special-care visits, patrol coverage today, and per grid for the map",
		Tags:    []string{"console"}}, needs(auth.ReadOrg), s.consoleSummary)
}

// LightCounts are open events by the light of their current stage.
type LightCounts struct {
	Green  int `json:"green"`
	Yellow int `json:"yellow"`
	Red    int `json:"red"`
	Parked int `json:"parked"`
}

func (c *LightCounts) add(m map[events.Light]int) {
	c.Green += m[events.Green]
	c.Yellow += m[events.Yellow]
	c.Red += m[events.Red]
	c.Parked += m[events.Paused]
}

// CareCounts are special-care subjects whose visit is due today, and
// those past due.
type CareCounts struct {
	Due     int `json:"due"`
	Overdue int `json:"overdue"`
}

// PatrolCoverage is today's patrol data against the workers and grids
// that should have some.
type PatrolCoverage struct {
	Workers          int `json:"workers" doc:"workers assigned to a grid in scope today"`
	WorkersPatrolled int `json:"workers_patrolled" doc:"of them, those who sent fixes today"`
	Grids            int `json:"grids" doc:"grids with a worker assigned today"`
	GridsPatrolled   int `json:"grids_patrolled" doc:"of them, grids one of whose workers sent fixes today"`
}

// GridSummary is one grid's line on the home map.
type GridSummary struct {
	GridID        string      `json:"grid_id"`
	Name          string      `json:"name"`
	Code          string      `json:"code"`
	ParentID      string      `json:"parent_id,omitempty"`
	Events        LightCounts `json:"events"`
	CareOverdue   int         `json:"care_overdue"`
	Patrolled     bool        `json:"patrolled"`
	Worker        string      `json:"worker,omitempty" doc:"the workers scored in the run, the primary one first"`
	Score         *float64    `json:"score" doc:"their totals in the run weighted by their shares of the grid; null when none was assessed"`
	MaxScore      float64     `json:"max_score,omitempty"`
	OverdueWork   int         `json:"overdue_work" doc:"red events plus overdue special-care visits"`
	WithoutWorker bool        `json:"without_worker"`
}

// ConsoleSummary is the home screen. A section is null when the caller's
// role may not read it (an admin reads no special-care data) or the
// server runs without its store.
type ConsoleSummary struct {
	On     dates.Date      `json:"on"`
	Events *LightCounts    `json:"events"`
	Care   *CareCounts     `json:"care"`
	Patrol *PatrolCoverage `json:"patrol"`
	Run    *runs.RunInfo   `json:"run" doc:"the run whose scores colour the map: the one asked for, else the latest current monthly run of workers the caller may see (else of any period)"`
	Grids  []GridSummary   `json:"grids"`
}

func (s *Server) consoleSummary(ctx context.Context, u auth.User, in *struct {
	RunID string `query:"run_id" doc:"the run whose scores colour the map; default the latest"`
}) (*struct{ Body ConsoleSummary }, error) {
	today := dates.Today()
	sc := s.scope(ctx)
	within := sc.Root()
	grids, _, err := s.org.ListUnits(ctx, org.UnitQuery{On: today, Level: org.Grid, WithinID: within, WithoutGeometry: true})
	if err != nil {
		return nil, err
	}
	out := ConsoleSummary{On: today, Grids: make([]GridSummary, 0, len(grids))}
	byID := make(map[string]*GridSummary, len(grids))
	for _, g := range grids {
		out.Grids = append(out.Grids, GridSummary{GridID: g.ID, Name: g.Name, Code: g.Code, ParentID: g.ParentID})
	}
	for i := range out.Grids {
		byID[out.Grids[i].GridID] = &out.Grids[i]
	}

	if sc.Can(auth.ReadEvents) {
		lights, err := s.events.OpenLights(ctx, within)
		if err != nil {
			return nil, err
		}
		out.Events = &LightCounts{}
		for grid, m := range lights {
			out.Events.add(m)
			if g := byID[grid]; g != nil {
				g.Events.add(m)
			}
		}
	}
	if sc.Can(auth.ReadCare) {
		due, err := s.care.DueByGrid(ctx, today, within)
		if err != nil {
			return nil, err
		}
		out.Care = &CareCounts{}
		for grid, c := range due {
			out.Care.Due += c.Due
			out.Care.Overdue += c.Overdue
			if g := byID[grid]; g != nil {
				g.CareOverdue = c.Overdue
			}
		}
	}
	if sc.Can(auth.ReadPatrol) {
		c, err := s.patrol.CoverageOn(ctx, today, within)
		if err != nil {
			return nil, err
		}
		out.Patrol = &PatrolCoverage{Workers: c.Workers, WorkersPatrolled: c.WorkersPatrolled, Grids: c.Grids, GridsPatrolled: len(c.GridsPatrolled)}
		for grid := range c.GridsPatrolled {
			if g := byID[grid]; g != nil {
				g.Patrolled = true
			}
		}
	}
	if sc.Can(auth.ReadAssessment) {
		run, err := s.summaryRun(ctx, u, in.RunID)
		if err != nil {
			return nil, err
		}
		if run != nil {
			out.Run = run
			scores, err := s.assess.GridScores(ctx, run.ID, today)
			if err != nil {
				return nil, err
			}
			for grid, sc := range scores {
				if g := byID[grid]; g != nil {
					total := sc.Total
					g.Score, g.MaxScore, g.Worker = &total, sc.MaxTotal, sc.Worker
				}
			}
		}
	}
	staffed, err := s.org.StaffedGrids(ctx, today)
	if err != nil {
		return nil, err
	}
	for i := range out.Grids {
		g := &out.Grids[i]
		g.OverdueWork = g.Events.Red + g.CareOverdue
		g.WithoutWorker = !staffed[g.GridID]
	}
	sort.SliceStable(out.Grids, func(i, j int) bool { return out.Grids[i].Code < out.Grids[j].Code })
	return &struct{ Body ConsoleSummary }{out}, nil
}

// summaryRun is the run asked for, or the latest current monthly run of
// workers whose unit lies in the caller's scope or encloses it (else the
// latest of any period); nil when none.
func (s *Server) summaryRun(ctx context.Context, u auth.User, id string) (*runs.RunInfo, error) {
	if id != "" {
		r, err := s.assess.GetRun(ctx, id)
		if err != nil {
			return nil, err
		}
		return &r, nil
	}
	latest, err := s.assess.LatestWorkerRuns(ctx, 50)
	if err != nil {
		return nil, err
	}
	today := dates.Today()
	var first *runs.RunInfo
	for i := range latest {
		r := &latest[i]
		visible := s.auth.CheckScope(ctx, u, r.UnitID, today) == nil
		if !visible {
			in, err := s.org.InSubtree(ctx, u.ScopeUnitID, r.UnitID, today)
			visible = err == nil && in
		}
		if !visible {
			continue
		}
		// The home shows this month's table: a monthly run first, else
		// the latest run of any period.
		if monthly(r.Span) {
			return r, nil
		}
		if first == nil {
			first = r
		}
	}
	return first, nil
}

// monthly reports whether span names a month ("2026-03"), not a quarter
// ("2026-Q2") or a year.
func monthly(span string) bool {
	return len(span) == 7 && span[4] == '-' && span[5] >= '0' && span[5] <= '1'
}
