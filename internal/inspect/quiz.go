package inspect

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/org"
	"gridwork/internal/store"
)

// Question is one question of the handbook quiz (应知应会).
type Question struct {
	ID      string   `json:"id"`
	Topic   string   `json:"topic"`
	Text    string   `json:"text"`
	Choices []string `json:"choices"`
	// Answer is the index of the right choice; it is never sent to the
	// worker taking the quiz.
	Answer int    `json:"answer"`
	Source string `json:"source"`
	Active bool   `json:"active"`
}

// builtinQuestions are drawn from what the seeds require a worker to know:
// the limits, quotas and targets they are assessed on.
var builtinQuestions = []Question{
	{ID: "builtin-01", Topic: "事件办理", Text: "事件上报后应在几个工作日内受理?", Choices: []string{"1个", "2个", "3个", "7个"}, Answer: 1, Source: "003: 2日内受理"},
	{ID: "builtin-02", Topic: "事件办理", Text: "事件受理后应在几个工作日内办结?", Choices: []string{"2个", "5个", "7个", "15个"}, Answer: 2, Source: "003: 7日内办结"},
	{ID: "builtin-03", Topic: "事件办理", Text: "专职网格员每月上报事件不少于多少件?", Choices: []string{"10件", "52件", "56件", "60件"}, Answer: 2, Source: "001 事件办理"},
	{ID: "builtin-04", Topic: "事件办理", Text: "专职网格员每月上报的事件中,上报上级的不少于多少件?", Choices: []string{"4件", "8件", "10件", "15件"}, Answer: 1, Source: "001 事件办理"},
	{ID: "builtin-05", Topic: "事件办理", Text: "兼职网格员每月上报事件不少于多少件(含上报上级4件)?", Choices: []string{"40件", "52件", "56件", "60件"}, Answer: 1, Source: "001 事件办理"},
	{ID: "builtin-06", Topic: "事件办理", Text: "群体性事件、重大案件、自然灾害、火灾等重大事件,应在多长时间内报告区、镇两级中心?", Choices: []string{"1小时", "2小时", "12小时", "24小时"}, Answer: 1, Source: "001 事件办理"},
	{ID: "builtin-07", Topic: "三项重点", Text: "特殊人群每月走访应在每月几日前完成?", Choices: []string{"15日", "20日", "28日", "月底"}, Answer: 2, Source: "001 三项重点"},
	{ID: "builtin-08", Topic: "三项重点", Text: "下列哪一类不属于需重点管控的特殊人群?", Choices: []string{"吸毒人员", "社区矫正人员", "刑满释放人员", "外来务工人员"}, Answer: 3, Source: "001 三项重点"},
	{ID: "builtin-09", Topic: "工作纪律", Text: "网格员每天应巡查几次、每次不少于多长时间?", Choices: []string{"1次,1小时", "2次,每次1小时", "2次,每次3小时", "3次,每次2小时"}, Answer: 2, Source: "001 工作纪律"},
	{ID: "builtin-10", Topic: "平台信息", Text: "居住证办证率的目标是多少?", Choices: []string{"80%", "90%", "95%", "100%"}, Answer: 2, Source: "000 III"},
	{ID: "builtin-11", Topic: "平台信息", Text: "流动人口迁出后,应在几日内注销?", Choices: []string{"当日", "3日", "7日", "1个月"}, Answer: 1, Source: "000 III"},
	{ID: "builtin-12", Topic: "入户走访", Text: "出租房屋内人员居住满几天未登记即属漏登?", Choices: []string{"1天", "2天", "7天", "1个月"}, Answer: 1, Source: "000 II"},
	{ID: "builtin-13", Topic: "平台信息", Text: "出租房屋二维码的月度扫码率应不低于多少?", Choices: []string{"80%", "90%", "95%", "100%"}, Answer: 2, Source: "000 III"},
	{ID: "builtin-14", Topic: "平台信息", Text: "流动人口平台录入时,几岁以上的人员须有照片?", Choices: []string{"1岁", "2岁", "6岁", "16岁"}, Answer: 1, Source: "000 III"},
	{ID: "builtin-15", Topic: "报表研判", Text: "研判会多久召开一次?", Choices: []string{"每天", "每周", "每月", "每季度"}, Answer: 0, Source: "000 IV: 每日研判会"},
}

