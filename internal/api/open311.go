package api

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"gridwork/internal/apperr"
	"gridwork/internal/auth"
	"gridwork/internal/dates"
	"gridwork/internal/events"
)

// Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2), so that a
// resident app or a city hotline system can file and follow events:
//
//	GET  /open311/v2/services.json          the public categories
//	GET  /open311/v2/services/{code}.json   one service's definition (no attributes)
//	POST /open311/v2/requests.json          file a request (form-encoded)
//	GET  /open311/v2/requests.json          requests, filtered as the spec allows
//	GET  /open311/v2/requests/{id}.json     one request
//
// Every path also answers in XML with .xml instead of .json. Reading needs
// no sign-in. Filing is open to anyone, limited to open311Burst requests an
// hour from one address; a system with an api_key (a gridwork bearer token
// of an account that may report events) files as a hotline without limit.
// Only public categories (Category.Public) are offered and listed: disputes
// and public-security matters never appear. A resident's name, phone and
// email are kept for the centre and never shown here. Our states map to
// open (reported … verified, parked) and closed (closed, voided).

// open311Burst is how many requests one address may file an hour without
// an api_key.
const open311Burst = 20

// open311Limit counts anonymous filings per address over the last hour.
type open311Limit struct {
	mu   sync.Mutex
	seen map[string][]time.Time
}

// allow records a filing from addr at now and reports whether it is
// within the limit.
func (l *open311Limit) allow(addr string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	cut := now.Add(-time.Hour)
	ts := l.seen[addr]
	i := 0
	for i < len(ts) && !ts[i].After(cut) {
		i++
	}
	ts = ts[i:]
	if len(ts) >= open311Burst {
		l.seen[addr] = ts
		return false
	}
	l.seen[addr] = append(ts, now)
	if len(l.seen) > 10_000 { // forget idle addresses
		for a, t := range l.seen {
			if len(t) == 0 || !t[len(t)-1].After(cut) {
				delete(l.seen, a)
			}
		}
	}
	return true
}

// Service is an Open311 service: one public event category.
type Service struct {
	XMLName     xml.Name `json:"-" xml:"service"`
	ServiceCode string   `json:"service_code" xml:"service_code"`
	ServiceName string   `json:"service_name" xml:"service_name"`
	Description string   `json:"description" xml:"description"`
	Metadata    bool     `json:"metadata" xml:"metadata"`
	Type        string   `json:"type" xml:"type"`
	Keywords    string   `json:"keywords" xml:"keywords"`
	Group       string   `json:"group" xml:"group"`
}

// ServiceRequest is an Open311 service request: one event, without the
// reporter's personal data.
type ServiceRequest struct {
	XMLName           xml.Name `json:"-" xml:"request"`
	ServiceRequestID  string   `json:"service_request_id" xml:"service_request_id"`
	Status            string   `json:"status" xml:"status"`
	StatusNotes       string   `json:"status_notes" xml:"status_notes"`
	ServiceName       string   `json:"service_name" xml:"service_name"`
	ServiceCode       string   `json:"service_code" xml:"service_code"`
	Description       string   `json:"description" xml:"description"`
	AgencyResponsible string   `json:"agency_responsible" xml:"agency_responsible"`
	ServiceNotice     string   `json:"service_notice" xml:"service_notice"`
	RequestedDatetime string   `json:"requested_datetime" xml:"requested_datetime"`
	UpdatedDatetime   string   `json:"updated_datetime" xml:"updated_datetime"`
	ExpectedDatetime  string   `json:"expected_datetime" xml:"expected_datetime"`
	Address           string   `json:"address" xml:"address"`
	Lat               *float64 `json:"lat" xml:"lat,omitempty"`
	Long              *float64 `json:"long" xml:"long,omitempty"`
	MediaURL          string   `json:"media_url" xml:"media_url"`
}

// open311Error is one GeoReport error.
type open311Error struct {
	XMLName     xml.Name `json:"-" xml:"error"`
	Code        int      `json:"code" xml:"code"`
	Description string   `json:"description" xml:"description"`
}

// open311Created is the answer to a filed request.
type open311Created struct {
	XMLName          xml.Name `json:"-" xml:"request"`
	ServiceRequestID string   `json:"service_request_id" xml:"service_request_id"`
	ServiceNotice    string   `json:"service_notice" xml:"service_notice"`
	AccountID        *string  `json:"account_id" xml:"account_id,omitempty"`
}

// statusNotes says in words where an event stands.
var statusNotes = map[events.State]string{
	events.Reported: "reported 已上报", events.Accepted: "accepted 已受理", events.Dispatched: "dispatched 已派遣",
	events.Handled: "handled 已处置", events.Verified: "verified 已核查", events.Closed: "closed 已结案",
	events.Parked: "parked 挂账", events.Voided: "voided 已作废: not an event",
}

