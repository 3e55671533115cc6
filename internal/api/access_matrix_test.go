package api_test

// The access matrix: every operation of /openapi.json, asked by every role,
// with ids inside and outside the caller's scope, checked against auth's one
// table of who may do what. It guards the refactors that move these checks
// (issue 14): a route added without a permission, a role let through where
// the table says no, or a record shown outside its scope, fails here.

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"gridwork/internal/api"
	"gridwork/internal/apperr"
	"gridwork/internal/auth"
	"gridwork/internal/dates"
	"gridwork/internal/demo"
	"gridwork/internal/metric"
	"gridwork/internal/org"
	"gridwork/internal/store/storetest"
)

// publicOperations are the operations open without sign-in: login and the
// residents' side. Any other operation must name an action of auth's table.
var publicOperations = []string{
	"login",
	"public-communities", "public-boards",
	"public-grid-survey", "public-grid-survey-qr", "public-survey-code", "public-survey-answer",
}

// matrix is the demo town with records, events and an assessment run,
// served with every store, and the ids the sweep asks about.
type matrix struct {
	*fixture
	// in and out are ids by kind: in the scope of every non-admin role
	// (the grid of the grid worker below, in community A), and outside the
	// scope of community A's staff and worker (community B).
	in, out map[string]string
	// farOut are ids of a second street, outside even the centre's scope.
	farOut map[string]string
	// outIDs are every id of community B's records the lists could show;
	// farIDs the second street's.
	outIDs, farIDs []string
	// users by role: who asks.
	users map[auth.Role]string
}

