// Package org holds the organisation tree (区 → 街道/镇/乡 → 社区/村 → [片区] →
// 网格), grid polygons and codes, the workers, and their effective-dated
// assignments to grids. Everything here is effective-dated: a change made
// from a date closes the old version and opens a new one, so what a grid was,
// and who answered for it, on any past date can always be read back.
package org

import (
	"time"

	"gridwork/internal/dates"
)

// Level is a level of the org tree.
type Level string

// The levels, from the top.
const (
	District  Level = "district"  // 区/县
	Street    Level = "street"    // 街道/镇/乡
	Community Level = "community" // 社区/村
	Area      Level = "area"      // 片区, optional, between community and grid
	Grid      Level = "grid"      // 网格
)

// Levels lists the levels from the top.
var Levels = []Level{District, Street, Community, Area, Grid}

// Valid reports whether l is a known level.
func (l Level) Valid() bool {
	for _, x := range Levels {
		if l == x {
			return true
		}
	}
	return false
}

// ParentLevels returns the levels a unit of level l may hang under.
func (l Level) ParentLevels() []Level {
	switch l {
	case Street:
		return []Level{District}
	case Community:
		return []Level{Street}
	case Area:
		return []Level{Community}
	case Grid:
		return []Level{Community, Area}
	}
	return nil
}

// Unit is one org unit as it stood on a date (one version of it).
type Unit struct {
	ID       string `json:"id"`
	Level    Level  `json:"level"`
	ParentID string `json:"parent_id,omitempty"`
	Name     string `json:"name"`
	Code     string `json:"code"`
	// Kind is the unit's local kind: 街道, 镇 or 乡 for a street; 社区 or 村
	// for a community.
	Kind        string     `json:"kind,omitempty"`
	Geometry    string     `json:"geometry,omitempty"` // GeoJSON Polygon, WGS84
	Description string     `json:"description,omitempty"`
	ValidFrom   dates.Date `json:"valid_from"`
	ValidTo     dates.Date `json:"valid_to"` // zero: still in force
}

// Employment is full-time (专职) or part-time (兼职).
type Employment string

// The employments.
const (
	FullTime Employment = "full_time"
	PartTime Employment = "part_time"
)

// Post is a worker's post.
type Post string

// The posts.
const (
	GridWorker  Post = "grid_worker"  // 网格员
	GridLeader  Post = "grid_leader"  // 网格长
	AreaLeader  Post = "area_leader"  // 片区负责人
	Inspector   Post = "inspector"    // 督查员
	CentreStaff Post = "centre_staff" // 中心工作人员
)

// Worker is a person on the centre's staff list.
type Worker struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Employment  Employment `json:"employment"`
	Post        Post       `json:"post"`
	Phone       string     `json:"phone"`
	InPostSince dates.Date `json:"in_post_since"`
	LeftPostOn  dates.Date `json:"left_post_on"`
	// HomeUnitID is the community (or street) the worker belongs to; it
	// decides which staff may see the worker.
	HomeUnitID string    `json:"home_unit_id"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// MonthsInPost returns the whole months the worker has been in post on d,
// for eligibility rules such as seed 001's "in post ≥ 6 months".
func (w Worker) MonthsInPost(d dates.Date) int {
	if w.InPostSince.IsZero() || d.Before(w.InPostSince) {
		return 0
	}
	return w.InPostSince.MonthsBetween(d)
}

// AssignmentKind tells a worker's own grid from an extra share of another.
type AssignmentKind string

// The assignment kinds.
const (
	Primary AssignmentKind = "primary" // 一人一格: the worker's own grid, share 100
	Extra   AssignmentKind = "extra"   // 减员增效: at most half of another grid
)

// MaxExtraSharePct is seed 004's limit: a strong worker takes on "不多于半个网格".
const MaxExtraSharePct = 50

// Assignment puts a worker on a grid for a span of dates.
type Assignment struct {
	ID        string         `json:"id"`
	WorkerID  string         `json:"worker_id"`
	GridID    string         `json:"grid_id"`
	Kind      AssignmentKind `json:"kind"`
	SharePct  int            `json:"share_pct"`
	ValidFrom dates.Date     `json:"valid_from"`
	ValidTo   dates.Date     `json:"valid_to"` // zero: still in force
}

// ActiveOn reports whether the assignment holds on d.
func (a Assignment) ActiveOn(d dates.Date) bool {
	return !d.Before(a.ValidFrom) && (a.ValidTo.IsZero() || d.Before(a.ValidTo))
}
