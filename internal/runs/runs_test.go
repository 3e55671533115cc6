package runs_test

import (
	"context"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"gridwork/internal/apperr"
	"gridwork/internal/dates"
	"gridwork/internal/facts"
	"gridwork/internal/geo"
	"gridwork/internal/metric"
	"gridwork/internal/org"
	"gridwork/internal/runs"
	"gridwork/internal/scheme"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
	"gridwork/schemes"
)

var bg = context.Background()

// The facts t.count and t.rate are defined by the package's own tests
// (eval_test.go), which share this test binary.
const runScheme = `
code: test-runs
version: 1
title: 测试月考核
period: month
total: 100
ranking: {bottom: 1}
appeals: {days: 7}
escalations:
  - {id: talk, name: 约谈, action: talk, bottom: 1, consecutive: 2}
pay:
  - {id: perf, name: 绩效工资, monthly_fen: 20000, scale: score}
categories:
  - id: a
    name: 基础信息
    max: 60
    floor: 0
    rules:
      - {id: late, name: 未及时更新, kind: per, fact: t.count, points: -2}
  - id: b
    name: 督查
    max: 40
    rules:
      - {id: calls, name: 调度抽查异常, kind: finding, type: dispatch_anomaly, range: [-0.3, -0.2]}
      - {id: rate, name: 录入率, kind: short_rate, fact: t.rate, target: 100, points: -0.5}
`

type runEnv struct {
	db      *store.DB
	org     *org.Store
	as      *runs.Store
	street  org.Unit
	workers map[string]org.Worker // by name
}

func rect(w, s, e, n float64) string {
	return geo.Marshal(orb.Polygon{orb.Ring{{w, s}, {e, s}, {e, n}, {w, n}, {w, s}}})
}

