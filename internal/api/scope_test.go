package api_test

import (
	"testing"

	"gridwork/internal/apperr"
	"gridwork/internal/org"
)

// Lookups through the admin's view of the API.

func (f *fixture) communityID(t *testing.T, key string) string {
	t.Helper()
	id := f.user(t, key+"staff").ScopeUnitID
	if id == "" {
		t.Fatalf("%sstaff has no scope", key)
	}
	return id
}

func (f *fixture) listGrids(t *testing.T, parentID string) []org.Unit {
	t.Helper()
	var l list[org.Unit]
	f.signIn(t, "admin").get(t, "/api/grids?per_page=1000&parent_id="+parentID, &l)
	if len(l.Items) == 0 {
		t.Fatalf("no grids under %q", parentID)
	}
	return l.Items
}

func (f *fixture) listWorkers(t *testing.T, withinID string) []org.Worker {
	t.Helper()
	var l list[org.Worker]
	f.signIn(t, "admin").get(t, "/api/workers?per_page=1000&within_id="+withinID, &l)
	if len(l.Items) == 0 {
		t.Fatalf("no workers within %q", withinID)
	}
	return l.Items
}

func (f *fixture) listAssignments(t *testing.T, query string) []org.Assignment {
	t.Helper()
	var l list[org.Assignment]
	f.signIn(t, "admin").get(t, "/api/assignments?per_page=1000&"+query, &l)
	return l.Items
}

// townCounts returns how many grids and workers the generated town puts in
// community key.
func (f *fixture) townCounts(key string) (grids, workers int) {
	for _, g := range f.town.Grids {
		if g.CommunityKey == key {
			grids++
		}
	}
	for _, w := range f.town.Workers {
		if w.CommunityKey == key {
			workers++
		}
	}
	return grids, workers
}

// The "done when": the admin sees the whole demo street.
func TestAdminSeesWholeTown(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, f *fixture) {
		admin := f.signIn(t, "admin")
		var grids list[org.Unit]
		admin.get(t, "/api/grids", &grids)
		if grids.Total != 143 {
			t.Errorf("GET /api/grids: total %d, want 143", grids.Total)
		}
		if len(grids.Items) != 100 || grids.Page != 1 || grids.PerPage != 100 {
			t.Errorf("GET /api/grids: %d items on page %d of %d, want the first 100", len(grids.Items), grids.Page, grids.PerPage)
		}
		for _, g := range grids.Items {
			if g.Level != org.Grid {
				t.Errorf("grid list holds a %s: %+v", g.Level, g)
			}
			if g.Geometry != "" {
				t.Errorf("grid list carries polygons without ?geometry=true")
				break
			}
		}
		var page2 list[org.Unit]
		admin.get(t, "/api/grids?page=2", &page2)
		if page2.Total != 143 || len(page2.Items) != 43 {
			t.Errorf("GET /api/grids?page=2: %d items of %d, want 43 of 143", len(page2.Items), page2.Total)
		}
		seen := map[string]bool{}
		for _, g := range append(grids.Items, page2.Items...) {
			if seen[g.ID] {
				t.Errorf("grid %s on both pages", g.ID)
			}
			seen[g.ID] = true
		}

		var workers list[org.Worker]
		admin.get(t, "/api/workers", &workers)
		if workers.Total != 87 || len(workers.Items) != 87 {
			t.Errorf("GET /api/workers: %d items, total %d, want 87", len(workers.Items), workers.Total)
		}

		// The street's centre staff see the same street.
		centre := f.signIn(t, "centre01")
		var cg, cw list[org.Unit]
		centre.get(t, "/api/grids?per_page=1", &cg)
		centre.get(t, "/api/units?level=community&per_page=1", &cw)
		if cg.Total != 143 || cw.Total != 10 {
			t.Errorf("centre01 sees %d grids and %d communities, want 143 and 10", cg.Total, cw.Total)
		}
	})
}

