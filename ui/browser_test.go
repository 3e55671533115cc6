package ui_test

// The browser test: the real API server (api.New on httptest) over a small
// demo town, driven through Debian's Chromium with chromedp. It walks the
// screens issue 7 names: the public board; the console's login (a wrong
// password shown in Chinese), the league table, the drill from a worker's
// total to the record behind one deduction, an appeal filed and upheld (a
// new run), and an import with a bad row.
//
// It needs a Chromium: $GRIDWORK_TEST_CHROME, else chromium or
// chromium-browser or google-chrome on PATH. Without one it skips and says
// so; CI installs Debian's chromium (.ci/run). With
// GRIDWORK_SCREENSHOTS=<dir> it also saves a PNG of each main screen there
// (docs/screenshots is made that way: scripts/build-ui.sh --screenshots).

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"gridwork/internal/api"
	"gridwork/internal/app"
	"gridwork/internal/app/apptest"
	"gridwork/internal/auth"
	_ "gridwork/internal/catalog" // every fact the built-in templates name, as in the server
	"gridwork/internal/dates"
	"gridwork/internal/demo"
	"gridwork/internal/metric"
	"gridwork/internal/org"
	"gridwork/internal/runs"
	"gridwork/internal/scheme"
	"gridwork/internal/store/storetest"
)

const centrePassword = "browser-test-pass"

// town is the demo behind the test server, and what the test looks for.
type town struct {
	url     string
	run     runs.RunInfo // seed 000, 2026-03
	worker  runs.Row     // a worker with a deduction backed by a record
	cat     string       // that deduction's category and rule
	rule    string
	entity  string // the record behind it
	id      string
	recName string // the text its detail page shows as its name
	grid    string // a grid code for the import
	// App is the whole system the server runs on (app.New).
	*app.App
	// demo is the generated town (its org tree and people); a test that
	// needs more activity than records loads it with the demo's loaders
	// (demo.LoadEvents, LoadPatrols, LoadDuty, LoadInspections, LoadSurveys).
	demo demo.Town
}

func chromePath(t *testing.T) string {
	if p := os.Getenv("GRIDWORK_TEST_CHROME"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("GRIDWORK_TEST_CHROME=%s: %v", p, err)
		}
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium found (set GRIDWORK_TEST_CHROME, or apt-get install chromium): the browser test cannot run")
	return ""
}

func TestMain(m *testing.M) { storetest.Main(m) }

// demoRecords is the small demo town (3 households a grid) with its
// records, loaded once per test binary; startTown gives each test its own
// copy.
var demoRecords = &storetest.Template[struct{}]{
	Name: "the demo town with 3 households a grid",
	Build: func(ctx context.Context, db storetest.Database) (struct{}, error) {
		a, err := app.New(ctx, app.Config{DB: db.DB, DataDir: db.Dir, Keys: apptest.Keys(), AuthParams: auth.TestParams})
		if err != nil {
			return struct{}{}, err
		}
		tw := demo.Generate(demo.DefaultSeed, demo.DefaultFrom)
		if _, err := demo.Load(ctx, db.DB, a.Orgs, a.Users, tw); err != nil {
			return struct{}{}, fmt.Errorf("load demo town: %w", err)
		}
		if _, err := demo.LoadRecords(ctx, db.DB, a.Orgs, a.Records, a.Files, tw, demo.RecordOptions{Seed: demo.DefaultSeed, HouseholdsPerGrid: 3, Care: a.Care}); err != nil {
			return struct{}{}, fmt.Errorf("load demo records: %w", err)
		}
		return struct{}{}, nil
	},
}

