package inspect

import (
	"fmt"
	"strings"
)

// ItemScope says what a check item is checked on.
type ItemScope string

// The item scopes.
const (
	PerHousehold ItemScope = "household" // once for each sampled household
	PerGrid      ItemScope = "grid"      // once for the grid
)

// Item is one thing a form checks.
type Item struct {
	Code  string    `json:"code"`
	Name  string    `json:"name"`
	Scope ItemScope `json:"scope"`
	// Fact names the fact a failure of this item counts towards, if any:
	// the failure's count (people, for a registration check) is added to
	// it in the month of the visit.
	Fact string `json:"fact,omitempty"`
	// Task names the fix task a failure sends back to the grid's worker
	// (seed 004: "漏登、漏销的退回网格员整改"); empty for none.
	Task string `json:"task,omitempty"`
	// FailsVisit makes any failure of this item fail the whole visit.
	FailsVisit bool `json:"fails_visit,omitempty"`
}

// Form is a check form: what an inspector checks on a visit.
type Form struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Items []Item `json:"items"`
	// FailAt is the number of failed household checks at which a visit
	// fails, whatever the items; 0 means household failures alone never
	// fail it.
	FailAt int `json:"fail_at"`
}

// builtinForm is seed 004's on-the-spot inspection of "考勤、考量、考质、考绩"
// together with the household checks it names (registered, people right,
// move-outs cancelled, rental file complete, QR code posted).
//
// 取舍: seed 004 says a grid passes or fails its inspection but not by
// what measure. gridwork fails a visit when any of the four 考 items fails
// or when two or more household checks fail (FailAt 2): a single slip in a
// sample of ten households is sent back to be fixed without failing the
// grid, a pattern is not.
var builtinForm = Form{
	Code: "seed004-onsite", Name: "网格实地督查(考勤、考量、考质、考绩)", FailAt: 2,
	Items: []Item{
		{Code: "registered", Name: "住户人员是否全部登记", Scope: PerHousehold, Fact: "inspect.missed_registrations", Task: "register"},
		{Code: "people_correct", Name: "人员信息是否准确", Scope: PerHousehold, Task: "correct"},
		{Code: "moveouts_cancelled", Name: "迁出人员是否注销", Scope: PerHousehold, Fact: "inspect.missed_cancellations", Task: "cancel"},
		{Code: "rental_file", Name: "出租房屋档案是否齐全", Scope: PerHousehold, Task: "rental_file"},
		{Code: "qr_posted", Name: "出租房屋二维码是否张贴", Scope: PerHousehold, Task: "qr_posting"},
		{Code: "rating_true", Name: "出租房屋星级评定是否属实", Scope: PerHousehold, Fact: "inspect.rating_falsified", Task: "rating"},
		{Code: "attendance", Name: "考勤:在岗在格", Scope: PerGrid, FailsVisit: true},
		{Code: "quantity", Name: "考量:采集、注销数量达标", Scope: PerGrid, FailsVisit: true},
		{Code: "quality", Name: "考质:信息准确完整", Scope: PerGrid, FailsVisit: true},
		{Code: "results", Name: "考绩:问题发现与处置实效", Scope: PerGrid, FailsVisit: true},
	},
}

// BuiltinForm returns the built-in check form.
func BuiltinForm() Form {
	f := builtinForm
	f.Items = append([]Item(nil), builtinForm.Items...)
	return f
}

// TaskNames are the fix tasks' names in Chinese.
var TaskNames = map[string]string{
	"register":    "补登漏登人员",
	"correct":     "更正人员信息",
	"cancel":      "注销已迁出人员",
	"rental_file": "补齐出租房屋档案",
	"qr_posting":  "张贴出租房屋二维码",
	"rating":      "重新评定出租房屋星级",
}

// Validate checks a form: a code and name, unique item codes, known scopes
// and tasks, and facts of the supervision catalogue.
func (f Form) Validate() error {
	var bad []string
	if strings.TrimSpace(f.Code) == "" || strings.TrimSpace(f.Name) == "" {
		bad = append(bad, "a form needs a code and a name")
	}
	if len(f.Items) == 0 {
		bad = append(bad, "a form needs at least one item")
	}
	if f.FailAt < 0 {
		bad = append(bad, "fail_at must not be negative")
	}
	seen := map[string]bool{}
	for i, it := range f.Items {
		where := fmt.Sprintf("item %d (%s)", i+1, it.Code)
		switch {
		case it.Code == "" || it.Name == "":
			bad = append(bad, where+": needs a code and a name")
		case seen[it.Code]:
			bad = append(bad, where+": code used twice")
		}
		seen[it.Code] = true
		if it.Scope != PerHousehold && it.Scope != PerGrid {
			bad = append(bad, fmt.Sprintf("%s: scope must be %q or %q", where, PerHousehold, PerGrid))
		}
		if it.Task != "" && TaskNames[it.Task] == "" {
			bad = append(bad, fmt.Sprintf("%s: unknown task %q", where, it.Task))
		}
		if it.Fact != "" && !countedFacts[it.Fact] {
			bad = append(bad, fmt.Sprintf("%s: fact %q is not one a check counts", where, it.Fact))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%s", strings.Join(bad, "; "))
	}
	return nil
}

// countedFacts are the facts a failed check item can count towards.
var countedFacts = map[string]bool{
	"inspect.missed_registrations": true,
	"inspect.missed_cancellations": true,
	"inspect.rating_falsified":     true,
}