// QuizSize is how many questions a quiz draws by default, and QuizHours
// how long a worker has to answer it.
//
// 取舍: seed 001 deducts 0.5 a wrong answer in a spot quiz but says
// neither how many questions nor what becomes of a quiz left unanswered.
// gridwork draws 5 and gives 24 hours; a quiz not submitted by then counts
// every question wrong, or skipping a quiz would be the safest answer.
const (
	QuizSize  = 5
	QuizHours = 24
)

// InstallQuestions stores the built-in questions that are not stored yet;
// a stored one (edited or retired by the centre) is left as it is.
func (s *Store) InstallQuestions(ctx context.Context) error {
	return s.db.Tx(ctx, func(tx store.Tx) error {
		for _, q := range builtinQuestions {
			choices, _ := json.Marshal(q.Choices)
			if _, err := tx.ExecContext(ctx, `INSERT INTO quiz_questions (id, topic, text, choices, answer, source, active, created_by, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, TRUE, 'system', $7) ON CONFLICT (id) DO NOTHING`,
				q.ID, q.Topic, q.Text, string(choices), q.Answer, q.Source, s.now()); err != nil {
				return fmt.Errorf("inspect: install questions: %w", err)
			}
		}
		return nil
	})
}

// Questions returns the question bank, by ID.
func (s *Store) Questions(ctx context.Context) ([]Question, error) {
	return store.All(ctx, s.db.Q(ctx), "quiz questions", `SELECT id, topic, text, choices, answer, source, active FROM quiz_questions ORDER BY id`, nil, scanQuestion)
}

func scanQuestion(r store.Row) (Question, error) {
	var q Question
	var choices string
	if err := r.Scan(&q.ID, &q.Topic, &q.Text, &choices, &q.Answer, &q.Source, &q.Active); err != nil {
		return q, err
	}
	return q, json.Unmarshal([]byte(choices), &q.Choices)
}

