package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"gridwork/internal/apperr"
	"gridwork/internal/dates"
	"gridwork/internal/idnum"
	"gridwork/internal/records"
)

// demoID makes a valid identity number for a test person.
func demoID(seq int) string {
	body := fmt.Sprintf("11010519900307%03d", seq)
	return body + string(idnum.CheckChar(body))
}

// multipartBody builds a one-file upload with extra fields.
func multipartBody(t *testing.T, name string, data []byte, fields map[string]string) (rawBody, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	fw, err := w.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	w.Close()
	return rawBody(buf.String()), w.FormDataContentType()
}

// TestPeopleAPI: a grid worker registers people in their own grid only; bad
// input names the field; identity numbers are masked for everyone and
// unmasked, with an audit entry, only for the roles that need them.
func TestPeopleAPI(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, f *fixture) {
		const worker = "w001"
		u := f.user(t, worker)
		mine := f.listAssignments(t, "worker_id="+u.WorkerID)
		own := mine[0].GridID
		otherCommunity := f.communityID(t, "c02")
		if otherCommunity == u.ScopeUnitID {
			otherCommunity = f.communityID(t, "c03")
		}
		foreign := f.listGrids(t, otherCommunity)[0].ID
		number := demoID(1)
		person := map[string]any{"grid_id": own, "category": "floating", "id_number": number, "name": "张三", "began_on": "2026-02-01", "phone": "13800001111"}
		var created records.Person
		f.run(t, []scenario{
			{name: "registers in own grid", method: "POST", path: "/api/people", body: person, as: worker, wantStatus: 201,
				wantBody: []string{`"id_number_masked":"` + number[:4] + "**********" + number[14:] + `"`}, notBody: []string{number},
				check: func(t *testing.T, r *response) { r.decode(t, &created) }},
			{name: "duplicate refused", method: "POST", path: "/api/people", body: person, as: worker, wantStatus: 409, wantCode: apperr.Conflict,
				wantBody: []string{`"field":"id_number"`, "already registered"}},
			{name: "bad number names the field", method: "POST", path: "/api/people", as: worker, wantStatus: 422, wantCode: apperr.Invalid,
				body:     map[string]any{"grid_id": own, "category": "floating", "id_number": number[:17] + "Y", "name": "李四", "began_on": "2026-02-01"},
				wantBody: []string{`"field":"id_number"`}},
			{name: "bad date names the field", method: "POST", path: "/api/people", as: worker, wantStatus: 422, wantCode: apperr.Invalid,
				body:     map[string]any{"grid_id": own, "category": "floating", "id_number": demoID(2), "name": "李四", "began_on": "2026-02-30"},
				wantBody: []string{"began_on"}},
			{name: "another community's grid", method: "POST", path: "/api/people", as: worker, wantStatus: 403, wantCode: apperr.Forbidden,
				body: map[string]any{"grid_id": foreign, "category": "floating", "id_number": demoID(3), "name": "王五", "began_on": "2026-02-01"}},
		})
		f.run(t, []scenario{
			{name: "inspector reads masked", method: "GET", path: "/api/people/" + created.ID, as: "insp01", wantStatus: 200,
				wantBody: []string{"**********"}, notBody: []string{number}},
			{name: "inspector may not unmask", method: "POST", path: "/api/people/" + created.ID + "/unmask", body: map[string]any{"reason": "核对"}, as: "insp01",
				wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "admin may not unmask", method: "POST", path: "/api/people/" + created.ID + "/unmask", body: map[string]any{"reason": "核对"}, as: "admin",
				wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "another community's staff cannot see", method: "GET", path: "/api/people/" + created.ID, as: "c02staff", wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "community staff unmask", method: "POST", path: "/api/people/" + created.ID + "/unmask", body: map[string]any{"reason": "平台录入核对"},
				as: f.staffOf(t, u.ScopeUnitID), wantStatus: 200, wantBody: []string{number}},
			{name: "audit shows who unmasked", method: "GET", path: "/api/audit?entity=person&entity_id=" + created.ID, as: "admin", wantStatus: 200,
				wantBody: []string{`"action":"unmask"`, "平台录入核对"}, notBody: []string{number}},
			{name: "move out", method: "POST", path: "/api/people/" + created.ID + "/end", as: worker, wantStatus: 200,
				body: map[string]any{"on": "2026-03-01", "reason": "moved_out", "version": 1}, wantBody: []string{`"status":"ended"`}},
			{name: "stale version", method: "PATCH", path: "/api/people/" + created.ID, as: worker, wantStatus: 409, wantCode: apperr.Conflict,
				body: map[string]any{"version": 1, "phone": "13800002222"}},
		})
	})
}

