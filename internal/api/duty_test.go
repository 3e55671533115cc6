package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"gridwork/internal/apperr"
	"gridwork/internal/dates"
	"gridwork/internal/demo"
	"gridwork/internal/duty"
	"gridwork/internal/org"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

// dutyFixture is the demo town and its duty store.
func dutyFixture(t *testing.T, loaded storetest.Copy[demo.Summary]) (*fixture, *duty.Store) {
	t.Helper()
	f := newFixture(t, loaded)
	return f, f.app.Duty
}

// twoWorkers returns two demo workers of different communities.
func twoWorkers(t *testing.T, town demo.Town) (a, b demo.WorkerSpec) {
	t.Helper()
	a = town.Workers[0]
	for _, w := range town.Workers[1:] {
		if w.CommunityKey != a.CommunityKey {
			return a, w
		}
	}
	t.Fatal("the demo town has one community")
	return
}

func TestDutyScopeAndLeaveApproval(t *testing.T) {
	demoTown.Each(t, func(t *testing.T, loaded storetest.Copy[demo.Summary]) {
		db := loaded.DB
		f, ds := dutyFixture(t, loaded)
		ctx := context.Background()
		wa, wb := twoWorkers(t, f.town)
		ua, ub := f.user(t, wa.Username), f.user(t, wb.Username)
		staffA, staffB := wa.CommunityKey+"staff", wb.CommunityKey+"staff"
		as, _, err := f.orgs.ListAssignments(ctx, org.AssignmentQuery{WorkerID: ua.WorkerID, On: dates.Today()})
		if err != nil || len(as) == 0 {
			t.Fatalf("assignments of %s: %v %v", wa.Username, as, err)
		}
		photo := "cd" + fmt.Sprintf("%062d", 0)
		if _, err := db.ExecContext(ctx, `INSERT INTO files (sha256, size, mime, name, created_at, created_by) VALUES ($1, 1, 'image/png', 'p.png', $2, 'test')`,
			photo, store.Now()); err != nil {
			t.Fatal(err)
		}
		from := dates.Today().AddDays(3).Start().Add(8*time.Hour + 30*time.Minute)
		leave := map[string]any{"kind": "personal", "from": from, "to": from.Add(9 * time.Hour), "reason": "家中有事"}
		var leaveID string
		sheetClient := uuid.NewString()
		var sheetID string
		f.run(t, []scenario{
			// A grid worker writes only their own duty.
			{name: "sign in for another worker", method: http.MethodPost, path: "/api/duty/sheets", as: wa.Username,
				body: map[string]any{"worker_id": ub.WorkerID, "plan": "走访"}, wantStatus: http.StatusForbidden, wantCode: apperr.Forbidden},
			{name: "sign in", method: http.MethodPost, path: "/api/duty/sheets", as: wa.Username,
				body: map[string]any{"client_id": sheetClient, "plan": "走访3号楼"}, wantStatus: http.StatusCreated,
				wantBody: []string{ua.WorkerID},
				check: func(t *testing.T, r *response) {
					var x duty.Sheet
					r.decode(t, &x)
					sheetID = x.ID
				}},
			{name: "sign in resent", method: http.MethodPost, path: "/api/duty/sheets", as: wa.Username,
				body: map[string]any{"client_id": sheetClient, "plan": "走访3号楼"}, wantStatus: http.StatusCreated,
				check: func(t *testing.T, r *response) {
					var x duty.Sheet
					r.decode(t, &x)
					if x.ID != sheetID {
						t.Fatalf("resend made sheet %s, want %s", x.ID, sheetID)
					}
				}},
			{name: "leave for another worker", method: http.MethodPost, path: "/api/duty/leave", as: wa.Username,
				body:       map[string]any{"worker_id": ub.WorkerID, "kind": "personal", "from": from, "to": from.Add(time.Hour)},
				wantStatus: http.StatusForbidden, wantCode: apperr.Forbidden},
			{name: "activity in another's grid", method: http.MethodPost, path: "/api/duty/activities", as: wb.Username,
				body:       map[string]any{"grid_id": as[0].GridID, "held_at": time.Now().Add(-time.Hour), "title": "清理", "photos": []string{photo}, "uniform": true},
				wantStatus: http.StatusForbidden, wantCode: apperr.Forbidden},
			{name: "activity in own grid", method: http.MethodPost, path: "/api/duty/activities", as: wa.Username,
				body:       map[string]any{"grid_id": as[0].GridID, "held_at": time.Now().Add(-time.Hour), "title": "清理", "photos": []string{photo}, "uniform": true},
				wantStatus: http.StatusCreated},
			{name: "request leave", method: http.MethodPost, path: "/api/duty/leave", as: wa.Username, body: leave, wantStatus: http.StatusCreated,
				wantBody: []string{`"status":"requested"`},
				check: func(t *testing.T, r *response) {
					var l duty.Leave
					r.decode(t, &l)
					leaveID = l.ID
				}},
		})
		f.run(t, []scenario{
			{name: "worker cannot approve", method: http.MethodPost, path: "/api/duty/leave/" + leaveID + "/approve", as: wa.Username,
				body: map[string]any{}, wantStatus: http.StatusForbidden, wantCode: apperr.Forbidden},
			{name: "other community's staff cannot approve", method: http.MethodPost, path: "/api/duty/leave/" + leaveID + "/approve", as: staffB,
				body: map[string]any{}, wantStatus: http.StatusForbidden, wantCode: apperr.Forbidden},
			{name: "own community's staff approve", method: http.MethodPost, path: "/api/duty/leave/" + leaveID + "/approve", as: staffA,
				body: map[string]any{"note": "同意"}, wantStatus: http.StatusOK, wantBody: []string{`"status":"approved"`, `"decision":"同意"`}},
			{name: "approve again", method: http.MethodPost, path: "/api/duty/leave/" + leaveID + "/approve", as: staffA,
				body: map[string]any{}, wantStatus: http.StatusOK, wantBody: []string{`"status":"approved"`}},
			{name: "reject after approval", method: http.MethodPost, path: "/api/duty/leave/" + leaveID + "/reject", as: staffA,
				body: map[string]any{}, wantStatus: http.StatusConflict, wantCode: apperr.Conflict},
			{name: "worker reads another's leave", method: http.MethodGet, path: "/api/duty/leave?worker_id=" + ub.WorkerID, as: wa.Username,
				wantStatus: http.StatusForbidden, wantCode: apperr.Forbidden},
			{name: "worker reads own leave", method: http.MethodGet, path: "/api/duty/leave", as: wa.Username,
				wantStatus: http.StatusOK, wantBody: []string{leaveID}},
			{name: "other community's staff do not see it", method: http.MethodGet, path: "/api/duty/leave", as: staffB,
				wantStatus: http.StatusOK, notBody: []string{leaveID}},
			{name: "another's month", method: http.MethodGet, path: "/api/duty/workers/" + ub.WorkerID + "/month?month=2026-03", as: wa.Username,
				wantStatus: http.StatusForbidden, wantCode: apperr.Forbidden},
			{name: "own month", method: http.MethodGet, path: "/api/duty/workers/" + ua.WorkerID + "/month?month=2026-03", as: wa.Username,
				wantStatus: http.StatusOK, wantBody: []string{`"duty.login_missed"`}},
			{name: "staff record a meeting outside their scope", method: http.MethodPost, path: "/api/duty/meetings", as: staffB,
				body:       map[string]any{"kind": "morning", "unit_id": ua.ScopeUnitID, "held_at": time.Now().Add(-time.Hour)},
				wantStatus: http.StatusForbidden, wantCode: apperr.Forbidden},
			{name: "a worker cannot record a meeting", method: http.MethodPost, path: "/api/duty/meetings", as: wa.Username,
				body:       map[string]any{"kind": "morning", "unit_id": ua.ScopeUnitID, "held_at": time.Now().Add(-time.Hour)},
				wantStatus: http.StatusForbidden, wantCode: apperr.Forbidden},
		})
		// Reviews: the centre or an inspector, not the community judged on
		// them; a report is submitted by the community's staff or the
		// worker it names.
		acts, err := ds.Activities(ctx, duty.Scope{WorkerID: ua.WorkerID}, dates.Date{}, dates.Date{})
		if err != nil || len(acts) != 1 {
			t.Fatalf("activities of %s: %v %v", wa.Username, acts, err)
		}
		rep, err := ds.RequireReport(ctx, "test", duty.NewReport{UnitID: ua.ScopeUnitID, Kind: duty.Weekly, Title: "周报", DueAt: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		review := map[string]any{"valid": false, "uniform": false, "note": "未穿志愿者服装"}
		f.run(t, []scenario{
			{name: "community staff cannot review", method: http.MethodPost, path: "/api/duty/activities/" + acts[0].ID + "/review", as: staffA,
				body: review, wantStatus: http.StatusForbidden, wantCode: apperr.Forbidden},
			{name: "inspector reviews", method: http.MethodPost, path: "/api/duty/activities/" + acts[0].ID + "/review", as: "insp01",
				body: review, wantStatus: http.StatusOK, wantBody: []string{`"valid":false`}},
			{name: "a worker not named cannot submit", method: http.MethodPost, path: "/api/duty/reports/" + rep.ID + "/submit", as: wa.Username,
				body: map[string]any{}, wantStatus: http.StatusForbidden, wantCode: apperr.Forbidden},
			{name: "other community's staff cannot submit", method: http.MethodPost, path: "/api/duty/reports/" + rep.ID + "/submit", as: staffB,
				body: map[string]any{}, wantStatus: http.StatusForbidden, wantCode: apperr.Forbidden},
			{name: "community staff submit", method: http.MethodPost, path: "/api/duty/reports/" + rep.ID + "/submit", as: staffA,
				body: map[string]any{}, wantStatus: http.StatusOK, wantBody: []string{`"submitted_at"`}},
			{name: "centre reviews wrong", method: http.MethodPost, path: "/api/duty/reports/" + rep.ID + "/review", as: "centre01",
				body: map[string]any{"verdict": "wrong", "note": "数字不符"}, wantStatus: http.StatusOK, wantBody: []string{`"verdict":"wrong"`}},
		})
		got, err := ds.ApprovedLeave(ctx, from, from.Add(time.Hour))
		if err != nil || len(got[ua.WorkerID]) != 1 {
			t.Fatalf("approved leave after the API approval: %v %v", got, err)
		}
	})
}

// TestLoginCapture: an authenticated request of a worker's account records
// the day's login, as the PC system for the browser session and as the app
// for a bearer token or when the client says so.
func TestLoginCapture(t *testing.T) {
	demoTown.Each(t, func(t *testing.T, loaded storetest.Copy[demo.Summary]) {
		f, ds := dutyFixture(t, loaded)
		w := f.town.Workers[0]
		u := f.user(t, w.Username)
		c := f.signIn(t, w.Username)
		if r := c.do(t, http.MethodGet, "/api/me", nil); r.status != http.StatusOK {
			t.Fatalf("me: %d %s", r.status, r.body)
		}
		b := f.bearer(t, w.Username)
		if r := b.do(t, http.MethodGet, "/api/me", nil); r.status != http.StatusOK {
			t.Fatalf("me: %d %s", r.status, r.body)
		}
		ls, err := ds.Logins(context.Background(), duty.Scope{WorkerID: u.WorkerID}, dates.Today(), dates.Today())
		if err != nil {
			t.Fatal(err)
		}
		got := map[duty.Client]bool{}
		for _, l := range ls {
			got[l.Client] = true
		}
		if !got[duty.PC] || !got[duty.App] || len(ls) != 2 {
			t.Fatalf("logins %+v, want one PC and one app", ls)
		}
		// A staff account with no worker records nothing.
		f.signIn(t, w.CommunityKey+"staff").do(t, http.MethodGet, "/api/me", nil)
		all, err := ds.Logins(context.Background(), duty.Scope{}, dates.Today(), dates.Today())
		if err != nil || len(all) != 2 {
			t.Fatalf("all logins %+v %v", all, err)
		}
	})
}
