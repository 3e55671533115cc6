package demo

// The demo street's duty records for February to April 2026 (the months
// after the town's first), with realistic misses: logins missed, a few late
// arrivals (and one over an hour), work sheets missing or never signed out,
// absences from meetings and checks, leave (mostly approved, some
// rejected), late and wrong reports, activities without uniforms marked
// invalid, publicity at every level but national, systems missing in some
// communities, a few findings. A handful of weak workers carry most of the
// misses, as in the records; everything follows from the seed.

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"slices"
	"time"

	"gridwork/internal/auth"
	"gridwork/internal/dates"
	"gridwork/internal/duty"
	"gridwork/internal/files"
	"gridwork/internal/org"
	"gridwork/internal/store"
	"gridwork/internal/workcal"
)

// dutyStream is the second PCG word of the duty generator ("duty-004").
const dutyStream = 0x647574792d303034

// DutyOptions shape LoadDuty.
type DutyOptions struct {
	// Seed drives every choice: the same seed gives the same duty facts.
	Seed uint64
	// Files stores the activity photos; required.
	Files *files.Store
}

// DutySummary counts what LoadDuty stored.
type DutySummary struct {
	Logins, Sheets, LateArrivals, Leave, Meetings, Absences int
	Activities, InvalidActivities, Articles, Reports        int
	LateReports, Systems, Findings                          int
	Took                                                    time.Duration
}

// dutyWork is one LoadDuty run.
type dutyWork struct {
	r      *rand.Rand
	ds     *duty.Store
	cal    *workcal.Calendar
	now    time.Time
	sum    DutySummary
	centre string // centre01's user id
	insp   string // insp01's user id
	photos [2]string
}

// dutyWorker is one worker as the generator sees them.
type dutyWorker struct {
	spec      WorkerSpec
	id, user  string
	community string // unit id
	grid      string // primary grid id, "" if none
	weak      bool
	office    bool
	since     dates.Date
	leave     map[dates.Date]bool // approved whole-day leave
	appFrom   dates.Date          // the day the app was installed
}

func (w *dutyWork) chance(p float64) bool { return w.r.Float64() < p }

// at sets the duty store's clock (the entry time) to t and returns t.
func (w *dutyWork) at(t time.Time) time.Time { w.now = t; return t }

