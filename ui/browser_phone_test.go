package ui_test

// The phone app and the public survey in a real browser. TestBrowserPhone
// is grid worker w001 on a phone-sized screen: today's tasks counted as the
// stores count them; a patrol with a faked GPS whose batches wait offline
// and arrive exactly once; a rental's QR code typed in and its scan stored
// (and the /r/<token> link, signed in and signed out); a leave request, a
// work sheet signed in and out, and a quiz answered. TestBrowserPublicSurvey
// answers a grid's satisfaction survey with a household code, then is
// refused in Chinese when the code is used again.

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"gridwork/internal/care"
	"gridwork/internal/dates"
	"gridwork/internal/demo"
	"gridwork/internal/duty"
	"gridwork/internal/events"
	"gridwork/internal/inspect"
	"gridwork/internal/org"
	"gridwork/internal/records"
	"gridwork/internal/survey"
)

// poll waits (up to a minute) until the page's expression is true.
func (b *browser) poll(step, expr string) {
	b.t.Helper()
	b.run(step, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr))
		return err
	}))
}

// offline turns the page's network off or on.
func (b *browser) offline(off bool) {
	t := b.t
	t.Helper()
	_, err := chromedp.Call(b.ctx, network.Enable, network.EnableParams{})
	if err == nil {
		_, err = chromedp.Call(b.ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: []*network.Conditions{{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}}})
	}
	if err == nil {
		_, err = chromedp.Call(b.ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1})
	}
	if err != nil {
		t.Fatalf("network offline=%v: %v", off, err)
	}
}

// gps moves the phone's faked position.
func (b *browser) gps(lat, lon float64) {
	b.t.Helper()
	acc := 8.0
	if _, err := chromedp.Call(b.ctx, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{Latitude: &lat, Longitude: &lon, Accuracy: &acc}); err != nil {
		b.t.Fatalf("geolocation override: %v", err)
	}
}

// centroid is the mean of a GeoJSON polygon's outer ring (without its
// closing point).
func centroid(t *testing.T, geometry string) (lat, lon float64) {
	var g struct {
		Coordinates [][][2]float64 `json:"coordinates"`
	}
	if err := json.Unmarshal([]byte(geometry), &g); err != nil || len(g.Coordinates) == 0 {
		t.Fatalf("grid geometry %q: %v", geometry, err)
	}
	ring := g.Coordinates[0][:len(g.Coordinates[0])-1]
	for _, p := range ring {
		lon += p[0] / float64(len(ring))
		lat += p[1] / float64(len(ring))
	}
	return lat, lon
}

