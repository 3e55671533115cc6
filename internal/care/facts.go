package care

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gridwork/internal/dates"
	"gridwork/internal/metric"
	"gridwork/internal/org"
	"gridwork/internal/records"
	"gridwork/internal/store"
)

// The facts this package measures, per grid and calendar month (Asia/
// Shanghai). A subject counts in the grid stored on it (the person's grid
// when it was registered). docs/metrics.md gives each definition in full;
// the definitions and the choices made where a seed is vague are here too.
//
// Common terms:
//
//   - In the ledger at month end: entered into gridwork (entered_at) before
//     the month's end. Subjects entered later never change a past month.
//   - In the group on a day d: BeganOn ≤ d and (no EndedOn or d ≤ EndedOn);
//     EndedOn is the last day in the group.
//   - In the group at month end: BeganOn ≤ the last day and (no EndedOn or
//     EndedOn after the last day).
//   - Lost at month end: the subject's status is lost now and LostOn is on
//     or before the last day. The schema keeps no date of being found (and
//     no end-entry time), so a month measured again after the subject was
//     found or ended sees it as not lost.
//   - A visit counts when it was entered (entered_at) before the month's end,
//     by the Shanghai day it was made (visited_on).
//   - Group plans and subjects' risk levels are today's: a change applies to
//     every month measured afterwards.
//
// Inactive groups are measured like active ones: inactivity only stops new
// registrations.
func init() {
	factNames = metric.Define(
		metric.Def{Name: "care.subjects", Alias: "特殊人群在册人数", Kind: metric.Count, Seeds: "001 三项重点 (denominator)",
			Doc: "special-care subjects in the ledger at month end and still in their group then, active or lost"},
		metric.Def{Name: "care.visits_due", Alias: "特殊人群应走访人数", Kind: metric.Count, Seeds: "001 三项重点 (visits 100 % by the 28th)",
			Doc: "subjects not lost at month end with a visit due in the month: monthly plan, in the group on some day from the 1st to the due day; interval plan, due date (last visit before the month, else began_on, plus the interval) on or before month end"},
		metric.Def{Name: "care.visits_on_time", Alias: "特殊人群按时走访人数", Kind: metric.Count, Seeds: "001 三项重点",
			Doc: "subjects due a visit in the month who were visited in time: monthly plan, from the 1st to the due day; interval plan, from the later of the 1st and the day after the visit the interval counts from, to the due date"},
		metric.Def{Name: "care.visit_rate", Alias: "特殊人群走访率", Kind: metric.Rate, Seeds: "001 三项重点 (100 %)",
			Doc: "care.visits_on_time over care.visits_due; the evidence lists the missed subjects and their due dates"},
		metric.Def{Name: "care.visit_missed_month", Alias: "特殊人群走访未按时完成", Kind: metric.Flag, Seeds: "001 三项重点 (−5 per month missed)",
			Doc: "1 if any visit due in the month was missed, else 0"},
		metric.Def{Name: "care.lost", Alias: "特殊人群脱管失控人数", Kind: metric.Count, Seeds: "001 三项重点 (−10 per person)",
			Doc: "subjects in the ledger at month end who were lost from control (lost_on) in the month, found since or not"},
		metric.Def{Name: "care.late_entry", Alias: "特殊人群超一个月录入人数", Kind: metric.Count, Seeds: "001 三项重点 (−3 per person not entered)",
			Doc: "subjects entered this month more than one calendar month after they entered the group in the world (began_on)"},
		metric.Def{Name: "care.not_entered", Alias: "特殊人群未录入人数", Kind: metric.Count, Seeds: "001 三项重点 (−3 per person not entered)",
			Doc: "people not cancelled on the month's latest 重点人员名单 (care platform) import who have no subject, entered before month end and in its group on the list's date, for a person with their identity number"},
		metric.Def{Name: "care.completeness", Alias: "重点人群信息完整率", Kind: metric.Rate, Seeds: "003 item 1 (100 %, ranked)",
			Doc: "share of subjects in their group and not lost at month end whose record is complete: details, risk level, and a person with a phone, an address, a house and a photo filed before month end"},
	)
	factNames = slices.DeleteFunc(factNames, func(n string) bool { return n == notEntered })
}

