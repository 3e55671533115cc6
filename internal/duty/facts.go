package duty

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gridwork/internal/dates"
	"gridwork/internal/metric"
	"gridwork/internal/org"
	"gridwork/internal/store"
	"gridwork/internal/workcal"
)

// The facts this package measures, per calendar month (Asia/Shanghai).
// docs/metrics.md gives each definition in full; the choices made where a
// seed is vague are written down there and here.
//
// Where a fact lands:
//
//   - What a worker did or failed to do (logins, attendance, lateness,
//     work sheets, activities, the app, findings about them) is a worker
//     tally (WorkerFacts): it rolls up to the worker and to their home
//     grid's units.
//   - What a unit did (meetings held, systems on file, publicity) is a grid
//     tally on the unit's anchor grid: the unit itself when it is a grid;
//     otherwise the unit's first grid (by ID, in force at month end) that
//     has no primary worker in the month, else its first grid. A Count on
//     one grid sums to exactly the unit's count in the community; a Flag
//     takes the max over grids, so the community gets it. Preferring a
//     vacant grid keeps a community's count off any one worker; where the
//     community has no vacant grid, the anchor grid's worker also carries
//     it, and schemes read these facts for the community (`of: community`).
//   - A record that may name a responsible worker (an analysis meeting's
//     unreported outcome, a required report, an issue not analysed) counts
//     against that worker when it names one, else on the unit's anchor
//     grid.
//
// Working days come from the work calendar (workcal). A worker owes a
// login and a work sheet on each working day from the later of the
// month's first day and their in_post_since to the earlier of the month's
// last day, the day before left_post_on and yesterday (today is not over),
// except leave days: days whose working hours approved leave covers at
// least half of. Workers measured for these are those with a post of grid
// worker, grid leader or area leader, in post on some day of the month.
//
// Absent without leave: an attendance entry "absent", unless approved
// leave covers the meeting's time (then it counts as with leave).
func init() {
	factNames = metric.Define(
		metric.Def{Name: "duty.login_missed", Alias: "未登录或漏做任务天数", Kind: metric.Count,
			Seeds: "001 工作纪律 (−3 per missed day or task)",
			Doc:   "working days in the month (leave days excepted) without an app login, or for an office-based full-timer without both an app and a PC login, plus platform tasks found missed (task_missed findings)"},
		metric.Def{Name: "duty.meetings_missed", Alias: "无故缺席会议培训次数", Kind: metric.Count,
			Seeds: "001 工作纪律 (−3 each)",
			Doc:   "morning, analysis and regular meetings and trainings in the month the worker missed without leave (checks are duty.checks_absent)"},
		metric.Def{Name: "duty.late_arrivals", Alias: "迟到次数", Kind: metric.Count,
			Seeds: "000 V (lateness)",
			Doc:   "working days in the month the worker signed in (work sheet) one minute or more after the start of work, moved past approved leave covering it"},
		metric.Def{Name: "duty.late_flag", Alias: "迟到违纪", Kind: metric.Flag,
			Seeds: "000 V (−1)",
			Doc:   "1 if the worker was late 3 times or more in the month, or once by more than an hour, else 0"},
		metric.Def{Name: "duty.morning_meetings", Alias: "晨会次数", Kind: metric.Count,
			Seeds: "000 I (morning meeting system and minutes, 2)",
			Doc:   "morning meetings held in the month by the unit (or units under it) with minutes on file"},
		metric.Def{Name: "duty.analysis_meetings", Alias: "研判会次数", Kind: metric.Count,
			Seeds: "000 I (analysis meeting system and minutes, 3); 003 item 8 (meeting cycle)",
			Doc:   "analysis (研判) meetings held in the month by the unit (or units under it) with minutes on file"},
		metric.Def{Name: "duty.analysis_absent", Alias: "研判会缺席人次", Kind: metric.Count, Part: "duty.meetings_missed",
			Seeds: "000 IV (−0.5 per absent person)",
			Doc:   "person-absences without leave at the month's analysis meetings"},
		metric.Def{Name: "duty.issues_unanalysed", Alias: "突出问题未及时研判数", Kind: metric.Count,
			Seeds: "000 IV (−2 each)",
			Doc:   "prominent issues found in the month not brought to an analysis meeting in time (issue_unanalysed findings), against the worker named or the unit"},
		metric.Def{Name: "duty.analysis_unreported", Alias: "研判情况未报送数", Kind: metric.Count,
			Seeds: "000 IV (−0.5 each)",
			Doc:   "analysis meetings in the month whose outcome was not reported up, against the responsible worker or the unit"},
		metric.Def{Name: "duty.system_elimination", Alias: "末位淘汰制度", Kind: metric.Flag,
			Seeds: "000 I (2)",
			Doc:   "1 if the community has its annual last-place elimination system on file at month end, else 0"},
		metric.Def{Name: "duty.system_qr", Alias: "二维码及定位管理制度", Kind: metric.Flag,
			Seeds: "000 I (4)",
			Doc:   "1 if the community has its QR-code phone, QR posting, device and phone-GPS management system on file at month end, else 0"},
		metric.Def{Name: "duty.system_back_tracing", Alias: "漏登倒查制度", Kind: metric.Flag,
			Seeds: "000 I (4)",
			Doc:   "1 if the community has its back-tracing (倒查) system for missed registrations on file at month end, else 0"},
		metric.Def{Name: "duty.volunteer_activities", Alias: "志愿活动次数", Kind: metric.Count,
			Seeds: "003 item 2 (≥ 2 a month)",
			Doc:   "volunteer activities the worker recorded in the month that no reviewer marked invalid"},
		metric.Def{Name: "duty.volunteer_shortfall", Alias: "志愿活动缺口数", Kind: metric.Count,
			Seeds: "003 item 2 (−5 per missing activity per worker)",
			Doc:   "Σ over the unit's workers of max(0, 2 − volunteer activities in the month)"},
		metric.Def{Name: "duty.app_installed_rate", Alias: "APP安装率", Kind: metric.Rate,
			Seeds: "003 item 7 (100 % installed)",
			Doc:   "share of the unit's workers with the app installed at month end (an installation recorded on or before the last day, or an app login by then)"},
		metric.Def{Name: "duty.app_activities", Alias: "APP有效活动次数", Kind: metric.Count,
			Seeds: "003 item 7 (≥ 2 a month; without volunteer uniform it does not count)",
			Doc:   "activities recorded in the app in the month, not marked invalid, held in volunteer uniform (the reviewer's finding, else the worker's claim)"},
		metric.Def{Name: "duty.publicity_district", Alias: "区级宣传报道数", Kind: metric.Count,
			Seeds: "003 item 9 (+1 each, at most +10 in all)",
			Doc:   "articles about the unit's work published at district level in the month"},
		metric.Def{Name: "duty.publicity_city", Alias: "市级宣传报道数", Kind: metric.Count,
			Seeds: "003 item 9 (+2 each, at most +10 in all)",
			Doc:   "articles about the unit's work published at city level in the month"},
		metric.Def{Name: "duty.publicity_province", Alias: "省级宣传报道数", Kind: metric.Count,
			Seeds: "003 item 9 (+5 each, at most +10 in all)",
			Doc:   "articles about the unit's work published at province level in the month"},
		metric.Def{Name: "duty.publicity_national", Alias: "国家级宣传报道数", Kind: metric.Count,
			Seeds: "003 item 9 (+10 each, at most +10 in all)",
			Doc:   "articles about the unit's work published at national level in the month"},
		metric.Def{Name: "duty.reports_late", Alias: "报表迟报错报数", Kind: metric.Count,
			Seeds: "000 IV (−1 each)",
			Doc:   "weekly, monthly and other reports due in the month that were submitted late, are still missing past their deadline, or were reviewed wrong (each once)"},
		metric.Def{Name: "duty.plans_late", Alias: "计划总结迟交数", Kind: metric.Count,
			Seeds: "000 IV (−1 each)",
			Doc:   "monthly plans, summaries and stage reports due in the month that were submitted late, are still missing past their deadline, or were reviewed perfunctory or wrong (each once)"},
		metric.Def{Name: "duty.checks_absent", Alias: "排查整治缺席次数", Kind: metric.Count,
			Seeds: "000 IV (−3 per absence)",
			Doc:   "absences without leave in the month from the twice-weekly checks and campaign checks"},
		metric.Def{Name: "duty.work_sheets_missing", Alias: "缺日工作单天数", Kind: metric.Count,
			Seeds: "004 (日工作单: plan at sign-in, result at sign-out)",
			Doc:   "working days in the month (leave days excepted) without a daily work sheet, or whose sheet was never signed out with a result"},
		metric.Def{Name: "duty.assignment_refused", Alias: "拒不接受工作安排次数", Kind: metric.Count,
			Seeds: "001 工作纪律 (−15 and a talk each)",
			Doc:   "assignments the worker refused in the month (assignment_refused findings)"},
		metric.Def{Name: "duty.phone_not_carried", Alias: "未携带工作手机次数", Kind: metric.Count,
			Seeds: "001 工作纪律 (−3 each)",
			Doc:   "times in the month the worker was found without the work phone (phone_not_carried findings)"},
	)
}

