package api

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"gridwork/internal/auth"
)

// routes is the one route table.
func (s *Server) routes() {
	// Accounts and sessions.
	op(s, huma.Operation{OperationID: "login", Method: http.MethodPost, Path: "/api/login", Summary: "Sign in", Tags: []string{"account"},
		Errors: []int{http.StatusTooManyRequests, http.StatusLocked}}, public(), s.login)
	op(s, huma.Operation{OperationID: "logout", Method: http.MethodPost, Path: "/api/logout", Summary: "Sign out", Tags: []string{"account"}}, needs(auth.ManageOwnAccount), s.logout)
	op(s, huma.Operation{OperationID: "me", Method: http.MethodGet, Path: "/api/me", Summary: "The signed-in user", Tags: []string{"account"}}, needs(auth.ManageOwnAccount), s.me)
	op(s, huma.Operation{OperationID: "change-password", Method: http.MethodPost, Path: "/api/me/password", Summary: "Change your own password", Tags: []string{"account"}}, needs(auth.ManageOwnAccount), s.changePassword)
	op(s, huma.Operation{OperationID: "create-token", Method: http.MethodPost, Path: "/api/me/tokens", Summary: "Issue a bearer token for a device or script", Tags: []string{"account"}}, needs(auth.ManageOwnAccount), s.createToken)

	// Org tree.
	op(s, huma.Operation{OperationID: "list-units", Method: http.MethodGet, Path: "/api/units", Summary: "Org units in your scope on a date", Tags: []string{"org"}}, needs(auth.ReadOrg), s.listUnits)
	op(s, huma.Operation{OperationID: "get-unit", Method: http.MethodGet, Path: "/api/units/{id}", Summary: "One org unit on a date", Tags: []string{"org"}}, needs(auth.ReadOrg), s.getUnit)
	op(s, huma.Operation{OperationID: "unit-history", Method: http.MethodGet, Path: "/api/units/{id}/history", Summary: "Every version of an org unit", Tags: []string{"org"}}, needs(auth.ReadOrg), s.unitHistory)
	op(s, huma.Operation{OperationID: "create-unit", Method: http.MethodPost, Path: "/api/units", Summary: "Create an org unit (street, community, 片区 or grid)", Tags: []string{"org"}, DefaultStatus: http.StatusCreated}, needs(auth.ManageOrg), s.createUnit)
	op(s, huma.Operation{OperationID: "change-unit", Method: http.MethodPost, Path: "/api/units/{id}/changes", Summary: "Change a unit from a date (rename, recode, move, redraw)", Tags: []string{"org"}}, needs(auth.ManageOrg), s.changeUnit)
	op(s, huma.Operation{OperationID: "end-unit", Method: http.MethodPost, Path: "/api/units/{id}/end", Summary: "Retire a unit from a date", Tags: []string{"org"}}, needs(auth.ManageOrg), s.endUnit)
	op(s, huma.Operation{OperationID: "number-grids", Method: http.MethodPost, Path: "/api/units/{id}/number-grids", Summary: "Number a community's grids west→east, north→south (CJ/T 349)", Tags: []string{"org"}}, needs(auth.ManageOrg), s.numberGrids)

	// Grids.
	op(s, huma.Operation{OperationID: "list-grids", Method: http.MethodGet, Path: "/api/grids", Summary: "Grids in your scope on a date", Tags: []string{"grids"}}, needs(auth.ReadOrg), s.listGrids)
	op(s, huma.Operation{OperationID: "get-grid", Method: http.MethodGet, Path: "/api/grids/{id}", Summary: "One grid with its polygon and workers", Tags: []string{"grids"}}, needs(auth.ReadOrg), s.getGrid)
	op(s, huma.Operation{OperationID: "edit-grid-board", Method: http.MethodPut, Path: "/api/grids/{id}/board", Summary: "Edit a grid's public board text (area and duties)", Tags: []string{"grids"}}, needs(auth.EditGridBoard), s.editGridBoard)
	op(s, huma.Operation{OperationID: "merge-grids", Method: http.MethodPost, Path: "/api/grids/merge", Summary: "Merge grids into a new one from a date", Tags: []string{"grids"}, DefaultStatus: http.StatusCreated}, needs(auth.ManageOrg), s.mergeGrids)

	// Workers and assignments.
	op(s, huma.Operation{OperationID: "list-workers", Method: http.MethodGet, Path: "/api/workers", Summary: "Workers in your scope", Tags: []string{"workers"}}, needs(auth.ReadOrg), s.listWorkers)
	op(s, huma.Operation{OperationID: "get-worker", Method: http.MethodGet, Path: "/api/workers/{id}", Summary: "One worker with their assignments", Tags: []string{"workers"}}, needs(auth.ReadOrg), s.getWorker)
	op(s, huma.Operation{OperationID: "create-worker", Method: http.MethodPost, Path: "/api/workers", Summary: "Add a worker", Tags: []string{"workers"}, DefaultStatus: http.StatusCreated}, needs(auth.ManageWorkers), s.createWorker)
	op(s, huma.Operation{OperationID: "update-worker", Method: http.MethodPatch, Path: "/api/workers/{id}", Summary: "Change a worker", Tags: []string{"workers"}}, needs(auth.ManageWorkers), s.updateWorker)
	op(s, huma.Operation{OperationID: "list-assignments", Method: http.MethodGet, Path: "/api/assignments", Summary: "Assignments of workers to grids", Tags: []string{"workers"}}, needs(auth.ReadOrg), s.listAssignments)
	op(s, huma.Operation{OperationID: "create-assignment", Method: http.MethodPost, Path: "/api/assignments", Summary: "Assign a worker to a grid (primary, or an extra share of at most half)", Tags: []string{"workers"}, DefaultStatus: http.StatusCreated}, needs(auth.ManageWorkers), s.createAssignment)
	op(s, huma.Operation{OperationID: "end-assignment", Method: http.MethodPost, Path: "/api/assignments/{id}/end", Summary: "End an assignment from a date", Tags: []string{"workers"}}, needs(auth.ManageWorkers), s.endAssignment)

	// Users.
	op(s, huma.Operation{OperationID: "list-users", Method: http.MethodGet, Path: "/api/users", Summary: "Accounts in your scope", Tags: []string{"users"}}, needs(auth.ManageUsers), s.listUsers)
	op(s, huma.Operation{OperationID: "create-user", Method: http.MethodPost, Path: "/api/users", Summary: "Create an account", Tags: []string{"users"}, DefaultStatus: http.StatusCreated}, needs(auth.ManageUsers), s.createUser)
	op(s, huma.Operation{OperationID: "reset-password", Method: http.MethodPost, Path: "/api/users/{id}/password-reset", Summary: "Give an account a new one-time password and unlock it", Tags: []string{"users"}}, needs(auth.ManageUsers), s.resetPassword)

	// Audit.
	op(s, huma.Operation{OperationID: "list-audit", Method: http.MethodGet, Path: "/api/audit", Summary: "Audit entries of one entity, newest first", Tags: []string{"audit"}}, needs(auth.ReadAudit), s.listAudit)
}
