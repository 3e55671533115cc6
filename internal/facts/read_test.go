package facts_test

import (
	"context"
	"reflect"
	"sort"
	"testing"
	"time"

	"gridwork/internal/facts"
	"gridwork/internal/metric"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

// TestRead: Read streams the named facts of one month, every subject's,
// with their evidence, and nothing of other months or names.
func TestRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		mar, apr := metric.Period{Year: 2026, Month: time.March}, metric.Period{Year: 2026, Month: time.April}
		ev := []metric.Ref{{Entity: "event", ID: "e1"}, {Entity: "event", ID: "e2"}}
		if err := facts.Save(ctx, db, mar, []metric.Fact{
			{Name: "records.a", Subject: metric.Worker, SubjectID: "w1", Value: 2, Evidence: ev},
			{Name: "records.b", Subject: metric.Unit, SubjectID: "g1", Value: 50, Num: 1, Den: 2},
			{Name: "records.c", Subject: metric.Worker, SubjectID: "w1", Value: 7},
		}); err != nil {
			t.Fatal(err)
		}
		if err := facts.Save(ctx, db, apr, []metric.Fact{{Name: "records.a", Subject: metric.Worker, SubjectID: "w1", Value: 9}}); err != nil {
			t.Fatal(err)
		}
		var got []metric.Fact
		if err := facts.Read(ctx, db, mar, []string{"records.a", "records.b"}, func(f metric.Fact) { got = append(got, f) }); err != nil {
			t.Fatal(err)
		}
		sort.Slice(got, func(i, j int) bool { return got[i].Name < got[j].Name })
		want := []metric.Fact{
			{Name: "records.a", Subject: metric.Worker, SubjectID: "w1", Value: 2, Evidence: ev},
			{Name: "records.b", Subject: metric.Unit, SubjectID: "g1", Value: 50, Num: 1, Den: 2},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Read = %+v, want %+v", got, want)
		}
		called := false
		if err := facts.Read(ctx, db, mar, nil, func(metric.Fact) { called = true }); err != nil || called {
			t.Errorf("Read with no names: err %v, called %v; want nothing read", err, called)
		}
	})
}