// factNames lists the facts measured every month; care.not_entered is
// added only in a month with a care list import.
var factNames []string

const notEntered = "care.not_entered"

// CarePlatform is the platform code of the special-care list
// (重点人员名单) that care.not_entered reconciles against.
const CarePlatform = "care"

// subjectFact is one subject as the facts read it.
type subjectFact struct {
	id, grid, group string
	risk            Risk
	status          Status
	began, ended    dates.Date
	lostOn          dates.Date
	entered         time.Time
	hasDetails      bool
	phone, address  string
	house           string
	photo           bool
	lastBeforeMonth dates.Date
	visitsInMonth   []dates.Date
	inGroupAtEnd    bool
	lostAtEnd       bool
}

// Facts measures this package's facts for every grid in period p (it is a
// facts.Source), and returns the names measured: a grid with no occurrence
// of one of them has a zero (or, for a rate, 100 % of nothing).
// care.not_entered is measured only in a month with a care list import
// (like records' platform facts): without one it is missing, not zero.
func (s *Store) Facts(ctx context.Context, p metric.Period) (metric.GridFacts, []string, error) {
	g := metric.GridFacts{}
	q := s.db.Q(ctx)
	groups, err := groupsByCode(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	subjects, err := factSubjects(ctx, q, p)
	if err != nil {
		return nil, nil, err
	}
	for _, x := range subjects {
		grp, ok := groups[x.group]
		if !ok {
			return nil, nil, fmt.Errorf("care: facts: subject %s names unknown group %s", x.id, x.group)
		}
		subjectFacts(g, p, grp, x)
	}
	names := append([]string{}, factNames...)
	measured, err := notEnteredFacts(ctx, q, g, p)
	if err != nil {
		return nil, nil, err
	}
	if measured {
		names = append(names, notEntered)
	}
	return g, names, nil
}

// factSubjects reads every subject in the ledger at the end of p, with its
// person's completeness, its last counted visit before the month and its
// counted visits in the month.
func factSubjects(ctx context.Context, q store.Queryer, p metric.Period) ([]*subjectFact, error) {
	end := p.End().UTC()
	first, last := p.First(), p.Last()
	rows, err := q.QueryContext(ctx, `SELECT s.id, s.grid_id, s.group_code, s.risk, s.status, s.began_on, s.ended_on, s.lost_on, s.entered_at,
		LENGTH(s.details_sealed), p.phone, p.address, COALESCE(p.house_id, ''),
		EXISTS (SELECT 1 FROM record_documents d WHERE d.entity = 'person' AND d.entity_id = p.id AND d.item = 'photo' AND d.added_at < $1),
		(SELECT MAX(v.visited_on) FROM care_visits v WHERE v.subject_id = s.id AND v.visited_on < $2 AND v.entered_at < $1)
		FROM care_subjects s JOIN `+records.PersonRows+` p ON p.id = s.person_id
		WHERE s.entered_at < $1 ORDER BY s.id`, end, first)
	if err != nil {
		return nil, fmt.Errorf("care: facts: %w", err)
	}
	var out []*subjectFact
	byID := map[string]*subjectFact{}
	for rows.Next() {
		x := &subjectFact{}
		var details int
		if err := rows.Scan(&x.id, &x.grid, &x.group, &x.risk, &x.status, &x.began, &x.ended, &x.lostOn, &x.entered,
			&details, &x.phone, &x.address, &x.house, &x.photo, &x.lastBeforeMonth); err != nil {
			rows.Close()
			return nil, fmt.Errorf("care: facts: %w", err)
		}
		x.hasDetails = details > 0
		x.inGroupAtEnd = !x.began.After(last) && (x.ended.IsZero() || x.ended.After(last))
		x.lostAtEnd = x.status == Lost && !x.lostOn.IsZero() && !x.lostOn.After(last)
		out = append(out, x)
		byID[x.id] = x
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("care: facts: %w", err)
	}
	rows, err = q.QueryContext(ctx, `SELECT subject_id, visited_on FROM care_visits
		WHERE visited_on >= $1 AND visited_on <= $2 AND entered_at < $3 ORDER BY subject_id, visited_on`, first, last, end)
	if err != nil {
		return nil, fmt.Errorf("care: facts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var on dates.Date
		if err := rows.Scan(&id, &on); err != nil {
			return nil, fmt.Errorf("care: facts: %w", err)
		}
		if x := byID[id]; x != nil {
			x.visitsInMonth = append(x.visitsInMonth, on)
		}
	}
	return out, rows.Err()
}

// dueInMonth decides whether subject x owes a visit in month p and, if so,
// its due date and the window [from, due] a visit must fall in:
//
//   - monthly plan: due = the group's due day of the month. Due when the
//     subject is in the group on some day from the 1st to the due day
//     (BeganOn ≤ due, and no EndedOn or EndedOn ≥ the 1st): a subject that
//     began after the due day is first due next month; one that left the
//     group after the 1st still owed the month's visit. Window: the 1st to
//     the due day.
//   - interval plan: due = base + the interval for the subject's risk
//     level, base being the last counted visit before the month, else
//     BeganOn. Due when due ≤ the month's last day and the subject is in
//     the group on some day of the window (no EndedOn, or EndedOn ≥ its
//     start). Window: the later of the 1st and base + 1 (= due − interval +
//     1), to due; a due date before the 1st (a visit already overdue when
//     the month began) leaves an empty window, so the subject is missed
//     again each month until visited. An interval subject is counted at most
//     once a month, on its first due date, even when its interval is
//     shorter than a month.
func dueInMonth(p metric.Period, g Group, x *subjectFact) (due, from dates.Date, ok bool) {
	first, last := p.First(), p.Last()
	if x.began.After(last) {
		return due, from, false
	}
	if g.Plan == Monthly {
		due = dates.New(p.Year, p.Month, g.DueDay)
		if x.began.After(due) || (!x.ended.IsZero() && x.ended.Before(first)) {
			return due, from, false
		}
		return due, first, true
	}
	base := x.lastBeforeMonth
	if base.IsZero() {
		base = x.began
	}
	due = base.AddDays(g.interval(x.risk))
	from = base.AddDays(1)
	if from.Before(first) {
		from = first
	}
	if due.After(last) || (!x.ended.IsZero() && x.ended.Before(from)) {
		return due, from, false
	}
	return due, from, true
}

// subjectFacts adds one subject's contribution to the month's facts.
func subjectFacts(g metric.GridFacts, p metric.Period, grp Group, x *subjectFact) {
	first, last := p.First(), p.Last()
	ref := func(note string) metric.Ref { return metric.Ref{Entity: "care_subject", ID: x.id, Note: note} }

	// care.subjects: in the ledger and in the group at month end.
	if x.inGroupAtEnd {
		g.At(x.grid, "care.subjects").Num++
	}

	// care.lost: lost from control in the month (kept after being found).
	if !x.lostOn.IsZero() && !x.lostOn.Before(first) && !x.lostOn.After(last) {
		g.At(x.grid, "care.lost").Add(ref("lost " + x.lostOn.String()))
	}

	// care.late_entry: entered this month more than one calendar month
	// after BeganOn (the same test as records.late_entry).
	if !x.entered.Before(p.Start()) && x.entered.Before(p.End()) {
		if on := dates.Of(x.entered); on.After(x.began.AddMonths(1)) {
			g.At(x.grid, "care.late_entry").Add(ref("began " + x.began.String() + ", entered " + on.String()))
		}
	}

	// care.completeness: over subjects in the group and not lost at month
	// end.
	if x.inGroupAtEnd && !x.lostAtEnd {
		var lack []string
		if !x.hasDetails {
			lack = append(lack, "details")
		}
		if !x.risk.valid() {
			lack = append(lack, "risk")
		}
		if strings.TrimSpace(x.phone) == "" {
			lack = append(lack, "phone")
		}
		if strings.TrimSpace(x.address) == "" {
			lack = append(lack, "address")
		}
		if x.house == "" {
			lack = append(lack, "house")
		}
		if !x.photo {
			lack = append(lack, "photo")
		}
		t := g.At(x.grid, "care.completeness")
		t.Den++
		if len(lack) == 0 {
			t.Num++
		} else {
			t.Evidence = append(t.Evidence, ref("lacks "+strings.Join(lack, ", ")))
		}
	}

	// Visits: lost subjects are left out (they count under care.lost).
	if x.lostAtEnd {
		return
	}
	due, from, ok := dueInMonth(p, grp, x)
	if !ok {
		return
	}
	g.At(x.grid, "care.visits_due").Num++
	rate := g.At(x.grid, "care.visit_rate")
	rate.Den++
	missed := g.At(x.grid, "care.visit_missed_month")
	for _, v := range x.visitsInMonth {
		if !v.Before(from) && !v.After(due) {
			g.At(x.grid, "care.visits_on_time").Num++
			rate.Num++
			return
		}
	}
	note := "due " + due.String()
	if !x.lastBeforeMonth.IsZero() && grp.Plan == Interval {
		note += ", last visited " + x.lastBeforeMonth.String()
	}
	rate.Evidence = append(rate.Evidence, ref(note))
	missed.Num = 1
	missed.Evidence = append(missed.Evidence, ref(note))
}

// notEnteredFacts measures care.not_entered against the latest import of the
// care platform whose as_of falls in the month (the greatest as_of, then the
// latest imported_at). Each identity (id_index, the same keyed hash as
// people.id_index) not cancelled on it counts once, unless some care
// subject entered before month end and in its group on as_of (no EndedOn,
// or EndedOn ≥ as_of) belongs to a person record with that id_index.
//
// The grid it counts in is the grid of the living person with that id_index
// in the people ledger at month end (entered before month end and not ended
// by an entry made before it); failing that, the grid whose code, in force
// on as_of, equals the row's grid_code. A row matching neither is skipped:
// it names no grid of ours, and the import report is where such rows are
// shown.
//
// It reports whether there was such an import.
func notEnteredFacts(ctx context.Context, q store.Queryer, g metric.GridFacts, p metric.Period) (bool, error) {
	var importID string
	var asOf dates.Date
	err := q.QueryRowContext(ctx, `SELECT id, as_of FROM platform_imports WHERE platform = $1 AND as_of >= $2 AND as_of <= $3
		ORDER BY as_of DESC, imported_at DESC, id DESC LIMIT 1`, CarePlatform, p.First(), p.Last()).Scan(&importID, &asOf)
	if store.IsNoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("care: not-entered facts: %w", err)
	}
	end := p.End().UTC()
	gridsByCode, err := org.GridsByCode(ctx, q, asOf)
	if err != nil {
		return false, fmt.Errorf("care: not-entered facts: %w", err)
	}
	rows, err := q.QueryContext(ctx, `SELECT r.row_no, r.id_index, r.id_masked, r.grid_code,
		EXISTS (SELECT 1 FROM care_subjects s JOIN `+records.PersonRows+` sp ON sp.id = s.person_id
			WHERE sp.id_index = r.id_index AND s.entered_at < $2 AND (s.ended_on IS NULL OR s.ended_on >= $3)),
		COALESCE((SELECT p.grid_id FROM `+records.PersonRows+` p WHERE p.id_index = r.id_index AND p.entered_at < $2
			AND NOT (p.status = 'ended' AND p.end_entered_at < $2) ORDER BY p.entered_at DESC, p.id LIMIT 1), '')
		FROM platform_rows r WHERE r.import_id = $1 AND NOT r.cancelled ORDER BY r.row_no`, importID, end, asOf)
	if err != nil {
		return false, fmt.Errorf("care: not-entered facts: %w", err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var rowNo int
		var index, masked, code, personGrid string
		var entered bool
		if err := rows.Scan(&rowNo, &index, &masked, &code, &entered, &personGrid); err != nil {
			return false, fmt.Errorf("care: not-entered facts: %w", err)
		}
		if seen[index] {
			continue
		}
		seen[index] = true
		if entered {
			continue
		}
		grid := personGrid
		if grid == "" && code != "" {
			grid = gridsByCode[code]
		}
		if grid == "" {
			continue
		}
		g.At(grid, notEntered).Add(metric.Ref{Entity: "platform_row", ID: fmt.Sprintf("%s:%d", importID, rowNo),
			Note: masked + " on the care list of " + asOf.String()})
	}
	return true, rows.Err()
}
