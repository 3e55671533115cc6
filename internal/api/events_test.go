package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gridwork/internal/api"
	"gridwork/internal/apperr"
	"gridwork/internal/demo"
	"gridwork/internal/events"
	"gridwork/internal/geo"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

// withEvents stores a photo for the tests to attach. (The fixture's server
// serves events and Open311, with residents' contacts sealed at rest, as
// the server runs.)
func withEvents(t *testing.T, f *fixture) (photo string) {
	t.Helper()
	photo = strings.Repeat("cd", 32)
	if _, err := f.db.ExecContext(context.Background(), `INSERT INTO files (sha256, size, mime, name, created_at, created_by) VALUES ($1, 1, 'image/jpeg', 'p.jpg', $2, 'test')`,
		photo, store.Now()); err != nil {
		t.Fatal(err)
	}
	return photo
}

func eachEventsEngine(t *testing.T, fn func(t *testing.T, f *fixture, photo string)) {
	t.Helper()
	demoTown.Each(t, func(t *testing.T, loaded storetest.Copy[demo.Summary]) {
		f := newFixture(t, loaded)
		fn(t, f, withEvents(t, f))
	})
}

// TestEventsAPI walks an event through the API as the roles that take each
// step, and checks that the others are refused.
func TestEventsAPI(t *testing.T) {
	t.Parallel()
	eachEventsEngine(t, func(t *testing.T, f *fixture, photo string) {
		const worker, other = "w001", "w002"
		u := f.user(t, worker)
		own := f.listAssignments(t, "worker_id="+u.WorkerID)[0].GridID
		staff := f.staffOf(t, u.ScopeUnitID)
		otherCommunity := f.communityID(t, "c02")
		if otherCommunity == u.ScopeUnitID {
			otherCommunity = f.communityID(t, "c03")
		}
		foreign := f.listGrids(t, otherCommunity)[0].ID
		report := map[string]any{"client_id": "7f0c1d7e-1111-4000-8000-000000000001", "category_code": "part_road", "grid_id": own,
			"description": "小区东门道路塌陷约一平方米", "photos": []string{photo}, "upward": true}
		var first events.ReportResult
		var ev events.Event
		f.run(t, []scenario{
			{name: "worker reports in own grid", method: "POST", path: "/api/events", body: report, as: worker, wantStatus: 201,
				wantBody: []string{`"new":true`, `"state":"reported"`, `"source":"worker"`, `"light":"green"`},
				check:    func(t *testing.T, r *response) { r.decode(t, &first) }},
			{name: "resend is a no-op", method: "POST", path: "/api/events", body: report, as: worker, wantStatus: 201,
				wantBody: []string{`"new":false`}},
			{name: "another community's grid", method: "POST", path: "/api/events", as: worker, wantStatus: 403, wantCode: apperr.Forbidden,
				body: map[string]any{"category_code": "part_road", "grid_id": foreign, "description": "道路破损需要修补"}},
			{name: "bad input names the field", method: "POST", path: "/api/events", as: worker, wantStatus: 422, wantCode: apperr.Invalid,
				body: map[string]any{"category_code": "nope", "grid_id": own, "description": "x"}, wantBody: []string{`"field":"category_code"`}},
			{name: "inspector may not report", method: "POST", path: "/api/events", body: report, as: "insp01", wantStatus: 403, wantCode: apperr.Forbidden},
		})
		id := first.Event.ID
		act := func(a string) string { return "/api/events/" + id + "/actions/" + a }
		f.run(t, []scenario{
			{name: "in the accept queue", method: "GET", path: "/api/events?stage=accept&grid_id=" + own, as: staff, wantStatus: 200,
				wantBody: []string{id}},
			{name: "not in the dispatch queue", method: "GET", path: "/api/events?stage=dispatch&grid_id=" + own, as: staff, wantStatus: 200,
				notBody: []string{id}},
			{name: "other community's staff cannot see", method: "GET", path: "/api/events/" + id, as: "c02staff", wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "worker may not accept", method: "POST", path: act("accept"), body: map[string]any{}, as: worker, wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "staff accept", method: "POST", path: act("accept"), body: map[string]any{"note": "已受理"}, as: staff, wantStatus: 200,
				wantBody: []string{`"state":"accepted"`}},
			{name: "staff may not dispatch", method: "POST", path: act("dispatch"), body: map[string]any{"assignee_worker_id": u.WorkerID},
				as: staff, wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "illegal step names state and action", method: "POST", path: act("close"), body: map[string]any{}, as: "centre01",
				wantStatus: 409, wantCode: apperr.Conflict, wantBody: []string{"accepted", "close"}},
			{name: "centre dispatches", method: "POST", path: act("dispatch"), body: map[string]any{"assignee_worker_id": u.WorkerID},
				as: "centre01", wantStatus: 200, wantBody: []string{`"state":"dispatched"`}},
			{name: "another worker may not handle", method: "POST", path: act("handle"), body: map[string]any{"photos": []string{photo}},
				as: other, wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "worker asks for an extension", method: "POST", path: act("request_extension"), as: worker, wantStatus: 200,
				body: map[string]any{"note": "需要市政配合", "extra": "2workdays"}},
			{name: "worker may not approve", method: "POST", path: "/api/events/" + id + "/decisions/approve_extension", body: map[string]any{},
				as: worker, wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "pending requests", method: "GET", path: "/api/events/requests", as: "centre01", wantStatus: 200, wantBody: []string{id, "2workdays"}},
			{name: "centre approves", method: "POST", path: "/api/events/" + id + "/decisions/approve_extension", body: map[string]any{"note": "同意"},
				as: "centre01", wantStatus: 200, wantBody: []string{`"status":"approved"`}},
			{name: "handle needs a photo", method: "POST", path: act("handle"), body: map[string]any{}, as: worker, wantStatus: 422,
				wantCode: apperr.Invalid, wantBody: []string{`"field":"photos"`}},
			{name: "worker handles", method: "POST", path: act("handle"), body: map[string]any{"photos": []string{photo}, "note": "已修补"},
				as: worker, wantStatus: 200, wantBody: []string{`"state":"handled"`}},
			{name: "staff verify", method: "POST", path: act("verify"), body: map[string]any{}, as: staff, wantStatus: 200},
			{name: "staff close", method: "POST", path: act("close"), body: map[string]any{}, as: staff, wantStatus: 200,
				wantBody: []string{`"state":"closed"`}},
			{name: "timeline", method: "GET", path: "/api/events/" + id, as: worker, wantStatus: 200,
				check: func(t *testing.T, r *response) { r.decode(t, &ev) }},
			{name: "cards list", method: "GET", path: "/api/event-cards", as: "centre01", wantStatus: 200},
		})
		want := []events.Action{events.Report, events.Accept, events.Dispatch, events.RequestExtension, events.ApproveExtension,
			events.Handle, events.Verify, events.Close}
		if len(ev.Steps) != len(want) {
			t.Fatalf("steps %+v", ev.Steps)
		}
		for i, s := range ev.Steps {
			if s.Action != want[i] {
				t.Errorf("step %d is %s, want %s", i, s.Action, want[i])
			}
		}
		if len(ev.Photos) != 2 || len(ev.Requests) != 1 || ev.State != events.Closed {
			t.Errorf("event %+v", ev)
		}
	})
}

