package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"gridwork/internal/apperr"
	"gridwork/internal/auth"
	"gridwork/internal/dates"
	"gridwork/internal/exchange"
	"gridwork/internal/files"
	"gridwork/internal/qrsheet"
	"gridwork/internal/records"
)

// MaxImportBytes bounds an uploaded import file.
const MaxImportBytes = exchange.DefaultMaxBytes

// readGrid refuses a record whose grid lies outside u's scope.
func (s *Server) readGrid(ctx context.Context, u auth.User, gridID string) error {
	return s.auth.CheckScope(ctx, u, gridID, dates.Today())
}

// writeGrid refuses a write to a grid u may not write to.
func (s *Server) writeGrid(ctx context.Context, u auth.User, a auth.Action, gridID string) error {
	return s.auth.CheckWrite(ctx, u, a, gridID, dates.Today())
}

// listScope returns the subtree a list is limited to: the caller's scope, or
// a unit within it.
func (s *Server) listScope(ctx context.Context, u auth.User, within string) (string, error) {
	if within == "" {
		return s.scope(ctx).Root(), nil
	}
	if err := s.auth.CheckScope(ctx, u, within, dates.Today()); err != nil {
		return "", err
	}
	return within, nil
}

// ---- People ----

type listPeopleInput struct {
	WithinID string `query:"within_id" doc:"only people of grids under this unit"`
	GridID   string `query:"grid_id"`
	HouseID  string `query:"house_id"`
	Category string `query:"category" enum:"registered,floating,other"`
	Status   string `query:"status" enum:"active,ended"`
	Name     string `query:"name" doc:"name starts with"`
	Page
}

func (s *Server) listPeople(ctx context.Context, u auth.User, in *listPeopleInput) (*struct{ Body ListBody[records.Person] }, error) {
	within, err := s.listScope(ctx, u, in.WithinID)
	if err != nil {
		return nil, err
	}
	limit, offset := in.limitOffset()
	ps, total, err := s.records.ListPeople(ctx, records.PersonQuery{WithinID: within, GridID: in.GridID, HouseID: in.HouseID,
		Category: records.Category(in.Category), Status: records.Status(in.Status), Name: in.Name, Limit: limit, Offset: offset})
	return replyPage(ps, total, err, in.Page)
}

// PersonDetail is a person with their change log, documents and the
// required items they lack.
type PersonDetail struct {
	records.Person
	Changes   []records.Change   `json:"changes"`
	Documents []records.Document `json:"documents"`
	Missing   []string           `json:"missing_items" doc:"required items the record lacks"`
}

type idInput struct {
	ID string `path:"id"`
}

