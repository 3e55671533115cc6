package runs

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"gridwork/internal/apperr"
	"gridwork/internal/dates"
	"gridwork/internal/exchange"
	"gridwork/internal/scheme"
	"gridwork/internal/store"
)

// The exports of a run: the monthly notice (通报) as a workbook and as a
// printable page, the payroll workbook and the explanation workbook.
//
// The workbooks are exchange.Workbooks: a bold, grey, frozen header;
// columns sized from the header and the first 200 rows, Chinese characters
// counting two; long digit strings as text. Every text value is written as
// a string cell, never as a formula, so a name such as "=HYPERLINK(…)"
// stays text in Excel (the xlsx counterpart of WriteCSV's defusing).
// Nothing is written to w unless the whole workbook was built.

// WriteNotice writes run runID's notice (通报) as a workbook: a sheet 通报
// with the title row 《scheme title》span考核通报 and the league table, best
// first (ranks are per subject kind), and a sheet 预警 with the
// escalations that fell due with the run.
func (s *Store) WriteNotice(ctx context.Context, w io.Writer, runID string) error {
	n, err := s.notice(ctx, runID)
	if err != nil {
		return fmt.Errorf("assess: notice of run %s: %w", runID, err)
	}
	b := exchange.NewWorkbook()
	defer b.Close()
	header := []string{"排名", "姓名/单位", "所属社区", "得分", "满分", "较上期", "上期排名", n.bottomHeader(), "一票否决", "未考核原因"}
	i := 0
	err = b.Sheet("通报", n.title, header, func() ([]any, bool, error) {
		if i >= len(n.rows) {
			return nil, false, nil
		}
		r := n.rows[i]
		i++
		row := []any{nil, r.Name, r.CommunityName, nil, nil, nil, nil, nil, r.Vetoed, r.NotAssessed}
		if r.Assessed {
			row[0], row[3] = r.Rank, points(r.Total)
		}
		if r.Max > 0 {
			row[4] = points(r.Max)
		}
		if r.Change != nil {
			row[5] = delta(*r.Change)
		}
		if r.PrevRank != nil {
			row[6] = *r.PrevRank
		}
		if r.Bottom {
			row[7] = bottomMark
		}
		return row, r.Bottom, nil
	})
	if err != nil {
		return fmt.Errorf("assess: notice of run %s: %w", runID, err)
	}
	j := 0
	err = b.Sheet("预警", "", []string{"姓名/单位", "预警", "处置", "涉及期次", "依据"}, func() ([]any, bool, error) {
		if j >= len(n.escalations) {
			return nil, false, nil
		}
		e := n.escalations[j]
		j++
		return []any{e.SubjectName, e.Name, actionName(e.Action), strings.Join(e.Periods, "、"), e.Evidence}, false, nil
	})
	if err != nil {
		return fmt.Errorf("assess: notice of run %s: %w", runID, err)
	}
	if err := b.Write(w); err != nil {
		return fmt.Errorf("assess: notice of run %s: %w", runID, err)
	}
	return nil
}

// WriteNoticeHTML writes run runID's notice as a printable A4 page: the
// title, the league table with the bottom rows shaded, the escalations
// and a footer with the run, the scheme version and when the run was
// made (Asia/Shanghai). The page has no script and loads nothing.
func (s *Store) WriteNoticeHTML(ctx context.Context, w io.Writer, runID string) error {
	n, err := s.notice(ctx, runID)
	if err != nil {
		return fmt.Errorf("assess: notice page of run %s: %w", runID, err)
	}
	v := noticePage{Title: n.title, Bottom: n.bottomHeader(), RunID: n.info.ID,
		Scheme:  fmt.Sprintf("%s@%d", n.info.SchemeCode, n.info.SchemeVersion),
		Created: n.info.CreatedAt.In(dates.Shanghai).Format("2006-01-02 15:04:05"), SupersededBy: n.info.SupersededBy}
	for _, r := range n.rows {
		p := pageRow{Name: r.Name, Community: r.CommunityName, Vetoed: r.Vetoed, NotAssessed: r.NotAssessed, Bottom: r.Bottom}
		if r.Assessed {
			p.Rank, p.Score = strconv.Itoa(r.Rank), fmt.Sprintf("%.1f", r.Total)
			v.Assessed++
		}
		if r.Max > 0 {
			p.Max = fmt.Sprintf("%.1f", r.Max)
		}
		if r.Change != nil {
			p.Change = fmt.Sprintf("%+.1f", *r.Change)
			if *r.Change == 0 {
				p.Change = "0.0"
			}
		}
		if r.PrevRank != nil {
			p.PrevRank = strconv.Itoa(*r.PrevRank)
		}
		v.Rows = append(v.Rows, p)
	}
	for _, e := range n.escalations {
		pe := pageEscalation{Name: e.SubjectName, Escalation: e.Name, Action: actionName(e.Action),
			Periods: strings.Join(e.Periods, "、"), Evidence: e.Evidence}
		if pe.Action == pe.Escalation {
			pe.Action = ""
		}
		v.Escalations = append(v.Escalations, pe)
	}
	if err := noticeTemplate.Execute(w, v); err != nil {
		return fmt.Errorf("assess: notice page of run %s: %w", runID, err)
	}
	return nil
}

