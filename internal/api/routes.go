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

	// Base records.
	s.recordRoutes()
	s.assessRoutes()
	s.eventRoutes()
	s.inspectRoutes()
	s.patrolRoutes()
	s.dutyRoutes()
	s.surveyRoutes()

	op(s, huma.Operation{OperationID: "league-page", Method: http.MethodGet, Path: "/api/assess/runs/{id}/rows", Summary: "One page of a run's league table, filtered by kind, community and name", Tags: []string{"assessment"}}, needs(auth.ReadAssessment), s.leaguePage)
	s.publicRoutes()
	s.consoleRoutes()

	// Audit.
	op(s, huma.Operation{OperationID: "list-audit", Method: http.MethodGet, Path: "/api/audit", Summary: "Audit entries of one entity, newest first", Tags: []string{"audit"}}, needs(auth.ReadAudit), s.listAudit)
}

func (s *Server) recordRoutes() {
	get, post := http.MethodGet, http.MethodPost
	tags := []string{"records"}
	o := func(id, method, path, summary string) huma.Operation {
		return huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: tags}
	}
	upload := func(op huma.Operation) huma.Operation { op.MaxBodyBytes = MaxImportBytes; return op }

	op(s, o("list-people", get, "/api/people", "People in your scope (identity numbers masked)"), needs(auth.ReadRecords), s.listPeople)
	op(s, o("export-people", get, "/api/people/export", "People in your scope as an xlsx sheet (masked)"), needs(auth.ReadRecords), s.exportPeople)
	op(s, created(o("create-person", post, "/api/people", "Register a person")), needs(auth.WriteRecords), s.createPerson)
	op(s, upload(o("import-people", post, "/api/people/import", "Import people from xlsx or CSV; bad rows are reported one by one")), needs(auth.ImportRecords), s.importPeople)
	op(s, upload(o("import-people-sample", post, "/api/people/import/sample", "The head of a people file for the import wizard: its columns, the usual mapping and the first rows (identity numbers masked); stores nothing")), needs(auth.ImportRecords), s.sampleImportPeople)
	op(s, o("get-person", get, "/api/people/{id}", "One person with changes, documents and missing items"), needs(auth.ReadRecords), s.getPerson)
	op(s, o("update-person", http.MethodPatch, "/api/people/{id}", "Change a person (with the date it happened)"), needs(auth.WriteRecords), s.updatePerson)
	op(s, o("end-person", post, "/api/people/{id}/end", "Record a move-out, death or entry in error"), needs(auth.WriteRecords), s.endPerson)
	op(s, o("unmask-person", post, "/api/people/{id}/unmask", "See the full identity number (audited)"), needs(auth.UnmaskIdentity), s.unmaskPerson)

	op(s, o("list-houses", get, "/api/houses", "Houses (households) in your scope"), needs(auth.ReadRecords), s.listHouses)
	op(s, created(o("create-house", post, "/api/houses", "Register a house")), needs(auth.WriteRecords), s.createHouse)
	op(s, o("get-house", get, "/api/houses/{id}", "One house"), needs(auth.ReadRecords), s.getHouse)
	op(s, o("update-house", http.MethodPatch, "/api/houses/{id}", "Change a house, including its four-class code"), needs(auth.WriteRecords), s.updateHouse)
	op(s, o("end-house", post, "/api/houses/{id}/end", "End a house"), needs(auth.WriteRecords), s.endHouse)
	op(s, created(o("record-home-visit", post, "/api/houses/{id}/visits", "Log a home visit in the visit book")), needs(auth.WriteRecords), s.recordHomeVisit)
	op(s, o("list-home-visits", get, "/api/houses/{id}/visits", "A house's visits, newest first"), needs(auth.ReadRecords), s.listHomeVisits)
	op(s, o("home-visits-due", get, "/api/home-visits/due", "Classed households whose home visit is due or overdue (a worker's visits to make)"), needs(auth.ReadRecords), s.homeVisitsDue)
	op(s, o("list-household-classes", get, "/api/household-classes", "The four classes and their visit intervals"), needs(auth.ReadRecords), s.listHouseholdClasses)

	op(s, o("list-rentals", get, "/api/rentals", "Rentals in your scope"), needs(auth.ReadRecords), s.listRentals)
	op(s, created(o("create-rental", post, "/api/rentals", "Register a rental on a house")), needs(auth.WriteRecords), s.createRental)
	op(s, o("get-rental", get, "/api/rentals/{id}", "One rental with its tenants"), needs(auth.ReadRecords), s.getRental)
	op(s, o("rental-by-qr", get, "/api/qr/{token}", "The rental a scanned QR code opens"), needs(auth.ReadRecords), s.rentalByToken)
	op(s, o("end-rental", post, "/api/rentals/{id}/end", "End a rental and its tenancies"), needs(auth.WriteRecords), s.endRental)
	op(s, o("add-tenant", post, "/api/rentals/{id}/tenants", "Add a tenant"), needs(auth.WriteRecords), s.addTenant)
	op(s, o("mark-qr-posted", post, "/api/rentals/{id}/qr-posted", "Record that the QR code was posted at the door"), needs(auth.WriteRecords), s.markQRPosted)
	op(s, o("record-scan", post, "/api/rentals/{id}/scans", "Log a QR scan with GPS (a resend is a no-op)"), needs(auth.WriteRecords), s.recordScan)
	op(s, o("rate-rental", post, "/api/rentals/{id}/rating", "The quarterly star rating"), needs(auth.WriteRecords), s.rateRental)
	op(s, o("rental-qr", get, "/api/rentals/{id}/qr.png", "The rental's QR code as PNG"), needs(auth.ReadRecords), s.rentalQR)
	op(s, o("grid-qr-sheet", get, "/api/grids/{id}/qr-sheet", "A printable A4 sheet of a grid's rental QR codes"), needs(auth.ReadRecords), s.gridQRSheet)

	op(s, o("list-places", get, "/api/places", "Units, enterprises, facilities and places in your scope"), needs(auth.ReadRecords), s.listPlaces)
	op(s, created(o("create-place", post, "/api/places", "Register a unit, enterprise, facility or place")), needs(auth.WriteRecords), s.createPlace)
	op(s, o("end-place", post, "/api/places/{id}/end", "End a place"), needs(auth.WriteRecords), s.endPlace)

	op(s, created(o("upload-file", post, "/api/files", "Upload a photo or document (JPEG, PNG, WebP, PDF; at most 10 MiB)")), needs(auth.WriteRecords), s.uploadFile)
	op(s, o("download-file", get, "/api/files/{sha256}", "A stored photo or document"), needs(auth.ReadRecords), s.downloadFile)
	op(s, o("attach-document", post, "/api/documents", "File an uploaded file as an item of a record"), needs(auth.WriteRecords), s.attachDocument)

	op(s, o("list-requirements", get, "/api/records/requirements", "Which items each kind of record must carry"), needs(auth.ReadRecords), s.listRequirements)
	op(s, o("set-requirements", http.MethodPut, "/api/records/requirements/{kind}", "Replace one kind's required items"), needs(auth.ConfigureRecords), s.setRequirements)
	op(s, o("list-platforms", get, "/api/platforms", "The platforms reconciled against the ledger"), needs(auth.ReadRecords), s.listPlatforms)
	op(s, o("set-platform-mapping", http.MethodPut, "/api/platforms/{code}/mapping", "Save a platform's column mapping"), needs(auth.ConfigureRecords), s.setPlatformMapping)
	op(s, upload(created(o("import-platform", post, "/api/platforms/{code}/imports", "Import a platform's export for reconciliation"))), needs(auth.ImportRecords), s.importPlatform)

	ct := []string{"special care"}
	c := func(id, method, path, summary string) huma.Operation {
		return huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: ct,
			Description: "Special-care records are sealed at rest and every read is audited."}
	}
	op(s, c("list-care", get, "/api/care/subjects", "Special-care subjects in your scope (no details)"), needs(auth.ReadCare), s.listCare)
	op(s, created(c("register-care", post, "/api/care/subjects", "Register a person in a special-care group")), needs(auth.WriteCare), s.registerCare)
	op(s, c("get-care", get, "/api/care/subjects/{id}", "One subject with details (audited)"), needs(auth.ReadCare), s.getCare)
	op(s, c("update-care", http.MethodPatch, "/api/care/subjects/{id}", "Change a subject's risk or details"), needs(auth.WriteCare), s.updateCare)
	op(s, c("care-event", post, "/api/care/subjects/{id}/{event}", "Mark a subject lost from control (失控), found again, or out of the group"), needs(auth.WriteCare), s.careEvent)
	op(s, created(c("record-care-visit", post, "/api/care/subjects/{id}/visits", "Record a visit with GPS, notes, photo and the resident's confirmation")), needs(auth.WriteCare), s.recordCareVisit)
	op(s, c("list-care-visits", get, "/api/care/subjects/{id}/visits", "A subject's visits with notes (audited)"), needs(auth.ReadCare), s.listCareVisits)
	op(s, c("care-overdue", get, "/api/care/overdue", "Subjects whose visit is due or overdue"), needs(auth.ReadCare), s.careOverdue)
	op(s, c("list-care-groups", get, "/api/care/groups", "The special-care groups and their visit plans"), needs(auth.ReadCare), s.listCareGroups)
	op(s, c("set-care-group", http.MethodPut, "/api/care/groups/{code}", "Create or change a group and its visit plan"), needs(auth.ConfigureRecords), s.setCareGroup)

	ft := []string{"facts"}
	op(s, huma.Operation{OperationID: "list-facts", Method: get, Path: "/api/facts", Summary: "Collected facts of a month", Tags: ft}, needs(auth.ReadFacts), s.listFacts)
	op(s, huma.Operation{OperationID: "collect-facts", Method: post, Path: "/api/facts/collect", Summary: "Collect a month's facts again", Tags: ft}, needs(auth.CollectFacts), s.collectFacts)
}

// created makes an operation answer 201 Created.
func created(op huma.Operation) huma.Operation { op.DefaultStatus = http.StatusCreated; return op }
