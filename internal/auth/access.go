package auth

import (
	"context"
	"fmt"
	"slices"

	"gridwork/internal/apperr"
	"gridwork/internal/dates"
	"gridwork/internal/org"
)

// Action is a kind of operation that roles are allowed or not.
type Action string

// The actions.
const (
	ReadOrg          Action = "read_org"           // the tree, grids, workers, assignments
	ManageOrg        Action = "manage_org"         // create, redraw, merge, end and number units
	EditGridBoard    Action = "edit_grid_board"    // a grid's public description and duties
	ManageWorkers    Action = "manage_workers"     // workers and their assignments
	ManageUsers      Action = "manage_users"       // accounts, password resets
	ReadAudit        Action = "read_audit"         // the audit log
	ManageOwnAccount Action = "manage_own_account" // own password and tokens
	ReadRecords      Action = "read_records"       // base records, identity numbers masked
	WriteRecords     Action = "write_records"      // register, change and end base records; visits, scans
	UnmaskIdentity   Action = "unmask_identity"    // see a full identity number (audited)
	ReadCare         Action = "read_care"          // special-care subjects and visits (every read audited)
	WriteCare        Action = "write_care"         // register special-care subjects, record their visits
	ImportRecords    Action = "import_records"     // ledger and platform imports
	ConfigureRecords Action = "configure_records"  // requirements, care groups, platform column mappings
	ReadFacts        Action = "read_facts"         // collected facts with their evidence
	CollectFacts     Action = "collect_facts"      // recollect a month's facts
	ReadAssessment   Action = "read_assessment"    // schemes, league tables, one's own explained score
	ManageSchemes    Action = "manage_schemes"     // store scheme versions
	RunAssessment    Action = "run_assessment"     // run an assessment, payroll, what-if
	RecordFinding    Action = "record_finding"     // manual findings with evidence
	FileAppeal       Action = "file_appeal"        // appeal a deduction
	DecideAppeal     Action = "decide_appeal"      // uphold or reject an appeal

	// Patrols.
	PostPatrol Action = "post_patrol" // send one's own GPS fixes and patrol start/stop
	ReadPatrol Action = "read_patrol" // patrol days and flags (a grid worker: their own)

	// Spot checks.
	ReadInspections  Action = "read_inspections"  // rounds, visits in scope, fix tasks
	PlanInspections  Action = "plan_inspections"  // draw and publish rounds, forms, workload
	RecordInspection Action = "record_inspection" // record a drawn visit's findings
	FixInspectTasks  Action = "fix_inspect_tasks" // mark a fix task done
	TakeQuiz         Action = "take_quiz"         // answer one's own handbook quiz
	ReportFailing    Action = "report_failing"    // record an undercover finding or a complaint
	VerifyFailing    Action = "verify_failing"    // verify or reject one

	// Events.
	ReadEvents      Action = "read_events"      // events, their timelines, cards, categories, the calendar
	ReportEvent     Action = "report_event"     // report an event (上报), ask for an extension, parking or voiding
	HandleEvents    Action = "handle_events"    // the workflow steps: accept, dispatch, handle, verify, close, send back
	ApproveEvents   Action = "approve_events"   // approve or reject extensions, parking and voiding
	ConfigureEvents Action = "configure_events" // the category tree, its limits, and the work calendar

	// Duty.
	ReadDuty     Action = "read_duty"     // logins, meetings, leave, work sheets, activities, reports (a grid worker: their own)
	WriteDuty    Action = "write_duty"    // one's own sign-in and sign-out, leave requests, activities, report submissions
	ManageDuty   Action = "manage_duty"   // meetings and attendance, publicity, required reports, systems, findings, profiles, logins by hand
	ApproveLeave Action = "approve_leave" // approve or reject leave requests
	ReviewDuty   Action = "review_duty"   // mark activities valid or invalid, reports ok, wrong or perfunctory

	// Satisfaction surveys.
	ReadSurveys      Action = "read_surveys"       // surveys and their results with margins and flags
	ManageSurveys    Action = "manage_surveys"     // create, open and close surveys; issue ballot codes
	PrintSurveyCodes Action = "print_survey_codes" // a grid's household answer codes for the contact cards

	// What a role's scope holds beyond its org subtree. These are not
	// operations of their own; handlers ask them through a Scope.
	SeeEverywhere       Action = "see_everywhere"         // the whole tree, whatever the scope unit
	SeeColleagues       Action = "see_colleagues"         // other workers' personal records (duty, patrols, facts, quizzes, fix tasks, findings, appeals, scores); without it, one's own only
	WriteAnyGrid        Action = "write_any_grid"         // write to any grid of the scope; without it, only the grids one is assigned to that day
	ReadWholeRuns       Action = "read_whole_runs"        // a run's whole league table and escalations, when the run's unit is in scope
	ListAllFacts        Action = "list_all_facts"         // a month's facts of every subject at once
	ImportPlatforms     Action = "import_platforms"       // a platform's export, which covers the whole street
	StandInForInspector Action = "stand_in_for_inspector" // record a visit drawn for another inspector
	ManageStaffAccounts Action = "manage_staff_accounts"  // create and reset admin and centre staff accounts

	// The steps of the event workflow (events.Action), each its own action.
	EventAccept           Action = "event_accept"
	EventDispatch         Action = "event_dispatch"
	EventHandle           Action = "event_handle"
	EventVerify           Action = "event_verify"
	EventClose            Action = "event_close"
	EventSendBack         Action = "event_send_back"
	EventEscalate         Action = "event_escalate"
	EventRequestExtension Action = "event_request_extension"
	EventRequestPark      Action = "event_request_park"
	EventRequestVoid      Action = "event_request_void"
	EventResume           Action = "event_resume"
	// Handling an event that was not dispatched to oneself.
	EventHandleAny Action = "event_handle_any"
)

