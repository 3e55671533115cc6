package demo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"gridwork/internal/auth"
	"gridwork/internal/dates"
	"gridwork/internal/events"
	"gridwork/internal/files"
	"gridwork/internal/geo"
	"gridwork/internal/org"
	"gridwork/internal/store"
	"gridwork/internal/workcal"
)

// This file gives the demo street three months of events (February to
// April 2026, after demo.DefaultFrom) reported by its workers and by
// residents, with the misses seed 001's 事件办理 and seed 003 count:
//
//   - Workers differ: about a third meet seed 001's quota (56 full-time
//     with 8 upward, 52 part-time with 4), most fall 5-20 short, a fifth
//     report only a third to a half of it; about one in ten bunch most of
//     their month's reports into its last 5 days.
//   - Most small city matters are handled on the spot (自办自结); the rest
//     go through 受理 → 派遣 → 处置 → 核查 → 结案. Acceptance is usually within
//     a working day, but reports made just before the Spring Festival
//     (2026-02-15 to 02-23) are accepted after it, late; some handlers are
//     slow and earn yellow and red cards; a few events get an extension,
//     are parked (挂账) for a while, or are voided as duplicates; events
//     reported at the end of April are still open.
//   - Residents report through the hotline about one matter a grid a
//     month; some duplicate a worker's report (near matches), the others
//     count as not reported by the worker.
//   - A few reports are badly described (too short, no photo); a few
//     duplicate the worker's own earlier report; dispute and mediation
//     reports are about one in twelve.
//   - Two major events: a fire on 2026-03-12 reported upward at once, and
//     a gathering on 2026-04-18 reported 2½ hours after it began (late).
//
// Everything is drawn from EventOptions.Seed in a fixed order, so the same
// seed gives the same events, steps and facts (event ids differ: they are
// UUIDv7).

// EventOptions shape LoadEvents.
type EventOptions struct {
	Seed uint64
	// Scale multiplies every worker's monthly reports (1 when 0); tests
	// load a smaller street.
	Scale float64
}

// EventSummary counts what LoadEvents stored.
type EventSummary struct {
	Events, ByWorkers, ByResidents   int
	SelfHandled, Upward              int
	Closed, Open, Parked, Voided     int
	Duplicates, BadlyDescribed       int
	Extensions, Major, MajorLate     int
	YellowCards, RedCards, Mediation int
	Took                             time.Duration
}

// eventStream is the second PCG word of the events generator ("events04").
const eventStream = 0x6576656e74733034

// demoCategory is a category the demo draws, with its weight and how its
// reports read.
type demoCategory struct {
	code   string
	weight int
	// self: small enough to handle on the spot.
	self  bool
	texts []string
}

var demoCategories = []demoCategory{
	{"event_garbage", 20, true, []string{"垃圾桶满溢未及时清运", "楼道口堆放建筑垃圾", "绿化带内有暴露垃圾"}},
	{"event_parking", 10, true, []string{"消防通道被私家车占用", "非机动车乱停放堵塞人行道"}},
	{"event_ad", 12, true, []string{"单元门口张贴小广告", "电线杆上喷涂办证广告"}},
	{"event_vendor", 5, true, []string{"路口有流动摊贩占道经营"}},
	{"event_building", 2, false, []string{"一楼住户私搭乱建阳光房", "楼顶疑似违法加建"}},
	{"part_streetlight", 8, false, []string{"小区路灯不亮", "路灯灯杆倾斜"}},
	{"part_road", 6, false, []string{"人行道地砖松动破损", "路面出现坑洼积水"}},
	{"part_manhole", 3, false, []string{"井盖破损有坠落危险", "雨水井盖缺失"}},
	{"part_facility", 6, true, []string{"健身器材损坏", "公交站座椅损坏"}},
	{"hazard_fire", 3, false, []string{"楼道内堆放杂物堵塞消防通道", "电动车在楼道内充电"}},
	{"hazard_gas", 1, false, []string{"餐馆燃气软管老化"}},
	{"hazard_building", 1, false, []string{"外墙瓷砖松动有脱落风险"}},
	{"livelihood_help", 5, false, []string{"独居老人生活困难需要帮扶", "残疾人家庭申请临时救助"}},
	{"livelihood_utility", 6, false, []string{"居民楼停水需要报修", "楼道照明线路故障"}},
	{"livelihood_property", 4, false, []string{"物业不及时维修电梯", "小区门禁损坏"}},
	{"dispute_neighbour", 4, false, []string{"楼上楼下因漏水发生纠纷需要调解", "邻里因噪音问题发生争执"}},
	{"dispute_property", 2, false, []string{"业主与物业因收费发生纠纷"}},
	{"dispute_family", 1, false, []string{"夫妻因家庭琐事多次争吵需要调解"}},
	{"dispute_labour", 1, false, []string{"装修工人讨要工资与业主发生纠纷"}},
	{"mediation", 2, false, []string{"组织双方调解邻里排水纠纷", "调解租户与房东押金纠纷"}},
	{"security_public", 2, false, []string{"夜间有人聚集饮酒喧哗"}},
	{"security_suspect", 1, false, []string{"出租屋内人员频繁进出形迹可疑"}},
}

