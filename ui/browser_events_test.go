package ui_test

// The events and supervision screens in a real browser: the centre's
// queue per stage (its counts against the store), an event's detail with
// its timeline, a step taken and an extension approved; a worker's patrol
// day on the map with its inside and outside parts and a flag; a
// spot-check round planned and published with its progress; a survey's
// results.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"gridwork/internal/auth"
	"gridwork/internal/dates"
	"gridwork/internal/demo"
	"gridwork/internal/events"
	"gridwork/internal/inspect"
	"gridwork/internal/patrol"
	"gridwork/internal/survey"
)

// signIn opens the console's login page and signs in as centre01.
func signIn(b *browser, url string) {
	b.run("login", chromedp.Navigate(url+"/login"), chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "centre01"), chromedp.SendKeys(chromedp.CSS("#password"), centrePassword),
		b.click("#login-submit"), chromedp.WaitVisible(chromedp.CSS("#current-user")))
}

// pickFirstOption clicks the first option of the open select's list (the
// lists of closed selects stay in the page, hidden).
func pickFirstOption() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(poll(`[...document.querySelectorAll('.el-select-dropdown__item')].some((e) => e.offsetParent !== null)`),
		poll(`([...document.querySelectorAll('.el-select-dropdown__item')].find((e) => e.offsetParent !== null).click(), true)`))
}

// poll waits until the JavaScript expression is true.
func poll(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr))
		return err
	})
}