func TestBrowserPhone(t *testing.T) {
	chrome := chromePath(t)
	tw := startTown(t)
	ctx := context.Background()
	// Activity beyond the records: events (some dispatched to workers and
	// still open) and spot checks (failures send fix tasks).
	if _, err := demo.LoadEvents(ctx, tw.DB, tw.Orgs, tw.Events, tw.Files, tw.demo, demo.EventOptions{Seed: demo.DefaultSeed, Scale: 0.3}); err != nil {
		t.Fatalf("load events: %v", err)
	}
	if _, err := demo.LoadInspections(ctx, tw.Inspect, tw.Orgs, tw.Users, tw.demo, demo.DefaultSeed); err != nil {
		t.Fatalf("load inspections: %v", err)
	}
	wu, err := tw.Users.GetUserByUsername(ctx, "w001")
	if err != nil {
		t.Fatal(err)
	}
	worker := wu.WorkerID
	today := dates.Today()
	asg, _, err := tw.Orgs.ListAssignments(ctx, org.AssignmentQuery{WorkerID: worker, On: today})
	if err != nil || len(asg) == 0 {
		t.Fatalf("w001's grids today: %v %v", asg, err)
	}
	mine := map[string]bool{}
	for _, a := range asg {
		mine[a.GridID] = true
	}
	// A special-care subject in w001's grid, never visited: due today.
	people, _, err := tw.Records.ListPeople(ctx, records.PersonQuery{GridID: asg[0].GridID, Status: records.Active, Limit: 1})
	if err != nil || len(people) == 0 {
		t.Fatalf("a person in w001's grid: %v %v", people, err)
	}
	groups, err := tw.Care.Groups(ctx)
	if err != nil || len(groups) == 0 {
		t.Fatalf("care groups: %v %v", groups, err)
	}
	group := groups[0]
	for _, g := range groups {
		if g.Plan == care.Interval {
			group = g
		}
	}
	if _, err := tw.Care.Register(ctx, "test", care.NewSubject{PersonID: people[0].ID, GroupCode: group.Code, Risk: care.Risk("high"),
		BeganOn: today.AddDays(-400)}); err != nil {
		t.Fatalf("register a care subject: %v", err)
	}

	// Today's tasks as the stores count them: home visits and special-care
	// visits due in my grids, my open fix tasks, open events dispatched to me.
	due, err := tw.Care.Overdue(ctx, today, wu.ScopeUnitID)
	if err != nil {
		t.Fatal(err)
	}
	careN := 0
	for _, d := range due {
		if mine[d.GridID] {
			careN++
		}
	}
	homes, err := tw.Records.HomeVisitsDue(ctx, today, wu.ScopeUnitID, "")
	if err != nil {
		t.Fatal(err)
	}
	homeN := 0
	for _, h := range homes {
		if mine[h.GridID] {
			homeN++
		}
	}
	// A spot check of w001's grid that found a fault: a fix task for w001.
	// A round over w001's community visits every one of its grids.
	communityGrids, _, err := tw.Orgs.ListUnits(ctx, org.UnitQuery{On: today, Level: org.Grid, WithinID: wu.ScopeUnitID, WithoutGeometry: true})
	if err != nil {
		t.Fatal(err)
	}
	centreUser, err := tw.Users.GetUserByUsername(ctx, "centre01")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Inspect.PlanRound(ctx, centreUser.ID, inspect.NewRound{UnitID: wu.ScopeUnitID, From: today, To: today.AddDays(6),
		Grids: len(communityGrids), Households: 2, Seed: 7}); err != nil {
		t.Fatalf("plan a spot-check round over w001's community: %v", err)
	}
	planned, err := tw.Inspect.ListVisits(ctx, inspect.VisitQuery{WorkerID: worker, Status: "planned"})
	if err != nil {
		t.Fatal(err)
	}
	if len(planned) > 0 {
		v := planned[0]
		round, err := tw.Inspect.GetRound(ctx, v.RoundID, true)
		if err != nil {
			t.Fatal(err)
		}
		var checks []inspect.Check
		failed := false
		for _, it := range round.Form.Items {
			targets := []string{""}
			if it.Scope == inspect.PerHousehold {
				targets = v.Households
			}
			for _, h := range targets {
				fail := !failed && it.Task != ""
				failed = failed || fail
				checks = append(checks, inspect.Check{Item: it.Code, HouseID: h, OK: !fail, Note: map[bool]string{true: "发现问题", false: ""}[fail]})
			}
		}
		if _, err := tw.Inspect.RecordVisit(ctx, v.InspectorID, v.ID, inspect.Result{Checks: checks}); err != nil {
			t.Fatalf("record a spot check of w001's grid: %v", err)
		}
	} else {
		t.Fatal("the round drew no visit of w001's grid")
	}
	fixes, err := tw.Inspect.Tasks(ctx, inspect.TaskQuery{WorkerID: worker, Status: "open"})
	if err != nil {
		t.Fatal(err)
	}
	_, eventN, err := tw.Events.List(ctx, events.Query{WithinID: wu.ScopeUnitID, AssigneeID: worker, Open: true, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	wantTasks := homeN + careN + len(fixes) + eventN
	t.Logf("w001's tasks today: %d home visits due, %d care visits due, %d fix tasks, %d events", homeN, careN, len(fixes), eventN)
	if wantTasks == 0 {
		t.Fatal("w001 has no task today: the test would show nothing")
	}

	b := newBrowser(t, chrome)
	run, value, shot, click, text := b.run, b.value, b.shot, b.click, b.text
	if _, err := chromedp.CallBrowser(b.ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
		Permission: &cdpbrowser.PermissionDescriptor{Name: "geolocation"}, Setting: cdpbrowser.PermissionSettingGranted, Origin: tw.url}); err != nil {
		t.Fatalf("grant geolocation: %v", err)
	}
	grid, err := tw.Orgs.GetUnit(ctx, asg[0].GridID, today)
	if err != nil {
		t.Fatal(err)
	}
	lat, lon := centroid(t, grid.Geometry)
	b.gps(lat, lon)

	run("phone login", chromedp.EmulateViewport(390, 780, chromedp.EmulateMobile), chromedp.Navigate(tw.url+"/m/"),
		chromedp.WaitVisible(chromedp.CSS("#m-username")), chromedp.SendKeys(chromedp.CSS("#m-username"), "w001"),
		chromedp.SendKeys(chromedp.CSS("#m-password"), centrePassword), click("#m-login-submit"),
		chromedp.WaitVisible(chromedp.CSS("#m-today")))
	b.poll("tasks loaded", `document.querySelector('#m-tasks-count').dataset.loaded === 'true'`)
	if n := value("task count", chromedp.Evaluate[string]("document.querySelector('#m-tasks-count').dataset.count")); n != strconv.Itoa(wantTasks) {
		t.Errorf("the phone counts %s tasks today, the stores %d", n, wantTasks)
	}
	if s := text("tasks heading", "#m-tasks-count"); !strings.Contains(s, fmt.Sprintf("今日任务 %d 项", wantTasks)) {
		t.Errorf("the tasks heading says %q", s)
	}
	for kind, n := range map[string]int{"home": homeN, "care": careN, "fix": len(fixes), "event": eventN} {
		got := value("tasks of "+kind, chromedp.Evaluate[string](fmt.Sprintf(`String(document.querySelectorAll('.m-task[data-kind="%s"]').length)`, kind)))
		if got != strconv.Itoa(n) {
			t.Errorf("the list shows %s %s tasks, the store has %d", got, kind, n)
		}
	}
	run("grid map", chromedp.WaitVisible(chromedp.CSS("#m-today .gridmap path")))
	shot("phone-tasks")
	// A fix task marked done with what was fixed.
	if len(fixes) == 0 {
		t.Fatal("the failed spot check sent w001 no fix task")
	}
	{
		fix := fmt.Sprintf(`.m-task[data-kind="fix"][data-id="%s"]`, fixes[0].ID)
		run("fix task", click(fix), chromedp.WaitVisible(chromedp.CSS(".m-fix-note textarea")),
			chromedp.SendKeys(chromedp.CSS(".m-fix-note textarea"), "已督促住户补登，台账已更新"), click(".m-fix-done"), chromedp.WaitNotPresent(chromedp.CSS(fix)))
		var done inspect.Task
		for deadline := time.Now().Add(20 * time.Second); ; {
			if done, err = tw.Inspect.GetTask(ctx, fixes[0].ID); err != nil {
				t.Fatal(err)
			}
			if done.Status == "done" || time.Now().After(deadline) {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if done.Status != "done" || done.DoneNote != "已督促住户补登，台账已更新" {
			t.Errorf("the fix task is %+v after marking it done on the phone", done)
		}
	}
	// The special-care subject's visit, recorded from the list.
	var subject string
	for _, d := range due {
		if mine[d.GridID] {
			subject = d.SubjectID
		}
	}
	careTask := fmt.Sprintf(`.m-task[data-kind="care"][data-id="%s"]`, subject)
	run("care visit", click(careTask), chromedp.WaitVisible(chromedp.CSS(".m-care-note textarea")),
		chromedp.SendKeys(chromedp.CSS(".m-care-note textarea"), "本人在家，情绪稳定，按时服药"),
		chromedp.SetUploadFiles(chromedp.CSS(".m-care-photo"), []string{photoFile(t)}), click(".m-care-done"),
		chromedp.WaitNotPresent(chromedp.CSS(careTask)))
	var visits []care.Visit
	for deadline := time.Now().Add(20 * time.Second); ; {
		if visits, err = tw.Care.Visits(ctx, "test", subject); err != nil {
			t.Fatal(err)
		}
		if len(visits) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(visits) != 1 || visits[0].ClientID == "" || visits[0].Photo == "" || !visits[0].Confirmed || visits[0].Notes != "本人在家，情绪稳定，按时服药" {
		t.Errorf("the care subject's visits are %+v; want the one recorded on the phone, with its photo", visits)
	}
	// An event dispatched to me, handled from the list with a photo.
	evs, _, err := tw.Events.List(ctx, events.Query{WithinID: wu.ScopeUnitID, AssigneeID: worker, Open: true, Limit: 1})
	if err != nil || len(evs) == 0 {
		t.Fatalf("an open event dispatched to w001: %v %v", evs, err)
	}
	ev := fmt.Sprintf(`.m-task[data-kind="event"][data-id="%s"]`, evs[0].ID)
	run("handle event", click(ev), chromedp.WaitVisible(chromedp.CSS(".m-handle-note textarea")),
		chromedp.SendKeys(chromedp.CSS(".m-handle-note textarea"), "已联系物业更换灯杆，现场恢复正常"),
		chromedp.SetUploadFiles(chromedp.CSS(".m-handle-photo"), []string{photoFile(t)}), click(".m-handle-done"),
		chromedp.WaitNotPresent(chromedp.CSS(ev)))
	var handled events.Event
	for deadline := time.Now().Add(20 * time.Second); ; {
		if handled, err = tw.Events.Get(ctx, evs[0].ID); err != nil {
			t.Fatal(err)
		}
		if handled.HandledAt != nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if s := value("outbox", chromedp.Evaluate[string](`[...document.querySelectorAll('.m-item')].map((e) => e.textContent).join(' | ')`)); s != "" {
		t.Errorf("after handling the event the outbox holds %s", s)
	}
	if handled.State != events.State("handled") || handled.HandledAt == nil {
		t.Errorf("the event dispatched to w001 is %s after handling it on the phone", handled.State)
	}
	var resultPhotos int
	if err := tw.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM event_photos WHERE event_id = $1 AND stage <> 'report'`, evs[0].ID).Scan(&resultPhotos); err != nil || resultPhotos != 1 {
		t.Errorf("the handled event has %d result photos (%v), want the one taken", resultPhotos, err)
	}
	// The phone said it is the app: today's login counts as an app login.
	logins, err := tw.Duty.Logins(ctx, duty.Scope{WorkerID: worker}, today, today)
	if err != nil {
		t.Fatal(err)
	}
	if len(logins) != 1 || logins[0].Client != duty.App {
		t.Errorf("w001's logins today are %+v; want one, by the app (X-Gridwork-Client: app)", logins)
	}

	// A patrol: started online, then without signal a batch of fixes
	// waits in the outbox; back online it is sent; stopped, the rest goes.
	storedPoints := func() int {
		var n int
		if err := tw.DB.QueryRowContext(ctx, `SELECT COALESCE(SUM(points), 0) FROM patrol_batches WHERE worker_id = $1`, worker).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	run("start patrol", click("#m-patrol-start"), chromedp.WaitVisible(chromedp.CSS("#m-patrol-stop")))
	b.poll("first fix", `document.querySelector('#m-patrol').dataset.waiting !== '0'`)
	b.offline(true)
	run("offline badge", chromedp.WaitVisible(chromedp.CSS("#net-state")))
	for i := 1; i <= 6; i++ {
		b.gps(lat+float64(i)*0.0001, lon+float64(i)*0.0001)
		run("walk", chromedp.Sleep(300*time.Millisecond))
	}
	b.poll("a batch waits", `document.querySelectorAll('.m-item[data-kind="patrol"]').length >= 1`)
	if n := storedPoints(); n != 0 {
		t.Fatalf("offline, %d fixes arrived", n)
	}
	if s := text("net state", "#net-state"); s != "离线" {
		t.Errorf("the network badge says %q offline", s)
	}
	shot("phone-patrol")
	// The first waiting batch, to send again later (as after a lost answer).
	firstBatch := value("waiting batch", chromedp.Evaluate[string](`new Promise((ok, fail) => { const r = indexedDB.open('gridwork-m'); r.onsuccess = () => {
		const q = r.result.transaction('outbox').objectStore('outbox').getAll(); q.onsuccess = () => ok(JSON.stringify(q.result.find((x) => x.kind === 'patrol'))); q.onerror = () => fail(q.error) } })`,
		chromedp.EvalAwaitPromise))
	b.offline(false)
	b.poll("batches sent", `document.querySelectorAll('.m-item[data-kind="patrol"]').length === 0 && document.querySelector('#m-patrol').dataset.sent !== '0'`)
	b.gps(lat+0.001, lon+0.001)
	run("one more fix", chromedp.Sleep(500*time.Millisecond))
	run("stop patrol", click("#m-patrol-stop"), chromedp.WaitVisible(chromedp.CSS("#m-patrol-start")))
	b.poll("all sent", `document.querySelectorAll('.m-item').length === 0 && document.querySelector('#m-patrol').dataset.waiting === '0'`)
	sent, _ := strconv.Atoi(value("sent fixes", chromedp.Evaluate[string]("document.querySelector('#m-patrol').dataset.sent")))
	if sent < 6 {
		t.Errorf("the phone sent %d fixes; want at least the 6 taken offline", sent)
	}
	check := func(when string) {
		t.Helper()
		if n := storedPoints(); n != sent {
			t.Errorf("%s: the patrol store holds %d fixes, the phone sent %d", when, n, sent)
		}
		day, err := tw.Patrol.Day(ctx, worker, today)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[time.Time]bool{}
		for _, p := range day.Points {
			if seen[p.At] {
				t.Errorf("%s: the fix at %s is stored twice", when, p.At)
			}
			seen[p.At] = true
		}
		if len(day.Points) != sent {
			t.Errorf("%s: w001's day has %d fixes, the phone sent %d", when, len(day.Points), sent)
		}
	}
	check("after the patrol")
	var markers int
	if err := tw.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM patrol_markers WHERE worker_id = $1`, worker).Scan(&markers); err != nil || markers != 2 {
		t.Errorf("w001 has %d patrol markers (%v), want a start and a stop", markers, err)
	}
	// Sent again with its id: stored nothing.
	put := fmt.Sprintf(`new Promise((ok, fail) => { const r = indexedDB.open('gridwork-m'); r.onsuccess = () => {
		const tx = r.result.transaction('outbox', 'readwrite'); tx.objectStore('outbox').put(%s);
		tx.oncomplete = () => ok(true); tx.onerror = () => fail(tx.error) } })`, firstBatch)
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](put, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("put the batch back in the outbox: %v", err)
	}
	sentBefore := value("sent so far", chromedp.Evaluate[string](`document.querySelector('#m-sent').textContent.match(/\d+/)[0]`))
	n, _ := strconv.Atoi(sentBefore)
	run("resend batch", click("#m-tab-outbox"), click("#m-send"))
	b.poll("resent", fmt.Sprintf(`document.querySelector('#m-sent').textContent.includes('已发送 %d 条') && !document.querySelector('.m-item')`, n+1))
	check("after a resend")

	// A rental's QR code, typed in (headless Chromium has no camera).
	var rental records.Rental
	for _, a := range asg {
		rs, _, err := tw.Records.ListRentals(ctx, records.RentalQuery{GridID: a.GridID, Status: records.Active, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) > 0 {
			rental = rs[0]
			break
		}
	}
	if rental.ID == "" {
		t.Fatal("w001's grids have no rental")
	}
	// The demo's own scans of the rental are not counted.
	scansBefore := -1
	scans := func() int {
		var n int
		if err := tw.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM rental_scans WHERE rental_id = $1 AND worker_id = $2`, rental.ID, worker).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if scansBefore < 0 {
			scansBefore = n
		}
		return n - scansBefore
	}
	scans()
	run("scan", click("#m-tab-today"), click("#m-open-qr"), chromedp.WaitVisible(chromedp.CSS("#m-qr-input")),
		chromedp.SendKeys(chromedp.CSS("#m-qr-input"), "http://grid.test/r/"+rental.QRToken), click("#m-qr-lookup"),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#m-qr-rental[data-rental="%s"]`, rental.ID))))
	// Queued first, then sent: the page says so when the server has it.
	b.poll("scan sent", `document.querySelector('#m-qr-recorded').textContent.includes('已记录')`)
	shot("phone-qr")
	if n := scans(); n != 1 {
		t.Errorf("the rental has %d scans by w001, want 1", n)
	}
	// Without signal the rental is found among those kept on the phone and
	// the scan waits in the outbox until the network returns.
	b.offline(true)
	run("scan offline", click("#m-tab-today"), click("#m-open-qr"), chromedp.WaitVisible(chromedp.CSS("#m-qr-input")),
		chromedp.SendKeys(chromedp.CSS("#m-qr-input"), rental.QRToken), click("#m-qr-lookup"),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#m-qr-rental[data-rental="%s"]`, rental.ID))))
	b.poll("scan queued", `document.querySelector('#m-qr-recorded').textContent.includes('联网后') && document.querySelectorAll('.m-item[data-kind="scan"]').length === 1`)
	if n := scans(); n != 1 {
		t.Errorf("offline, the rental's scans went to %d", n)
	}
	b.offline(false)
	b.poll("offline scan sent", `document.querySelectorAll('.m-item').length === 0`)
	if n := scans(); n != 2 {
		t.Errorf("back online the rental has %d scans by w001, want 2", n)
	}
	// The QR code's own link opens the app's rental view and records a scan.
	run("qr link", chromedp.Navigate(tw.url+"/r/"+rental.QRToken),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#m-qr-rental[data-rental="%s"]`, rental.ID))), chromedp.WaitVisible(chromedp.CSS("#m-qr-recorded")))
	b.poll("second scan sent", `document.querySelector('#m-qr-recorded').textContent.includes('已记录')`)
	if n := scans(); n != 3 {
		t.Errorf("after opening the QR link the rental has %d scans by w001, want 3", n)
	}

	// A leave request.
	run("leave", click("#m-tab-today"), click("#m-open-leave"), chromedp.WaitVisible(chromedp.CSS("#m-leave-reason textarea, #m-leave-reason")),
		chromedp.SendKeys(chromedp.CSS("#m-leave-reason"), "家中老人就医，需陪同"), click(`.m-leave-kind[data-kind="sick"]`), click("#m-leave-submit"))
	b.poll("leave answered", `document.querySelector('#m-leave-notice, #m-leave-error') !== null && !document.querySelector('#m-leave-notice, #m-leave-error').textContent.includes('联网后')`)
	if s := text("leave sent", "#m-leave-notice"); !strings.Contains(s, "已提交") {
		t.Errorf("after the leave request the page says %q", s)
	}
	slips, err := tw.Duty.ListLeave(ctx, duty.LeaveQuery{Scope: duty.Scope{WorkerID: worker}})
	if err != nil {
		t.Fatal(err)
	}
	if len(slips) != 1 || slips[0].Reason != "家中老人就医，需陪同" || slips[0].Kind != duty.SickLeave || slips[0].Status != duty.LeaveStatus("requested") || slips[0].ClientID == "" {
		t.Errorf("w001's leave slips are %+v; want the sick leave just requested, with the phone's id", slips)
	}

	// The day's work sheet: signed in with a plan, out with the result.
	run("work sheet", click("#m-tab-today"), click("#m-open-sheet"), chromedp.WaitVisible(chromedp.CSS("#m-sheet-plan")),
		chromedp.SendKeys(chromedp.CSS("#m-sheet-plan"), "走访3户独居老人，巡查出租房屋"), click("#m-sheet-signin"),
		chromedp.WaitVisible(chromedp.CSS("#m-sheet-result")), chromedp.SendKeys(chromedp.CSS("#m-sheet-result"), "已走访3户，发现1处消防隐患已上报"),
		click("#m-sheet-signout"), chromedp.WaitVisible(chromedp.CSS("#m-sheet-done")))
	shot("phone-worksheet")
	sheets, err := tw.Duty.Sheets(ctx, duty.Scope{WorkerID: worker}, today, today)
	if err != nil {
		t.Fatal(err)
	}
	if len(sheets) != 1 || sheets[0].Plan != "走访3户独居老人，巡查出租房屋" || sheets[0].SignedOutAt == nil || sheets[0].Result != "已走访3户，发现1处消防隐患已上报" {
		t.Errorf("w001's work sheets today are %+v; want one signed in and out", sheets)
	}

	// A quiz drawn by the centre, answered on the phone.
	centre, err := tw.Users.GetUserByUsername(ctx, "centre01")
	if err != nil {
		t.Fatal(err)
	}
	quiz, err := tw.Inspect.DrawQuiz(ctx, centre.ID, worker, "", 0)
	if err != nil {
		t.Fatalf("draw a quiz: %v", err)
	}
	row := fmt.Sprintf(`.m-quiz-row[data-quiz="%s"]`, quiz.ID)
	run("quiz", click("#m-tab-today"), click("#m-open-quiz"), click(row), chromedp.WaitVisible(chromedp.CSS(".m-question")))
	for i := range quiz.Questions {
		run("answer", click(fmt.Sprintf(`.m-question[data-index="%d"] .m-choice[data-choice="0"]`, i)))
	}
	run("submit quiz", click("#m-quiz-submit"), chromedp.WaitVisible(chromedp.CSS(row+`[data-status="submitted"]`)))
	got, err := tw.Inspect.GetQuiz(ctx, quiz.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != "submitted" || len(got.Answers) != len(quiz.Questions) || got.Wrong == nil {
		t.Errorf("the quiz is %+v after answering; want it submitted and marked", got)
	}
	if s := text("quiz result", row); !strings.Contains(s, fmt.Sprintf("答错 %d 题", *got.Wrong)) {
		t.Errorf("the quiz row says %q; the store marked %d wrong", s, *got.Wrong)
	}

	// Signed out, the QR link is a plain notice (a resident scanning it).
	if _, err := chromedp.Call(b.ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	run("qr signed out", chromedp.Navigate(tw.url+"/r/"+rental.QRToken), chromedp.WaitVisible(chromedp.CSS("#m-qr-public")),
		chromedp.WaitVisible(chromedp.CSS("#m-username")))
	if s := text("public notice", "#m-qr-public"); !strings.Contains(s, "出租房屋") || strings.Contains(s, rental.LandlordName) {
		t.Errorf("signed out, the QR page says %q", s)
	}
	if n := scans(); n != 3 {
		t.Errorf("a signed-out visit changed the scans to %d", n)
	}
}

func TestBrowserPublicSurvey(t *testing.T) {
	chrome := chromePath(t)
	tw := startTown(t)
	ctx := context.Background()
	// The SMS gateway, set before the server has served anything.
	sms := &smsBox{last: map[string]string{}}
	tw.Survey.Sender = sms
	centre, err := tw.Users.GetUserByUsername(ctx, "centre01")
	if err != nil {
		t.Fatal(err)
	}
	streets, _, err := tw.Orgs.ListUnits(ctx, org.UnitQuery{On: dates.Today(), Level: org.Street, WithoutGeometry: true})
	if err != nil || len(streets) != 1 {
		t.Fatalf("street: %v %v", streets, err)
	}
	today := dates.Today()
	sv, err := tw.Survey.Create(ctx, centre.ID, survey.NewSurvey{UnitID: streets[0].ID, Period: fmt.Sprintf("%04d-%02d", today.Year(), int(today.Month()))})
	if err != nil {
		t.Fatalf("create survey: %v", err)
	}
	if _, err := tw.Survey.Open(ctx, centre.ID, sv.ID); err != nil {
		t.Fatalf("open survey: %v", err)
	}
	grids, _, err := tw.Orgs.ListUnits(ctx, org.UnitQuery{On: today, Level: org.Grid, WithoutGeometry: true, Limit: 1})
	if err != nil || len(grids) == 0 {
		t.Fatal(err)
	}
	grid := grids[0].ID
	codes, err := tw.Survey.GridCodes(ctx, centre.ID, grid)
	if err != nil || len(codes) == 0 {
		t.Fatalf("household codes of %s: %v %v", grid, codes, err)
	}
	answers := func() int {
		var n int
		if err := tw.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM survey_answers WHERE survey_id = $1 AND grid_id = $2 AND method = 'household'`, sv.ID, grid).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	b := newBrowser(t, chrome)
	run, shot, click, text := b.run, b.shot, b.click, b.text
	link := fmt.Sprintf("%s/p/?survey=%s&code=%s", tw.url, grid, codes[0].Code)
	// Every question answered: the first choice, or a sentence.
	fill := chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { for (const q of document.querySelectorAll('.question')) {
			const r = q.querySelector('input[type=radio]'); if (r) { r.click(); continue }
			const ta = q.querySelector('textarea'); ta.value = '网格员很负责，经常上门'; ta.dispatchEvent(new Event('input')) } return true })()`))
		return err
	})
	run("survey", chromedp.EmulateViewport(390, 780, chromedp.EmulateMobile), chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#survey-form .question")))
	if v := b.value("code", chromedp.Evaluate[string]("document.querySelector('#survey-code').value")); v != codes[0].Code {
		t.Errorf("the code field holds %q, want the link's %q", v, codes[0].Code)
	}
	run("answer", fill)
	shot("public-survey")
	run("submit", click("#survey-submit"), chromedp.WaitVisible(chromedp.CSS("#survey-thanks")))
	if s := text("thanks", "#survey-thanks"); !strings.Contains(s, "感谢") {
		t.Errorf("after answering the page says %q", s)
	}
	if n := answers(); n != 1 {
		t.Fatalf("the grid has %d household answers, want 1", n)
	}
	// The same household again: refused, in Chinese, and nothing stored.
	run("again", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#survey-form .question")), fill, click("#survey-submit"),
		chromedp.WaitVisible(chromedp.CSS("#survey-error")))
	if s := text("refusal", "#survey-error"); !strings.Contains(s, "该户已参加过本次测评") {
		t.Errorf("a used code shows %q", s)
	}
	if n := answers(); n != 1 {
		t.Errorf("after a second try the grid has %d household answers, want 1", n)
	}

	// A resident without a card: a code sent by SMS to their phone.
	const phone = "13912345678"
	run("by phone", chromedp.Navigate(fmt.Sprintf("%s/p/?survey=%s", tw.url, grid)), chromedp.WaitVisible(chromedp.CSS("#survey-form .question")),
		click("#survey-how-phone"), chromedp.SendKeys(chromedp.CSS("#survey-phone"), phone), click("#survey-send-code"),
		chromedp.WaitVisible(chromedp.CSS("#survey-code-sent")))
	code := sms.code(phone)
	if len(code) != 6 {
		t.Fatalf("the SMS to %s carried %q", phone, code)
	}
	run("answer by phone", chromedp.SendKeys(chromedp.CSS("#survey-sms"), code), fill, click("#survey-submit"), chromedp.WaitVisible(chromedp.CSS("#survey-thanks")))
	var byPhone int
	if err := tw.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM survey_answers WHERE survey_id = $1 AND grid_id = $2 AND method = 'phone'`, sv.ID, grid).Scan(&byPhone); err != nil || byPhone != 1 {
		t.Errorf("the grid has %d answers by phone (%v), want 1", byPhone, err)
	}
}

// smsBox is the survey's SMS gateway in the test: it keeps the last code
// sent to each phone.
type smsBox struct {
	mu   sync.Mutex
	last map[string]string
}

func (s *smsBox) Send(_ context.Context, phone, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last[phone] = code
	return nil
}

func (s *smsBox) code(phone string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last[phone]
}
