package duty_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"gridwork/internal/duty"
	"gridwork/internal/facts"
	"gridwork/internal/metric"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

// February 2026 in the work calendar (workcal.Builtin): 春节 makes 16-23
// February days off (15 is a Sunday anyway) and Saturdays 14 and 28
// working days (调休). Its working days, worked out by hand:
//
//	2-6 (5), 9-13 (5), 14 Sat (1), 24-27 (4), 28 Sat (1) = 16.
var febWorkdays = []string{
	"2026-02-02", "2026-02-03", "2026-02-04", "2026-02-05", "2026-02-06",
	"2026-02-09", "2026-02-10", "2026-02-11", "2026-02-12", "2026-02-13", "2026-02-14",
	"2026-02-24", "2026-02-25", "2026-02-26", "2026-02-27", "2026-02-28",
}

// loadFebruary enters the hand-made month the facts test measures. The
// comments give what each record must add to which fact.
func loadFebruary(t *testing.T, e *env) {
	t.Helper()
	d := e.duty
	must(d.SetProfile(bg, actor, duty.Profile{WorkerID: e.w1.ID, OfficeBased: true}))
	// A part-timer marked office-based still owes no PC login.
	must(d.SetProfile(bg, actor, duty.Profile{WorkerID: e.w2.ID, OfficeBased: true}))
	approve := func(l duty.NewLeave) {
		must(d.DecideLeave(bg, "approver", must(d.RequestLeave(bg, actor, l)).ID, true, ""))
	}
	// w1: a whole day's approved leave on 26 Feb (a leave day).
	approve(duty.NewLeave{WorkerID: e.w1.ID, Kind: duty.AnnualLeave, From: at("2026-02-26 08:30"), To: at("2026-02-26 17:30")})
	// w2: half a morning's approved leave on 27 Feb (4 h of 9: not a leave
	// day, but the start of work moves to 12:30); a request never decided
	// on 24 Feb and a rejected one on 25 Feb excuse nothing.
	approve(duty.NewLeave{WorkerID: e.w2.ID, Kind: duty.PersonalLeave, From: at("2026-02-27 08:30"), To: at("2026-02-27 12:30")})
	must(d.RequestLeave(bg, actor, duty.NewLeave{WorkerID: e.w2.ID, Kind: duty.PersonalLeave, From: at("2026-02-24 08:30"), To: at("2026-02-24 17:30")}))
	rej := must(d.RequestLeave(bg, actor, duty.NewLeave{WorkerID: e.w2.ID, Kind: duty.SickLeave, From: at("2026-02-25 08:30"), To: at("2026-02-25 17:30")}))
	must(d.DecideLeave(bg, "approver", rej.ID, false, "材料不全"))

	login := func(w string, c duty.Client, s string) {
		if err := d.NoteLogin(bg, w, c, at(s+" 08:05")); err != nil {
			t.Fatal(err)
		}
	}
	signIn := func(w, s, clock string, out bool) {
		x := must(d.SignIn(bg, actor, duty.NewSignIn{WorkerID: w, At: at(s + " " + clock), Plan: "入户走访"}))
		if out {
			must(d.SignOut(bg, actor, x.ID, duty.SignOut{At: at(s + " 17:40"), Result: "走访10户"}))
		}
	}
	// w1 (full-time, office-based): no app login on 5 Feb and on the
	// swapped Saturday 14 Feb, no PC login on 24 Feb, nothing on the leave
	// day 26 Feb → 3 days; a login on the holiday 17 Feb owes nothing.
	// Work sheets: none on 6 Feb, not signed out on 12 Feb → 2. Late: 3
	// Feb by 10 min, 9 Feb by 1 min, Saturday 28 Feb by 30 min → 3 times
	// (flag); 4 Feb 08:30:40 is on time.
	late1 := map[string]string{"2026-02-03": "08:40", "2026-02-09": "08:31", "2026-02-28": "09:00", "2026-02-04": "08:30:40"}
	for _, s := range febWorkdays {
		if s == "2026-02-26" {
			continue
		}
		if s != "2026-02-05" && s != "2026-02-14" {
			login(e.w1.ID, duty.App, s)
		}
		if s != "2026-02-24" {
			login(e.w1.ID, duty.PC, s)
		}
		if s == "2026-02-06" {
			continue
		}
		clock := "08:20"
		if c, ok := late1[s]; ok {
			clock = c
		}
		signIn(e.w1.ID, s, clock, s != "2026-02-12")
	}
	login(e.w1.ID, duty.App, "2026-02-17")
	// w2 (part-time, in post from 10 Feb: 10 owed days): no app login on 25
	// Feb (rejected leave) nor on 27 Feb (half a morning's leave is not a
	// leave day) → 2. Every sheet signed out. Late: 11 Feb 09:31 (61 min, over an
	// hour: flag) and 27 Feb 12:45 (15 min after the leave) → 2.
	for _, s := range febWorkdays {
		if s < "2026-02-10" {
			continue
		}
		if s != "2026-02-25" && s != "2026-02-27" {
			login(e.w2.ID, duty.App, s)
		}
		clock := map[string]string{"2026-02-11": "09:31", "2026-02-27": "12:45"}[s]
		if clock == "" {
			clock = "08:25"
		}
		signIn(e.w2.ID, s, clock, true)
	}
	// w3 left on 5 Feb: owes 2, 3 and 4 Feb, and did nothing (3 logins, 3
	// sheets missing, app never installed).

	// Meetings of the community.
	meet := func(m duty.NewMeeting) { must(d.RecordMeeting(bg, actor, m)) }
	att := func(w string, p duty.Presence) duty.Attendance { return duty.Attendance{WorkerID: w, Status: p} }
	// Morning meetings: 11 Feb with minutes (w2 absent → meetings_missed);
	// 12 Feb without minutes (not counted). morning_meetings = 1.
	meet(duty.NewMeeting{Kind: duty.Morning, UnitID: e.community.ID, HeldAt: at("2026-02-11 08:00"), Minutes: "晨会记录",
		Attendance: []duty.Attendance{att(e.w1.ID, duty.Present), att(e.w2.ID, duty.AbsentNoLvl)}})
	meet(duty.NewMeeting{Kind: duty.Morning, UnitID: e.community.ID, HeldAt: at("2026-02-12 08:00")})
	// Analysis meetings, all with minutes (analysis_meetings = 3):
	// 13 Feb not reported up, w1 responsible and absent, w2 on leave;
	// 26 Feb reported up, w1 "absent" but on approved leave (excused);
	// 27 Feb not reported up, nobody responsible (→ the anchor grid g4).
	meet(duty.NewMeeting{Kind: duty.Analysis, UnitID: e.community.ID, HeldAt: at("2026-02-13 16:00"), Minutes: "研判记录", Issues: 2,
		ResponsibleID: e.w1.ID, Attendance: []duty.Attendance{att(e.w1.ID, duty.AbsentNoLvl), att(e.w2.ID, duty.OnLeave)}})
	meet(duty.NewMeeting{Kind: duty.Analysis, UnitID: e.community.ID, HeldAt: at("2026-02-26 16:00"), MinutesFile: e.photo, ReportedUp: true,
		Attendance: []duty.Attendance{att(e.w1.ID, duty.AbsentNoLvl), att(e.w2.ID, duty.Present)}})
	meet(duty.NewMeeting{Kind: duty.Analysis, UnitID: e.community.ID, HeldAt: at("2026-02-27 16:00"), Minutes: "研判记录"})
	// Checks: 10 Feb w1 absent; campaign 25 Feb w2 absent. Training 24 Feb
	// w2 absent (meetings_missed).
	meet(duty.NewMeeting{Kind: duty.Check, UnitID: e.community.ID, HeldAt: at("2026-02-10 14:00"),
		Attendance: []duty.Attendance{att(e.w1.ID, duty.AbsentNoLvl), att(e.w2.ID, duty.Present)}})
	meet(duty.NewMeeting{Kind: duty.Campaign, UnitID: e.community.ID, HeldAt: at("2026-02-25 14:00"),
		Attendance: []duty.Attendance{att(e.w1.ID, duty.Present), att(e.w2.ID, duty.AbsentNoLvl)}})
	meet(duty.NewMeeting{Kind: duty.Training, UnitID: e.community.ID, HeldAt: at("2026-02-24 09:00"),
		Attendance: []duty.Attendance{att(e.w2.ID, duty.AbsentNoLvl)}})
	// A meeting in March counts nowhere in February.
	meet(duty.NewMeeting{Kind: duty.Morning, UnitID: e.community.ID, HeldAt: at("2026-03-02 08:00"), Minutes: "x",
		Attendance: []duty.Attendance{att(e.w1.ID, duty.AbsentNoLvl)}})

	// Activities: w1 4 Feb (uniform, unreviewed: both counts); 11 Feb
	// marked invalid (no uniform: neither); 12 Feb valid without uniform
	// (volunteer only). w2 27 Feb in uniform. w1: 2 volunteer, 1 app,
	// shortfall 0; w2: 1, 1, shortfall 1; w3: shortfall 2.
	act := func(w, g, s, title string, uniform bool) string {
		return must(d.RecordActivity(bg, actor, duty.NewActivity{WorkerID: w, GridID: g, HeldAt: at(s), Title: title, Photos: []string{e.photo}, Uniform: uniform})).ID
	}
	act(e.w1.ID, e.g1.ID, "2026-02-04 15:00", "清理小广告", true)
	bad := act(e.w1.ID, e.g1.ID, "2026-02-11 15:00", "义务巡逻", true)
	must(d.ReviewActivity(bg, "reviewer", bad, duty.ActivityReview{Valid: false, Uniform: false, Note: "未穿志愿者服装"}))
	plain := act(e.w1.ID, e.g1.ID, "2026-02-12 15:00", "敬老院探访", false)
	must(d.ReviewActivity(bg, "reviewer", plain, duty.ActivityReview{Valid: true, Uniform: false}))
	act(e.w2.ID, e.g2.ID, "2026-02-27 15:00", "垃圾分类宣传", true)

	// Publicity: the community at district (5 Feb) and city (20 Feb), g1
	// at province (7 Feb); one in March.
	art := func(unit string, l duty.Level, on string) {
		must(d.RecordArticle(bg, actor, duty.Article{UnitID: unit, Level: l, Title: "网格化工作报道", Outlet: "报", PublishedOn: day(on)}))
	}
	art(e.community.ID, duty.District, "2026-02-05")
	art(e.community.ID, duty.City, "2026-02-20")
	art(e.g1.ID, duty.Province, "2026-02-07")
	art(e.community.ID, duty.National, "2026-03-03")

	// Systems: elimination on file; QR withdrawn on 20 Feb; back-tracing
	// filed only in March.
	must(d.FileSystem(bg, actor, duty.System{UnitID: e.community.ID, Kind: duty.EliminationSystem, FiledOn: day("2026-01-10")}))
	qr := must(d.FileSystem(bg, actor, duty.System{UnitID: e.community.ID, Kind: duty.QRGPSSystem, FiledOn: day("2026-01-10")}))
	must(d.WithdrawSystem(bg, actor, qr.ID, day("2026-02-20")))
	must(d.FileSystem(bg, actor, duty.System{UnitID: e.community.ID, Kind: duty.BackTracingSystem, FiledOn: day("2026-03-02")}))

	// Reports due in February:
	report := func(r duty.NewReport, submitted string, v duty.Verdict) {
		x := must(d.RequireReport(bg, actor, r))
		if submitted != "" {
			must(d.SubmitReport(bg, actor, x.ID, duty.Submission{At: at(submitted)}))
		}
		if v != "" {
			must(d.ReviewReport(bg, "centre", x.ID, duty.Review{Verdict: v, Note: "审核意见"}))
		}
	}
	// on time and ok: nothing.
	report(duty.NewReport{UnitID: e.community.ID, Kind: duty.Weekly, Title: "第1周周报", DueAt: at("2026-02-06 17:00")}, "2026-02-06 16:00", duty.OK)
	// w1's weekly report a day late: w1 reports_late.
	report(duty.NewReport{UnitID: e.community.ID, WorkerID: e.w1.ID, Kind: duty.Weekly, Title: "第2周周报", DueAt: at("2026-02-13 17:00")}, "2026-02-14 09:00", "")
	// the community's monthly report on time but wrong: anchor reports_late.
	report(duty.NewReport{UnitID: e.community.ID, Kind: duty.Monthly, Title: "2月月报", DueAt: at("2026-02-27 17:00")}, "2026-02-27 10:00", duty.Wrong)
	// the community's plan never submitted: anchor plans_late.
	report(duty.NewReport{UnitID: e.community.ID, Kind: duty.Plan, Title: "2月工作计划", DueAt: at("2026-02-02 17:00")}, "", "")
	// w2's summary on time but perfunctory: w2 plans_late.
	report(duty.NewReport{UnitID: e.community.ID, WorkerID: e.w2.ID, Kind: duty.Summary, Title: "春节总结", DueAt: at("2026-02-27 17:00")}, "2026-02-26 10:00", duty.Perfunctory)
	// due in March: nowhere.
	report(duty.NewReport{UnitID: e.community.ID, Kind: duty.Monthly, Title: "3月月报", DueAt: at("2026-03-03 17:00")}, "", "")

	// Findings.
	find := func(f duty.Finding) { must(d.RecordFinding(bg, "centre", f)) }
	find(duty.Finding{Kind: duty.AssignmentRefused, WorkerID: e.w1.ID, FoundOn: day("2026-02-17"), Note: "拒绝临时调配"})
	find(duty.Finding{Kind: duty.PhoneNotCarried, WorkerID: e.w2.ID, FoundOn: day("2026-02-25"), Note: "暗访未带手机"})
	find(duty.Finding{Kind: duty.TaskMissed, WorkerID: e.w1.ID, FoundOn: day("2026-02-10"), Note: "漏处理平台事项"})
	find(duty.Finding{Kind: duty.IssueUnanalysed, UnitID: e.community.ID, FoundOn: day("2026-02-24"), Note: "群租问题未研判"})
	find(duty.Finding{Kind: duty.PhoneNotCarried, WorkerID: e.w2.ID, FoundOn: day("2026-03-02"), Note: "三月"})
}

