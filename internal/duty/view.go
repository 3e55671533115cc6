package duty

import (
	"context"
	"fmt"

	"gridwork/internal/apperr"
	"gridwork/internal/dates"
	"gridwork/internal/metric"
)

// DayView is one day of a worker's month.
type DayView struct {
	Day     dates.Date `json:"day"`
	Workday bool       `json:"workday"`
	// Leave is true when approved leave covers at least half of the day's
	// working hours (the day is owed no login or work sheet).
	Leave       bool   `json:"leave"`
	App         bool   `json:"app" doc:"signed in to the app"`
	PC          bool   `json:"pc" doc:"signed in to the PC system"`
	Sheet       *Sheet `json:"sheet,omitempty"`
	LateMinutes int    `json:"late_minutes"`
}

// MonthView is a worker's duty month: each day, the meetings they were
// listed at, their leave, activities, reports and findings, and their
// duty facts as measured now.
type MonthView struct {
	WorkerID   string       `json:"worker_id"`
	Month      string       `json:"month"`
	Profile    Profile      `json:"profile"`
	Days       []DayView    `json:"days"`
	Meetings   []Meeting    `json:"meetings"`
	Leave      []Leave      `json:"leave"`
	Activities []Activity   `json:"activities"`
	Reports    []Report     `json:"reports"`
	Findings   []Finding    `json:"findings"`
	Facts      []WorkerFact `json:"facts"`
}

// WorkerFact is one of the worker's own duty facts of the month.
type WorkerFact struct {
	Name     string       `json:"name"`
	Value    float64      `json:"value"`
	Evidence []metric.Ref `json:"evidence"`
}

// MonthView returns worker's duty month p. Errors: NotFound for an
// unknown worker.
func (s *Store) MonthView(ctx context.Context, workerID string, p metric.Period) (MonthView, error) {
	if _, err := s.org.GetWorker(ctx, workerID); err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return MonthView{}, err
		}
		return MonthView{}, fmt.Errorf("duty: month view: %w", err)
	}
	v := MonthView{WorkerID: workerID, Month: p.String()}
	var err error
	if v.Profile, err = s.Profile(ctx, workerID); err != nil {
		return MonthView{}, err
	}
	first, last := p.First(), p.Last()
	sc := Scope{WorkerID: workerID}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return MonthView{}, err
	}
	leave, err := s.ApprovedLeave(ctx, p.Start(), p.End())
	if err != nil {
		return MonthView{}, err
	}
	logins, err := s.Logins(ctx, sc, first, last)
	if err != nil {
		return MonthView{}, err
	}
	sheets, err := s.Sheets(ctx, sc, first, last)
	if err != nil {
		return MonthView{}, err
	}
	byDay := map[dates.Date]*DayView{}
	for d := first; !d.After(last); d = d.AddDays(1) {
		v.Days = append(v.Days, DayView{Day: d, Workday: cal.IsWorkday(d), Leave: cal.IsWorkday(d) && leaveDay(cal, leave[workerID], d)})
	}
	for i := range v.Days {
		byDay[v.Days[i].Day] = &v.Days[i]
	}
	for _, l := range logins {
		if dv := byDay[l.Day]; dv != nil {
			dv.App = dv.App || l.Client == App
			dv.PC = dv.PC || l.Client == PC
		}
	}
	for i := range sheets {
		if dv := byDay[sheets[i].Day]; dv != nil {
			dv.Sheet, dv.LateMinutes = &sheets[i], sheets[i].LateMinutes
		}
	}
	if v.Meetings, err = s.Meetings(ctx, MeetingQuery{Scope: sc, From: first, To: last}); err != nil {
		return MonthView{}, err
	}
	if v.Leave, err = s.ListLeave(ctx, LeaveQuery{Scope: sc, From: first, To: last}); err != nil {
		return MonthView{}, err
	}
	if v.Activities, err = s.Activities(ctx, sc, first, last); err != nil {
		return MonthView{}, err
	}
	if v.Reports, err = s.Reports(ctx, sc, first, last); err != nil {
		return MonthView{}, err
	}
	if v.Findings, err = s.Findings(ctx, sc, first, last); err != nil {
		return MonthView{}, err
	}
	_, w, err := s.measure(ctx, p, workerSteps, workerID)
	if err != nil {
		return MonthView{}, err
	}
	v.Facts = []WorkerFact{}
	for _, name := range workerFactNames {
		t := w[workerID][name]
		if t == nil {
			t = &metric.Tally{}
		}
		f := WorkerFact{Name: name, Value: t.Num, Evidence: t.Evidence}
		if d, _ := metric.Lookup(name); d.Kind == metric.Rate {
			f.Value = 100
			if t.Den > 0 {
				f.Value = 100 * t.Num / t.Den
			}
		}
		if f.Evidence == nil {
			f.Evidence = []metric.Ref{}
		}
		v.Facts = append(v.Facts, f)
	}
	return v, nil
}

// workerFactNames are the facts a worker can have of their own, in the
// order the month view shows them.
var workerFactNames = []string{
	fLoginMissed, fSheetsMissing, fLateArrivals, fLateFlag, fMeetingsMissed, fAnalysisAbsent, fChecksAbsent,
	fUnreported, fIssues, fReportsLate, fPlansLate, fVolunteer, fShortfall, fAppActivities, fAppInstalled,
	fRefused, fPhoneNotCarried,
}
