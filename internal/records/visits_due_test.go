package records_test

import (
	"testing"

	"gridwork/internal/records"
)

// TestHomeVisitsDue: a classed household is due when never visited or
// last visited its class interval or more ago; unclassed and ended ones,
// and ones visited within the interval, are not listed.
func TestHomeVisitsDue(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		r := tw.rec
		tw.onDay("2026-01-05")
		house := func(grid, addr, class string) records.House {
			t.Helper()
			h, err := r.CreateHouse(bg, actor, records.NewHouse{GridID: grid, Address: addr, Purpose: records.OwnUse, Class: class, BeganOn: day("2020-01-01")})
			must(t, err)
			return h
		}
		visit := func(h records.House, on string) {
			t.Helper()
			_, err := r.RecordHomeVisit(bg, "u1", tw.worker, records.HomeVisit{HouseID: h.ID, VisitedAt: at(on), Notes: "正常", Signed: true})
			must(t, err)
		}
		never := house(tw.g1, "一号楼101", "key")       // never visited: due
		late := house(tw.g1, "一号楼102", "key")        // every 7 days, last 03-01: due 03-08, 2 days over on 03-10
		onDay := house(tw.g1, "一号楼103", "attention") // every 30 days, last 02-08: due 03-10
		fresh := house(tw.g1, "一号楼104", "attention") // visited 03-01: due 03-31
		house(tw.g1, "一号楼105", "")                   // unclassed: never listed
		other := house(tw.g2, "二号楼101", "key")       // another grid
		tw.onDay("2026-03-10")
		visit(late, "2026-03-01")
		visit(onDay, "2026-02-08")
		visit(fresh, "2026-03-01")
		// A visit after the day asked about does not count.
		visit(never, "2026-03-10")

		got, err := r.HomeVisitsDue(bg, day("2026-03-09"), "", tw.g1)
		must(t, err)
		var ids []string
		for _, d := range got {
			ids = append(ids, d.HouseID)
		}
		want := []string{never.ID, late.ID}
		if len(got) != 2 || ids[0] != want[0] || ids[1] != want[1] || got[1].DaysOverdue != 1 || !got[0].LastVisit.IsZero() {
			t.Errorf("due on 03-09: %+v; want the never-visited house, then the one a day over", got)
		}
		got, err = r.HomeVisitsDue(bg, day("2026-03-10"), tw.community, "")
		must(t, err)
		byID := map[string]records.VisitDue{}
		for _, d := range got {
			byID[d.HouseID] = d
		}
		if len(got) != 3 || byID[late.ID].DaysOverdue != 2 || byID[onDay.ID].DaysOverdue != 0 || byID[onDay.ID].DueOn != day("2026-03-10") ||
			byID[other.ID].HouseID == "" {
			t.Errorf("due on 03-10 in the community: %+v; want 102 (2 days over), 103 (due that day) and 二号楼101 (never)", got)
		}
	})
}
