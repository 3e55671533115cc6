package api

import (
	"context"
	"slices"

	"gridwork/internal/auth"
	"gridwork/internal/runs"
)

// runScope is the caller's scope as data for the runs' queries, which cut
// their lists in SQL: the units it covers today (and, withWorkers, the
// workers whose home unit lies in it), read once per request, and whether
// the caller reads whole runs. Everywhere leaves the ids nil: no cut.
func (s *Server) runScope(ctx context.Context, withWorkers bool) (*runs.Scope, error) {
	sc := s.scope(ctx)
	units, err := sc.Units(ctx)
	if err != nil {
		return nil, err
	}
	out := &runs.Scope{Units: idsOf(units), WholeRuns: sc.Can(auth.ReadWholeRuns)}
	if withWorkers {
		workers, err := sc.Workers(ctx)
		if err != nil {
			return nil, err
		}
		out.Workers = idsOf(workers)
	}
	return out, nil
}

// idsOf returns the ids of a set, sorted; nil for a nil set (no cut), an
// empty list for an empty one (nothing).
func idsOf(set map[string]bool) []string {
	if set == nil {
		return nil
	}
	ids := make([]string, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
