package records

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gridwork/internal/dates"
	"gridwork/internal/idnum"
	"gridwork/internal/metric"
	"gridwork/internal/store"
)

// The facts this package measures. docs/metrics.md gives each definition in
// full; the choices made where a seed is vague are written there and here.
//
// "The ledger at month end" means the records as they stood when the month
// ended: entered before its end and not ended by an entry made before its
// end. Later entries never change a past month's facts.
func init() {
	factNames = metric.Define(
		metric.Def{Name: "records.people", Alias: "实有人口数", Kind: metric.Count, Seeds: "000 III (denominator)",
			Doc: "living people in the ledger at month end"},
		metric.Def{Name: "records.floating", Alias: "流动人口数", Kind: metric.Count, Seeds: "000 III (denominator)", Part: "records.people",
			Doc: "living floating people in the ledger at month end"},
		metric.Def{Name: "records.late_entry", Alias: "超一个月未录入人数", Kind: metric.Count, Seeds: "000 III (−5 / −3 per person)",
			Doc: "people entered this month more than one calendar month after they began living here"},
		metric.Def{Name: "records.late_end_3d", Alias: "迁出超3天未注销人数", Kind: metric.Count, Seeds: "000 III (−1.5 / −1)",
			Doc: "moves-out and deaths entered this month more than 3 days, and at most one month, after they happened"},
		metric.Def{Name: "records.late_end_1m", Alias: "迁出超一个月未注销人数", Kind: metric.Count, Seeds: "000 III (−5 / −3)",
			Doc: "moves-out and deaths entered this month more than one calendar month after they happened"},
		metric.Def{Name: "records.changes_late", Alias: "基础信息变更未及时更新数", Kind: metric.Count, Seeds: "001 (一) (−2 each)",
			Doc: "changes to a base record entered this month more than 3 days after they happened"},
		metric.Def{Name: "records.no_photo", Alias: "无照片人数", Kind: metric.Count, Seeds: "000 III (−0.5 / −0.1 each, age ≥ 2)",
			Doc: "living people aged 2 or more at month end without a photo"},
		metric.Def{Name: "records.incomplete", Alias: "信息不全条数", Kind: metric.Count, Seeds: "001 (一) (−1 each)",
			Doc: "living people, rentals, houses and places at month end lacking an item their kind requires"},
		metric.Def{Name: "records.completeness", Alias: "信息完整率", Kind: metric.Rate, Seeds: "001 (一)",
			Doc: "share of living records at month end that carry every required item"},
		metric.Def{Name: "records.tenant_incomplete", Alias: "出租房屋人员档案不全人数", Kind: metric.Count, Seeds: "000 II (−0.5 each)", Part: "records.incomplete",
			Doc: "current tenants at month end lacking a tenant item (photo, ID copy, lease, responsibility letter, registration form), on the person or the rental"},
		metric.Def{Name: "records.permit_rate", Alias: "居住证办证率", Kind: metric.Rate, Seeds: "000 III (≥ 95 %, −1 per point short)",
			Doc: "share of living floating people at month end who have lived here 6 months or more and hold a valid residence permit"},
		metric.Def{Name: "rentals.qr_not_posted", Alias: "二维码未张贴数", Kind: metric.Count, Seeds: "000 III (−0.5 each)",
			Doc: "living rentals at month end whose QR code was not posted by then"},
		metric.Def{Name: "rentals.scan_rate", Alias: "二维码月扫码率", Kind: metric.Rate, Seeds: "000 III (≥ 95 % else −2)",
			Doc: "share of living rentals at month end whose QR code was scanned at least once in the month"},
		metric.Def{Name: "rentals.unrated", Alias: "未星级评定出租房屋数", Kind: metric.Count, Seeds: "000 IV (quarterly rating)",
			Doc: "in a quarter's last month: living rentals at month end with no star rating for the quarter; 0 in other months"},
		metric.Def{Name: "households.visit_rate", Alias: "入户走访率", Kind: metric.Rate, Seeds: "000 II (100 %)",
			Doc: "share of classed living households at month end visited within their class's interval before month end"},
		metric.Def{Name: "households.not_visited", Alias: "未走访户数", Kind: metric.Count, Seeds: "000 II (−0.5 each)",
			Doc: "classed living households at month end not visited within their class's interval before month end"},
		metric.Def{Name: "households.visits_unwritten", Alias: "走访未记录数", Kind: metric.Count, Seeds: "000 II (−0.2 each)",
			Doc: "home visits this month with no notes or not signed by the resident in the visit book"},
	)
}

// factNames lists the facts this package measures every month; the
// platform facts are added only for the platforms with an export that
// month.
var factNames []string