// AddQuestion adds a question to the bank. Errors: Invalid.
func (s *Store) AddQuestion(ctx context.Context, actor string, q Question) (Question, error) {
	q.Text = strings.TrimSpace(q.Text)
	var bad []apperr.FieldError
	if q.Text == "" {
		bad = append(bad, apperr.FieldError{Field: "text", Reason: "is required"})
	}
	if len(q.Choices) < 2 {
		bad = append(bad, apperr.FieldError{Field: "choices", Reason: "give at least two choices"})
	}
	if q.Answer < 0 || q.Answer >= len(q.Choices) {
		bad = append(bad, apperr.FieldError{Field: "answer", Reason: "must be the index of one of the choices"})
	}
	if len(bad) > 0 {
		return Question{}, apperr.InvalidFields("invalid question", bad...)
	}
	q.ID, q.Active = store.NewID(), true
	choices, _ := json.Marshal(q.Choices)
	err := s.db.Tx(ctx, func(tx store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO quiz_questions (id, topic, text, choices, answer, source, active, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7, $8)`, q.ID, q.Topic, q.Text, string(choices), q.Answer, q.Source, actor, s.now()); err != nil {
			return fmt.Errorf("inspect: add question: %w", err)
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "create", Entity: "quiz_question", EntityID: q.ID, After: q})
		return err
	})
	return q, err
}

// Quiz is a quiz drawn for a worker. Questions carry no answers while the
// quiz is open.
type Quiz struct {
	ID          string     `json:"id"`
	WorkerID    string     `json:"worker_id"`
	VisitID     string     `json:"visit_id,omitempty"`
	Questions   []Question `json:"questions"`
	DrawnAt     time.Time  `json:"drawn_at"`
	DueAt       time.Time  `json:"due_at"`
	Status      string     `json:"status"` // open, submitted
	Answers     []int      `json:"answers,omitempty"`
	Wrong       *int       `json:"wrong,omitempty"`
	SubmittedAt *time.Time `json:"submitted_at,omitempty"`
}

// DrawQuiz draws n questions (QuizSize if n is 0) at random from the
// active bank for a worker, optionally during a spot-check visit. Errors:
// Invalid (fewer active questions than n), NotFound (worker).
func (s *Store) DrawQuiz(ctx context.Context, actor, workerID, visitID string, n int) (Quiz, error) {
	if n == 0 {
		n = QuizSize
	}
	if _, err := s.org.GetWorker(ctx, workerID); err != nil {
		return Quiz{}, err
	}
	bank, err := s.Questions(ctx)
	if err != nil {
		return Quiz{}, err
	}
	var active []Question
	for _, q := range bank {
		if q.Active {
			active = append(active, q)
		}
	}
	if n < 1 || n > len(active) {
		return Quiz{}, apperr.Field("questions", fmt.Sprintf("a quiz of %d questions from a bank of %d active ones", n, len(active)))
	}
	var b [8]byte
	if _, err := crand.Read(b[:]); err != nil {
		return Quiz{}, fmt.Errorf("inspect: quiz seed: %w", err)
	}
	seed := binary.LittleEndian.Uint64(b[:])
	r := newDrawer(seed)
	for i := range n { // partial Fisher–Yates, as in Draw
		j := i + r.below(len(active)-i)
		active[i], active[j] = active[j], active[i]
	}
	qz := Quiz{ID: store.NewID(), WorkerID: workerID, VisitID: visitID, Questions: active[:n], DrawnAt: s.now(), Status: "open"}
	qz.DueAt = qz.DrawnAt.Add(QuizHours * time.Hour)
	ids := make([]string, n)
	for i, q := range qz.Questions {
		ids[i] = q.ID
	}
	idsJSON, _ := json.Marshal(ids)
	err = s.db.Tx(ctx, func(tx store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO quizzes (id, worker_id, visit_id, seed, questions, drawn_by, drawn_at, due_at, status)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open')`, qz.ID, workerID, visitID, seedText(seed), string(idsJSON), actor, qz.DrawnAt, qz.DueAt); err != nil {
			return fmt.Errorf("inspect: draw quiz: %w", err)
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "draw", Entity: "quiz", EntityID: qz.ID,
			After: map[string]any{"worker": workerID, "questions": ids}})
		return err
	})
	if err != nil {
		return Quiz{}, err
	}
	return qz.hidden(), nil
}

// hidden leaves the right answers out of an open quiz.
func (q Quiz) hidden() Quiz {
	if q.Status == "submitted" {
		return q
	}
	qs := make([]Question, len(q.Questions))
	for i, x := range q.Questions {
		x.Answer = -1
		qs[i] = x
	}
	q.Questions = qs
	return q
}

// GetQuiz returns a quiz; an open one without its answers. Errors:
// NotFound.
func (s *Store) GetQuiz(ctx context.Context, id string) (Quiz, error) {
	qs, err := s.quizzes(ctx, "", "id = $1", id)
	if err != nil {
		return Quiz{}, err
	}
	if len(qs) == 0 {
		return Quiz{}, apperr.New(apperr.NotFound, "no quiz %s", id)
	}
	return qs[0], nil
}

// Quizzes returns a worker's quizzes, newest first.
func (s *Store) Quizzes(ctx context.Context, workerID string) ([]Quiz, error) {
	return s.quizzes(ctx, "", "worker_id = $1", workerID)
}

// AllQuizzes returns every worker's quizzes, newest first: the centre's
// overview of who took them and how they did.
func (s *Store) AllQuizzes(ctx context.Context) ([]Quiz, error) {
	return s.quizzes(ctx, "", "1 = 1")
}

// QuizzesWithin returns the quizzes of the workers whose home unit lies in
// the subtree of withinID today (everyone's when it is empty), newest
// first.
func (s *Store) QuizzesWithin(ctx context.Context, withinID string) ([]Quiz, error) {
	if withinID == "" {
		return s.AllQuizzes(ctx)
	}
	var args store.Args
	prefix := org.SubtreeCTE(&args, withinID, dates.Today())
	return s.quizzes(ctx, prefix, org.WorkersInSubtree("worker_id"), args...)
}

