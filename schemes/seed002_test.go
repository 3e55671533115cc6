package schemes_test

import (
	"math"
	"testing"

	"gridwork/internal/scheme"
)

const seed002 = "seed002-street-annual.yaml"

// seed002Warnings: every fact the template reads is measured.
var seed002Warnings []string

// year002 builds twelve months of facts: base every month, with the
// months in over (1-12) changed.
func year002(base scheme.Facts, over map[int]scheme.Facts) []scheme.Facts {
	out := make([]scheme.Facts, 12)
	for i := range out {
		m := scheme.Facts{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range over[i+1] {
			m[k] = v
		}
		out[i] = m
	}
	return out
}

func inspection002(id, item, month string, points float64) scheme.FindingRecord {
	return scheme.FindingRecord{ID: id, Type: "inspection", Item: item, Month: month, Points: points, Note: "听评看议督查评分", By: "街道网格办"}
}

func leader002(id, post string) scheme.Subject {
	return scheme.Subject{Kind: scheme.Worker, ID: id, Name: id, Post: post, Employment: "full_time"}
}

func seed002Inputs() []scheme.Input {
	return []scheme.Input{
		{Subject: leader002("L1", "grid_leader"), Months: year002(scheme.Facts{
			"records.completeness":  tplRate(49, 50),
			"records.changes_late":  tplCount(0),
			"records.late_entry":    tplCount(0),
			"care.visit_rate":       tplRate(2, 2),
			"care.lost":             tplCount(0),
			"events.unreported":     tplCount(0),
			"households.visit_rate": tplRate(19, 20),
		}, map[int]scheme.Facts{
			1: {"records.changes_late": tplCount(1)},
			2: {"records.changes_late": tplCount(1)},
			3: {"records.changes_late": tplCount(1)},
			4: {"records.late_entry": tplCount(1)},
			7: {"events.unreported": tplCount(1)},
			9: {"records.late_entry": tplCount(1)},
		}), Findings: []scheme.FindingRecord{
			inspection002("l1a", "info", "2026-12", -1.5),
			inspection002("l1b", "party", "2026-06", -0.5), // the half-year check counts too
			inspection002("l1c", "party", "2026-12", -1),
			inspection002("l1d", "employment", "2026-12", -2),
			inspection002("l1e", "other", "2026-12", -0.8),
		}},
		{Subject: leader002("L2", "area_leader"), Months: year002(scheme.Facts{
			"records.completeness":  tplRate(45, 50),
			"records.changes_late":  tplCount(5),
			"records.late_entry":    tplCount(0),
			"care.visit_rate":       tplRate(3, 4),
			"care.lost":             tplCount(0),
			"events.unreported":     tplCount(0),
			"households.visit_rate": tplRate(16, 20),
		}, map[int]scheme.Facts{
			1: {"events.unreported": tplCount(1)},
			2: {"events.unreported": tplCount(1)},
			3: {"events.unreported": tplCount(1)},
			5: {"care.lost": tplCount(1)},
		}), Findings: []scheme.FindingRecord{
			inspection002("l2a", "info", "2026-12", -3),
			inspection002("l2b", "party", "2026-12", -12), // beyond the category: counts −10
			inspection002("l2c", "family_planning", "2026-06", -2.5),
			inspection002("l2d", "stability", "2026-12", 1), // not a deduction: counts 0
			inspection002("l2e", "civic", "2026-12", -1),
			inspection002("l2f", "safety", "2026-12", -4),
			inspection002("l2g", "united_front", "2026-12", -0.5),
		}},
		// L3's grids hold nothing that needs a visit or a required item
		// (rates with nothing to measure are 100), and the dynamic
		// information is not measured for it at all.
		{Subject: leader002("L3", "grid_leader"), Months: year002(scheme.Facts{
			"records.completeness":  tplRate(0, 0),
			"records.changes_late":  tplCount(0),
			"records.late_entry":    tplCount(0),
			"care.visit_rate":       tplRate(0, 0),
			"care.lost":             tplCount(0),
			"households.visit_rate": tplRate(10, 10),
		}, nil), Findings: []scheme.FindingRecord{
			inspection002("l3a", "info", "2026-06", -0.25),
			inspection002("l3b", "info", "2026-12", -0.3),
			inspection002("l3c", "party", "2025-12", -2),                                        // last year's: not counted
			{ID: "l3d", Type: "dispatch_anomaly", Item: "info", Month: "2026-05", Points: -0.3}, // another type
		}},
	}
}

func TestSeed002Year(t *testing.T) {
	s := tplLoad(t, seed002, seed002Warnings)
	rs, err := scheme.Evaluate(s, scheme.Span{Kind: scheme.Year, Year: 2026, Index: 1}, seed002Inputs(), scheme.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The seed gives each category 10 points and no deduction rule; the
	// template deducts from 10 for what gridwork measures (per point short
	// of 100 %: −0.1; a late change −0.2; a late entry −0.5; a person lost
	// −2; an unreported event −0.5) and for the inspection (each finding
	// its own points, between −10 and 0), floor 0. The year adds up the
	// months: counts summed, rates num/den summed.
	//
	// L1: info: completeness 588/600 = 98 % → −0.2; 3 late changes → −0.6;
	//   inspection −1.5 → 10 − 2.3 = 7.7. party −0.5 − 1 → 8.5. family
	//   planning 2 late entries → −1 → 9. stability: visits 24/24 = 100 %
	//   → 0, nobody lost, 1 unreported → −0.5 → 9.5. civic 10. employment
	//   −2 → 8. civil affairs 228/240 = 95 % → −0.5 → 9.5. safety 10,
	//   united front 10, other −0.8 → 9.2.
	//   Total 7.7+8.5+9+9.5+10+8+9.5+10+10+9.2 = 91.4.
	// L2: info: 540/600 = 90 % → −1; 60 late changes → −12; inspection −3
	//   → 10 − 16 = −6 → floor 0. party −12 counts −10 → 0. family planning
	//   −2.5 → 7.5. stability: visits 36/48 = 75 % → −2.5; 1 lost → −2;
	//   3 unreported → −1.5; inspection +1 counts 0 → 10 − 6 = 4. civic −1
	//   → 9. employment 10. civil affairs 192/240 = 80 % → −2 → 8. safety −4
	//   → 6. united front −0.5 → 9.5. other 10.
	//   Total 0+0+7.5+4+9+10+8+6+9.5+10 = 64.
	// L3: info: −0.25 − 0.3 = −0.55 → 9.45 → 9.5 (half up); last year's
	//   and the other type's findings do not count; the unreported rule has
	//   no data (0 points); everything else 10. Total 9.5 + 90 = 99.5.
	// Ranks: L3, L1, L2 ("年底进行总评,并将考核结果进行排名公布").
	full := func(over map[string]float64) map[string]float64 {
		m := map[string]float64{"info": 10, "party": 10, "family_planning": 10, "stability": 10, "civic": 10,
			"employment": 10, "civil_affairs": 10, "safety": 10, "united_front": 10, "other": 10}
		for k, v := range over {
			m[k] = v
		}
		return m
	}
	none := func(over map[string]float64) map[string]float64 {
		m := map[string]float64{"info/completeness": 0, "info/changes_late": 0, "info/inspection": 0,
			"party/inspection": 0, "family_planning/late_entry": 0, "family_planning/inspection": 0,
			"stability/care_visits": 0, "stability/care_lost": 0, "stability/unreported": 0, "stability/inspection": 0,
			"civic/inspection": 0, "employment/inspection": 0, "civil_affairs/visits": 0, "civil_affairs/inspection": 0,
			"safety/inspection": 0, "united_front/inspection": 0, "other/inspection": 0}
		for k, v := range over {
			if _, ok := m[k]; !ok {
				panic("no rule " + k)
			}
			m[k] = v
		}
		return m
	}
	wants := map[string]tplWant{
		"L1": {
			rules: none(map[string]float64{"info/completeness": -0.2, "info/changes_late": -0.6, "info/inspection": -1.5,
				"party/inspection": -1.5, "family_planning/late_entry": -1, "stability/unreported": -0.5,
				"employment/inspection": -2, "civil_affairs/visits": -0.5, "other/inspection": -0.8}),
			cats: full(map[string]float64{"info": 7.7, "party": 8.5, "family_planning": 9, "stability": 9.5,
				"employment": 8, "civil_affairs": 9.5, "other": 9.2}),
			total: 91.4, rank: 2,
		},
		"L2": {
			rules: none(map[string]float64{"info/completeness": -1, "info/changes_late": -12, "info/inspection": -3,
				"party/inspection": -10, "family_planning/inspection": -2.5,
				"stability/care_visits": -2.5, "stability/care_lost": -2, "stability/unreported": -1.5,
				"civic/inspection": -1, "civil_affairs/visits": -2, "safety/inspection": -4, "united_front/inspection": -0.5}),
			cats: full(map[string]float64{"info": 0, "party": 0, "family_planning": 7.5, "stability": 4,
				"civic": 9, "civil_affairs": 8, "safety": 6, "united_front": 9.5}),
			total: 64, rank: 3,
		},
		"L3": {
			rules: none(map[string]float64{"info/inspection": -0.55}),
			cats:  full(map[string]float64{"info": 9.5}),
			total: 99.5, rank: 1,
		},
	}
	tplVerify(t, rs, wants)

	l2 := tplResult(t, rs, "L2")
	if c := tplCategory(t, l2, "info"); math.Abs(c.Raw-(-6)) > tplEps {
		t.Errorf("L2 info raw = %v, want −6 before the floor", c.Raw)
	}
	l3 := tplResult(t, rs, "L3")
	if l3.NoData != 1 {
		t.Errorf("L3 rules without data = %d, want 1 (events.unreported)", l3.NoData)
	}
	for _, rr := range tplCategory(t, l3, "stability").Rules {
		if rr.ID == "unreported" && rr.Status != scheme.NoData {
			t.Errorf("L3 unreported status = %s, want no data", rr.Status)
		}
	}
	for _, rr := range tplCategory(t, l3, "info").Rules {
		if rr.ID == "inspection" && len(rr.Findings) != 2 {
			t.Errorf("L3 info findings = %+v, want l3a and l3b only", rr.Findings)
		}
	}
}
