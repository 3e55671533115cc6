package runs

import (
	"context"
	"fmt"
	"strings"

	"gridwork/internal/scheme"
	"gridwork/internal/store"
)

// Row is one line of a league table.
type Row struct {
	SubjectKind   scheme.SubjectKind `json:"subject_kind"`
	SubjectID     string             `json:"subject_id"`
	Name          string             `json:"name"`
	CommunityID   string             `json:"community_id"`
	CommunityName string             `json:"community_name,omitempty"`
	Assessed      bool               `json:"assessed"`
	NotAssessed   string             `json:"not_assessed,omitempty"`
	Total         float64            `json:"total"`
	Max           float64            `json:"max"`
	Rank          int                `json:"rank"`
	Of            int                `json:"of"`
	Bottom        bool               `json:"bottom"`
	Vetoed        string             `json:"vetoed,omitempty"`
	// PrevTotal and PrevRank are from the current run of the previous
	// period (same scheme code and unit), when there is one.
	PrevTotal *float64 `json:"prev_total,omitempty"`
	PrevRank  *int     `json:"prev_rank,omitempty"`
	Change    *float64 `json:"change,omitempty"`
	NoData    int      `json:"no_data"`
}

// TableQuery selects rows of a run's table.
type TableQuery struct {
	Kind        scheme.SubjectKind // empty: all
	CommunityID string             // empty: all
	SubjectID   string             // empty: all
	// Name keeps the subjects whose name contains it (case as written);
	// empty: all.
	Name string
	// Communities, when not nil, keeps the rows of these communities only
	// (what a caller's scope lets them see); an empty, non-nil list keeps
	// none.
	Communities []string
	// Scope, when not nil, keeps the rows the caller's scope sees: the
	// whole table of a run it reads whole, else the rows of its
	// communities.
	Scope *Scope
	// Limit and Offset page the table, best first; Limit 0 reads it whole.
	Limit, Offset int
}

// where returns the conditions of q on run_results, with their arguments.
func (q TableQuery) where(engine store.Engine, run RunInfo) store.Where {
	var w store.Where
	w.Eq("run_id", run.ID)
	w.Eq("subject_kind", string(q.Kind))
	w.Eq("community_id", q.CommunityID)
	w.Eq("subject_id", q.SubjectID)
	if q.Name != "" {
		// A plain substring test on both engines: LIKE would read % and _
		// in the name as patterns, and SQLite's LIKE ignores ASCII case.
		if engine == store.Postgres {
			w.Cond("strpos(name, " + w.Args.Add(q.Name) + ") > 0")
		} else {
			w.Cond("instr(name, " + w.Args.Add(q.Name) + ") > 0")
		}
	}
	if q.Communities != nil {
		if len(q.Communities) == 0 {
			w.Cond("1 = 0")
		} else {
			marks := make([]string, len(q.Communities))
			for i, c := range q.Communities {
				marks[i] = w.Args.Add(c)
			}
			w.Cond("community_id IN (" + strings.Join(marks, ", ") + ")")
		}
	}
	if !q.Scope.seesWholeRun(run.UnitID) {
		w.Cond(q.Scope.rowsCond(engine, &w.Args, "community_id", ""))
	}
	return w
}

// Table returns the rows of a run's league table that q selects, best
// first (one page of them when q.Limit is set), with the change since the
// previous period.
func (s *Store) Table(ctx context.Context, runID string, q TableQuery) (RunInfo, []Row, error) {
	info, err := s.GetRun(ctx, runID)
	if err != nil {
		return info, nil, err
	}
	rows, err := s.tableRows(ctx, info, q)
	return info, rows, err
}

