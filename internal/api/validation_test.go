package api_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"gridwork/internal/apperr"
)

// Bad input is 422 (or 400 for a body that is not JSON) with code EINVALID
// and the fields at fault.
func TestValidation(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, f *fixture) {
		const admin = "admin"
		c01 := f.communityID(t, "c01")
		worker := func(edit func(map[string]any)) map[string]any {
			w := map[string]any{"name": "王小明", "employment": "full_time", "post": "grid_worker",
				"phone": "13800138000", "in_post_since": "2026-02-01", "home_unit_id": c01}
			edit(w)
			return w
		}
		// An open ring: a demo grid's exterior without its closing point.
		var ring [][2]float64
		for _, g := range f.town.Grids {
			if g.CommunityKey == "c01" {
				for _, p := range g.Polygon[0] {
					ring = append(ring, [2]float64{p[0], p[1]})
				}
				break
			}
		}
		if len(ring) < 4 || ring[0] != ring[len(ring)-1] {
			t.Fatalf("demo grid ring %v is not a closed ring", ring)
		}
		geometry := func(r [][2]float64) string {
			b, _ := json.Marshal(map[string]any{"type": "Polygon", "coordinates": [][][2]float64{r}})
			return string(b)
		}
		grid := func(name, geom string) map[string]any {
			return map[string]any{"level": "grid", "parent_id": c01, "name": name, "valid_from": "2026-06-01", "geometry": geom}
		}
		far := [][2]float64{{100, 30}, {100.001, 30}, {100.001, 30.001}, {100, 30.001}, {100, 30}}
		wantFields := func(fields ...string) func(t *testing.T, r *response) {
			return func(t *testing.T, r *response) {
				p := r.problem(t)
				for _, f := range fields {
					if !hasField(p, f) {
						t.Errorf("errors %v do not name %q: %s", fieldsOf(p), f, r.body)
					}
				}
			}
		}

		f.run(t, []scenario{
			{name: "worker with bad phone and empty name", method: "POST", path: "/api/workers", as: admin,
				body:       worker(func(w map[string]any) { w["name"] = " "; w["phone"] = "12345" }),
				wantStatus: 422, wantCode: apperr.Invalid, wantBody: []string{"12345"},
				check: func(t *testing.T, r *response) {
					if got := fieldsOf(r.problem(t)); !slices.Equal(got, []string{"name", "phone"}) {
						t.Errorf("fields %v, want [name phone]", got)
					}
				}},
			{name: "worker with bad phone and no name at all", method: "POST", path: "/api/workers", as: admin,
				body:       worker(func(w map[string]any) { delete(w, "name"); w["phone"] = "12345" }),
				wantStatus: 422, wantCode: apperr.Invalid,
				check: func(t *testing.T, r *response) {
					// huma refuses the missing property before the domain
					// sees the phone; the refusal must still name the field.
					p := r.problem(t)
					named := false
					for _, e := range p.Errors {
						named = named || e.Field == "name" || e.Field == "body.name" || strings.Contains(e.Reason, "name")
					}
					if !named {
						t.Errorf("no error names the missing name: %s", r.body)
					}
				}},
			{name: "worker with every field bad", method: "POST", path: "/api/workers", as: admin,
				body: worker(func(w map[string]any) {
					w["name"], w["employment"], w["post"], w["phone"], w["home_unit_id"] = "", "sometimes", "boss", "", ""
				}),
				wantStatus: 422, wantCode: apperr.Invalid, check: wantFields("name", "employment", "post", "phone", "home_unit_id")},
			{name: "worker in a unit that does not exist", method: "POST", path: "/api/workers", as: admin,
				body:       worker(func(w map[string]any) { w["home_unit_id"] = dummyID }),
				wantStatus: 422, wantCode: apperr.Invalid, check: wantFields("home_unit_id")},
			{name: "worker with a date in the wrong form", method: "POST", path: "/api/workers", as: admin,
				body:       worker(func(w map[string]any) { w["in_post_since"] = "2026/02/01" }),
				wantStatus: 422, wantCode: apperr.Invalid, wantBody: []string{"YYYY-MM-DD", `"field":"body.in_post_since"`}},
			{name: "worker with a number for a name", method: "POST", path: "/api/workers", as: admin,
				body:       worker(func(w map[string]any) { w["name"] = 5 }),
				wantStatus: 422, wantCode: apperr.Invalid, check: wantFields("name")},
			{name: "grid with an unclosed ring", method: "POST", path: "/api/units", as: admin,
				body:       grid("测试网格", geometry(ring[:len(ring)-1])),
				wantStatus: 422, wantCode: apperr.Invalid,
				check: func(t *testing.T, r *response) {
					p := r.problem(t)
					if !strings.Contains(p.Detail, "测试网格") {
						t.Errorf("detail %q does not name the grid", p.Detail)
					}
					if len(p.Errors) == 0 || p.Errors[0].Field != "geometry" || !strings.Contains(p.Errors[0].Reason, "not closed") {
						t.Errorf("errors %+v, want geometry first, saying the ring is not closed", p.Errors)
					}
				}},
			{name: "grid outside its community", method: "POST", path: "/api/units", as: admin,
				body:       grid("远方网格", geometry(far)),
				wantStatus: 422, wantCode: apperr.Invalid, wantBody: []string{"远方网格", "outside"}, check: wantFields("geometry")},
			{name: "grid without geometry", method: "POST", path: "/api/units", as: admin,
				body:       grid("无形网格", ""),
				wantStatus: 422, wantCode: apperr.Invalid, check: wantFields("geometry")},
			{name: "grid whose geometry is not GeoJSON", method: "POST", path: "/api/units", as: admin,
				body:       grid("乱码网格", "POLYGON((0 0, 1 0, 1 1, 0 0))"),
				wantStatus: 422, wantCode: apperr.Invalid, wantBody: []string{"乱码网格"}, check: wantFields("geometry")},
			{name: "unit of an unknown level", method: "POST", path: "/api/units", as: admin,
				body:       map[string]any{"level": "province", "name": "x", "valid_from": "2026-06-01"},
				wantStatus: 422, wantCode: apperr.Invalid, wantBody: []string{"level"}},
			{name: "malformed JSON", method: "POST", path: "/api/workers", as: admin, body: rawBody(`{"name": "王",`),
				wantStatus: 400, wantCode: apperr.Invalid},
			{name: "JSON of the wrong shape", method: "POST", path: "/api/workers", as: admin, body: rawBody(`["a list"]`),
				wantStatus: 422, wantCode: apperr.Invalid},
			{name: "unknown JSON field", method: "POST", path: "/api/workers", as: admin,
				body:       worker(func(w map[string]any) { w["salary"] = 5000 }),
				wantStatus: 422, wantCode: apperr.Invalid, check: wantFields("salary")},
			{name: "unknown field in a small body", method: "POST", path: "/api/me/tokens", as: admin,
				body: map[string]any{"name": "script", "scope": "all"}, wantStatus: 422, wantCode: apperr.Invalid, check: wantFields("scope")},
			{name: "bad date in the query", method: "GET", path: "/api/grids?on=yesterday", as: admin,
				wantStatus: 422, wantCode: apperr.Invalid, check: wantFields("on")},
			{name: "page size too large", method: "GET", path: "/api/grids?per_page=5000", as: admin,
				wantStatus: 422, wantCode: apperr.Invalid},
			{name: "page zero", method: "GET", path: "/api/workers?page=0", as: admin,
				wantStatus: 422, wantCode: apperr.Invalid},
			{name: "unknown post filter", method: "GET", path: "/api/workers?post=boss", as: admin,
				wantStatus: 422, wantCode: apperr.Invalid},
			{name: "audit without its entity", method: "GET", path: "/api/audit", as: admin,
				wantStatus: 422, wantCode: apperr.Invalid},
			{name: "weak password for a new user", method: "POST", path: "/api/users", as: admin,
				body:       map[string]any{"username": "newclerk", "display_name": "新文员", "role": "centre_staff", "scope_unit_id": f.user(t, "centre01").ScopeUnitID, "password": "short"},
				wantStatus: 422, wantCode: apperr.Invalid, check: wantFields("password")},
			{name: "taken username", method: "POST", path: "/api/users", as: admin,
				body:       map[string]any{"username": "c01staff", "display_name": "重名", "role": "community_staff", "scope_unit_id": c01},
				wantStatus: 409, wantCode: apperr.Conflict},
			{name: "wrong current password", method: "POST", path: "/api/me/password", as: admin,
				body:       map[string]any{"current_password": "not it at all", "new_password": "a much better password"},
				wantStatus: 422, wantCode: apperr.Invalid, check: wantFields("current_password")},
			{name: "unknown worker", method: "GET", path: "/api/workers/" + dummyID, as: admin,
				wantStatus: 404, wantCode: apperr.NotFound},
			{name: "a community is not a grid", method: "GET", path: "/api/grids/" + c01, as: admin,
				wantStatus: 404, wantCode: apperr.NotFound},
			// Nothing above was stored.
			{name: "worker count unchanged", method: "GET", path: "/api/workers?per_page=1", as: admin,
				wantStatus: 200, wantBody: []string{`"total":87`}},
			{name: "grid count unchanged", method: "GET", path: "/api/grids?per_page=1", as: admin,
				wantStatus: 200, wantBody: []string{`"total":143`}},
		})
	})
}

// An impossible date of the right shape is refused too, naming the field.
func TestImpossibleDate(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, f *fixture) {
		r := f.signIn(t, "admin").do(t, "GET", "/api/grids?on=2026-02-30", nil)
		if r.status != 422 || !strings.Contains(string(r.body), `"field":"on"`) {
			t.Fatalf("on=2026-02-30: %d %s", r.status, r.body)
		}
	})
}
