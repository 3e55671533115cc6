package duty_test

import (
	"slices"
	"testing"

	"github.com/google/uuid"

	"gridwork/internal/apperr"
	"gridwork/internal/duty"
	"gridwork/internal/workcal"
)

func TestLeaveLifecycle(t *testing.T) {
	eachEnv(t, at("2026-03-10 12:00"), func(t *testing.T, e *env) {
		req := duty.NewLeave{ClientID: uuid.NewString(), WorkerID: e.w1.ID, Kind: duty.SickLeave, From: at("2026-03-02 08:30"), To: at("2026-03-03 17:30"), Reason: "发烧"}
		l := must(e.duty.RequestLeave(bg, actor, req))
		if l.Status != duty.Requested {
			t.Fatalf("status %s, want requested", l.Status)
		}
		// Not approved yet: no approved leave.
		got := must(e.duty.ApprovedLeave(bg, at("2026-03-01 00:00"), at("2026-04-01 00:00")))
		if len(got) != 0 {
			t.Fatalf("approved leave before approval: %v", got)
		}
		// An overlapping request is refused; an adjacent one is not.
		_, err := e.duty.RequestLeave(bg, actor, duty.NewLeave{WorkerID: e.w1.ID, Kind: duty.PersonalLeave, From: at("2026-03-03 12:00"), To: at("2026-03-04 12:00")})
		wantCode(t, err, apperr.Conflict, "")
		next := must(e.duty.RequestLeave(bg, actor, duty.NewLeave{WorkerID: e.w1.ID, Kind: duty.PersonalLeave, From: at("2026-03-03 17:30"), To: at("2026-03-04 12:00")}))

		a := must(e.duty.DecideLeave(bg, "approver", l.ID, true, "同意"))
		if a.Status != duty.Approved || a.DecidedBy != "approver" || a.DecidedAt == nil {
			t.Fatalf("approved slip %+v", a)
		}
		// Approving again changes nothing; rejecting now is a conflict.
		audits := count(t, e.db, "audit_log")
		must(e.duty.DecideLeave(bg, "approver", l.ID, true, ""))
		if n := count(t, e.db, "audit_log"); n != audits {
			t.Fatalf("a repeated approval wrote %d audit rows", n-audits)
		}
		_, err = e.duty.DecideLeave(bg, "approver", l.ID, false, "")
		wantCode(t, err, apperr.Conflict, "")
		_, err = e.duty.WithdrawLeave(bg, actor, l.ID)
		wantCode(t, err, apperr.Conflict, "")
		// The other slip is withdrawn and excuses nothing.
		if w := must(e.duty.WithdrawLeave(bg, actor, next.ID)); w.Status != duty.Withdrawn {
			t.Fatalf("withdrawn slip %+v", w)
		}
		_, err = e.duty.DecideLeave(bg, "approver", next.ID, true, "")
		wantCode(t, err, apperr.Conflict, "")

		got = must(e.duty.ApprovedLeave(bg, at("2026-03-03 00:00"), at("2026-03-04 00:00")))
		want := map[string][]workcal.Interval{e.w1.ID: {{From: at("2026-03-02 08:30").UTC(), To: at("2026-03-03 17:30").UTC()}}}
		if len(got) != 1 || len(got[e.w1.ID]) != 1 || !got[e.w1.ID][0].From.Equal(want[e.w1.ID][0].From) || !got[e.w1.ID][0].To.Equal(want[e.w1.ID][0].To) {
			t.Fatalf("approved leave %v, want %v", got, want)
		}
		// [from, to) is half-open: a window starting when the leave ends
		// does not see it.
		if got := must(e.duty.ApprovedLeave(bg, at("2026-03-03 17:30"), at("2026-03-05 00:00"))); len(got) != 0 {
			t.Fatalf("leave seen after its end: %v", got)
		}

		// A resend of the first request returns the first slip, as it is now.
		again := must(e.duty.RequestLeave(bg, actor, req))
		if again.ID != l.ID || again.Status != duty.Approved {
			t.Fatalf("resend gave %+v", again)
		}
		// Bad input names its fields.
		_, err = e.duty.RequestLeave(bg, actor, duty.NewLeave{WorkerID: e.w1.ID, Kind: "holiday", From: at("2026-03-10 08:30"), To: at("2026-03-10 08:00")})
		wantCode(t, err, apperr.Invalid, "kind")
		wantCode(t, err, apperr.Invalid, "to")
		_, err = e.duty.RequestLeave(bg, actor, duty.NewLeave{ClientID: "not-a-uuid", WorkerID: e.w1.ID})
		wantCode(t, err, apperr.Invalid, "client_id")
		_, err = e.duty.DecideLeave(bg, "approver", uuid.NewString(), true, "")
		wantCode(t, err, apperr.NotFound, "")
	})
}

