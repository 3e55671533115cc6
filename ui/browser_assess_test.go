package ui_test

// The assessment screens of the console (issue 7): the schemes with their
// YAML editor, lint messages at their line and what-if; a run's
// escalations, payroll and exports; and the refusal a user without the
// right to run assessments gets, in Chinese.

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"gridwork/internal/runs"
	"gridwork/internal/scheme"
)

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// heavier makes the points of rule id five times as heavy in a scheme's
// YAML (block style: the rule's "points:" line after its "- id:" line),
// so that the draft moves the subjects that lost points under it.
func heavier(body, id string) (string, bool) {
	lines := strings.Split(body, "\n")
	in := false
	pts := regexp.MustCompile(`^(\s+points:\s*)(-?[0-9.]+)\s*$`)
	for i, l := range lines {
		trimmed := strings.TrimSpace(l)
		if strings.HasPrefix(trimmed, "- id:") {
			in = strings.TrimSpace(strings.TrimPrefix(trimmed, "- id:")) == id
			continue
		}
		if m := pts.FindStringSubmatch(l); in && m != nil {
			v, err := strconv.ParseFloat(m[2], 64)
			if err != nil || v >= 0 {
				return "", false
			}
			lines[i] = m[1] + strconv.FormatFloat(v*5, 'f', -1, 64)
			return strings.Join(lines, "\n"), true
		}
	}
	return "", false
}

