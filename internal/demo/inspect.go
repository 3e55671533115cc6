package demo

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"

	"gridwork/internal/auth"
	"gridwork/internal/dates"
	"gridwork/internal/inspect"
	"gridwork/internal/org"
)

// InspectSummary counts what LoadInspections stored.
type InspectSummary struct {
	Rounds, Visits, Failed, Tasks, TasksDone int
	Quizzes, QuizzesMissed, Reports          int
	Took                                     time.Duration
}

// inspectStream is the PCG stream of the demo's supervision ("inspect").
const inspectStream = 0x696e_73706563_74

// LoadInspections runs two months of supervision on the demo street
// (March and April 2026): each month a round drawn over the street's
// grids (enough to visit each about every 1.5 months, 10 households a
// grid), every visit recorded at its drawn time with realistic findings
// (a few grids careless throughout, most with an occasional slip), fix
// tasks of which most are done; a handbook quiz for each inspected grid's
// worker, a few left unanswered; and a handful of undercover findings and
// complaints, most verified. Both rounds are published, so anyone can
// re-draw them. The round seeds derive from seed, but the draw runs over
// the stored records' IDs, which differ from load to load: two loads of
// the same town inspect different grids, with the same shape of results.
//
// It moves its own copy of st (WithClock) through the months.
func LoadInspections(ctx context.Context, st *inspect.Store, orgs *org.Store, users *auth.Store, town Town, seed uint64) (InspectSummary, error) {
	began := time.Now()
	var sum InspectSummary
	r := rand.New(rand.NewPCG(seed, inspectStream))
	// A store of the demo's own on the demo's time: st itself keeps its
	// clock (a server may be using it).
	var now time.Time
	st = st.WithClock(func() time.Time { return now })

	street, err := orgs.UnitByCode(ctx, town.Street.Code, town.ValidFrom)
	if err != nil {
		return sum, fmt.Errorf("demo: inspections: %w", err)
	}
	grids, _, err := orgs.ListUnits(ctx, org.UnitQuery{On: town.ValidFrom, Level: org.Grid, WithinID: street.ID, WithoutGeometry: true})
	if err != nil {
		return sum, err
	}
	code := map[string]string{}
	for _, g := range grids {
		code[g.ID] = g.Code
	}
	// A grid's carelessness, by its code: most grids slip now and then
	// (one check in two hundred), one in ten often (one in twelve).
	careless := func(grid string) float64 {
		h := fnv.New64a()
		fmt.Fprintf(h, "%d/%s", seed, code[grid])
		if h.Sum64()%10 == 0 {
			return 0.08
		}
		return 0.005
	}
	accounts, err := users.ListUsers(ctx)
	if err != nil {
		return sum, err
	}
	staff := "system"
	for _, u := range accounts {
		if u.Username == "centre01" {
			staff = u.ID
		}
	}
	if err := st.InstallQuestions(ctx); err != nil {
		return sum, err
	}
	bank, err := st.Questions(ctx)
	if err != nil {
		return sum, err
	}
	right := map[string]int{}
	for _, q := range bank {
		right[q.ID] = q.Answer
	}

	for _, month := range []time.Month{time.March, time.April} {
		first := dates.New(2026, month, 1)
		now = first.Start().Add(-36 * time.Hour) // drawn two days before
		round, err := st.PlanRound(ctx, staff, inspect.NewRound{UnitID: street.ID, From: first, To: first.AddMonths(1).AddDays(-1),
			Households: 10, Seed: seed + uint64(month)})
		if err != nil {
			return sum, fmt.Errorf("demo: inspection round %s: %w", first, err)
		}
		sum.Rounds++
		inRound := map[string]bool{}
		for _, v := range round.Visits {
			inRound[v.ID] = true
			now = v.PlannedAt.Add(time.Duration(30+r.IntN(60)) * time.Minute)
			p := careless(v.GridID)
			res := inspect.Result{ClientID: fmt.Sprintf("demo-visit-%s", v.ID), At: v.PlannedAt, Note: "按抽检计划实地检查"}
			for _, it := range round.Form.Items {
				if it.Scope == inspect.PerGrid {
					ok := r.Float64() >= p/2
					res.Checks = append(res.Checks, inspect.Check{Item: it.Code, OK: ok, Note: failNote(it.Code, ok)})
					continue
				}
				for _, h := range v.Households {
					c := inspect.Check{Item: it.Code, HouseID: h, OK: r.Float64() >= p}
					if !c.OK {
						c.Count = 1
						if it.Code == "registered" {
							c.Count = 1 + r.IntN(3)
						}
						c.Note = failNote(it.Code, false)
					}
					res.Checks = append(res.Checks, c)
				}
			}
			done, err := st.RecordVisit(ctx, v.InspectorID, v.ID, res)
			if err != nil {
				return sum, fmt.Errorf("demo: visit %s: %w", v.ID, err)
			}
			sum.Visits++
			if done.Verdict == "fail" {
				sum.Failed++
			}
			if v.WorkerID == "" {
				continue
			}
			// A quiz for the grid's worker on the spot; about one in twenty
			// is left unanswered.
			qz, err := st.DrawQuiz(ctx, v.InspectorID, v.WorkerID, v.ID, 0)
			if err != nil {
				return sum, err
			}
			sum.Quizzes++
			if r.Float64() < 0.05 {
				sum.QuizzesMissed++
				continue
			}
			answers := make([]int, len(qz.Questions))
			for i, q := range qz.Questions {
				answers[i] = right[q.ID]
				if r.Float64() < 0.15 {
					answers[i] = (answers[i] + 1) % len(q.Choices)
				}
			}
			now = now.Add(time.Duration(1+r.IntN(20)) * time.Hour)
			if _, err := st.SubmitQuiz(ctx, v.WorkerID, qz.ID, answers); err != nil {
				return sum, err
			}
		}
		// Most fix tasks are done within the week.
		tasks, err := st.Tasks(ctx, inspect.TaskQuery{Status: "open"})
		if err != nil {
			return sum, err
		}
		for _, tk := range tasks {
			if !inRound[tk.VisitID] {
				continue
			}
			sum.Tasks++
			if r.Float64() < 0.8 {
				now = tk.DueOn.Start().Add(-time.Duration(r.IntN(96)) * time.Hour)
				if _, err := st.CompleteTask(ctx, tk.WorkerID, tk.ID, "已整改"); err != nil {
					return sum, err
				}
				sum.TasksDone++
			}
		}
		now = first.AddMonths(1).Start().Add(-12 * time.Hour)
		if _, err := st.PublishRound(ctx, staff, round.ID); err != nil {
			return sum, err
		}
	}

	// Undercover findings and complaints: two of each verified, one
	// complaint rejected after a call-back.
	for i, x := range []struct {
		kind     inspect.ReportKind
		day      string
		source   string
		text     string
		verified bool
	}{
		{inspect.Undercover, "2026-03-12", "区网格化管理中心暗访组", "工作时间脱岗,不在网格内", true},
		{inspect.Complaint, "2026-03-18", "12345市民服务热线", "反映网格员多次联系不上", true},
		{inspect.Complaint, "2026-04-07", "12345市民服务热线", "反映网格员态度生硬", false},
		{inspect.Undercover, "2026-04-15", "区网格化管理中心暗访组", "入户走访台账与实际不符", true},
		{inspect.Complaint, "2026-04-22", "社区居民来访", "出租房屋信息登记错误未更正", true},
	} {
		w := town.Workers[(i*17+int(seed%7))%len(town.Workers)]
		acc, err := users.GetUserByUsername(ctx, w.Username)
		if err != nil {
			return sum, err
		}
		found := dates.MustParse(x.day)
		now = found.Start().Add(34 * time.Hour)
		rep, err := st.RecordReport(ctx, staff, inspect.NewReport{Kind: x.kind, WorkerID: acc.WorkerID, FoundOn: found, Source: x.source,
			Description: x.text, Files: []string{fmt.Sprintf("%064x", i+1)}})
		if err != nil {
			return sum, err
		}
		now = now.Add(72 * time.Hour)
		note := "调查核实属实"
		if !x.verified {
			note = "回访当事人,反映情况不属实"
		}
		if _, err := st.DecideReport(ctx, staff, rep.ID, x.verified, note); err != nil {
			return sum, err
		}
		sum.Reports++
	}
	sum.Took = time.Since(began)
	return sum, nil
}

// failNote is what an inspector writes on a check.
func failNote(item string, ok bool) string {
	if ok {
		return ""
	}
	return map[string]string{
		"registered":         "发现租住人员未登记",
		"people_correct":     "人员信息与实际不符",
		"moveouts_cancelled": "已迁出人员未注销",
		"rental_file":        "租赁合同、责任书缺失",
		"qr_posted":          "二维码未张贴",
		"rating_true":        "星级评定与实际不符",
		"attendance":         "检查时网格员不在岗",
		"quantity":           "本月采集注销数量不足",
		"quality":            "抽查信息错误较多",
		"results":            "发现问题未及时处置",
	}[item]
}