// factNames lists every fact measured; Facts returns them all, WorkerFacts
// none, since the collector would otherwise roll each name up twice.
var factNames []string

// The fact names, once.
const (
	fLoginMissed      = "duty.login_missed"
	fMeetingsMissed   = "duty.meetings_missed"
	fLateArrivals     = "duty.late_arrivals"
	fLateFlag         = "duty.late_flag"
	fMorning          = "duty.morning_meetings"
	fAnalysis         = "duty.analysis_meetings"
	fAnalysisAbsent   = "duty.analysis_absent"
	fIssues           = "duty.issues_unanalysed"
	fUnreported       = "duty.analysis_unreported"
	fSysElimination   = "duty.system_elimination"
	fSysQR            = "duty.system_qr"
	fSysBackTracing   = "duty.system_back_tracing"
	fVolunteer        = "duty.volunteer_activities"
	fShortfall        = "duty.volunteer_shortfall"
	fAppInstalled     = "duty.app_installed_rate"
	fAppActivities    = "duty.app_activities"
	fReportsLate      = "duty.reports_late"
	fPlansLate        = "duty.plans_late"
	fChecksAbsent     = "duty.checks_absent"
	fSheetsMissing    = "duty.work_sheets_missing"
	fRefused          = "duty.assignment_refused"
	fPhoneNotCarried  = "duty.phone_not_carried"
	minVolunteer      = 2  // seed 003 item 2: at least 2 activities a worker a month
	lateFlagCount     = 3  // seed 000 V: 3 late arrivals or more ("3次以上")
	lateFlagMinutes   = 60 // seed 000 V: one late arrival of more than an hour
	publicityFactStem = "duty.publicity_"
)