func (s *Server) open311Routes() {
	lim := &open311Limit{seen: map[string][]time.Time{}}
	// handle registers h for path.json and path.xml; a path ending in a
	// {value} serves both, the value carrying the format ({id}.json).
	handle := func(method, path string, h func(w http.ResponseWriter, r *http.Request, format, rest string)) {
		if strings.HasSuffix(path, "}") {
			name := path[strings.LastIndex(path, "{")+1 : len(path)-1]
			s.api.Adapter().Handle(&huma.Operation{Method: method, Path: path}, func(hctx huma.Context) {
				r, w := humago.Unwrap(hctx)
				v, f, ok := cutFormat(r.PathValue(name))
				if !ok {
					open311Fail(w, "json", http.StatusNotFound, "no such resource: Open311 paths end in .json or .xml")
					return
				}
				h(w, r, f, v)
			})
			return
		}
		for _, f := range []string{"json", "xml"} {
			s.api.Adapter().Handle(&huma.Operation{Method: method, Path: path + "." + f}, func(hctx huma.Context) {
				r, w := humago.Unwrap(hctx)
				h(w, r, f, "")
			})
		}
	}
	handle(http.MethodGet, "/open311/v2/services", s.open311Services)
	handle(http.MethodGet, "/open311/v2/services/{code}", s.open311Service)
	handle(http.MethodGet, "/open311/v2/requests", s.open311Requests)
	handle(http.MethodPost, "/open311/v2/requests", func(w http.ResponseWriter, r *http.Request, format, _ string) {
		s.open311File(w, r, format, lim)
	})
	handle(http.MethodGet, "/open311/v2/requests/{id}", s.open311Request)
}

// cutFormat splits "x.json" or "x.xml" into x and the format.
func cutFormat(v string) (string, string, bool) {
	for _, f := range []string{"json", "xml"} {
		if x, ok := strings.CutSuffix(v, "."+f); ok {
			return x, f, true
		}
	}
	return v, "json", false
}

// open311Write writes items (a slice) as a JSON array or an XML list under
// root.
func open311Write[T any](w http.ResponseWriter, format string, status int, root string, items []T) {
	if format == "xml" {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, "%s<%s>", xml.Header, root)
		enc := xml.NewEncoder(w)
		for _, it := range items {
			enc.Encode(it)
		}
		enc.Flush()
		fmt.Fprintf(w, "</%s>\n", root)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if items == nil {
		items = []T{}
	}
	json.NewEncoder(w).Encode(items)
}

func open311Fail(w http.ResponseWriter, format string, status int, msg string) {
	open311Write(w, format, status, "errors", []open311Error{{Code: status, Description: msg}})
}

// open311Err writes err as a GeoReport error: apperr codes keep their
// status; anything else is a 500 whose detail stays in the log.
func open311Err(w http.ResponseWriter, r *http.Request, format string, err error) {
	code := apperr.CodeOf(err)
	status := apperr.HTTPStatus(code)
	if status == http.StatusUnprocessableEntity {
		status = http.StatusBadRequest // GeoReport's code for bad input
	}
	msg := "internal error"
	if ae := apperr.As(err); ae != nil && code != apperr.Internal {
		msg = ae.Error()
	} else {
		problemFor(r.Context(), err) // logs it
	}
	open311Fail(w, format, status, msg)
}

func (s *Server) open311Services(w http.ResponseWriter, r *http.Request, format, _ string) {
	cs, err := s.events.Categories(r.Context())
	if err != nil {
		open311Err(w, r, format, err)
		return
	}
	names := map[string]string{}
	for _, c := range cs {
		names[c.Code] = c.Name
	}
	var out []Service
	for _, c := range cs {
		if !c.Public || !c.Active {
			continue
		}
		group := names[c.ParentCode]
		if group == "" {
			group = c.Name
		}
		out = append(out, Service{ServiceCode: c.Code, ServiceName: c.Name, Description: c.Name, Type: "realtime",
			Keywords: string(c.Line), Group: group})
	}
	open311Write(w, format, http.StatusOK, "services", out)
}

// publicCategory returns the public, active category code, or an error.
func (s *Server) publicCategory(ctx context.Context, code string) (events.Category, error) {
	c, err := s.events.Category(ctx, code)
	if err != nil || !c.Public || !c.Active {
		return events.Category{}, apperr.New(apperr.NotFound, "no service %q; see services.json", code)
	}
	return c, nil
}

