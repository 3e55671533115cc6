package demo_test

import (
	"context"
	"testing"

	"gridwork/internal/demo"
	"gridwork/internal/metric"
	"gridwork/internal/survey"
)

// TestLoadSurveys: two monthly surveys, the households' second votes
// refused, and only the grid stuffed in April flagged, its excess phone
// answers left out of its facts.
func TestLoadSurveys(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("loads the demo records")
	}
	ctx := context.Background()
	rt := newTownWithRecords(t) // 12 households a grid
	sum, err := demo.LoadSurveys(ctx, rt.db, rt.orgs, rt.rec, 1)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Surveys != 2 || sum.SecondVotes != 6 || sum.Flagged != 1 || sum.Answers == 0 || sum.Ballots != 2*10*8 {
		t.Errorf("summary %+v: want 2 surveys, 6 second votes, 1 flagged grid-month, 160 ballots", sum)
	}
	st := survey.NewStore(rt.db, rt.orgs, rt.rec)
	vs, err := st.List(ctx, survey.Query{FactMonth: "2026-04"})
	if err != nil || len(vs) != 1 {
		t.Fatalf("April surveys: %v %v", vs, err)
	}
	res, err := st.Results(ctx, vs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range res.Grids {
		flagged := len(g.Flags) > 0
		if flagged != (g.GridID == sum.StuffedGrid) {
			t.Errorf("grid %s flagged %v (%d resident answers, %d households)", g.GridName, flagged, g.Residents, g.Households)
		}
		if flagged && (g.Excluded != g.Residents-g.Households || g.Excluded == 0) {
			t.Errorf("stuffed grid: %d of %d resident answers excluded for %d households", g.Excluded, g.Residents, g.Households)
		}
	}
	gf, _, err := st.Facts(ctx, metric.Period{Year: 2026, Month: 4})
	if err != nil {
		t.Fatal(err)
	}
	flag := false
	for _, r := range gf[sum.StuffedGrid]["survey.responses"].Evidence {
		flag = flag || r.Entity == "survey_flag"
	}
	if !flag {
		t.Error("the stuffed grid's April facts do not show the flag")
	}
}