// systemFacts maps the systems with a fact to it.
var systemFacts = map[SystemKind]string{EliminationSystem: fSysElimination, QRGPSSystem: fSysQR, BackTracingSystem: fSysBackTracing}

// lateMinutes returns how many whole minutes after the day's due start a
// sheet's sign-in was; 0 when on time or on a day off.
func lateMinutes(cal *workcal.Calendar, leave []workcal.Interval, x Sheet) int {
	if !cal.IsWorkday(x.Day) {
		return 0
	}
	due := dueStart(cal, leave, x.Day)
	if !x.SignedInAt.After(due) {
		return 0
	}
	return int(x.SignedInAt.Sub(due) / time.Minute)
}

// month is what the facts of one period read.
type month struct {
	p         metric.Period
	first     dates.Date
	last      dates.Date
	cal       *workcal.Calendar
	leave     map[string][]workcal.Interval
	owners    map[string]org.GridOwner
	now       time.Time
	countTo   dates.Date // the last day owed (yesterday at the latest)
	anchorsOf map[string]string
	only      string // one worker's logins and sheets only; "" for all
}

func (s *Store) month(ctx context.Context, p metric.Period) (*month, error) {
	m := &month{p: p, first: p.First(), last: p.Last(), now: s.clock(), anchorsOf: map[string]string{}}
	var err error
	if m.cal, err = s.Calendar(ctx); err != nil {
		return nil, err
	}
	if m.leave, err = s.ApprovedLeave(ctx, p.Start(), p.End()); err != nil {
		return nil, err
	}
	if m.owners, err = s.org.GridOwners(ctx, m.first, m.last); err != nil {
		return nil, fmt.Errorf("duty: facts: %w", err)
	}
	m.countTo = m.last
	if y := s.today().AddDays(-1); y.Before(m.countTo) {
		m.countTo = y
	}
	return m, nil
}

