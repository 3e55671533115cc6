// Package inspect runs supervision: random spot checks of grids (a
// seeded, re-drawable draw of grids, households, times and inspectors;
// check forms; what each check found; fix tasks sent back to the worker)
// and measures the spot-check facts from them. It also keeps the
// handbook quizzes (应知应会) and the undercover findings and residents'
// complaints against a worker, and measures their facts per worker.
package inspect

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"gridwork/internal/dates"
	"gridwork/internal/metric"
	"gridwork/internal/org"
)

// measured are the facts Facts measures.
var measured = []string{"inspect.checks", "inspect.failed", "inspect.missed_registrations", "inspect.missed_cancellations", "inspect.rating_falsified"}

// measuredPerWorker are the facts WorkerFacts measures.
var measuredPerWorker = []string{"inspect.quiz_wrong", "inspect.undercover", "inspect.complaints", "inspect.extra_failed", "inspect.extra_revoked"}

func init() {
	metric.Define(
		metric.Def{Name: "inspect.checks", Alias: "网格督查次数", Kind: metric.Count,
			Seeds: "004 (every grid inspected on the spot, about every 1.5 months)",
			Doc:   "on-the-spot grid inspections completed in the month"},
		metric.Def{Name: "inspect.failed", Alias: "督查不合格次数", Kind: metric.Count, Part: "inspect.checks",
			Seeds: "004 (extra shares revoked after 2 consecutive or 3 cumulative failures a year)",
			Doc:   "of the grid inspections completed in the month, those failed (after any upheld appeal)"},
		metric.Def{Name: "inspect.extra_failed", Alias: "兼管网格督查不合格次数", Kind: metric.Count,
			Seeds: "004 (减员增效: the extra grid is inspected and paid for separately)",
			Doc:   "failed inspections in the month of grids the worker held as an extra share on the inspection's day"},
		metric.Def{Name: "inspect.extra_revoked", Alias: "兼格资格取消条件", Kind: metric.Flag,
			Seeds: "004 (减员增效 revoked after 2 consecutive or 3 cumulative failed inspections in a year)",
			Doc:   "1 in the month the worker's extra-grid inspections first reach 2 failed in a row or 3 failed in the year"},
		metric.Def{Name: "inspect.quiz_wrong", Alias: "应知应会答错题数", Kind: metric.Count,
			Seeds: "001 工作纪律 (−0.5 per wrong answer)",
			Doc:   "wrong answers in the month's spot quizzes on the worker's handbook"},
		metric.Def{Name: "inspect.undercover", Alias: "暗访查实问题数", Kind: metric.Count,
			Seeds: "001 工作纪律 (−10 each)",
			Doc:   "failings found by higher-level undercover checks in the month and verified"},
		metric.Def{Name: "inspect.complaints", Alias: "群众投诉查实数", Kind: metric.Count,
			Seeds: "001 工作纪律 (−10 each)",
			Doc:   "resident complaints about the worker verified in the month"},
		metric.Def{Name: "inspect.missed_registrations", Alias: "抽查漏登人数", Kind: metric.Count,
			Seeds: "000 II (−1.5 per person living there 2+ days unregistered); 004",
			Doc:   "people found by spot checks in the month living in the grid but not in the ledger"},
		metric.Def{Name: "inspect.missed_cancellations", Alias: "抽查漏销人数", Kind: metric.Count,
			Seeds: "000 II (−1.5 each, as a missed registration); 004 (sent back to the worker)",
			Doc:   "people found by spot checks in the month still in the ledger though they had moved out or died"},
		metric.Def{Name: "inspect.rating_falsified", Alias: "星级评定不实数", Kind: metric.Count,
			Seeds: "000 IV (−2 each)",
			Doc:   "rental star ratings found by checks in the month to be perfunctory or falsified"},
	)
}