// WritePayroll writes run runID's payroll as a workbook: one row per
// worker with a column per pay item of the scheme (by name), 合计, the
// score and why a worker was not assessed, then a total row.
//
// Amounts are computed in integer fen (Payroll, Pay); the total row adds
// fen. Each amount is turned into yuan once, by parsing its exact decimal
// text ("195.60") into the nearest float64, which Excel writes back as
// 195.6 and shows as 195.60: no amount is ever a sum or product of
// floats, so nothing drifts by a fen.
func (s *Store) WritePayroll(ctx context.Context, w io.Writer, runID string) error {
	info, rows, err := s.Payroll(ctx, runID)
	if err != nil {
		return fmt.Errorf("assess: payroll of run %s: %w", runID, err)
	}
	_, sch, err := s.Scheme(ctx, info.SchemeID)
	if err != nil {
		return fmt.Errorf("assess: payroll of run %s: %w", runID, err)
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Community != rows[j].Community {
			return rows[i].Community < rows[j].Community
		}
		return rows[i].Name < rows[j].Name
	})
	header := []string{"姓名", "所属社区", "用工性质"}
	col := map[string]int{} // pay item id → index among the items
	for _, p := range sch.Pay {
		col[p.ID] = len(col)
		header = append(header, p.Name)
	}
	items := len(col)
	header = append(header, "合计", "得分", "未考核原因")
	sums := make([]int64, items+1)
	b := exchange.NewWorkbook()
	defer b.Close()
	title := fmt.Sprintf("《%s》%s工资表", info.SchemeTitle, spanLabel(info.Span))
	i := 0
	err = b.Sheet("工资表", title, header, func() ([]any, bool, error) {
		if i > len(rows) {
			return nil, false, nil
		}
		if i == len(rows) { // the total row
			i++
			row := make([]any, 3, len(header))
			row[0] = "合计"
			for _, f := range sums {
				row = append(row, money(f))
			}
			return append(row, nil, nil), false, nil
		}
		r := rows[i]
		i++
		row := make([]any, len(header))
		row[0], row[1], row[2] = r.Name, r.Community, employmentName(r.Employment)
		fen := make([]int64, items)
		has := make([]bool, items)
		for _, l := range r.Lines {
			k, ok := col[l.Item]
			if !ok {
				return nil, false, fmt.Errorf("%s: pay line %s is not an item of scheme %s", r.Name, l.Item, info.SchemeCode)
			}
			fen[k] += l.Fen
			has[k] = true
		}
		for k := range fen {
			if has[k] {
				row[3+k] = money(fen[k])
				sums[k] += fen[k]
			}
		}
		row[3+items] = money(r.Fen)
		sums[items] += r.Fen
		if r.NotAssessed == "" {
			row[4+items] = points(r.Total)
		}
		row[5+items] = r.NotAssessed
		return row, false, nil
	})
	if err != nil {
		return fmt.Errorf("assess: payroll of run %s: %w", runID, err)
	}
	if err := b.Write(w); err != nil {
		return fmt.Errorf("assess: payroll of run %s: %w", runID, err)
	}
	return nil
}

