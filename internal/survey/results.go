package survey

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"gridwork/internal/org"
)

// Z95 is the normal quantile of a two-sided 95 % interval.
const Z95 = 1.959963984540054

// Wilson returns the Wilson score interval of k successes in n trials at
// normal quantile z, as percentages [low, high]. With n = 0 nothing is
// known: [0, 100]. Unlike the normal approximation it stays within 0-100
// and is honest for the small counts of one grid.
func Wilson(k, n int, z float64) (low, high float64) {
	if n <= 0 {
		return 0, 100
	}
	nf := float64(n)
	p := float64(k) / nf
	z2 := z * z
	den := 1 + z2/nf
	centre := (p + z2/(2*nf)) / den
	half := z / den * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	return 100 * math.Max(0, centre-half), 100 * math.Min(1, centre+half)
}

// Count is a number of answers and how many of them are satisfied.
type Count struct {
	Valid     int `json:"valid"`
	Satisfied int `json:"satisfied"`
}

// AudienceCount is one audience's count.
type AudienceCount struct {
	Audience Audience `json:"audience"`
	Count
}

// The flag of a grid whose resident answers exceed its households.
const FlagExceedsHouseholds = "answers_exceed_households"

// GridResult is a survey's result for one grid.
type GridResult struct {
	GridID      string `json:"grid_id"`
	GridName    string `json:"grid_name"`
	CommunityID string `json:"community_id"`
	// WorkerID is the grid's worker over the survey's period, whom its
	// answers are about ("" for a vacant grid).
	WorkerID string `json:"worker_id"`
	// Households are the grid's households on the survey's last day.
	Households int `json:"households"`
	// Residents are the resident answers stored; Excluded those of them
	// past the household count, which do not count.
	Residents int `json:"residents"`
	Excluded  int `json:"excluded"`
	Count
	Rate       float64         `json:"rate" doc:"satisfied / valid, percent; 100 with no answers"`
	Low        float64         `json:"low" doc:"95 % Wilson interval, percent"`
	High       float64         `json:"high"`
	ByAudience []AudienceCount `json:"by_audience"`
	Flags      []string        `json:"flags"`
	// answers are the valid answers, for the facts' evidence.
	answers []answerRow
}

// WorkerResult is a survey's result for one worker: their grids' valid
// answers together.
type WorkerResult struct {
	WorkerID string   `json:"worker_id"`
	Name     string   `json:"name"`
	Grids    []string `json:"grids"`
	Count
	Rate  float64  `json:"rate"`
	Low   float64  `json:"low"`
	High  float64  `json:"high"`
	Flags []string `json:"flags"`
}

// Results is a survey's result per grid and per worker.
type Results struct {
	Survey  Survey         `json:"survey"`
	Grids   []GridResult   `json:"grids"`
	Workers []WorkerResult `json:"workers"`
	Total   Count          `json:"total"`
	// Flagged is how many grids are flagged.
	Flagged int `json:"flagged"`
}

type answerRow struct {
	id, grid, method string
	audience         Audience
	satisfied        bool
	at               time.Time
}

func rateOf(c Count) (rate, low, high float64) {
	rate = 100
	if c.Valid > 0 {
		rate = 100 * float64(c.Satisfied) / float64(c.Valid)
	}
	low, high = Wilson(c.Satisfied, c.Valid, Z95)
	return
}

// Results tallies survey id. Resident answers past a grid's household
// count (households on the survey's last day) flag the grid and are not
// counted: the excess is taken from the phone answers, latest first, since
// a household code proves a real house and a phone does not; only when
// household answers alone exceed the count (houses ended since) are the
// latest of those dropped too. Cadre and unit answers are not resident
// answers and are never dropped. Errors: NotFound.
func (s *Store) Results(ctx context.Context, id string) (Results, error) {
	v, err := s.Get(ctx, id)
	if err != nil {
		return Results{}, err
	}
	return s.results(ctx, v)
}