// permissions is the one table of who may do what. Where they may do it is
// the scope, checked separately.
var permissions = map[Action][]Role{
	ReadOrg:          {Admin, CentreStaff, CommunityStaff, Inspector, GridWorkerRole},
	ManageOrg:        {Admin, CentreStaff},
	EditGridBoard:    {Admin, CentreStaff, CommunityStaff, GridWorkerRole},
	ManageWorkers:    {Admin, CentreStaff, CommunityStaff},
	ManageUsers:      {Admin, CentreStaff},
	ReadAudit:        {Admin, CentreStaff},
	ManageOwnAccount: {Admin, CentreStaff, CommunityStaff, Inspector, GridWorkerRole},
	ReadRecords:      {Admin, CentreStaff, CommunityStaff, Inspector, GridWorkerRole},
	WriteRecords:     {Admin, CentreStaff, CommunityStaff, GridWorkerRole},
	// Those who enter people on the platforms need the full number; an
	// admin runs the system and an inspector checks records, and neither
	// needs it.
	UnmaskIdentity: {CentreStaff, CommunityStaff, GridWorkerRole},
	// Special-care records are for the people who visit and supervise them.
	ReadCare:         {CentreStaff, CommunityStaff, GridWorkerRole},
	WriteCare:        {CentreStaff, CommunityStaff, GridWorkerRole},
	ImportRecords:    {Admin, CentreStaff, CommunityStaff},
	ConfigureRecords: {Admin, CentreStaff},
	ReadFacts:        {Admin, CentreStaff, CommunityStaff, Inspector, GridWorkerRole},
	CollectFacts:     {Admin, CentreStaff},
	ReadAssessment:   {Admin, CentreStaff, CommunityStaff, Inspector, GridWorkerRole},
	ManageSchemes:    {Admin, CentreStaff},
	RunAssessment:    {Admin, CentreStaff},
	RecordFinding:    {CentreStaff, Inspector},
	// A worker appeals their own deductions; community staff appeal for
	// their community's workers and for the community itself.
	FileAppeal: {CentreStaff, CommunityStaff, GridWorkerRole},
	// The centre decides; an inspector who recorded a finding does not
	// judge the appeal against it.
	DecideAppeal: {CentreStaff},

	// Only a grid worker's phone sends fixes, and only their own.
	PostPatrol: {GridWorkerRole},
	ReadPatrol: {Admin, CentreStaff, CommunityStaff, Inspector, GridWorkerRole},

	ReadInspections: {Admin, CentreStaff, CommunityStaff, Inspector, GridWorkerRole},
	PlanInspections: {Admin, CentreStaff},
	// The inspector drawn records; centre staff may stand in for one.
	RecordInspection: {CentreStaff, Inspector},
	FixInspectTasks:  {CentreStaff, CommunityStaff, GridWorkerRole},
	TakeQuiz:         {GridWorkerRole},
	ReportFailing:    {CentreStaff, Inspector},
	VerifyFailing:    {CentreStaff},

	// Events: workers report and handle what is dispatched to them,
	// community staff run their community's events, the centre dispatches
	// and approves (which step each role may take: the Event* actions
	// below).
	ReadEvents:      {Admin, CentreStaff, CommunityStaff, Inspector, GridWorkerRole},
	ReportEvent:     {CentreStaff, CommunityStaff, GridWorkerRole},
	HandleEvents:    {CentreStaff, CommunityStaff, GridWorkerRole},
	ApproveEvents:   {CentreStaff},
	ConfigureEvents: {Admin, CentreStaff},

	// Duty: a worker keeps their own day; the community and the centre keep
	// meetings, publicity and reports and approve leave; the centre (or an
	// inspector) reviews activities and reports, since the community's own
	// ranking rests on them.
	ReadDuty:     {Admin, CentreStaff, CommunityStaff, Inspector, GridWorkerRole},
	WriteDuty:    {CentreStaff, CommunityStaff, GridWorkerRole},
	ManageDuty:   {Admin, CentreStaff, CommunityStaff},
	ApproveLeave: {CentreStaff, CommunityStaff},
	ReviewDuty:   {CentreStaff, Inspector},

	// Surveys: the centre runs them (seed 001: 由镇(街道)负责组织); the
	// household codes are the households' secrets, printed by the staff
	// who hand out the contact cards, not by an admin or an inspector.
	ReadSurveys:      {Admin, CentreStaff, CommunityStaff, Inspector},
	ManageSurveys:    {Admin, CentreStaff},
	PrintSurveyCodes: {CentreStaff, CommunityStaff},

	// An admin's scope is everything; everyone else's is the subtree of
	// their scope unit.
	SeeEverywhere: {Admin},
	// A grid worker sees their own personal records only; staff and
	// inspectors those of the workers in their scope.
	SeeColleagues: {Admin, CentreStaff, CommunityStaff, Inspector},
	// A grid worker writes only to the grids assigned to them that day.
	WriteAnyGrid: {Admin, CentreStaff, CommunityStaff, Inspector},
	// The centre sees a run's whole table; the others the rows of the
	// communities in their scope (the table as published there).
	ReadWholeRuns: {Admin, CentreStaff},
	// Others name the worker or unit whose facts they want.
	ListAllFacts:    {Admin, CentreStaff},
	ImportPlatforms: {Admin, CentreStaff},
	// The centre may record for an inspector who was replaced on the day.
	StandInForInspector: {CentreStaff},
	// Only an admin manages the accounts of admins and the centre's staff.
	ManageStaffAccounts: {Admin},

	// Event steps (the scope is checked separately): a grid worker handles
	// what is dispatched to them, escalates and asks; community staff run
	// their community's events; the centre dispatches too. Approvals are
	// the centre's (ApproveEvents).
	EventAccept:           {CentreStaff, CommunityStaff},
	EventDispatch:         {CentreStaff},
	EventHandle:           {CentreStaff, CommunityStaff, GridWorkerRole},
	EventVerify:           {CentreStaff, CommunityStaff},
	EventClose:            {CentreStaff, CommunityStaff},
	EventSendBack:         {CentreStaff, CommunityStaff},
	EventEscalate:         {CentreStaff, CommunityStaff, GridWorkerRole},
	EventRequestExtension: {CentreStaff, CommunityStaff, GridWorkerRole},
	EventRequestPark:      {CentreStaff, CommunityStaff, GridWorkerRole},
	EventRequestVoid:      {CentreStaff, CommunityStaff, GridWorkerRole},
	EventResume:           {CentreStaff, CommunityStaff},
	// A grid worker handles only what is dispatched to them.
	EventHandleAny: {CentreStaff, CommunityStaff},
}