func newRunEnv(t *testing.T, db *store.DB) *runEnv {
	t.Helper()
	e := &runEnv{db: db, org: org.NewStore(db), workers: map[string]org.Worker{}}
	e.as = runs.NewStore(db, e.org)
	from := dates.New(2025, 1, 1)
	mk := func(in org.NewUnit) org.Unit {
		t.Helper()
		in.ValidFrom = from
		u, err := e.org.CreateUnit(bg, "test", in)
		if err != nil {
			t.Fatalf("CreateUnit %s: %v", in.Name, err)
		}
		return u
	}
	district := mk(org.NewUnit{Level: org.District, Name: "区", Code: "110105"})
	e.street = mk(org.NewUnit{Level: org.Street, ParentID: district.ID, Name: "街道", Kind: "街道"})
	c := mk(org.NewUnit{Level: org.Community, ParentID: e.street.ID, Name: "社区", Kind: "社区", Geometry: rect(116.3, 39.9, 116.33, 39.91)})
	for i, name := range []string{"甲", "乙", "丙"} {
		g := mk(org.NewUnit{Level: org.Grid, ParentID: c.ID, Name: name + "网格", Geometry: rect(116.3+0.01*float64(i), 39.9, 116.31+0.01*float64(i), 39.91)})
		w, err := e.org.CreateWorker(bg, "test", org.NewWorker{Name: name, Employment: org.FullTime, Post: org.GridWorker,
			Phone: "13800138000", InPostSince: from, HomeUnitID: c.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.org.Assign(bg, "test", org.NewAssignment{WorkerID: w.ID, GridID: g.ID, Kind: org.Primary, ValidFrom: from}); err != nil {
			t.Fatal(err)
		}
		e.workers[name] = w
	}
	return e
}

// saveFacts stores the worker facts of a month: late changes and a rate.
func (e *runEnv) saveFacts(t *testing.T, month string, late map[string]float64) {
	t.Helper()
	p, _ := metric.ParsePeriod(month)
	var fs []metric.Fact
	for name, n := range late {
		w := e.workers[name]
		f := metric.Fact{Subject: metric.Worker, SubjectID: w.ID, Name: "t.count", Value: n}
		for i := 0; i < int(n); i++ {
			f.Evidence = append(f.Evidence, metric.Ref{Entity: "person", ID: name + "-p" + string(rune('0'+i))})
		}
		fs = append(fs, f, metric.Fact{Subject: metric.Worker, SubjectID: w.ID, Name: "t.rate", Value: 100, Num: 10, Den: 10})
	}
	if err := facts.Save(bg, e.db, p, fs); err != nil {
		t.Fatal(err)
	}
}

func TestRunsAppealsAndEscalations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newRunEnv(t, db)
		v, _, err := e.as.SaveScheme(bg, "test", []byte(runScheme), false)
		if err != nil {
			t.Fatal(err)
		}
		// Saving the same text again is a no-op; other text under the same
		// version is a conflict; a broken scheme is refused with its line.
		if again, _, err := e.as.SaveScheme(bg, "test", []byte(runScheme), false); err != nil || again.ID != v.ID {
			t.Errorf("second save = %v, %v; want the stored version", again.ID, err)
		}
		if _, _, err := e.as.SaveScheme(bg, "test", []byte(strings.Replace(runScheme, "points: -2", "points: -3", 1)), false); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("changed text, same version: %v, want Conflict", err)
		}
		if _, msgs, err := e.as.SaveScheme(bg, "test", []byte(strings.Replace(runScheme, "max: 40", "max: 45", 1)), false); apperr.CodeOf(err) != apperr.Invalid || !scheme.HasErrors(msgs) {
			t.Errorf("maxima 105: %v, want Invalid with messages", err)
		}

		// February: 甲 2 late, 乙 5, 丙 0. March: 甲 1, 乙 6, 丙 0.
		e.saveFacts(t, "2026-02", map[string]float64{"甲": 2, "乙": 5, "丙": 0})
		e.saveFacts(t, "2026-03", map[string]float64{"甲": 1, "乙": 6, "丙": 0})
		if _, err := e.as.Run(bg, "test", "test-runs", "2026-Q1", e.street.ID, ""); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("quarter for a monthly scheme: %v, want Invalid", err)
		}
		feb, err := e.as.Run(bg, "test", "test-runs", "2026-02", e.street.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		// A finding in March against 甲, with evidence.
		if _, err := e.as.RecordFinding(bg, "inspector", runs.NewFinding{Type: "dispatch_anomaly", SubjectKind: scheme.Worker,
			SubjectID: e.workers["甲"].ID, Month: "2026-03", Points: -0.25, Note: "抽查电话未答出研判会周期"}); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("finding without evidence: %v, want Invalid", err)
		}
		if _, err := e.as.RecordFinding(bg, "inspector", runs.NewFinding{ClientID: "c1", Type: "dispatch_anomaly", SubjectKind: scheme.Worker,
			SubjectID: e.workers["甲"].ID, Month: "2026-03", Points: -0.25, Note: "抽查电话未答出研判会周期",
			Evidence: []metric.Ref{{Entity: "file", ID: "call-record"}}}); err != nil {
			t.Fatal(err)
		}
		mar, err := e.as.Run(bg, "test", "test-runs", "2026-03", e.street.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		// March: 甲 100 − 2 − 0.25 = 97.75 → a 58 + b 39.75 → 39.8: 97.8;
		// 乙 100 − 12 = 88; 丙 100.
		_, rows, err := e.as.Table(bg, mar.ID, runs.TableQuery{})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]struct {
			total  float64
			rank   int
			change float64
		}{"丙": {100, 1, 0}, "甲": {97.8, 2, 1.8}, "乙": {88, 3, -2}}
		for _, r := range rows {
			w := want[r.Name]
			if r.Total != w.total || r.Rank != w.rank || r.Change == nil || *r.Change != w.change {
				t.Errorf("%s: total %v rank %d change %v; want %v, %d, %v", r.Name, r.Total, r.Rank, r.Change, w.total, w.rank, w.change)
			}
		}
		// 乙 was last in February and March: the talk falls due in March.
		escs, err := e.as.Escalations(bg, runs.EscalationQuery{RunID: mar.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(escs) != 1 || escs[0].SubjectName != "乙" || strings.Join(escs[0].Periods, ",") != "2026-02,2026-03" {
			t.Errorf("escalations = %+v, want one talk for 乙 over February and March", escs)
		}
		// The explanation carries the very records.
		_, res, err := e.as.Explain(bg, mar.ID, scheme.Worker, e.workers["乙"].ID)
		if err != nil {
			t.Fatal(err)
		}
		late := res.Categories[0].Rules[0]
		if late.Points != -12 || len(late.Facts) != 1 || len(late.Facts[0].Evidence) != 6 {
			t.Errorf("乙 late = %+v, want −12 with the six people", late)
		}
		// 乙 appeals; after a rejection, an upheld appeal on another rule.
		ap, err := e.as.FileAppeal(bg, "乙", runs.NewAppeal{RunID: mar.ID, SubjectKind: scheme.Worker, SubjectID: e.workers["乙"].ID,
			Category: "a", Rule: "late", Reason: "其中 6 人是同一户,3 月 1 日已更新"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.as.FileAppeal(bg, "乙", runs.NewAppeal{RunID: mar.ID, SubjectKind: scheme.Worker, SubjectID: e.workers["乙"].ID,
			Category: "a", Rule: "late", Reason: "again"}); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("second appeal on the same rule: %v, want Conflict", err)
		}
		if _, err := e.as.FileAppeal(bg, "丙", runs.NewAppeal{RunID: mar.ID, SubjectKind: scheme.Worker, SubjectID: e.workers["丙"].ID,
			Category: "a", Rule: "late", Reason: "nothing lost"}); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("appeal on a rule that cost nothing: %v, want Invalid", err)
		}
		decided, newRun, err := e.as.DecideAppeal(bg, "centre", ap.ID, true, "核实:已按时更新")
		if err != nil {
			t.Fatal(err)
		}
		if decided.Status != "upheld" || newRun == nil || newRun.Supersedes != mar.ID {
			t.Fatalf("decision = %+v, run %+v; want upheld with a new run superseding March's", decided, newRun)
		}
		if _, _, err := e.as.DecideAppeal(bg, "centre", ap.ID, false, "again"); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("deciding twice: %v, want Conflict", err)
		}
		// The old run is kept, marked superseded, with its numbers.
		old, oldRows, err := e.as.Table(bg, mar.ID, runs.TableQuery{SubjectID: e.workers["乙"].ID})
		if err != nil || old.SupersededBy != newRun.ID || oldRows[0].Total != 88 {
			t.Errorf("old run: %+v %+v %v; want superseded, 乙 still 88", old, oldRows, err)
		}
		_, newRows, err := e.as.Table(bg, newRun.ID, runs.TableQuery{SubjectID: e.workers["乙"].ID})
		if err != nil || newRows[0].Total != 100 || newRows[0].Rank != 1 {
			t.Errorf("new run: %+v %v; want 乙 100, ranked first with 丙", newRows, err)
		}
		_, res, _ = e.as.Explain(bg, newRun.ID, scheme.Worker, e.workers["乙"].ID)
		if r := res.Categories[0].Rules[0]; r.Status != scheme.Voided || r.Original != -12 {
			t.Errorf("voided rule = %+v, want status voided with the original −12", r)
		}
		// Escalations are those of the current run: 乙 is no longer last.
		if escs, _ := e.as.Escalations(bg, runs.EscalationQuery{SchemeCode: "test-runs"}); len(escs) != 0 {
			t.Errorf("escalations after the appeal = %+v, want none", escs)
		}
		// Appeals cannot be filed against the superseded run.
		if _, err := e.as.FileAppeal(bg, "甲", runs.NewAppeal{RunID: mar.ID, SubjectKind: scheme.Worker, SubjectID: e.workers["甲"].ID,
			Category: "a", Rule: "late", Reason: "x"}); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("appeal against a superseded run: %v, want Conflict", err)
		}
		// Pay: 200 yuan × 97.8 % = 195.60 yuan for 甲 in the new run.
		_, pay, err := e.as.Payroll(bg, newRun.ID)
		if err != nil {
			t.Fatal(err)
		}
		paid := false
		for _, p := range pay {
			if p.Name == "甲" {
				paid = true
				if p.Fen != 19560 {
					t.Errorf("甲 pay = %d fen, want 19560", p.Fen)
				}
			}
		}
		if !paid {
			t.Error("the payroll has no line for 甲")
		}
		// What if late changes cost 5 points? 乙 (6 late) falls to last.
		draft := strings.Replace(runScheme, "points: -2", "points: -5", 1)
		draft = strings.Replace(draft, "version: 1", "version: 2", 1)
		wi, _, err := e.as.WhatIf(bg, []byte(draft), "2026-02", e.street.ID, feb.ID)
		if err != nil {
			t.Fatal(err)
		}
		compared := false
		for _, w := range wi {
			if w.Name == "乙" {
				compared = true
				if w.NewTotal != 75 || w.OldTotal == nil || *w.OldTotal != 90 {
					t.Errorf("what-if 乙 = %+v, want 90 → 75", w)
				}
			}
		}
		if !compared {
			t.Error("the what-if has no row for 乙")
		}
		if _, err := e.as.GetRun(bg, feb.ID); err != nil {
			t.Errorf("February run: %v", err)
		}
	})
}

func TestInstallBuiltins(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		as := runs.NewStore(db, org.NewStore(db))
		for i := range 2 { // the second start stores nothing new
			if err := as.InstallBuiltins(bg); err != nil {
				t.Fatalf("start %d: %v", i+1, err)
			}
			vs, err := as.Schemes(bg)
			if err != nil {
				t.Fatal(err)
			}
			if len(vs) != len(schemes.Names()) {
				t.Fatalf("start %d: %d schemes stored, want the %d built-in templates", i+1, len(vs), len(schemes.Names()))
			}
			for _, v := range vs {
				if !v.Builtin || v.Body != "" {
					t.Errorf("%s: builtin %v, body in the list %d bytes; want built-in and no body", v.Code, v.Builtin, len(v.Body))
				}
			}
		}
	})
}