func TestSheetsAndLateness(t *testing.T) {
	eachEnv(t, at("2026-03-10 18:00"), func(t *testing.T, e *env) {
		in := duty.NewSignIn{ClientID: uuid.NewString(), WorkerID: e.w1.ID, At: at("2026-03-09 08:45"), Plan: "走访3号楼"}
		x := must(e.duty.SignIn(bg, actor, in))
		if x.Day != day("2026-03-09") {
			t.Fatalf("day %s", x.Day)
		}
		rows, audits := count(t, e.db, "duty_sheets"), count(t, e.db, "audit_log")
		if y := must(e.duty.SignIn(bg, actor, in)); y.ID != x.ID {
			t.Fatalf("resend made sheet %s, want %s", y.ID, x.ID)
		}
		if count(t, e.db, "duty_sheets") != rows || count(t, e.db, "audit_log") != audits {
			t.Fatal("a resent sign-in wrote rows")
		}
		_, err := e.duty.SignIn(bg, actor, duty.NewSignIn{WorkerID: e.w1.ID, At: at("2026-03-09 09:00"), Plan: "again"})
		wantCode(t, err, apperr.Conflict, "")
		_, err = e.duty.SignIn(bg, actor, duty.NewSignIn{WorkerID: e.w1.ID, At: at("2026-03-11 09:00")})
		wantCode(t, err, apperr.Invalid, "at")
		wantCode(t, err, apperr.Invalid, "plan")

		_, err = e.duty.SignOut(bg, actor, x.ID, duty.SignOut{At: at("2026-03-09 08:00"), Result: "x"})
		wantCode(t, err, apperr.Invalid, "at")
		out := must(e.duty.SignOut(bg, actor, x.ID, duty.SignOut{At: at("2026-03-09 17:40"), Result: "走访12户"}))
		if out.SignedOutAt == nil || out.Result != "走访12户" {
			t.Fatalf("signed out %+v", out)
		}
		// A second sign-out is a resend: the first stands.
		if again := must(e.duty.SignOut(bg, actor, x.ID, duty.SignOut{At: at("2026-03-09 18:00"), Result: "other"})); again.Result != "走访12户" {
			t.Fatalf("second sign-out changed the sheet: %+v", again)
		}

		// A paper sheet entered whole afterwards.
		outAt := at("2026-03-05 17:35")
		paper := must(e.duty.SignIn(bg, "staff", duty.NewSignIn{WorkerID: e.w2.ID, At: at("2026-03-05 08:10"), Plan: "p", SignedOutAt: &outAt, Result: "走访8户"}))
		if paper.SignedOutAt == nil || !paper.SignedOutAt.Equal(outAt) || paper.Result != "走访8户" {
			t.Fatalf("paper sheet %+v", paper)
		}
		_, err = e.duty.SignIn(bg, "staff", duty.NewSignIn{WorkerID: e.w2.ID, At: at("2026-03-06 08:10"), Plan: "p", Result: "x"})
		wantCode(t, err, apperr.Invalid, "result")
		early := at("2026-03-06 08:00")
		_, err = e.duty.SignIn(bg, "staff", duty.NewSignIn{WorkerID: e.w2.ID, At: at("2026-03-06 08:10"), Plan: "p", SignedOutAt: &early})
		wantCode(t, err, apperr.Invalid, "signed_out_at")
		wantCode(t, err, apperr.Invalid, "result")

		// Lateness against 08:30, moved past approved leave.
		l := must(e.duty.RequestLeave(bg, actor, duty.NewLeave{WorkerID: e.w1.ID, Kind: duty.PersonalLeave, From: at("2026-03-10 08:30"), To: at("2026-03-10 10:00")}))
		must(e.duty.DecideLeave(bg, "approver", l.ID, true, ""))
		must(e.duty.SignIn(bg, actor, duty.NewSignIn{WorkerID: e.w1.ID, At: at("2026-03-10 10:20"), Plan: "p"}))
		must(e.duty.SignIn(bg, actor, duty.NewSignIn{WorkerID: e.w1.ID, At: at("2026-03-08 11:00"), Plan: "Sunday"}))
		must(e.duty.SignIn(bg, actor, duty.NewSignIn{WorkerID: e.w1.ID, At: at("2026-03-06 08:30:59"), Plan: "p"}))
		sheets := must(e.duty.Sheets(bg, duty.Scope{WorkerID: e.w1.ID}, day("2026-03-01"), day("2026-03-31")))
		late := map[string]int{}
		for _, s := range sheets {
			late[s.Day.String()] = s.LateMinutes
		}
		want := map[string]int{"2026-03-06": 0, "2026-03-08": 0, "2026-03-09": 15, "2026-03-10": 20}
		for d, n := range want {
			if late[d] != n {
				t.Errorf("late minutes on %s = %d, want %d", d, late[d], n)
			}
		}
	})
}