// residentCategories are what residents call the hotline about.
var residentCategories = []string{"event_garbage", "event_parking", "part_streetlight", "part_road", "livelihood_utility", "livelihood_property", "hazard_fire", "dispute_neighbour"}

// demoWorker is one worker as the events plan sees them.
type demoWorker struct {
	by        events.Actor
	grid      string
	community string
	emp       org.Employment
	center    [2]float64 // lat, lon
	span      [2]float64 // the grid's half extent in degrees, lat, lon
	target    float64    // share of the quota reported
	upShare   float64    // share of the upward quota
	bunch     bool
	slow      bool
}

// evPlan is one timed store call.
type evPlan struct {
	at   time.Time
	what string
	do   func(ctx context.Context) error
}

type evWork struct {
	r       *rand.Rand
	ev      *events.Store
	cal     *workcal.Calendar
	photo   string
	centre  events.Actor
	street  string
	staff   map[string]events.Actor // by community
	plans   []evPlan
	months  [3]dates.Date
	end     time.Time
	sum     EventSummary
	now     time.Time
	weights []int
}

// LoadEvents stores three months of events for the demo street in one
// transaction, through the events store (so every rule and the audit
// apply), and sweeps the cards due by the end of April.
func LoadEvents(ctx context.Context, db *store.DB, orgs *org.Store, ev *events.Store, fs *files.Store, town Town, opt EventOptions) (EventSummary, error) {
	start := time.Now()
	if opt.Scale <= 0 {
		opt.Scale = 1
	}
	cal, err := ev.Calendar(ctx)
	if err != nil {
		return EventSummary{}, err
	}
	w := &evWork{r: rand.New(rand.NewPCG(opt.Seed, eventStream)), ev: ev, cal: cal, staff: map[string]events.Actor{}}
	first := dates.New(town.ValidFrom.Year(), town.ValidFrom.Month(), 1)
	for i := range w.months {
		w.months[i] = first.AddMonths(i + 1)
	}
	w.end = first.AddMonths(len(w.months) + 1).Start()
	for _, c := range demoCategories {
		w.weights = append(w.weights, c.weight)
	}
	// A store of the demo's own on the demo's time, pinned and in bulk
	// mode: ev itself is left as it is (a server may be using it).
	ev = ev.WithClock(func() time.Time { return w.now })
	w.ev = ev
	ev.PinCalendar(cal)
	ev.SetBulk(true)
	err = db.Tx(ctx, func(tx store.Tx) error {
		ctx := store.WithTx(ctx, tx)
		if db.Engine == store.SQLite {
			restore, err := bigCache(ctx, tx)
			if err != nil {
				return err
			}
			defer restore()
		}
		workers, grids, err := w.setup(ctx, db, orgs, fs, town)
		if err != nil {
			return err
		}
		for _, dw := range workers {
			for mi := range w.months {
				w.planWorkerMonth(dw, mi, opt.Scale)
			}
		}
		w.planResidents(grids, workers, opt.Scale)
		w.planMajor(workers)
		slices.SortStableFunc(w.plans, func(a, b evPlan) int { return a.at.Compare(b.at) })
		for _, p := range w.plans {
			if !p.at.Before(w.end) {
				continue // after April: still open
			}
			w.now = p.at
			if err := p.do(ctx); err != nil {
				return fmt.Errorf("demo: events: %s at %s: %w", p.what, p.at.In(dates.Shanghai).Format("2006-01-02 15:04"), err)
			}
		}
		w.now = w.end
		if _, err := ev.IssueCards(ctx, w.end); err != nil {
			return err
		}
		return w.count(ctx, tx)
	})
	if err != nil {
		return EventSummary{}, err
	}
	w.sum.Took = time.Since(start)
	return w.sum, nil
}