// WriteExplanations writes the explanation of run runID as a workbook: one
// row per subject, category and rule with the facts the rule read and the
// records behind them (as Explain gives them); a subject not assessed gets
// one row saying why. subjectID empty writes every subject of the run:
// results are read one at a time, so a run of 30,000 subjects never sits
// in memory. Errors: NotFound for a subject without a result in the run.
func (s *Store) WriteExplanations(ctx context.Context, w io.Writer, runID string, subjectID string) error {
	info, err := s.GetRun(ctx, runID)
	if err != nil {
		return fmt.Errorf("assess: explanations of run %s: %w", runID, err)
	}
	span, err := scheme.ParseSpan(info.Span)
	if err != nil {
		return fmt.Errorf("assess: explanations of run %s: %w", runID, err)
	}
	var args store.Args
	where := "run_id = " + args.Add(runID)
	if subjectID != "" {
		where += " AND subject_id = " + args.Add(subjectID)
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT result, input FROM run_results WHERE `+where+`
		ORDER BY subject_kind, assessed DESC, rank, name, subject_id`, args...)
	if err != nil {
		return fmt.Errorf("assess: explanations of run %s: %w", runID, err)
	}
	defer rows.Close()
	b := exchange.NewWorkbook()
	defer b.Close()
	subjects := 0
	var pending [][]any // the rows of the current subject not yet returned
	next := func() ([]any, bool, error) {
		for len(pending) == 0 {
			if !rows.Next() {
				return nil, false, rows.Err()
			}
			var rj, ij string
			if err := rows.Scan(&rj, &ij); err != nil {
				return nil, false, err
			}
			var res scheme.Result
			var in scheme.Input
			if err := json.Unmarshal([]byte(rj), &res); err != nil {
				return nil, false, fmt.Errorf("result %d: %w", subjects+1, err)
			}
			if err := json.Unmarshal([]byte(ij), &in); err != nil {
				return nil, false, fmt.Errorf("input of %s: %w", res.Subject.ID, err)
			}
			attachEvidence(&res, &in, span)
			subjects++
			pending = explanationRows(&res)
		}
		r := pending[0]
		pending = pending[1:]
		return r, false, nil
	}
	title := fmt.Sprintf("《%s》%s得分说明", info.SchemeTitle, spanLabel(info.Span))
	if err := b.Sheet("得分说明", title, []string{"姓名", "类别", "类别得分", "规则", "得分", "状态", "说明", "事实", "证据"}, next); err != nil {
		return fmt.Errorf("assess: explanations of run %s: %w", runID, err)
	}
	if subjectID != "" && subjects == 0 {
		return apperr.New(apperr.NotFound, "run %s has no result for subject %s", runID, subjectID)
	}
	if err := b.Write(w); err != nil {
		return fmt.Errorf("assess: explanations of run %s: %w", runID, err)
	}
	return nil
}

// explanationRows returns the explanation rows of one result.
func explanationRows(res *scheme.Result) [][]any {
	name := res.Subject.Name
	if !res.Assessed || len(res.Categories) == 0 {
		return [][]any{{name, nil, nil, nil, nil, "未考核", res.NotAssessed, nil, nil}}
	}
	var out [][]any
	for _, c := range res.Categories {
		for i, r := range c.Rules {
			expl := r.Explain
			if c.Note != "" && i == 0 { // the category's note, once
				expl = strings.TrimSpace(expl + " " + c.Note)
			}
			out = append(out, []any{name, c.Name, points(c.Score), r.Name, points(r.Points), statusName(r.Status), expl,
				cellText(factList(r.Facts)), cellText(evidenceList(&r))})
		}
		if len(c.Rules) == 0 {
			out = append(out, []any{name, c.Name, points(c.Score), nil, nil, nil, c.Note, nil, nil})
		}
	}
	if res.Vetoed != "" {
		out = append(out, []any{name, nil, nil, "一票否决", nil, nil, res.Vetoed, nil, nil})
	}
	return out
}

// factList prints the facts a rule read: name=value, "name[month]=value"
// when read month by month, with numerator and denominator for a rate.
func factList(fs []scheme.FactUse) string {
	parts := make([]string, 0, len(fs))
	for _, f := range fs {
		n := f.Name
		if f.Alias != "" {
			n = f.Alias
		}
		if f.Month != "" {
			n += "[" + f.Month + "]"
		}
		v := n + "=" + scheme.FormatNumber(f.Value)
		if f.Den != 0 {
			v += fmt.Sprintf(" (%s/%s)", scheme.FormatNumber(f.Num), scheme.FormatNumber(f.Den))
		}
		parts = append(parts, v)
	}
	return strings.Join(parts, "; ")
}

// evidenceList prints the records behind a rule as entity:id, each once:
// those of the facts it read, and the findings it counted with theirs.
func evidenceList(r *scheme.RuleResult) string {
	seen := map[string]bool{}
	var parts []string
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			parts = append(parts, s)
		}
	}
	for _, f := range r.Facts {
		for _, e := range f.Evidence {
			add(e.Entity + ":" + e.ID)
		}
	}
	for _, fd := range r.Findings {
		add("finding:" + fd.ID)
		for _, e := range fd.Evidence {
			add(e.Entity + ":" + e.ID)
		}
	}
	return strings.Join(parts, "; ")
}

// maxCellChars is Excel's limit on the text of one cell.
const maxCellChars = 32767

// cellText shortens s to what one cell holds, saying so.
func cellText(s string) string {
	if utf8.RuneCountInString(s) <= maxCellChars {
		return s
	}
	r := []rune(s)
	cut := strings.LastIndex(string(r[:maxCellChars-64]), "; ")
	if cut < 0 {
		cut = len(string(r[:maxCellChars-64]))
	}
	return s[:cut] + fmt.Sprintf("; …(共 %d 条,余下见系统)", strings.Count(s, "; ")+1)
}

// statusName is a rule status in Chinese.
func statusName(s string) string {
	switch s {
	case scheme.Scored:
		return "已计分"
	case scheme.NoData:
		return "无数据"
	case scheme.NotApplicable:
		return "不适用"
	case scheme.Voided:
		return "申诉撤销"
	}
	return s
}

// actionName is an escalation action in Chinese.
func actionName(a string) string {
	switch a {
	case "talk":
		return "约谈"
	case "notice":
		return "通报"
	case "training":
		return "培训"
	case "veto":
		return "一票否决"
	case "revoke_extra_grid":
		return "取消减员增效"
	case "award":
		return "表彰"
	}
	return a
}

// employmentName is an employment in Chinese.
func employmentName(e string) string {
	switch e {
	case "full_time":
		return "专职"
	case "part_time":
		return "兼职"
	}
	return e
}

// spanLabel prints a span the way a notice names it: 2026年3月,
// 2026年第一季度, 2026年上半年, 2026年度.
func spanLabel(text string) string {
	sp, err := scheme.ParseSpan(text)
	if err != nil {
		return text
	}
	switch sp.Kind {
	case scheme.Month:
		return fmt.Sprintf("%d年%d月", sp.Year, sp.Index)
	case scheme.Quarter:
		return fmt.Sprintf("%d年第%s季度", sp.Year, []string{"一", "二", "三", "四"}[sp.Index-1])
	case scheme.Half:
		return fmt.Sprintf("%d年%s半年", sp.Year, []string{"上", "下"}[sp.Index-1])
	}
	return fmt.Sprintf("%d年度", sp.Year)
}

// bottomMark marks a row in the bottom N of its table.
const bottomMark = "是"

// noticeData is what both forms of the notice show.
type noticeData struct {
	info        RunInfo
	title       string
	bottom      int
	rows        []Row
	escalations []EscalationRecord
}

func (n *noticeData) bottomHeader() string {
	if n.bottom > 0 {
		return fmt.Sprintf("后%d位", n.bottom)
	}
	return "后N位"
}

// notice reads a run's table and the escalations recorded with it.
func (s *Store) notice(ctx context.Context, runID string) (*noticeData, error) {
	info, rows, err := s.Table(ctx, runID, TableQuery{})
	if err != nil {
		return nil, err
	}
	_, sch, err := s.Scheme(ctx, info.SchemeID)
	if err != nil {
		return nil, err
	}
	n := &noticeData{info: info, rows: rows, bottom: sch.Ranking.Bottom,
		title: fmt.Sprintf("《%s》%s考核通报", info.SchemeTitle, spanLabel(info.Span))}
	if n.escalations, err = s.Escalations(ctx, EscalationQuery{RunID: runID}); err != nil {
		return nil, err
	}
	return n, nil
}

// The page form of the notice.
type (
	noticePage struct {
		Title, Bottom          string
		Rows                   []pageRow
		Assessed               int
		Escalations            []pageEscalation
		RunID, Scheme, Created string
		SupersededBy           string
	}
	pageRow struct {
		Rank, Name, Community, Score, Max, Change, PrevRank, Vetoed, NotAssessed string
		Bottom                                                                   bool
	}
	pageEscalation struct {
		Name, Escalation, Action, Periods, Evidence string
	}
)

var noticeTemplate = template.Must(template.New("notice").Parse(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
@page { size: A4; margin: 18mm 15mm 20mm 15mm; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "SimSun", "Songti SC", "Noto Serif CJK SC", serif; font-size: 10.5pt; color: #000;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
h1 { font-family: "SimHei", "Heiti SC", "Noto Sans CJK SC", sans-serif; font-size: 16pt; text-align: center; margin: 0 0 4mm; }
h2 { font-size: 12pt; margin: 6mm 0 2mm; }
p.sum { margin: 0 0 3mm; }
table { width: 100%; border-collapse: collapse; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
th, td { border: 0.5pt solid #000; padding: 1mm 1.5mm; }
th { background: #ededed; font-weight: bold; text-align: center; }
td.n { text-align: right; white-space: nowrap; }
td.c { text-align: center; white-space: nowrap; }
tr.bottom td { background: #f4d6d6; }
ol { margin: 0; padding-left: 6mm; }
li { margin: 1mm 0; }
.superseded { border: 0.5pt solid #000; padding: 1.5mm; margin-bottom: 3mm; }
footer { margin-top: 6mm; font-size: 8.5pt; color: #333; border-top: 0.5pt solid #999; padding-top: 1.5mm; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{if .SupersededBy}}<p class="superseded">本通报所依据的考核结果已被 {{.SupersededBy}} 取代,仅供查阅。</p>{{end}}
<p class="sum">考核对象 {{len .Rows}} 个,参加排名 {{.Assessed}} 个;{{.Bottom}}以底色标出。</p>
<table>
<thead><tr><th>排名</th><th>姓名/单位</th><th>所属社区</th><th>得分</th><th>满分</th><th>较上期</th><th>上期排名</th><th>{{.Bottom}}</th><th>一票否决</th><th>未考核原因</th></tr></thead>
<tbody>
{{range .Rows}}<tr{{if .Bottom}} class="bottom"{{end}}><td class="c">{{.Rank}}</td><td>{{.Name}}</td><td>{{.Community}}</td><td class="n">{{.Score}}</td><td class="n">{{.Max}}</td><td class="n">{{.Change}}</td><td class="c">{{.PrevRank}}</td><td class="c">{{if .Bottom}}` + bottomMark + `{{end}}</td><td>{{.Vetoed}}</td><td>{{.NotAssessed}}</td></tr>
{{end}}</tbody>
</table>
<h2>预警</h2>
{{if .Escalations}}<ol>
{{range .Escalations}}<li>{{.Name}}:{{.Escalation}}{{if .Action}}({{.Action}}){{end}},涉及 {{.Periods}}。{{.Evidence}}</li>
{{end}}</ol>{{else}}<p>本期无预警。</p>{{end}}
<footer>考核运行 {{.RunID}} · 方案 {{.Scheme}} · 生成于 {{.Created}}(北京时间)</footer>
</body>
</html>
`))

// Typed cell values of the workbooks (exchange.Formatted).
type (
	points float64 // a score, shown with one decimal (two when it has them)
	delta  float64 // a change of score, shown signed with one decimal
	money  int64   // an amount in fen, written as yuan with two decimals
)

// XLSXCell shows one decimal, as scores are rounded; a rule's finding can
// be −0.25 and shows so.
func (p points) XLSXCell() (any, string, int) {
	return float64(p), "0.0#", len(scheme.FormatNumber(float64(p))) + 2
}

func (d delta) XLSXCell() (any, string, int) {
	return float64(d), "+0.0;-0.0;0.0", len(fmt.Sprintf("%+.1f", float64(d)))
}

func (m money) XLSXCell() (any, string, int) {
	v := yuanValue(int64(m))
	return v, "0.00", len(fmt.Sprintf("%.2f", v))
}

// yuanValue is fen in yuan: the exact decimal text parsed once.
func yuanValue(fen int64) float64 {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	v, _ := strconv.ParseFloat(fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100), 64)
	return v
}