// startTown copies the small demo town (3 households a grid), collects March
// 2026's facts, assesses it under seed 000's template and serves the API
// with the front end.
func startTown(t *testing.T) *town {
	t.Helper()
	ctx := context.Background()
	loaded := demoRecords.SQLite(t)
	db := loaded.DB
	cfg := apptest.Config(t, db)
	cfg.DataDir = loaded.Dir // the copy's data directory: the records' photos
	a := apptest.With(t, cfg)
	orgs, users := a.Orgs, a.Users
	tw := demo.Generate(demo.DefaultSeed, demo.DefaultFrom)
	// The collector reads every source, as in the server: a test that loads
	// events or patrols and refreshes sees their facts.
	col, as := a.Facts, a.Assess
	march := metric.Period{Year: 2026, Month: 3}
	if _, err := col.Refresh(ctx, march); err != nil {
		t.Fatalf("collect facts: %v", err)
	}
	streets, _, err := orgs.ListUnits(ctx, org.UnitQuery{On: dates.New(2026, 3, 31), Level: org.Street, WithoutGeometry: true})
	if err != nil || len(streets) != 1 {
		t.Fatalf("street: %v %v", streets, err)
	}
	run, err := as.Run(ctx, "system", "seed000-housing-station-monthly", "2026-03", streets[0].ID, "browser test")
	if err != nil {
		t.Fatalf("assess: %v", err)
	}
	u, err := users.GetUserByUsername(ctx, "centre01")
	if err != nil {
		t.Fatal(err)
	}
	if err := users.SetPassword(ctx, "test", u.ID, centrePassword, false); err != nil {
		t.Fatal(err)
	}
	wu, err := users.GetUserByUsername(ctx, "w001")
	if err != nil {
		t.Fatal(err)
	}
	if err := users.SetPassword(ctx, "test", wu.ID, centrePassword, false); err != nil {
		t.Fatal(err)
	}
	out := &town{run: run, App: a, demo: tw}
	if !out.findDeduction(t, ctx) {
		t.Fatal("no worker in the run has a deduction backed by a person, house or rental record")
	}
	grids, _, err := orgs.ListUnits(ctx, org.UnitQuery{On: dates.Today(), Level: org.Grid, WithoutGeometry: true, Limit: 1})
	if err != nil || len(grids) == 0 {
		t.Fatalf("a grid: %v %v", grids, err)
	}
	out.grid = grids[0].Code
	srv := api.New(a, api.Options{Version: "test", PublicURL: "http://grid.test"})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	out.url = ts.URL
	return out
}

// findDeduction picks a worker
// and a rule that cost points with a record behind them.
func (tw *town) findDeduction(t *testing.T, ctx context.Context) bool {
	_, rows, err := tw.Assess.Table(ctx, tw.run.ID, runs.TableQuery{Kind: scheme.Worker})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		_, res, err := tw.Assess.Explain(ctx, tw.run.ID, scheme.Worker, row.SubjectID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range res.Categories {
			for _, r := range c.Rules {
				if r.Points >= 0 {
					continue
				}
				for _, f := range r.Facts {
					for _, e := range f.Evidence {
						var name string
						switch e.Entity {
						case "person":
							p, err := tw.Records.GetPerson(ctx, e.ID)
							if err != nil {
								continue
							}
							name = p.Name
						case "house":
							h, err := tw.Records.GetHouse(ctx, e.ID)
							if err != nil {
								continue
							}
							name = h.Address
						default:
							continue
						}
						tw.worker, tw.cat, tw.rule, tw.entity, tw.id, tw.recName = row, c.ID, r.ID, e.Entity, e.ID, name
						return true
					}
				}
			}
		}
	}
	return false
}

// photoFile writes a small JPEG, the photo the phone "takes".
func photoFile(t *testing.T) string {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 120, 255})
		}
	}
	p := filepath.Join(t.TempDir(), "photo.jpg")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := jpeg.Encode(f, img, nil); err != nil {
		t.Fatal(err)
	}
	return p
}

// validID makes a GB 11643 identity number from its first 17 digits.
func validID(first17 string) string {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(first17[i]-'0') * w
	}
	return first17 + string("10X98765432"[sum%11])
}

