package ui_test

// The ops screens in a real browser: the home screen's light counts
// against the events store, the org tree down to a grid with an extra
// share (兼格), the people search with masked identity numbers, the
// special-care list for a role that may read it and the refusal for one
// that may not, and the import wizard's column-mapping step.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"gridwork/internal/care"
	"gridwork/internal/dates"
	"gridwork/internal/demo"
	"gridwork/internal/events"
	"gridwork/internal/org"
	"gridwork/internal/patrol"
	"gridwork/internal/records"
)

func TestBrowserOps(t *testing.T) {
	chrome := chromePath(t)
	tw := startTown(t)
	ctx := context.Background()
	if _, err := demo.LoadEvents(ctx, tw.DB, tw.Orgs, tw.Events, tw.Files, tw.demo, demo.EventOptions{Seed: demo.DefaultSeed, Scale: 0.1}); err != nil {
		t.Fatalf("load events: %v", err)
	}
	b := newBrowser(t, chrome)
	run, value, shot, click, text := b.run, b.value, b.shot, b.click, b.text
	poll := func(js string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Run(ctx, chromedp.Poll[bool](js))
			return err
		})
	}
	login := func(username string) {
		t.Helper()
		run("login "+username, chromedp.Navigate(tw.url+"/login"), chromedp.WaitVisible(chromedp.CSS("#username")),
			chromedp.SendKeys(chromedp.CSS("#username"), username), chromedp.SendKeys(chromedp.CSS("#password"), centrePassword),
			click("#login-submit"), chromedp.WaitVisible(chromedp.CSS("#current-user")))
	}

	// Home: the light counts are the events queue's totals.
	want := map[events.Light]int{}
	for _, l := range []events.Light{events.Green, events.Yellow, events.Red} {
		_, n, err := tw.Events.List(ctx, events.Query{Light: l, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		want[l] = n
	}
	if want[events.Green]+want[events.Yellow]+want[events.Red] == 0 {
		t.Fatal("the loaded events left none open: the home screen would show only zeros")
	}
	// One worker sends fixes today: the coverage counts them.
	wu, err := tw.Users.GetUserByUsername(ctx, "w001")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(-10 * time.Minute).UTC().Truncate(time.Second)
	var pts []patrol.Point
	for i := range 5 {
		pts = append(pts, patrol.Point{Lat: 39.9 + float64(i)*0.0001, Lon: 116.4, Accuracy: 8, At: start.Add(time.Duration(i) * time.Minute), Speed: 1})
	}
	if _, err := tw.Patrol.Ingest(ctx, wu.ID, wu.WorkerID, patrol.Batch{ClientID: uuid.NewString(), Points: pts}); err != nil {
		t.Fatal(err)
	}
	patrolledToday := dates.Of(start) == dates.Today()

	login("centre01")
	run("home", chromedp.WaitVisible(chromedp.CSS("#home-light-red .num")), chromedp.WaitVisible(chromedp.CSS("#home-map .gridmap path")),
		chromedp.WaitVisible(chromedp.CSS("#home-top .el-table__row")))
	for l, n := range want {
		if got := text("light "+string(l), fmt.Sprintf("#home-light-%s .num", l)); got != fmt.Sprint(n) {
			t.Errorf("home shows %s %s, the events store has %d open", got, l, n)
		}
		href := value("light link", chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector('#home-light-%s').getAttribute('href')`, l)))
		if href != "/events?light="+string(l) {
			t.Errorf("the %s count links to %q", l, href)
		}
	}
	if s := text("patrol", "#home-patrol"); patrolledToday && !strings.Contains(s, "网格员 1 /") {
		t.Errorf("the patrol coverage says %q; one worker sent fixes today", s)
	}
	if got := text("top", "#home-top .el-table__row"); !strings.Contains(got, "1") {
		t.Errorf("the league's first row says %q", got)
	}
	shot("ops-home")
	run("colour by overdue work", click("#home-colour-overdue"), poll(`document.querySelector('#home-legend').textContent.includes('红灯事件')`))

	// Org: the tree down to a grid that has an extra share.
	today := dates.Today()
	as, _, err := tw.Orgs.ListAssignments(ctx, org.AssignmentQuery{On: today})
	if err != nil {
		t.Fatal(err)
	}
	var extra org.Assignment
	for _, a := range as {
		if a.Kind == org.Extra {
			extra = a
			break
		}
	}
	if extra.ID == "" {
		t.Fatal("the demo town has no extra share (兼格) today")
	}
	grid, err := tw.Orgs.GetUnit(ctx, extra.GridID, today)
	if err != nil {
		t.Fatal(err)
	}
	node := func(id string) string { return fmt.Sprintf(`.org-node[data-unit="%s"]`, id) }
	run("org tree", click("#nav-org"), chromedp.WaitVisible(chromedp.CSS(`.org-node[data-level="street"]`)),
		click(`.org-node[data-level="street"]`), chromedp.WaitVisible(chromedp.CSS(node(grid.ParentID))),
		click(node(grid.ParentID)), chromedp.WaitVisible(chromedp.CSS(node(grid.ID))),
		click(node(grid.ID)), chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#org-grid[data-grid="%s"] .org-worker[data-worker="%s"]`, grid.ID, extra.WorkerID))),
		chromedp.WaitVisible(chromedp.CSS("#org-map .gridmap path")))
	rowText := value("extra row", chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector('.org-worker[data-worker="%s"]').closest('tr').textContent`, extra.WorkerID)))
	if !strings.Contains(rowText, "兼格") || !strings.Contains(rowText, fmt.Sprintf("%d%%", extra.SharePct)) {
		t.Errorf("the grid's row of the extra share says %q; want 兼格 and %d%%", rowText, extra.SharePct)
	}
	shot("ops-org")

	// People: search by name; the identity number is masked.
	ps, _, err := tw.Records.ListPeople(ctx, records.PersonQuery{Status: records.Active, Limit: 1})
	if err != nil || len(ps) == 0 {
		t.Fatalf("a person: %v", err)
	}
	p := ps[0]
	full, err := tw.Records.Unmask(ctx, "test", p.ID, "browser test checks the page never shows it")
	if err != nil {
		t.Fatal(err)
	}
	personRow := fmt.Sprintf(`.person-link[data-person="%s"]`, p.ID)
	run("people", click("#nav-people"), chromedp.WaitVisible(chromedp.CSS("#people-table .person-link")),
		chromedp.SendKeys(chromedp.CSS("#people-search"), p.Name+"\r"), chromedp.WaitVisible(chromedp.CSS(personRow)))
	masked := value("masked id", chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector('%s').closest('tr').querySelector('.id-masked').textContent`, personRow)))
	if masked != p.IDMasked || !strings.Contains(masked, "****") {
		t.Errorf("the people list shows %q for %s, want the masked %q", masked, p.Name, p.IDMasked)
	}
	if html := value("page", chromedp.Evaluate[string](`document.body.innerHTML`)); strings.Contains(html, full) {
		t.Errorf("the people list shows the full identity number of %s", p.Name)
	}
	shot("ops-people")

	// Workers: a part of a name finds the worker; their assignments open.
	var wk org.Worker
	for _, w := range tw.demo.Workers {
		if w.Post == org.GridWorker && len([]rune(w.Name)) >= 2 {
			ws, _, err := tw.Orgs.ListWorkers(ctx, org.WorkerQuery{Name: w.Name, On: today, InPostOnly: true})
			if err == nil && len(ws) > 0 {
				wk = ws[0]
				break
			}
		}
	}
	if wk.ID == "" {
		t.Fatal("no grid worker to search for")
	}
	part := string([]rune(wk.Name)[1:])
	wantWorkers, nw, err := tw.Orgs.ListWorkers(ctx, org.WorkerQuery{Name: part, On: today, InPostOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	workerLink := fmt.Sprintf(`.worker-name[data-worker="%s"]`, wk.ID)
	run("workers", click("#nav-workers"), chromedp.WaitVisible(chromedp.CSS("#workers-table .worker-name")),
		chromedp.SendKeys(chromedp.CSS("#workers-search"), part+"\r"), chromedp.WaitVisible(chromedp.CSS(workerLink)),
		poll(fmt.Sprintf(`document.querySelectorAll('#workers-table .worker-name').length === %d`, min(nw, 20))))
	if s := text("workers pager", "#workers-pager"); !strings.Contains(s, fmt.Sprint(nw)) {
		t.Errorf("searching %q, the pager says %q; the store finds %d (%d listed)", part, s, nw, len(wantWorkers))
	}
	run("worker assignments", click(workerLink), chromedp.WaitVisible(chromedp.CSS("#worker-assignments .el-table__row")))

	// Accounts: reset a community staff account's password; the one-time
	// password is shown once and the account must change it.
	staff, err := tw.Users.GetUserByUsername(ctx, "c01staff")
	if err != nil {
		t.Fatal(err)
	}
	run("users", click("#nav-users"), chromedp.WaitVisible(chromedp.CSS(`.reset-btn[data-user="c01staff"]`)),
		click(`.reset-btn[data-user="c01staff"]`), click(".el-message-box__btns .el-button--primary"),
		chromedp.WaitVisible(chromedp.CSS("#users-password")))
	if pw := text("one-time password", "#users-password"); len(pw) < 8 {
		t.Errorf("the reset shows the password %q", pw)
	}
	if after, err := tw.Users.GetUser(ctx, staff.ID); err != nil || !after.PasswordGenerated {
		t.Errorf("after the reset c01staff is %+v (%v); want a generated password", after, err)
	}

	// Accounts: a new community staff account for c01, with its one-time
	// password shown once.
	c01, err := tw.Orgs.GetUnit(ctx, grid.ParentID, today)
	if err != nil {
		t.Fatal(err)
	}
	pickOption := func(text string) chromedp.Action[chromedp.Void] {
		find := fmt.Sprintf(`[...document.querySelectorAll('.el-select-dropdown__item')].find((e) => e.offsetParent !== null && e.textContent.trim() === %q)`, text)
		return chromedp.Steps(poll(find+` !== undefined`), chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(`+find+`.click(), true)`))
			return err
		}))
	}
	run("create account", click("#users-create"), chromedp.WaitVisible(chromedp.CSS("#new-username")),
		chromedp.SendKeys(chromedp.CSS("#new-username"), "opstest01"), chromedp.SendKeys(chromedp.CSS("#new-display-name"), "测试账号"),
		click(".pick-scope .el-select__wrapper"), pickOption(c01.Name),
		poll(fmt.Sprintf(`document.querySelector('.pick-scope').textContent.includes(%q)`, c01.Name)),
		click("#new-submit"), poll(`document.querySelector('#users-notice') && document.querySelector('#users-notice').textContent.includes('opstest01')`))
	created, err := tw.Users.GetUserByUsername(ctx, "opstest01")
	if err != nil || created.Role != "community_staff" || created.ScopeUnitID != c01.ID || !created.PasswordGenerated {
		t.Errorf("the new account is %+v (%v); want community staff of %s with a one-time password", created, err, c01.Name)
	}

	// Rentals: the list is paged by the server, with the store's total.
	_, nr, err := tw.Records.ListRentals(ctx, records.RentalQuery{Status: records.Active, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	run("rentals", click("#nav-rentals"), chromedp.WaitVisible(chromedp.CSS("#rentals-pager")))
	if nr > 0 {
		run("rental rows", chromedp.WaitVisible(chromedp.CSS("#rentals-table .rental-link")))
	}
	if s := text("rentals pager", "#rentals-pager"); !strings.Contains(s, fmt.Sprint(nr)) {
		t.Errorf("the rentals pager says %q, want the store's %d", s, nr)
	}

	// Special care: the centre reads the list.
	_, careTotal, err := tw.Care.List(ctx, "test", care.Query{Status: care.Active, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	run("care list", click("#nav-care"), chromedp.WaitVisible(chromedp.CSS("#care-pager")))
	if careTotal > 0 {
		run("care rows", chromedp.WaitVisible(chromedp.CSS("#care-table .care-person")))
	}
	if s := text("care pager", "#care-pager"); !strings.Contains(s, fmt.Sprint(careTotal)) {
		t.Errorf("the care pager says %q, want the store's %d subjects", s, careTotal)
	}
	shot("ops-care")

	// The import wizard: a title row and a column whose header the
	// importer does not know, mapped by hand.
	csv := filepath.Join(t.TempDir(), "people.csv")
	good := validID("11010519900307123")
	content := "XX社区流动人口登记表\n姓名,证件号,人员类别,所属网格,来本地日期\n" +
		"测试丙," + good + ",流动," + tw.grid + ",2026-03-01\n" +
		"测试丁,110105199003071230,流动," + tw.grid + ",2026-03-01\n"
	if err := os.WriteFile(csv, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	run("import upload", click("#nav-import"), chromedp.WaitVisible(chromedp.CSS("#import-file")),
		chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{csv}), click("#import-submit"),
		chromedp.WaitVisible(chromedp.CSS("#import-mapping #import-preview")))
	preview := text("preview", "#import-preview")
	if strings.Contains(preview, good) || !strings.Contains(preview, good[:4]+"**********"+good[14:]) || !strings.Contains(preview, "测试丙") {
		t.Errorf("the preview shows %q; want the rows with identity numbers masked", preview)
	}
	run("map the identity column", click(`.map-select[data-field="id_number"] .el-select__wrapper`),
		poll(`[...document.querySelectorAll('.el-select-dropdown__item')].some((e) => e.offsetParent !== null && e.textContent.includes('证件号'))`),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`([...document.querySelectorAll('.el-select-dropdown__item')].find((e) => e.offsetParent !== null && e.textContent.includes('证件号')).click(), true)`))
			return err
		}),
		poll(`document.querySelector('.map-select[data-field="id_number"]').textContent.includes('证件号')`))
	shot("ops-import-mapping")
	run("dry run", click("#import-check"), chromedp.WaitVisible(chromedp.CSS("#import-check-errors")))
	if s := text("check summary", "#import-check-summary"); !strings.Contains(s, "可导入 1 行") {
		t.Errorf("the check says %q, want 1 row importable", s)
	}
	var before int
	if err := tw.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM people WHERE name = '测试丙'`).Scan(&before); err != nil || before != 0 {
		t.Fatalf("after the check, %d people named 测试丙 (%v): a check stores nothing", before, err)
	}
	run("commit", click("#import-commit"), chromedp.WaitVisible(chromedp.CSS("#import-report #import-errors")))
	if s := text("stored", "#import-stored"); !strings.Contains(s, "1") {
		t.Errorf("the report says %q, want 1 row stored", s)
	}
	var after int
	if err := tw.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM people WHERE name = '测试丙'`).Scan(&after); err != nil || after != 1 {
		t.Errorf("after the import, %d people named 测试丙 (%v), want 1", after, err)
	}

	// An inspector may not read special-care records: the screen says so
	// in Chinese.
	u, err := tw.Users.GetUserByUsername(ctx, "insp01")
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Users.SetPassword(ctx, "test", u.ID, centrePassword, false); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(b.ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	login("insp01")
	run("care refused", chromedp.Navigate(tw.url+"/care"), chromedp.WaitVisible(chromedp.CSS("#care-refused-text")))
	if s := text("refusal", "#care-refused"); !strings.Contains(s, "没有权限") || !strings.Contains(s, "无权查看特殊人群") {
		t.Errorf("an inspector's care screen says %q", s)
	}
}