// TestEventQueueCards: the queue with with_cards carries each listed
// event's stored cards, and only its own; without it, none.
func TestEventQueueCards(t *testing.T) {
	t.Parallel()
	eachEventsEngine(t, func(t *testing.T, f *fixture, photo string) {
		u := f.user(t, "w001")
		own := f.listAssignments(t, "worker_id="+u.WorkerID)[0].GridID
		var ids []string
		for i, text := range []string{"小区东门道路塌陷约一平方米", "北侧路灯不亮已有三天"} {
			var r events.ReportResult
			f.run(t, []scenario{{name: "report", method: "POST", path: "/api/events", as: "w001", wantStatus: 201,
				body: map[string]any{"client_id": fmt.Sprintf("7f0c1d7e-2222-4000-8000-00000000000%d", i), "category_code": "part_road",
					"grid_id": own, "description": text, "photos": []string{photo}},
				check: func(t *testing.T, res *response) { res.decode(t, &r) }}})
			ids = append(ids, r.Event.ID)
		}
		// A card as the sweep stores it, on the first event only.
		if _, err := f.db.ExecContext(context.Background(), `INSERT INTO event_cards (id, event_id, stage, color, worker_id, line_at, issued_at)
			VALUES ('card-1', $1, 'accept', 'yellow', $2, $3, $3)`, ids[0], u.WorkerID, store.Now()); err != nil {
			t.Fatal(err)
		}
		var page struct{ Items []events.Event }
		f.signIn(t, "centre01").get(t, "/api/events?with_cards=true&grid_id="+own, &page)
		got := map[string][]events.Card{}
		for _, e := range page.Items {
			got[e.ID] = e.Cards
		}
		if c := got[ids[0]]; len(c) != 1 || c[0].Color != events.Color("yellow") || c[0].Stage != events.StageAccept || c[0].WorkerID != u.WorkerID {
			t.Errorf("the first event's cards are %+v, want the one yellow accept card", c)
		}
		if c, ok := got[ids[1]]; !ok || len(c) != 0 {
			t.Errorf("the second event (listed %v) has cards %+v, want none", ok, c)
		}
		f.run(t, []scenario{{name: "without with_cards no cards", method: "GET", path: "/api/events?grid_id=" + own, as: "centre01",
			wantStatus: 200, wantBody: []string{ids[0]}, notBody: []string{"card-1"}}})
	})
}

