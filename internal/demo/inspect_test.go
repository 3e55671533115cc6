package demo_test

import (
	"context"
	"testing"
	"time"

	"gridwork/internal/auth"
	"gridwork/internal/demo"
	"gridwork/internal/inspect"
	"gridwork/internal/metric"
	"gridwork/internal/workcal"
)

func TestLoadInspections(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rt := newTownWithRecords(t) // 12 households a grid
	users := auth.NewStore(rt.db, rt.orgs, auth.TestParams)
	st := inspect.NewStore(rt.db, rt.orgs, rt.rec, users, workcal.NewStore(rt.db))
	sum, err := demo.LoadInspections(ctx, st, rt.orgs, users, rt.town, demo.DefaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	// 143 grids, each visited about every 1.5 months: 96 a month.
	if sum.Rounds != 2 || sum.Visits != 2*96 {
		t.Errorf("%d rounds, %d visits; want 2 and 192", sum.Rounds, sum.Visits)
	}
	if sum.Failed == 0 || sum.Failed > sum.Visits/2 {
		t.Errorf("%d of %d visits failed: want some, not most", sum.Failed, sum.Visits)
	}
	if sum.Tasks == 0 || sum.TasksDone == 0 || sum.TasksDone == sum.Tasks {
		t.Errorf("%d fix tasks, %d done: want most, not all, done", sum.Tasks, sum.TasksDone)
	}
	if sum.Quizzes == 0 || sum.Reports != 5 {
		t.Errorf("%d quizzes, %d reports", sum.Quizzes, sum.Reports)
	}
	rounds, err := st.ListRounds(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rounds {
		if r.PublishedAt == nil {
			t.Errorf("round %s is not published", r.ID)
		}
		if err := st.VerifyRound(ctx, r.ID, false); err != nil {
			t.Errorf("round %s does not re-draw: %v", r.ID, err)
		}
	}
	// The facts count every visit of the month, and the failures.
	var checks, failed float64
	for _, month := range []int{3, 4} {
		g, _, err := st.Facts(ctx, metric.Period{Year: 2026, Month: timeMonth(month)})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range g {
			if x := m["inspect.checks"]; x != nil {
				checks += x.Num
			}
			if x := m["inspect.failed"]; x != nil {
				failed += x.Num
			}
		}
	}
	if int(checks) != sum.Visits || int(failed) != sum.Failed {
		t.Errorf("facts count %v checks and %v failures; the loader made %d and %d", checks, failed, sum.Visits, sum.Failed)
	}
}

func timeMonth(m int) time.Month { return time.Month(m) }