// A community's staff see and change only their community.
func TestCommunityStaffScope(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, f *fixture) {
		const staff = "c01staff"
		own, other := f.communityID(t, "c01"), f.communityID(t, "c02")
		wantGrids, wantWorkers := f.townCounts("c01")
		if wantGrids != 14 && wantGrids != 15 {
			t.Fatalf("the town gives c01 %d grids; the demo promises 14 or 15", wantGrids)
		}
		if u := f.user(t, staff); u.Role != "community_staff" || u.ScopeUnitID != own {
			t.Fatalf("%s = %+v, want community_staff of c01", staff, u)
		}

		c := f.signIn(t, staff)
		var grids list[org.Unit]
		c.get(t, "/api/grids?per_page=1000", &grids)
		if grids.Total != wantGrids || len(grids.Items) != wantGrids {
			t.Errorf("%s lists %d grids (total %d), want %d", staff, len(grids.Items), grids.Total, wantGrids)
		}
		for _, g := range grids.Items {
			if g.ParentID != own {
				t.Errorf("%s sees grid %s of %s", staff, g.Name, g.ParentID)
			}
		}
		var workers list[org.Worker]
		c.get(t, "/api/workers?per_page=1000", &workers)
		if workers.Total != wantWorkers || len(workers.Items) != wantWorkers {
			t.Errorf("%s lists %d workers (total %d), want %d", staff, len(workers.Items), workers.Total, wantWorkers)
		}
		for _, w := range workers.Items {
			if w.HomeUnitID != own {
				t.Errorf("%s sees worker %s of %s", staff, w.Name, w.HomeUnitID)
			}
		}
		var units list[org.Unit]
		c.get(t, "/api/units?per_page=1000", &units)
		if units.Total != wantGrids+1 {
			t.Errorf("%s lists %d units, want the community and its %d grids", staff, units.Total, wantGrids)
		}

		ownGrid, otherGrid := f.listGrids(t, own)[0], f.listGrids(t, other)[0]
		ownWorker, otherWorker := f.listWorkers(t, own)[0], f.listWorkers(t, other)[0]
		street := f.user(t, "centre01").ScopeUnitID
		newWorker := func(home string) map[string]any {
			return map[string]any{"name": "测试员", "employment": "full_time", "post": "grid_worker",
				"phone": "13800138000", "in_post_since": "2026-02-01", "home_unit_id": home}
		}

		f.run(t, []scenario{
			{name: "own grid", method: "GET", path: "/api/grids/" + ownGrid.ID, as: staff, wantStatus: 200, wantBody: []string{ownGrid.Name, `"workers"`}},
			{name: "grid of another community", method: "GET", path: "/api/grids/" + otherGrid.ID, as: staff, wantStatus: 403, wantCode: apperr.Forbidden, notBody: []string{otherGrid.Name}},
			{name: "own community", method: "GET", path: "/api/units/" + own, as: staff, wantStatus: 200},
			{name: "another community", method: "GET", path: "/api/units/" + other, as: staff, wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "the street above", method: "GET", path: "/api/units/" + street, as: staff, wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "history of another community", method: "GET", path: "/api/units/" + other + "/history", as: staff, wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "children of another community", method: "GET", path: "/api/units?parent_id=" + other, as: staff, wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "grids of another community", method: "GET", path: "/api/grids?parent_id=" + other, as: staff, wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "workers within another community", method: "GET", path: "/api/workers?within_id=" + other, as: staff, wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "assignments of another community's grid", method: "GET", path: "/api/assignments?grid_id=" + otherGrid.ID, as: staff, wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "assignments of another community's worker", method: "GET", path: "/api/assignments?worker_id=" + otherWorker.ID, as: staff, wantStatus: 403, wantCode: apperr.Forbidden},
			// Outside the scope an unknown id and a known one look alike: 403, not 404.
			{name: "unknown unit", method: "GET", path: "/api/units/no-such-unit", as: staff, wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "own worker", method: "GET", path: "/api/workers/" + ownWorker.ID, as: staff, wantStatus: 200, wantBody: []string{ownWorker.Name, `"assignments"`}},
			{name: "worker of another community", method: "GET", path: "/api/workers/" + otherWorker.ID, as: staff, wantStatus: 403, wantCode: apperr.Forbidden, notBody: []string{otherWorker.Phone}},
			{name: "create worker in own community", method: "POST", path: "/api/workers", body: newWorker(own), as: staff, wantStatus: 201, wantBody: []string{"测试员"}},
			{name: "create worker in another community", method: "POST", path: "/api/workers", body: newWorker(other), as: staff, wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "create worker on the street", method: "POST", path: "/api/workers", body: newWorker(street), as: staff, wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "change worker of another community", method: "PATCH", path: "/api/workers/" + otherWorker.ID, body: map[string]any{"phone": "13900139000"}, as: staff, wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "move own worker to another community", method: "PATCH", path: "/api/workers/" + ownWorker.ID, body: map[string]any{"home_unit_id": other}, as: staff, wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "edit board of own grid", method: "PUT", path: "/api/grids/" + ownGrid.ID + "/board", body: map[string]any{"description": "社区公示"}, as: staff, wantStatus: 200, wantBody: []string{"社区公示"}},
			{name: "edit board of another community's grid", method: "PUT", path: "/api/grids/" + otherGrid.ID + "/board", body: map[string]any{"description": "越权"}, as: staff, wantStatus: 403, wantCode: apperr.Forbidden},
			// Roles: community staff do not manage the org, users or audit.
			{name: "create unit", method: "POST", path: "/api/units", body: map[string]any{"level": "grid", "parent_id": own, "name": "新网格", "geometry": ownGrid.Geometry, "valid_from": "2026-06-01"}, as: staff, wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "list users", method: "GET", path: "/api/users", as: staff, wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "read audit", method: "GET", path: "/api/audit?entity=grid&entity_id=" + ownGrid.ID, as: staff, wantStatus: 403, wantCode: apperr.Forbidden},
			// The worker list still shows only the community, the new worker included.
			{name: "list after create", method: "GET", path: "/api/workers?per_page=1000", as: staff, wantStatus: 200, check: func(t *testing.T, r *response) {
				var l list[org.Worker]
				r.decode(t, &l)
				if l.Total != wantWorkers+1 {
					t.Errorf("total %d after one create, want %d", l.Total, wantWorkers+1)
				}
			}},
		})
	})
}

