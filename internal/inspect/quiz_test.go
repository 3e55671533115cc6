package inspect_test

import (
	"testing"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/dates"
	"gridwork/internal/inspect"
	"gridwork/internal/metric"
)

func TestQuizAndReports(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		now := time.Date(2026, 3, 10, 10, 0, 0, 0, dates.Shanghai)
		f.st = f.st.WithClock(func() time.Time { return now })
		if err := f.st.InstallQuestions(bg); err != nil {
			t.Fatal(err)
		}
		if err := f.st.InstallQuestions(bg); err != nil { // twice: no duplicates
			t.Fatal(err)
		}
		bank, err := f.st.Questions(bg)
		if err != nil {
			t.Fatal(err)
		}
		if len(bank) != 15 {
			t.Fatalf("%d questions, want the 15 built in", len(bank))
		}
		right := map[string]int{}
		for _, q := range bank {
			right[q.ID] = q.Answer
		}
		worker := f.worker[f.grids[0].ID]

		// March 10: a quiz answered with two wrong.
		qz, err := f.st.DrawQuiz(bg, "inspector", worker, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(qz.Questions) != inspect.QuizSize {
			t.Fatalf("%d questions, want %d", len(qz.Questions), inspect.QuizSize)
		}
		answers := make([]int, len(qz.Questions))
		for i, q := range qz.Questions {
			if q.Answer != -1 {
				t.Errorf("the open quiz shows the answer of %s", q.ID)
			}
			answers[i] = right[q.ID]
		}
		answers[0] = (answers[0] + 1) % len(qz.Questions[0].Choices)
		answers[3] = -1 // left blank
		done, err := f.st.SubmitQuiz(bg, worker, qz.ID, answers)
		if err != nil {
			t.Fatal(err)
		}
		if done.Wrong == nil || *done.Wrong != 2 {
			t.Errorf("wrong = %v, want 2", done.Wrong)
		}
		if _, err := f.st.SubmitQuiz(bg, worker, qz.ID, answers); err != nil {
			t.Errorf("the same answers again: %v", err)
		}
		answers[1] = -1
		if _, err := f.st.SubmitQuiz(bg, worker, qz.ID, answers); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("other answers after submitting: %v, want ECONFLICT", err)
		}
		if _, err := f.st.SubmitQuiz(bg, worker, qz.ID, answers[:2]); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("two answers for five questions: %v, want EINVALID", err)
		}

		// March 31 noon: a quiz left unanswered falls due on April 1: five
		// wrong in April, and it can no longer be answered.
		now = time.Date(2026, 3, 31, 12, 0, 0, 0, dates.Shanghai)
		late, err := f.st.DrawQuiz(bg, "inspector", worker, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		now = time.Date(2026, 4, 1, 12, 0, 1, 0, dates.Shanghai)
		if _, err := f.st.SubmitQuiz(bg, worker, late.ID, make([]int, inspect.QuizSize)); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("answering past the due time: %v, want ECONFLICT", err)
		}

		// Reports: an undercover finding needs evidence; verified in March
		// it counts in March; a complaint rejected counts nowhere; one
		// verified in April counts in April.
		now = time.Date(2026, 3, 20, 9, 0, 0, 0, dates.Shanghai)
		bad := inspect.NewReport{Kind: inspect.Undercover, WorkerID: worker, FoundOn: dates.MustParse("2026-03-18"), Source: "区中心暗访组", Description: "工作时间不在网格"}
		if _, err := f.st.RecordReport(bg, "centre", bad); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("undercover finding without evidence: %v, want EINVALID", err)
		}
		bad.Files = []string{"ab12"}
		uc, err := f.st.RecordReport(bg, "centre", bad)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.DecideReport(bg, "centre", uc.ID, true, ""); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("deciding without a note: %v, want EINVALID", err)
		}
		if _, err := f.st.DecideReport(bg, "centre", uc.ID, true, "调取定位记录属实"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.DecideReport(bg, "centre", uc.ID, false, "again"); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("deciding twice: %v, want ECONFLICT", err)
		}
		complaint := inspect.NewReport{Kind: inspect.Complaint, WorkerID: worker, FoundOn: dates.MustParse("2026-03-19"), Source: "12345热线", Description: "态度生硬"}
		rej, err := f.st.RecordReport(bg, "centre", complaint)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.DecideReport(bg, "centre", rej.ID, false, "回访群众,不属实"); err != nil {
			t.Fatal(err)
		}
		ok, err := f.st.RecordReport(bg, "centre", complaint)
		if err != nil {
			t.Fatal(err)
		}
		now = time.Date(2026, 4, 2, 9, 0, 0, 0, dates.Shanghai)
		if _, err := f.st.DecideReport(bg, "centre", ok.ID, true, "核实属实"); err != nil {
			t.Fatal(err)
		}

		for _, tc := range []struct {
			month                       time.Month
			quiz, undercover, complaint float64
		}{
			{3, 2, 1, 0},
			{4, 5, 0, 1},
		} {
			w, names, err := f.st.WorkerFacts(bg, metric.Period{Year: 2026, Month: tc.month})
			if err != nil {
				t.Fatal(err)
			}
			if len(names) != 5 {
				t.Errorf("measured %v", names)
			}
			got := [3]float64{w.At(worker, "inspect.quiz_wrong").Num, w.At(worker, "inspect.undercover").Num, w.At(worker, "inspect.complaints").Num}
			if want := [3]float64{tc.quiz, tc.undercover, tc.complaint}; got != want {
				t.Errorf("month %d: quiz wrong, undercover, complaints = %v, want %v", tc.month, got, want)
			}
			if ev := w.At(worker, "inspect.quiz_wrong").Evidence; len(ev) != 1 || ev[0].Entity != "quiz" {
				t.Errorf("month %d: quiz evidence %v, want the one quiz", tc.month, ev)
			}
		}
	})
}