func (s *Server) open311Service(w http.ResponseWriter, r *http.Request, format, code string) {
	c, err := s.publicCategory(r.Context(), code)
	if err != nil {
		open311Err(w, r, format, err)
		return
	}
	type definition struct {
		XMLName     xml.Name `json:"-" xml:"service_definition"`
		ServiceCode string   `json:"service_code" xml:"service_code"`
		Attributes  []string `json:"attributes" xml:"attributes"`
	}
	open311Write(w, format, http.StatusOK, "service_definitions", []definition{{ServiceCode: c.Code, Attributes: []string{}}})
}

// open311File files a request from a form-encoded body (or query).
func (s *Server) open311File(w http.ResponseWriter, r *http.Request, format string, lim *open311Limit) {
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		open311Fail(w, format, http.StatusBadRequest, "the body is not a form: "+err.Error())
		return
	}
	form := r.Form
	by := events.Actor{UserID: "open311"}
	source := events.FromResident
	u, err := caller(ctx)
	if key := form.Get("api_key"); key != "" {
		u, err = s.auth.Authenticate(ctx, key)
		if err != nil {
			open311Fail(w, format, http.StatusForbidden, "invalid api_key")
			return
		}
	}
	if err == nil && s.auth.ScopeOf(u).Can(auth.ReportEvent) {
		by, source = events.Actor{UserID: u.ID}, events.FromHotline
	} else if host, _ := ctx.Value(keyRemote).(string); !lim.allow(host, time.Now()) {
		w.Header().Set("Retry-After", "3600")
		open311Fail(w, format, http.StatusTooManyRequests, fmt.Sprintf("at most %d requests an hour from one address without an api_key", open311Burst))
		return
	}
	in, err := open311Input(form)
	if err != nil {
		open311Err(w, r, format, err)
		return
	}
	if _, err := s.publicCategory(ctx, in.CategoryCode); err != nil {
		open311Fail(w, format, http.StatusBadRequest, err.Error())
		return
	}
	in.Source = source
	g, err := s.events.Locate(ctx, *in.Lat, *in.Lon)
	if err != nil {
		open311Err(w, r, format, err)
		return
	}
	if g == "" {
		open311Fail(w, format, http.StatusBadRequest, "lat/long lies outside the area this centre serves")
		return
	}
	in.GridID = g
	res, err := s.events.Report(ctx, by, in)
	if err != nil {
		open311Err(w, r, format, err)
		return
	}
	open311Write(w, format, http.StatusCreated, "service_requests", []open311Created{{ServiceRequestID: res.Event.ID,
		ServiceNotice: "已收到，我们将在受理时限内处理 (received)"}})
}

