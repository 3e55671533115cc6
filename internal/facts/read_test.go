package facts_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"gridwork/internal/facts"
	"gridwork/internal/metric"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

func TestRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := metric.Period{Year: 2026, Month: 3}
		saved := []metric.Fact{
			{Subject: metric.Unit, SubjectID: "g1", Name: "a.one", Value: 2, Num: 2, Den: 4,
				Evidence: []metric.Ref{{Entity: "event", ID: "e1", Note: "late"}}},
			{Subject: metric.Worker, SubjectID: "w1", Name: "a.two", Value: 1},
			{Subject: metric.Unit, SubjectID: "g1", Name: "a.three", Value: 5},
		}
		if err := facts.Save(ctx, db, p, saved); err != nil {
			t.Fatal(err)
		}
		if err := facts.Save(ctx, db, p.Next(), saved[:1]); err != nil {
			t.Fatal(err)
		}
		var got []metric.Fact
		if err := facts.Read(ctx, db.Q(ctx), p, []string{"a.one", "a.two"}, func(f metric.Fact) { got = append(got, f) }); err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(got, func(x, y metric.Fact) int { return strings.Compare(x.Name, y.Name) })
		if len(got) != 2 || got[0].Name != "a.one" || got[1].Name != "a.two" {
			t.Fatalf("Read = %+v; want a.one and a.two of %s", got, p)
		}
		if g := got[0]; g.Subject != metric.Unit || g.SubjectID != "g1" || g.Value != 2 || g.Num != 2 || g.Den != 4 ||
			len(g.Evidence) != 1 || g.Evidence[0].ID != "e1" || g.Evidence[0].Note != "late" {
			t.Errorf("a.one = %+v", g)
		}
		if g := got[1]; g.Subject != metric.Worker || g.SubjectID != "w1" || g.Value != 1 || len(g.Evidence) != 0 {
			t.Errorf("a.two = %+v", g)
		}
		called := false
		if err := facts.Read(ctx, db.Q(ctx), p, nil, func(metric.Fact) { called = true }); err != nil || called {
			t.Errorf("Read of no names: called %v, err %v", called, err)
		}
	})
}
