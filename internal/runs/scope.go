package runs

import (
	"encoding/json"
	"slices"
	"strings"

	"gridwork/internal/store"
)

// Scope is the part of the org tree a caller sees, as data for the lists'
// queries. The runs' tables know units and workers by id only, so the
// caller resolves its scope (an org subtree) to ids through internal/org
// and the queries cut by them. A nil *Scope sees everything.
type Scope struct {
	// Units are the ids of the units in the scope; nil: the whole tree.
	Units []string
	// Workers are the ids of the workers whose home unit lies in the
	// scope; nil: everyone. Only FindingQuery reads them.
	Workers []string
	// WholeRuns lets the caller read the whole table of a run whose unit
	// lies in Units; otherwise, and for the other runs, they see the rows
	// of the communities in Units.
	WholeRuns bool
}

// seesWholeRun reports whether sc reads the whole table of a run of
// unitID.
func (sc *Scope) seesWholeRun(unitID string) bool {
	return sc == nil || sc.WholeRuns && (sc.Units == nil || slices.Contains(sc.Units, unitID))
}

// rowsCond returns the condition keeping the rows of a table (community
// column community) that sc sees of the run of unit column runUnit; for a
// run known to be read whole, call seesWholeRun first.
func (sc *Scope) rowsCond(engine store.Engine, args *store.Args, community, runUnit string) string {
	if sc == nil {
		return "1 = 1"
	}
	// A row without a community is seen only with the whole run.
	byCommunity := community + " <> ''"
	if sc.Units != nil {
		byCommunity = inIDs(engine, args, community, sc.Units)
	}
	if !sc.WholeRuns || runUnit == "" {
		return byCommunity
	}
	if sc.Units == nil {
		return "1 = 1"
	}
	return "(" + inIDs(engine, args, runUnit, sc.Units) + " OR " + byCommunity + ")"
}

// inListMax is the most ids passed one placeholder each; a longer list
// (a district's workers) travels as one JSON array, well inside either
// engine's limit on placeholders.
const inListMax = 500

// inIDs returns the condition "col is one of ids"; no ids match nothing.
func inIDs(engine store.Engine, args *store.Args, col string, ids []string) string {
	switch {
	case len(ids) == 0:
		return "1 = 0"
	case len(ids) > inListMax:
		list, _ := json.Marshal(ids) // strings always marshal
		if engine == store.Postgres {
			return col + " IN (SELECT jsonb_array_elements_text(" + args.Add(string(list)) + "::jsonb))"
		}
		return col + " IN (SELECT value FROM json_each(" + args.Add(string(list)) + "))"
	}
	marks := make([]string, len(ids))
	for i, id := range ids {
		marks[i] = args.Add(id)
	}
	return col + " IN (" + strings.Join(marks, ", ") + ")"
}