func (s *Store) quizzes(ctx context.Context, prefix, where string, args ...any) ([]Quiz, error) {
	bank, err := s.Questions(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[string]Question{}
	for _, q := range bank {
		byID[q.ID] = q
	}
	out, err := store.All(ctx, s.db.Q(ctx), "quizzes", prefix+`SELECT id, worker_id, visit_id, questions, drawn_at, due_at, status, COALESCE(answers, ''), wrong, submitted_at
		FROM quizzes WHERE `+where+` ORDER BY drawn_at DESC, id`, args, func(r store.Row) (Quiz, error) {
		var q Quiz
		var ids, answers string
		if err := r.Scan(&q.ID, &q.WorkerID, &q.VisitID, &ids, &q.DrawnAt, &q.DueAt, &q.Status, &answers, &q.Wrong, &q.SubmittedAt); err != nil {
			return q, err
		}
		var list []string
		if err := json.Unmarshal([]byte(ids), &list); err != nil {
			return q, err
		}
		for _, id := range list {
			q.Questions = append(q.Questions, byID[id])
		}
		if answers != "" {
			if err := json.Unmarshal([]byte(answers), &q.Answers); err != nil {
				return q, err
			}
		}
		return q.hidden(), nil
	})
	return out, err
}

// SubmitQuiz records the worker's answers (the index chosen for each
// question, in order; -1 for none) and returns the marked quiz with the
// right answers. Sent again with the same answers it changes nothing.
// Errors: NotFound; Invalid (a count or index that does not fit);
// Conflict (submitted already with other answers, or past its due time:
// then every question counts wrong).
func (s *Store) SubmitQuiz(ctx context.Context, actor, id string, answers []int) (Quiz, error) {
	q, err := s.GetQuiz(ctx, id)
	if err != nil {
		return Quiz{}, err
	}
	if len(answers) != len(q.Questions) {
		return Quiz{}, apperr.Field("answers", fmt.Sprintf("give one answer for each of the %d questions (-1 for none)", len(q.Questions)))
	}
	if q.Status == "submitted" {
		if fmt.Sprint(q.Answers) == fmt.Sprint(answers) {
			return q, nil
		}
		return Quiz{}, apperr.New(apperr.Conflict, "quiz %s was submitted already", id)
	}
	if s.now().After(q.DueAt) {
		return Quiz{}, apperr.New(apperr.Conflict, "quiz %s was due by %s: every question counts as wrong", id, q.DueAt.In(dates.Shanghai).Format(time.DateTime))
	}
	full, err := s.Questions(ctx)
	if err != nil {
		return Quiz{}, err
	}
	right := map[string]int{}
	for _, x := range full {
		right[x.ID] = x.Answer
	}
	wrong := 0
	for i, a := range answers {
		if a < -1 || a >= len(q.Questions[i].Choices) {
			return Quiz{}, apperr.Field(fmt.Sprintf("answers[%d]", i), "is not one of the question's choices")
		}
		if a != right[q.Questions[i].ID] {
			wrong++
		}
	}
	body, _ := json.Marshal(answers)
	err = s.db.Tx(ctx, func(tx store.Tx) error {
		r, err := tx.ExecContext(ctx, `UPDATE quizzes SET status = 'submitted', answers = $1, wrong = $2, submitted_at = $3 WHERE id = $4 AND status = 'open'`,
			string(body), wrong, s.now(), id)
		if err != nil {
			return fmt.Errorf("inspect: submit quiz %s: %w", id, err)
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return apperr.New(apperr.Conflict, "quiz %s was submitted meanwhile", id)
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "submit", Entity: "quiz", EntityID: id, After: map[string]any{"wrong": wrong}})
		return err
	})
	if err != nil {
		return Quiz{}, err
	}
	done, err := s.GetQuiz(ctx, id)
	if err != nil {
		return Quiz{}, err
	}
	for i := range done.Questions {
		done.Questions[i].Answer = right[done.Questions[i].ID]
	}
	return done, nil
}