func (s *Server) getPerson(ctx context.Context, u auth.User, in *idInput) (*struct{ Body PersonDetail }, error) {
	p, err := s.records.GetPerson(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if err := s.readGrid(ctx, u, p.GridID); err != nil {
		return nil, err
	}
	d := PersonDetail{Person: p}
	if d.Changes, err = s.records.Changes(ctx, "person", p.ID); err != nil {
		return nil, err
	}
	if d.Documents, err = s.records.Documents(ctx, "person", p.ID); err != nil {
		return nil, err
	}
	if d.Missing, err = s.records.Missing(ctx, "person", p.ID); err != nil {
		return nil, err
	}
	if d.Missing == nil {
		d.Missing = []string{}
	}
	return &struct{ Body PersonDetail }{d}, nil
}

func (s *Server) createPerson(ctx context.Context, u auth.User, in *struct{ Body records.NewPerson }) (*struct{ Body records.Person }, error) {
	if err := s.writeGrid(ctx, u, auth.WriteRecords, in.Body.GridID); err != nil {
		return nil, err
	}
	return reply(s.records.CreatePerson(ctx, u.ID, in.Body))
}

func (s *Server) updatePerson(ctx context.Context, u auth.User, in *struct {
	ID   string `path:"id"`
	Body records.PersonPatch
}) (*struct{ Body records.Person }, error) {
	cur, err := s.records.GetPerson(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if err := s.writeGrid(ctx, u, auth.WriteRecords, cur.GridID); err != nil {
		return nil, err
	}
	if in.Body.GridID != nil {
		if err := s.writeGrid(ctx, u, auth.WriteRecords, *in.Body.GridID); err != nil {
			return nil, err
		}
	}
	return reply(s.records.UpdatePerson(ctx, u.ID, in.ID, in.Body))
}

type endInput struct {
	ID   string `path:"id"`
	Body records.End
}

func (s *Server) endPerson(ctx context.Context, u auth.User, in *endInput) (*struct{ Body records.Person }, error) {
	cur, err := s.records.GetPerson(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if err := s.writeGrid(ctx, u, auth.WriteRecords, cur.GridID); err != nil {
		return nil, err
	}
	return reply(s.records.EndPerson(ctx, u.ID, in.ID, in.Body))
}

// Unmasked is a full identity number.
type Unmasked struct {
	IDNumber string `json:"id_number"`
}

func (s *Server) unmaskPerson(ctx context.Context, u auth.User, in *struct {
	ID   string `path:"id"`
	Body struct {
		Reason string `json:"reason" minLength:"2" doc:"why you need the full number; kept in the audit log"`
	}
}) (*struct{ Body Unmasked }, error) {
	cur, err := s.records.GetPerson(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if err := s.readGrid(ctx, u, cur.GridID); err != nil {
		return nil, err
	}
	n, err := s.records.Unmask(ctx, u.ID, in.ID, in.Body.Reason)
	if err != nil {
		return nil, err
	}
	return &struct{ Body Unmasked }{Unmasked{n}}, nil
}

// uploadForm is a multipart upload with one file.
type uploadForm struct {
	File huma.FormFile `form:"file" required:"true" doc:"the file"`
}

// importPeopleForm is a people import: the file, and the wizard's column
// mapping and dry-run switch.
type importPeopleForm struct {
	File    huma.FormFile `form:"file" required:"true" doc:"the file"`
	Mapping string        `form:"mapping" required:"false" doc:"JSON object: field name → the header text of its column; when given only those columns are read (see import-people-sample)"`
	DryRun  bool          `form:"dry_run" required:"false" doc:"check every row and store nothing: the report's stored counts the rows that would be stored"`
}

func (s *Server) importPeople(ctx context.Context, u auth.User, in *struct {
	RawBody huma.MultipartFormFiles[importPeopleForm]
}) (*struct{ Body exchange.Report }, error) {
	form := in.RawBody.Data()
	opt := records.ImportOptions{DryRun: form.DryRun}
	if m := strings.TrimSpace(form.Mapping); m != "" {
		if err := json.Unmarshal([]byte(m), &opt.Mapping); err != nil {
			return nil, apperr.Field("mapping", "is not a JSON object of field names to header texts")
		}
	}
	allowed := func(ctx context.Context, grid string) bool {
		return s.writeGrid(ctx, u, auth.ImportRecords, grid) == nil
	}
	return reply(s.records.ImportPeopleWith(ctx, u.ID, form.File.Filename, form.File, allowed, opt))
}

// importSampleRows is how many rows the wizard's mapping step shows.
const importSampleRows = 5

func (s *Server) sampleImportPeople(ctx context.Context, u auth.User, in *struct {
	RawBody huma.MultipartFormFiles[uploadForm]
}) (*struct{ Body records.PeopleImportSample }, error) {
	f := in.RawBody.Data().File
	return reply(s.records.SamplePeopleImport(f.Filename, f, importSampleRows))
}

// fileOutput is a download.
type fileOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

func (s *Server) exportPeople(ctx context.Context, u auth.User, in *listPeopleInput) (*fileOutput, error) {
	within, err := s.listScope(ctx, u, in.WithinID)
	if err != nil {
		return nil, err
	}
	ps, _, err := s.records.ListPeople(ctx, records.PersonQuery{WithinID: within, GridID: in.GridID, HouseID: in.HouseID,
		Category: records.Category(in.Category), Status: records.Status(in.Status), Name: in.Name})
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := records.WritePeopleXLSX(&buf, ps); err != nil {
		return nil, err
	}
	return &fileOutput{ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		ContentDisposition: `attachment; filename="people.xlsx"`, Body: buf.Bytes()}, nil
}

// ---- Houses and home visits ----

type listHousesInput struct {
	WithinID string `query:"within_id"`
	GridID   string `query:"grid_id"`
	Class    string `query:"class" doc:"four-class code"`
	Purpose  string `query:"purpose" enum:"own,rental,vacant,business,other"`
	Status   string `query:"status" enum:"active,ended"`
	Page
}

func (s *Server) listHouses(ctx context.Context, u auth.User, in *listHousesInput) (*struct{ Body ListBody[records.House] }, error) {
	within, err := s.listScope(ctx, u, in.WithinID)
	if err != nil {
		return nil, err
	}
	limit, offset := in.limitOffset()
	hs, total, err := s.records.ListHouses(ctx, records.HouseQuery{WithinID: within, GridID: in.GridID, Class: in.Class,
		Purpose: records.Purpose(in.Purpose), Status: records.Status(in.Status), Limit: limit, Offset: offset})
	return replyPage(hs, total, err, in.Page)
}

func (s *Server) getHouse(ctx context.Context, u auth.User, in *idInput) (*struct{ Body records.House }, error) {
	h, err := s.records.GetHouse(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if err := s.readGrid(ctx, u, h.GridID); err != nil {
		return nil, err
	}
	return &struct{ Body records.House }{h}, nil
}

func (s *Server) createHouse(ctx context.Context, u auth.User, in *struct{ Body records.NewHouse }) (*struct{ Body records.House }, error) {
	if err := s.writeGrid(ctx, u, auth.WriteRecords, in.Body.GridID); err != nil {
		return nil, err
	}
	return reply(s.records.CreateHouse(ctx, u.ID, in.Body))
}

func (s *Server) updateHouse(ctx context.Context, u auth.User, in *struct {
	ID   string `path:"id"`
	Body records.HousePatch
}) (*struct{ Body records.House }, error) {
	cur, err := s.records.GetHouse(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if err := s.writeGrid(ctx, u, auth.WriteRecords, cur.GridID); err != nil {
		return nil, err
	}
	return reply(s.records.UpdateHouse(ctx, u.ID, in.ID, in.Body))
}

func (s *Server) endHouse(ctx context.Context, u auth.User, in *endInput) (*struct{ Body records.House }, error) {
	cur, err := s.records.GetHouse(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if err := s.writeGrid(ctx, u, auth.WriteRecords, cur.GridID); err != nil {
		return nil, err
	}
	return reply(s.records.EndHouse(ctx, u.ID, in.ID, in.Body))
}

func (s *Server) recordHomeVisit(ctx context.Context, u auth.User, in *struct {
	ID   string `path:"id"`
	Body records.HomeVisit
}) (*struct{ Body records.HomeVisit }, error) {
	cur, err := s.records.GetHouse(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if err := s.writeGrid(ctx, u, auth.WriteRecords, cur.GridID); err != nil {
		return nil, err
	}
	in.Body.HouseID = in.ID
	return reply(s.records.RecordHomeVisit(ctx, u.ID, u.WorkerID, in.Body))
}

func (s *Server) listHomeVisits(ctx context.Context, u auth.User, in *idInput) (*struct{ Body []records.HomeVisit }, error) {
	cur, err := s.records.GetHouse(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if err := s.readGrid(ctx, u, cur.GridID); err != nil {
		return nil, err
	}
	return reply(s.records.HomeVisits(ctx, in.ID, 200))
}

func (s *Server) homeVisitsDue(ctx context.Context, u auth.User, in *struct {
	WithinID string `query:"within_id" doc:"only households of grids under this unit"`
	GridID   string `query:"grid_id"`
	On       string `query:"on" doc:"YYYY-MM-DD; default today"`
}) (*struct{ Body []records.VisitDue }, error) {
	within, err := s.listScope(ctx, u, in.WithinID)
	if err != nil {
		return nil, err
	}
	if in.GridID != "" {
		if err := s.readGrid(ctx, u, in.GridID); err != nil {
			return nil, err
		}
	}
	on, err := onDate("on", in.On)
	if err != nil {
		return nil, err
	}
	return reply(s.records.HomeVisitsDue(ctx, on, within, in.GridID))
}

func (s *Server) listHouseholdClasses(ctx context.Context, u auth.User, in *struct{}) (*struct{ Body []records.HouseholdClass }, error) {
	return reply(s.records.HouseholdClasses(ctx))
}

// ---- Rentals ----

type listRentalsInput struct {
	WithinID  string `query:"within_id"`
	GridID    string `query:"grid_id"`
	Status    string `query:"status" enum:"active,ended"`
	NotPosted bool   `query:"not_posted" doc:"only living rentals whose QR code is not posted"`
	Page
}

func (s *Server) listRentals(ctx context.Context, u auth.User, in *listRentalsInput) (*struct{ Body ListBody[records.Rental] }, error) {
	within, err := s.listScope(ctx, u, in.WithinID)
	if err != nil {
		return nil, err
	}
	limit, offset := in.limitOffset()
	rs, total, err := s.records.ListRentals(ctx, records.RentalQuery{WithinID: within, GridID: in.GridID, Status: records.Status(in.Status),
		NotPosted: in.NotPosted, Limit: limit, Offset: offset})
	return replyPage(rs, total, err, in.Page)
}

// RentalDetail is a rental with its tenants.
type RentalDetail struct {
	records.Rental
	Tenants []records.Tenant `json:"tenants"`
}

func (s *Server) rentalDetail(ctx context.Context, u auth.User, r records.Rental) (*struct{ Body RentalDetail }, error) {
	if err := s.readGrid(ctx, u, r.GridID); err != nil {
		return nil, err
	}
	ts, err := s.records.Tenants(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	return &struct{ Body RentalDetail }{RentalDetail{Rental: r, Tenants: ts}}, nil
}

func (s *Server) getRental(ctx context.Context, u auth.User, in *idInput) (*struct{ Body RentalDetail }, error) {
	r, err := s.records.GetRental(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	return s.rentalDetail(ctx, u, r)
}

func (s *Server) rentalByToken(ctx context.Context, u auth.User, in *struct {
	Token string `path:"token"`
}) (*struct{ Body RentalDetail }, error) {
	r, err := s.records.RentalByToken(ctx, in.Token)
	if err != nil {
		return nil, err
	}
	return s.rentalDetail(ctx, u, r)
}

func (s *Server) createRental(ctx context.Context, u auth.User, in *struct{ Body records.NewRental }) (*struct{ Body records.Rental }, error) {
	h, err := s.records.GetHouse(ctx, in.Body.HouseID)
	if err != nil {
		return nil, apperr.Field("house_id", "no house "+in.Body.HouseID)
	}
	if err := s.writeGrid(ctx, u, auth.WriteRecords, h.GridID); err != nil {
		return nil, err
	}
	return reply(s.records.CreateRental(ctx, u.ID, in.Body))
}

// rentalForWrite returns a rental u may write to.
func (s *Server) rentalForWrite(ctx context.Context, u auth.User, id string) (records.Rental, error) {
	r, err := s.records.GetRental(ctx, id)
	if err != nil {
		return r, err
	}
	return r, s.writeGrid(ctx, u, auth.WriteRecords, r.GridID)
}

func (s *Server) endRental(ctx context.Context, u auth.User, in *endInput) (*struct{ Body records.Rental }, error) {
	if _, err := s.rentalForWrite(ctx, u, in.ID); err != nil {
		return nil, err
	}
	return reply(s.records.EndRental(ctx, u.ID, in.ID, in.Body))
}

func (s *Server) addTenant(ctx context.Context, u auth.User, in *struct {
	ID   string `path:"id"`
	Body struct {
		PersonID string     `json:"person_id"`
		From     dates.Date `json:"from"`
	}
}) (*struct{}, error) {
	if _, err := s.rentalForWrite(ctx, u, in.ID); err != nil {
		return nil, err
	}
	return nil, s.records.AddTenant(ctx, u.ID, in.ID, in.Body.PersonID, in.Body.From)
}

func (s *Server) markQRPosted(ctx context.Context, u auth.User, in *struct {
	ID   string `path:"id"`
	Body struct {
		On      dates.Date `json:"on"`
		Version int        `json:"version"`
	}
}) (*struct{ Body records.Rental }, error) {
	if _, err := s.rentalForWrite(ctx, u, in.ID); err != nil {
		return nil, err
	}
	return reply(s.records.MarkQRPosted(ctx, u.ID, in.ID, in.Body.On, in.Body.Version))
}

func (s *Server) recordScan(ctx context.Context, u auth.User, in *struct {
	ID   string `path:"id"`
	Body records.Scan
}) (*struct{}, error) {
	if _, err := s.rentalForWrite(ctx, u, in.ID); err != nil {
		return nil, err
	}
	return nil, s.records.RecordScan(ctx, u.ID, u.WorkerID, in.ID, in.Body)
}

func (s *Server) rateRental(ctx context.Context, u auth.User, in *struct {
	ID   string `path:"id"`
	Body struct {
		Quarter string `json:"quarter" example:"2026Q1"`
		Stars   int    `json:"stars" minimum:"1" maximum:"5"`
		Note    string `json:"note,omitempty"`
	}
}) (*struct{}, error) {
	if _, err := s.rentalForWrite(ctx, u, in.ID); err != nil {
		return nil, err
	}
	return nil, s.records.Rate(ctx, u.ID, in.ID, in.Body.Quarter, in.Body.Stars, in.Body.Note)
}

// qrURL is what a rental's QR code opens.
func qrURL(base, token string) string { return base + "/r/" + token }

func (s *Server) rentalQR(ctx context.Context, u auth.User, in *struct {
	ID string `path:"id"`
	Px int    `query:"px" minimum:"128" maximum:"1024" default:"256"`
}) (*fileOutput, error) {
	r, err := s.records.GetRental(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if err := s.readGrid(ctx, u, r.GridID); err != nil {
		return nil, err
	}
	png, err := qrsheet.PNG(qrURL(s.publicURL, r.QRToken), in.Px)
	if err != nil {
		return nil, err
	}
	return &fileOutput{ContentType: "image/png", ContentDisposition: fmt.Sprintf(`inline; filename="%s.png"`, r.Code), Body: png}, nil
}

func (s *Server) gridQRSheet(ctx context.Context, u auth.User, in *idInput) (*fileOutput, error) {
	if err := s.readGrid(ctx, u, in.ID); err != nil {
		return nil, err
	}
	g, err := s.org.GetUnit(ctx, in.ID, dates.Today())
	if err != nil {
		return nil, err
	}
	rs, _, err := s.records.ListRentals(ctx, records.RentalQuery{GridID: in.ID, Status: records.Active})
	if err != nil {
		return nil, err
	}
	// The grid's houses, read once, give the addresses.
	hs, _, err := s.records.ListHouses(ctx, records.HouseQuery{GridID: in.ID})
	if err != nil {
		return nil, err
	}
	address := make(map[string]string, len(hs))
	for _, h := range hs {
		address[h.ID] = h.Address
	}
	labels := make([]qrsheet.Label, 0, len(rs))
	for _, r := range rs {
		labels = append(labels, qrsheet.Label{Code: r.Code, Address: address[r.HouseID], Grid: g.Name, URL: qrURL(s.publicURL, r.QRToken)})
	}
	var buf bytes.Buffer
	if err := qrsheet.Sheet(&buf, g.Name+" 出租房屋二维码", labels); err != nil {
		return nil, err
	}
	return &fileOutput{ContentType: "text/html; charset=utf-8", ContentDisposition: `inline; filename="qr-sheet.html"`, Body: buf.Bytes()}, nil
}

// ---- Places ----

type listPlacesInput struct {
	WithinID string `query:"within_id"`
	GridID   string `query:"grid_id"`
	Kind     string `query:"kind" enum:"unit,enterprise,facility,place"`
	Status   string `query:"status" enum:"active,ended"`
	Page
}

func (s *Server) listPlaces(ctx context.Context, u auth.User, in *listPlacesInput) (*struct{ Body ListBody[records.Place] }, error) {
	within, err := s.listScope(ctx, u, in.WithinID)
	if err != nil {
		return nil, err
	}
	limit, offset := in.limitOffset()
	ps, total, err := s.records.ListPlaces(ctx, records.PlaceQuery{WithinID: within, GridID: in.GridID, Kind: records.PlaceKind(in.Kind),
		Status: records.Status(in.Status), Limit: limit, Offset: offset})
	return replyPage(ps, total, err, in.Page)
}

func (s *Server) createPlace(ctx context.Context, u auth.User, in *struct{ Body records.NewPlace }) (*struct{ Body records.Place }, error) {
	if err := s.writeGrid(ctx, u, auth.WriteRecords, in.Body.GridID); err != nil {
		return nil, err
	}
	return reply(s.records.CreatePlace(ctx, u.ID, in.Body))
}

func (s *Server) endPlace(ctx context.Context, u auth.User, in *endInput) (*struct{ Body records.Place }, error) {
	cur, err := s.records.GetPlace(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if err := s.writeGrid(ctx, u, auth.WriteRecords, cur.GridID); err != nil {
		return nil, err
	}
	return reply(s.records.EndPlace(ctx, u.ID, in.ID, in.Body))
}

// ---- Files and documents ----

func (s *Server) uploadFile(ctx context.Context, u auth.User, in *struct {
	RawBody huma.MultipartFormFiles[uploadForm]
}) (*struct{ Body files.File }, error) {
	f := in.RawBody.Data().File
	return reply(s.files.Put(ctx, u.ID, f.Filename, f))
}

func (s *Server) downloadFile(ctx context.Context, u auth.User, in *struct {
	SHA string `path:"sha256" pattern:"^[0-9a-f]{64}$"`
}) (*fileOutput, error) {
	f, rc, err := s.files.Open(ctx, in.SHA)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, err
	}
	return &fileOutput{ContentType: f.MIME, ContentDisposition: "inline", Body: data}, nil
}

// AttachInput files an uploaded file as an item of a record.
type AttachInput struct {
	Entity string `json:"entity" enum:"person,house,rental,place"`
	ID     string `json:"id"`
	Item   string `json:"item" doc:"e.g. photo, id_copy, lease, responsibility_letter, registration_form"`
	SHA256 string `json:"sha256" doc:"the hash POST /api/files returned"`
}

func (s *Server) attachDocument(ctx context.Context, u auth.User, in *struct{ Body AttachInput }) (*struct{}, error) {
	var grid string
	switch in.Body.Entity {
	case "person":
		p, err := s.records.GetPerson(ctx, in.Body.ID)
		if err != nil {
			return nil, err
		}
		grid = p.GridID
	case "house":
		h, err := s.records.GetHouse(ctx, in.Body.ID)
		if err != nil {
			return nil, err
		}
		grid = h.GridID
	case "rental":
		r, err := s.records.GetRental(ctx, in.Body.ID)
		if err != nil {
			return nil, err
		}
		grid = r.GridID
	case "place":
		p, err := s.records.GetPlace(ctx, in.Body.ID)
		if err != nil {
			return nil, err
		}
		grid = p.GridID
	}
	if err := s.writeGrid(ctx, u, auth.WriteRecords, grid); err != nil {
		return nil, err
	}
	return nil, s.records.Attach(ctx, u.ID, in.Body.Entity, in.Body.ID, in.Body.Item, in.Body.SHA256)
}

// ---- Configuration and platform imports ----

func (s *Server) listRequirements(ctx context.Context, u auth.User, in *struct{}) (*struct{ Body []records.Requirement }, error) {
	return reply(s.records.Requirements(ctx))
}

func (s *Server) setRequirements(ctx context.Context, u auth.User, in *struct {
	Kind string `path:"kind" enum:"person,tenant,house,rental,place"`
	Body []records.Requirement
}) (*struct{ Body []records.Requirement }, error) {
	if err := s.records.SetRequirements(ctx, u.ID, in.Kind, in.Body); err != nil {
		return nil, err
	}
	return s.listRequirements(ctx, u, nil)
}

func (s *Server) listPlatforms(ctx context.Context, u auth.User, in *struct{}) (*struct{ Body []records.Platform }, error) {
	return reply(s.records.Platforms(ctx))
}

func (s *Server) setPlatformMapping(ctx context.Context, u auth.User, in *struct {
	Code string `path:"code"`
	Body exchange.Override
}) (*struct{}, error) {
	return nil, s.records.SetPlatformMapping(ctx, u.ID, in.Code, in.Body)
}

type platformUpload struct {
	File huma.FormFile `form:"file" required:"true" doc:"the platform's export, xlsx or CSV"`
	AsOf string        `form:"as_of" required:"true" doc:"the date the export was taken, YYYY-MM-DD"`
}

func (s *Server) importPlatform(ctx context.Context, u auth.User, in *struct {
	Code    string `path:"code"`
	RawBody huma.MultipartFormFiles[platformUpload]
}) (*struct{ Body records.PlatformImport }, error) {
	if !s.scope(ctx).Can(auth.ImportPlatforms) {
		// A platform export covers the whole street.
		return nil, apperr.New(apperr.Forbidden, "only the centre imports platform exports")
	}
	d := in.RawBody.Data()
	asOf, err := dates.Parse(d.AsOf)
	if err != nil {
		return nil, apperr.Field("as_of", err.Error())
	}
	return reply(s.records.ImportPlatform(ctx, u.ID, in.Code, asOf, d.File.Filename, d.File))
}
