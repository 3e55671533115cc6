package runs_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gridwork/internal/apperr"
	"gridwork/internal/dates"
	"gridwork/internal/metric"
	"gridwork/internal/org"
	"gridwork/internal/runs"
	"gridwork/internal/scheme"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

// readBook opens a written workbook.
func readBook(t *testing.T, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("reading the workbook back: %v", err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// rowOf returns the row (as shown) of sheet whose column col is v, and its
// 1-based number.
func rowOf(t *testing.T, f *excelize.File, sheet string, col int, v string) ([]string, int) {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if col < len(r) && r[col] == v {
			return r, i + 1
		}
	}
	t.Fatalf("sheet %s has no row with %q in column %d: %q", sheet, v, col+1, rows)
	return nil, 0
}

const (
	scriptName  = `<script>alert("x")</script>`
	formulaName = `=SUM(1,2)`
)

func TestExports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newRunEnv(t, db)
		for _, name := range []string{scriptName, formulaName} {
			w, err := e.org.CreateWorker(bg, "test", org.NewWorker{Name: name, Employment: org.FullTime, Post: org.GridWorker,
				Phone: "13800138000", InPostSince: dates.New(2025, 1, 1), HomeUnitID: e.street.ID})
			if err != nil {
				t.Fatal(err)
			}
			e.workers[name] = w
		}
		if _, _, err := e.as.SaveScheme(bg, "test", []byte(runScheme), false); err != nil {
			t.Fatal(err)
		}
		// February: 丙 and script 100, formula 98, 甲 96 (4th), 乙 90 (last).
		// March: 甲 100 − 2 − 0.25 = 97.8, 乙 88 (last again: a talk),
		// 丙 and script 100 (rank 1), formula 98 (rank 3).
		e.saveFacts(t, "2026-02", map[string]float64{"甲": 2, "乙": 5, "丙": 0, scriptName: 0, formulaName: 1})
		e.saveFacts(t, "2026-03", map[string]float64{"甲": 1, "乙": 6, "丙": 0, scriptName: 0, formulaName: 1})
		if _, err := e.as.Run(bg, "test", "test-runs", "2026-02", e.street.ID, ""); err != nil {
			t.Fatal(err)
		}
		finding, err := e.as.RecordFinding(bg, "inspector", runs.NewFinding{Type: "dispatch_anomaly", SubjectKind: scheme.Worker,
			SubjectID: e.workers["甲"].ID, Month: "2026-03", Points: -0.25, Note: "抽查电话未答出研判会周期",
			Evidence: []metric.Ref{{Entity: "file", ID: "call-record"}}})
		if err != nil {
			t.Fatal(err)
		}
		mar, err := e.as.Run(bg, "test", "test-runs", "2026-03", e.street.ID, "")
		if err != nil {
			t.Fatal(err)
		}

		// The notice workbook.
		var buf bytes.Buffer
		if err := e.as.WriteNotice(bg, &buf, mar.ID); err != nil {
			t.Fatal(err)
		}
		f := readBook(t, buf.Bytes())
		if got := f.GetSheetList(); strings.Join(got, ",") != "通报,预警" {
			t.Errorf("sheets = %q, want 通报, 预警", got)
		}
		if v, _ := f.GetCellValue("通报", "A1"); v != "《测试月考核》2026年3月考核通报" {
			t.Errorf("title = %q", v)
		}
		if head, _ := f.GetRows("通报"); len(head) < 2 || strings.Join(head[1], "|") != "排名|姓名/单位|所属社区|得分|满分|较上期|上期排名|后1位|一票否决|未考核原因" {
			t.Errorf("header = %q", head)
		}
		if v, _ := f.GetCellValue("通报", "A3"); v != "1" {
			t.Errorf("first rank = %q, want 1", v)
		}
		jia, _ := rowOf(t, f, "通报", 1, "甲")
		if strings.Join(jia[:7], "|") != "4|甲|社区|97.8|100.0|+1.8|4" {
			t.Errorf("甲 = %q, want rank 4, 97.8 of 100.0, +1.8 since rank 4", jia)
		}
		yi, _ := rowOf(t, f, "通报", 1, "乙")
		if strings.Join(yi[:8], "|") != "5|乙|社区|88.0|100.0|-2.0|5|是" {
			t.Errorf("乙 = %q, want rank 5, 88.0, −2.0, bottom", yi)
		}
		if len(jia) > 7 && jia[7] != "" {
			t.Errorf("甲 is marked bottom: %q", jia)
		}
		// A name that looks like a formula stays text.
		_, n := rowOf(t, f, "通报", 1, formulaName)
		cell, _ := excelize.CoordinatesToCellName(2, n)
		if fm, _ := f.GetCellFormula("通报", cell); fm != "" {
			t.Errorf("%s is a formula: %q", formulaName, fm)
		}
		if typ, _ := f.GetCellType("通报", cell); typ == excelize.CellTypeFormula {
			t.Errorf("%s has the formula type", formulaName)
		}
		// 甲's score is a number, not text.
		_, n = rowOf(t, f, "通报", 1, "甲")
		cell, _ = excelize.CoordinatesToCellName(4, n)
		if raw, _ := f.GetCellValue("通报", cell, excelize.Options{RawCellValue: true}); raw != "97.8" {
			t.Errorf("甲's raw score = %q, want 97.8", raw)
		}
		esc, _ := rowOf(t, f, "预警", 0, "乙")
		if strings.Join(esc[:4], "|") != "乙|约谈|约谈|2026-02、2026-03" {
			t.Errorf("escalation = %q", esc)
		}

		// The notice page.
		buf.Reset()
		if err := e.as.WriteNoticeHTML(bg, &buf, mar.ID); err != nil {
			t.Fatal(err)
		}
		page := buf.String()
		for _, want := range []string{"<title>《测试月考核》2026年3月考核通报</title>", "@page { size: A4;",
			`<tr class="bottom"><td class="c">5</td><td>乙</td>`, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;",
			"乙:约谈,涉及 2026-02、2026-03", "考核运行 " + mar.ID, "方案 test-runs@1",
			"生成于 " + mar.CreatedAt.In(dates.Shanghai).Format("2006-01-02 15:04:05")} {
			if !strings.Contains(page, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		for _, bad := range []string{"<script", "http://", "https://", "src="} {
			if strings.Contains(page, bad) {
				t.Errorf("page has %q", bad)
			}
		}
		if strings.Count(page, `class="bottom"`) != 1 {
			t.Errorf("page shades %d rows, want 1 (乙)", strings.Count(page, `class="bottom"`))
		}

		// The payroll: 200 yuan × 97.8 % = 195.60 for 甲; the total row
		// adds 200 + 200 + 196 + 195.60 + 176 = 967.60.
		buf.Reset()
		if err := e.as.WritePayroll(bg, &buf, mar.ID); err != nil {
			t.Fatal(err)
		}
		f = readBook(t, buf.Bytes())
		if head, _ := f.GetRows("工资表"); len(head) < 2 || strings.Join(head[1], "|") != "姓名|所属社区|用工性质|绩效工资|合计|得分|未考核原因" {
			t.Errorf("payroll header = %q", head)
		}
		jia, n = rowOf(t, f, "工资表", 0, "甲")
		if strings.Join(jia[:6], "|") != "甲|社区|专职|195.60|195.60|97.8" {
			t.Errorf("甲's pay = %q, want 195.60", jia)
		}
		cell, _ = excelize.CoordinatesToCellName(4, n)
		if raw, _ := f.GetCellValue("工资表", cell, excelize.Options{RawCellValue: true}); raw != "195.6" {
			t.Errorf("甲's raw amount = %q, want the number 195.6", raw)
		}
		total, n := rowOf(t, f, "工资表", 0, "合计")
		if strings.Join(total[3:5], "|") != "967.60|967.60" {
			t.Errorf("total row = %q, want 967.60", total)
		}
		if rows, _ := f.GetRows("工资表"); len(rows) != n {
			t.Errorf("the total row is row %d of %d, want the last", n, len(rows))
		}

		// The explanations of one subject, then of the whole run.
		buf.Reset()
		if err := e.as.WriteExplanations(bg, &buf, mar.ID, e.workers["乙"].ID); err != nil {
			t.Fatal(err)
		}
		f = readBook(t, buf.Bytes())
		rows, _ := f.GetRows("得分说明")
		if len(rows) != 2+3 {
			t.Fatalf("explanation of 乙 has %d rows, want title, header and 3 rules: %q", len(rows), rows)
		}
		late := rows[2]
		if strings.Join(late[:6], "|") != "乙|基础信息|48.0|未及时更新|-12.0|已计分" || late[7] != "测试次数=6" ||
			!strings.HasPrefix(late[8], "person:乙-p0; person:乙-p1") || !strings.Contains(late[8], "person:乙-p5") {
			t.Errorf("乙 late = %q, want −12 from 测试次数 (t.count) = 6 with the six people", late)
		}

		buf.Reset()
		if err := e.as.WriteExplanations(bg, &buf, mar.ID, ""); err != nil {
			t.Fatal(err)
		}
		f = readBook(t, buf.Bytes())
		rows, _ = f.GetRows("得分说明")
		if len(rows) != 2+5*3 {
			t.Errorf("explanations of the run: %d rows, want 2 + 15", len(rows))
		}
		var calls []string
		for _, r := range rows {
			if len(r) > 3 && r[0] == "甲" && r[3] == "调度抽查异常" {
				calls = r
			}
		}
		if len(calls) < 9 || calls[4] != "-0.25" || calls[8] != "finding:"+finding.ID+"; file:call-record" {
			t.Errorf("甲's finding row = %q, want the finding and its file", calls)
		}

		// Errors name the run.
		if err := e.as.WriteExplanations(bg, &buf, mar.ID, "nobody"); apperr.CodeOf(err) != apperr.NotFound || !strings.Contains(err.Error(), mar.ID) {
			t.Errorf("unknown subject: %v, want NotFound naming the run", err)
		}
		for name, write := range map[string]func() error{
			"notice":       func() error { return e.as.WriteNotice(bg, &buf, "no-such-run") },
			"page":         func() error { return e.as.WriteNoticeHTML(bg, &buf, "no-such-run") },
			"payroll":      func() error { return e.as.WritePayroll(bg, &buf, "no-such-run") },
			"explanations": func() error { return e.as.WriteExplanations(bg, &buf, "no-such-run", "") },
		} {
			if err := write(); apperr.CodeOf(err) != apperr.NotFound || !strings.Contains(err.Error(), "no-such-run") {
				t.Errorf("%s of an unknown run: %v, want NotFound naming it", name, err)
			}
		}
	})
}