// Facts measures the spot-check facts of month p per grid, from the visits
// done in the month: visits, failed visits, and the people or ratings the
// failed checks concern (Item.Fact). They roll up to the grid's worker.
func (s *Store) Facts(ctx context.Context, p metric.Period) (metric.GridFacts, []string, error) {
	g := metric.GridFacts{}
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT id, grid_id, done_at, verdict FROM inspect_visits
		WHERE status = 'done' AND done_at >= $1 AND done_at < $2`, p.Start(), p.End())
	if err != nil {
		return nil, nil, fmt.Errorf("inspect: facts %s: %w", p, err)
	}
	grid := map[string]string{}
	for rows.Next() {
		var id, gridID, verdict string
		var at time.Time
		if err := rows.Scan(&id, &gridID, &at, &verdict); err != nil {
			rows.Close()
			return nil, nil, err
		}
		grid[id] = gridID
		day := dates.Of(at).String()
		g.At(gridID, "inspect.checks").Add(metric.Ref{Entity: "inspect_visit", ID: id, Note: day + " " + verdict})
		if verdict == "fail" {
			g.At(gridID, "inspect.failed").Add(metric.Ref{Entity: "inspect_visit", ID: id, Note: day + " 不合格"})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	// Which items count towards which fact: from the form each round was
	// drawn with.
	rounds, err := s.ListRounds(ctx)
	if err != nil {
		return nil, nil, err
	}
	factOf := map[string]map[string]string{} // round → item → fact
	for _, r := range rounds {
		m := map[string]string{}
		for _, it := range r.Form.Items {
			if it.Fact != "" {
				m[it.Code] = it.Fact
			}
		}
		factOf[r.ID] = m
	}
	rows, err = s.db.Q(ctx).QueryContext(ctx, `SELECT c.id, c.visit_id, v.round_id, c.item, c.house_id, c.count, c.note FROM inspect_checks c
		JOIN inspect_visits v ON v.id = c.visit_id WHERE NOT c.ok AND v.status = 'done' AND v.done_at >= $1 AND v.done_at < $2`, p.Start(), p.End())
	if err != nil {
		return nil, nil, fmt.Errorf("inspect: facts %s: %w", p, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, visit, round, item, house, note string
		var count int
		if err := rows.Scan(&id, &visit, &round, &item, &house, &count, &note); err != nil {
			return nil, nil, err
		}
		fact := factOf[round][item]
		if fact == "" {
			continue
		}
		t := g.At(grid[visit], fact)
		t.Num += float64(count)
		t.Evidence = append(t.Evidence, metric.Ref{Entity: "inspect_check", ID: id, Note: fmt.Sprintf("%s 户 %s: %d 人 %s", item, house, count, note)})
	}
	return g, measured, rows.Err()
}

// WorkerFacts measures the facts of month p about what a worker did:
// wrong quiz answers (a quiz submitted in the month by its wrong answers;
// a quiz that fell due in the month unanswered by all its questions, see
// QuizHours), and undercover findings and complaints verified in the
// month.
func (s *Store) WorkerFacts(ctx context.Context, p metric.Period) (metric.WorkerFacts, []string, error) {
	w := metric.WorkerFacts{}
	q := s.db.Q(ctx)
	rows, err := q.QueryContext(ctx, `SELECT id, worker_id, status, COALESCE(wrong, 0), questions, submitted_at, due_at FROM quizzes
		WHERE (status = 'submitted' AND submitted_at >= $1 AND submitted_at < $2) OR (status = 'open' AND due_at >= $1 AND due_at < $2)`, p.Start(), p.End())
	if err != nil {
		return nil, nil, fmt.Errorf("inspect: worker facts %s: %w", p, err)
	}
	for rows.Next() {
		var id, worker, status, ids string
		var wrong int
		var submitted *time.Time
		var due time.Time
		if err := rows.Scan(&id, &worker, &status, &wrong, &ids, &submitted, &due); err != nil {
			rows.Close()
			return nil, nil, err
		}
		var note string
		if status == "open" {
			var list []string
			_ = json.Unmarshal([]byte(ids), &list)
			wrong = len(list)
			note = fmt.Sprintf("%s 到期未作答, %d 题按答错计", dates.Of(due).String(), wrong)
		} else {
			note = fmt.Sprintf("%s 答错 %d 题", dates.Of(*submitted).String(), wrong)
		}
		t := w.At(worker, "inspect.quiz_wrong")
		t.Num += float64(wrong)
		if wrong > 0 {
			t.Evidence = append(t.Evidence, metric.Ref{Entity: "quiz", ID: id, Note: note})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT id, kind, worker_id, found_on, decided_at FROM inspect_reports WHERE status = 'verified' AND decided_at >= $1 AND decided_at < $2`,
		p.Start(), p.End())
	if err != nil {
		return nil, nil, fmt.Errorf("inspect: worker facts %s: %w", p, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, kind, worker string
		var found dates.Date
		var decided time.Time
		if err := rows.Scan(&id, &kind, &worker, &found, &decided); err != nil {
			return nil, nil, err
		}
		name := "inspect.undercover"
		if ReportKind(kind) == Complaint {
			name = "inspect.complaints"
		}
		w.At(worker, name).Add(metric.Ref{Entity: "inspect_report", ID: id, Note: fmt.Sprintf("found %s, verified %s", found, dates.Of(decided))})
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows.Close()
	if err := s.extraGridFacts(ctx, p, w); err != nil {
		return nil, nil, err
	}
	return w, measuredPerWorker, nil
}

// extraGridFacts measures the facts of seed 004's 减员增效 for the workers
// who held a grid as an extra share: the failed inspections of that grid
// while they held it (inspect.extra_failed), and the month their
// extra-grid inspections of the year first reach two failures in a row or
// three in all (inspect.extra_revoked, which the revocation escalation
// reads).
//
// 取舍: "连续两次考核不合格" counts consecutive inspections of the worker's
// extra grids (a pass in between breaks the streak; a month without an
// inspection does not), across all the grids the worker held as extra
// shares, within the calendar year.
func (s *Store) extraGridFacts(ctx context.Context, p metric.Period, w metric.WorkerFacts) error {
	year := metric.Period{Year: p.Year, Month: 1}
	shares, err := org.AssignmentsOverlapping(ctx, s.db.Q(ctx), year.First(), p.Last())
	if err != nil {
		return fmt.Errorf("inspect: extra grid facts %s: %w", p, err)
	}
	extras := map[string][]org.Assignment{} // by grid
	for _, a := range shares {
		if a.Kind == org.Extra {
			extras[a.GridID] = append(extras[a.GridID], a)
		}
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT id, done_at, verdict, grid_id FROM inspect_visits
		WHERE status = 'done' AND done_at >= $1 AND done_at < $2 ORDER BY done_at, id`, year.Start(), p.End())
	if err != nil {
		return fmt.Errorf("inspect: extra grid facts %s: %w", p, err)
	}
	defer rows.Close()
	type visit struct {
		id   string
		at   time.Time
		fail bool
	}
	byWorker := map[string][]visit{}
	var order []string
	for rows.Next() {
		var id, verdict, grid string
		var at time.Time
		if err := rows.Scan(&id, &at, &verdict, &grid); err != nil {
			return err
		}
		for _, a := range extras[grid] {
			// The share must have been held on the inspection's day.
			if !a.ActiveOn(dates.Of(at)) {
				continue
			}
			vs := byWorker[a.WorkerID]
			if len(vs) > 0 && vs[len(vs)-1].id == id {
				continue // two extra assignments of one worker on one grid
			}
			if vs == nil {
				order = append(order, a.WorkerID)
			}
			byWorker[a.WorkerID] = append(vs, visit{id: id, at: at, fail: verdict == "fail"})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	slices.Sort(order)
	start := p.Start()
	ref := func(v visit) metric.Ref {
		return metric.Ref{Entity: "inspect_visit", ID: v.id, Note: dates.Of(v.at).String() + " 兼管网格不合格"}
	}
	for _, worker := range order {
		var failed, streak []visit
		met := false
		for _, v := range byWorker[worker] {
			inMonth := !v.at.Before(start)
			if !v.fail {
				streak = streak[:0]
				continue
			}
			failed, streak = append(failed, v), append(streak, v)
			if inMonth {
				w.At(worker, "inspect.extra_failed").Add(ref(v))
			}
			if met || len(streak) < 2 && len(failed) < 3 {
				continue
			}
			// The condition is first met at this inspection: the flag
			// stands in this month only, so the revocation falls due once.
			met = true
			if !inMonth {
				continue
			}
			t := w.At(worker, "inspect.extra_revoked")
			t.Num = 1
			why := streak
			if len(streak) < 2 {
				why = failed
			}
			for _, f := range why {
				t.Evidence = append(t.Evidence, ref(f))
			}
		}
	}
	return nil
}
