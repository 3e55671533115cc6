package events_test

import (
	"testing"

	"gridwork/internal/apperr"
	"gridwork/internal/events"
)

func TestReport(t *testing.T) {
	eachEnv(t, at("2026-03-02 09:00"), func(t *testing.T, e *env) {
		// Located by position; a resend is a no-op.
		in := events.NewEvent{ClientID: "0b0e6a3e-0000-4000-8000-000000000001", CategoryCode: "event_garbage",
			Description: "二号楼北侧垃圾堆放三天未清运", Lat: f64(lat2), Lon: f64(lon2), Photos: []string{e.photo}}
		r1, err := e.ev.Report(bg, e.partBy, in)
		if err != nil {
			t.Fatal(err)
		}
		if !r1.New || r1.Event.GridID != e.g2.ID || r1.Event.CommunityID != e.community.ID || r1.Event.State != events.Reported ||
			r1.Event.Source != events.FromWorker || r1.Event.BadlyDescribed {
			t.Fatalf("reported %+v", r1)
		}
		e.set("2026-03-02 10:00")
		r2, err := e.ev.Report(bg, e.partBy, in)
		if err != nil || r2.New || r2.Event.ID != r1.Event.ID {
			t.Fatalf("resend: %+v, %v", r2, err)
		}
		var n int
		e.db.QueryRowContext(bg, `SELECT COUNT(*) FROM events`).Scan(&n)
		if n != 1 {
			t.Fatalf("%d events after a resend, want 1", n)
		}
		// Bad input names each field.
		_, err = e.ev.Report(bg, e.partBy, events.NewEvent{CategoryCode: "nope", Lat: f64(1), Photos: []string{"ff"}})
		wantErr(t, err, apperr.Invalid, "category_code", "description", "lat", "photos")
		_, err = e.ev.Report(bg, e.partBy, events.NewEvent{CategoryCode: "event_garbage", Description: "垃圾", Lat: f64(10), Lon: f64(10)})
		wantErr(t, err, apperr.Invalid, "grid_id")
		_, err = e.ev.Report(bg, e.partBy, events.NewEvent{CategoryCode: "event_garbage", Description: "垃圾", GridID: e.community.ID})
		wantErr(t, err, apperr.Invalid, "grid_id")
		_, err = e.ev.Report(bg, e.centre, events.NewEvent{CategoryCode: "event_garbage", Description: "垃圾", GridID: e.g1.ID, SelfHandle: true})
		wantErr(t, err, apperr.Invalid, "self_handle", "handle_note")
		// Badly described: too short, and no photo where required.
		bad := e.report(t, e.fullBy, events.NewEvent{CategoryCode: "event_garbage", Description: "垃圾", Photos: []string{}})
		if !bad.BadlyDescribed || bad.QualityNotes == "" {
			t.Errorf("short description without photo: badly_described %v %q", bad.BadlyDescribed, bad.QualityNotes)
		}
		ok := e.report(t, e.fullBy, events.NewEvent{CategoryCode: "dispute_neighbour", Description: "302与402因漏水问题发生争执，需要调解", Photos: []string{}})
		if ok.BadlyDescribed {
			t.Errorf("dispute without photo (not required): %q", ok.QualityNotes)
		}
	})
}

// TestDuplicateCheck: same category within the radius (50 m) and age
// (72 h) is a near match; another category, farther, older or voided is
// not.
func TestDuplicateCheck(t *testing.T) {
	eachEnv(t, at("2026-03-02 09:00"), func(t *testing.T, e *env) {
		// 0.0001° of latitude is 11.1 m; of longitude at 39.915° it is
		// 11.1 m × cos(39.915°) = 8.53 m.
		rep := func(cat string, dlat, dlon float64) events.Event {
			return e.report(t, e.fullBy, events.NewEvent{CategoryCode: cat, Lat: f64(lat1 + dlat), Lon: f64(lon1 + dlon)})
		}
		old := rep("part_road", 0, 0) // 72 h + 1 min before the new one
		e.set("2026-03-05 08:00")
		near := rep("part_road", 0.0003, 0)    // 33.4 m north
		far := rep("part_road", 0.0005, 0)     // 55.6 m north: outside 50 m
		other := rep("part_streetlight", 0, 0) // another category
		voided := rep("part_road", 0, 0.0001)  // 8.5 m east, then voided
		e.act(t, e.centre, voided.ID, events.RequestVoid, events.ActInput{Note: "误报"})
		e.act(t, e.centre, voided.ID, events.ApproveVoid, events.ActInput{Note: "同意"})
		e.set("2026-03-05 09:01")
		got := rep("part_road", 0, 0)
		if len(got.Matches) != 1 || got.Matches[0].EventID != near.ID {
			t.Fatalf("matches %+v; want only %s (near); old %s far %s other %s voided %s", got.Matches, near.ID, old.ID, far.ID, other.ID, voided.ID)
		}
		if d := got.Matches[0].DistanceM; d < 33.3 || d > 33.5 {
			t.Errorf("distance %.1f m, want 33.4", d)
		}
		full, err := e.ev.Get(bg, got.ID)
		if err != nil || len(full.Matches) != 1 {
			t.Fatalf("Get: %+v, %v", full.Matches, err)
		}
	})
}

// TestSelfHandle: 自办自结 is recorded step by step, all by the reporter.
func TestSelfHandle(t *testing.T) {
	eachEnv(t, at("2026-03-02 09:00"), func(t *testing.T, e *env) {
		r := e.report(t, e.fullBy, events.NewEvent{CategoryCode: "event_ad", Description: "单元门口小广告，已当场清除",
			SelfHandle: true, HandleNote: "已清除", HandlePhotos: []string{e.photo}})
		got, err := e.ev.Get(bg, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != events.Closed || !got.SelfHandled || got.AssigneeWorkerID != e.full.ID || got.ClosedAt == nil {
			t.Fatalf("self-handled %+v", got)
		}
		want := []events.Action{events.Report, events.Accept, events.Dispatch, events.Handle, events.Verify, events.Close}
		if len(got.Steps) != len(want) {
			t.Fatalf("steps %+v", got.Steps)
		}
		for i, s := range got.Steps {
			if s.Action != want[i] || s.UserID != e.fullBy.UserID || s.WorkerID != e.full.ID {
				t.Errorf("step %d: %+v, want %s by the reporter", i, s, want[i])
			}
		}
		if len(got.Photos) != 2 || got.Photos[0].Stage != "report" || got.Photos[1].Stage != "handle" {
			t.Errorf("photos %+v, want the file as report and as handle photo", got.Photos)
		}
		for _, c := range got.Clocks {
			if c.Light != events.OnTime {
				t.Errorf("clock %+v", c)
			}
		}
	})
}