// staffOf returns the username of the community staff account of a
// community.
func (f *fixture) staffOf(t *testing.T, communityID string) string {
	t.Helper()
	for i := 1; i <= 10; i++ {
		name := fmt.Sprintf("c%02dstaff", i)
		if f.user(t, name).ScopeUnitID == communityID {
			return name
		}
	}
	t.Fatalf("no staff account for community %s", communityID)
	return ""
}

// TestImportAPI uploads a CSV with one bad row: the good rows are stored
// and the bad one reported with row, column and reason.
func TestImportAPI(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, f *fixture) {
		grid := f.listGrids(t, f.communityID(t, "c01"))[0]
		csv := "姓名,身份证号,人员类别,所属网格,来本地日期\n" +
			"甲," + demoID(11) + ",流动," + grid.Code + ",2026-01-05\n" +
			"乙," + demoID(12)[:17] + "0,流动," + grid.Code + ",2026-01-05\n" +
			"丙," + demoID(13) + ",户籍," + grid.Code + ",2026-01-05\n"
		if demoID(12)[17] == '0' {
			csv = strings.Replace(csv, demoID(12)[:17]+"0", demoID(12)[:17]+"1", 1)
		}
		body, ct := multipartBody(t, "people.csv", []byte(csv), nil)
		c := f.signIn(t, "centre01")
		r := c.do(t, http.MethodPost, "/api/people/import", body, "Content-Type", ct)
		if r.status != 200 {
			t.Fatalf("import: %d %s", r.status, r.body)
		}
		var rep struct {
			Rows, Stored, Skipped int
			Errors                []struct {
				Row           int
				Column, Field string
			}
		}
		r.decode(t, &rep)
		if rep.Rows != 3 || rep.Stored != 2 || len(rep.Errors) != 1 || rep.Errors[0].Row != 3 || rep.Errors[0].Column != "2" {
			t.Errorf("report %s", r.body)
		}
		// An inspector may not import.
		r = f.signIn(t, "insp01").do(t, http.MethodPost, "/api/people/import", body, "Content-Type", ct)
		if r.status != 403 {
			t.Errorf("inspector import: %d", r.status)
		}
		// The export is an xlsx file with masked numbers.
		r = c.do(t, http.MethodGet, "/api/people/export?grid_id="+grid.ID, nil)
		if r.status != 200 || !bytes.HasPrefix(r.body, []byte("PK")) {
			t.Errorf("export: %d %.40q", r.status, r.body)
		}
		if bytes.Contains(r.body, []byte(demoID(11))) {
			t.Error("export holds a full identity number")
		}
		// Facts can be collected and read.
		// The people were entered today: they are in this month's ledger.
		month := dates.Today().String()[:7]
		r = c.do(t, http.MethodPost, "/api/facts/collect", map[string]any{"month": month})
		if r.status != 200 {
			t.Fatalf("collect: %d %s", r.status, r.body)
		}
		r = c.do(t, http.MethodGet, "/api/facts?month="+month+"&subject_kind=unit&subject_id="+grid.ID+"&name=records.people", nil)
		var got []struct{ Value float64 }
		if err := json.Unmarshal(r.body, &got); err != nil || len(got) != 1 || got[0].Value != 2 {
			t.Errorf("facts: %d %s", r.status, r.body)
		}
	})
}