// anchor returns the grid a unit's own tallies go on (see the package
// facts comment), or "" when the unit has no grid in force at month end.
func (m *month) anchor(unit string) string {
	if a, ok := m.anchorsOf[unit]; ok {
		return a
	}
	a := ""
	if _, ok := m.owners[unit]; ok {
		a = unit
	} else {
		var vacant, any []string
		for id, o := range m.owners {
			if slices.Contains(o.Ancestors, unit) {
				any = append(any, id)
				if o.Worker == "" {
					vacant = append(vacant, id)
				}
			}
		}
		switch {
		case len(vacant) > 0:
			a = slices.Min(vacant)
		case len(any) > 0:
			a = slices.Min(any)
		}
	}
	m.anchorsOf[unit] = a
	return a
}

// unitOrWorker adds one occurrence against worker when named, else on the
// unit's anchor grid.
func (m *month) unitOrWorker(g metric.GridFacts, w metric.WorkerFacts, worker, unit, name string, r metric.Ref) {
	if worker != "" {
		w.At(worker, name).Add(r)
		return
	}
	if a := m.anchor(unit); a != "" {
		g.At(a, name).Add(r)
	}
}

// Facts measures this package's facts for period p (it is a facts.Source
// and a facts.WorkerSource): the unit facts per grid here, the worker
// facts in WorkerFacts. It returns the names of all of them.
func (s *Store) Facts(ctx context.Context, p metric.Period) (metric.GridFacts, []string, error) {
	g, _, err := s.measure(ctx, p, unitSteps, "")
	if err != nil {
		return nil, nil, err
	}
	return g, slices.Clone(factNames), nil
}

// WorkerFacts measures the worker tallies of period p (facts.WorkerSource).
// It names no facts: Facts names them all once.
func (s *Store) WorkerFacts(ctx context.Context, p metric.Period) (metric.WorkerFacts, []string, error) {
	_, w, err := s.measure(ctx, p, workerSteps, "")
	if err != nil {
		return nil, nil, err
	}
	return w, nil, nil
}

// step measures one kind of record into the grid and worker tallies.
type step func(context.Context, store.Queryer, *month, metric.GridFacts, metric.WorkerFacts) error

// The steps of Facts and of WorkerFacts. Meetings, reports and findings
// may land on either side, so both run them (they are small tables); the
// big ones, logins and work sheets, and the activities run for workers
// only.
var (
	unitSteps   = []step{meetingFacts, unitFacts, reportFacts, findingFacts}
	workerSteps = []step{workerDays, meetingFacts, activityFacts, reportFacts, findingFacts}
)

