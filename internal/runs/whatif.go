package runs

import (
	"context"
	"fmt"

	"gridwork/internal/apperr"
	"gridwork/internal/scheme"
)

// WhatIfRow compares one subject under a draft scheme with a stored run.
type WhatIfRow struct {
	SubjectKind scheme.SubjectKind `json:"subject_kind"`
	SubjectID   string             `json:"subject_id"`
	Name        string             `json:"name"`
	OldTotal    *float64           `json:"old_total,omitempty"`
	OldRank     *int               `json:"old_rank,omitempty"`
	NewTotal    float64            `json:"new_total"`
	NewRank     int                `json:"new_rank"`
	Assessed    bool               `json:"assessed"`
	// Moved is old rank − new rank: positive when the subject moves up.
	Moved *int `json:"moved,omitempty"`
}

// WhatIf evaluates a draft scheme (not stored) on the stored facts of a
// past span for the subtree of unitID and compares each subject with the
// current run of baseRunID, or, when empty, with the current run of the
// draft's code for that span and unit. The lint messages come back too; a
// draft with errors is refused (Invalid).
func (s *Store) WhatIf(ctx context.Context, draft []byte, spanText, unitID, baseRunID string) ([]WhatIfRow, []scheme.Message, error) {
	sch, msgs, err := CheckScheme(draft)
	if err != nil {
		return nil, nil, err
	}
	if scheme.HasErrors(msgs) {
		return nil, msgs, apperr.New(apperr.Invalid, "the draft does not pass its check (see the messages)")
	}
	span, err := scheme.ParseSpan(spanText)
	if err != nil {
		return nil, msgs, apperr.Field("period", err.Error())
	}
	if span.Kind != sch.Period {
		return nil, msgs, apperr.Field("period", fmt.Sprintf("the draft is assessed per %s; %s is not one", sch.Period, span))
	}
	p, err := compile(sch)
	if err != nil {
		return nil, msgs, err
	}
	inputs, err := s.Inputs(ctx, p, span, unitID)
	if err != nil {
		return nil, msgs, err
	}
	results, err := scheme.Evaluate(p, span, inputs, scheme.Options{})
	if err != nil {
		return nil, msgs, err
	}
	old := map[string]Row{}
	if baseRunID == "" {
		runs, err := s.Runs(ctx, RunQuery{SchemeCode: sch.Code, Span: span.String(), UnitID: unitID, Current: true})
		if err != nil {
			return nil, msgs, err
		}
		if len(runs) > 0 {
			baseRunID = runs[0].ID
		}
	}
	if baseRunID != "" {
		_, rows, err := s.Table(ctx, baseRunID, TableQuery{})
		if err != nil {
			return nil, msgs, err
		}
		for _, r := range rows {
			old[string(r.SubjectKind)+"/"+r.SubjectID] = r
		}
	}
	out := make([]WhatIfRow, 0, len(results))
	for _, r := range results {
		w := WhatIfRow{SubjectKind: r.Subject.Kind, SubjectID: r.Subject.ID, Name: r.Subject.Name, NewTotal: r.Total, NewRank: r.Rank, Assessed: r.Assessed}
		if o, ok := old[string(r.Subject.Kind)+"/"+r.Subject.ID]; ok && o.Assessed {
			t, rk := o.Total, o.Rank
			w.OldTotal, w.OldRank = &t, &rk
			if r.Assessed {
				m := rk - r.Rank
				w.Moved = &m
			}
		}
		out = append(out, w)
	}
	return out, msgs, nil
}