func (s *Store) results(ctx context.Context, v Survey) (Results, error) {
	res := Results{Survey: v, Grids: []GridResult{}, Workers: []WorkerResult{}}
	grids, _, err := s.org.ListUnits(ctx, org.UnitQuery{On: v.To, Level: org.Grid, WithinID: v.UnitID, WithoutGeometry: true})
	if err != nil {
		return res, err
	}
	owners, err := s.org.GridOwners(ctx, v.From, v.To)
	if err != nil {
		return res, err
	}
	ids := make([]string, len(grids))
	for i, g := range grids {
		ids[i] = g.ID
	}
	hs, err := s.rec.Households(ctx, ids, v.To)
	if err != nil {
		return res, err
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT id, grid_id, audience, method, satisfied, created_at FROM survey_answers
		WHERE survey_id = $1 ORDER BY created_at, id`, v.ID)
	if err != nil {
		return res, fmt.Errorf("survey: results %s: %w", v.ID, err)
	}
	byGrid := map[string][]answerRow{}
	for rows.Next() {
		var a answerRow
		if err := rows.Scan(&a.id, &a.grid, &a.audience, &a.method, &a.satisfied, &a.at); err != nil {
			rows.Close()
			return res, fmt.Errorf("survey: results %s: %w", v.ID, err)
		}
		byGrid[a.grid] = append(byGrid[a.grid], a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, err
	}
	workers := map[string]*WorkerResult{}
	communities := map[string]bool{} // unit → is a community
	for _, g := range grids {
		own := owners[g.ID]
		gr := GridResult{GridID: g.ID, GridName: g.Name, WorkerID: own.Worker, Households: len(hs[g.ID]), Flags: []string{}}
		for _, anc := range own.Ancestors {
			is, seen := communities[anc]
			if !seen {
				u, err := s.org.GetUnit(ctx, anc, v.To)
				is = err == nil && u.Level == org.Community
				communities[anc] = is
			}
			if is {
				gr.CommunityID = anc
				break
			}
		}
		valid := judge(byGrid[g.ID], gr.Households, &gr)
		per := map[Audience]*AudienceCount{}
		for _, a := range valid {
			c := per[a.audience]
			if c == nil {
				c = &AudienceCount{Audience: a.audience}
				per[a.audience] = c
			}
			c.Valid++
			gr.Valid++
			if a.satisfied {
				c.Satisfied++
				gr.Satisfied++
			}
		}
		gr.ByAudience = []AudienceCount{}
		for _, a := range Audiences {
			if c := per[a]; c != nil {
				gr.ByAudience = append(gr.ByAudience, *c)
			}
		}
		gr.answers = valid
		gr.Rate, gr.Low, gr.High = rateOf(gr.Count)
		res.Total.Valid += gr.Valid
		res.Total.Satisfied += gr.Satisfied
		if len(gr.Flags) > 0 {
			res.Flagged++
		}
		if own.Worker != "" {
			w := workers[own.Worker]
			if w == nil {
				w = &WorkerResult{WorkerID: own.Worker, Flags: []string{}}
				if p, err := s.org.GetWorker(ctx, own.Worker); err == nil {
					w.Name = p.Name
				}
				workers[own.Worker] = w
			}
			w.Grids = append(w.Grids, g.ID)
			w.Valid += gr.Valid
			w.Satisfied += gr.Satisfied
			w.Flags = append(w.Flags, gr.Flags...)
		}
		res.Grids = append(res.Grids, gr)
	}
	for _, w := range workers {
		w.Rate, w.Low, w.High = rateOf(w.Count)
		res.Workers = append(res.Workers, *w)
	}
	sort.Slice(res.Workers, func(i, j int) bool { return res.Workers[i].WorkerID < res.Workers[j].WorkerID })
	return res, nil
}

// judge applies the household check to one grid's answers (in arrival
// order) and returns the valid ones, setting gr's resident count, excluded
// count and flags.
func judge(all []answerRow, households int, gr *GridResult) []answerRow {
	var residents []int
	for i, a := range all {
		if a.audience == Residents {
			residents = append(residents, i)
		}
	}
	gr.Residents = len(residents)
	excess := len(residents) - households
	if excess <= 0 {
		return all
	}
	gr.Flags = append(gr.Flags, FlagExceedsHouseholds)
	drop := map[int]bool{}
	for _, method := range []string{"phone", "household"} {
		for j := len(residents) - 1; j >= 0 && len(drop) < excess; j-- {
			if i := residents[j]; all[i].method == method {
				drop[i] = true
			}
		}
	}
	gr.Excluded = len(drop)
	var out []answerRow
	for i, a := range all {
		if !drop[i] {
			out = append(out, a)
		}
	}
	return out
}