func TestLogins(t *testing.T) {
	eachEnv(t, at("2026-03-10 18:00"), func(t *testing.T, e *env) {
		// The automatic capture keeps the first login of the day.
		for _, s := range []string{"2026-03-10 08:10", "2026-03-10 09:00"} {
			if err := e.duty.NoteLogin(bg, e.w1.ID, duty.App, at(s)); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.duty.NoteLogin(bg, e.w1.ID, duty.PC, at("2026-03-10 08:20")); err != nil {
			t.Fatal(err)
		}
		ls := must(e.duty.Logins(bg, duty.Scope{WorkerID: e.w1.ID}, day("2026-03-10"), day("2026-03-10")))
		if len(ls) != 2 || ls[0].Client != duty.App || !ls[0].FirstAt.Equal(at("2026-03-10 08:10")) || ls[0].Source != "auto" {
			t.Fatalf("logins %+v", ls)
		}
		// A login entered by hand wins only when earlier, and is audited.
		audits := count(t, e.db, "audit_log")
		l := must(e.duty.RecordLogin(bg, "staff", duty.NewLogin{WorkerID: e.w1.ID, Client: duty.App, At: at("2026-03-10 08:30")}))
		if !l.FirstAt.Equal(at("2026-03-10 08:10")) || count(t, e.db, "audit_log") != audits {
			t.Fatalf("a later manual login replaced the first: %+v", l)
		}
		l = must(e.duty.RecordLogin(bg, "staff", duty.NewLogin{WorkerID: e.w1.ID, Client: duty.App, At: at("2026-03-10 07:55")}))
		if !l.FirstAt.Equal(at("2026-03-10 07:55")) || l.Source != "manual" || count(t, e.db, "audit_log") != audits+1 {
			t.Fatalf("earlier manual login %+v", l)
		}
		_, err := e.duty.RecordLogin(bg, "staff", duty.NewLogin{WorkerID: e.w1.ID, Client: "tablet", At: at("2026-03-12 08:00")})
		wantCode(t, err, apperr.Invalid, "client")
		wantCode(t, err, apperr.Invalid, "at")
		// Scope: the community's workers.
		if ls := must(e.duty.Logins(bg, duty.Scope{WithinID: e.community.ID}, day("2026-03-01"), day("2026-03-31"))); len(ls) != 2 {
			t.Fatalf("community logins %d, want 2", len(ls))
		}
		if ls := must(e.duty.Logins(bg, duty.Scope{WithinID: e.g2.ID}, day("2026-03-01"), day("2026-03-31"))); len(ls) != 0 {
			t.Fatalf("logins of workers homed outside g2: %d", len(ls))
		}
	})
}

func TestResendIsNoOp(t *testing.T) {
	eachEnv(t, at("2026-03-10 18:00"), func(t *testing.T, e *env) {
		m := duty.NewMeeting{ClientID: uuid.NewString(), Kind: duty.Morning, UnitID: e.community.ID, HeldAt: at("2026-03-10 08:00"), Minutes: "记录",
			Attendance: []duty.Attendance{{WorkerID: e.w1.ID, Status: duty.Present}, {WorkerID: e.w2.ID, Status: duty.AbsentNoLvl}}}
		a := duty.NewActivity{ClientID: uuid.NewString(), WorkerID: e.w1.ID, GridID: e.g1.ID, HeldAt: at("2026-03-07 09:00"), Title: "清理楼道", Photos: []string{e.photo}, Uniform: true}
		f := duty.Finding{ClientID: uuid.NewString(), Kind: duty.PhoneNotCarried, WorkerID: e.w1.ID, FoundOn: day("2026-03-09"), Note: "暗访未带手机"}
		r := duty.NewReport{ClientID: uuid.NewString(), UnitID: e.community.ID, Kind: duty.Weekly, Title: "周报", DueAt: at("2026-03-13 17:00")}
		p := duty.Article{ClientID: uuid.NewString(), UnitID: e.community.ID, Level: duty.City, Title: "网格化经验", PublishedOn: day("2026-03-05")}
		// send records each of them and returns their ids.
		send := func() []string {
			return []string{
				must(e.duty.RecordMeeting(bg, actor, m)).ID,
				must(e.duty.RecordActivity(bg, actor, a)).ID,
				must(e.duty.RecordFinding(bg, actor, f)).ID,
				must(e.duty.RequireReport(bg, actor, r)).ID,
				must(e.duty.RecordArticle(bg, actor, p)).ID,
			}
		}
		first := send()
		tables := []string{"duty_meetings", "duty_attendance", "duty_activities", "duty_activity_photos", "duty_findings", "duty_reports", "duty_publicity", "audit_log"}
		before := map[string]int{}
		for _, tb := range tables {
			before[tb] = count(t, e.db, tb)
		}
		again := send()
		if !slices.Equal(first, again) {
			t.Fatalf("resends returned %v, want %v", again, first)
		}
		for _, tb := range tables {
			if n := count(t, e.db, tb); n != before[tb] {
				t.Errorf("%s: %d rows after the resends, want %d", tb, n, before[tb])
			}
		}
		got := must(e.duty.GetMeeting(bg, first[0]))
		if len(got.Attendance) != 2 {
			t.Fatalf("attendance %+v", got.Attendance)
		}
	})
}

func TestRecordValidation(t *testing.T) {
	eachEnv(t, at("2026-03-10 18:00"), func(t *testing.T, e *env) {
		_, err := e.duty.RecordActivity(bg, actor, duty.NewActivity{WorkerID: e.w1.ID, GridID: e.community.ID, HeldAt: at("2026-03-07 09:00"), Title: "x"})
		wantCode(t, err, apperr.Invalid, "grid_id")
		wantCode(t, err, apperr.Invalid, "photos")
		_, err = e.duty.RecordActivity(bg, actor, duty.NewActivity{WorkerID: e.w1.ID, GridID: e.g1.ID, HeldAt: at("2026-03-07 09:00"), Title: "x", Photos: []string{"00"}})
		wantCode(t, err, apperr.Invalid, "photos[0]")
		_, err = e.duty.RecordMeeting(bg, actor, duty.NewMeeting{Kind: duty.Morning, UnitID: e.community.ID, HeldAt: at("2026-03-10 08:00"), ReportedUp: true,
			Attendance: []duty.Attendance{{WorkerID: e.w1.ID, Status: "late"}}})
		wantCode(t, err, apperr.Invalid, "kind")
		wantCode(t, err, apperr.Invalid, "attendance[0].status")
		_, err = e.duty.RecordFinding(bg, actor, duty.Finding{Kind: duty.AssignmentRefused, UnitID: e.community.ID, FoundOn: day("2026-03-09"), Note: "x"})
		wantCode(t, err, apperr.Invalid, "worker_id")
		_, err = e.duty.FileSystem(bg, actor, duty.System{UnitID: e.g1.ID, Kind: duty.EliminationSystem, FiledOn: day("2026-03-01")})
		wantCode(t, err, apperr.Invalid, "unit_id")
		rep := must(e.duty.RequireReport(bg, actor, duty.NewReport{UnitID: e.community.ID, Kind: duty.Monthly, Title: "月报", DueAt: at("2026-03-05 17:00")}))
		_, err = e.duty.ReviewReport(bg, "centre", rep.ID, duty.Review{Verdict: duty.Wrong, Note: "数字不符"})
		wantCode(t, err, apperr.Conflict, "")
		must(e.duty.SubmitReport(bg, actor, rep.ID, duty.Submission{At: at("2026-03-05 16:00")}))
		_, err = e.duty.ReviewReport(bg, "centre", rep.ID, duty.Review{Verdict: duty.Wrong})
		wantCode(t, err, apperr.Invalid, "note")
		if r := must(e.duty.ReviewReport(bg, "centre", rep.ID, duty.Review{Verdict: duty.Wrong, Note: "数字不符"})); r.Verdict != duty.Wrong {
			t.Fatalf("review %+v", r)
		}
	})
}

func TestMeetingUpdateAndLists(t *testing.T) {
	eachEnv(t, at("2026-03-10 18:00"), func(t *testing.T, e *env) {
		m := must(e.duty.RecordMeeting(bg, actor, duty.NewMeeting{Kind: duty.Analysis, UnitID: e.community.ID, HeldAt: at("2026-03-10 16:30"),
			Attendance: []duty.Attendance{{WorkerID: e.w1.ID, Status: duty.Present}}}))
		if m.ReportedUp || m.Minutes != "" {
			t.Fatalf("new meeting %+v", m)
		}
		yes, minutes := true, "研判了三件事"
		u := must(e.duty.UpdateMeeting(bg, actor, m.ID, duty.MeetingPatch{ReportedUp: &yes, Minutes: &minutes,
			Attendance: []duty.Attendance{{WorkerID: e.w1.ID, Status: duty.OnLeave}, {WorkerID: e.w2.ID, Status: duty.AbsentNoLvl}}}))
		status := map[string]duty.Presence{}
		for _, a := range u.Attendance {
			status[a.WorkerID] = a.Status
		}
		if !u.ReportedUp || u.Minutes != minutes || len(status) != 2 || status[e.w1.ID] != duty.OnLeave || status[e.w2.ID] != duty.AbsentNoLvl {
			t.Fatalf("updated meeting %+v", u)
		}
		// A morning meeting cannot be reported up.
		mm := must(e.duty.RecordMeeting(bg, actor, duty.NewMeeting{Kind: duty.Morning, UnitID: e.g1.ID, HeldAt: at("2026-03-09 08:00")}))
		_, err := e.duty.UpdateMeeting(bg, actor, mm.ID, duty.MeetingPatch{ReportedUp: &yes})
		wantCode(t, err, apperr.Invalid, "kind")
		// Lists: by unit subtree, by worker listed, by kind.
		if ms := must(e.duty.Meetings(bg, duty.MeetingQuery{Scope: duty.Scope{WithinID: e.g1.ID}})); len(ms) != 1 || ms[0].ID != mm.ID {
			t.Fatalf("meetings of g1: %+v", ms)
		}
		if ms := must(e.duty.Meetings(bg, duty.MeetingQuery{Scope: duty.Scope{WorkerID: e.w2.ID}})); len(ms) != 1 || ms[0].ID != m.ID {
			t.Fatalf("meetings of w2: %+v", ms)
		}
		if ms := must(e.duty.Meetings(bg, duty.MeetingQuery{Scope: duty.Scope{WithinID: e.community.ID}, Kind: duty.Morning})); len(ms) != 1 {
			t.Fatalf("morning meetings: %+v", ms)
		}
		// Profiles: defaults, then set.
		if p := must(e.duty.Profile(bg, e.w1.ID)); p.OfficeBased || !p.AppInstalledOn.IsZero() {
			t.Fatalf("default profile %+v", p)
		}
		must(e.duty.SetProfile(bg, actor, duty.Profile{WorkerID: e.w1.ID, OfficeBased: true, AppInstalledOn: day("2026-03-01")}))
		if p := must(e.duty.Profile(bg, e.w1.ID)); !p.OfficeBased || p.AppInstalledOn != day("2026-03-01") {
			t.Fatalf("profile %+v", p)
		}
		_, err = e.duty.SetProfile(bg, actor, duty.Profile{WorkerID: e.w1.ID, AppInstalledOn: day("2026-03-11")})
		wantCode(t, err, apperr.Invalid, "app_installed_on")
		// Systems: withdrawn once.
		sys := must(e.duty.FileSystem(bg, actor, duty.System{UnitID: e.community.ID, Kind: duty.QRGPSSystem, FiledOn: day("2026-03-01")}))
		_, err = e.duty.WithdrawSystem(bg, actor, sys.ID, day("2026-03-01"))
		wantCode(t, err, apperr.Invalid, "on")
		must(e.duty.WithdrawSystem(bg, actor, sys.ID, day("2026-03-05")))
		_, err = e.duty.WithdrawSystem(bg, actor, sys.ID, day("2026-03-06"))
		wantCode(t, err, apperr.Conflict, "")
	})
}