// setup finds the workers, their grids and the staff accounts, and stores
// the photo the reports carry.
func (w *evWork) setup(ctx context.Context, db *store.DB, orgs *org.Store, fs *files.Store, town Town) ([]*demoWorker, []org.Unit, error) {
	users, err := auth.NewStore(db, orgs, auth.Params{}).ListUsers(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("demo: events: %w", err)
	}
	byName := map[string]auth.User{}
	for _, u := range users {
		byName[u.Username] = u
		if u.Role == auth.CommunityStaff {
			if _, ok := w.staff[u.ScopeUnitID]; !ok {
				w.staff[u.ScopeUnitID] = events.Actor{UserID: u.ID}
			}
		}
	}
	centre, ok := byName["centre01"]
	if !ok {
		return nil, nil, fmt.Errorf("demo: events: no account centre01: load the town first")
	}
	w.centre, w.street = events.Actor{UserID: centre.ID}, centre.ScopeUnitID
	on := w.months[0]
	grids, _, err := orgs.ListUnits(ctx, org.UnitQuery{On: on, Level: org.Grid})
	if err != nil {
		return nil, nil, fmt.Errorf("demo: events: %w", err)
	}
	gridByID := map[string]org.Unit{}
	for _, g := range grids {
		gridByID[g.ID] = g
	}
	var out []*demoWorker
	for _, spec := range town.Workers {
		u, ok := byName[spec.Username]
		if !ok || u.WorkerID == "" {
			continue
		}
		as, _, err := orgs.ListAssignments(ctx, org.AssignmentQuery{WorkerID: u.WorkerID})
		if err != nil {
			return nil, nil, fmt.Errorf("demo: events: %w", err)
		}
		i := slices.IndexFunc(as, func(a org.Assignment) bool { return a.Kind == org.Primary })
		if i < 0 {
			continue
		}
		g, ok := gridByID[as[i].GridID]
		if !ok {
			continue
		}
		dw := &demoWorker{by: events.Actor{UserID: u.ID, WorkerID: u.WorkerID}, grid: g.ID, community: g.ParentID, emp: spec.Employment}
		dw.center, dw.span = shape(g)
		switch x := w.r.Float64(); {
		case x < 0.35: // diligent
			dw.target, dw.upShare = 1+0.1*w.r.Float64(), 1+0.4*w.r.Float64()
		case x < 0.8:
			dw.target, dw.upShare = 0.65+0.3*w.r.Float64(), 0.5+0.6*w.r.Float64()
		default: // weak
			dw.target, dw.upShare = 0.3+0.3*w.r.Float64(), 0.4*w.r.Float64()
		}
		dw.bunch = w.r.Float64() < 0.1
		dw.slow = w.r.Float64() < 0.15
		out = append(out, dw)
	}
	img := image.NewRGBA(image.Rect(0, 0, 16, 12))
	for y := range 12 {
		for x := range 16 {
			img.Set(x, y, color.RGBA{R: 200, G: uint8(10 * x), B: uint8(15 * y), A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, nil, err
	}
	f, err := fs.Put(ctx, centre.ID, "事件现场.png", &buf)
	if err != nil {
		return nil, nil, fmt.Errorf("demo: events: store photo: %w", err)
	}
	w.photo = f.SHA256
	return out, grids, nil
}

// shape returns a grid's centre and half extent, for positions inside it.
func shape(g org.Unit) (center, span [2]float64) {
	p, err := geo.ParsePolygon([]byte(g.Geometry))
	if err != nil || len(p) == 0 {
		return center, span
	}
	c, b := geo.Centroid(p), geo.Bound(p)
	return [2]float64{c[1], c[0]}, [2]float64{(b.Max[1] - b.Min[1]) / 2, (b.Max[0] - b.Min[0]) / 2}
}

// position returns a point in a grid (within 80 % of its half extent
// around its centroid, inside the demo's convex grids).
func (w *evWork) position(center, span [2]float64) (float64, float64) {
	return center[0] + span[0]*1.6*(w.r.Float64()-0.5), center[1] + span[1]*1.6*(w.r.Float64()-0.5)
}

// workAfter returns the instant h working hours (08:30-17:30 on working
// days) after t.
func (w *evWork) workAfter(t time.Time, h float64) time.Time {
	left := time.Duration(h * float64(time.Hour))
	for range 400 {
		d := dates.Of(t)
		open, shut := d.Start().Add(8*time.Hour+30*time.Minute), d.Start().Add(17*time.Hour+30*time.Minute)
		if w.cal.IsWorkday(d) && t.Before(shut) {
			if t.Before(open) {
				t = open
			}
			if span := shut.Sub(t); span >= left {
				return t.Add(left)
			} else {
				left -= span
			}
		}
		t = d.AddDays(1).Start()
	}
	return t
}

// weighted draws an index of demoCategories by weight.
func (w *evWork) weighted() int {
	total := 0
	for _, x := range w.weights {
		total += x
	}
	n := w.r.IntN(total)
	for i, x := range w.weights {
		if n < x {
			return i
		}
		n -= x
	}
	return len(w.weights) - 1
}

func (w *evWork) add(at time.Time, what string, do func(ctx context.Context) error) {
	w.plans = append(w.plans, evPlan{at: at, what: what, do: do})
}

// report plans one report and returns where its id will be.
func (w *evWork) report(at time.Time, by events.Actor, in events.NewEvent) *string {
	id := new(string)
	w.add(at, "report "+in.CategoryCode, func(ctx context.Context) error {
		r, err := w.ev.Report(ctx, by, in)
		*id = r.Event.ID
		return err
	})
	return id
}

// step plans one workflow step on the event id will hold.
func (w *evWork) step(at time.Time, by events.Actor, id *string, a events.Action, in events.ActInput) {
	w.add(at, string(a), func(ctx context.Context) error {
		return w.ev.Step(ctx, by, *id, a, in)
	})
}

// planWorkerMonth plans a worker's reports in month mi.
func (w *evWork) planWorkerMonth(dw *demoWorker, mi int, scale float64) {
	q := events.Quotas[dw.emp]
	n := int(math.Round(float64(q.Events) * dw.target * (0.95 + 0.1*w.r.Float64()) * scale))
	up := int(math.Round(float64(q.Upward) * dw.upShare * scale))
	first := w.months[mi]
	last := first.AddMonths(1).AddDays(-1)
	days := w.cal.Workdays(first, last)
	var endDays []dates.Date
	for d := last.AddDays(1 - events.BunchingDays); !d.After(last); d = d.AddDays(1) {
		endDays = append(endDays, d)
	}
	type earlier struct {
		cat      string
		lat, lon float64
		at       time.Time
	}
	var prev *earlier
	for i := range n {
		var day dates.Date
		if dw.bunch && w.r.Float64() < 0.7 {
			day = endDays[w.r.IntN(len(endDays))]
		} else {
			day = days[w.r.IntN(len(days))]
		}
		at := day.Start().Add(8*time.Hour + 30*time.Minute + time.Duration(w.r.IntN(9*60))*time.Minute)
		cat := demoCategories[w.weighted()]
		lat, lon := w.position(dw.center, dw.span)
		in := events.NewEvent{CategoryCode: cat.code, GridID: dw.grid, Lat: &lat, Lon: &lon,
			Description: cat.texts[w.r.IntN(len(cat.texts))] + fmt.Sprintf("，位于%d号楼附近", 1+w.r.IntN(30)), Photos: []string{w.photo}}
		if prev != nil && w.r.Float64() < 0.03 && at.After(prev.at) && at.Sub(prev.at) < 48*time.Hour {
			// The same matter reported again: a near match.
			cat = demoCategories[slices.IndexFunc(demoCategories, func(c demoCategory) bool { return c.code == prev.cat })]
			la, lo := prev.lat+0.00005, prev.lon
			in.CategoryCode, in.Lat, in.Lon = cat.code, &la, &lo
		}
		if w.r.Float64() < 0.03 {
			in.Description, in.Photos = "有问题", nil
		}
		if larger(cat.code) {
			in.Severity = events.Larger
		}
		in.Upward = i < up
		// Most small matters are handled on the spot; some others too (a
		// dispute talked through, a light reset).
		in.SelfHandle = !in.Upward && ((cat.self && w.r.Float64() < 0.9) || (!cat.self && w.r.Float64() < 0.4))
		if in.SelfHandle {
			in.HandleNote = "现场处理完毕"
			in.HandlePhotos = []string{w.photo}
		}
		prev = &earlier{cat.code, *in.Lat, *in.Lon, at}
		id := w.report(at, dw.by, in)
		if !in.SelfHandle {
			w.planWorkflow(id, at, dw, in)
		}
	}
}

// larger says whether a category's reports are larger (较大) events.
func larger(code string) bool {
	return code == "hazard_gas" || code == "hazard_building" || code == "event_building"
}

// planWorkflow plans the steps after a report: acceptance by the
// community, dispatch by the centre, handling, checking and closing, with
// the demo's misses.
func (w *evWork) planWorkflow(id *string, at time.Time, dw *demoWorker, in events.NewEvent) {
	staff, ok := w.staff[dw.community]
	if !ok {
		staff = w.centre
	}
	// Acceptance: within a working day mostly; before the Spring Festival
	// it waits for the holiday's end; sometimes late anyway.
	accept := w.workAfter(at, 1+7*w.r.Float64())
	urgent := urgentCategories[in.CategoryCode]
	if urgent {
		// Limits in hours: the duty officer accepts within the hour or two,
		// night or day.
		accept = at.Add(time.Duration(20+w.r.IntN(130)) * time.Minute)
	}
	if d := dates.Of(at); !urgent && !d.Before(dates.New(2026, 2, 12)) && d.Before(dates.New(2026, 2, 15)) && w.r.Float64() < 0.6 {
		accept = w.workAfter(dates.New(2026, 2, 24).Start(), 2+10*w.r.Float64())
	} else if w.r.Float64() < 0.04 {
		accept = w.workAfter(at, 20+10*w.r.Float64())
	}
	if w.r.Float64() < 0.01 {
		// A duplicate report: voided with the centre's approval.
		w.step(accept, dw.by, id, events.RequestVoid, events.ActInput{Note: "与已上报事件重复"})
		w.step(w.workAfter(accept, 2), w.centre, id, events.ApproveVoid, events.ActInput{Note: "同意作废"})
		return
	}
	w.step(accept, staff, id, events.Accept, events.ActInput{Note: "已受理"})
	dispatch := w.workAfter(accept, 0.5+3*w.r.Float64())
	if urgent {
		dispatch = accept.Add(time.Duration(15+w.r.IntN(100)) * time.Minute)
	}
	assignee := events.ActInput{Note: "派遣网格员处置", AssigneeWorkerID: dw.by.WorkerID}
	handler := dw.by
	if in.Upward {
		assignee = events.ActInput{Note: "派遣街道职能部门处置", AssigneeUnitID: w.street}
		handler = w.centre
	}
	w.step(dispatch, w.centre, id, events.Dispatch, assignee)
	hours := 2 + 8*w.r.Float64()
	if dw.slow && w.r.Float64() < 0.4 {
		hours = 30 + 40*w.r.Float64() // past the 3-day limit: cards
	}
	handle := w.workAfter(dispatch, hours)
	switch x := w.r.Float64(); {
	case x < 0.03:
		// An extension asked for and granted in time.
		req := w.workAfter(dispatch, 4)
		w.step(req, handler, id, events.RequestExtension, events.ActInput{Note: "需要协调产权单位", Extra: "3workdays"})
		w.step(w.workAfter(req, 2), w.centre, id, events.ApproveExtension, events.ActInput{Note: "同意延期"})
		w.sum.Extensions++
		handle = w.workAfter(dispatch, 30+20*w.r.Float64())
	case x < 0.04:
		// Parked for a week: waiting for another department.
		req := w.workAfter(dispatch, 2)
		w.step(req, handler, id, events.RequestPark, events.ActInput{Note: "待相关部门处理后再办理"})
		approve := w.workAfter(req, 2)
		w.step(approve, w.centre, id, events.ApprovePark, events.ActInput{Note: "同意挂账"})
		resume := approve.Add(7 * 24 * time.Hour)
		w.step(resume, w.centre, id, events.Resume, events.ActInput{Note: "恢复办理"})
		handle = w.workAfter(resume, 8+8*w.r.Float64())
	}
	w.step(handle, handler, id, events.Handle, events.ActInput{Note: "已处置完毕", Photos: []string{w.photo}})
	verify := w.workAfter(handle, 1+6*w.r.Float64())
	w.step(verify, staff, id, events.Verify, events.ActInput{Note: "核查属实"})
	w.step(w.workAfter(verify, 0.5+2*w.r.Float64()), staff, id, events.Close, events.ActInput{Note: "结案"})
}

// urgentCategories have limits in hours (migration 00004): the demo's staff
// act on them around the clock.
var urgentCategories = map[string]bool{"hazard_fire": true, "hazard_gas": true, "security_suspect": true,
	"major": true, "major_mass": true, "major_fire": true, "major_disaster": true, "major_case": true}

// planResidents plans residents' hotline calls: about one a grid a month.
func (w *evWork) planResidents(grids []org.Unit, workers []*demoWorker, scale float64) {
	byGrid := map[string]*demoWorker{}
	for _, dw := range workers {
		byGrid[dw.grid] = dw
	}
	for _, g := range grids {
		center, span := shape(g)
		dw := byGrid[g.ID]
		if dw == nil {
			// A vacant grid: the community handles its events.
			dw = &demoWorker{by: events.Actor{}, grid: g.ID, community: g.ParentID, center: center, span: span}
		}
		for mi := range w.months {
			n := 0
			for w.r.Float64() < 0.55*scale && n < 3 {
				n++
			}
			days := w.cal.Workdays(w.months[mi], w.months[mi].AddMonths(1).AddDays(-1))
			for range n {
				day := days[w.r.IntN(len(days))]
				at := day.Start().Add(7*time.Hour + time.Duration(w.r.IntN(13*60))*time.Minute)
				code := residentCategories[w.r.IntN(len(residentCategories))]
				lat, lon := w.position(center, span)
				in := events.NewEvent{CategoryCode: code, GridID: g.ID, Lat: &lat, Lon: &lon, Source: events.FromHotline,
					Description: "12345热线转办：居民反映" + demoCategories[slices.IndexFunc(demoCategories, func(c demoCategory) bool { return c.code == code })].texts[0],
					Contact:     &events.Contact{Name: "市民", Phone: fmt.Sprintf("139%08d", w.r.IntN(100_000_000))}}
				id := w.report(at, events.Actor{UserID: w.centre.UserID}, in)
				if dw.by.WorkerID == "" {
					staff, ok := w.staff[dw.community]
					if !ok {
						staff = w.centre
					}
					accept := w.workAfter(at, 2+6*w.r.Float64())
					w.step(accept, staff, id, events.Accept, events.ActInput{Note: "已受理"})
					d := w.workAfter(accept, 1)
					w.step(d, w.centre, id, events.Dispatch, events.ActInput{Note: "派遣社区处置", AssigneeUnitID: dw.community})
					h := w.workAfter(d, 4+16*w.r.Float64())
					w.step(h, staff, id, events.Handle, events.ActInput{Note: "社区已处置", Photos: []string{w.photo}})
					v := w.workAfter(h, 2)
					w.step(v, staff, id, events.Verify, events.ActInput{})
					w.step(w.workAfter(v, 1), staff, id, events.Close, events.ActInput{})
					continue
				}
				w.planWorkflow(id, at, dw, in)
			}
		}
	}
}

// planMajor plans the two major events.
func (w *evWork) planMajor(workers []*demoWorker) {
	if len(workers) < 2 {
		return
	}
	fire, crowd := workers[len(workers)/3], workers[2*len(workers)/3]
	lat, lon := w.position(fire.center, fire.span)
	happened := dates.New(2026, 3, 12).Start().Add(10 * time.Hour)
	id := w.report(happened.Add(25*time.Minute), fire.by, events.NewEvent{CategoryCode: "major_fire", GridID: fire.grid, Lat: &lat, Lon: &lon,
		Severity: events.Major, HappenedAt: happened, Upward: true, Escalated: true, Photos: []string{w.photo},
		Description: "临街商铺起火，已拨打119并疏散周边群众，火势已得到控制"})
	w.planWorkflow(id, happened.Add(25*time.Minute), fire, events.NewEvent{CategoryCode: "major_fire", Upward: true})
	lat, lon = w.position(crowd.center, crowd.span)
	happened = dates.New(2026, 4, 18).Start().Add(9 * time.Hour)
	id = w.report(happened.Add(150*time.Minute), crowd.by, events.NewEvent{CategoryCode: "major_mass", GridID: crowd.grid, Lat: &lat, Lon: &lon,
		Severity: events.Major, HappenedAt: happened, Upward: true, Escalated: true, Photos: []string{w.photo},
		Description: "三十余名业主聚集在售楼处门前反映延期交房问题，情绪激动"})
	w.planWorkflow(id, happened.Add(150*time.Minute), crowd, events.NewEvent{CategoryCode: "major_mass", Upward: true})
}

// count fills the summary from what was stored.
func (w *evWork) count(ctx context.Context, tx store.Tx) error {
	row := tx.QueryRowContext(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN source = 'worker' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN self_handled THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN upward AND source = 'worker' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN state = 'closed' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN state = 'parked' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN state = 'voided' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN badly_described THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN severity = 'major' THEN 1 ELSE 0 END), 0),
		(SELECT COUNT(DISTINCT event_id) FROM event_matches),
		(SELECT COUNT(*) FROM event_cards WHERE color = 'yellow'),
		(SELECT COUNT(*) FROM event_cards WHERE color = 'red'),
		(SELECT COUNT(*) FROM events e JOIN event_categories c ON c.code = e.category_code WHERE c.mediation)
		FROM events`)
	s := &w.sum
	if err := row.Scan(&s.Events, &s.ByWorkers, &s.SelfHandled, &s.Upward, &s.Closed, &s.Parked, &s.Voided, &s.BadlyDescribed,
		&s.Major, &s.Duplicates, &s.YellowCards, &s.RedCards, &s.Mediation); err != nil {
		return fmt.Errorf("demo: events: count: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT happened_at, upward_at FROM events WHERE severity = 'major'`)
	if err != nil {
		return fmt.Errorf("demo: events: count: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var happened time.Time
		var upward *time.Time
		if err := rows.Scan(&happened, &upward); err != nil {
			return fmt.Errorf("demo: events: count: %w", err)
		}
		if upward == nil || upward.Sub(happened) > events.MajorReportLimit {
			s.MajorLate++
		}
	}
	s.ByResidents = s.Events - s.ByWorkers
	s.Open = s.Events - s.Closed - s.Voided
	return nil
}