// Thresholds of the record facts.
const (
	// ChangeGraceDays is how late a change may be entered before it counts
	// as "not updated in time". Seed 001 does not say; seed 000 allows 3 days
	// for a move-out, and we take the same for every change.
	ChangeGraceDays = 3
	// EndGraceDays is seed 000's "moved out and not cancelled within 3 days".
	EndGraceDays = 3
	// PermitAfterMonths: a residence permit is due after 6 months' residence
	// (居住证暂行条例 art. 2); seed 000's 95 % counts only those due.
	PermitAfterMonths = 6
	// PhotoFromAge: seed 000 counts missing photos from age 2.
	PhotoFromAge = 2
)

// enteredOn is the Shanghai calendar day of a stored instant.
func enteredOn(t time.Time) dates.Date { return dates.Of(t) }

// ledgerAt is the SQL condition "record alias r is in the ledger at instant $N".
func ledgerAt(r, param string) string {
	return fmt.Sprintf("%[1]s.entered_at < %[2]s AND NOT (%[1]s.status = 'ended' AND %[1]s.end_entered_at < %[2]s)", r, param)
}

// Facts measures this package's facts for every grid in period p, and
// returns the names measured: a grid with no occurrence of one of them has
// a zero (or, for a rate, 100 % of nothing).
func (s *Store) Facts(ctx context.Context, p metric.Period) (metric.GridFacts, []string, error) {
	g := metric.GridFacts{}
	q := s.db.Q(ctx)
	end := p.End().UTC()
	last := p.Last()
	for _, step := range []func(context.Context, store.Queryer, metric.GridFacts, metric.Period, time.Time, dates.Date) error{
		s.peopleFacts, s.changeFacts, s.completenessFacts, s.rentalFacts, s.householdFacts,
	} {
		if err := step(ctx, q, g, p, end, last); err != nil {
			return nil, nil, err
		}
	}
	pg, measured, err := s.PlatformFacts(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	g.Merge(pg)
	return g, append(append([]string{}, factNames...), measured...), nil
}

func (s *Store) peopleFacts(ctx context.Context, q store.Queryer, g metric.GridFacts, p metric.Period, end time.Time, last dates.Date) error {
	// The ledger at month end.
	rows, err := q.QueryContext(ctx, `SELECT p.id, p.grid_id, p.category, p.birth_date, p.began_on, p.permit_status,
		EXISTS (SELECT 1 FROM record_documents d WHERE d.entity = 'person' AND d.entity_id = p.id AND d.item = 'photo' AND d.added_at < $1)
		FROM people p WHERE `+ledgerAt("p", "$1"), end)
	if err != nil {
		return fmt.Errorf("records: people facts: %w", err)
	}
	for rows.Next() {
		var id, grid string
		var cat Category
		var birth, began dates.Date
		var permit PermitStatus
		var photo bool
		if err := rows.Scan(&id, &grid, &cat, &birth, &began, &permit, &photo); err != nil {
			rows.Close()
			return err
		}
		ref := metric.Ref{Entity: "person", ID: id}
		g.At(grid, "records.people").Num++
		if cat == Floating {
			g.At(grid, "records.floating").Num++
			if !began.After(last.AddMonths(-PermitAfterMonths)) {
				t := g.At(grid, "records.permit_rate")
				t.Den++
				if permit == PermitValid {
					t.Num++
				} else {
					t.Evidence = append(t.Evidence, metric.Ref{Entity: "person", ID: id, Note: "permit " + string(permit) + ", here since " + began.String()})
				}
			}
		}
		if !photo && idnum.AgeOn(birth, last) >= PhotoFromAge {
			g.At(grid, "records.no_photo").Add(ref)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// Registrations and ends entered this month, with their two clocks.
	rows, err = q.QueryContext(ctx, `SELECT id, grid_id, began_on, entered_at, ended_on, end_reason, end_entered_at FROM people
		WHERE (entered_at >= $1 AND entered_at < $2) OR (end_entered_at >= $1 AND end_entered_at < $2)`, p.Start().UTC(), end)
	if err != nil {
		return fmt.Errorf("records: people facts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, grid string
		var began, ended dates.Date
		var entered time.Time
		var endEntered *time.Time
		var reason EndReason
		if err := rows.Scan(&id, &grid, &began, &entered, &ended, &reason, &endEntered); err != nil {
			return err
		}
		if !entered.Before(p.Start()) && entered.Before(p.End()) {
			if on := enteredOn(entered); on.After(began.AddMonths(1)) {
				g.At(grid, "records.late_entry").Add(metric.Ref{Entity: "person", ID: id, Note: "began " + began.String() + ", entered " + on.String()})
			}
		}
		if endEntered != nil && !endEntered.Before(p.Start()) && endEntered.Before(p.End()) && (reason == MovedOut || reason == Died) {
			on := enteredOn(*endEntered)
			ref := metric.Ref{Entity: "person", ID: id, Note: "ended " + ended.String() + ", entered " + on.String()}
			switch {
			case on.After(ended.AddMonths(1)):
				g.At(grid, "records.late_end_1m").Add(ref)
			case on.After(ended.AddDays(EndGraceDays)):
				g.At(grid, "records.late_end_3d").Add(ref)
			}
		}
	}
	return rows.Err()
}

func (s *Store) changeFacts(ctx context.Context, q store.Queryer, g metric.GridFacts, p metric.Period, end time.Time, _ dates.Date) error {
	rows, err := q.QueryContext(ctx, `SELECT entity, entity_id, grid_id, happened_on, entered_at, fields FROM record_changes
		WHERE action = 'update' AND entered_at >= $1 AND entered_at < $2`, p.Start().UTC(), end)
	if err != nil {
		return fmt.Errorf("records: change facts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var entity, id, grid, fields string
		var happened dates.Date
		var entered time.Time
		if err := rows.Scan(&entity, &id, &grid, &happened, &entered, &fields); err != nil {
			return err
		}
		if on := enteredOn(entered); on.After(happened.AddDays(ChangeGraceDays)) {
			g.At(grid, "records.changes_late").Add(metric.Ref{Entity: entity, ID: id,
				Note: fields + ": happened " + happened.String() + ", entered " + on.String()})
		}
	}
	return rows.Err()
}

// completenessFacts checks every living record at month end against the
// requirements of its kind, with the documents filed before month end.
func (s *Store) completenessFacts(ctx context.Context, q store.Queryer, g metric.GridFacts, _ metric.Period, end time.Time, last dates.Date) error {
	reqs, err := s.Requirements(ctx)
	if err != nil {
		return err
	}
	need := map[string][]string{}
	for _, r := range reqs {
		need[r.Kind] = append(need[r.Kind], r.Item)
	}
	// Documents filed before month end, by entity and id.
	have := map[string]map[string]bool{}
	rows, err := q.QueryContext(ctx, `SELECT entity, entity_id, item FROM record_documents WHERE added_at < $1`, end)
	if err != nil {
		return fmt.Errorf("records: completeness facts: %w", err)
	}
	for rows.Next() {
		var e, id, item string
		if err := rows.Scan(&e, &id, &item); err != nil {
			rows.Close()
			return err
		}
		k := e + ":" + id
		if have[k] == nil {
			have[k] = map[string]bool{}
		}
		have[k][item] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	missing := func(entity, id string, items []string, also string) []string {
		var out []string
		for _, it := range items {
			if !have[entity+":"+id][it] && (also == "" || !have[also][it]) {
				out = append(out, it)
			}
		}
		return out
	}
	// Current tenancies at month end: person → rental.
	tenancy := map[string]string{}
	rows, err = q.QueryContext(ctx, `SELECT t.person_id, t.rental_id FROM rental_tenants t JOIN rentals r ON r.id = t.rental_id
		WHERE t.from_on <= $1 AND (t.to_on IS NULL OR t.to_on > $1)`, enteredOn(end.Add(-time.Second)))
	if err != nil {
		return fmt.Errorf("records: completeness facts: %w", err)
	}
	for rows.Next() {
		var person, rental string
		if err := rows.Scan(&person, &rental); err != nil {
			rows.Close()
			return err
		}
		tenancy[person] = rental
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, kind := range []struct{ entity, table string }{{"person", "people"}, {"house", "houses"}, {"rental", "rentals"}, {"place", "places"}} {
		cols := "r.id, r.grid_id, NULL"
		if kind.entity == "person" {
			cols = "r.id, r.grid_id, r.birth_date"
		}
		rows, err := q.QueryContext(ctx, `SELECT `+cols+` FROM `+kind.table+` r WHERE `+ledgerAt("r", "$1"), end)
		if err != nil {
			return fmt.Errorf("records: completeness facts: %w", err)
		}
		for rows.Next() {
			var id, grid string
			var birth dates.Date
			if err := rows.Scan(&id, &grid, &birth); err != nil {
				rows.Close()
				return err
			}
			lack := missing(kind.entity, id, need[kind.entity], "")
			// Seed 000 asks photos from age 2 only; a required photo of a
			// younger child is not held against the record.
			young := kind.entity == "person" && idnum.AgeOn(birth, last) < PhotoFromAge
			if young {
				lack = without(lack, "photo")
			}
			if kind.entity == "person" {
				if rental, ok := tenancy[id]; ok {
					tl := missing("person", id, need["tenant"], "rental:"+rental)
					if young {
						tl = without(tl, "photo")
					}
					if len(tl) > 0 {
						g.At(grid, "records.tenant_incomplete").Add(metric.Ref{Entity: "person", ID: id, Note: "lacks " + strings.Join(tl, ", ")})
					}
					for _, it := range tl {
						if !slices.Contains(lack, it) {
							lack = append(lack, it)
						}
					}
				}
			}
			if len(need[kind.entity]) == 0 && !(kind.entity == "person" && tenancy[id] != "") {
				continue // nothing is required of this kind
			}
			t := g.At(grid, "records.completeness")
			t.Den++
			if len(lack) == 0 {
				t.Num++
				continue
			}
			ref := metric.Ref{Entity: kind.entity, ID: id, Note: "lacks " + strings.Join(lack, ", ")}
			t.Evidence = append(t.Evidence, ref)
			g.At(grid, "records.incomplete").Add(ref)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

func without(xs []string, x string) []string {
	var out []string
	for _, y := range xs {
		if y != x {
			out = append(out, y)
		}
	}
	return out
}

func (s *Store) rentalFacts(ctx context.Context, q store.Queryer, g metric.GridFacts, p metric.Period, end time.Time, last dates.Date) error {
	quarter := ""
	if p.Month%3 == 0 {
		quarter = fmt.Sprintf("%dQ%d", p.Year, int(p.Month)/3)
	}
	rows, err := q.QueryContext(ctx, `SELECT r.id, r.grid_id, r.qr_posted_on,
		EXISTS (SELECT 1 FROM rental_scans sc WHERE sc.rental_id = r.id AND sc.scanned_at >= $2 AND sc.scanned_at < $1),
		EXISTS (SELECT 1 FROM rental_ratings rr WHERE rr.rental_id = r.id AND rr.quarter = $3)
		FROM rentals r WHERE `+ledgerAt("r", "$1"), end, p.Start().UTC(), quarter)
	if err != nil {
		return fmt.Errorf("records: rental facts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, grid string
		var posted dates.Date
		var scanned, rated bool
		if err := rows.Scan(&id, &grid, &posted, &scanned, &rated); err != nil {
			return err
		}
		ref := metric.Ref{Entity: "rental", ID: id}
		if posted.IsZero() || posted.After(last) {
			g.At(grid, "rentals.qr_not_posted").Add(ref)
		}
		t := g.At(grid, "rentals.scan_rate")
		t.Den++
		if scanned {
			t.Num++
		} else {
			t.Evidence = append(t.Evidence, metric.Ref{Entity: "rental", ID: id, Note: "not scanned this month"})
		}
		if quarter != "" && !rated {
			g.At(grid, "rentals.unrated").Add(ref)
		}
	}
	return rows.Err()
}

func (s *Store) householdFacts(ctx context.Context, q store.Queryer, g metric.GridFacts, p metric.Period, end time.Time, last dates.Date) error {
	rows, err := q.QueryContext(ctx, `SELECT h.id, h.grid_id, c.visit_interval_days,
		(SELECT MAX(v.visited_on) FROM home_visits v WHERE v.house_id = h.id AND v.visited_on <= $2)
		FROM houses h JOIN household_classes c ON c.code = h.household_class WHERE `+ledgerAt("h", "$1"), end, last)
	if err != nil {
		return fmt.Errorf("records: household facts: %w", err)
	}
	for rows.Next() {
		var id, grid string
		var interval int
		var lastVisit dates.Date
		if err := rows.Scan(&id, &grid, &interval, &lastVisit); err != nil {
			rows.Close()
			return err
		}
		t := g.At(grid, "households.visit_rate")
		t.Den++
		// Visited within the interval before month end: on or after
		// last − interval + 1.
		if !lastVisit.IsZero() && lastVisit.After(last.AddDays(-interval)) {
			t.Num++
			continue
		}
		note := "never visited"
		if !lastVisit.IsZero() {
			note = "last visited " + lastVisit.String()
		}
		ref := metric.Ref{Entity: "house", ID: id, Note: fmt.Sprintf("%s; every %d days", note, interval)}
		t.Evidence = append(t.Evidence, ref)
		g.At(grid, "households.not_visited").Add(ref)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, `SELECT v.id, h.grid_id, v.notes, v.signed FROM home_visits v JOIN houses h ON h.id = v.house_id
		WHERE v.visited_on >= $1 AND v.visited_on <= $2`, p.First(), last)
	if err != nil {
		return fmt.Errorf("records: household facts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, grid, notes string
		var signed bool
		if err := rows.Scan(&id, &grid, &notes, &signed); err != nil {
			return err
		}
		if strings.TrimSpace(notes) == "" || !signed {
			why := "not signed"
			if strings.TrimSpace(notes) == "" {
				why = "no notes"
			}
			g.At(grid, "households.visits_unwritten").Add(metric.Ref{Entity: "home_visit", ID: id, Note: why})
		}
	}
	return rows.Err()
}