// TablePage is Table with the number of rows q selects before paging.
func (s *Store) TablePage(ctx context.Context, runID string, q TableQuery) (RunInfo, []Row, int, error) {
	info, err := s.GetRun(ctx, runID)
	if err != nil {
		return info, nil, 0, err
	}
	w := q.where(s.db.Engine, info)
	var total int
	if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM run_results WHERE `+w.String(), w.Args...).Scan(&total); err != nil {
		return info, nil, 0, fmt.Errorf("assess: table of run %s: %w", runID, err)
	}
	if q.Limit > 0 && q.Offset >= total {
		return info, []Row{}, total, nil
	}
	rows, err := s.tableRows(ctx, info, q)
	return info, rows, total, err
}

// prevLookupMax is the most rows whose previous values are asked for by
// subject; a longer table reads the previous run whole instead, in one
// query still, without a list of ids longer than an engine takes.
const prevLookupMax = 1000

// tableRows reads the rows of info's table that q selects, one page in SQL
// (the order is served by the index run_results_table), then the previous
// period's totals and ranks of just those rows in one query.
func (s *Store) tableRows(ctx context.Context, info RunInfo, q TableQuery) ([]Row, error) {
	w := q.where(s.db.Engine, info)
	query := `SELECT subject_kind, subject_id, name, community_id, community_name, assessed, not_assessed,
		no_data, total, max_total, rank, of_total, bottom, vetoed FROM run_results WHERE ` + w.String() + `
		ORDER BY subject_kind, assessed DESC, rank, name, subject_id`
	if q.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d OFFSET %d", q.Limit, max(q.Offset, 0))
	}
	out, err := store.All(ctx, s.db.Q(ctx), "results", query, w.Args, func(row store.Row) (Row, error) {
		var r Row
		err := row.Scan(&r.SubjectKind, &r.SubjectID, &r.Name, &r.CommunityID, &r.CommunityName, &r.Assessed, &r.NotAssessed,
			&r.NoData, &r.Total, &r.Max, &r.Rank, &r.Of, &r.Bottom, &r.Vetoed)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("assess: table of run %s: %w", info.ID, err)
	}
	if len(out) == 0 {
		return out, nil
	}
	span, err := scheme.ParseSpan(info.Span)
	if err != nil {
		return out, nil
	}
	// The previous period's current run of the same scheme code and unit:
	// there is at most one (a new run supersedes the current one).
	var prevRun string
	err = s.db.Q(ctx).QueryRowContext(ctx, `SELECT r.id FROM runs r JOIN schemes s ON s.id = r.scheme_id
		WHERE s.code = $1 AND r.span = $2 AND r.unit_id = $3 AND r.superseded_by IS NULL ORDER BY r.created_at DESC, r.id DESC LIMIT 1`,
		info.SchemeCode, span.Prev().String(), info.UnitID).Scan(&prevRun)
	if store.IsNoRows(err) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("assess: table of run %s: previous run: %w", info.ID, err)
	}
	type prevRow struct {
		total       float64
		rank        int
		wasAssessed bool
	}
	pw := store.Where{}
	pw.Eq("run_id", prevRun)
	if len(out) <= prevLookupMax {
		// Kinds and ids both, so that the lookup follows the primary key
		// (run_id, subject_kind, subject_id) rather than reading the run.
		var kinds, ids []string
		seenKind := map[scheme.SubjectKind]bool{}
		for _, r := range out {
			if !seenKind[r.SubjectKind] {
				seenKind[r.SubjectKind] = true
				kinds = append(kinds, pw.Args.Add(string(r.SubjectKind)))
			}
			ids = append(ids, pw.Args.Add(r.SubjectID))
		}
		pw.Cond("subject_kind IN (" + strings.Join(kinds, ", ") + ")")
		pw.Cond("subject_id IN (" + strings.Join(ids, ", ") + ")")
	}
	prev := make(map[string]prevRow, min(len(out), prevLookupMax))
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT subject_kind, subject_id, total, rank, assessed FROM run_results WHERE `+pw.String(), pw.Args...)
	if err != nil {
		return nil, fmt.Errorf("assess: table of run %s: previous results: %w", info.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, id string
		var p prevRow
		if err := rows.Scan(&kind, &id, &p.total, &p.rank, &p.wasAssessed); err != nil {
			return nil, fmt.Errorf("assess: table of run %s: previous results: %w", info.ID, err)
		}
		prev[kind+"/"+id] = p
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("assess: table of run %s: previous results: %w", info.ID, err)
	}
	for i := range out {
		r := &out[i]
		if p, ok := prev[string(r.SubjectKind)+"/"+r.SubjectID]; ok && p.wasAssessed && r.Assessed {
			t, rk := p.total, p.rank
			ch := scheme.Round1(r.Total - t)
			r.PrevTotal, r.PrevRank, r.Change = &t, &rk, &ch
		}
	}
	return out, nil
}