// LoadDuty loads the duty records of the three months after the town's
// first month into ds, in one transaction. It needs the town and its
// accounts loaded (Load).
func LoadDuty(ctx context.Context, db *store.DB, orgs *org.Store, ds *duty.Store, town Town, opt DutyOptions) (DutySummary, error) {
	start := time.Now()
	if opt.Files == nil {
		return DutySummary{}, fmt.Errorf("demo: duty: no file store for the activity photos")
	}
	w := &dutyWork{r: rand.New(rand.NewPCG(opt.Seed, dutyStream))}
	// A duty store of the demo's own, on the demo's time: ds itself keeps
	// its clock (a server may be using it).
	ds = ds.WithClock(func() time.Time { return w.now })
	w.ds = ds
	err := db.Tx(ctx, func(tx store.Tx) error {
		ctx := store.WithTx(ctx, tx)
		var err error
		if w.cal, err = ds.Calendar(ctx); err != nil {
			return err
		}
		workers, communities, err := w.setup(ctx, db, orgs, opt.Files, town)
		if err != nil {
			return err
		}
		first := dates.New(town.ValidFrom.Year(), town.ValidFrom.Month(), 1).AddMonths(1)
		last := first.AddMonths(3).AddDays(-1)
		if err := w.systems(ctx, communities, town.ValidFrom); err != nil {
			return err
		}
		if err := w.leaveSlips(ctx, workers, communities, first, last); err != nil {
			return err
		}
		for d := first; !d.After(last); d = d.AddDays(1) {
			if err := w.day(ctx, workers, communities, d); err != nil {
				return err
			}
		}
		for m := first; m.Before(last); m = m.AddMonths(1) {
			if err := w.month(ctx, workers, communities, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return DutySummary{}, err
	}
	w.sum.Took = time.Since(start)
	return w.sum, nil
}

// dutyCommunity is a community with its staff account and workers.
type dutyCommunity struct {
	key, id, staff string
	workers        []*dutyWorker
}

func (w *dutyWork) setup(ctx context.Context, db *store.DB, orgs *org.Store, fs *files.Store, town Town) ([]*dutyWorker, []*dutyCommunity, error) {
	users, err := auth.NewStore(db, orgs, auth.Params{}).ListUsers(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("demo: duty: %w", err)
	}
	byUsername := map[string]auth.User{}
	for _, u := range users {
		byUsername[u.Username] = u
	}
	need := func(name string) (auth.User, error) {
		u, ok := byUsername[name]
		if !ok {
			return auth.User{}, fmt.Errorf("demo: duty: no account %s: load the town first", name)
		}
		return u, nil
	}
	c, err := need("centre01")
	if err != nil {
		return nil, nil, err
	}
	i, err := need("insp01")
	if err != nil {
		return nil, nil, err
	}
	w.centre, w.insp = c.ID, i.ID
	for k, shade := range []uint8{30, 200} {
		img := image.NewRGBA(image.Rect(0, 0, 16, 12))
		for y := range 12 {
			for x := range 16 {
				img.Set(x, y, color.RGBA{R: 220, G: shade, B: 40, A: 255})
			}
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			return nil, nil, err
		}
		f, err := fs.Put(ctx, w.centre, fmt.Sprintf("志愿活动%d.png", k+1), &buf)
		if err != nil {
			return nil, nil, fmt.Errorf("demo: duty: store photo: %w", err)
		}
		w.photos[k] = f.SHA256
	}
	units, _, err := orgs.ListUnits(ctx, org.UnitQuery{On: town.ValidFrom, Level: org.Community, WithoutGeometry: true})
	if err != nil {
		return nil, nil, fmt.Errorf("demo: duty: %w", err)
	}
	unitByName := map[string]string{}
	for _, u := range units {
		unitByName[u.Name] = u.ID
	}
	grids, _, err := orgs.ListUnits(ctx, org.UnitQuery{On: town.ValidFrom, Level: org.Grid, WithoutGeometry: true})
	if err != nil {
		return nil, nil, fmt.Errorf("demo: duty: %w", err)
	}
	gridByName := map[string]string{}
	for _, g := range grids {
		gridByName[g.Name] = g.ID
	}
	gridName := map[string]string{}
	for _, g := range town.Grids {
		gridName[g.Key] = g.Name
	}
	primary := map[string]string{} // worker key → grid id
	for _, a := range town.Assignments {
		if a.Kind == org.Primary {
			primary[a.WorkerKey] = gridByName[gridName[a.GridKey]]
		}
	}
	var communities []*dutyCommunity
	byKey := map[string]*dutyCommunity{}
	for _, c := range town.Communities {
		s, err := need(c.Key + "staff")
		if err != nil {
			return nil, nil, err
		}
		id, ok := unitByName[c.Name]
		if !ok {
			return nil, nil, fmt.Errorf("demo: duty: no community %s: load the town first", c.Name)
		}
		dc := &dutyCommunity{key: c.Key, id: id, staff: s.ID}
		communities = append(communities, dc)
		byKey[c.Key] = dc
	}
	var workers []*dutyWorker
	for _, spec := range town.Workers {
		u, err := need(spec.Username)
		if err != nil {
			return nil, nil, err
		}
		dw := &dutyWorker{spec: spec, id: u.WorkerID, user: u.ID, community: byKey[spec.CommunityKey].id, grid: primary[spec.Key],
			since: spec.InPostSince, leave: map[dates.Date]bool{}, appFrom: town.ValidFrom}
		workers = append(workers, dw)
		byKey[spec.CommunityKey].workers = append(byKey[spec.CommunityKey].workers, dw)
	}
	// Five weak workers carry most misses; a fifth of the full-timers are
	// office-based; two workers install the app only in mid-March.
	for _, k := range w.r.Perm(len(workers))[:min(5, len(workers))] {
		workers[k].weak = true
	}
	for _, dw := range workers {
		dw.office = dw.spec.Employment == org.FullTime && w.chance(0.2)
	}
	for _, k := range w.r.Perm(len(workers))[:min(2, len(workers))] {
		workers[k].appFrom = dates.New(2026, 3, 16)
	}
	for _, dw := range workers {
		installed := dw.appFrom
		if installed.Before(dw.since) {
			installed = dw.since
		}
		w.at(installed.Start().Add(10 * time.Hour))
		if _, err := w.ds.SetProfile(ctx, w.centre, duty.Profile{WorkerID: dw.id, OfficeBased: dw.office, AppInstalledOn: installed, AppDevice: "网格通手机"}); err != nil {
			return nil, nil, err
		}
	}
	return workers, communities, nil
}

// systems files the communities' written systems: every community has its
// meeting systems; one never files the QR/GPS system; two file the
// back-tracing system only in March.
func (w *dutyWork) systems(ctx context.Context, cs []*dutyCommunity, from dates.Date) error {
	noQR, lateBT := w.r.IntN(len(cs)), w.r.Perm(len(cs))[:2]
	kinds := []duty.SystemKind{duty.MorningMeetingSystem, duty.AnalysisMeetingSystem, duty.EliminationSystem, duty.QRGPSSystem, duty.BackTracingSystem}
	for i, c := range cs {
		for _, k := range kinds {
			on := from.AddDays(4 + w.r.IntN(10))
			switch {
			case k == duty.QRGPSSystem && i == noQR:
				continue
			case k == duty.BackTracingSystem && slices.Contains(lateBT, i):
				on = dates.New(2026, 3, 9+w.r.IntN(10))
			}
			w.at(on.Start().Add(15 * time.Hour))
			if _, err := w.ds.FileSystem(ctx, c.staff, duty.System{UnitID: c.id, Kind: k, FiledOn: on, Title: string(k)}); err != nil {
				return err
			}
			w.sum.Systems++
		}
	}
	return nil
}

// leaveSlips requests leave for about one worker-day in fifty, and a
// week's sick leave for two workers; most are approved by the community's
// staff the same day, some rejected.
func (w *dutyWork) leaveSlips(ctx context.Context, ws []*dutyWorker, cs []*dutyCommunity, first, last dates.Date) error {
	staffOf := map[string]string{}
	for _, c := range cs {
		staffOf[c.id] = c.staff
	}
	request := func(dw *dutyWorker, kind duty.LeaveKind, from, to dates.Date, approve bool) error {
		at := w.at(from.AddDays(-2).Start().Add(9 * time.Hour))
		l, err := w.ds.RequestLeave(ctx, dw.user, duty.NewLeave{WorkerID: dw.id, Kind: kind, From: w.cal.WorkStart(from), To: w.cal.WorkEnd(to), Reason: "个人事务"})
		if err != nil {
			return err
		}
		w.at(at.Add(3 * time.Hour))
		note := "同意"
		if !approve {
			note = "工作安排冲突，不予批准"
		}
		if _, err := w.ds.DecideLeave(ctx, staffOf[dw.community], l.ID, approve, note); err != nil {
			return err
		}
		if approve {
			for d := from; !d.After(to); d = d.AddDays(1) {
				dw.leave[d] = true
			}
		}
		w.sum.Leave++
		return nil
	}
	for _, k := range w.r.Perm(len(ws))[:2] {
		dw := ws[k]
		d := first.AddDays(20 + w.r.IntN(40))
		for !w.cal.IsWorkday(d) {
			d = d.AddDays(1)
		}
		if err := request(dw, duty.SickLeave, d, d.AddDays(4), true); err != nil {
			return err
		}
	}
	for _, dw := range ws {
		for d := first; !d.After(last); d = d.AddDays(1) {
			if !w.cal.IsWorkday(d) || d.Before(dw.since) || dw.leave[d] || dw.leave[d.AddDays(-1)] || !w.chance(0.02) {
				continue
			}
			if err := request(dw, duty.PersonalLeave, d, d, w.chance(0.9)); err != nil {
				return err
			}
		}
	}
	return nil
}

// clockAt returns d at hh:mm Shanghai time.
func clockAt(d dates.Date, hh, mm int) time.Time {
	return d.Start().Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute)
}

// day enters one day: logins, work sheets, meetings and checks.
func (w *dutyWork) day(ctx context.Context, ws []*dutyWorker, cs []*dutyCommunity, d dates.Date) error {
	if !w.cal.IsWorkday(d) {
		return nil
	}
	for _, dw := range ws {
		if d.Before(dw.since) || dw.leave[d] {
			continue
		}
		miss := 0.01
		if dw.weak {
			miss = 0.06
		}
		if !d.Before(dw.appFrom) && !w.chance(miss) {
			if err := w.ds.NoteLogin(ctx, dw.id, duty.App, clockAt(d, 7, 50+w.r.IntN(30))); err != nil {
				return err
			}
			w.sum.Logins++
		}
		if dw.office && !w.chance(miss) {
			if err := w.ds.NoteLogin(ctx, dw.id, duty.PC, clockAt(d, 8, 35+w.r.IntN(20))); err != nil {
				return err
			}
			w.sum.Logins++
		}
		if w.chance(miss / 2) {
			continue // no work sheet
		}
		in := clockAt(d, 8, w.r.IntN(29))
		if w.chance(miss * 2) {
			in = clockAt(d, 8, 31+w.r.IntN(30))
			if dw.weak && w.chance(0.1) {
				in = clockAt(d, 9, 35+w.r.IntN(20)) // over an hour
			}
			w.sum.LateArrivals++
		}
		// The day's sheet is entered whole at sign-out (one audited write
		// instead of two keeps the load quick on PostgreSQL); one in a
		// while is never signed out.
		sheet := duty.NewSignIn{WorkerID: dw.id, At: in, Plan: "入户走访、巡查网格、核对出租房屋信息"}
		w.at(in)
		if !w.chance(miss / 2) {
			out := w.at(clockAt(d, 17, 31+w.r.IntN(40)))
			sheet.SignedOutAt, sheet.Result = &out, fmt.Sprintf("走访%d户，巡查网格", 6+w.r.IntN(10))
		}
		if _, err := w.ds.SignIn(ctx, dw.user, sheet); err != nil {
			return err
		}
		w.sum.Sheets++
	}
	for _, c := range cs {
		// The daily analysis meeting (每日一研判) at 16:30, the morning
		// meeting on Mondays, checks on Wednesdays and Fridays.
		if err := w.meeting(ctx, c, duty.Analysis, clockAt(d, 16, 30)); err != nil {
			return err
		}
		switch d.Weekday() {
		case time.Monday:
			if err := w.meeting(ctx, c, duty.Morning, clockAt(d, 8, 0)); err != nil {
				return err
			}
		case time.Wednesday, time.Friday:
			if err := w.meeting(ctx, c, duty.Check, clockAt(d, 14, 0)); err != nil {
				return err
			}
		}
	}
	return nil
}

// meeting records one meeting of a community with its workers' attendance.
func (w *dutyWork) meeting(ctx context.Context, c *dutyCommunity, kind duty.MeetingKind, at time.Time) error {
	d := dates.Of(at)
	var att []duty.Attendance
	for _, dw := range c.workers {
		if d.Before(dw.since) {
			continue
		}
		st := duty.Present
		switch {
		case dw.leave[d]:
			st = duty.OnLeave
		case w.chance(map[bool]float64{false: 0.01, true: 0.05}[dw.weak]):
			st = duty.AbsentNoLvl
			w.sum.Absences++
		}
		att = append(att, duty.Attendance{WorkerID: dw.id, Status: st})
	}
	m := duty.NewMeeting{Kind: kind, UnitID: c.id, HeldAt: at, Attendance: att, Title: map[duty.MeetingKind]string{
		duty.Analysis: "每日研判会", duty.Morning: "晨会", duty.Check: "常态化清查", duty.Training: "业务培训", duty.Campaign: "集中大清查"}[kind]}
	if w.chance(0.96) {
		m.Minutes = "会议记录：通报当日情况，布置工作"
	}
	if kind == duty.Analysis {
		m.Issues = w.r.IntN(3)
		m.ReportedUp = w.chance(0.95)
		if len(c.workers) > 0 {
			m.ResponsibleID = c.workers[d.Day()%len(c.workers)].id // 轮流值班
		}
	}
	w.at(at.Add(time.Hour))
	if _, err := w.ds.RecordMeeting(ctx, c.staff, m); err != nil {
		return err
	}
	w.sum.Meetings++
	return nil
}

// month enters one month's trainings, campaign, activities, publicity,
// reports and findings.
func (w *dutyWork) month(ctx context.Context, ws []*dutyWorker, cs []*dutyCommunity, first dates.Date) error {
	last := first.AddMonths(1).AddDays(-1)
	workday := func(d dates.Date) dates.Date {
		for !w.cal.IsWorkday(d) {
			d = d.AddDays(1)
		}
		return d
	}
	for _, c := range cs {
		if err := w.meeting(ctx, c, duty.Training, clockAt(workday(first.AddDays(9)), 9, 0)); err != nil {
			return err
		}
		if err := w.meeting(ctx, c, duty.Campaign, clockAt(workday(first.AddDays(17)), 14, 0)); err != nil {
			return err
		}
	}
	// Activities: most workers two or three a month, weak ones fewer; one
	// in ten held without uniforms and marked invalid by the inspector.
	for _, dw := range ws {
		if dw.grid == "" || dw.since.After(last) {
			continue
		}
		n := 2 + w.r.IntN(2)
		if dw.weak {
			n = w.r.IntN(2)
		}
		for range n {
			d := workday(first.AddDays(w.r.IntN(26)))
			if d.Before(dw.since) {
				continue
			}
			uniform := !w.chance(0.1)
			at := w.at(clockAt(d, 15, w.r.IntN(60)))
			a, err := w.ds.RecordActivity(ctx, dw.user, duty.NewActivity{WorkerID: dw.id, GridID: dw.grid, HeldAt: at, Title: "平安志愿服务：清理楼道杂物",
				Photos: []string{w.photos[map[bool]int{true: 0, false: 1}[uniform]]}, Uniform: true})
			if err != nil {
				return err
			}
			w.sum.Activities++
			w.at(at.Add(48 * time.Hour))
			rev := duty.ActivityReview{Valid: uniform, Uniform: uniform}
			if !uniform {
				rev.Note = "照片中未穿志愿者服装"
				w.sum.InvalidActivities++
			}
			if _, err := w.ds.ReviewActivity(ctx, w.insp, a.ID, rev); err != nil {
				return err
			}
		}
	}
	for _, c := range cs {
		// Publicity: now and then at district level, rarely city, once
		// in the three months a province-level article.
		for _, lv := range []struct {
			level duty.Level
			p     float64
		}{{duty.District, 0.4}, {duty.City, 0.15}, {duty.Province, 0.04}} {
			if !w.chance(lv.p) {
				continue
			}
			on := workday(first.AddDays(w.r.IntN(25)))
			w.at(clockAt(on, 18, 0))
			if _, err := w.ds.RecordArticle(ctx, c.staff, duty.Article{UnitID: c.id, Level: lv.level, Title: "社区网格化管理见成效", Outlet: string(lv.level) + "级媒体", PublishedOn: on}); err != nil {
				return err
			}
			w.sum.Articles++
		}
		// Reports: weekly reports due on Fridays, the monthly report due on
		// the 25th, the month's plan on the 3rd and its summary on the last
		// working day.
		type due struct {
			kind  duty.ReportKind
			title string
			at    time.Time
		}
		var dues []due
		for d := first; !d.After(last); d = d.AddDays(1) {
			if d.Weekday() == time.Friday && w.cal.IsWorkday(d) {
				dues = append(dues, due{duty.Weekly, d.String() + " 周报", clockAt(d, 17, 0)})
			}
		}
		lastWork := last
		for !w.cal.IsWorkday(lastWork) {
			lastWork = lastWork.AddDays(-1)
		}
		dues = append(dues, due{duty.Monthly, first.String()[:7] + " 月报", clockAt(first.AddDays(24), 17, 0)},
			due{duty.Plan, first.String()[:7] + " 月工作计划", clockAt(first.AddDays(2), 17, 0)},
			due{duty.Summary, first.String()[:7] + " 月工作总结", clockAt(lastWork, 17, 0)})
		for _, r := range dues {
			w.at(r.at.Add(-7 * 24 * time.Hour))
			rep, err := w.ds.RequireReport(ctx, w.centre, duty.NewReport{UnitID: c.id, Kind: r.kind, Title: r.title, DueAt: r.at})
			if err != nil {
				return err
			}
			w.sum.Reports++
			sub := r.at.Add(-time.Duration(1+w.r.IntN(20)) * time.Hour)
			if w.chance(0.08) {
				sub = r.at.Add(time.Duration(2+w.r.IntN(40)) * time.Hour)
				w.sum.LateReports++
			}
			w.at(sub)
			if _, err := w.ds.SubmitReport(ctx, c.staff, rep.ID, duty.Submission{At: sub}); err != nil {
				return err
			}
			w.at(sub.Add(20 * time.Hour))
			rev := duty.Review{Verdict: duty.OK}
			switch {
			case w.chance(0.03):
				rev = duty.Review{Verdict: duty.Wrong, Note: "数据与平台不符"}
			case r.kind == duty.Summary && w.chance(0.1):
				rev = duty.Review{Verdict: duty.Perfunctory, Note: "内容空泛，敷衍了事"}
			}
			if _, err := w.ds.ReviewReport(ctx, w.centre, rep.ID, rev); err != nil {
				return err
			}
		}
	}
	// Findings: the weak workers are found out now and then.
	for _, dw := range ws {
		if !dw.weak || dw.since.After(last) {
			continue
		}
		for _, k := range []duty.FindingKind{duty.PhoneNotCarried, duty.TaskMissed, duty.AssignmentRefused} {
			p := map[duty.FindingKind]float64{duty.PhoneNotCarried: 0.3, duty.TaskMissed: 0.4, duty.AssignmentRefused: 0.08}[k]
			if !w.chance(p) {
				continue
			}
			on := workday(first.AddDays(3 + w.r.IntN(22)))
			w.at(clockAt(on, 11, 0))
			note := map[duty.FindingKind]string{duty.PhoneNotCarried: "暗访时未随身携带网格手机", duty.TaskMissed: "平台派发事项未及时处理",
				duty.AssignmentRefused: "不服从临时工作调配"}[k]
			if _, err := w.ds.RecordFinding(ctx, w.centre, duty.Finding{Kind: k, WorkerID: dw.id, FoundOn: on, Note: note}); err != nil {
				return err
			}
			w.sum.Findings++
		}
	}
	for _, c := range cs {
		if !w.chance(0.2) {
			continue
		}
		on := workday(first.AddDays(5 + w.r.IntN(20)))
		w.at(clockAt(on, 10, 0))
		if _, err := w.ds.RecordFinding(ctx, w.centre, duty.Finding{Kind: duty.IssueUnanalysed, UnitID: c.id, FoundOn: on, Note: "群租隐患未及时提交研判"}); err != nil {
			return err
		}
		w.sum.Findings++
	}
	return nil
}