// Actions lists every action of the table, sorted.
func Actions() []Action {
	out := make([]Action, 0, len(permissions))
	for a := range permissions {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// Allowed reports whether role r may perform action a anywhere.
func Allowed(r Role, a Action) bool {
	for _, x := range permissions[a] {
		if x == r {
			return true
		}
	}
	return false
}

// Require returns Forbidden unless u's role may perform a.
func Require(u User, a Action) error {
	if Allowed(u.Role, a) {
		return nil
	}
	return apperr.New(apperr.Forbidden, "a %s may not %s", u.Role, a)
}

// CheckScope returns nil if unitID lies in u's scope on d, and Forbidden
// otherwise (a unit not in force on d counts as outside). An admin's scope is
// everything.
func (s *Store) CheckScope(ctx context.Context, u User, unitID string, d dates.Date) error {
	if Allowed(u.Role, SeeEverywhere) {
		return nil
	}
	in, err := s.org.InSubtree(ctx, unitID, u.ScopeUnitID, d)
	if err != nil {
		return err
	}
	if !in {
		return apperr.New(apperr.Forbidden, "org unit %s is outside your scope", unitID)
	}
	return nil
}

// CheckWrite returns nil if u may perform the write action a on unitID on d:
// the role must allow a, the unit must lie in u's scope, and a grid worker
// writes only to the grids they are assigned to that day (their own grid or
// an extra share).
func (s *Store) CheckWrite(ctx context.Context, u User, a Action, unitID string, d dates.Date) error {
	if err := Require(u, a); err != nil {
		return err
	}
	if err := s.CheckScope(ctx, u, unitID, d); err != nil {
		return err
	}
	if Allowed(u.Role, WriteAnyGrid) {
		return nil
	}
	as, _, err := s.org.ListAssignments(ctx, org.AssignmentQuery{WorkerID: u.WorkerID, GridID: unitID, On: d})
	if err != nil {
		return fmt.Errorf("auth: check write: %w", err)
	}
	if len(as) == 0 {
		return apperr.New(apperr.Forbidden, "you write only to your own grids; %s is not one of them on %s", unitID, d)
	}
	return nil
}
