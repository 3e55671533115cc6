package schemes_test

import (
	"math"
	"sort"
	"strings"
	"testing"

	_ "gridwork/internal/catalog" // every fact defined, as in the server
	"gridwork/internal/dates"
	"gridwork/internal/metric"
	"gridwork/internal/scheme"
	"gridwork/schemes"
)

// hwLoad parses the embedded template name and lints it: no error, and
// no warning but the accepted ones (each given as the start of its text),
// so that a new warning fails the test. An accepted warning that no longer
// appears (its fact got measured) is only logged.
func hwLoad(t *testing.T, name string, accepted []string) *scheme.Program {
	t.Helper()
	text, err := schemes.Read(name)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	s, err := scheme.Parse(text)
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	used := map[string]bool{}
	for _, m := range scheme.Lint(s, metric.Current()) {
		if m.Severity == scheme.Error {
			t.Errorf("%s: lint error %s", name, m)
			continue
		}
		ok := false
		for _, a := range accepted {
			if strings.HasPrefix(m.Text, a) {
				ok, used[a] = true, true
				break
			}
		}
		if !ok {
			t.Errorf("%s: unexpected lint warning %s", name, m)
		}
	}
	for _, a := range accepted {
		if !used[a] {
			t.Logf("%s: accepted warning %q no longer appears; drop it from the list", name, a)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	p, err := scheme.Compile(s, metric.Current())
	if err != nil {
		t.Fatalf("compile %s: %v", name, err)
	}
	return p
}

// hwPending is the warning for a rule reading a fact not measured yet.
func hwPending(rule, fact string) string {
	return "rule " + rule + " reads " + fact + ", which is declared but not measured yet"
}

func hwCount(v float64) metric.Fact { return metric.Fact{Value: v} }

func hwRate(num, den float64) metric.Fact {
	v := 100.0
	if den > 0 {
		v = 100 * num / den
	}
	return metric.Fact{Value: v, Num: num, Den: den}
}

// hwMerge returns base with over laid on it and the facts named by drop (or
// starting with a drop ending in ".") removed.
func hwMerge(base, over scheme.Facts, drop ...string) scheme.Facts {
	out := scheme.Facts{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	for _, d := range drop {
		for k := range out {
			if k == d || (strings.HasSuffix(d, ".") && strings.HasPrefix(k, d)) {
				delete(out, k)
			}
		}
	}
	return out
}

func hwFinding(id, typ, month string, points float64) scheme.FindingRecord {
	return scheme.FindingRecord{ID: id, Type: typ, Month: month, Points: points, By: "督查员", Note: "test"}
}

// hwWant is one subject's expected result. Rules maps "category/rule" to
// its points; a rule not listed must score exactly 0. NoDataRules lists
// the rules whose status must be no_data (and no other rule may be).
type hwWant struct {
	id          string
	notAssessed string // a substring of the reason; "" = assessed
	total       float64
	rank, of    int
	noData      int
	cats        map[string]float64
	raw         map[string]float64 // category raw scores worth checking (floors, caps)
	rules       map[string]float64
	noDataRules []string
}

func hwCheck(t *testing.T, rs []scheme.Result, wants []hwWant) {
	t.Helper()
	if len(rs) != len(wants) {
		t.Fatalf("%d results, want %d", len(rs), len(wants))
	}
	byID := map[string]scheme.Result{}
	for _, r := range rs {
		byID[r.Subject.ID] = r
	}
	for _, w := range wants {
		t.Run(w.id, func(t *testing.T) {
			r, ok := byID[w.id]
			if !ok {
				t.Fatalf("no result for %s", w.id)
			}
			if w.notAssessed != "" {
				if r.Assessed || !strings.Contains(r.NotAssessed, w.notAssessed) || r.Rank != 0 {
					t.Errorf("assessed %v, reason %q, rank %d; want not assessed (%q) and unranked", r.Assessed, r.NotAssessed, r.Rank, w.notAssessed)
				}
				return
			}
			if !r.Assessed {
				t.Fatalf("not assessed: %s", r.NotAssessed)
			}
			if r.Total != w.total {
				t.Errorf("total = %v, want %v", r.Total, w.total)
			}
			if r.Rank != w.rank || r.Of != w.of {
				t.Errorf("rank %d of %d, want %d of %d", r.Rank, r.Of, w.rank, w.of)
			}
			if r.NoData != w.noData {
				t.Errorf("no_data = %d, want %d", r.NoData, w.noData)
			}
			noData := map[string]bool{}
			for _, k := range w.noDataRules {
				noData[k] = true
			}
			seenCat, seenRule := map[string]bool{}, map[string]bool{}
			for _, c := range r.Categories {
				seenCat[c.ID] = true
				wc, ok := w.cats[c.ID]
				if !ok {
					t.Errorf("category %s scored %v but is not expected", c.ID, c.Score)
				} else if c.Score != wc {
					t.Errorf("category %s = %v, want %v (raw %v; %s)", c.ID, c.Score, wc, c.Raw, c.Note)
				}
				if wr, ok := w.raw[c.ID]; ok && math.Abs(c.Raw-wr) > 1e-9 {
					t.Errorf("category %s raw = %v, want %v", c.ID, c.Raw, wr)
				}
				for _, rr := range c.Rules {
					key := c.ID + "/" + rr.ID
					seenRule[key] = true
					if wp := w.rules[key]; math.Abs(rr.Points-wp) > 1e-9 {
						t.Errorf("rule %s = %v, want %v (%s)", key, rr.Points, wp, rr.Explain)
					}
					if (rr.Status == scheme.NoData) != noData[key] {
						t.Errorf("rule %s status %s, want no_data %v", key, rr.Status, noData[key])
					}
				}
			}
			for id := range w.cats {
				if !seenCat[id] {
					t.Errorf("category %s expected but not in the result", id)
				}
			}
			var stray []string
			for k := range w.rules {
				if !seenRule[k] {
					stray = append(stray, k)
				}
			}
			for _, k := range w.noDataRules {
				if !seenRule[k] {
					stray = append(stray, k)
				}
			}
			sort.Strings(stray)
			if len(stray) > 0 {
				t.Errorf("expected rules not in the result: %v", stray)
			}
		})
	}
}

const seed000 = "seed000-housing-station-monthly.yaml"

// seed000Warnings are the lint warnings the template keeps: facts not
// measured yet (duty, patrols and supervision are declared only), and the
// rate rules that can move more than the platform category's 30, which the
// floor holds (see the template's 取舍). No overlap warning: the floating
// and digital platforms' "未录错录" and "一个月以上未录入" are one formula.
var seed000Warnings = []string{
	hwPending("unregistered", "inspect.missed_registrations"),
	"rule permit-rate can move 95 points, more than category platforms's 30",
	"rule floating-rate can move 50 points, more than category platforms's 30",
	"rule police-rate can move 100 points, more than category platforms's 30",
	"rule digital-rate can move 50 points, more than category platforms's 30",
	hwPending("out-of-area", "patrol.out_of_area"),
	hwPending("rating-falsified", "inspect.rating_falsified"),
}

// clean000 is a worker's month with every fact the worker categories read
// measured and nothing wrong: counts 0, rates 100 %, flags down.
func clean000() scheme.Facts {
	f := scheme.Facts{}
	for _, n := range []string{
		"households.not_visited", "households.visits_unwritten", "records.tenant_incomplete", "inspect.missed_registrations",
		"platform.permit.missing", "platform.permit.wrong",
		"platform.floating.missing", "platform.floating.not_entered_1m", "platform.floating.wrong",
		"platform.floating.not_cancelled_3d", "platform.floating.not_cancelled_1m", "platform.floating.duplicates", "platform.floating.no_photo",
		"platform.police.missing", "platform.police.wrong",
		"platform.digital.missing", "platform.digital.not_entered_1m", "platform.digital.wrong",
		"platform.digital.not_cancelled_3d", "platform.digital.not_cancelled_1m", "platform.digital.duplicates", "platform.digital.no_photo",
		"rentals.qr_not_posted", "records.late_entry", "records.late_end_3d", "records.late_end_1m", "patrol.out_of_area",
		"duty.reports_late", "duty.plans_late", "duty.analysis_absent", "duty.issues_unanalysed", "duty.analysis_unreported",
		"duty.checks_absent", "inspect.rating_falsified", "rentals.unrated", "duty.late_flag",
	} {
		f[n] = hwCount(0)
	}
	for _, n := range []string{"records.permit_rate", "platform.floating.entry_rate", "platform.police.entry_rate", "platform.digital.entry_rate", "rentals.scan_rate"} {
		f[n] = hwRate(20, 20)
	}
	return f
}

func TestSeed000HousingStationMonthly(t *testing.T) {
	s := hwLoad(t, seed000, seed000Warnings)
	if s.Period != scheme.Month || len(s.Subjects) != 2 {
		t.Fatalf("period %s, subjects %v; want a monthly scheme for workers and communities", s.Period, s.Subjects)
	}
	if strings.Contains(string(s.Text()), "大胡子") || strings.Contains(string(s.Text()), "蒙面") {
		t.Fatal("the template must not carry the seed's religious/ethnic profiling item")
	}
	const march = "2026-03"
	// Community C1: morning meetings and analysis meetings held with
	// minutes, last-place and back-tracing systems on file, no QR/GPS
	// system. Community C2 has all five.
	c1 := scheme.Facts{
		"duty.morning_meetings": hwCount(4), "duty.analysis_meetings": hwCount(20),
		"duty.system_elimination": hwCount(1), "duty.system_qr": hwCount(0), "duty.system_back_tracing": hwCount(1),
	}
	c2 := scheme.Facts{
		"duty.morning_meetings": hwCount(3), "duty.analysis_meetings": hwCount(10),
		"duty.system_elimination": hwCount(1), "duty.system_qr": hwCount(1), "duty.system_back_tracing": hwCount(1),
	}
	worker := func(id, community string) scheme.Subject {
		return scheme.Subject{Kind: scheme.Worker, ID: id, Name: id, Community: community, Employment: "full_time", InPostSince: dates.New(2024, 1, 1)}
	}
	inputs := []scheme.Input{
		{
			Subject: worker("w1", "C1"),
			// The police and digital platforms sent no export in March:
			// their facts are missing, not zero.
			Months: []scheme.Facts{hwMerge(clean000(), scheme.Facts{
				"households.not_visited": hwCount(4), "households.visits_unwritten": hwCount(3),
				"records.tenant_incomplete": hwCount(2), "inspect.missed_registrations": hwCount(1),
				"records.permit_rate": hwRate(90, 100), "platform.permit.missing": hwCount(2), "platform.permit.wrong": hwCount(1),
				"platform.floating.entry_rate": hwRate(80, 100), "platform.floating.missing": hwCount(6),
				"platform.floating.not_entered_1m": hwCount(2), "platform.floating.wrong": hwCount(1),
				"platform.floating.not_cancelled_3d": hwCount(1), "platform.floating.not_cancelled_1m": hwCount(1),
				"duty.reports_late": hwCount(1), "duty.analysis_absent": hwCount(1), "duty.checks_absent": hwCount(1),
				"duty.late_flag": hwCount(1),
			}, "platform.police.", "platform.digital.")},
			Community: []scheme.Facts{c1},
			Findings: []scheme.FindingRecord{
				hwFinding("f1", "fugitive_unregistered", march, -5),
				hwFinding("f2", "change_not_passed", march, -0.5),
				hwFinding("f3", "change_not_passed", march, -0.5),
				hwFinding("f4", "change_not_passed", "2026-02", -0.5), // February's: not this month
				hwFinding("f5", "service_not_passed", march, -0.5),
			},
		},
		{
			Subject: worker("w2", "C2"),
			Months: []scheme.Facts{hwMerge(clean000(), scheme.Facts{
				"households.not_visited":     hwCount(1),
				"platform.police.entry_rate": hwRate(197, 200), "platform.police.missing": hwCount(1),
				"platform.digital.entry_rate": hwRate(99, 100), "platform.digital.missing": hwCount(3),
				"platform.digital.not_entered_1m": hwCount(1), "platform.digital.wrong": hwCount(2),
				"platform.digital.not_cancelled_3d": hwCount(2), "platform.digital.not_cancelled_1m": hwCount(1),
				"platform.digital.duplicates": hwCount(3), "platform.digital.no_photo": hwCount(4),
				"rentals.qr_not_posted": hwCount(2), "rentals.scan_rate": hwRate(9, 10),
				"records.late_entry": hwCount(1), "records.late_end_3d": hwCount(1), "records.late_end_1m": hwCount(1),
				"patrol.out_of_area": hwCount(2), "duty.issues_unanalysed": hwCount(1), "rentals.unrated": hwCount(3),
			})},
			Community: []scheme.Facts{c2},
			Findings: []scheme.FindingRecord{
				hwFinding("s1", "suspect_found", march, 5),
				hwFinding("s2", "suspect_found", march, 5),
				hwFinding("p1", "platform_not_passed", march, -0.5),
				hwFinding("d1", "discipline", march, -1),
			},
		},
		{
			// Nothing stored for w3 or its community this month.
			Subject:  worker("w3", "C3"),
			Months:   []scheme.Facts{nil},
			Findings: []scheme.FindingRecord{hwFinding("g1", "change_not_passed", march, -0.5)},
		},
		{
			Subject: worker("w4", "C1"),
			Months: []scheme.Facts{hwMerge(clean000(), scheme.Facts{
				"records.permit_rate":          hwRate(19, 20), // exactly 95 %
				"platform.floating.no_photo":   hwCount(20),
				"platform.floating.duplicates": hwCount(4),
				"rentals.qr_not_posted":        hwCount(8),
				"duty.late_flag":               hwCount(1),
			})},
			Community: []scheme.Facts{c1},
			Findings: func() []scheme.FindingRecord {
				var fs []scheme.FindingRecord
				for i := range 12 {
					fs = append(fs, hwFinding("c"+string(rune('a'+i)), "discipline", march, -1))
				}
				return fs
			}(),
		},
		{
			Subject: scheme.Subject{Kind: scheme.Community, ID: "C1", Name: "一社区", Community: "C1"},
			Months:  []scheme.Facts{c1},
		},
	}
	rs, err := scheme.Evaluate(s, scheme.Span{Kind: scheme.Month, Year: 2026, Index: 3}, inputs, scheme.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Category I for C1: 晨会 2 + 研判 3 + 末位淘汰 2 + 二维码制度 0 (not
	// on file) + 倒查 4 = 11 of 15. For C2 all five: 15.
	c1Rules := map[string]float64{
		"community/morning-meeting": 2, "community/analysis-meeting": 3, "community/elimination": 2, "community/back-tracing": 4,
	}
	c2Rules := map[string]float64{
		"community/morning-meeting": 2, "community/analysis-meeting": 3, "community/elimination": 2,
		"community/qr-gps-system": 4, "community/back-tracing": 4,
	}
	withRules := func(a, b map[string]float64) map[string]float64 {
		out := map[string]float64{}
		for k, v := range a {
			out[k] = v
		}
		for k, v := range b {
			out[k] = v
		}
		return out
	}
	policeDigital := []string{
		"platforms/police-rate", "platforms/police-missing-wrong", "platforms/digital-rate", "platforms/digital-missing-wrong",
		"platforms/digital-not-cancelled", "platforms/digital-duplicates", "platforms/digital-no-photo",
	}
	wants := []hwWant{
		{
			// w1: II: 4 households not visited × −0.5 = −2; 3 visits not
			// written × −0.2 = −0.6; 2 tenants with incomplete files ×
			// −0.5 = −1; 1 person found unregistered × −1.5 = −1.5; 1
			// fugitive × −5 = −5; 2 changes not passed × −0.5 = −1
			// (February's not counted); 1 service problem × −0.5 = −0.5.
			// 30 − 11.6 = 18.4.
			// III: permit rate 90 %, 5 points short of 95 × −1 = −5; 2
			// missing + 1 wrong on the permit platform × −1.5 = −4.5;
			// floating entry rate 80 %, 20 points short × −0.5 = −10;
			// floating: 6 missing of whom 2 here over a month, 1 wrong:
			// (6 − 2) × −1 + 1 × −1 + 2 × −5 = −15 (not 6 × −1 + 2 × −5);
			// 1 not cancelled after 3 days × −1.5 + 1 after a month × −5 =
			// −6.5. Police and digital: no export, no data, nothing
			// deducted. 30 − 41 = −11 → floor 0.
			// IV: 1 late report −1, 1 analysis absence −0.5, 1 check
			// missed −3: 15 − 4.5 = 10.5. V: late 3+ times −1: 9.
			// Total 11 + 18.4 + 0 + 10.5 + 9 = 48.9.
			id: "w1", total: 48.9, rank: 4, of: 4, noData: 7,
			cats: map[string]float64{"community": 11, "visits": 18.4, "platforms": 0, "reports": 10.5, "discipline": 9},
			raw:  map[string]float64{"platforms": -11},
			rules: withRules(c1Rules, map[string]float64{
				"visits/not-visited": -2, "visits/visit-unwritten": -0.6, "visits/tenant-incomplete": -1,
				"visits/unregistered": -1.5, "visits/fugitive-unregistered": -5, "visits/change-not-passed": -1,
				"visits/service-not-passed": -0.5,
				"platforms/permit-rate":     -5, "platforms/permit-missing-wrong": -4.5, "platforms/floating-rate": -10,
				"platforms/floating-missing-wrong": -15, "platforms/floating-not-cancelled": -6.5,
				"reports/reports-late": -1, "reports/analysis-absent": -0.5, "reports/checks-absent": -3,
				"discipline/late": -1,
			}),
			noDataRules: policeDigital,
		},
		{
			// w2: II: 1 household not visited −0.5; 2 suspects found ×
			// +5 = +10: 30 − 0.5 + 10 = 39.5, held at the category's 30
			// (no bonus above the allotment).
			// III: police rate 98.5 %, 1.5 short × −1 = −1.5; 1 missing
			// on the police platform × −1.5 = −1.5; digital rate 99 %, 1
			// short × −0.5 = −0.5; digital: 3 missing of whom 1 over a
			// month, 2 wrong: (3 − 1) × −1 + 2 × −1 + 1 × −3 = −7; 2 not
			// cancelled after 3 days × −1 + 1 after a month × −3 = −5; 3
			// duplicates × −0.2 = −0.6; 4 without photo × −0.1 = −0.4; 2
			// QR codes not posted × −0.5 = −1; scan rate 90 % < 95 → −2
			// once; 1 person entered over a month late × −3 = −3; 1 + 1
			// moves-out entered late × −1 = −2; 2 times out of the work
			// area × −1 = −2; 1 finding not passed to the platform staff
			// −0.5. 30 − 27 = 3.
			// IV: 1 issue not analysed −2; 3 rentals unrated at the
			// quarter's end → −2 once (not × 3): 15 − 4 = 11.
			// V: 1 discipline finding −1: 9.
			// Total 15 + 30 + 3 + 11 + 9 = 68.
			id: "w2", total: 68, rank: 2, of: 4, noData: 0,
			cats: map[string]float64{"community": 15, "visits": 30, "platforms": 3, "reports": 11, "discipline": 9},
			raw:  map[string]float64{"visits": 39.5},
			rules: withRules(c2Rules, map[string]float64{
				"visits/not-visited": -0.5, "visits/suspect-found": 10,
				"platforms/police-rate": -1.5, "platforms/police-missing-wrong": -1.5, "platforms/digital-rate": -0.5,
				"platforms/digital-missing-wrong": -7, "platforms/digital-not-cancelled": -5,
				"platforms/digital-duplicates": -0.6, "platforms/digital-no-photo": -0.4,
				"platforms/qr-not-posted": -1, "platforms/qr-scan-rate": -2, "platforms/qr-not-entered": -3,
				"platforms/qr-not-cancelled": -2, "platforms/out-of-area": -2, "platforms/not-passed-to-platform": -0.5,
				"reports/issues-unanalysed": -2, "reports/unrated": -2,
				"discipline/conduct": -1,
			}),
		},
		{
			// w3: nothing measured. Every deduction that reads a fact finds
			// no data and deducts nothing; category I's systems were not
			// shown, so no points there (missing: none). The one finding
			// still counts: −0.5. Total 0 + 29.5 + 30 + 15 + 10 = 84.5,
			// with 37 rules without data (5 + 4 + 19 + 8 + 1) flagged.
			id: "w3", total: 84.5, rank: 1, of: 4, noData: 37,
			cats:  map[string]float64{"community": 0, "visits": 29.5, "platforms": 30, "reports": 15, "discipline": 10},
			rules: map[string]float64{"visits/change-not-passed": -0.5},
			noDataRules: []string{
				"community/morning-meeting", "community/analysis-meeting", "community/elimination",
				"community/qr-gps-system", "community/back-tracing",
				"visits/not-visited", "visits/visit-unwritten", "visits/tenant-incomplete", "visits/unregistered",
				"platforms/permit-rate", "platforms/permit-missing-wrong", "platforms/floating-rate",
				"platforms/floating-missing-wrong", "platforms/floating-not-cancelled", "platforms/floating-duplicates",
				"platforms/floating-no-photo", "platforms/police-rate", "platforms/police-missing-wrong",
				"platforms/digital-rate", "platforms/digital-missing-wrong", "platforms/digital-not-cancelled",
				"platforms/digital-duplicates", "platforms/digital-no-photo", "platforms/qr-not-posted",
				"platforms/qr-scan-rate", "platforms/qr-not-entered", "platforms/qr-not-cancelled", "platforms/out-of-area",
				"reports/reports-late", "reports/plans-late", "reports/analysis-absent", "reports/issues-unanalysed",
				"reports/analysis-unreported", "reports/checks-absent", "reports/rating-falsified", "reports/unrated",
				"discipline/late",
			},
		},
		{
			// w4: permit rate exactly 95 %: nothing short. 20 floating
			// records without photo × −0.5 = −10; 4 duplicates × −1 = −4;
			// 8 QR codes not posted × −0.5 = −4: 30 − 18 = 12.
			// V: late −1 and 12 discipline findings × −1 = −13: 10 − 13 =
			// −3 → floor 0.
			// Total 11 + 30 + 12 + 15 + 0 = 68: tied with w2, both rank 2,
			// and w1 comes 4th (the rank after a tie skips).
			id: "w4", total: 68, rank: 2, of: 4, noData: 0,
			cats: map[string]float64{"community": 11, "visits": 30, "platforms": 12, "reports": 15, "discipline": 0},
			raw:  map[string]float64{"discipline": -3},
			rules: withRules(c1Rules, map[string]float64{
				"platforms/floating-no-photo": -10, "platforms/floating-duplicates": -4, "platforms/qr-not-posted": -4,
				"discipline/late": -1, "discipline/conduct": -12,
			}),
		},
		{
			// The community itself is scored on category I only: 11 of
			// 15, ranked among communities (alone here).
			id: "C1", total: 11, rank: 1, of: 1, noData: 0,
			cats:  map[string]float64{"community": 11},
			rules: c1Rules,
		},
	}
	hwCheck(t, rs, wants)
}