func TestBrowser(t *testing.T) {
	chrome := chromePath(t)
	tw := startTown(t)
	b := newBrowser(t, chrome)
	ctx, run, value, shot, click, text := b.ctx, b.run, b.value, b.shot, b.click, b.text

	// The public side: no sign-in, a community's grid map and boards.
	run("public board", chromedp.Navigate(tw.url+"/p/"), chromedp.WaitVisible(chromedp.CSS(".board .worker-name")),
		chromedp.WaitVisible(chromedp.CSS(".gridmap path")))
	if name := text("board worker", ".board .worker-name"); strings.TrimSpace(name) == "" {
		t.Error("the public board names no worker")
	}
	shot("public-board")
	// A resident reports a problem in the grid they pick (Open311).
	var eventsBefore int
	if err := tw.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM events`).Scan(&eventsBefore); err != nil {
		t.Fatal(err)
	}
	run("resident report", click(".board"), chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll('#report-service option').length > 1`))
		return err
	}),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const s = document.querySelector('#report-service');
				s.value = s.options[1].value; s.dispatchEvent(new Event('change')); return true })()`))
			return err
		}),
		chromedp.SendKeys(chromedp.CSS("#report-text"), "楼下路灯坏了好几天，晚上很黑"), click("#report-submit"))
	if s := text("report done", "#report-done"); !strings.Contains(s, "受理编号") {
		t.Errorf("the resident's report says %q", s)
	}
	shot("public-report")
	var eventsAfter int
	if err := tw.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM events`).Scan(&eventsAfter); err != nil || eventsAfter != eventsBefore+1 {
		t.Errorf("events %d → %d (%v): the resident's report should add one", eventsBefore, eventsAfter, err)
	}

	// A wrong password: the problem's code, in Chinese.
	run("login page", chromedp.Navigate(tw.url+"/"), chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "centre01"), chromedp.SendKeys(chromedp.CSS("#password"), "wrong-password"))
	shot("login")
	run("wrong login", click("#login-submit"))
	if msg := text("login error", "#login-error"); !strings.Contains(msg, "用户名或密码不正确") {
		t.Errorf("a wrong password shows %q, want the Chinese message for EUNAUTHORIZED", msg)
	}
	run("login", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "centre01"), chromedp.SendKeys(chromedp.CSS("#password"), centrePassword),
		click("#login-submit"), chromedp.WaitVisible(chromedp.CSS("#current-user")))
	run("home", chromedp.WaitVisible(chromedp.CSS("#score-chart canvas")))
	shot("home")

	// The league table, paged by the server; search the worker by name.
	run("runs", click("#nav-runs"), chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.open-run[data-run="%s"]`, tw.run.ID))))
	run("open run", click(fmt.Sprintf(`.open-run[data-run="%s"]`, tw.run.ID)))
	run("league", chromedp.WaitVisible(chromedp.CSS("#league-table .subject")))
	pager := value("pager", chromedp.Text(chromedp.CSS("#league-pager")))
	if !strings.Contains(pager, fmt.Sprint(tw.run.Subjects-10)) { // the run's workers: subjects less the 10 communities
		t.Errorf("the pager says %q; want the total of %d workers", pager, tw.run.Subjects-10)
	}
	shot("league")
	subject := fmt.Sprintf(`#league-table .subject[data-subject="%s"]`, tw.worker.SubjectID)
	run("search worker", chromedp.SendKeys(chromedp.CSS("#league-search"), tw.worker.Name+"\r"),
		chromedp.WaitVisible(chromedp.CSS(subject)), click(subject))

	// Total → category → rule → facts → the record.
	ruleSel := fmt.Sprintf(`[data-category="%s"] [data-rule="%s"]`, tw.cat, tw.rule)
	if total := text("score card", "#card-total"); total != fmt.Sprint(tw.worker.Total) {
		t.Errorf("the card's total is %q, want %v", total, tw.worker.Total)
	}
	run("open facts", click(ruleSel+" .toggle-facts"),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`%s .record-link[href$="/%s"]`, ruleSel, tw.id))))
	shot("score-card")
	run("open record", click(fmt.Sprintf(`%s .record-link[href$="/%s"]`, ruleSel, tw.id)))
	if name := text("record", "#record-name"); name != tw.recName {
		t.Errorf("the record page shows %q, want %q (%s %s)", name, tw.recName, tw.entity, tw.id)
	}
	shot("record")

	// Appeal the rule's points, then uphold the appeal as the centre.
	run("back to card", chromedp.NavigateBack(), chromedp.WaitVisible(chromedp.CSS(ruleSel+" .appeal-btn")),
		click(ruleSel+" .appeal-btn"), chromedp.WaitVisible(chromedp.CSS("#appeal-reason")),
		click("#appeal-submit"))
	if msg := text("empty reason", "#appeal-error"); !strings.Contains(msg, "理由") {
		t.Errorf("an appeal without a reason shows %q; want the field named in Chinese", msg)
	}
	run("file appeal", chromedp.SendKeys(chromedp.CSS("#appeal-reason"), "该户已于当月走访，记录有误"),
		click("#appeal-submit"), chromedp.WaitVisible(chromedp.CSS(ruleSel+" .appealed")))
	run("appeals inbox", click("#nav-appeals"), chromedp.WaitVisible(chromedp.CSS("#appeals-table .decide-btn")))
	shot("appeals")
	run("decide", click("#appeals-table .decide-btn"), chromedp.WaitVisible(chromedp.CSS("#decision-text")),
		chromedp.SendKeys(chromedp.CSS("#decision-text"), "经核实，情况属实"), click("#decide-uphold"),
		chromedp.WaitVisible(chromedp.CSS("#decided-new-run")), click("#decided-new-run"),
		chromedp.WaitVisible(chromedp.CSS("#league-table .subject")))
	appeals, err := tw.Assess.Appeals(context.Background(), runs.AppealQuery{RunID: tw.run.ID})
	if err != nil || len(appeals) != 1 || appeals[0].Status != "upheld" || appeals[0].NewRunID == "" {
		t.Fatalf("after the decision the run's appeals are %+v (%v); want one upheld with a new run", appeals, err)
	}
	loc := value("new run page", chromedp.Location())
	if !strings.HasSuffix(loc, "/assess/runs/"+appeals[0].NewRunID) {
		t.Errorf("the decision opened %s, want the new run %s", loc, appeals[0].NewRunID)
	}
	_, res, err := tw.Assess.Explain(context.Background(), appeals[0].NewRunID, scheme.Worker, tw.worker.SubjectID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total <= tw.worker.Total {
		t.Errorf("the new run gives %v, not more than the appealed %v", res.Total, tw.worker.Total)
	}

	// Import: one good row, one with a bad identity number.
	csv := filepath.Join(t.TempDir(), "people.csv")
	good := validID("11010519900307123")
	content := "姓名,身份证号,人员类别,所属网格,来本地日期\n" +
		"测试甲," + good + ",流动," + tw.grid + ",2026-03-01\n" +
		"测试乙,110105199003071230,流动," + tw.grid + ",2026-03-01\n"
	if err := os.WriteFile(csv, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	run("import", click("#nav-import"), chromedp.WaitVisible(chromedp.CSS("#import-file")),
		chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{csv}), click("#import-submit"),
		// The wizard's mapping (the headers are the usual ones) and check.
		click("#import-check"), click("#import-commit"),
		chromedp.WaitVisible(chromedp.CSS("#import-errors")))
	if s := text("stored", "#import-stored"); !strings.Contains(s, "1") {
		t.Errorf("the report says %q, want 1 row stored", s)
	}
	if s := text("errors", "#import-errors"); !strings.Contains(s, "3") || !strings.Contains(s, "身份证号") {
		t.Errorf("the error table says %q, want row 3 and the identity number column", s)
	}
	shot("import")

	// The phone app, on a phone-sized screen: a home visit recorded without
	// signal waits in the outbox, goes when the network returns, and
	// arrives once; sent again (as after a lost answer) it is still one.
	setOffline := func(off bool) {
		t.Helper()
		_, err := chromedp.Call(ctx, network.Enable, network.EnableParams{})
		if err == nil {
			_, err = chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
				MatchedNetworkConditions: []*network.Conditions{{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}}})
		}
		if err == nil {
			_, err = chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1})
		}
		if err != nil {
			t.Fatalf("network offline=%v: %v", off, err)
		}
	}
	// Signed out of the console first: the phone is the worker's.
	if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	run("phone", chromedp.EmulateViewport(390, 780, chromedp.EmulateMobile), chromedp.Navigate(tw.url+"/m/"),
		chromedp.WaitVisible(chromedp.CSS("#m-username")), chromedp.SendKeys(chromedp.CSS("#m-username"), "w001"),
		chromedp.SendKeys(chromedp.CSS("#m-password"), centrePassword), click("#m-login-submit"),
		// The app opens on today's tasks; the visit screen is a tab.
		click("#m-tab-visit"), chromedp.WaitVisible(chromedp.CSS(".m-house")))
	house := value("a house", chromedp.Evaluate[string]("document.querySelector('.m-house').dataset.house"))
	before, err := tw.Records.HomeVisits(context.Background(), house, 1000)
	if err != nil {
		t.Fatal(err)
	}
	// The app itself opens without signal: the service worker keeps it,
	// and the houses kept on the phone are there to choose from.
	run("service worker", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](`navigator.serviceWorker.controller !== null && document.querySelector('#m-visit').dataset.saved === 'true'`))
		return err
	}))
	setOffline(true)
	run("reopen offline", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(".m-house")))
	run("offline visit", chromedp.WaitVisible(chromedp.CSS("#net-state")), click(fmt.Sprintf(`.m-house[data-house="%s"]`, house)),
		chromedp.SendKeys(chromedp.CSS("#m-notes"), "入户走访，家中情况正常"), click("#m-visit-submit"),
		click("#m-tab-event"), click(".m-category"), chromedp.SendKeys(chromedp.CSS("#m-event-text"), "小区门口井盖破损，有安全隐患"),
		chromedp.SetUploadFiles(chromedp.CSS("#m-photo"), []string{photoFile(t)}),
		chromedp.WaitVisible(chromedp.CSS("#m-event-text")))
	shot("phone-event")
	run("report event offline", click("#m-event-submit"), click("#m-tab-outbox"), chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		// Both records stored: the event's queueing may still be under way
		// when the outbox opens.
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll('.m-item').length === 2`))
		return err
	}))
	if s := text("waiting", "#m-waiting"); !strings.Contains(s, "2 条待发送") {
		t.Errorf("the outbox says %q, want 2 waiting (a visit and an event)", s)
	}
	eventID := value("event id", chromedp.Evaluate[string]("[...document.querySelectorAll('.m-item')].map((e) => e.dataset.client).find((id) => id !== document.querySelector('.m-item').dataset.client)"))
	events := func() int {
		var n int
		if err := tw.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM events WHERE client_id = $1`, eventID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := events(); n != 0 {
		t.Fatalf("offline, %d events arrived", n)
	}
	if s := text("net state", "#net-state"); s != "离线" {
		t.Errorf("the network badge says %q offline", s)
	}
	shot("phone-outbox-offline")
	clientID := value("client id", chromedp.Evaluate[string]("document.querySelector('.m-item').dataset.client"))
	if after, _ := tw.Records.HomeVisits(context.Background(), house, 1000); len(after) != len(before) {
		t.Fatalf("offline, the house has %d visits, had %d: nothing should have arrived", len(after), len(before))
	}
	setOffline(false)
	run("back online", chromedp.WaitNotPresent(chromedp.CSS(".m-item")))
	arrived := func() int {
		vs, err := tw.Records.HomeVisits(context.Background(), house, 1000)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, v := range vs {
			if v.ClientID == clientID {
				n++
			}
		}
		if len(vs) != len(before)+n {
			t.Errorf("the house has %d visits, had %d, and %d carry the phone's id", len(vs), len(before), n)
		}
		return n
	}
	if n := arrived(); n != 1 {
		t.Fatalf("the visit arrived %d times, want once", n)
	}
	if n := events(); n != 1 {
		t.Fatalf("the event arrived %d times, want once", n)
	}
	var photos int
	if err := tw.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM event_photos p JOIN events e ON e.id = p.event_id
		WHERE e.client_id = $1 AND p.stage = 'report'`, eventID).Scan(&photos); err != nil || photos != 1 {
		t.Errorf("the event arrived with %d photos (%v), want the one taken offline", photos, err)
	}
	shot("phone-outbox-sent")
	// The answer lost: the same record is back in the outbox and is sent
	// again (the third send of this session: the visit, the event, this).
	resend := fmt.Sprintf(`new Promise((ok, fail) => { const r = indexedDB.open('gridwork-m'); r.onsuccess = () => {
		const tx = r.result.transaction('outbox', 'readwrite');
		tx.objectStore('outbox').put({client_id: %q, kind: 'home_visit', path: '/api/houses/%s/visits',
			body: {id: '', house_id: %q, client_id: %q, visited_at: new Date().toISOString(), notes: '入户走访，家中情况正常', signed: true},
			label: 'resend', created_at: new Date().toISOString(), state: 'waiting', error: ''});
		tx.oncomplete = () => ok(true); tx.onerror = () => fail(tx.error) } })`, clientID, house, house, clientID)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](resend, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("put the visit back in the outbox: %v", err)
	}
	run("resend", click("#m-send"))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('#m-sent').textContent.includes('已发送 3 条')`,
		chromedp.WithPollingTimeout(time.Minute))); err != nil {
		t.Fatalf("the resend was not answered: %v (%s)", err, value("sent", chromedp.Text(chromedp.CSS("#m-sent"))))
	}
	run("resent", chromedp.WaitNotPresent(chromedp.CSS(".m-item")))
	if n := arrived(); n != 1 {
		t.Errorf("after a resend the visit is stored %d times, want once", n)
	}

	// My score this month, each deduction with "appeal" next to it.
	run("my score", click("#m-tab-score"), chromedp.WaitVisible(chromedp.CSS("#m-total")))
	if s := text("my total", "#m-total"); !strings.Contains(s, "/ 100") {
		t.Errorf("the phone's score card says %q", s)
	}
	shot("phone-score")
}