// measure runs steps over p. With onlyWorker set, the logins and work
// sheets of that worker only are read (the month view); the other
// workers' tallies are then incomplete.
func (s *Store) measure(ctx context.Context, p metric.Period, steps []step, onlyWorker string) (metric.GridFacts, metric.WorkerFacts, error) {
	m, err := s.month(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	m.only = onlyWorker
	g, w := metric.GridFacts{}, metric.WorkerFacts{}
	q := s.db.Q(ctx)
	for _, step := range steps {
		if err := step(ctx, q, m, g, w); err != nil {
			return nil, nil, err
		}
	}
	return g, w, nil
}

// dutyWorker is a worker as the facts read them.
type dutyWorker struct {
	id          string
	employment  org.Employment
	since, left dates.Date
	office      bool
	installedOn dates.Date
	appLogin    bool // an app login on or before the month's last day
}

// measuredWorkers returns the workers with a grid post in post on some
// day of the month.
func measuredWorkers(ctx context.Context, q store.Queryer, m *month) ([]dutyWorker, error) {
	rows, err := q.QueryContext(ctx, `SELECT w.id, w.employment, w.in_post_since, w.left_post_on, COALESCE(p.office_based, FALSE), p.app_installed_on,
		EXISTS (SELECT 1 FROM duty_logins l WHERE l.worker_id = w.id AND l.client = 'app' AND l.day <= $1)
		FROM `+org.WorkersInPost("$2", "$1", org.GridWorker, org.GridLeader, org.AreaLeader)+` w LEFT JOIN duty_profiles p ON p.worker_id = w.id
		WHERE ($3 = '' OR w.id = $3) ORDER BY w.id`, m.last, m.first, m.only)
	if err != nil {
		return nil, fmt.Errorf("duty: facts: workers: %w", err)
	}
	defer rows.Close()
	var out []dutyWorker
	for rows.Next() {
		var x dutyWorker
		if err := rows.Scan(&x.id, &x.employment, &x.since, &x.left, &x.office, &x.installedOn, &x.appLogin); err != nil {
			return nil, fmt.Errorf("duty: facts: workers: %w", err)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// owedDays returns the working days of the month a worker owes a login
// and a work sheet (see the package facts comment).
func (m *month) owedDays(x dutyWorker) []dates.Date {
	from, to := m.first, m.countTo
	if x.since.After(from) {
		from = x.since
	}
	if !x.left.IsZero() && !x.left.After(to) {
		to = x.left.AddDays(-1)
	}
	if to.Before(from) {
		return nil
	}
	var out []dates.Date
	for _, d := range m.cal.Workdays(from, to) {
		if !leaveDay(m.cal, m.leave[x.id], d) {
			out = append(out, d)
		}
	}
	return out
}

// workerDays measures logins, work sheets, lateness, the app installation
// and the volunteer shortfall's baseline for each measured worker.
func workerDays(ctx context.Context, q store.Queryer, m *month, _ metric.GridFacts, w metric.WorkerFacts) error {
	workers, err := measuredWorkers(ctx, q, m)
	if err != nil {
		return err
	}
	type wd struct {
		worker string
		day    dates.Date
	}
	logins := map[wd]map[Client]bool{}
	rows, err := q.QueryContext(ctx, `SELECT worker_id, day, client FROM duty_logins WHERE day >= $1 AND day <= $2 AND ($3 = '' OR worker_id = $3)`,
		m.first, m.last, m.only)
	if err != nil {
		return fmt.Errorf("duty: facts: logins: %w", err)
	}
	for rows.Next() {
		var k wd
		var c Client
		if err := rows.Scan(&k.worker, &k.day, &c); err != nil {
			rows.Close()
			return fmt.Errorf("duty: facts: logins: %w", err)
		}
		if logins[k] == nil {
			logins[k] = map[Client]bool{}
		}
		logins[k][c] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("duty: facts: logins: %w", err)
	}
	sheets, err := store.All(ctx, q, "duty work sheets", `SELECT `+sheetColumns+` FROM duty_sheets WHERE day >= $1 AND day <= $2 AND ($3 = '' OR worker_id = $3)
		ORDER BY worker_id, day`, store.Args{m.first, m.last, m.only}, scanSheet)
	if err != nil {
		return fmt.Errorf("duty: facts: %w", err)
	}
	sheetOf := map[wd]Sheet{}
	for _, x := range sheets {
		sheetOf[wd{x.WorkerID, x.Day}] = x
	}
	for _, x := range workers {
		ref := func(d dates.Date, note string) metric.Ref {
			return metric.Ref{Entity: "worker_day", ID: x.id + "/" + d.String(), Note: note}
		}
		for _, d := range m.owedDays(x) {
			got := logins[wd{x.id, d}]
			var lack []string
			if !got[App] {
				lack = append(lack, "no app login")
			}
			if x.office && x.employment == org.FullTime && !got[PC] {
				lack = append(lack, "no PC login")
			}
			t := w.At(x.id, fLoginMissed)
			if len(lack) > 0 {
				t.Add(ref(d, strings.Join(lack, ", ")))
			}
			sh, ok := sheetOf[wd{x.id, d}]
			st := w.At(x.id, fSheetsMissing)
			switch {
			case !ok:
				st.Add(ref(d, "no work sheet"))
			case sh.SignedOutAt == nil || strings.TrimSpace(sh.Result) == "":
				st.Add(metric.Ref{Entity: "duty_sheet", ID: sh.ID, Note: d.String() + ": not signed out with a result"})
			}
		}
		// Lateness: every sheet of the month on a working day, owed or
		// not (a worker who came in on a leave day and was late is late).
		late, worst := 0, 0
		lt := w.At(x.id, fLateArrivals)
		for d := m.first; !d.After(m.last); d = d.AddDays(1) {
			sh, ok := sheetOf[wd{x.id, d}]
			if !ok {
				continue
			}
			if n := lateMinutes(m.cal, m.leave[x.id], sh); n >= 1 {
				late++
				worst = max(worst, n)
				lt.Add(metric.Ref{Entity: "duty_sheet", ID: sh.ID, Note: fmt.Sprintf("%s: signed in %s, %d min late", d, sh.SignedInAt.In(dates.Shanghai).Format("15:04"), n)})
			}
		}
		lf := w.At(x.id, fLateFlag)
		if late >= lateFlagCount || worst > lateFlagMinutes {
			lf.Num = 1
			lf.Evidence = append(lf.Evidence, metric.Ref{Entity: "worker", ID: x.id, Note: fmt.Sprintf("late %d times, worst %d min", late, worst)})
		}
		// The app: installed by month end, recorded or shown by a login.
		rt := w.At(x.id, fAppInstalled)
		rt.Den++
		installed := !x.installedOn.IsZero() && !x.installedOn.After(m.last)
		if x.appLogin {
			installed = true
		}
		if installed {
			rt.Num++
		} else {
			rt.Evidence = append(rt.Evidence, metric.Ref{Entity: "worker", ID: x.id, Note: "app not installed by " + m.last.String()})
		}
		// Every measured worker owes two activities; activityFacts takes
		// off what they did.
		w.At(x.id, fShortfall).Num = minVolunteer
		w.At(x.id, fVolunteer)
		w.At(x.id, fAppActivities)
	}
	return nil
}

// meetingFacts measures meetings held, attendance and analysis reports.
func meetingFacts(ctx context.Context, q store.Queryer, m *month, g metric.GridFacts, w metric.WorkerFacts) error {
	meetings, err := store.All(ctx, q, "duty meetings", `SELECT `+meetingColumns+` FROM duty_meetings WHERE held_on >= $1 AND held_on <= $2 ORDER BY held_at, id`,
		store.Args{m.first, m.last}, scanMeeting)
	if err != nil {
		return fmt.Errorf("duty: facts: %w", err)
	}
	byID := map[string]Meeting{}
	for _, mt := range meetings {
		byID[mt.ID] = mt
		ref := metric.Ref{Entity: "duty_meeting", ID: mt.ID, Note: mt.HeldOn.String() + " " + mt.Title}
		switch mt.Kind {
		case Morning, Analysis:
			name := fMorning
			if mt.Kind == Analysis {
				name = fAnalysis
			}
			if a := m.anchor(mt.UnitID); a != "" && mt.hasMinutes() {
				g.At(a, name).Add(ref)
			}
			if mt.Kind == Analysis && !mt.ReportedUp {
				m.unitOrWorker(g, w, mt.ResponsibleID, mt.UnitID, fUnreported, ref)
			}
		}
	}
	rows, err := q.QueryContext(ctx, `SELECT a.meeting_id, a.worker_id FROM duty_attendance a JOIN duty_meetings mt ON mt.id = a.meeting_id
		WHERE mt.held_on >= $1 AND mt.held_on <= $2 AND a.status = 'absent' ORDER BY a.meeting_id, a.worker_id`, m.first, m.last)
	if err != nil {
		return fmt.Errorf("duty: facts: attendance: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, worker string
		if err := rows.Scan(&id, &worker); err != nil {
			return fmt.Errorf("duty: facts: attendance: %w", err)
		}
		mt := byID[id]
		if onLeaveAt(m.leave[worker], mt.HeldAt) {
			continue
		}
		ref := metric.Ref{Entity: "duty_meeting", ID: mt.ID, Note: fmt.Sprintf("%s %s: absent without leave", mt.HeldOn, mt.Kind)}
		if mt.Kind.isCheck() {
			w.At(worker, fChecksAbsent).Add(ref)
			continue
		}
		w.At(worker, fMeetingsMissed).Add(ref)
		if mt.Kind == Analysis {
			w.At(worker, fAnalysisAbsent).Add(ref)
		}
	}
	return rows.Err()
}

// activityFacts counts volunteer and app activities and takes them off
// each worker's shortfall.
func activityFacts(ctx context.Context, q store.Queryer, m *month, _ metric.GridFacts, w metric.WorkerFacts) error {
	acts, err := store.All(ctx, q, "duty activities", `SELECT `+activityColumns+` FROM duty_activities WHERE held_on >= $1 AND held_on <= $2 ORDER BY held_at, id`,
		store.Args{m.first, m.last}, scanActivity)
	if err != nil {
		return fmt.Errorf("duty: facts: %w", err)
	}
	for _, a := range acts {
		if a.Valid != nil && !*a.Valid {
			continue
		}
		ref := metric.Ref{Entity: "duty_activity", ID: a.ID, Note: a.HeldOn.String() + " " + a.Title}
		w.At(a.WorkerID, fVolunteer).Add(ref)
		if a.Uniform {
			w.At(a.WorkerID, fAppActivities).Add(ref)
		}
	}
	for worker, names := range w {
		sf, ok := names[fShortfall]
		if !ok {
			continue
		}
		done := 0.0
		if v := names[fVolunteer]; v != nil {
			done = v.Num
		}
		sf.Num = max(0, minVolunteer-done)
		if sf.Num > 0 {
			sf.Evidence = append(sf.Evidence, metric.Ref{Entity: "worker", ID: worker, Note: fmt.Sprintf("%g of %d volunteer activities", done, minVolunteer)})
		}
	}
	return nil
}

// unitFacts measures the systems on file and publicity.
func unitFacts(ctx context.Context, q store.Queryer, m *month, g metric.GridFacts, _ metric.WorkerFacts) error {
	systems, err := store.All(ctx, q, "duty systems", `SELECT `+systemColumns+` FROM duty_systems WHERE filed_on <= $1 AND (withdrawn_on IS NULL OR withdrawn_on > $1) ORDER BY id`,
		store.Args{m.last}, scanSystem)
	if err != nil {
		return fmt.Errorf("duty: facts: %w", err)
	}
	for _, x := range systems {
		name, ok := systemFacts[x.Kind]
		a := m.anchor(x.UnitID)
		if !ok || a == "" {
			continue
		}
		t := g.At(a, name)
		t.Num = 1
		t.Evidence = append(t.Evidence, metric.Ref{Entity: "duty_system", ID: x.ID, Note: "filed " + x.FiledOn.String() + " " + x.Title})
	}
	arts, err := store.All(ctx, q, "duty articles", `SELECT `+articleColumns+` FROM duty_publicity WHERE published_on >= $1 AND published_on <= $2 ORDER BY published_on, id`,
		store.Args{m.first, m.last}, scanArticle)
	if err != nil {
		return fmt.Errorf("duty: facts: %w", err)
	}
	for _, a := range arts {
		if grid := m.anchor(a.UnitID); grid != "" {
			g.At(grid, publicityFactStem+string(a.Level)).Add(metric.Ref{Entity: "duty_article", ID: a.ID, Note: a.PublishedOn.String() + " " + a.Outlet + " " + a.Title})
		}
	}
	return nil
}

// reportFacts counts the reports due in the month that were late, are
// missing past their deadline, or were reviewed wrong or perfunctory.
func reportFacts(ctx context.Context, q store.Queryer, m *month, g metric.GridFacts, w metric.WorkerFacts) error {
	reps, err := store.All(ctx, q, "duty reports", `SELECT `+reportColumns+` FROM duty_reports WHERE due_at >= $1 AND due_at < $2 ORDER BY due_at, id`,
		store.Args{m.p.Start().UTC(), m.p.End().UTC()}, scanReport)
	if err != nil {
		return fmt.Errorf("duty: facts: %w", err)
	}
	for _, r := range reps {
		due := r.DueAt.In(dates.Shanghai).Format("2006-01-02 15:04")
		var why string
		switch {
		case r.SubmittedAt == nil && m.now.After(r.DueAt):
			why = "not submitted, due " + due
		case r.SubmittedAt != nil && r.SubmittedAt.After(r.DueAt):
			why = "submitted " + r.SubmittedAt.In(dates.Shanghai).Format("2006-01-02 15:04") + ", due " + due
		case r.Verdict == Wrong:
			why = "reviewed wrong: " + r.ReviewNote
		case r.Verdict == Perfunctory && r.Kind.isPlan():
			why = "reviewed perfunctory: " + r.ReviewNote
		default:
			continue
		}
		name := fReportsLate
		if r.Kind.isPlan() {
			name = fPlansLate
		}
		m.unitOrWorker(g, w, r.WorkerID, r.UnitID, name, metric.Ref{Entity: "duty_report", ID: r.ID, Note: r.Title + ": " + why})
	}
	return nil
}

// findingFacts counts the month's findings.
func findingFacts(ctx context.Context, q store.Queryer, m *month, g metric.GridFacts, w metric.WorkerFacts) error {
	fs, err := store.All(ctx, q, "duty findings", `SELECT `+findingColumns+` FROM duty_findings WHERE found_on >= $1 AND found_on <= $2 ORDER BY found_on, id`,
		store.Args{m.first, m.last}, scanFinding)
	if err != nil {
		return fmt.Errorf("duty: facts: %w", err)
	}
	for _, f := range fs {
		ref := metric.Ref{Entity: "duty_finding", ID: f.ID, Note: f.FoundOn.String() + ": " + f.Note}
		switch f.Kind {
		case AssignmentRefused:
			w.At(f.WorkerID, fRefused).Add(ref)
		case PhoneNotCarried:
			w.At(f.WorkerID, fPhoneNotCarried).Add(ref)
		case TaskMissed:
			w.At(f.WorkerID, fLoginMissed).Add(ref)
		case IssueUnanalysed:
			m.unitOrWorker(g, w, f.WorkerID, f.UnitID, fIssues, ref)
		}
	}
	return nil
}