// A grid worker reads their community and writes only their own grids'
// boards, an extra share included.
func TestGridWorkerWritesOwnGrids(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, f *fixture) {
		const worker = "w001"
		u := f.user(t, worker)
		if u.Role != "grid_worker" || u.WorkerID == "" {
			t.Fatalf("%s = %+v, want a grid worker with a staff record", worker, u)
		}
		mine := f.listAssignments(t, "worker_id="+u.WorkerID)
		if len(mine) == 0 {
			t.Fatalf("%s has no assignment today", worker)
		}
		ownGrid := mine[0].GridID
		owned := map[string]bool{}
		for _, a := range mine {
			owned[a.GridID] = true
		}
		// Another worker's grid in the same community.
		var neighbour string
		for _, g := range f.listGrids(t, u.ScopeUnitID) {
			if owned[g.ID] {
				continue
			}
			if as := f.listAssignments(t, "grid_id="+g.ID); len(as) > 0 && as[0].WorkerID != u.WorkerID {
				neighbour = g.ID
				break
			}
		}
		if neighbour == "" {
			t.Fatal("w001's community has no other worker's grid")
		}
		otherCommunity := f.communityID(t, "c02")
		if otherCommunity == u.ScopeUnitID {
			otherCommunity = f.communityID(t, "c03")
		}
		farGrid := f.listGrids(t, otherCommunity)[0].ID

		// A worker whose extra share is a grid they do not hold as primary.
		var extra struct{ username, gridID string }
		for _, a := range f.listAssignments(t, "") {
			if a.Kind != org.Extra {
				continue
			}
			users, err := f.users.ListUsers(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range users {
				if x.WorkerID == a.WorkerID {
					extra.username, extra.gridID = x.Username, a.GridID
				}
			}
			break
		}
		if extra.username == "" {
			t.Fatal("the demo town has no extra-share assignment with an account")
		}
		for _, a := range f.listAssignments(t, "worker_id="+f.user(t, extra.username).WorkerID) {
			if a.GridID == extra.gridID && a.Kind == org.Primary {
				t.Fatalf("%s holds %s as primary too", extra.username, extra.gridID)
			}
		}

		board := func(s string) map[string]any { return map[string]any{"description": s} }
		f.run(t, []scenario{
			{name: "own grid's board", method: "PUT", path: "/api/grids/" + ownGrid + "/board", body: board("本网格东至…"), as: worker, wantStatus: 200, wantBody: []string{"本网格东至…"}},
			{name: "neighbour's board", method: "PUT", path: "/api/grids/" + neighbour + "/board", body: board("x"), as: worker, wantStatus: 403, wantCode: apperr.Forbidden, wantBody: []string{"own grids"}},
			{name: "far grid's board", method: "PUT", path: "/api/grids/" + farGrid + "/board", body: board("x"), as: worker, wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "extra share's board", method: "PUT", path: "/api/grids/" + extra.gridID + "/board", body: board("额外分担"), as: extra.username, wantStatus: 200, wantBody: []string{"额外分担"}},
			{name: "reads neighbour grid", method: "GET", path: "/api/grids/" + neighbour, as: worker, wantStatus: 200},
			{name: "reads far grid", method: "GET", path: "/api/grids/" + farGrid, as: worker, wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "create worker", method: "POST", path: "/api/workers", body: map[string]any{"name": "新人", "employment": "full_time", "post": "grid_worker",
				"phone": "13800138000", "in_post_since": "2026-02-01", "home_unit_id": u.ScopeUnitID}, as: worker, wantStatus: 403, wantCode: apperr.Forbidden, wantBody: []string{"manage_workers"}},
			{name: "change a worker", method: "PATCH", path: "/api/workers/" + u.WorkerID, body: map[string]any{"phone": "13900139000"}, as: worker, wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "assign", method: "POST", path: "/api/assignments", body: map[string]any{"worker_id": u.WorkerID, "grid_id": neighbour, "kind": "extra", "share_pct": 50, "valid_from": "2026-12-01"},
				as: worker, wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "redraw own grid", method: "POST", path: "/api/units/" + ownGrid + "/changes", body: map[string]any{"from": "2026-12-01", "name": "改名"}, as: worker, wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "own account", method: "GET", path: "/api/me", as: worker, wantStatus: 200, wantBody: []string{`"username":"w001"`}, notBody: []string{"password_hash", "argon2"}},
		})

		// The board change is a new version from today, visible to the admin.
		var g struct {
			org.Unit
			Workers []struct {
				WorkerID string `json:"worker_id"`
			} `json:"workers"`
			AssignedPct int `json:"assigned_pct"`
		}
		f.signIn(t, "admin").get(t, "/api/grids/"+ownGrid, &g)
		if g.Description != "本网格东至…" {
			t.Errorf("grid description %q after the board edit", g.Description)
		}
		found := false
		for _, w := range g.Workers {
			found = found || w.WorkerID == u.WorkerID
		}
		if !found || g.AssignedPct < 100 {
			t.Errorf("grid view lists workers %+v (assigned %d%%), want w001 and full cover", g.Workers, g.AssignedPct)
		}
	})
}

// Inspectors read the street and write nothing.
func TestInspectorReadsOnly(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, f *fixture) {
		grid := f.listGrids(t, f.communityID(t, "c05"))[0]
		f.run(t, []scenario{
			{name: "lists all grids", method: "GET", path: "/api/grids?per_page=1", as: "insp01", wantStatus: 200, wantBody: []string{`"total":143`}},
			{name: "reads a grid", method: "GET", path: "/api/grids/" + grid.ID, as: "insp01", wantStatus: 200},
			{name: "edits a board", method: "PUT", path: "/api/grids/" + grid.ID + "/board", body: map[string]any{"description": "x"}, as: "insp01", wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "merges grids", method: "POST", path: "/api/grids/merge", body: map[string]any{"grid_ids": []string{grid.ID, grid.ID}, "name": "x", "geometry": grid.Geometry, "from": "2026-12-01"}, as: "insp01", wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "creates a user", method: "POST", path: "/api/users", body: map[string]any{"username": "someone", "display_name": "x", "role": "admin"}, as: "insp01", wantStatus: 403, wantCode: apperr.Forbidden},
		})
	})
}
