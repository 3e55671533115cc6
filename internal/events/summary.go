package events

import (
	"context"

	"gridwork/internal/dates"
	"gridwork/internal/org"
	"gridwork/internal/store"
)

// OpenLights counts the open events of each grid under within ("" for
// all) by the light of their current stage's clock now (green, yellow,
// red, parked): the home screen's counts. A light is computed, not stored,
// so this reads the open events (closed and voided ones never; the partial
// index events_open, migration 00011, finds them) with their
// clocks, the same way List filters by light, and the counts agree with
// List's totals.
func (s *Store) OpenLights(ctx context.Context, within string) (map[string]map[Light]int, error) {
	var w store.Where
	prefix := ""
	if within != "" {
		prefix = org.SubtreeCTE(&w.Args, within, dates.Of(s.now()))
		w.Cond("e.grid_id IN (SELECT id FROM sub)")
	}
	w.Cond("e.state NOT IN ('closed', 'voided')")
	open, err := s.loadEventsPrefixed(ctx, s.db.Q(ctx), prefix, w.String(), w.Args, s.now())
	if err != nil {
		return nil, err
	}
	out := map[string]map[Light]int{}
	for i := range open {
		c := currentClock(&open[i])
		if c == nil {
			continue
		}
		g := out[open[i].GridID]
		if g == nil {
			g = map[Light]int{}
			out[open[i].GridID] = g
		}
		g[c.Light]++
	}
	return out, nil
}