// TestEventConfigAPI: categories and the work calendar are the centre's to
// change and everyone's to read.
func TestEventConfigAPI(t *testing.T) {
	t.Parallel()
	eachEventsEngine(t, func(t *testing.T, f *fixture, _ string) {
		cat := map[string]any{"name": "共享单车乱停放", "parent_code": "city_event", "line": "city_event", "public": true,
			"limits": map[string]string{"handle": "1workdays", "close": "2workdays"}, "photo_required": true, "min_description": 6}
		var days []api.CalendarDay
		f.run(t, []scenario{
			{name: "everyone reads categories", method: "GET", path: "/api/event-categories", as: "w001", wantStatus: 200,
				wantBody: []string{`"code":"dispute"`, `"code":"part_manhole"`, `"handle":"1workdays"`}},
			{name: "staff may not configure", method: "PUT", path: "/api/event-categories/event_bike", body: cat, as: "c01staff",
				wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "centre adds a 小类, active by default", method: "PUT", path: "/api/event-categories/event_bike", body: cat, as: "centre01", wantStatus: 200,
				wantBody: []string{`"close":"2workdays"`, `"active":true`}},
			{name: "deactivated", method: "PUT", path: "/api/event-categories/event_bike", as: "centre01", wantStatus: 200,
				body: map[string]any{"name": "共享单车乱停放", "parent_code": "city_event", "line": "city_event", "active": false}, wantBody: []string{`"active":false`}},
			{name: "stays inactive when not said", method: "PUT", path: "/api/event-categories/event_bike", body: cat, as: "centre01", wantStatus: 200,
				wantBody: []string{`"active":false`}},
			{name: "bad limit names the field", method: "PUT", path: "/api/event-categories/event_bike2", as: "centre01", wantStatus: 422,
				body: map[string]any{"name": "x", "line": "city_event", "limits": map[string]string{"close": "soon"}}, wantCode: apperr.Invalid},
			{name: "a category in use cannot be deleted", method: "DELETE", path: "/api/event-categories/city_event", as: "centre01",
				wantStatus: 409, wantCode: apperr.Conflict},
			{name: "an unused one can", method: "DELETE", path: "/api/event-categories/event_bike", as: "centre01", wantStatus: 204},
			// The Spring Festival: 02-14 (Sat) a swapped working day, 15-23 off.
			{name: "calendar", method: "GET", path: "/api/calendar/days?from=2026-02-13&to=2026-02-24", as: "w001", wantStatus: 200,
				check: func(t *testing.T, r *response) { r.decode(t, &days) }},
			{name: "staff may not edit the calendar", method: "PUT", path: "/api/calendar/days/2026-03-09", as: "c01staff",
				body: map[string]any{"kind": "holiday", "name": "停电"}, wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "centre makes a holiday", method: "PUT", path: "/api/calendar/days/2026-03-09", as: "centre01",
				body: map[string]any{"kind": "holiday", "name": "临时停工"}, wantStatus: 200},
			{name: "it shows", method: "GET", path: "/api/calendar/days?from=2026-03-09&to=2026-03-09", as: "w001", wantStatus: 200,
				wantBody: []string{`"workday":false`, "临时停工"}},
			{name: "and can be removed", method: "DELETE", path: "/api/calendar/days/2026-03-09", as: "centre01", wantStatus: 204},
		})
		if len(days) != 12 {
			t.Fatalf("%d days, want 12", len(days))
		}
		want := map[string]bool{"2026-02-13": true, "2026-02-14": true, "2026-02-15": false, "2026-02-16": false, "2026-02-23": false, "2026-02-24": true}
		for _, d := range days {
			if w, ok := want[d.Date.String()]; ok && d.Workday != w {
				t.Errorf("%s: workday %v, want %v", d.Date, d.Workday, w)
			}
		}
	})
}

