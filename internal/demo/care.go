package demo

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"gridwork/internal/care"
	"gridwork/internal/dates"
)

// Special care in the demo street. A street like seed 004's (about 100,000
// people) keeps a few hundred people under special care; we take about 3 in
// 1,000 adults at go-live, in the default groups, weighted as such lists
// usually are: released prisoners and mental illness the largest.
const (
	pCare         = 0.003
	pCareVisitBad = 0.06  // a normal grid's chance of missing a month's visit by the due day
	pCareArrival  = 0.003 // of the arrivals, the share also put under care, late
)

var careGroups = []struct {
	code   string
	weight int
}{{"released", 30}, {"mental", 25}, {"correction", 20}, {"drug", 20}, {"youth", 5}}

// careSubject is a demo person under special care.
type careSubject struct {
	p     *person
	group string
	risk  care.Risk
	began dates.Date
	id    string
	lost  bool
}

// planCare registers special-care subjects at go-live (and, late, a few of
// the arrivals), visits them each month, mostly before the 28th or within
// the risk interval, loses two from control in March, and imports the
// care list (the justice office's and police list) on each month's 26th,
// which also names a few people the ledger has not put under care.
func (w *recWork) planCare() {
	cs := w.opt.Care
	var subjects []*careSubject
	for _, gr := range w.grids {
		for _, p := range gr.people {
			if !p.goLive || !p.ended.IsZero() || !p.endAt.IsZero() || p.birth.After(gr.goLive.AddMonths(-16*12)) {
				continue
			}
			if !w.chance(pCare * max(1, gr.gap)) {
				continue
			}
			weights := make([]int, len(careGroups))
			for i, g := range careGroups {
				weights[i] = g.weight
			}
			s := &careSubject{p: p, group: careGroups[w.weighted(weights)].code, risk: []care.Risk{care.Low, care.Low, care.Medium, care.High}[w.r.IntN(4)],
				began: w.dateBetween(dates.New(2019, 1, 1), gr.goLive.AddMonths(-2))}
			subjects = append(subjects, s)
			w.careRegister(s, clock(gr.goLive.AddDays(2), 10, w.r.IntN(300)))
		}
		// A few arrivals who came under care elsewhere are registered
		// here late: more than a month after they entered the group.
		for _, p := range gr.people {
			if p.goLive || !p.ended.IsZero() || p.entered.IsZero() || p.birth.After(dates.New(2008, 1, 1)) || !w.chance(pCareArrival*max(1, gr.gap)) {
				continue
			}
			s := &careSubject{p: p, group: "released", risk: care.Medium, began: dates.Of(p.entered).AddMonths(-2)}
			subjects = append(subjects, s)
			w.careRegister(s, p.entered.Add(48*time.Hour))
		}
	}
	for i, s := range subjects {
		w.planCareVisits(s, i)
	}
	// Two subjects of weak grids are lost from control in March.
	lost := 0
	for _, s := range subjects {
		if lost == 2 || s.p.gr.tier != weak || !s.p.goLive {
			continue
		}
		lost++
		s.lost = true
		on := w.months[1].AddDays(9 + 5*lost)
		w.event(clock(on, 16, 0), "mark a special-care subject lost", func(ctx context.Context) error {
			_, err := cs.MarkLost(ctx, w.centre, s.id, on, "连续两次上门未见本人，电话关机，家属称已外出务工")
			return err
		})
	}
	w.planCareList(subjects)
}

func (w *recWork) careRegister(s *careSubject, at time.Time) {
	a := s.p.gr.actor(s.p.seq)
	details := map[string]string{"released": "刑满释放，帮教期内", "mental": "精神分裂症，监护人为其配偶，按时服药",
		"correction": "社区矫正，缓刑一年", "drug": "社区康复，定期尿检", "youth": "辍学闲散青少年"}[s.group]
	w.event(at, "register a special-care subject", func(ctx context.Context) error {
		sub, err := w.opt.Care.Register(ctx, a.user, care.NewSubject{PersonID: s.p.id, GroupCode: s.group, Risk: s.risk, Details: details, BeganOn: s.began})
		if err == nil {
			s.id = sub.ID
			w.sum.CareSubjects++
		}
		return err
	})
}

// planCareVisits visits a subject in each activity month: a monthly group
// by the 28th (some late or missed, more in weak grids), the mental-illness
// group every 7, 15 or 30 days by risk.
func (w *recWork) planCareVisits(s *careSubject, i int) {
	a := s.p.gr.actor(i)
	interval := map[care.Risk]int{care.High: 7, care.Medium: 15, care.Low: 30}[s.risk]
	visit := func(d dates.Date) {
		at := w.workTime(d)
		lat, lon := w.near(s.p.gr)
		confirmed := !w.chance(0.05)
		w.event(at.Add(2*time.Hour), "visit a special-care subject", func(ctx context.Context) error {
			if s.id == "" || (s.lost && !d.Before(w.months[1].AddDays(9))) {
				return nil
			}
			_, err := w.opt.Care.RecordVisit(ctx, a.user, a.worker, care.NewVisit{SubjectID: s.id, VisitedAt: at, Lat: lat, Lon: lon,
				Notes: "本人在家，情绪稳定，近期无异常", Confirmed: confirmed})
			if err == nil {
				w.sum.CareVisits++
			}
			return err
		})
	}
	bad := min(pCareVisitBad*s.p.gr.gap, 0.5)
	if s.group == "mental" {
		d := w.months[0].AddDays(w.r.IntN(interval))
		for d.Before(w.lastDay()) {
			if !w.chance(bad) {
				visit(d)
			}
			d = d.AddDays(interval - 1 + w.r.IntN(3))
		}
		return
	}
	for _, first := range w.months {
		switch {
		case w.chance(bad / 2): // missed
		case w.chance(bad / 2): // late: after the 28th
			visit(first.AddDays(28 + w.r.IntN(max(1, daysIn(first)-28)))) // in February: 1 March
		default:
			visit(first.AddDays(w.r.IntN(27)))
		}
	}
}

// planCareList imports the care list on each month's 26th: every subject
// registered by then, and a few ledger people who are on the list but not
// (yet) under care here.
func (w *recWork) planCareList(subjects []*careSubject) {
	var missing []*person
	for _, gr := range w.grids {
		if gr.tier != weak {
			continue
		}
		for _, p := range gr.people {
			if p.goLive && p.ended.IsZero() && p.endAt.IsZero() && len(missing) < 12 && w.chance(0.01) {
				missing = append(missing, p)
			}
		}
	}
	for mi, first := range w.months {
		asOf := first.AddDays(24)
		at := clock(asOf.AddDays(1), 11, 0)
		w.event(at, "care list import", func(ctx context.Context) error {
			var buf bytes.Buffer
			buf.WriteString("姓名,身份证号,网格编码,状态\n")
			for _, s := range subjects {
				if s.id != "" {
					fmt.Fprintf(&buf, "%s,%s,%s,正常\n", s.p.name, s.p.idNum, s.p.gr.code)
				}
			}
			for _, p := range missing[:min(len(missing), 4*(mi+1))] {
				fmt.Fprintf(&buf, "%s,%s,%s,正常\n", p.name, p.idNum, p.gr.code)
			}
			_, err := w.rec.ImportPlatform(ctx, w.centre, care.CarePlatform, asOf, fmt.Sprintf("重点人员名单-%s.csv", asOf), &buf)
			if err == nil {
				w.sum.PlatformImports++
			}
			return err
		})
	}
}