func TestBrowserEvents(t *testing.T) {
	chrome := chromePath(t)
	tw := startTown(t)
	ctx := context.Background()
	if _, err := demo.LoadEvents(ctx, tw.DB, tw.Orgs, tw.Events, tw.Files, tw.demo, demo.EventOptions{Seed: demo.DefaultSeed, Scale: 0.1}); err != nil {
		t.Fatalf("load events: %v", err)
	}
	if _, err := tw.Events.IssueCards(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	// Two open events: one reported, to accept; one further on, whose
	// worker asks for more time, for the centre to approve.
	open, _, err := tw.Events.List(ctx, events.Query{Open: true})
	if err != nil {
		t.Fatal(err)
	}
	var asking events.Event
	for _, e := range open {
		if e.State != events.Reported && e.State != events.Parked {
			asking = e
			break
		}
	}
	if asking.ID == "" {
		t.Fatalf("no open event past reported among %d open events", len(open))
	}
	wu, err := tw.Users.GetUserByUsername(ctx, "w001")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Events.Act(ctx, events.Actor{UserID: wu.ID, WorkerID: wu.WorkerID}, asking.ID, events.RequestExtension,
		events.ActInput{Note: "需要市政部门配合，申请延期", Extra: "3workdays"}); err != nil {
		t.Fatalf("request an extension: %v", err)
	}

	b := newBrowser(t, chrome)
	run, value, text, click, shot := b.run, b.value, b.text, b.click, b.shot
	signIn(b, tw.url)

	// The queue: every stage's count is the store's.
	run("queue", click("#nav-events"), chromedp.WaitVisible(chromedp.CSS("#events-table .event-link")),
		poll(`document.querySelector('.stage-count[data-state="closed"]').textContent.trim() !== ''`))
	for _, st := range []string{"reported", "accepted", "dispatched", "handled", "verified", "closed", "parked", "voided"} {
		_, n, err := tw.Events.List(ctx, events.Query{State: events.State(st), Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(text("count "+st, fmt.Sprintf(`.stage-count[data-state="%s"]`, st))); got != fmt.Sprint(n) {
			t.Errorf("the %s tab counts %q, the store %d", st, got, n)
		}
	}
	// Lights and cards as the store has them: every open event is long
	// overdue (the demo is February to April 2026), so red.
	if n := value("red lights", chromedp.Evaluate[string](`String(document.querySelectorAll('#events-table .light-red').length)`)); n == "0" {
		t.Error("no red light in the open queue")
	}
	shot("events-queue")

	// The home screen's link for a light: the tabs count that light only.
	run("red queue", chromedp.Navigate(tw.url+"/events?light=red"), chromedp.WaitVisible(chromedp.CSS("#events-table .event-link")),
		poll(`document.querySelector('.stage-count[data-state="reported"]').textContent.trim() !== ''`))
	for _, st := range []string{"reported", "dispatched", "closed"} {
		_, n, err := tw.Events.List(ctx, events.Query{State: events.State(st), Light: events.Light("red"), Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(text("red count "+st, fmt.Sprintf(`.stage-count[data-state="%s"]`, st))); got != fmt.Sprint(n) {
			t.Errorf("with ?light=red the %s tab counts %q, the store %d", st, got, n)
		}
	}
	if n := value("not red", chromedp.Evaluate[string](`String(document.querySelectorAll('#events-table .light:not(.light-red)').length)`)); n != "0" {
		t.Errorf("the red queue shows %s events of another light", n)
	}

	// The accept queue; open its first event.
	run("reported tab", click("#stage-reported"), poll(`document.querySelectorAll('#events-table .event-state').length > 0 &&
		[...document.querySelectorAll('#events-table .event-state')].every((e) => e.textContent.trim() === '上报')`))
	id := value("first reported", chromedp.Evaluate[string](`document.querySelector('#events-table .event-link').dataset.event`))
	run("open event", click(fmt.Sprintf(`.event-link[data-event="%s"]`, id)), chromedp.WaitVisible(chromedp.CSS(`#event-timeline .step[data-action="report"]`)))
	before, err := tw.Events.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got := value("steps", chromedp.Evaluate[string](`String(document.querySelectorAll('#event-timeline .step').length)`)); got != fmt.Sprint(len(before.Steps)) {
		t.Errorf("the timeline shows %s steps, the store has %d", got, len(before.Steps))
	}
	// Accept it with a note: the state and the timeline follow.
	run("accept", chromedp.SendKeys(chromedp.CSS("#action-note"), "已受理，请尽快派遣"), click(`.action-btn[data-action="accept"]`),
		chromedp.WaitVisible(chromedp.CSS(`#event-state[data-state="accepted"]`)), chromedp.WaitVisible(chromedp.CSS(`#event-timeline .step[data-action="accept"]`)))
	if s := text("accept note", `#event-timeline .step[data-action="accept"]`); !strings.Contains(s, "已受理，请尽快派遣") || !strings.Contains(s, "受理") {
		t.Errorf("the accept step reads %q", s)
	}
	after, err := tw.Events.Get(ctx, id)
	if err != nil || after.State != events.Accepted || len(after.Steps) != len(before.Steps)+1 {
		t.Fatalf("after accepting in the browser the store has %s with %d steps (%v)", after.State, len(after.Steps), err)
	}
	// Dispatch it to a worker picked from the list.
	run("pick worker", click(".dispatch .el-select__wrapper"), pickFirstOption(), click(`.action-btn[data-action="dispatch"]`),
		chromedp.WaitVisible(chromedp.CSS(`#event-state[data-state="dispatched"]`)), chromedp.WaitVisible(chromedp.CSS(`#event-timeline .step[data-action="dispatch"]`)))
	after, err = tw.Events.Get(ctx, id)
	if err != nil || after.State != events.Dispatched || after.AssigneeWorkerID == "" {
		t.Fatalf("after dispatching the store has %s to %q (%v)", after.State, after.AssigneeWorkerID, err)
	}
	if s := text("assignee", "#event-assignee"); s == "" || s == after.AssigneeWorkerID {
		t.Errorf("the assignee shows %q, want the worker's name", s)
	}
	shot("events-detail")
	// Handle it with a photo of the result, uploaded from the page.
	run("handle", chromedp.SetUploadFiles(chromedp.CSS("#handle-photo"), []string{photoFile(t)}),
		chromedp.SendKeys(chromedp.CSS("#action-note"), "现场已处置完毕"), click(`.action-btn[data-action="handle"]`),
		chromedp.WaitVisible(chromedp.CSS(`#event-state[data-state="handled"]`)), chromedp.WaitVisible(chromedp.CSS(`#event-timeline .step[data-action="handle"]`)))
	after, err = tw.Events.Get(ctx, id)
	if err != nil || after.State != events.Handled {
		t.Fatalf("after handling the store has %s (%v)", after.State, err)
	}
	handlePhotos := 0
	for _, p := range after.Photos {
		if p.Stage == "handle" {
			handlePhotos++
		}
	}
	if handlePhotos != 1 {
		t.Errorf("the handled event has %d result photos, want the one uploaded", handlePhotos)
	}

	// The extension request: in the approvals list, and approved on its event.
	run("requests", click("#nav-event-requests"), chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.request-event[data-event="%s"]`, asking.ID))),
		click(fmt.Sprintf(`.request-event[data-event="%s"]`, asking.ID)),
		chromedp.WaitVisible(chromedp.CSS(`.request-status[data-kind="extension"][data-status="pending"]`)),
		click(`.approve-btn[data-kind="extension"]`),
		chromedp.WaitVisible(chromedp.CSS(`.request-status[data-kind="extension"][data-status="approved"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#event-timeline .step[data-action="approve_extension"]`)))
	got, err := tw.Events.Get(ctx, asking.ID)
	if err != nil || len(got.Requests) == 0 || got.Requests[len(got.Requests)-1].Status != "approved" {
		t.Fatalf("after approving the requests are %+v (%v)", got.Requests, err)
	}

	// The cards list holds the store's cards.
	_, cards, err := tw.Events.Cards(ctx, events.CardQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	run("cards", click("#nav-event-cards"), chromedp.WaitVisible(chromedp.CSS("#cards-table")))
	if cards > 0 {
		run("card rows", chromedp.WaitVisible(chromedp.CSS("#cards-table .card")))
	}

	// A worker's patrol day: the demo's planted teleport, which jumps out
	// of the worker's grid and back.
	day := dates.New(2026, 3, 12)
	if _, err := demo.LoadPatrols(ctx, tw.DB, tw.Orgs, tw.Patrol, tw.demo, demo.PatrolOptions{Seed: demo.DefaultSeed, From: day, To: day}); err != nil {
		t.Fatalf("load patrols: %v", err)
	}
	flags, _, err := tw.Patrol.Flags(ctx, patrol.FlagQuery{Kind: patrol.FlagTeleport, From: day, To: day})
	if err != nil || len(flags) == 0 {
		t.Fatalf("no teleport flag on %s (%v)", day, err)
	}
	view, err := tw.Patrol.Day(ctx, flags[0].WorkerID, day)
	if err != nil {
		t.Fatal(err)
	}
	teleports := 0
	for _, f := range view.Flags {
		if f.Kind == patrol.FlagTeleport {
			teleports++
		}
	}
	var in, out int
	for _, p := range view.Points {
		if p.Inside {
			in++
		} else {
			out++
		}
	}
	if in == 0 || out == 0 {
		t.Fatalf("the day has %d fixes inside and %d outside; the test needs both", in, out)
	}
	run("patrol day", click("#nav-patrols"), chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.open-flag-day[data-worker="%s"][data-day="%s"]`, flags[0].WorkerID, day))),
		click(fmt.Sprintf(`.open-flag-day[data-worker="%s"][data-day="%s"]`, flags[0].WorkerID, day)),
		chromedp.WaitVisible(chromedp.CSS("#patrol-map path.own-grid")),
		chromedp.WaitVisible(chromedp.CSS("#patrol-map path.track-inside")),
		chromedp.WaitVisible(chromedp.CSS(".flag[data-kind=teleport]")))
	if n := value("outside", chromedp.Evaluate[string](`String(document.querySelectorAll('#patrol-map path.track-outside, #patrol-map path.track-gap-outside').length)`)); n == "0" {
		t.Error("the map draws no part of the track outside the grid")
	}
	if n := value("flag mark", chromedp.Evaluate[string](`String(document.querySelectorAll('#patrol-map path.flag-mark.flag-teleport').length)`)); n != fmt.Sprint(teleports) {
		t.Errorf("the map marks %s teleports, want %d", n, teleports)
	}
	if s := text("summary", "#patrol-summary"); !strings.Contains(s, fmt.Sprintf("定位点 %d 个", view.Summary.Points)) {
		t.Errorf("the summary reads %q, want %d fixes", s, view.Summary.Points)
	}
	shot("patrol-day")
	// The next day was not loaded: an empty day, not an error.
	run("next day", click("#patrol-next"), chromedp.WaitVisible(chromedp.CSS("#patrol-empty")))
	if s := text("next summary", "#patrol-summary"); !strings.Contains(s, day.AddDays(1).String()) || !strings.Contains(s, "定位点 0 个") {
		t.Errorf("the next day's summary reads %q", s)
	}
}

func TestBrowserSupervise(t *testing.T) {
	chrome := chromePath(t)
	tw := startTown(t)
	ctx := context.Background()
	if _, err := demo.LoadInspections(ctx, tw.Inspect, tw.Orgs, tw.Users, tw.demo, demo.DefaultSeed); err != nil {
		t.Fatalf("load inspections: %v", err)
	}
	if _, err := demo.LoadSurveys(ctx, tw.DB, tw.Orgs, tw.Records, demo.DefaultSeed); err != nil {
		t.Fatalf("load surveys: %v", err)
	}
	demoRounds, err := tw.Inspect.ListRounds(ctx)
	if err != nil || len(demoRounds) == 0 {
		t.Fatalf("demo rounds: %v %v", demoRounds, err)
	}

	b := newBrowser(t, chrome)
	run, value, text, click, shot := b.run, b.value, b.text, b.click, b.shot
	signIn(b, tw.url)

	// Draw a round for next month with the defaults, then publish it.
	run("rounds", click("#nav-rounds"), chromedp.WaitVisible(chromedp.CSS(".open-round")),
		poll(`document.querySelector('.plan').dataset.unit !== ''`), click("#round-plan"),
		chromedp.WaitVisible(chromedp.CSS("#round-progress")))
	rounds, err := tw.Inspect.ListRounds(ctx)
	if err != nil || len(rounds) != len(demoRounds)+1 {
		t.Fatalf("after planning the store has %d rounds (%v), want %d", len(rounds), err, len(demoRounds)+1)
	}
	var planned string
	for _, r := range rounds {
		if r.PublishedAt == nil {
			planned = r.ID
		}
	}
	drawn, err := tw.Inspect.GetRound(ctx, planned, true)
	if err != nil || len(drawn.Visits) == 0 {
		t.Fatalf("the planned round %s: %d visits (%v)", planned, len(drawn.Visits), err)
	}
	if s := text("progress", "#round-progress"); s != fmt.Sprintf("已检 0 / 应检 %d", len(drawn.Visits)) {
		t.Errorf("the new round's progress reads %q, want 0 of %d", s, len(drawn.Visits))
	}
	if n := value("visit rows", chromedp.Evaluate[string](`String(document.querySelectorAll('#round-visits .visit-status[data-status="planned"]').length)`)); n != fmt.Sprint(len(drawn.Visits)) {
		t.Errorf("the round lists %s planned visits, the store drew %d", n, len(drawn.Visits))
	}
	run("publish", click("#round-publish"), chromedp.WaitVisible(chromedp.CSS("#round-published")))
	pub, err := tw.Inspect.GetRound(ctx, planned, true)
	if err != nil || pub.PublishedAt == nil || pub.Seed == nil {
		t.Fatalf("after publishing the round is %+v (%v)", pub, err)
	}
	if s := text("seed", "#round-seed"); s != *pub.Seed {
		t.Errorf("the page shows seed %q, the store %q", s, *pub.Seed)
	}
	run("verify the draw", click("#round-verify"), chromedp.WaitVisible(chromedp.CSS(`#round-verified[data-ok="true"]`)))

	// A demo round with its visits done: progress, failures and the
	// results per community as the store has them.
	demoRound, err := tw.Inspect.GetRound(ctx, demoRounds[0].ID, true)
	if err != nil {
		t.Fatal(err)
	}
	done, failed := 0, 0
	for _, v := range demoRound.Visits {
		if v.Status == "done" {
			done++
		}
		if v.Verdict == "fail" {
			failed++
		}
	}
	run("demo round", click("#nav-rounds"), chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.open-round[data-round="%s"]`, demoRound.ID))),
		click(fmt.Sprintf(`.open-round[data-round="%s"]`, demoRound.ID)), chromedp.WaitVisible(chromedp.CSS("#round-results .result-community")))
	if s := text("demo progress", "#round-progress"); s != fmt.Sprintf("已检 %d / 应检 %d", done, len(demoRound.Visits)) {
		t.Errorf("the demo round's progress reads %q, want %d of %d", s, done, len(demoRound.Visits))
	}
	if s := value("failed", chromedp.Evaluate[string](`document.querySelector('#round-failed').getAttribute('data-failed')`)); s != fmt.Sprint(failed) {
		t.Errorf("the round counts %s failed visits, the store %d", s, failed)
	}
	shot("supervise-round")

	// The first survey's results: totals, flags and each grid's rate.
	surveys, err := tw.Survey.List(ctx, survey.Query{})
	if err != nil || len(surveys) == 0 {
		t.Fatalf("surveys: %v %v", surveys, err)
	}
	res, err := tw.Survey.Results(ctx, surveys[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	run("surveys", click("#nav-surveys"), chromedp.WaitVisible(chromedp.CSS("#survey-total")), chromedp.WaitVisible(chromedp.CSS("#survey-grids .survey-rate")))
	if s := value("valid", chromedp.Evaluate[string](`document.querySelector('#survey-total').getAttribute('data-valid')`)); s != fmt.Sprint(res.Total.Valid) {
		t.Errorf("the survey counts %s valid answers, the store %d", s, res.Total.Valid)
	}
	g := res.Grids[0]
	if s := text("grid rate", fmt.Sprintf(`.survey-rate[data-grid="%s"]`, g.GridID)); s != fmt.Sprintf("%.1f%%", g.Rate) {
		t.Errorf("grid %s's rate reads %q, want %.1f%%", g.GridName, s, g.Rate)
	}
	if res.Flagged > 0 {
		if s := value("flagged", chromedp.Evaluate[string](`document.querySelector('#survey-flagged').getAttribute('data-flagged')`)); s != fmt.Sprint(res.Flagged) {
			t.Errorf("the page flags %s grids, the store %d", s, res.Flagged)
		}
		if n := value("flag tags", chromedp.Evaluate[string](`String(document.querySelectorAll('#survey-grids .survey-flag').length)`)); n == "0" {
			t.Error("no grid carries its flag")
		}
	}
	shot("supervise-surveys")

	// The quizzes: every worker's, as the store has them.
	quizzes, err := tw.Inspect.AllQuizzes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	run("quizzes", click("#nav-quizzes"), chromedp.WaitVisible(chromedp.CSS("#quiz-summary")),
		poll(fmt.Sprintf(`document.querySelectorAll('#quiz-table .quiz-score').length === %d`, len(quizzes))))
	if s := text("quiz summary", "#quiz-summary"); !strings.Contains(s, fmt.Sprintf("共 %d 份", len(quizzes))) {
		t.Errorf("the quiz summary reads %q, want %d quizzes", s, len(quizzes))
	}

	// A complaint recorded by an inspector, verified by the centre; the
	// list holds every finding and complaint the store has.
	insp, err := tw.Users.GetUserByUsername(ctx, "insp01")
	if err != nil {
		t.Fatal(err)
	}
	complaint, err := tw.Inspect.RecordReport(ctx, insp.ID, inspect.NewReport{Kind: inspect.Complaint, WorkerID: workerAccount(t, tw, "w001").WorkerID,
		FoundOn: dates.Today(), Source: "12345热线", Description: "居民反映多次联系不上网格员"})
	if err != nil {
		t.Fatal(err)
	}
	reports, err := tw.Inspect.Reports(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	row := fmt.Sprintf(`.failing-status[data-report="%s"]`, complaint.ID)
	run("failings", click("#nav-failings"), poll(fmt.Sprintf(`document.querySelectorAll('#failings-table .failing-status').length === %d`, len(reports))),
		chromedp.WaitVisible(chromedp.CSS(row+`[data-status="pending"]`)))
	run("verify", click(fmt.Sprintf(`.verify-btn[data-report="%s"]`, complaint.ID)), chromedp.WaitVisible(chromedp.CSS("#failing-error")))
	if s := text("no decision", "#failing-error"); !strings.Contains(s, "决定理由") {
		t.Errorf("verifying without a reason shows %q; want the field named", s)
	}
	run("verify with reason", chromedp.SendKeys(chromedp.CSS(fmt.Sprintf(`tr:has(%s) .note input`, row)), "经回访核实属实"),
		click(fmt.Sprintf(`.verify-btn[data-report="%s"]`, complaint.ID)), chromedp.WaitVisible(chromedp.CSS(row+`[data-status="verified"]`)))
	if got, err := tw.Inspect.GetReport(ctx, complaint.ID); err != nil || got.Status != "verified" || got.Decision != "经回访核实属实" {
		t.Errorf("after verifying the complaint is %+v (%v)", got, err)
	}
}

// workerAccount is a grid worker's account.
func workerAccount(t *testing.T, tw *town, username string) auth.User {
	t.Helper()
	u, err := tw.Users.GetUserByUsername(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