// open311Input reads a filed request's form into an event. Errors:
// Invalid naming the GeoReport fields at fault.
func open311Input(form url.Values) (events.NewEvent, error) {
	var bad []apperr.FieldError
	in := events.NewEvent{CategoryCode: strings.TrimSpace(form.Get("service_code")), Description: strings.TrimSpace(form.Get("description")),
		Address: strings.TrimSpace(form.Get("address_string")), MediaURL: strings.TrimSpace(form.Get("media_url"))}
	if in.CategoryCode == "" {
		bad = append(bad, apperr.FieldError{Field: "service_code", Reason: "is required"})
	}
	if in.Description == "" {
		bad = append(bad, apperr.FieldError{Field: "description", Reason: "is required: what is where"})
	}
	lat, errLat := strconv.ParseFloat(strings.TrimSpace(form.Get("lat")), 64)
	lon, errLon := strconv.ParseFloat(strings.TrimSpace(form.Get("long")), 64)
	switch {
	case form.Get("lat") == "" || form.Get("long") == "":
		bad = append(bad, apperr.FieldError{Field: "lat", Reason: "lat and long are required: this centre locates requests by position"})
	case errLat != nil || errLon != nil || lat != lat || lon != lon || lat < -90 || lat > 90 || lon < -180 || lon > 180:
		bad = append(bad, apperr.FieldError{Field: "lat", Reason: "lat and long must be WGS84 degrees"})
	default:
		in.Lat, in.Lon = &lat, &lon
	}
	if in.MediaURL != "" {
		u, err := url.Parse(in.MediaURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(in.MediaURL) > 1000 {
			bad = append(bad, apperr.FieldError{Field: "media_url", Reason: "is not an http(s) URL"})
		}
	}
	name := strings.TrimSpace(strings.TrimSpace(form.Get("last_name")) + strings.TrimSpace(form.Get("first_name")))
	c := events.Contact{Name: name, Phone: strings.TrimSpace(form.Get("phone")), Email: strings.TrimSpace(form.Get("email"))}
	for f, v := range map[string]string{"first_name": name, "phone": c.Phone, "email": c.Email} {
		if len(v) > 200 {
			bad = append(bad, apperr.FieldError{Field: f, Reason: "is too long"})
		}
	}
	if len(bad) > 0 {
		return events.NewEvent{}, apperr.InvalidFields("cannot file the request", bad...)
	}
	if c != (events.Contact{}) {
		in.Contact = &c
	}
	return in, nil
}

// toRequest is the public view of an event.
func toRequest(e events.Event, names map[string]string) ServiceRequest {
	status := "open"
	if !e.State.Open() {
		status = "closed"
	}
	ts := func(t time.Time) string { return t.In(dates.Shanghai).Format(time.RFC3339) }
	updated := e.ReportedAt
	for _, t := range []*time.Time{e.UpwardAt, e.AcceptedAt, e.DispatchedAt, e.HandledAt, e.VerifiedAt, e.ClosedAt, e.VoidedAt} {
		if t != nil && t.After(updated) {
			updated = *t
		}
	}
	r := ServiceRequest{ServiceRequestID: e.ID, Status: status, StatusNotes: statusNotes[e.State], ServiceName: names[e.CategoryCode],
		ServiceCode: e.CategoryCode, Description: e.Description, AgencyResponsible: "网格化管理中心",
		RequestedDatetime: ts(e.ReportedAt), UpdatedDatetime: ts(updated), Address: e.Address, Lat: e.Lat, Long: e.Lon, MediaURL: e.MediaURL}
	for _, c := range e.Clocks {
		if c.Stage == events.StageClose && e.State.Open() {
			r.ExpectedDatetime = ts(c.Due)
		}
	}
	return r
}

// publicNames returns the names of the public categories.
func (s *Server) publicNames(ctx context.Context) (map[string]string, error) {
	cs, err := s.events.Categories(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, c := range cs {
		if c.Public {
			out[c.Code] = c.Name
		}
	}
	return out, nil
}

// open311MaxRequests bounds one listing, as the spec allows.
const open311MaxRequests = 1000

func (s *Server) open311Requests(w http.ResponseWriter, r *http.Request, format, _ string) {
	ctx := r.Context()
	q := r.URL.Query()
	names, err := s.publicNames(ctx)
	if err != nil {
		open311Err(w, r, format, err)
		return
	}
	if ids := strings.TrimSpace(q.Get("service_request_id")); ids != "" {
		var out []ServiceRequest
		for _, id := range strings.Split(ids, ",") {
			e, err := s.events.Get(ctx, strings.TrimSpace(id))
			if err == nil && names[e.CategoryCode] != "" {
				out = append(out, toRequest(e, names))
			}
		}
		open311Write(w, format, http.StatusOK, "service_requests", out)
		return
	}
	// Default window: the last 90 days, as the spec suggests.
	end := time.Now()
	start := end.AddDate(0, 0, -90)
	for _, p := range []struct {
		key string
		t   *time.Time
	}{{"start_date", &start}, {"end_date", &end}} {
		if v := q.Get(p.key); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				open311Fail(w, format, http.StatusBadRequest, p.key+" must be a W3C date-time such as 2026-03-01T00:00:00+08:00")
				return
			}
			*p.t = t
		}
	}
	status := q.Get("status")
	if status != "" && status != "open" && status != "closed" {
		open311Fail(w, format, http.StatusBadRequest, "status is open or closed")
		return
	}
	code := q.Get("service_code")
	if code != "" && names[code] == "" {
		open311Write(w, format, http.StatusOK, "service_requests", []ServiceRequest{})
		return
	}
	es, _, err := s.events.List(ctx, events.Query{CategoryCode: code, From: start, To: end, Open: status == "open"})
	if err != nil {
		open311Err(w, r, format, err)
		return
	}
	var out []ServiceRequest
	for _, e := range es {
		if names[e.CategoryCode] == "" || (status == "closed" && e.State.Open()) {
			continue
		}
		out = append(out, toRequest(e, names))
		if len(out) == open311MaxRequests {
			break
		}
	}
	open311Write(w, format, http.StatusOK, "service_requests", out)
}

func (s *Server) open311Request(w http.ResponseWriter, r *http.Request, format, id string) {
	ctx := r.Context()
	names, err := s.publicNames(ctx)
	if err != nil {
		open311Err(w, r, format, err)
		return
	}
	e, err := s.events.Get(ctx, id)
	if err != nil || names[e.CategoryCode] == "" {
		open311Fail(w, format, http.StatusNotFound, "no service request "+id)
		return
	}
	open311Write(w, format, http.StatusOK, "service_requests", []ServiceRequest{toRequest(e, names)})
}