// TestOpen311 is a GeoReport v2 client: it lists the services, files a
// request anonymously, follows it, and is limited; a system with an
// api_key files as a hotline.
func TestOpen311(t *testing.T) {
	t.Parallel()
	eachEventsEngine(t, func(t *testing.T, f *fixture, _ string) {
		anon := f.anon()
		get := func(path string, status int) *response {
			t.Helper()
			r := anon.do(t, http.MethodGet, path, nil)
			if r.status != status {
				t.Fatalf("GET %s: %d %s", path, r.status, r.body)
			}
			return r
		}
		post := func(form url.Values) *response {
			t.Helper()
			return anon.do(t, http.MethodPost, "/open311/v2/requests.json", rawBody(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
		}
		var services []api.Service
		get("/open311/v2/services.json", 200).decode(t, &services)
		codes := map[string]bool{}
		for _, s := range services {
			codes[s.ServiceCode] = true
		}
		if !codes["event_garbage"] || !codes["part_manhole"] || codes["dispute"] || codes["security_suspect"] {
			t.Errorf("services %v: want the public city categories, no disputes or public security", codes)
		}
		if r := get("/open311/v2/services/event_garbage.json", 200); !strings.Contains(string(r.body), `"service_code":"event_garbage"`) {
			t.Errorf("service definition %s", r.body)
		}
		get("/open311/v2/services/dispute.json", 404)
		get("/open311/v2/services.xml", 200)

		c := geo.Centroid(f.town.Grids[0].Polygon)
		form := url.Values{"service_code": {"event_garbage"}, "lat": {fmt.Sprint(c[1])}, "long": {fmt.Sprint(c[0])},
			"address_string": {"和平路12号"}, "description": {"路口垃圾桶满溢，气味很大"}, "email": {"resident@example.com"},
			"phone": {"13912345678"}, "first_name": {"小明"}, "last_name": {"张"}, "media_url": {"https://example.com/p.jpg"}}
		r := post(form)
		if r.status != 201 {
			t.Fatalf("POST requests: %d %s", r.status, r.body)
		}
		var created []struct {
			ID string `json:"service_request_id"`
		}
		r.decode(t, &created)
		if len(created) != 1 || created[0].ID == "" {
			t.Fatalf("created %s", r.body)
		}
		id := created[0].ID
		r = get("/open311/v2/requests/"+id+".json", 200)
		var reqs []api.ServiceRequest
		r.decode(t, &reqs)
		if len(reqs) != 1 || reqs[0].Status != "open" || reqs[0].ServiceCode != "event_garbage" || reqs[0].Address != "和平路12号" ||
			reqs[0].ExpectedDatetime == "" || reqs[0].MediaURL != "https://example.com/p.jpg" {
			t.Errorf("request %s", r.body)
		}
		for _, private := range []string{"13912345678", "resident@example.com", "小明"} {
			if strings.Contains(string(r.body), private) {
				t.Errorf("the public request shows %q: %s", private, r.body)
			}
		}
		if r := get("/open311/v2/requests.json?service_request_id="+id, 200); !strings.Contains(string(r.body), id) {
			t.Errorf("by id: %s", r.body)
		}
		if r := get("/open311/v2/requests.json?status=open&service_code=event_garbage", 200); !strings.Contains(string(r.body), id) {
			t.Errorf("open garbage requests: %s", r.body)
		}
		if r := get("/open311/v2/requests.json?status=closed", 200); strings.Contains(string(r.body), id) {
			t.Errorf("closed requests list an open one: %s", r.body)
		}
		if r := get("/open311/v2/requests/"+id+".xml", 200); !strings.Contains(string(r.body), "<service_requests><request><service_request_id>"+id) {
			t.Errorf("xml: %s", r.body)
		}
		// The centre sees the resident's contact; the source is resident.
		var full events.Event
		f.signIn(t, "centre01").get(t, "/api/events/"+id, &full)
		if full.Source != events.FromResident || full.Contact == nil || full.Contact.Phone != "13912345678" || full.Contact.Name != "张小明" {
			t.Errorf("stored %+v contact %+v", full, full.Contact)
		}
		// At rest the phone is sealed.
		var storedPhone string
		if err := f.db.QueryRowContext(context.Background(), `SELECT contact_phone FROM events WHERE id = $1`, id).Scan(&storedPhone); err != nil ||
			strings.Contains(storedPhone, "13912345678") {
			t.Errorf("stored phone %q (%v), want sealed", storedPhone, err)
		}
		// Nor does the audit log keep the contact.
		r = f.signIn(t, "admin").do(t, http.MethodGet, "/api/audit?entity=event&entity_id="+id, nil)
		if r.status != 200 || !strings.Contains(string(r.body), `"action":"create"`) || strings.Contains(string(r.body), "13912345678") {
			t.Errorf("audit of the request: %d %s", r.status, r.body)
		}
		// Errors are GeoReport errors.
		bad := post(url.Values{"service_code": {"event_garbage"}, "description": {"没有位置"}})
		var errs []struct {
			Code        int    `json:"code"`
			Description string `json:"description"`
		}
		if bad.status != 400 || json.Unmarshal(bad.body, &errs) != nil || len(errs) != 1 || errs[0].Code != 400 {
			t.Errorf("no position: %d %s", bad.status, bad.body)
		}
		if r := post(url.Values{"service_code": {"event_garbage"}, "lat": {"10"}, "long": {"10"}, "description": {"很远的地方"}}); r.status != 400 {
			t.Errorf("outside: %d %s", r.status, r.body)
		}
		if r := post(url.Values{"service_code": {"dispute"}, "lat": form["lat"], "long": form["long"], "description": {"邻里纠纷"}}); r.status != 400 {
			t.Errorf("non-public service: %d %s", r.status, r.body)
		}
		// Four filings so far from this address; the limit is 20 an hour.
		for i := 4; i < 20; i++ {
			if r := post(url.Values{"service_code": {"event_garbage"}, "description": {"缺位置"}}); r.status != 400 {
				t.Fatalf("filing %d: %d %s", i+1, r.status, r.body)
			}
		}
		if r := post(form); r.status != http.StatusTooManyRequests {
			t.Errorf("21st filing: %d %s", r.status, r.body)
		}
		// A hotline system with an api_key is not limited.
		key := f.bearer(t, "centre01").token
		form.Set("api_key", key)
		r = post(form)
		if r.status != 201 {
			t.Fatalf("with api_key: %d %s", r.status, r.body)
		}
		r.decode(t, &created)
		f.signIn(t, "centre01").get(t, "/api/events/"+created[0].ID, &full)
		if full.Source != events.FromHotline {
			t.Errorf("api_key filing source %s, want hotline", full.Source)
		}
		form.Set("api_key", "gw_wrong")
		if r := post(form); r.status != 403 {
			t.Errorf("bad api_key: %d %s", r.status, r.body)
		}
	})
}
