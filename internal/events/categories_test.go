package events_test

import (
	"testing"

	"gridwork/internal/apperr"
	"gridwork/internal/events"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
	"gridwork/internal/workcal"
)

func TestCategories(t *testing.T) {
	eachEnv(t, at("2026-03-02 09:00"), func(t *testing.T, e *env) {
		cs, err := e.ev.Categories(bg)
		if err != nil {
			t.Fatal(err)
		}
		byCode := map[string]events.Category{}
		for _, c := range cs {
			byCode[c.Code] = c
		}
		// The built-in tree: 数字城管 and 综治 lines, mediation marked,
		// disputes not public, seed 003's defaults where a category sets
		// nothing.
		if c := byCode["dispute_neighbour"]; c.ParentCode != "dispute" || !c.Mediation || c.Public || c.Line != events.Governance {
			t.Errorf("dispute_neighbour %+v", c)
		}
		if l := byCode["part_road"].Limit(events.StageAccept); l != (workcal.Limit{N: 2, Unit: workcal.Workdays}) {
			t.Errorf("part_road accept %v, want 2workdays", l)
		}
		if l := byCode["part_road"].Limit(events.StageClose); l != (workcal.Limit{N: 7, Unit: workcal.Workdays}) {
			t.Errorf("part_road close %v, want 7workdays", l)
		}
		if l := byCode["major_fire"].Limit(events.StageAccept); l != (workcal.Limit{N: 2, Unit: workcal.Hours}) {
			t.Errorf("major_fire accept %v, want 2hours", l)
		}
		set := func(c events.Category) error {
			_, err := e.ev.SetCategory(bg, "test", c)
			return err
		}
		wantErr(t, set(events.Category{Code: "Bad Code", Line: "x"}), apperr.Invalid, "code", "name", "line")
		wantErr(t, set(events.Category{Code: "x1", Name: "x", Line: events.CityEvent, ParentCode: "nope"}), apperr.Invalid, "parent_code")
		wantErr(t, set(events.Category{Code: "x1", Name: "x", Line: events.CityEvent, ParentCode: "event_garbage"}), apperr.Invalid, "parent_code")
		wantErr(t, set(events.Category{Code: "x1", Name: "x", Line: events.Governance, ParentCode: "city_event"}), apperr.Invalid, "line")
		wantErr(t, set(events.Category{Code: "x1", Name: "x", Line: events.CityEvent, Limits: map[events.Stage]workcal.Limit{"later": {N: 1, Unit: workcal.Days}}}),
			apperr.Invalid, "limits")
		wantErr(t, set(events.Category{Code: "city_event", Name: "x", Line: events.CityEvent, ParentCode: "city_part"}), apperr.Invalid)
		if err := set(events.Category{Code: "event_bike", Name: "共享单车乱停放", ParentCode: "city_event", Line: events.CityEvent, Public: true, Active: true,
			Limits: map[events.Stage]workcal.Limit{events.StageClose: {N: 2, Unit: workcal.Workdays}}}); err != nil {
			t.Fatal(err)
		}
		got, err := e.ev.Category(bg, "event_bike")
		if err != nil || got.DupRadiusM != 50 || got.DupAgeHours != 72 || got.Limit(events.StageClose).N != 2 || got.Limit(events.StageAccept).N != 2 {
			t.Errorf("stored %+v, %v", got, err)
		}
		// In use: deactivate, do not delete; unused: delete.
		e.report(t, e.fullBy, events.NewEvent{CategoryCode: "event_bike", Description: "人行道上共享单车堆放"})
		wantErr(t, e.ev.DeleteCategory(bg, "test", "event_bike"), apperr.Conflict)
		got.Active = false
		if err := set(got); err != nil {
			t.Fatal(err)
		}
		_, err = e.ev.Report(bg, e.fullBy, events.NewEvent{CategoryCode: "event_bike", GridID: e.g1.ID, Description: "又有单车堆放"})
		wantErr(t, err, apperr.Invalid, "category_code")
		if err := set(events.Category{Code: "event_tmp", Name: "临时", Line: events.CityEvent}); err != nil {
			t.Fatal(err)
		}
		if err := e.ev.DeleteCategory(bg, "test", "event_tmp"); err != nil {
			t.Fatal(err)
		}
		wantErr(t, e.ev.DeleteCategory(bg, "test", "event_tmp"), apperr.NotFound)
	})
}

// TestQueues: the stage queues and the light filter.
func TestQueues(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		// Reported Mon 03-02 09:00 and 10:00: accept due Wed 03-04 09:00
		// and 10:00.
		e := newEnv(t, db, at("2026-03-02 09:00"))
		a := e.report(t, e.fullBy, events.NewEvent{})
		e.set("2026-03-02 10:00")
		b := e.report(t, e.fullBy, events.NewEvent{})
		e.act(t, e.centre, b.ID, events.Accept, events.ActInput{})
		// Tue 03-03 20:00: a has used 35 of 48 h (73 %, green); b's
		// dispatch stage (1 working day from 03-02 10:00) is past due.
		e.set("2026-03-03 20:00")
		list := func(q events.Query) []string {
			t.Helper()
			es, total, err := e.ev.List(bg, q)
			if err != nil || total != len(es) {
				t.Fatalf("List %+v: %d of %d, %v", q, len(es), total, err)
			}
			var ids []string
			for _, x := range es {
				ids = append(ids, x.ID)
			}
			return ids
		}
		if got := list(events.Query{Stage: events.StageAccept}); len(got) != 1 || got[0] != a.ID {
			t.Errorf("accept queue %v, want [%s]", got, a.ID)
		}
		if got := list(events.Query{Stage: events.StageDispatch, Light: events.Red}); len(got) != 1 || got[0] != b.ID {
			t.Errorf("red dispatch queue %v, want [%s]", got, b.ID)
		}
		if got := list(events.Query{Light: events.Green}); len(got) != 1 || got[0] != a.ID {
			t.Errorf("green %v, want [%s]", got, a.ID)
		}
		// Wed 03-04 05:00: a at 44 of 48 h, 92 %: yellow.
		e.set("2026-03-04 05:00")
		if got := list(events.Query{Light: events.Yellow, WithinID: e.community.ID}); len(got) != 1 || got[0] != a.ID {
			t.Errorf("yellow %v, want [%s]", got, a.ID)
		}
		if got := list(events.Query{GridID: e.g2.ID}); len(got) != 0 {
			t.Errorf("g2 has %v", got)
		}
	})
}
