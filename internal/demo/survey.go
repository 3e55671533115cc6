package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/dates"
	"gridwork/internal/org"
	"gridwork/internal/records"
	"gridwork/internal/store"
	"gridwork/internal/survey"
)

// SurveySummary counts what LoadSurveys stored.
type SurveySummary struct {
	Surveys int
	// Answers were stored; SecondVotes were refused as a second answer of
	// the same household or phone, as they must be.
	Answers, SecondVotes int
	Ballots              int
	// Flagged are grid-months whose resident answers exceed the grid's
	// households; StuffedGrid is the grid stuffed on purpose.
	Flagged     int
	StuffedGrid string
	Took        time.Duration
}

// demoSender keeps the SMS codes the demo's "residents" receive.
type demoSender struct {
	mu   sync.Mutex
	last map[string]string
}

func (d *demoSender) Send(_ context.Context, phone, code string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.last[phone] = code
	return nil
}

// LoadSurveys runs the demo street's satisfaction surveys of March and
// April 2026 through the public side, as residents, cadres and unit
// representatives would: each month a survey of the street is opened on
// the 5th and closed on the 28th; in each grid 10-18 households answer with
// their contact card's code and 1-3 residents by phone; each community's
// 5 cadres and 3 unit representatives rate most of its grids. Each
// worker has their own chance of a satisfied answer (most 85-98 %, a few
// 55-70 %). Three households try to vote twice (refused), and in April
// one grid is stuffed: phone answers beyond its household count, which
// the household check flags. It needs the demo records (households).
func LoadSurveys(ctx context.Context, db *store.DB, orgs *org.Store, rec *records.Store, seed uint64) (SurveySummary, error) {
	start := time.Now()
	var sum SurveySummary
	r := rand.New(rand.NewPCG(seed, 0x5e7e7))
	sms := &demoSender{last: map[string]string{}}
	st := survey.NewStore(db, orgs, rec)
	st.Sender = sms
	st.SetLimits(survey.LimitConfig{Window: time.Hour}) // the demo is one address: no limits
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, dates.Shanghai)
	st = st.WithClock(func() time.Time { return now })

	streets, _, err := orgs.ListUnits(ctx, org.UnitQuery{On: dates.New(2026, 3, 1), Level: org.Street, WithoutGeometry: true})
	if err != nil || len(streets) == 0 {
		return sum, fmt.Errorf("demo surveys: no street: %v", err)
	}
	street := streets[0]
	communities, _, err := orgs.ListUnits(ctx, org.UnitQuery{On: dates.New(2026, 3, 1), Level: org.Community, WithinID: street.ID, WithoutGeometry: true})
	if err != nil {
		return sum, err
	}
	type gridInfo struct {
		org.Unit
		community string
		p         float64 // chance of a satisfied answer
	}
	var grids []gridInfo
	byCommunity := map[string][]int{}
	for _, c := range communities {
		gs, _, err := orgs.ListUnits(ctx, org.UnitQuery{On: dates.New(2026, 3, 1), Level: org.Grid, WithinID: c.ID, WithoutGeometry: true})
		if err != nil {
			return sum, err
		}
		for _, g := range gs {
			p := 0.85 + 0.13*r.Float64()
			if r.IntN(12) == 0 {
				p = 0.55 + 0.15*r.Float64()
			}
			byCommunity[c.ID] = append(byCommunity[c.ID], len(grids))
			grids = append(grids, gridInfo{Unit: g, community: c.ID, p: p})
		}
	}
	if len(grids) == 0 {
		return sum, fmt.Errorf("demo surveys: the street has no grids")
	}
	// The contact cards are printed once, in February.
	now = time.Date(2026, 2, 25, 10, 0, 0, 0, dates.Shanghai)
	codes := make([][]survey.HouseholdCode, len(grids))
	for i, g := range grids {
		if codes[i], err = st.GridCodes(ctx, "demo", g.ID); err != nil {
			return sum, err
		}
	}
	stuffed := len(byCommunity[communities[min(1, len(communities)-1)].ID]) // a grid of the second community
	stuffed = byCommunity[communities[min(1, len(communities)-1)].ID][stuffed/2]
	sum.StuffedGrid = grids[stuffed].ID

	client := 0
	overall := func(p float64) string {
		switch x := r.Float64(); {
		case x < p*0.7:
			return "满意"
		case x < p:
			return "基本满意"
		}
		return "不满意"
	}
	resident := func(p float64) map[string]string {
		a := map[string]string{"knows": "知道", "visited": "走访过", "handled": "未反映过问题", "overall": overall(p)}
		if r.IntN(5) == 0 {
			a["knows"] = "不知道"
		}
		if r.IntN(4) == 0 {
			a["visited"] = []string{"没有", "不清楚"}[r.IntN(2)]
		}
		if r.IntN(3) == 0 {
			a["handled"] = []string{"满意", "基本满意", "不满意"}[r.IntN(3)]
		}
		return a
	}
	ip := func() string { return fmt.Sprintf("10.%d.%d.%d", r.IntN(256), r.IntN(256), 1+r.IntN(254)) }
	answer := func(grid string, a survey.PublicAnswer) error {
		client++
		a.ClientID = fmt.Sprintf("demo-%d-%d", seed, client)
		_, err := st.Answer(ctx, grid, a, ip())
		if err == nil {
			sum.Answers++
		}
		return err
	}
	phone := func(grid, number string, a map[string]string) error {
		if _, err := st.RequestCode(ctx, grid, number, ip()); err != nil {
			return err
		}
		sms.mu.Lock()
		code := sms.last[number]
		sms.mu.Unlock()
		return answer(grid, survey.PublicAnswer{Audience: survey.Residents, Phone: number, SMSCode: code, Answers: a})
	}

	for mi, month := range []time.Month{time.March, time.April} {
		now = time.Date(2026, month, 1, 9, 0, 0, 0, dates.Shanghai)
		v, err := st.Create(ctx, "demo", survey.NewSurvey{UnitID: street.ID, Period: fmt.Sprintf("2026-%02d", int(month))})
		if err != nil {
			return sum, err
		}
		sum.Surveys++
		now = time.Date(2026, month, 5, 9, 0, 0, 0, dates.Shanghai)
		if _, err := st.Open(ctx, "demo", v.ID); err != nil {
			return sum, err
		}
		// Answers come in over the 6th to the 25th, between 8:00 and 21:00.
		tick := func() {
			now = time.Date(2026, month, 6+r.IntN(20), 8+r.IntN(13), r.IntN(60), r.IntN(60), 0, dates.Shanghai)
		}
		for i, g := range grids {
			cs := codes[i]
			n := min(len(cs)*2/3, 10+r.IntN(9))
			voted := r.Perm(len(cs))[:n]
			for _, k := range voted {
				tick()
				if err := answer(g.ID, survey.PublicAnswer{Audience: survey.Residents, HouseholdCode: cs[k].Code, Answers: resident(g.p)}); err != nil {
					return sum, fmt.Errorf("demo surveys: household answer: %w", err)
				}
			}
			phones := min(1+r.IntN(3), len(cs)-n)
			if mi == 1 && i == stuffed {
				// Someone with a drawer of SIM cards: more "residents"
				// than the grid has households.
				phones = len(cs) - n + 6
			}
			for k := range phones {
				tick()
				number := fmt.Sprintf("1%02d%08d", 30+mi*10+r.IntN(10), i*1000+k)
				a := resident(g.p)
				if mi == 1 && i == stuffed {
					a["overall"] = "满意"
				}
				if err := phone(g.ID, number, a); err != nil {
					return sum, fmt.Errorf("demo surveys: phone answer: %w", err)
				}
			}
			// Three households try again (a new sheet, the same card).
			if i%(len(grids)/3+1) == 1 && n > 0 {
				tick()
				err := answer(g.ID, survey.PublicAnswer{Audience: survey.Residents, HouseholdCode: cs[voted[0]].Code, Answers: resident(g.p)})
				if apperr.CodeOf(err) != apperr.Conflict {
					return sum, fmt.Errorf("demo surveys: a second vote of a household was not refused: %v", err)
				}
				sum.SecondVotes++
			}
		}
		// Cadres and unit representatives, by community.
		for _, c := range communities {
			for _, aud := range []struct {
				a survey.Audience
				n int
			}{{survey.Cadres, 5}, {survey.Units, 3}} {
				bs, err := st.IssueBallots(ctx, "demo", v.ID, aud.a, c.ID, aud.n)
				if err != nil {
					return sum, err
				}
				sum.Ballots += len(bs)
				for _, b := range bs {
					for _, gi := range byCommunity[c.ID] {
						if r.IntN(10) == 0 {
							continue // does not know this grid's worker well enough
						}
						tick()
						g := grids[gi]
						a := map[string]string{"overall": overall(g.p)}
						if aud.a == survey.Cadres {
							a["duties"] = []string{"好", "较好", "一般"}[r.IntN(3)]
							a["obeys"] = []string{"好", "好", "一般"}[r.IntN(3)]
						} else {
							a["visits"] = []string{"是", "是", "不清楚"}[r.IntN(3)]
						}
						if err := answer(g.ID, survey.PublicAnswer{Audience: aud.a, BallotCode: b.Code, Answers: a}); err != nil {
							return sum, fmt.Errorf("demo surveys: ballot answer: %w", err)
						}
					}
				}
			}
		}
		now = time.Date(2026, month, 28, 18, 0, 0, 0, dates.Shanghai)
		if _, err := st.Close(ctx, "demo", v.ID); err != nil {
			return sum, err
		}
		res, err := st.Results(ctx, v.ID)
		if err != nil {
			return sum, err
		}
		sum.Flagged += res.Flagged
	}
	sum.Took = time.Since(start)
	return sum, nil
}