func TestBrowserAssess(t *testing.T) {
	chrome := chromePath(t)
	tw := startTown(t)
	b := newBrowser(t, chrome)
	ctx := context.Background()
	run, value, shot, click, text := b.run, b.value, b.shot, b.click, b.text
	eval := func(step, expr string) string {
		t.Helper()
		v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		return v
	}
	poll := func(expr string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr))
			return err
		})
	}
	// attr reads an attribute of the element sel names.
	attr := func(step, sel, name string) string {
		t.Helper()
		return value(step, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%s).getAttribute(%s) || ''`, jsString(sel), jsString(name))))
	}
	// setYAML replaces the editor's text as typing would (v-model hears
	// the input event).
	setYAML := func(body string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const a = document.querySelector('#scheme-yaml');
				a.value = `+jsString(body)+`; a.dispatchEvent(new Event('input', { bubbles: true })); return true })()`))
			return err
		})
	}

	run("login", chromedp.Navigate(tw.url+"/"), chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "centre01"), chromedp.SendKeys(chromedp.CSS("#password"), centrePassword),
		click("#login-submit"), chromedp.WaitVisible(chromedp.CSS("#current-user")))

	// The schemes: every stored version, the built-in templates marked.
	stored, err := tw.Assess.Schemes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const code = "seed000-housing-station-monthly"
	var seed runs.SchemeVersion
	builtins := 0
	for _, s := range stored {
		if s.Builtin {
			builtins++
		}
		if s.Code == code {
			seed = s
		}
	}
	if seed.ID == "" || builtins == 0 {
		t.Fatalf("the town stores no built-in %s (%d schemes, %d built in)", code, len(stored), builtins)
	}
	run("schemes", click("#nav-schemes"), chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.open-scheme[data-scheme="%s"]`, seed.ID))))
	if n := value("count schemes", chromedp.Evaluate[string](`String(document.querySelectorAll('#schemes-table .open-scheme').length)`)); n != fmt.Sprint(len(stored)) {
		t.Errorf("the list shows %s schemes, the store has %d", n, len(stored))
	}
	if n := value("count built-ins", chromedp.Evaluate[string](`String(document.querySelectorAll('#schemes-table .el-tag--success').length)`)); n != fmt.Sprint(builtins) {
		t.Errorf("the list marks %s built-in templates, the store has %d", n, builtins)
	}
	shot("assess-schemes")

	// The editor shows the stored text.
	full, _, err := tw.Assess.Scheme(ctx, seed.ID)
	if err != nil {
		t.Fatal(err)
	}
	run("open scheme", click(fmt.Sprintf(`.open-scheme[data-scheme="%s"]`, seed.ID)), chromedp.WaitVisible(chromedp.CSS("#scheme-yaml")),
		poll(`document.querySelector('#scheme-yaml').value.length > 0`))
	if got := value("editor text", chromedp.Evaluate[string](`document.querySelector('#scheme-yaml').value`)); got != full.Body {
		t.Fatalf("the editor holds %d characters, the stored scheme %d", len(got), len(full.Body))
	}

	// An unknown fact on the second rule that reads one: the check names
	// its line, as the API does.
	lines := strings.Split(full.Body, "\n")
	badLine, seen := 0, 0
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "fact: ") {
			if seen++; seen == 2 {
				badLine = i + 1
				lines[i] = l[:strings.Index(l, "fact: ")+len("fact: ")] + "duty.no_such_fact"
				break
			}
		}
	}
	if badLine == 0 {
		t.Fatal("the template has fewer than two rules reading a fact")
	}
	// The lint names an unknown fact at its own line, the one broken.
	ruleLine := badLine
	bad := strings.Join(lines, "\n")
	var report struct {
		OK       bool `json:"ok"`
		Messages []struct {
			Pos      struct{ Line, Column int } `json:"pos"`
			Severity string                     `json:"severity"`
			Text     string                     `json:"text"`
			TextZh   string                     `json:"text_zh"`
		} `json:"messages"`
	}
	raw := eval("check through the API", `fetch('/api/assess/schemes/check', { method: 'POST', credentials: 'same-origin',
		headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ yaml: `+jsString(bad)+` }) }).then((r) => r.text())`)
	if err := json.Unmarshal([]byte(raw), &report); err != nil {
		t.Fatalf("check answer %s: %v", raw, err)
	}
	apiLine, apiZh := 0, ""
	for _, m := range report.Messages {
		if m.Severity == "error" && strings.Contains(m.Text, "duty.no_such_fact") {
			apiLine, apiZh = m.Pos.Line, m.TextZh
		}
	}
	if report.OK || apiLine != ruleLine {
		t.Fatalf("the API's check: ok %v, the unknown fact at line %d; want an error at line %d, the fact's (%+v)", report.OK, apiLine, ruleLine, report.Messages)
	}
	msgSel := fmt.Sprintf(`#lint-messages .lint-msg.error[data-line="%d"]`, apiLine)
	run("check the broken text", setYAML(bad), click("#scheme-check"), chromedp.WaitVisible(chromedp.CSS(msgSel)))
	if s := text("lint message", msgSel); !strings.Contains(s, "duty.no_such_fact") || !strings.Contains(s, fmt.Sprintf("第 %d 行", apiLine)) ||
		apiZh == "" || !strings.Contains(s, apiZh) {
		t.Errorf("the message at line %d reads %q; want the fact, 第 %d 行 and the API's Chinese %q", apiLine, s, apiLine, apiZh)
	}
	if n := value("messages", chromedp.Evaluate[string](`String(document.querySelectorAll('#lint-messages .lint-msg').length)`)); n != fmt.Sprint(len(report.Messages)) {
		t.Errorf("the editor lists %s messages, the API gave %d", n, len(report.Messages))
	}
	// Clicking the message puts the cursor on its line and marks it.
	run("go to the line", click(msgSel), chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#editor-current-line[data-line="%d"]`, apiLine))),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.gutter .ln.err.current[data-line="%d"]`, apiLine))))
	cursor := value("cursor line", chromedp.Evaluate[string](`(() => { const a = document.querySelector('#scheme-yaml');
		return document.activeElement === a ? String(a.value.slice(0, a.selectionStart).split('\n').length) : 'not focused' })()`))
	if cursor != fmt.Sprint(apiLine) {
		t.Errorf("after the click the cursor is on line %s, want %d", cursor, apiLine)
	}
	if sel := value("selection", chromedp.Evaluate[string](`(() => { const a = document.querySelector('#scheme-yaml'); return a.value.slice(a.selectionStart, a.selectionEnd) })()`)); sel != lines[apiLine-1] {
		t.Errorf("the selected line is %q, want line %d, %q", sel, apiLine, lines[apiLine-1])
	}
	visible := value("line in view", chromedp.Evaluate[string](`(() => { const a = document.querySelector('#scheme-yaml');
		const top = (`+fmt.Sprint(apiLine)+` - 1) * 20; return String(top >= a.scrollTop && top < a.scrollTop + a.clientHeight) })()`))
	if visible != "true" {
		t.Errorf("line %d is scrolled out of the editor", apiLine)
	}
	shot("assess-editor-lint")

	// Fixed, the check passes.
	run("fix", setYAML(full.Body), click("#scheme-check"), chromedp.WaitVisible(chromedp.CSS("#lint-status.ok")))
	if n := value("errors left", chromedp.Evaluate[string](`String(document.querySelectorAll('#lint-messages .lint-msg.error').length)`)); n != "0" {
		t.Errorf("%s errors after the fix", n)
	}

	// What-if on March: the rule that cost the town's worker points made
	// five times heavier; the table shows the moves the store computes.
	draft, ok := heavier(full.Body, tw.rule)
	if !ok {
		t.Fatalf("rule %s has no negative points line to change", tw.rule)
	}
	want, _, err := tw.Assess.WhatIf(ctx, []byte(draft), "2026-03", tw.run.UnitID, "")
	if err != nil {
		t.Fatalf("what-if in the store: %v", err)
	}
	up, down, moved := 0, 0, map[string]int{}
	for _, r := range want {
		if r.Moved != nil {
			moved[r.SubjectID] = *r.Moved
			if *r.Moved > 0 {
				up++
			} else if *r.Moved < 0 {
				down++
			}
		}
	}
	if down == 0 {
		t.Fatalf("the heavier %s moves nobody down in March: the test needs a move to show", tw.rule)
	}
	if v := value("what-if period", chromedp.Evaluate[string](`document.querySelector('#whatif-period').value`)); v != "2026-03" {
		t.Errorf("the what-if period defaults to %q, want the latest run's 2026-03", v)
	}
	run("what-if", setYAML(draft), click("#whatif-run"), chromedp.WaitVisible(chromedp.CSS("#whatif-table .who")))
	summary := text("what-if summary", "#whatif-summary")
	if !strings.Contains(summary, fmt.Sprintf("共 %d 个对象", len(want))) || !strings.Contains(summary, fmt.Sprintf("上升 %d", up)) || !strings.Contains(summary, fmt.Sprintf("下降 %d", down)) {
		t.Errorf("the summary says %q; want %d subjects, %d up, %d down", summary, len(want), up, down)
	}
	run("only moves", click("#whatif-only-moved-box .el-checkbox"), chromedp.WaitVisible(chromedp.CSS("#whatif-table [data-moved]")))
	cells := value("moves shown", chromedp.Evaluate[string](`JSON.stringify([...document.querySelectorAll('#whatif-table tbody tr')].map((tr) =>
		[tr.querySelector('.who').dataset.subject, Number(tr.querySelector('[data-moved]').dataset.moved)]))`))
	var shown [][2]any
	if err := json.Unmarshal([]byte(cells), &shown); err != nil || len(shown) == 0 {
		t.Fatalf("the moves table: %s (%v)", cells, err)
	}
	for _, c := range shown {
		id, _ := c[0].(string)
		n, _ := c[1].(float64)
		if m, ok := moved[id]; !ok || m != int(n) || m == 0 {
			t.Errorf("the table moves %s by %v; the store by %v (listed %v)", id, n, m, ok)
		}
	}
	shot("assess-whatif")

	// Saved as a new version: the built-in's text under version 2.
	run("save", setYAML(full.Body), click("#scheme-save"), chromedp.WaitVisible(chromedp.CSS("#save-done")))
	v2, _, err := tw.Assess.Scheme(ctx, code+"@2")
	if err != nil || v2.Builtin {
		t.Fatalf("after saving, %s@2: %+v %v", code, v2, err)
	}
	if loc := value("saved page", chromedp.Location()); !strings.HasSuffix(loc, "/assess/schemes/"+v2.ID) {
		t.Errorf("after saving the editor is at %s, want the new version %s", loc, v2.ID)
	}

	// A run of seed 004 (the template with pay items) on March, started
	// from the runs list; then its payroll, in yuan with fen.
	const payCode = "seed004-street-grid-practice"
	run("start a run", click("#nav-runs"), click("#run-start"), chromedp.WaitVisible(chromedp.CSS("#run-period")),
		poll(`!!document.querySelector('.el-select-dropdown__item[data-code="`+payCode+`"]')`),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.querySelector('.el-select-dropdown__item[data-code="`+payCode+`"]').click(), true)`))
			return err
		}),
		chromedp.SendKeys(chromedp.CSS("#run-period"), "2026-03"), click("#run-submit"),
		chromedp.WaitVisible(chromedp.CSS("#league-table .subject")))
	payRuns, err := tw.Assess.Runs(ctx, runs.RunQuery{SchemeCode: payCode, Span: "2026-03", Current: true})
	if err != nil || len(payRuns) != 1 || payRuns[0].UnitID != tw.run.UnitID {
		t.Fatalf("after starting a run: %+v (%v); want one current run of %s for the street", payRuns, err, payCode)
	}
	payRun := payRuns[0]
	if loc := value("new run", chromedp.Location()); !strings.HasSuffix(loc, "/assess/runs/"+payRun.ID) {
		t.Errorf("after the run the console shows %s, want the league table of %s", loc, payRun.ID)
	}
	// The league table filtered by a community, in SQL: the pager counts
	// what the store counts.
	var comm string
	if err := tw.DB.QueryRowContext(ctx, `SELECT community_id FROM run_results WHERE run_id = $1 AND subject_kind = 'worker' ORDER BY subject_id LIMIT 1`, payRun.ID).Scan(&comm); err != nil {
		t.Fatal(err)
	}
	_, _, inComm, err := tw.Assess.TablePage(ctx, payRun.ID, runs.TableQuery{Kind: scheme.Worker, CommunityID: comm})
	if err != nil || inComm == 0 {
		t.Fatalf("workers of community %s: %d (%v)", comm, inComm, err)
	}
	run("community filter", poll(`!!document.querySelector('.el-select-dropdown__item[data-community="`+comm+`"]')`),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.querySelector('.el-select-dropdown__item[data-community="`+comm+`"]').click(), true)`))
			return err
		}),
		poll(fmt.Sprintf(`[...document.querySelectorAll('#league-table tbody tr')].length === %d && document.querySelector('#league-pager').textContent.includes('共 %d 条')`, min(inComm, 20), inComm)))
	_, pay, err := tw.Assess.Payroll(ctx, payRun.ID)
	if err != nil {
		t.Fatal(err)
	}
	var fen int64
	for _, p := range pay {
		fen += p.Fen
	}
	if fen == 0 {
		t.Fatalf("the payroll of %s pays nothing: no amount to show", payCode)
	}
	run("payroll", click("#league-payroll"), chromedp.WaitVisible(chromedp.CSS("#payroll-table .pay-subject")))
	if s := attr("payroll sum", "#payroll-sum", "data-fen"); s != fmt.Sprint(fen) {
		t.Errorf("the payroll sums %s fen, the store %d", s, fen)
	}
	yuan := fmt.Sprintf("%d.%02d", fen/100, fen%100)
	if s := text("payroll sum text", "#payroll-sum"); !strings.Contains(strings.ReplaceAll(s, ",", ""), yuan) || !strings.Contains(s, fmt.Sprintf("%d 人", len(pay))) {
		t.Errorf("the payroll says %q; want %d people and %s yuan", s, len(pay), yuan)
	}
	first := fmt.Sprintf(`#payroll-table .amount[data-fen="%d"]`, pay[0].Fen)
	if s := text("an amount", first); !regexp.MustCompile(`^¥[0-9,]+\.[0-9]{2}$`).MatchString(s) {
		t.Errorf("an amount reads %q, want yuan with two decimals", s)
	}
	shot("assess-payroll")

	// notice.html downloads: the button's fetch answered 200 with HTML,
	// and the same address answers so with this session's cookie.
	run("download notice.html", click("#export-notice-html"), chromedp.WaitVisible(chromedp.CSS(`#export-done[data-what="notice.html"]`)))
	if s := attr("download status", "#export-done", "data-status"); s != "200" {
		t.Errorf("notice.html answered %s", s)
	}
	if s := attr("download type", "#export-done", "data-type"); !strings.HasPrefix(s, "text/html") {
		t.Errorf("notice.html came as %q", s)
	}
	got := eval("fetch notice.html", `fetch('/api/assess/runs/`+payRun.ID+`/export/notice.html', { credentials: 'same-origin' })
		.then(async (r) => r.status + ' ' + r.headers.get('Content-Type') + ' ' + (await r.text()).length)`)
	if f := strings.Fields(got); len(f) < 3 || f[0] != "200" || !strings.HasPrefix(f[1], "text/html") || f[len(f)-1] == "0" {
		t.Errorf("GET notice.html with the session: %s", got)
	}

	escs, err := tw.Assess.Escalations(ctx, runs.EscalationQuery{RunID: payRun.ID})
	if err != nil {
		t.Fatal(err)
	}
	run("escalations", click("#run-link-escalations"), chromedp.WaitVisible(chromedp.CSS("#escalations-count")))
	if n := attr("escalations", "#escalations-count", "data-count"); n != fmt.Sprint(len(escs)) {
		t.Errorf("the screen lists %s escalations, the store %d", n, len(escs))
	}
	if n := value("escalation rows", chromedp.Evaluate[string](`String(document.querySelectorAll('#escalations-table tbody tr').length)`)); n != fmt.Sprint(len(escs)) {
		t.Errorf("the table has %s rows, the store %d escalations", n, len(escs))
	}

	// Community staff read the league table but may not see pay or
	// exports: the refusal is in Chinese.
	staff, err := tw.Users.GetUserByUsername(ctx, "c01staff")
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Users.SetPassword(ctx, "test", staff.ID, centrePassword, false); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(b.ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	run("staff login", chromedp.Navigate(tw.url+"/login"), chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "c01staff"), chromedp.SendKeys(chromedp.CSS("#password"), centrePassword),
		click("#login-submit"), chromedp.WaitVisible(chromedp.CSS("#current-user")))
	run("staff payroll", chromedp.Navigate(tw.url+"/assess/runs/"+payRun.ID+"/payroll"), chromedp.WaitVisible(chromedp.CSS("#payroll-error")))
	if s := text("payroll refusal", "#payroll-error"); !strings.Contains(s, "没有权限") {
		t.Errorf("community staff's payroll says %q, want the Chinese refusal", s)
	}
	run("staff download", click("#export-notice-html"), chromedp.WaitVisible(chromedp.CSS("#export-error")))
	if s := text("download refusal", "#export-error"); !strings.Contains(s, "没有权限") {
		t.Errorf("community staff's download says %q, want the Chinese refusal", s)
	}
}