// TestCareAPI: special-care records are invisible to inspectors and admins,
// and every read by those who may see them is audited.
func TestCareAPI(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, f *fixture) {
		grid := f.listGrids(t, f.communityID(t, "c01"))[0]
		staff := f.staffOf(t, f.communityID(t, "c01"))
		c := f.signIn(t, staff)
		r := c.do(t, http.MethodPost, "/api/people", map[string]any{"grid_id": grid.ID, "category": "registered", "id_number": demoID(21), "name": "赵某", "began_on": "2020-01-01"})
		if r.status != 201 {
			t.Fatalf("person: %d %s", r.status, r.body)
		}
		var p records.Person
		r.decode(t, &p)
		r = c.do(t, http.MethodPost, "/api/care/subjects", map[string]any{"person_id": p.ID, "group_code": "released", "risk": "medium",
			"details": "2025年刑满释放，盗窃罪", "began_on": "2025-06-01"})
		if r.status != 201 {
			t.Fatalf("register: %d %s", r.status, r.body)
		}
		var sub struct{ ID string }
		r.decode(t, &sub)
		f.run(t, []scenario{
			{name: "inspector cannot list", method: "GET", path: "/api/care/subjects", as: "insp01", wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "admin cannot read", method: "GET", path: "/api/care/subjects/" + sub.ID, as: "admin", wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "other community cannot read", method: "GET", path: "/api/care/subjects/" + sub.ID, as: "c02staff", wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "staff reads details", method: "GET", path: "/api/care/subjects/" + sub.ID, as: staff, wantStatus: 200, wantBody: []string{"盗窃罪"}},
			{name: "the read is audited", method: "GET", path: "/api/audit?entity=care_subject&entity_id=" + sub.ID, as: "admin", wantStatus: 200,
				wantBody: []string{`"action":"read"`}, notBody: []string{"盗窃罪"}},
			{name: "lost needs a reason", method: "POST", path: "/api/care/subjects/" + sub.ID + "/lost", body: map[string]any{"on": "2026-02-01"}, as: staff,
				wantStatus: 422, wantCode: apperr.Invalid, wantBody: []string{"reason"}},
		})
	})
}

// TestRentalQR: a rental's QR code comes as a PNG, and the grid's A4 sheet
// carries its code and address.
func TestRentalQR(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, f *fixture) {
		grid := f.listGrids(t, f.communityID(t, "c01"))[0]
		c := f.signIn(t, f.staffOf(t, f.communityID(t, "c01")))
		r := c.do(t, http.MethodPost, "/api/houses", map[string]any{"grid_id": grid.ID, "address": "幸福里3号楼2单元501", "purpose": "rental", "began_on": "2020-01-01"})
		if r.status != 201 {
			t.Fatalf("house: %d %s", r.status, r.body)
		}
		var h records.House
		r.decode(t, &h)
		r = c.do(t, http.MethodPost, "/api/rentals", map[string]any{"house_id": h.ID, "landlord_name": "钱某", "began_on": "2026-01-01"})
		if r.status != 201 {
			t.Fatalf("rental: %d %s", r.status, r.body)
		}
		var rental records.Rental
		r.decode(t, &rental)
		r = c.do(t, http.MethodGet, "/api/rentals/"+rental.ID+"/qr.png", nil)
		if r.status != 200 || r.header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(r.body, []byte("\x89PNG")) {
			t.Errorf("qr.png: %d %s", r.status, r.header.Get("Content-Type"))
		}
		r = c.do(t, http.MethodGet, "/api/grids/"+grid.ID+"/qr-sheet", nil)
		if r.status != 200 || !bytes.Contains(r.body, []byte(rental.Code)) || !bytes.Contains(r.body, []byte("幸福里3号楼2单元501")) {
			t.Errorf("qr-sheet: %d, code %s or address missing", r.status, rental.Code)
		}
	})
}
