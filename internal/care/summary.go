package care

import (
	"context"

	"gridwork/internal/dates"
)

// DueCount is one grid's special-care subjects whose visit is due on the
// day asked about, and those past it.
type DueCount struct {
	Due     int `json:"due"`
	Overdue int `json:"overdue"`
}

// DueByGrid counts, per grid under within ("" for all), the active
// subjects whose visit is due on on (Due) or overdue (Overdue), as Overdue
// lists them. It returns counts only: no names leave the store.
func (s *Store) DueByGrid(ctx context.Context, on dates.Date, within string) (map[string]DueCount, error) {
	ds, err := s.Overdue(ctx, on, within)
	if err != nil {
		return nil, err
	}
	out := map[string]DueCount{}
	for _, d := range ds {
		c := out[d.GridID]
		if d.DaysOverdue > 0 {
			c.Overdue++
		} else {
			c.Due++
		}
		out[d.GridID] = c
	}
	return out, nil
}