func newMatrix(t *testing.T, loaded storetest.Copy[demo.Summary]) *matrix {
	t.Helper()
	ctx := context.Background()
	f := newFixture(t, loaded)
	db := f.db
	a := f.app // every store, the built-in schemes and questions installed
	if _, err := demo.LoadRecords(ctx, db, f.orgs, f.records, a.Files, f.town, demo.RecordOptions{Seed: demo.DefaultSeed, HouseholdsPerGrid: 2, Care: a.Care}); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.LoadEvents(ctx, db, f.orgs, a.Events, a.Files, f.town, demo.EventOptions{Seed: demo.DefaultSeed, Scale: 0.1}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Facts.Refresh(ctx, metric.Period{Year: 2026, Month: 3}); err != nil {
		t.Fatal(err)
	}
	streets, _, err := f.orgs.ListUnits(ctx, org.UnitQuery{On: dates.New(2026, 3, 31), Level: org.Street, WithoutGeometry: true})
	if err != nil || len(streets) != 1 {
		t.Fatalf("street: %v %v", streets, err)
	}
	runInfo, err := a.Assess.Run(ctx, "system", "seed000-housing-station-monthly", "2026-03", streets[0].ID, "access matrix")
	if err != nil {
		t.Fatal(err)
	}
	run := runInfo.ID

	// A second street, outside the centre staff's and inspectors' scope.
	from := demo.DefaultFrom
	street2, err := f.orgs.CreateUnit(ctx, "test", org.NewUnit{Level: org.Street, ParentID: streets[0].ParentID, Name: "别的街道", ValidFrom: from})
	if err != nil {
		t.Fatal(err)
	}
	comm2, err := f.orgs.CreateUnit(ctx, "test", org.NewUnit{Level: org.Community, ParentID: street2.ID, Name: "别的社区", ValidFrom: from})
	if err != nil {
		t.Fatal(err)
	}
	worker2, err := f.orgs.CreateWorker(ctx, "test", org.NewWorker{Name: "别的网格员", Employment: org.FullTime, Post: org.GridWorker,
		Phone: "13900000009", InPostSince: from, HomeUnitID: comm2.ID})
	if err != nil {
		t.Fatal(err)
	}

	m := &matrix{fixture: f,
		// The second street has no grids: its units stand in for them
		// (the demo street covers its district, so a grid there would
		// overlap).
		farOut: map[string]string{"grid": comm2.ID, "community": comm2.ID, "worker": worker2.ID},
		farIDs: []string{street2.ID, comm2.ID, worker2.ID}}

	// The grid worker: a worker with a primary grid; community A is theirs,
	// community B another.
	var worker demo.WorkerSpec
	var gridKey string
	for _, a := range f.town.Assignments {
		if a.Kind == org.Primary {
			gridKey = a.GridKey
			for _, w := range f.town.Workers {
				if w.Key == a.WorkerKey {
					worker = w
				}
			}
			break
		}
	}
	commA := worker.CommunityKey
	commB := ""
	for _, w := range f.town.Workers {
		if w.CommunityKey != commA {
			commB = w.CommunityKey
			break
		}
	}
	m.users = map[auth.Role]string{auth.Admin: "admin", auth.CentreStaff: "centre01", auth.CommunityStaff: commA + "staff",
		auth.Inspector: "insp01", auth.GridWorkerRole: worker.Username}

	gridA := ""
	for _, g := range f.town.Grids {
		if g.Key == gridKey {
			for _, u := range f.listGrids(t, f.communityID(t, commA)) {
				if u.Name == g.Name {
					gridA = u.ID
				}
			}
		}
	}
	if gridA == "" {
		t.Fatalf("grid %s not found", gridKey)
	}
	workerA := f.user(t, worker.Username).WorkerID
	m.in = m.ids(t, "grid_id="+gridA, gridA, f.communityID(t, commA), workerA, run, nil)
	idB := f.communityID(t, commB)
	gridB := f.listGrids(t, idB)[0].ID
	workerB := f.listWorkers(t, idB)[0].ID
	m.out = m.ids(t, "within_id="+idB, gridB, idB, workerB, run, &m.outIDs)
	for _, g := range f.listGrids(t, idB) {
		m.outIDs = append(m.outIDs, g.ID)
	}
	for _, w := range f.listWorkers(t, idB) {
		m.outIDs = append(m.outIDs, w.ID)
	}
	return m
}

// ids looks up, as the centre, one record of each kind by the list filter
// where (grid_id=… or within_id=…), and collects every id the lists give
// into all when it is not nil.
func (m *matrix) ids(t *testing.T, where, grid, community, worker, run string, all *[]string) map[string]string {
	t.Helper()
	ids := map[string]string{"grid": grid, "community": community, "worker": worker, "run": run, "subject": worker}
	// The centre's staff see the whole demo street, special care included.
	centre := m.signIn(t, "centre01")
	for kind, p := range map[string]string{
		"person": "/api/people", "house": "/api/houses", "rental": "/api/rentals", "event": "/api/events",
		"care": "/api/care/subjects", "place": "/api/places", "assignment": "/api/assignments",
	} {
		q := where
		if kind == "assignment" {
			q = "worker_id=" + worker
		}
		var l list[struct {
			ID string `json:"id"`
		}]
		centre.get(t, p+"?per_page=1000&"+q, &l)
		if len(l.Items) == 0 {
			continue
		}
		ids[kind] = l.Items[0].ID
		if all != nil {
			for _, it := range l.Items {
				*all = append(*all, it.ID)
			}
		}
	}
	for _, kind := range []string{"person", "house"} {
		if ids[kind] == "" {
			t.Fatalf("no %s where %s", kind, where)
		}
	}
	return ids
}

// paramKinds says which kind of id each path's parameters take, by path
// prefix; a parameter not named here gets a dummy value.
var paramKinds = []struct{ prefix, kind string }{
	{"/api/units/", "grid"},
	{"/api/grids/", "grid"},
	{"/api/workers/", "worker"},
	{"/api/duty/workers/", "worker"},
	{"/api/patrol/workers/", "worker"},
	{"/api/duty/profiles/", "worker"},
	{"/api/assignments/", "assignment"},
	{"/api/people/", "person"},
	{"/api/houses/", "house"},
	{"/api/rentals/", "rental"},
	{"/api/places/", "place"},
	{"/api/events/", "event"},
	{"/api/care/subjects/", "care"},
	{"/api/assess/runs/", "run"},
}

// fill fills a path template from ids; it reports false when a parameter
// that takes an id of a kind has none in ids.
func fill(template string, ids map[string]string) (string, bool) {
	kind := ""
	for _, p := range paramKinds {
		if strings.HasPrefix(template, p.prefix) {
			kind = p.kind
		}
	}
	ok := true
	for {
		i := strings.Index(template, "{")
		j := strings.Index(template, "}")
		if i < 0 || j < i {
			return template, ok
		}
		v := dummyID
		switch name := template[i+1 : j]; {
		case name == "day" || name == "date":
			v = dates.Today().String()
		case name == "subject":
			kind = "subject"
			fallthrough
		case (name == "id" || name == "worker_id") && kind != "":
			if ids[kind] != "" {
				v = ids[kind]
			} else {
				ok = false
			}
		}
		template = template[:i] + v + template[j+1:]
	}
}

// requiredQuery returns the query string that fills o's required query
// parameters (so that a request reaches the handler) from ids, starting
// with "?".
func requiredQuery(o operation, ids map[string]string) string {
	q := "?per_page=1000"
	for _, p := range o.op.Parameters {
		if p.In != "query" || !p.Required {
			continue
		}
		v := "x"
		switch p.Name {
		case "month":
			v = "2026-03"
		case "entity":
			v = "grid"
		case "entity_id":
			v = ids["grid"]
		}
		q += "&" + p.Name + "=" + v
	}
	return q
}

// actionOf returns the action the OpenAPI document names for o.
func actionOf(o operation) string {
	a, _ := o.op.Extensions[api.ActionExtension].(string)
	return a
}

// isRoleRefusal reports whether r is the refusal auth gives role for action.
func isRoleRefusal(t *testing.T, r *response, role auth.Role, action auth.Action) bool {
	if r.status != http.StatusForbidden {
		return false
	}
	var p api.Problem
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	err := auth.Require(auth.User{Role: role}, action)
	return p.Code == apperr.Forbidden && err != nil && strings.Contains(err.Error(), p.Detail)
}

// sweepOrder puts reads first and the writes after, logout last, so that
// a write that succeeds cannot change what a read sees.
func sweepOrder(ops []operation) []operation {
	out := slices.Clone(ops)
	rank := func(o operation) int {
		switch {
		case o.op.OperationID == "logout":
			return 2
		case o.method == http.MethodGet:
			return 0
		}
		return 1
	}
	slices.SortStableFunc(out, func(a, b operation) int { return rank(a) - rank(b) })
	return out
}

func TestAccessMatrix(t *testing.T) {
	t.Parallel()
	demoTown.Each(t, func(t *testing.T, loaded storetest.Copy[demo.Summary]) {
		m := newMatrix(t, loaded)
		ops := sweepOrder(operations(t, m.srv))

		// Every route maps to an action of the table, or is public by name.
		t.Run("every operation has a permission", func(t *testing.T) {
			known := auth.Actions()
			for _, o := range ops {
				a := actionOf(o)
				switch {
				case slices.Contains(publicOperations, o.op.OperationID):
					if a != "public" {
						t.Errorf("%s is listed public but registered with %q", o.op.OperationID, a)
					}
				case a == "" || a == "public":
					t.Errorf("%s %s (%s) names no action: register it with needs(auth.…), or list it in publicOperations", o.method, o.path, o.op.OperationID)
				case !slices.Contains(known, auth.Action(a)):
					t.Errorf("%s %s (%s) needs %q, which auth's permissions table does not know", o.method, o.path, o.op.OperationID, a)
				}
			}
		})

		// Every role asks every operation with ids in its scope: a role the
		// table refuses gets 403 before anything else; a role it allows is
		// never refused for its role, and, with ids in its scope, not at
		// all.
		for _, role := range auth.Roles {
			t.Run("role "+string(role), func(t *testing.T) {
				c := m.signIn(t, m.users[role])
				for _, o := range ops {
					a := auth.Action(actionOf(o))
					if a == "public" {
						continue
					}
					p, _ := fill(o.path, m.in)
					p += requiredQuery(o, m.in)
					var body any
					if o.op.RequestBody != nil {
						body = rawBody("{}")
					}
					who := c
					if o.op.OperationID == "logout" {
						who = m.freshSignIn(t, m.users[role])
					}
					r := who.do(t, o.method, p, body)
					switch {
					case !auth.Allowed(role, a):
						if !isRoleRefusal(t, r, role, a) {
							t.Errorf("%s %s as %s (no %s): %d %s, want 403 for the role", o.method, p, role, a, r.status, r.body)
						}
					case r.status == http.StatusUnauthorized:
						t.Errorf("%s %s as %s: 401 %s", o.method, p, role, r.body)
					case isRoleRefusal(t, r, role, a):
						t.Errorf("%s %s as %s (has %s): refused for the role: %s", o.method, p, role, a, r.body)
					case r.status == http.StatusForbidden && !inScopeRefusalExpected(o.op.OperationID, role):
						t.Errorf("%s %s as %s, ids in scope: 403 %s", o.method, p, role, r.body)
					}
				}
			})
		}

		// Outside the scope: community A's staff and worker ask about
		// community B, everyone but the admin about the second street.
		// Reads answer 403 or 404 and never the record; writes never
		// succeed.
		outside := []struct {
			role auth.Role
			ids  map[string]string
		}{
			{auth.CommunityStaff, m.out}, {auth.GridWorkerRole, m.out},
			{auth.CommunityStaff, m.farOut}, {auth.GridWorkerRole, m.farOut},
			{auth.CentreStaff, m.farOut}, {auth.Inspector, m.farOut},
		}
		for _, sc := range outside {
			t.Run("outside scope "+string(sc.role), func(t *testing.T) {
				c := m.signIn(t, m.users[sc.role])
				asked := 0
				defer func() {
					if asked < 5 {
						t.Errorf("asked only %d operations with ids outside the scope", asked)
					}
				}()
				for _, o := range ops {
					a := auth.Action(actionOf(o))
					if a == "public" || !auth.Allowed(sc.role, a) || o.op.OperationID == "logout" {
						continue
					}
					p, ok := fill(o.path, sc.ids)
					if pIn, _ := fill(o.path, m.in); !ok || p == pIn {
						continue // no id of the kind outside, or the same as inside
					}
					p += requiredQuery(o, m.in)
					var body any
					if o.op.RequestBody != nil {
						body = rawBody("{}")
					}
					asked++
					r := c.do(t, o.method, p, body)
					if r.status < 300 {
						t.Errorf("%s %s as %s, id outside the scope: %d %s", o.method, p, sc.role, r.status, r.body)
						continue
					}
					if o.method == http.MethodGet && r.status != http.StatusForbidden && r.status != http.StatusNotFound {
						t.Errorf("%s %s as %s, id outside the scope: %d %s, want 403 or 404", o.method, p, sc.role, r.status, r.body)
					}
				}
			})
		}

		// Lists, and every other read with ids in the caller's scope, show
		// no id outside it.
		lists := []struct {
			role auth.Role
			ids  []string
		}{
			{auth.CommunityStaff, m.outIDs}, {auth.GridWorkerRole, m.outIDs},
			{auth.CommunityStaff, m.farIDs}, {auth.GridWorkerRole, m.farIDs},
			{auth.CentreStaff, m.farIDs}, {auth.Inspector, m.farIDs},
		}
		for _, l := range lists {
			t.Run("lists of "+string(l.role), func(t *testing.T) {
				c := m.signIn(t, m.users[l.role])
				for _, o := range ops {
					a := auth.Action(actionOf(o))
					if o.method != http.MethodGet || a == "public" || !auth.Allowed(l.role, a) {
						continue
					}
					p, _ := fill(o.path, m.in)
					r := c.do(t, o.method, p+requiredQuery(o, m.in), nil)
					if r.status >= 300 {
						continue
					}
					for _, id := range l.ids {
						if bytes.Contains(r.body, []byte(`"`+id+`"`)) && !listMayName(o.op.OperationID, l.role) {
							t.Errorf("GET %s as %s shows %s, outside the scope", p, l.role, id)
							break
						}
					}
				}
			})
		}
	})
}

// inScopeRefusalExpected lists the operations a role the table allows is
// still refused with ids in its scope, and why.
func inScopeRefusalExpected(id string, role auth.Role) bool {
	return false
}

// listMayName lists the lists that rightly name records outside the
// caller's scope, and why.
func listMayName(id string, role auth.Role) bool {
	return false
}