func TestFactsOfAHandMadeMonth(t *testing.T) {
	eachEnv(t, at("2026-03-10 12:00"), func(t *testing.T, e *env) {
		loadFebruary(t, e)
		fs, err := facts.NewCollector(e.db, e.org, e.duty).Collect(bg, metric.Period{Year: 2026, Month: time.February})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]metric.Fact{}
		for _, f := range fs {
			got[string(f.Subject)+"/"+f.SubjectID+"/"+f.Name] = f
		}
		type want map[string]float64
		cases := []struct {
			subject string
			want    want
		}{
			{"worker/" + e.w1.ID, want{
				"duty.login_missed": 4, "duty.work_sheets_missing": 2, "duty.late_arrivals": 3, "duty.late_flag": 1,
				"duty.meetings_missed": 1, "duty.analysis_absent": 1, "duty.checks_absent": 1, "duty.analysis_unreported": 1,
				"duty.reports_late": 1, "duty.plans_late": 0, "duty.assignment_refused": 1, "duty.phone_not_carried": 0,
				"duty.volunteer_activities": 2, "duty.app_activities": 1, "duty.volunteer_shortfall": 0, "duty.app_installed_rate": 100,
				// g1's own publicity rolls up to its worker too.
				"duty.publicity_province": 1, "duty.morning_meetings": 0, "duty.issues_unanalysed": 0,
			}},
			{"worker/" + e.w2.ID, want{
				"duty.login_missed": 2, "duty.work_sheets_missing": 0, "duty.late_arrivals": 2, "duty.late_flag": 1,
				"duty.meetings_missed": 2, "duty.analysis_absent": 0, "duty.checks_absent": 1, "duty.analysis_unreported": 0,
				"duty.reports_late": 0, "duty.plans_late": 1, "duty.phone_not_carried": 1,
				"duty.volunteer_activities": 1, "duty.app_activities": 1, "duty.volunteer_shortfall": 1, "duty.app_installed_rate": 100,
			}},
			{"worker/" + e.w3.ID, want{
				"duty.login_missed": 3, "duty.work_sheets_missing": 3, "duty.late_arrivals": 0, "duty.late_flag": 0,
				"duty.volunteer_shortfall": 2, "duty.app_installed_rate": 0,
			}},
			// The vacant grid g4 is the community's anchor.
			{"unit/" + e.g4.ID, want{
				"duty.morning_meetings": 1, "duty.analysis_meetings": 3, "duty.analysis_unreported": 1, "duty.issues_unanalysed": 1,
				"duty.reports_late": 1, "duty.plans_late": 1, "duty.publicity_district": 1, "duty.publicity_city": 1,
				"duty.system_elimination": 1, "duty.system_qr": 0, "duty.login_missed": 0,
			}},
			{"unit/" + e.community.ID, want{
				"duty.login_missed": 9, "duty.work_sheets_missing": 5, "duty.late_arrivals": 5, "duty.late_flag": 1,
				"duty.meetings_missed": 3, "duty.analysis_absent": 1, "duty.checks_absent": 2,
				"duty.morning_meetings": 1, "duty.analysis_meetings": 3, "duty.analysis_unreported": 2, "duty.issues_unanalysed": 1,
				"duty.reports_late": 2, "duty.plans_late": 2,
				"duty.system_elimination": 1, "duty.system_qr": 0, "duty.system_back_tracing": 0,
				"duty.publicity_district": 1, "duty.publicity_city": 1, "duty.publicity_province": 1, "duty.publicity_national": 0,
				"duty.volunteer_activities": 3, "duty.app_activities": 2, "duty.volunteer_shortfall": 3,
				"duty.app_installed_rate": 200.0 / 3, "duty.assignment_refused": 1, "duty.phone_not_carried": 1,
			}},
		}
		for _, c := range cases {
			for name, v := range c.want {
				f, ok := got[c.subject+"/"+name]
				if !ok {
					t.Errorf("%s %s: missing", c.subject, name)
					continue
				}
				if math.Abs(f.Value-v) > 1e-9 {
					t.Errorf("%s %s = %g, want %g (evidence %v)", c.subject, name, f.Value, v, f.Evidence)
				}
				if f.Value > 0 && name != "duty.app_installed_rate" && len(f.Evidence) == 0 {
					t.Errorf("%s %s = %g has no evidence", c.subject, name, f.Value)
				}
			}
		}
		// The evidence names the days: w1's missed logins.
		ev := map[string]bool{}
		for _, r := range got["worker/"+e.w1.ID+"/duty.login_missed"].Evidence {
			ev[r.ID+" "+r.Note] = true
		}
		for _, s := range []string{
			e.w1.ID + "/2026-02-05 no app login", e.w1.ID + "/2026-02-14 no app login", e.w1.ID + "/2026-02-24 no PC login",
		} {
			if !ev[s] {
				t.Errorf("login evidence lacks %q: %v", s, ev)
			}
		}

		// The month view agrees with the facts and shows the calendar.
		v := must(e.duty.MonthView(bg, e.w1.ID, metric.Period{Year: 2026, Month: time.February}))
		var workdays []string
		leaveDays := 0
		for _, dv := range v.Days {
			if dv.Workday {
				workdays = append(workdays, dv.Day.String())
			}
			if dv.Leave {
				leaveDays++
			}
		}
		if fmt.Sprint(workdays) != fmt.Sprint(febWorkdays) || leaveDays != 1 {
			t.Errorf("month view: working days %v, leave days %d", workdays, leaveDays)
		}
		view := map[string]float64{}
		for _, f := range v.Facts {
			view[f.Name] = f.Value
		}
		for name, want := range map[string]float64{"duty.login_missed": 4, "duty.meetings_missed": 1, "duty.late_flag": 1,
			"duty.phone_not_carried": 0, "duty.app_installed_rate": 100, "duty.work_sheets_missing": 2} {
			if got, ok := view[name]; !ok || got != want {
				t.Errorf("month view %s = %g (shown %v), want %g", name, got, ok, want)
			}
		}
	})
}

// TestCountsOnlyFinishedDays measures the current month: today is not
// over, so it owes nothing yet.
func TestCountsOnlyFinishedDays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		// Wednesday 4 March 2026, noon: 2 and 3 March are owed.
		e := newEnv(t, db, at("2026-03-04 12:00"))
		_, w, err := workerFacts(e, metric.Period{Year: 2026, Month: time.March})
		if err != nil {
			t.Fatal(err)
		}
		if n := w[e.w1.ID]["duty.login_missed"].Num; n != 2 {
			t.Fatalf("login_missed on 4 March = %g, want 2 (2 and 3 March)", n)
		}
	})
}

func workerFacts(e *env, p metric.Period) (metric.GridFacts, metric.WorkerFacts, error) {
	g, _, err := e.duty.Facts(bg, p)
	if err != nil {
		return nil, nil, err
	}
	w, _, err := e.duty.WorkerFacts(bg, p)
	return g, w, err
}
