package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"gridwork/internal/auth"
	"gridwork/internal/care"
	"gridwork/internal/dates"
	"gridwork/internal/files"
	"gridwork/internal/idnum"
	"gridwork/internal/org"
	"gridwork/internal/records"
	"gridwork/internal/store"
)

// This file gives the demo street its base records (实有人口、房屋、出租房屋、
// 单位场所) and three months of field work, a street like seed 004's: about
// 300 households a grid (seed 004's grids hold "200-500 households"), 2.4
// people a household, 15 % of houses let, about 27 % of people floating,
// about 2 units or places a grid. With the default seed that is 42,915
// houses, 106,417 people (103,597 living at the end of March), 6,600
// rentals with 19,666 tenancies and 298 places over the 143 grids; in
// February to April 3,147 arrivals, 2,641 moves-out, 7,833 changes, 102,369
// home visits, 21,823 QR scans, 6,383 star ratings, and 12 platform exports
// of 785,019 rows in all. And the gaps seed 004's inspectors find: missed
// and late registrations, moves-out not cancelled, files without photos,
// rentals whose QR code was never posted, households not visited,
// platforms that disagree with the ledger.
//
// The calendar, with demo.DefaultFrom (2026-01-01):
//
//   - January is the go-live month: the initial ledger, taken over from the
//     old paper and Excel ledgers, is entered grid by grid on 2026-01-02 to
//     2026-01-10 (the records' clock), while the people in it arrived over
//     past years. Every January fact therefore shows the take-over (all of
//     the initial ledger is "entered late"), and January is not assessed.
//     QR codes of the existing rentals are posted during January and the
//     first home visits of the four-class method are made (the old paper
//     visit books are not taken over).
//   - February, March and April 2026 are the assessed activity months:
//     arrivals, moves-out, changes, permits, visits, scans, the 2026Q1 star
//     rating (end of March) and, on the 25th of each month, an export of
//     each of the four platforms of seed 000 III (residence permit, floating
//     population, police, digital), imported on the 26th.
//
// Gaps are not spread evenly: each grid has a tier (see tierGap) that
// scales every gap rate, so worker rankings differ. Exemplary grids (日清日结)
// have no gaps at all, so every count is zero and every rate 100 % somewhere;
// a few weak grids collect the most gaps and, whatever the scale, at least
// one of each kind (see the forced cases below), so every fact is non-zero
// somewhere.

// DefaultHouseholdsPerGrid is RecordOptions.HouseholdsPerGrid's default.
const DefaultHouseholdsPerGrid = 300

// RecordOptions shape LoadRecords.
type RecordOptions struct {
	// Seed drives every random choice: the same seed gives the same records
	// and the same facts (record ids differ: they are UUIDv7).
	Seed uint64
	// HouseholdsPerGrid is about how many houses each grid gets (±10 %);
	// 0 means DefaultHouseholdsPerGrid.
	HouseholdsPerGrid int
	// Care, when set, also gets the special-care subjects, their visits and
	// the monthly care list (care.go).
	Care *care.Store
}

// RecordSummary counts what LoadRecords stored and says where the time went.
type RecordSummary struct {
	Houses, People, Floating, Rentals, Places, Tenants int
	// Arrivals, MoveOuts and Changes are the Feb-Apr activity (included
	// in People for arrivals).
	Arrivals, MoveOuts, Changes          int
	HomeVisits, Scans, Ratings, QRPosted int
	Documents                            int
	PlatformImports, PlatformRows        int
	CareSubjects, CareVisits             int
	Took                                 time.Duration
	// Phases break Took down by kind of store call, in a fixed order.
	Phases []RecordPhase
}

// RecordPhase is the time spent in one kind of store call.
type RecordPhase struct {
	Name  string
	Calls int
	Took  time.Duration
}

// The timing phases of RecordSummary.Phases.
const (
	phHouses = iota
	phPeopleImport
	phLookups
	phRentals
	phTenants
	phPlaces
	phDocuments
	phVisits
	phQR
	phScans
	phRatings
	phArrivals
	phMoves
	phChanges
	phPlatforms
	numPhases
)

var phaseNames = [numPhases]string{"houses", "people import", "lookups", "rentals", "tenants", "places", "documents",
	"home visits", "qr posted", "scans", "ratings", "arrivals", "moves out", "changes", "platform imports"}

// recordStream is the second PCG word of the records generator ("records4").
const recordStream = 0x7265636f72647334

// The shape of the ledger, a street like seed 004's.
const (
	rentedShare    = 0.15 // of houses, each with a rental (出租房屋)
	vacantShare    = 0.02 // empty houses, unclassed; arrivals may rent them
	unclassedShare = 0.01 // occupied houses not classed yet
	// Floating families in owner-occupied houses (bought here, hukou
	// elsewhere). With 93 % floating tenants in the rentals this makes
	// about 27 % of people floating, three fifths of them tenants.
	floatingFamilyShare = 0.12
	// A registered household with one member of category other (人户分离).
	otherMemberShare = 0.08
	maxTenants       = 4
)

// Household sizes 1-4 with weights 20/35/30/15: 2.4 people on average; a
// rental holds a few more (10/30/35/25: 2.75), about 2.45 over all.
var (
	householdSizes = []int{20, 35, 30, 15}
	rentalSizes    = []int{10, 30, 35, 25}
)

// The four-class method (四类管理法), seed 000 II: trust 60 %, normal 25 %,
// attention 12 %, key 3 % of the classed households.
// Their visit intervals are configuration (records.HouseholdClasses).
var classCodes = []string{"trust", "normal", "attention", "key"}
var classWeights = []int{60, 25, 12, 3}

// Monthly flows, the same in every grid. Seed 004 counts 55,753 records
// collected or cancelled in 4 months by 87 workers; this street moves less
// (about 3 % of the floating population a month each way).
const (
	floatingOutRate = 0.03   // floating people moving out a month
	registeredOut   = 0.002  // registered and other people moving out
	deathRate       = 0.003  // a month, people aged 75 or more
	floatingInRate  = 0.032  // arrivals a month per living floating person
	registeredIn    = 0.0025 // births and move-ins per registered person
	changeRate      = 0.01   // phone and address changes a month per person
)

// Gap rates of a normal grid (tier gap 1); tierGap scales them, capped at
// maxGap.
const (
	pNoPhoto        = 0.02  // a person aged 1 or more without a photo
	pPhotoFixed     = 0.5   // a missing photo or document filed during Feb-Apr (÷ gap)
	pNoIDCopy       = 0.02  // a tenant without an ID copy
	pRentalDocGap   = 0.01  // a rental without its lease, responsibility letter or registration form (each)
	pQRNever        = 0.02  // a rental whose QR code is never posted
	pQRLate         = 0.05  // posted in Feb or March instead of January
	pScanMiss       = 0.02  // a posted rental not scanned in a month
	pScanMissPoor   = 0.3   // the same in a grid with a poor scan rate
	pUnrated        = 0.02  // a rental not rated for the quarter
	pVisitLate      = 0.02  // a household visit cycle overrun
	pVisitUnwritten = 0.015 // a visit without notes or not signed
	pLateEntry      = 0.04  // an arrival entered more than a month late
	pLateEnd3d      = 0.08  // a move-out entered 4 days to a month late
	pLateEnd1m      = 0.02  // a move-out entered more than a month late
	pLateChange     = 0.08  // a change entered more than 3 days late
	pPermitGap      = 0.03  // a floating person here 6 months without a valid permit
	pPlatMissing    = 0.01  // a person a platform never got
	pPlatWrong      = 0.004 // a wrong name on a platform
	pPlatDup        = 0.002 // a duplicate row on a platform
	pPlatNoPhoto    = 0.006 // a platform row without a photo the ledger has
	pCancelLate     = 0.05  // a move-out a platform cancels 4-30 days late
	pCancelNever    = 0.015 // a move-out a platform never cancels
	ghostsPerGrid   = 0.3   // people on the platforms the ledger never held (moved away before go-live)
	maxGap          = 0.6
)

// tier says how well a grid is run.
type tier int

const (
	exemplary tier = iota // 日清日结: no gaps at all
	good
	normal
	learning // its worker joined less than 6 months before
	weak     // where the gaps concentrate
	shared   // 减员增效: covered by two extra halves
	vacant   // no worker: the community's staff cover it
)

// tierGap multiplies the gap rates of a grid.
var tierGap = [...]float64{exemplary: 0, good: 0.5, normal: 1, learning: 2, weak: 4, shared: 1.5, vacant: 2.5}

// How the 87 primary grids are run: 6 weak workers, 20 exemplary, 30 good,
// the newcomers learning, the rest normal; 3 grids scan poorly.
const (
	numWeak      = 6
	numExemplary = 20
	numGood      = 30
	numPoorScan  = 3
)

// The platforms of seed 000 III and how their exports look. Which people
// each should hold is configuration (records.Platform.Population).
type platformSpec struct {
	code, name   string
	floatingOnly bool // holds the floating population only (set from the store)
	birth        bool // exports a birth date column
	keepEnded    bool // exports cancelled people with status 注销
	header       []string
}

var platformSpecs = []platformSpec{
	{code: "permit", name: "居住证平台", header: []string{"身份证号", "姓名", "网格编码", "有无照片", "状态"}},
	{code: "floating", name: "流动人口平台", birth: true, header: []string{"证件号码", "姓名", "出生日期", "所属网格", "照片", "人员状态"}},
	{code: "police", name: "公安平台", birth: true, keepEnded: true, header: []string{"公民身份号码", "姓名", "出生日期", "网格编码", "照片", "状态"}},
	{code: "digital", name: "数字化平台", keepEnded: true, header: []string{"身份证号码", "姓名", "所属网格", "照片", "状态"}},
}

const numPlatforms = 4

// Region codes of identity numbers: the district itself and the city's
// other districts, and prefectures the floating population comes from.
var (
	localRegions = []string{districtCode, districtCode, districtCode, "110101", "110102", "110106", "110108"}
	cityRegions  = []string{"110101", "110102", "110106", "110107", "110108", "110114"}
	awayRegions  = []string{"130102", "130603", "131002", "410102", "410303", "411302", "370102", "370202", "371302",
		"340102", "341202", "510104", "511302", "420102", "421002", "230102", "140105", "150102", "210102",
		"360102", "430102", "450102", "500101", "610102", "620102", "220102", "320102", "330102", "350102"}
)

// compoundSuffixes name a grid's residential compound after its community.
var compoundSuffixes = []string{"东里", "西里", "南里", "北里", "中里", "新村", "家园", "花园", "小区", "嘉园",
	"雅苑", "名苑", "华庭", "公寓", "馨园"}

var visitNotes = []string{"家庭成员无变化", "了解家庭情况，无异常", "宣传防范电信诈骗知识", "提醒注意燃气用电安全",
	"核对人员信息，无变化", "老人身体状况良好", "反映楼道照明损坏，已上报物业", "宣传垃圾分类", "发放居民联系卡",
	"了解就业情况，已告知社保政策", "提醒出租人落实治安责任", "核实租住人员，信息一致"}

var ratingNotes = []string{"消防器材齐全", "通道畅通", "登记信息完整", "出租人配合管理", "需加强用电安全", "住户较多，需重点关注"}

var placeKinds = []struct {
	kind  records.PlaceKind
	names []string
}{
	{records.OrgUnitPlace, []string{"社区卫生服务站", "幼儿园", "物业服务中心", "老年活动中心", "警务室"}},
	{records.Enterprise, []string{"便利店", "餐馆", "理发店", "药店", "快递驿站", "洗衣店", "水果店"}},
	{records.Facility, []string{"消防栓", "监控探头", "配电箱", "垃圾分类站", "电动车充电棚"}},
	{records.PublicPlace, []string{"农贸市场", "网吧", "旅馆", "棋牌室", "健身房"}},
}

// The document items the records package requires (record_requirements):
// a person's photo; a tenant's ID copy; and, filed once per rental because
// landlord and tenants sign them together, the lease, the security
// responsibility letter (治安责任书) and the registration form (登记表).
const (
	itemPhoto  = "photo"
	itemIDCopy = "id_copy"
)

var rentalItems = [3]string{"lease", "responsibility_letter", "registration_form"}

// span is the run of monthly exports (0 = the first activity month) in
// which a platform discrepancy holds: from ≤ i < until.
type span struct{ from, until int8 }

func (s span) on(i int) bool { return int(s.from) <= i && i < int(s.until) }

// platState is what one platform holds of a person.
type platState struct {
	in, out                             time.Time // on the platform from in (zero: never); cancelled at out (zero: not)
	wrongName, wrongBirth, dup, noPhoto span
}

type person struct {
	seq     int
	gr      *gridRec
	home    *house
	idNum   string
	name    string
	birth   dates.Date
	cat     records.Category
	phone   string
	permit  records.PermitStatus
	began   dates.Date
	goLive  bool
	entered time.Time // when the ledger got them
	photoAt time.Time // zero: never
	idCopy  time.Time // a tenant's ID copy; zero: never
	noFix   bool      // a forced gap: never fixed
	tenancy *rental
	ended   dates.Date
	endAt   time.Time // zero: no end entered in the window
	changed bool
	plat    [numPlatforms]platState

	id      string
	version int
}

type house struct {
	seq       int
	gr        *gridRec
	addr      string
	purpose   records.Purpose
	class     string
	owner     string
	phone     string
	began     dates.Date
	people    []*person
	rental    *rental
	lastVisit dates.Date // a let house's first visit, when it was let
	neglect   bool       // a forced gap: not visited until mid-April
	id        string
	version   int
}

type rental struct {
	seq       int
	house     *house
	landlord  string
	phone     string
	began     dates.Date
	leaseFrom dates.Date
	leaseTo   dates.Date
	created   time.Time    // when the ledger got it
	converted bool         // let in the activity months: the house was not rented before
	docs      [3]time.Time // rentalItems; zero: never
	posted    dates.Date   // QR code posted; zero: never
	unrated   bool
	tenants   []*person
	id        string
	version   int
}

type place struct {
	kind                  records.PlaceKind
	name, credit, addr    string
	contact, contactPhone string
	began                 dates.Date
}

type actor struct{ user, worker string }

type gridRec struct {
	id, code string
	tier     tier
	gap      float64
	poorScan bool
	actors   []actor
	goLive   dates.Date
	compound string
	lat, lon float64
	houses   []*house
	people   []*person // ledger people, go-live first, then arrivals
	ghosts   []*person
	rentals  []*rental
	places   []place
}

// p scales a normal grid's gap rate to this grid.
func (gr *gridRec) p(base float64) float64 { return min(base*gr.gap, maxGap) }

func (gr *gridRec) actor(i int) actor { return gr.actors[i%len(gr.actors)] }

type event struct {
	at   time.Time
	what string
	do   func(ctx context.Context) error
}

// recWork generates and loads the records. Generation draws from r in a
// fixed order and never reads a map in map order; loading draws nothing.
type recWork struct {
	r      *rand.Rand
	town   Town
	opt    RecordOptions
	db     *store.DB
	orgs   *org.Store
	rec    *records.Store
	fs     *files.Store
	now    time.Time // the records' clock
	months [3]dates.Date
	// windowEnd is the first instant after the activity months: the demo's
	// "now". Nothing is entered after it.
	windowEnd time.Time
	grids     []*gridRec
	ids       map[string]bool // identity keys handed out
	seq       int
	events    []event
	centre    string         // user id of the centre staff who import platform exports
	interval  map[string]int // visit interval of each household class, in days
	plats     []platformSpec
	photos    []string
	idCopy    string
	rentalDoc [3]string
	sum       RecordSummary
	phases    [numPhases]RecordPhase
}

// LoadRecords gives the town that Load stored its base records and three
// months of activity (see the calendar above), through the records store's
// own methods, in one transaction: all of it or nothing. It needs the org
// tree, the workers and their accounts in place (Load). It writes through
// copies of rec and opt.Care on the demo's own clock (WithClock), leaving
// them as they are. Photos and documents are a few
// small generated PNGs stored once in fs.
//
// Special-care subjects are not made here (see the HOOK below). The
// calendar assumes a town starting on the first of a month, as
// DefaultFrom does.
//
// Errors: whatever a store call refuses (wrapped with what was being
// stored), or a town that was not loaded.
func LoadRecords(ctx context.Context, db *store.DB, orgs *org.Store, rec *records.Store, fs *files.Store, town Town, opt RecordOptions) (RecordSummary, error) {
	start := time.Now()
	if opt.HouseholdsPerGrid <= 0 {
		opt.HouseholdsPerGrid = DefaultHouseholdsPerGrid
	}
	w := &recWork{r: rand.New(rand.NewPCG(opt.Seed, recordStream)), town: town, opt: opt, db: db, orgs: orgs, rec: rec, fs: fs,
		ids: map[string]bool{}}
	first := dates.New(town.ValidFrom.Year(), town.ValidFrom.Month(), 1)
	for i := range w.months {
		w.months[i] = first.AddMonths(i + 1)
	}
	w.windowEnd = first.AddMonths(len(w.months) + 1).Start()
	// The records and care stores of the demo's own, on the demo's time:
	// rec and opt.Care themselves keep theirs (a server may be using them).
	demoTime := func() time.Time { return w.now }
	w.rec = rec.WithClock(demoTime)
	if opt.Care != nil {
		w.opt.Care = opt.Care.WithClock(demoTime)
	}
	err := db.Tx(ctx, func(tx store.Tx) error {
		ctx := store.WithTx(ctx, tx)
		if db.Engine == store.SQLite {
			restore, err := bigCache(ctx, tx)
			if err != nil {
				return err
			}
			defer restore()
		}
		if err := w.setup(ctx); err != nil {
			return err
		}
		for _, gr := range w.grids {
			w.planGrid(gr)
		}
		for _, gr := range w.grids {
			if err := w.loadGrid(ctx, gr); err != nil {
				return err
			}
		}
		w.planActivity()
		if w.opt.Care != nil {
			w.planCare()
		}
		return w.run(ctx)
	})
	if err != nil {
		return RecordSummary{}, err
	}
	w.sum.Took = time.Since(start)
	for i, ph := range w.phases {
		ph.Name = phaseNames[i]
		w.sum.Phases = append(w.sum.Phases, ph)
	}
	return w.sum, nil
}

// loadCacheKiB is the SQLite page cache of the load's connection while it
// runs. The whole load is one transaction that leaves a database of about
// 700 MB; with SQLite's default 2 MB cache it spills dirty pages to the WAL
// and reads them back, and takes a fifth longer (measured: 42 s against
// 35 s with 256 MiB, 34 s with 1 GiB, on a store with a statement cache).
const loadCacheKiB = 256 << 10

// bigCache enlarges the page cache of the transaction's SQLite connection
// and returns a function that puts the old size back.
func bigCache(ctx context.Context, tx store.Tx) (func(), error) {
	var old int
	if err := tx.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&old); err != nil {
		return nil, fmt.Errorf("demo: records: cache size: %w", err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = %d`, -loadCacheKiB)); err != nil {
		return nil, fmt.Errorf("demo: records: cache size: %w", err)
	}
	return func() { tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = %d`, old)) }, nil
}

// timed runs one store call of phase ph and adds its time.
func (w *recWork) timed(ph int, fn func() error) error {
	t := time.Now()
	err := fn()
	w.phases[ph].Calls++
	w.phases[ph].Took += time.Since(t)
	return err
}

// ---------------------------------------------------------------- setup

// setup finds the stored grids and accounts, tiers the grids and stores the
// photos and documents.
func (w *recWork) setup(ctx context.Context) error {
	from := w.town.ValidFrom
	units, _, err := w.orgs.ListUnits(ctx, org.UnitQuery{On: from, Level: org.Grid, WithoutGeometry: true})
	if err != nil {
		return fmt.Errorf("demo: records: %w", err)
	}
	byName := map[string]org.Unit{}
	for _, u := range units {
		byName[u.Name] = u
	}
	users, err := auth.NewStore(w.db, w.orgs, auth.Params{}).ListUsers(ctx)
	if err != nil {
		return fmt.Errorf("demo: records: %w", err)
	}
	byUsername := map[string]auth.User{}
	for _, u := range users {
		byUsername[u.Username] = u
	}
	user := func(username string) (auth.User, error) {
		u, ok := byUsername[username]
		if !ok {
			return auth.User{}, fmt.Errorf("demo: records: no account %s: load the town first", username)
		}
		return u, nil
	}
	staff, err := user(fmt.Sprintf("centre%02d", 1))
	if err != nil {
		return err
	}
	w.centre = staff.ID
	classes, err := w.rec.HouseholdClasses(ctx)
	if err != nil {
		return err
	}
	w.interval = map[string]int{}
	for _, c := range classes {
		w.interval[c.Code] = c.VisitIntervalDays
	}
	for _, code := range classCodes {
		if w.interval[code] == 0 {
			return fmt.Errorf("demo: records: household class %s (四类管理法) is not configured", code)
		}
	}
	plats, err := w.rec.Platforms(ctx)
	if err != nil {
		return err
	}
	population := map[string]string{}
	for _, p := range plats {
		population[p.Code] = p.Population
	}
	w.plats = slices.Clone(platformSpecs)
	for i, ps := range w.plats {
		pop, ok := population[ps.code]
		if !ok {
			return fmt.Errorf("demo: records: platform %s is not configured", ps.code)
		}
		w.plats[i].floatingOnly = pop == "floating"
	}

	// Tiers of the workers' own grids.
	workerTier := map[string]tier{}
	var settled []string // keys of workers in post 6 months or more
	for _, wk := range w.town.Workers {
		if wk.InPostSince.MonthsBetween(from) < 6 {
			workerTier[wk.Key] = learning
		} else {
			settled = append(settled, wk.Key)
		}
	}
	for i, k := range w.r.Perm(len(settled)) {
		switch {
		case i < numWeak:
			workerTier[settled[k]] = weak
		case i < numWeak+numExemplary:
			workerTier[settled[k]] = exemplary
		case i < numWeak+numExemplary+numGood:
			workerTier[settled[k]] = good
		default:
			workerTier[settled[k]] = normal
		}
	}
	type cover struct {
		primary string
		extras  []string
	}
	covers := map[string]*cover{}
	for _, a := range w.town.Assignments {
		c := covers[a.GridKey]
		if c == nil {
			c = &cover{}
			covers[a.GridKey] = c
		}
		if a.Kind == org.Primary {
			c.primary = a.WorkerKey
		} else {
			c.extras = append(c.extras, a.WorkerKey)
		}
	}
	usernames := map[string]string{}
	for _, wk := range w.town.Workers {
		usernames[wk.Key] = wk.Username
	}
	communities := map[string]UnitSpec{}
	for _, c := range w.town.Communities {
		communities[c.Key] = c
	}
	nth := map[string]int{} // grids seen per community
	for i, g := range w.town.Grids {
		u, ok := byName[g.Name]
		if !ok {
			return fmt.Errorf("demo: records: no grid %s: load the town first", g.Name)
		}
		gr := &gridRec{id: u.ID, code: u.Code}
		c := covers[g.Key]
		switch {
		case c != nil && c.primary != "":
			gr.tier = workerTier[c.primary]
			u, err := user(usernames[c.primary])
			if err != nil {
				return err
			}
			gr.actors = []actor{{u.ID, u.WorkerID}}
		case c != nil && len(c.extras) > 0:
			gr.tier = shared
			for _, k := range c.extras {
				u, err := user(usernames[k])
				if err != nil {
					return err
				}
				gr.actors = append(gr.actors, actor{u.ID, u.WorkerID})
			}
		default:
			gr.tier = vacant
			u, err := user(g.CommunityKey + "staff")
			if err != nil {
				return err
			}
			gr.actors = []actor{{u.ID, ""}}
		}
		gr.gap = tierGap[gr.tier]
		// Go-live: the grids in order over nine days from the day after
		// the town starts (2026-01-02 to 2026-01-10).
		gr.goLive = from.AddDays(1 + i*9/len(w.town.Grids))
		n := nth[g.CommunityKey]
		nth[g.CommunityKey]++
		stem := strings.TrimSuffix(communities[g.CommunityKey].Name, "社区")
		gr.compound = stem + compoundSuffixes[n%len(compoundSuffixes)]
		if n >= len(compoundSuffixes) {
			gr.compound += fmt.Sprintf("%d区", n/len(compoundSuffixes)+1)
		}
		gr.lat, gr.lon = middle(g)
		w.grids = append(w.grids, gr)
	}
	// A few grids with a worker (not exemplary) scan their rentals poorly.
	var cand []*gridRec
	for _, gr := range w.grids {
		if gr.tier != exemplary && gr.tier != vacant && gr.tier != shared {
			cand = append(cand, gr)
		}
	}
	for _, k := range w.r.Perm(len(cand))[:min(numPoorScan, len(cand))] {
		cand[k].poorScan = true
	}
	return w.storeFiles(ctx)
}

// middle returns the mean of a grid's corners (lat, lon). Only additions
// and one division: no fused multiply-add can change it between machines.
func middle(g GridSpec) (lat, lon float64) {
	if len(g.Polygon) == 0 || len(g.Polygon[0]) < 2 {
		return 0, 0
	}
	ring := g.Polygon[0][:len(g.Polygon[0])-1]
	for _, p := range ring {
		lon += p[0]
		lat += p[1]
	}
	return lat / float64(len(ring)), lon / float64(len(ring))
}

// storeFiles makes a handful of small distinct PNGs (four portrait photos,
// an ID copy and three scanned documents) and stores each once.
func (w *recWork) storeFiles(ctx context.Context) error {
	put := func(name string, shade uint8, mark int) (string, error) {
		img := image.NewRGBA(image.Rect(0, 0, 12, 16))
		for y := range 16 {
			for x := range 12 {
				img.Set(x, y, color.RGBA{R: shade, G: 200 - shade/2, B: 180, A: 255})
			}
		}
		img.Set(mark%12, mark/12, color.RGBA{A: 255})
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			return "", err
		}
		f, err := w.fs.Put(ctx, w.centre, name, &buf)
		if err != nil {
			return "", fmt.Errorf("demo: records: store %s: %w", name, err)
		}
		return f.SHA256, nil
	}
	for i := range 4 {
		sha, err := put(fmt.Sprintf("照片%d.png", i+1), uint8(40+40*i), i)
		if err != nil {
			return err
		}
		w.photos = append(w.photos, sha)
	}
	var err error
	if w.idCopy, err = put("身份证复印件.png", 230, 20); err != nil {
		return err
	}
	for i, name := range []string{"租赁合同.png", "治安责任书.png", "登记表.png"} {
		if w.rentalDoc[i], err = put(name, uint8(10+20*i), 30+i); err != nil {
			return err
		}
	}
	return nil
}

// ---------------------------------------------------------------- helpers

func (w *recWork) chance(p float64) bool { return w.r.Float64() < p }

// between returns a uniform integer in [a, b].
func (w *recWork) between(a, b int) int {
	if b <= a {
		return a
	}
	return a + w.r.IntN(b-a+1)
}

// round rounds x up or down at random, in proportion, so that many small
// expectations add up right.
func (w *recWork) round(x float64) int {
	n := int(x)
	if w.r.Float64() < x-float64(n) {
		n++
	}
	return n
}

func (w *recWork) weighted(weights []int) int {
	total := 0
	for _, x := range weights {
		total += x
	}
	k := w.r.IntN(total)
	for i, x := range weights {
		if k < x {
			return i
		}
		k -= x
	}
	return len(weights) - 1
}

func (w *recWork) surname() string {
	return surnames[min(w.r.IntN(len(surnames)), w.r.IntN(len(surnames)))]
}

func (w *recWork) given() string {
	if w.r.IntN(4) == 0 {
		return givenSingle[w.r.IntN(len(givenSingle))]
	}
	return givenFirst[w.r.IntN(len(givenFirst))] + givenSecond[w.r.IntN(len(givenSecond))]
}

func (w *recWork) phone() string {
	return phonePrefixes[w.r.IntN(len(phonePrefixes))] + fmt.Sprintf("%08d", w.r.IntN(100_000_000))
}

// idNumber returns a valid identity number, unique in the town. Its masked
// form (first 4 and last 4 characters) and the birth date in it are unique
// too, which is how the people of an import are found again.
func (w *recWork) idNumber(region string, birth dates.Date, male bool) string {
	for {
		seq := 2 + 2*w.r.IntN(499) // even: female
		if male {
			seq--
		}
		body := fmt.Sprintf("%s%04d%02d%02d%03d", region, birth.Year(), int(birth.Month()), birth.Day(), seq)
		if key := body[:4] + body[6:]; !w.ids[key] {
			w.ids[key] = true
			return body + string(idnum.CheckChar(body))
		}
	}
}

// personKey identifies a person by what a store listing shows of them.
func personKey(masked string, birth dates.Date) string { return masked + birth.String() }

// workTime returns a time in working hours (08:30-17:00) on day d.
func (w *recWork) workTime(d dates.Date) time.Time {
	return d.Start().Add(time.Duration(8*60+30+w.r.IntN(8*60+30)) * time.Minute)
}

func clock(d dates.Date, hour, minute int) time.Time {
	return d.Start().Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute)
}

func daysIn(first dates.Date) int { return first.AddMonths(1).AddDays(-1).Day() }

// birthAt returns a birth date making someone age years old on ref.
func (w *recWork) birthAt(ref dates.Date, age int) dates.Date {
	return ref.AddMonths(-12 * age).AddDays(-w.r.IntN(365))
}

// dateBetween returns a uniform date in [a, b].
func (w *recWork) dateBetween(a, b dates.Date) dates.Date {
	n := 0
	for d := a; d.Before(b); d = d.AddDays(30) {
		n += 30
	}
	for n > 0 && a.AddDays(n).After(b) {
		n--
	}
	return a.AddDays(w.r.IntN(n + 1))
}

// days returns the number of days from a to b (negative if b is before a).
func days(a, b dates.Date) int {
	return int(b.Start().Sub(a.Start()).Round(24*time.Hour) / (24 * time.Hour))
}

func laterDate(a, b dates.Date) dates.Date {
	if a.After(b) {
		return a
	}
	return b
}

func (w *recWork) event(at time.Time, what string, do func(ctx context.Context) error) {
	if at.Before(w.windowEnd) {
		w.events = append(w.events, event{at: at, what: what, do: do})
	}
}

// ---------------------------------------------------------------- the ledger at go-live

// newPerson makes a person of category cat, age years old on ref.
func (w *recWork) newPerson(gr *gridRec, cat records.Category, surname string, male bool, birth dates.Date) *person {
	w.seq++
	region := localRegions[w.r.IntN(len(localRegions))]
	switch cat {
	case records.Floating:
		region = awayRegions[w.r.IntN(len(awayRegions))]
	case records.OtherPop:
		region = cityRegions[w.r.IntN(len(cityRegions))]
	}
	p := &person{seq: w.seq, gr: gr, cat: cat, birth: birth, name: surname + w.given(), permit: records.PermitNone}
	p.idNum = w.idNumber(region, birth, male)
	if idnum.AgeOn(birth, w.town.ValidFrom) >= 16 && w.chance(0.95) {
		p.phone = w.phone()
	}
	return p
}

// family makes n people sharing a household: a head aged minAge-maxAge on
// ref, a spouse, children and perhaps a grandparent.
func (w *recWork) family(gr *gridRec, cat records.Category, n, minAge, maxAge int, ref dates.Date) []*person {
	headAge := w.between(minAge, maxAge)
	headMale := w.chance(0.65)
	sur := w.surname()
	var out []*person
	out = append(out, w.newPerson(gr, cat, sur, headMale, w.birthAt(ref, headAge)))
	childSur := sur
	for len(out) < n {
		switch {
		case len(out) == 1 && w.chance(0.8):
			spouseSur := w.surname()
			if !headMale {
				childSur = spouseSur
			}
			age := max(18, headAge+w.between(-4, 4))
			out = append(out, w.newPerson(gr, cat, spouseSur, !headMale, w.birthAt(ref, age)))
		case len(out) == 3 && headAge < 60 && w.chance(0.3):
			age := min(96, headAge+w.between(24, 32))
			out = append(out, w.newPerson(gr, cat, w.surname(), w.chance(0.4), w.birthAt(ref, age)))
		default:
			age := headAge - w.between(22, 38)
			if age < 0 {
				age = w.between(0, max(0, headAge-20))
			}
			out = append(out, w.newPerson(gr, cat, childSur, w.chance(0.5), w.birthAt(ref, age)))
		}
	}
	return out
}

// arrivedBefore returns when a floating person arrived, before ref: 25 %
// within 6 months, 35 % 6 months to 2 years, 40 % 2 to 10 years before.
func (w *recWork) arrivedBefore(ref dates.Date) dates.Date {
	switch k := w.r.IntN(100); {
	case k < 25:
		return ref.AddDays(-w.between(20, 180))
	case k < 60:
		return ref.AddDays(-w.between(181, 730))
	default:
		return ref.AddDays(-w.between(731, 3650))
	}
}

// planGrid generates a grid's initial ledger: houses, people, rentals and
// tenants, places, documents and the platforms' view.
func (w *recWork) planGrid(gr *gridRec) {
	ref := w.town.ValidFrom
	h := w.opt.HouseholdsPerGrid
	n := max(1, h*9/10+w.r.IntN(h/5+1))
	nRented := max(1, w.round(float64(n)*rentedShare))
	nVacant := w.round(float64(n) * vacantShare)
	kind := make([]int, n) // 0 own, 1 rented, 2 vacant
	for i, k := range w.r.Perm(n) {
		switch {
		case i < nRented:
			kind[k] = 1
		case i < nRented+nVacant:
			kind[k] = 2
		}
	}
	built := dates.New(1985+w.r.IntN(30), time.Month(1+w.r.IntN(12)), 1)
	for i := range n {
		b := i / 36
		unit, room := i%36/12+1, i%12
		hs := &house{seq: i, gr: gr, began: built.AddDays(b * 90),
			addr: fmt.Sprintf("%s%d号楼%d单元%d%02d", gr.compound, b+1, unit, room/2+1, room%2+1)}
		switch kind[i] {
		case 2:
			hs.purpose = records.Vacant
			hs.owner, hs.phone = w.surname()+w.given(), w.phone()
		case 1:
			hs.purpose = records.ForRent
			hs.class = classCodes[w.weighted(classWeights)]
			w.planRental(gr, hs, ref)
		default:
			hs.purpose = records.OwnUse
			if !w.chance(unclassedShare) {
				hs.class = classCodes[w.weighted(classWeights)]
			}
			size := 1 + w.weighted(householdSizes)
			var members []*person
			if w.chance(floatingFamilyShare) {
				members = w.family(gr, records.Floating, size, 25, 60, ref)
				began := laterDate(w.arrivedBefore(ref), members[0].birth.AddMonths(12*18))
				for _, p := range members {
					p.began = laterDate(began, p.birth)
				}
			} else {
				members = w.family(gr, records.Registered, size, 25, 85, ref)
				began := laterDate(w.dateBetween(dates.New(1990, 1, 1), ref.AddDays(-60)), members[0].birth.AddMonths(12*20))
				if began.After(ref.AddDays(-30)) {
					began = ref.AddDays(-30)
				}
				for _, p := range members {
					p.began = laterDate(began, p.birth)
				}
				if size > 1 && w.chance(otherMemberShare) {
					p := members[len(members)-1]
					p.cat = records.OtherPop
				}
			}
			hs.owner, hs.phone = members[0].name, members[0].phone
			if hs.phone == "" {
				hs.phone = w.phone()
			}
			for _, p := range members {
				w.addToHouse(hs, p)
			}
		}
		gr.houses = append(gr.houses, hs)
	}
	// Permits, documents and the platforms' view of everyone.
	for _, p := range gr.people {
		w.planGoLivePerson(gr, p)
	}
	w.planGhosts(gr)
	for range w.between(1, 3) {
		w.planPlace(gr)
	}
	if gr.tier == weak {
		w.forceGoLiveGaps(gr)
	}
}

func (w *recWork) addToHouse(hs *house, p *person) {
	p.home = hs
	hs.people = append(hs.people, p)
	hs.gr.people = append(hs.gr.people, p)
	p.goLive = true
}

// planRental lets house hs with tenants who arrived over past years.
func (w *recWork) planRental(gr *gridRec, hs *house, ref dates.Date) {
	size := 1 + w.weighted(rentalSizes)
	var tenants []*person
	cat := func() records.Category {
		switch k := w.r.IntN(100); {
		case k < 93:
			return records.Floating
		case k < 97:
			return records.Registered
		}
		return records.OtherPop
	}
	if w.chance(0.6) {
		tenants = w.family(gr, cat(), size, 22, 50, ref)
		began := laterDate(w.arrivedBefore(ref), tenants[0].birth.AddMonths(12*18))
		for _, p := range tenants {
			p.began = laterDate(began, p.birth)
		}
	} else {
		for range size {
			p := w.newPerson(gr, cat(), w.surname(), w.chance(0.55), w.birthAt(ref, w.between(18, 50)))
			p.began = laterDate(w.arrivedBefore(ref), p.birth.AddMonths(12*18))
			tenants = append(tenants, p)
		}
	}
	first := tenants[0].began
	for _, p := range tenants[1:] {
		if p.began.Before(first) {
			first = p.began
		}
	}
	r := &rental{seq: hs.seq, house: hs, landlord: w.surname() + w.given(), phone: w.phone(), began: first.AddDays(-w.between(0, 30))}
	term := 12 // months; a fifth let for two years
	if w.chance(0.2) {
		term = 24
	}
	r.leaseFrom = r.began
	for !r.leaseFrom.AddMonths(term).After(ref) {
		r.leaseFrom = r.leaseFrom.AddMonths(term)
	}
	r.leaseTo = r.leaseFrom.AddMonths(term).AddDays(-1)
	for k := range r.docs {
		if !w.chance(gr.p(pRentalDocGap)) {
			r.docs[k] = goLiveDocs(gr)
		}
	}
	hs.owner, hs.phone = r.landlord, r.phone
	hs.rental = r
	gr.rentals = append(gr.rentals, r)
	for _, p := range tenants {
		w.addToHouse(hs, p)
		p.tenancy = r
		r.tenants = append(r.tenants, p)
	}
}

// The go-live clock of a grid: houses from 08:30, the people import at
// 13:30, rentals from 14:00, places at 15:30, documents from 15:45.
func goLiveDocs(gr *gridRec) time.Time { return clock(gr.goLive, 15, 45) }

// planGoLivePerson sets a go-live person's permit, documents and platform
// records.
func (w *recWork) planGoLivePerson(gr *gridRec, p *person) {
	ref := w.town.ValidFrom
	if p.cat == records.Floating {
		if !p.began.After(gr.goLive.AddMonths(-6)) {
			if w.chance(gr.p(pPermitGap)) {
				p.permit = []records.PermitStatus{records.PermitNone, records.PermitApplied, records.PermitExpired}[w.r.IntN(3)]
			} else {
				p.permit = records.PermitValid
			}
		} else if w.chance(0.4) {
			p.permit = records.PermitApplied
		}
	}
	docs := goLiveDocs(gr)
	// Everyone aged 1 or more has a photo, and every tenant (the records
	// package asks a tenant's photo whatever their age).
	if (p.tenancy != nil || idnum.AgeOn(p.birth, ref) >= 1) && !w.chance(gr.p(pNoPhoto)) {
		p.photoAt = docs
	}
	if p.tenancy != nil && !w.chance(gr.p(pNoIDCopy)) {
		p.idCopy = docs
	}
	for k, ps := range w.plats {
		if ps.floatingOnly && p.cat != records.Floating {
			continue
		}
		st := &p.plat[k]
		switch {
		case !w.chance(gr.p(pPlatMissing)):
			st.in = p.began.Start().Add(10 * time.Hour)
		case w.chance(0.4):
			// Missing, and put right during the activity months.
			st.in = w.workTime(w.dateBetween(w.months[0], w.months[2].AddDays(daysIn(w.months[2])-1)))
		}
		w.planFlags(gr, st, ps, 0)
	}
}

// planFlags draws a platform record's discrepancies, holding from export
// `from` on for one to three exports.
func (w *recWork) planFlags(gr *gridRec, st *platState, ps platformSpec, from int) {
	flag := func(p float64) span {
		if !w.chance(gr.p(p)) {
			return span{}
		}
		return span{int8(from), int8(from + 1 + w.r.IntN(3))}
	}
	st.wrongName = flag(pPlatWrong)
	if ps.birth {
		st.wrongBirth = flag(pPlatWrong / 2)
	}
	st.dup = flag(pPlatDup)
	st.noPhoto = flag(pPlatNoPhoto)
}

// planGhosts puts on the platforms people who lived in the grid before
// go-live and left without being cancelled: the ledger never holds them.
func (w *recWork) planGhosts(gr *gridRec) {
	n := w.round(ghostsPerGrid * gr.gap)
	for i := range n {
		cat := records.Registered
		if w.chance(0.7) {
			cat = records.Floating
		}
		w.ghost(gr, cat, i == 0 && gr.tier == weak)
	}
	if gr.tier == weak && n == 0 {
		w.ghost(gr, records.Floating, true)
	}
}

// ghost adds one platform-only person; on every platform if all.
func (w *recWork) ghost(gr *gridRec, cat records.Category, all bool) {
	ref := w.town.ValidFrom
	if all {
		cat = records.Floating
	}
	p := w.newPerson(gr, cat, w.surname(), w.chance(0.55), w.birthAt(ref, w.between(20, 60)))
	p.began = ref.AddDays(-w.between(400, 2000))
	p.photoAt = p.began.Start() // the platforms have their photo
	for k, ps := range w.plats {
		if ps.floatingOnly && p.cat != records.Floating {
			continue
		}
		if !all && !w.chance(0.7) {
			continue
		}
		p.plat[k].in = p.began.Start()
		if !all && w.chance(0.3) {
			p.plat[k].out = w.workTime(w.dateBetween(w.months[0], w.months[2].AddDays(daysIn(w.months[2])-1)))
		}
	}
	gr.ghosts = append(gr.ghosts, p)
}

func (w *recWork) planPlace(gr *gridRec) {
	k := placeKinds[w.r.IntN(len(placeKinds))]
	stem := strings.TrimSuffix(gr.compound, "区")
	pl := place{kind: k.kind, name: stem + k.names[w.r.IntN(len(k.names))],
		addr:    fmt.Sprintf("%s底商%d号", gr.compound, w.between(1, 30)),
		contact: w.surname() + w.given(), contactPhone: w.phone(),
		began: dates.New(2000+w.r.IntN(25), time.Month(1+w.r.IntN(12)), 1+w.r.IntN(28))}
	if k.kind == records.Facility {
		pl.name = fmt.Sprintf("%s%d号%s", gr.compound, w.between(1, 20), k.names[w.r.IntN(len(k.names))])
		pl.contact, pl.contactPhone = "", ""
	}
	if k.kind == records.Enterprise {
		const alnum = "0123456789ABCDEFGHJKLMNPQRTUWXY"
		var b strings.Builder
		b.WriteString("92" + districtCode)
		for range 10 {
			b.WriteByte(alnum[w.r.IntN(len(alnum))])
		}
		pl.credit = b.String()
	}
	gr.places = append(gr.places, pl)
}

// forceGoLiveGaps makes sure a weak grid shows each go-live gap at least
// once, whatever the scale: an adult without a photo, a tenant without an
// ID copy, a floating person here 6 months without a permit, a rental
// whose QR code is never posted and which goes unrated, a household left
// unvisited, and on every platform a missing person, a wrong name, a
// duplicate and a row without photo.
func (w *recWork) forceGoLiveGaps(gr *gridRec) {
	ref := w.town.ValidFrom
	for _, p := range gr.people {
		if idnum.AgeOn(p.birth, ref) >= 18 {
			p.photoAt, p.noFix = time.Time{}, true
			break
		}
	}
	for _, r := range gr.rentals {
		if len(r.tenants) > 0 {
			r.tenants[0].idCopy, r.tenants[0].noFix = time.Time{}, true
			break
		}
	}
	for _, p := range gr.people {
		if p.cat == records.Floating && !p.began.After(ref.AddMonths(-7)) {
			p.permit, p.noFix = records.PermitNone, true
			break
		}
	}
	if len(gr.rentals) > 0 {
		gr.rentals[0].unrated = true // and never posted: see planQR
	}
	for _, hs := range gr.houses {
		if hs.class == "trust" || hs.class == "normal" {
			hs.neglect = true
			break
		}
	}
	order := w.r.Perm(len(gr.people))
	for k, ps := range w.plats {
		var cand []*person
		for _, i := range order {
			p := gr.people[i]
			if (!ps.floatingOnly || p.cat == records.Floating) && idnum.AgeOn(p.birth, ref) >= 18 {
				cand = append(cand, p)
			}
		}
		all := span{0, 3}
		for j, set := range []func(*platState){
			func(st *platState) { st.in = time.Time{} },
			func(st *platState) { st.wrongName = all },
			func(st *platState) { st.dup = all },
			func(st *platState) { st.noPhoto = all },
		} {
			if len(cand) > 0 {
				set(&cand[j%len(cand)].plat[k])
			}
		}
	}
}

// ---------------------------------------------------------------- loading the go-live ledger

// loadGrid enters a grid's initial ledger on its go-live day.
func (w *recWork) loadGrid(ctx context.Context, gr *gridRec) error {
	a := gr.actor(0)
	for i, hs := range gr.houses {
		w.now = clock(gr.goLive, 8, 30).Add(time.Duration(i) * 40 * time.Second)
		err := w.timed(phHouses, func() error {
			out, err := w.rec.CreateHouse(ctx, a.user, records.NewHouse{GridID: gr.id, Address: hs.addr, Purpose: hs.purpose,
				OwnerName: hs.owner, OwnerPhone: hs.phone, Class: hs.class, BeganOn: hs.began})
			hs.id, hs.version = out.ID, out.Version
			return err
		})
		if err != nil {
			return fmt.Errorf("demo: house %s: %w", hs.addr, err)
		}
	}
	w.sum.Houses += len(gr.houses)

	// The people, as one import of the old ledger.
	w.now = clock(gr.goLive, 13, 30)
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.Write([]string{"姓名", "身份证号", "人员类别", "所属网格", "联系电话", "现住址", "房屋编号", "来本地日期", "居住证"})
	for _, p := range gr.people {
		cw.Write([]string{p.name, p.idNum, categoryWord(p.cat), gr.code, p.phone, p.home.addr, p.home.id, p.began.String(), permitWord(p)})
		p.entered = w.now
	}
	cw.Flush()
	err := w.timed(phPeopleImport, func() error {
		rep, err := w.rec.ImportPeople(ctx, a.user, gr.code+"实有人口台账.csv", &buf, nil)
		if err == nil && (rep.Stored != len(gr.people) || len(rep.Errors) > 0) {
			err = fmt.Errorf("stored %d of %d rows: %+v", rep.Stored, len(gr.people), rep.Errors)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("demo: import the people of %s: %w", gr.code, err)
	}
	err = w.timed(phLookups, func() error {
		list, _, err := w.rec.ListPeople(ctx, records.PersonQuery{GridID: gr.id})
		if err != nil {
			return err
		}
		byKey := make(map[string]records.Person, len(list))
		for _, sp := range list {
			byKey[personKey(sp.IDMasked, sp.BirthDate)] = sp
		}
		for _, p := range gr.people {
			sp, ok := byKey[personKey(idnum.Mask(p.idNum), p.birth)]
			if !ok {
				return fmt.Errorf("imported %s not found", p.name)
			}
			p.id, p.version = sp.ID, sp.Version
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("demo: people of %s: %w", gr.code, err)
	}
	w.sum.People += len(gr.people)
	for _, p := range gr.people {
		if p.cat == records.Floating {
			w.sum.Floating++
		}
	}

	for i, r := range gr.rentals {
		w.now = clock(gr.goLive, 14, 0).Add(time.Duration(i) * time.Minute)
		r.created = w.now
		if err := w.createRental(ctx, a, r); err != nil {
			return err
		}
		for _, p := range r.tenants {
			if err := w.addTenant(ctx, a, r, p, p.began); err != nil {
				return err
			}
		}
	}

	for i, pl := range gr.places {
		w.now = clock(gr.goLive, 15, 30).Add(time.Duration(i) * time.Minute)
		err := w.timed(phPlaces, func() error {
			_, err := w.rec.CreatePlace(ctx, a.user, records.NewPlace{GridID: gr.id, Kind: pl.kind, Name: pl.name, CreditCode: pl.credit,
				Address: pl.addr, ContactName: pl.contact, ContactPhone: pl.contactPhone, BeganOn: pl.began})
			return err
		})
		if err != nil {
			return fmt.Errorf("demo: place %s: %w", pl.name, err)
		}
		w.sum.Places++
	}

	w.now = goLiveDocs(gr)
	tick := func() { w.now = w.now.Add(4 * time.Second) }
	for _, p := range gr.people {
		if !p.photoAt.IsZero() {
			if err := w.attach(ctx, a, "person", p.id, itemPhoto, w.photos[p.seq%len(w.photos)]); err != nil {
				return err
			}
			tick()
		}
		if !p.idCopy.IsZero() {
			if err := w.attach(ctx, a, "person", p.id, itemIDCopy, w.idCopy); err != nil {
				return err
			}
			tick()
		}
	}
	for _, r := range gr.rentals {
		for k, at := range r.docs {
			if !at.IsZero() && !at.After(w.now) {
				if err := w.attach(ctx, a, "rental", r.id, rentalItems[k], w.rentalDoc[k]); err != nil {
					return err
				}
				tick()
			}
		}
	}
	return nil
}

func categoryWord(c records.Category) string {
	switch c {
	case records.Floating:
		return "流动"
	case records.OtherPop:
		return "其他"
	}
	return "户籍"
}

func permitWord(p *person) string {
	if p.cat != records.Floating {
		return ""
	}
	switch p.permit {
	case records.PermitValid:
		return "有"
	case records.PermitApplied:
		return "办理中"
	case records.PermitExpired:
		return "过期"
	}
	return "无"
}

// createRental stores r, retrying a clash of the random rental code (a
// six-character code: among thousands of rentals two may draw the same;
// on SQLite the failed insert leaves the transaction usable).
func (w *recWork) createRental(ctx context.Context, a actor, r *rental) error {
	in := records.NewRental{HouseID: r.house.id, LandlordName: r.landlord, LandlordPhone: r.phone, LeaseFrom: r.leaseFrom,
		LeaseTo: r.leaseTo, BeganOn: r.began}
	var err error
	for range 3 {
		err = w.timed(phRentals, func() error {
			out, err := w.rec.CreateRental(ctx, a.user, in)
			r.id, r.version = out.ID, out.Version
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "rentals.code") {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("demo: rental at %s: %w", r.house.addr, err)
	}
	if r.converted {
		r.house.version++ // CreateRental marked it rented
	}
	w.sum.Rentals++
	return nil
}

func (w *recWork) addTenant(ctx context.Context, a actor, r *rental, p *person, from dates.Date) error {
	err := w.timed(phTenants, func() error { return w.rec.AddTenant(ctx, a.user, r.id, p.id, from) })
	if err != nil {
		return fmt.Errorf("demo: tenant %s of %s: %w", p.name, r.house.addr, err)
	}
	w.sum.Tenants++
	return nil
}

func (w *recWork) attach(ctx context.Context, a actor, entity, id, item, sha string) error {
	err := w.timed(phDocuments, func() error { return w.rec.Attach(ctx, a.user, entity, id, item, sha) })
	if err != nil {
		return fmt.Errorf("demo: attach %s to %s %s: %w", item, entity, id, err)
	}
	w.sum.Documents++
	return nil
}

func (w *recWork) visit(ctx context.Context, a actor, v records.HomeVisit) error {
	err := w.timed(phVisits, func() error {
		_, err := w.rec.RecordHomeVisit(ctx, a.user, a.worker, v)
		return err
	})
	if err != nil {
		return fmt.Errorf("demo: visit %s: %w", v.HouseID, err)
	}
	w.sum.HomeVisits++
	return nil
}

// ---------------------------------------------------------------- the activity months

// planActivity generates every change after go-live as events with their
// entry times.
func (w *recWork) planActivity() {
	for _, gr := range w.grids {
		w.planQR(gr)
	}
	for _, gr := range w.grids {
		w.planMoveOuts(gr)
	}
	for mi := range w.months {
		for _, gr := range w.grids {
			w.planArrivals(gr, mi)
		}
	}
	for mi := range w.months {
		for _, gr := range w.grids {
			w.planChanges(gr, mi)
		}
	}
	for _, gr := range w.grids {
		w.planPermits(gr)
		w.planFixes(gr)
		w.planVisits(gr)
		w.planScans(gr)
		w.planRatings(gr)
	}
	w.planExports()
}

// monthOf returns the activity month d falls in, or -1.
func (w *recWork) monthOf(d dates.Date) int {
	for mi, first := range w.months {
		if !d.Before(first) && d.Before(first.AddMonths(1)) {
			return mi
		}
	}
	return -1
}

func (w *recWork) lastDay() dates.Date {
	m := w.months[len(w.months)-1]
	return m.AddDays(daysIn(m) - 1)
}

// planQR posts the go-live rentals' QR codes: most in January, some in
// February or March, some never.
func (w *recWork) planQR(gr *gridRec) {
	for i, r := range gr.rentals {
		forcedNever := gr.tier == weak && i == 0
		switch x := w.r.Float64(); {
		case forcedNever || x < gr.p(pQRNever):
			continue
		case x < gr.p(pQRNever+pQRLate):
			r.posted = w.months[0].AddDays(w.r.IntN(50))
		default:
			r.posted = gr.goLive.AddDays(w.between(1, 20))
		}
		w.qrEvent(gr, r, w.workTime(r.posted))
	}
}

func (w *recWork) qrEvent(gr *gridRec, r *rental, at time.Time) {
	w.event(at, "post QR code", func(ctx context.Context) error {
		err := w.timed(phQR, func() error {
			out, err := w.rec.MarkQRPosted(ctx, gr.actor(r.seq).user, r.id, r.posted, r.version)
			r.version = out.Version
			return err
		})
		if err == nil {
			w.sum.QRPosted++
		}
		return err
	})
}

// moveOutLag returns how many days after a move-out it is entered.
func (w *recWork) moveOutLag(gr *gridRec) int {
	switch x := w.r.Float64(); {
	case x < gr.p(pLateEnd1m):
		return w.between(32, 60)
	case x < gr.p(pLateEnd1m+pLateEnd3d):
		return w.between(4, 30)
	}
	return w.between(0, 3)
}

// planMoveOuts decides which go-live people move out or die in the
// activity months and when that is entered; a weak grid has, each month, a
// floating person whose move-out is entered 4-10 days late and, in the
// first month, one entered more than a month late, none of whom the
// platforms cancel.
func (w *recWork) planMoveOuts(gr *gridRec) {
	for _, p := range gr.people {
		if p.noFix {
			continue // a forced gap stays
		}
		for _, first := range w.months {
			rate := registeredOut
			reason := records.MovedOut
			if p.cat == records.Floating {
				rate = floatingOutRate
			}
			if idnum.AgeOn(p.birth, first) >= 75 && w.chance(deathRate) {
				rate, reason = 1, records.Died
			}
			if !w.chance(rate) {
				continue
			}
			w.moveOut(gr, p, first.AddDays(w.r.IntN(daysIn(first))), reason, w.moveOutLag(gr), false)
			break
		}
	}
	if gr.tier != weak {
		return
	}
	order := w.r.Perm(len(gr.people))
	pick := func() *person {
		var any *person
		for _, i := range order {
			p := gr.people[i]
			if p.ended.IsZero() && !p.noFix && idnum.AgeOn(p.birth, w.months[0]) >= 18 {
				if p.cat == records.Floating {
					return p
				}
				if any == nil {
					any = p
				}
			}
		}
		return any
	}
	for mi, first := range w.months {
		if p := pick(); p != nil {
			w.moveOut(gr, p, first.AddDays(w.r.IntN(12)), records.MovedOut, w.between(4, 10), true)
		}
		if mi == 0 {
			if p := pick(); p != nil {
				w.moveOut(gr, p, first.AddDays(w.r.IntN(12)), records.MovedOut, w.between(32, 45), true)
			}
		}
	}
}

// moveOut plans p's move-out on day `on`, entered lag days later; the
// platforms cancel it after their own lag (never, when stuck).
func (w *recWork) moveOut(gr *gridRec, p *person, on dates.Date, reason records.EndReason, lag int, stuck bool) {
	if !on.After(p.began) {
		on = p.began.AddDays(1)
	}
	p.ended = on
	at := w.workTime(on.AddDays(lag))
	if !at.Before(w.windowEnd) {
		return // not entered within the window: still living in the ledger
	}
	p.endAt = at
	for k := range p.plat {
		st := &p.plat[k]
		if st.in.IsZero() {
			continue
		}
		switch x := w.r.Float64(); {
		case stuck || x < gr.p(pCancelNever):
		case x < gr.p(pCancelNever+pCancelLate):
			st.out = on.Start().Add(time.Duration(w.between(4, 30))*24*time.Hour + 10*time.Hour)
		case gr.gap == 0:
			st.out = at
		default:
			st.out = at.Add(time.Duration(w.r.IntN(24*60)) * time.Minute)
		}
	}
	w.event(at, "move out", func(ctx context.Context) error {
		err := w.timed(phMoves, func() error {
			_, err := w.rec.EndPerson(ctx, gr.actor(p.seq).user, p.id, records.End{On: on, Reason: reason, Version: p.version})
			return err
		})
		if err == nil {
			w.sum.MoveOuts++
		}
		return err
	})
}

// living counts the ledger people of gr living at day d by category.
func living(gr *gridRec, d dates.Date) (floating, registered int) {
	for _, p := range gr.people {
		if !p.entered.Before(d.Start()) || (!p.ended.IsZero() && p.ended.Before(d)) {
			continue
		}
		if p.cat == records.Floating {
			floating++
		} else {
			registered++
		}
	}
	return floating, registered
}

// planArrivals plans month mi's arrivals in gr: floating people into
// rentals (or a newly let empty house, or a relative's home), births and
// registered move-ins. Most are entered within 3 days; some are found
// later (entered more than a month after they came), at least one a month
// in a weak grid.
func (w *recWork) planArrivals(gr *gridRec, mi int) {
	first := w.months[mi]
	fl, reg := living(gr, first)
	nFloat := w.round(float64(fl) * floatingInRate)
	nReg := w.round(float64(reg) * registeredIn)
	forced := 0
	if gr.tier == weak {
		forced = 1
	}
	for i := range nFloat + nReg + forced {
		late := i >= nFloat+nReg || w.chance(gr.p(pLateEntry))
		day := first.AddDays(w.r.IntN(daysIn(first)))
		var lag int
		switch {
		case late:
			lag = w.between(32, 100)
		case gr.gap == 0:
			lag = w.between(0, 1)
		default:
			lag = w.between(0, 3)
		}
		at := w.workTime(day)
		began := day.AddDays(-lag)
		if i >= nFloat && i < nFloat+nReg {
			w.planRegisteredArrival(gr, mi, at, began, late)
		} else {
			w.planFloatingArrival(gr, mi, at, began, late, i >= nFloat+nReg)
		}
	}
}

// pickHouse returns a random occupied owner-occupied house of gr holding
// someone of category cat ("" for any), or nil.
func (w *recWork) pickHouse(gr *gridRec, cat records.Category) *house {
	for range 20 {
		hs := gr.houses[w.r.IntN(len(gr.houses))]
		if hs.purpose != records.OwnUse || len(hs.people) == 0 {
			continue
		}
		if cat == "" || hs.people[0].cat == cat {
			return hs
		}
	}
	return nil
}

func (w *recWork) planRegisteredArrival(gr *gridRec, mi int, at time.Time, began dates.Date, late bool) {
	hs := w.pickHouse(gr, records.Registered)
	if hs == nil {
		return
	}
	var p *person
	if w.chance(0.5) {
		// A birth: registered from the day of birth.
		sur := []rune(hs.people[0].name)[0]
		p = w.newPerson(gr, records.Registered, string(sur), w.chance(0.5), began)
	} else {
		p = w.newPerson(gr, records.Registered, w.surname(), w.chance(0.5), w.birthAt(began, w.between(20, 70)))
	}
	w.arrive(gr, hs, nil, p, mi, at, began, late, false)
}

func (w *recWork) planFloatingArrival(gr *gridRec, mi int, at time.Time, began dates.Date, late, forced bool) {
	p := w.newPerson(gr, records.Floating, w.surname(), w.chance(0.55), w.birthAt(began, w.between(18, 50)))
	if w.chance(0.75) {
		var r *rental
		if !w.chance(0.1) {
			for range 8 {
				c := gr.rentals[w.r.IntN(len(gr.rentals))]
				if c.created.Before(at) && current(c, began) < maxTenants {
					r = c
					break
				}
			}
		}
		if r == nil {
			r = w.newRental(gr, at, began)
		}
		if r != nil {
			w.arrive(gr, r.house, r, p, mi, at, laterDate(began, r.began), late, forced)
			return
		}
	}
	if hs := w.pickHouse(gr, ""); hs != nil {
		w.arrive(gr, hs, nil, p, mi, at, began, late, forced)
	}
}

// current counts the tenants of r living there on d.
func current(r *rental, d dates.Date) int {
	n := 0
	for _, p := range r.tenants {
		if p.ended.IsZero() || p.ended.After(d) {
			n++
		}
	}
	return n
}

// newRental lets an empty house of gr from `began`, entered just before
// its first tenant at `at`, and classes it; nil if no house is empty.
func (w *recWork) newRental(gr *gridRec, at time.Time, began dates.Date) *rental {
	var hs *house
	for _, c := range gr.houses {
		if c.purpose == records.Vacant && c.rental == nil {
			hs = c
			break
		}
	}
	if hs == nil {
		return nil
	}
	r := &rental{seq: hs.seq, house: hs, landlord: hs.owner, phone: hs.phone, began: began, leaseFrom: began,
		leaseTo: began.AddMonths(12).AddDays(-1), created: at.Add(-3 * time.Minute), converted: true}
	hs.rental = r
	hs.purpose = records.ForRent // CreateRental marks it so
	class := "normal"
	if w.chance(0.5) {
		class = "attention"
	}
	for k := range r.docs {
		if !w.chance(gr.p(pRentalDocGap)) {
			r.docs[k] = r.created
		}
	}
	if !w.chance(gr.p(pQRNever)) {
		r.posted = dates.Of(r.created)
		if gr.gap > 0 {
			r.posted = r.posted.AddDays(w.between(1, 14))
		}
	}
	gr.rentals = append(gr.rentals, r)
	a := gr.actor(r.seq)
	w.event(r.created, "let a house", func(ctx context.Context) error {
		if err := w.createRental(ctx, a, r); err != nil {
			return err
		}
		for k, at := range r.docs {
			if !at.IsZero() {
				if err := w.attach(ctx, a, "rental", r.id, rentalItems[k], w.rentalDoc[k]); err != nil {
					return err
				}
			}
		}
		err := w.timed(phChanges, func() error {
			out, err := w.rec.UpdateHouse(ctx, a.user, hs.id, records.HousePatch{Version: hs.version, Class: &class})
			hs.version = out.Version
			return err
		})
		if err == nil {
			w.sum.Changes++
		}
		return err
	})
	hs.class = class
	hs.lastVisit = dates.Of(r.created)
	w.event(r.created.Add(20*time.Minute), "first visit", func(ctx context.Context) error {
		return w.visit(ctx, a, records.HomeVisit{HouseID: hs.id, VisitedAt: r.created.Add(10 * time.Minute), Notes: "新增出租房屋，登记租住人员", Signed: true})
	})
	if !r.posted.IsZero() {
		at := w.workTime(r.posted)
		if at.Before(r.created) {
			at = r.created.Add(5 * time.Minute)
		}
		w.qrEvent(gr, r, at)
	}
	return r
}

// arrive plans p's registration in house hs (and rental r) at `at`.
func (w *recWork) arrive(gr *gridRec, hs *house, r *rental, p *person, mi int, at time.Time, began dates.Date, late, forced bool) {
	if began.Before(p.birth) {
		began = p.birth
	}
	p.began, p.entered, p.home = began, at, hs
	if p.cat == records.Floating && w.chance(0.4) {
		p.permit = records.PermitApplied
	}
	hs.people = append(hs.people, p)
	gr.people = append(gr.people, p)
	if r != nil {
		p.tenancy = r
		r.tenants = append(r.tenants, p)
	}
	if idnum.AgeOn(p.birth, began) >= 1 && !w.chance(min(2*gr.p(pNoPhoto), maxGap)) {
		p.photoAt = at
	}
	if r != nil && !w.chance(min(2*gr.p(pNoIDCopy), maxGap)) {
		p.idCopy = at
	}
	for k, ps := range w.plats {
		if ps.floatingOnly && p.cat != records.Floating {
			continue
		}
		st := &p.plat[k]
		switch {
		case gr.gap == 0:
			st.in = at
		case late && (forced || w.chance(0.5)):
			// The platform had them first: found through its data.
			st.in = began.Start().Add(time.Duration(w.between(1, 10))*24*time.Hour + 10*time.Hour)
		case w.chance(min(2*gr.p(pPlatMissing), maxGap)):
			if w.chance(0.5) {
				st.in = at.Add(time.Duration(w.between(20, 60)) * 24 * time.Hour)
			}
		default:
			st.in = at.Add(time.Duration(w.r.IntN(4*24*60)) * time.Minute)
		}
		w.planFlags(gr, st, ps, mi)
	}
	a := gr.actor(p.seq)
	w.event(at, "register an arrival", func(ctx context.Context) error {
		err := w.timed(phArrivals, func() error {
			out, err := w.rec.CreatePerson(ctx, a.user, records.NewPerson{GridID: gr.id, HouseID: hs.id, Category: p.cat, IDNumber: p.idNum,
				Name: p.name, Phone: p.phone, Address: hs.addr, PermitStatus: p.permit, BeganOn: began})
			p.id, p.version = out.ID, out.Version
			return err
		})
		if err != nil {
			return fmt.Errorf("demo: register %s: %w", p.name, err)
		}
		w.sum.Arrivals++
		w.sum.People++
		if p.cat == records.Floating {
			w.sum.Floating++
		}
		if r != nil {
			if err := w.addTenant(ctx, a, r, p, began); err != nil {
				return err
			}
		}
		if !p.photoAt.IsZero() {
			if err := w.attach(ctx, a, "person", p.id, itemPhoto, w.photos[p.seq%len(w.photos)]); err != nil {
				return err
			}
		}
		if !p.idCopy.IsZero() {
			return w.attach(ctx, a, "person", p.id, itemIDCopy, w.idCopy)
		}
		return nil
	})
}

// planChanges plans month mi's phone and address changes (a person moving
// to another flat of the grid); most are entered within 3 days, some later
// (at least one a month in a weak grid).
func (w *recWork) planChanges(gr *gridRec, mi int) {
	first := w.months[mi]
	fl, reg := living(gr, first)
	n := w.round(float64(fl+reg) * changeRate)
	forced := 0
	if gr.tier == weak {
		forced = 1
	}
	for i := range n + forced {
		late := i >= n || w.chance(gr.p(pLateChange))
		happened := first.AddDays(w.r.IntN(daysIn(first)))
		lag := w.between(0, 3)
		if late {
			happened = first.AddDays(w.r.IntN(daysIn(first) - 12))
			lag = w.between(4, 10)
			if i < n {
				lag = w.between(4, 20)
			}
		}
		at := w.workTime(happened.AddDays(lag))
		var p *person
		for range 20 {
			c := gr.people[w.r.IntN(len(gr.people))]
			if c.ended.IsZero() && !c.changed && c.entered.Before(happened.Start()) && idnum.AgeOn(c.birth, happened) >= 18 {
				p = c
				break
			}
		}
		if p == nil || !at.Before(w.windowEnd) {
			continue
		}
		p.changed = true
		patch := records.PersonPatch{HappenedOn: happened}
		if to := w.pickHouse(gr, ""); p.tenancy == nil && to != nil && to != p.home && w.chance(0.3) {
			p.home.people = slices.DeleteFunc(p.home.people, func(q *person) bool { return q == p })
			to.people = append(to.people, p)
			p.home = to
			patch.Address = &to.addr
		} else {
			ph := w.phone()
			patch.Phone = &ph
		}
		home := p.home
		w.event(at, "change a person", func(ctx context.Context) error {
			if patch.Address != nil {
				patch.HouseID = &home.id
			}
			err := w.timed(phChanges, func() error {
				patch.Version = p.version
				out, err := w.rec.UpdatePerson(ctx, gr.actor(p.seq).user, p.id, patch)
				p.version = out.Version
				return err
			})
			if err == nil {
				w.sum.Changes++
			}
			return err
		})
	}
}

// planPermits plans residence permits: floating people reaching 6 months
// here get one (an exemplary grid on the day, others within 15 days; a few
// not at all), and half of those already overdue at go-live.
func (w *recWork) planPermits(gr *gridRec) {
	for _, p := range gr.people {
		if !p.goLive || p.cat != records.Floating || p.permit == records.PermitValid || p.noFix {
			continue
		}
		due := p.began.AddMonths(6)
		var issued dates.Date
		switch {
		case !due.After(gr.goLive):
			// Overdue at go-live: half get one in the activity months.
			if !w.chance(0.5) {
				continue
			}
			issued = w.months[0].AddDays(w.r.IntN(80))
		case w.chance(gr.p(pPermitGap)):
			continue
		case gr.gap == 0:
			issued = due
		default:
			issued = due.AddDays(w.between(1, 15))
		}
		lag := 0
		if gr.gap > 0 {
			lag = w.between(0, 3)
		}
		at := w.workTime(issued.AddDays(lag))
		if !p.ended.IsZero() && (!issued.Before(p.ended) || (!p.endAt.IsZero() && !at.Before(p.endAt))) {
			continue // moved out first
		}
		valid := records.PermitValid
		w.event(at, "residence permit", func(ctx context.Context) error {
			err := w.timed(phChanges, func() error {
				out, err := w.rec.UpdatePerson(ctx, gr.actor(p.seq).user, p.id, records.PersonPatch{Version: p.version, HappenedOn: issued, PermitStatus: &valid})
				p.version = out.Version
				return err
			})
			if err == nil {
				w.sum.Changes++
			}
			return err
		})
	}
}

// planFixes files some of the missing photos, ID copies and rental
// documents during the activity months.
func (w *recWork) planFixes(gr *gridRec) {
	chance := pPhotoFixed / max(1, gr.gap)
	when := func(after time.Time) (time.Time, bool) {
		from := laterDate(dates.Of(after).AddDays(1), w.months[0])
		if from.After(w.lastDay()) || !w.chance(chance) {
			return time.Time{}, false
		}
		return w.workTime(w.dateBetween(from, w.lastDay())), true
	}
	for _, p := range gr.people {
		if p.noFix || !p.ended.IsZero() {
			continue
		}
		a := gr.actor(p.seq)
		if p.photoAt.IsZero() && (p.tenancy != nil || idnum.AgeOn(p.birth, w.months[0]) >= 1) {
			if at, ok := when(p.entered); ok {
				p.photoAt = at
				w.event(at, "file a photo", func(ctx context.Context) error {
					return w.attach(ctx, a, "person", p.id, itemPhoto, w.photos[p.seq%len(w.photos)])
				})
			}
		}
		if p.tenancy != nil && p.idCopy.IsZero() {
			if at, ok := when(p.entered); ok {
				p.idCopy = at
				w.event(at, "file an ID copy", func(ctx context.Context) error {
					return w.attach(ctx, a, "person", p.id, itemIDCopy, w.idCopy)
				})
			}
		}
	}
	for _, r := range gr.rentals {
		for k := range r.docs {
			if !r.docs[k].IsZero() {
				continue
			}
			if at, ok := when(r.created); ok {
				r.docs[k] = at
				a := gr.actor(r.seq)
				w.event(at, "file a rental document", func(ctx context.Context) error {
					return w.attach(ctx, a, "rental", r.id, rentalItems[k], w.rentalDoc[k])
				})
			}
		}
	}
}

// planVisits follows each classed household's visit book: a first visit
// within its interval of go-live (or when it is let), then a visit a little
// before each interval runs out; a cycle overrun now and then, a neglected
// household in a weak grid; a few visits without notes or unsigned.
//
// The old paper visit books are not taken over, so January's visit facts
// show households not yet visited: January is not assessed.
func (w *recWork) planVisits(gr *gridRec) {
	end := w.lastDay()
	// In a weak grid the first visit of each activity month is not
	// written up.
	var unwritten [3]bool
	for mi := range unwritten {
		unwritten[mi] = gr.tier == weak
	}
	for _, hs := range gr.houses {
		if hs.class == "" {
			continue
		}
		iv := w.interval[hs.class]
		early := max(1, iv/5)
		last := hs.lastVisit
		start := hs.gr.goLive.AddDays(1)
		if !last.IsZero() {
			start = last.AddDays(1)
		}
		for {
			var next dates.Date
			due := last.AddDays(iv)
			switch {
			case last.IsZero() && !hs.neglect:
				// The first visit: within the interval, and by the end
				// of the first activity month.
				lastFirst := w.months[0].AddDays(daysIn(w.months[0]) - 1)
				next = start.AddDays(w.r.IntN(min(iv, max(1, days(start, lastFirst)+1))))
			case hs.neglect && due.Before(w.months[2].AddDays(10)):
				next = w.months[2].AddDays(w.between(10, 15))
			case w.chance(gr.p(pVisitLate)):
				next = due.AddDays(w.between(max(3, iv/4), iv/2+10))
			default:
				next = due.AddDays(-w.r.IntN(early))
			}
			if !last.IsZero() && !next.After(last) {
				next = last.AddDays(1)
			}
			if next.Before(start) {
				next = start
			}
			if next.After(end) {
				break
			}
			last = next
			v := records.HomeVisit{VisitedAt: w.workTime(next), Notes: visitNotes[w.r.IntN(len(visitNotes))], Signed: true}
			mi := w.monthOf(next)
			if w.chance(gr.p(pVisitUnwritten)) || (mi >= 0 && unwritten[mi]) {
				if w.chance(0.5) {
					v.Notes = ""
				} else {
					v.Signed = false
				}
				if mi >= 0 {
					unwritten[mi] = false
				}
			}
			v.Lat, v.Lon = w.near(gr)
			a := gr.actor(hs.seq)
			w.event(v.VisitedAt.Add(time.Duration(5+w.r.IntN(60))*time.Minute), "home visit", func(ctx context.Context) error {
				v.HouseID = hs.id
				return w.visit(ctx, a, v)
			})
		}
	}
}

// near returns a point a few hundred metres from the grid's centre.
func (w *recWork) near(gr *gridRec) (*float64, *float64) {
	lat := gr.lat + float64(w.between(-1500, 1500))/1e6
	lon := gr.lon + float64(w.between(-1500, 1500))/1e6
	return &lat, &lon
}

// planScans scans each posted rental once a month or more (a few missed;
// many in a grid with a poor scan rate).
func (w *recWork) planScans(gr *gridRec) {
	miss := gr.p(pScanMiss)
	if gr.poorScan {
		miss = pScanMissPoor
	}
	for _, r := range gr.rentals {
		if r.posted.IsZero() {
			continue
		}
		a := gr.actor(r.seq)
		for _, first := range w.months {
			last := first.AddDays(daysIn(first) - 1)
			from := laterDate(laterDate(first, r.posted), dates.Of(r.created))
			if from.After(last) || w.chance(miss) {
				continue
			}
			for range 1 + w.round(0.2) {
				at := w.workTime(w.dateBetween(from, last))
				if !at.After(r.created) {
					at = r.created.Add(30 * time.Minute)
				}
				lat, lon := w.near(gr)
				acc := float64(w.between(5, 30))
				sc := records.Scan{ScannedAt: at, Lat: lat, Lon: lon, AccuracyM: &acc}
				w.event(at.Add(time.Minute), "scan a rental", func(ctx context.Context) error {
					err := w.timed(phScans, func() error { return w.rec.RecordScan(ctx, a.user, a.worker, r.id, sc) })
					if err == nil {
						w.sum.Scans++
					}
					return err
				})
			}
		}
	}
}

// planRatings rates the rentals in the last 12 days of each quarter's last
// month (2026Q1 at the end of March).
func (w *recWork) planRatings(gr *gridRec) {
	for _, first := range w.months {
		if first.Month()%3 != 0 {
			continue
		}
		quarter := fmt.Sprintf("%dQ%d", first.Year(), int(first.Month())/3)
		last := first.AddDays(daysIn(first) - 1)
		for _, r := range gr.rentals {
			if r.unrated || !r.created.Before(last.AddDays(1).Start()) || w.chance(gr.p(pUnrated)) {
				continue
			}
			day := w.dateBetween(laterDate(last.AddDays(-11), dates.Of(r.created)), last)
			at := w.workTime(day)
			if !at.After(r.created) {
				at = r.created.Add(30 * time.Minute)
			}
			stars := 3 + w.weighted([]int{30, 50, 20}) // 3-5 stars
			if gr.gap >= 2 && w.chance(0.2) {
				stars = 2
			}
			note := ratingNotes[w.r.IntN(len(ratingNotes))]
			a := gr.actor(r.seq)
			w.event(at, "rate a rental", func(ctx context.Context) error {
				err := w.timed(phRatings, func() error { return w.rec.Rate(ctx, a.user, r.id, quarter, stars, note) })
				if err == nil {
					w.sum.Ratings++
				}
				return err
			})
		}
	}
}

// planExports imports each platform's export as of the 25th of each
// activity month on the 26th.
func (w *recWork) planExports() {
	for mi, first := range w.months {
		asOf := first.AddDays(24)
		for k := range w.plats {
			at := clock(asOf.AddDays(1), 10, 15*k)
			w.event(at, "platform import", func(ctx context.Context) error {
				data, rows := w.export(k, mi, asOf)
				ps := w.plats[k]
				name := fmt.Sprintf("%s导出_%s.csv", ps.name, strings.ReplaceAll(asOf.String(), "-", ""))
				err := w.timed(phPlatforms, func() error {
					imp, err := w.rec.ImportPlatform(ctx, w.centre, ps.code, asOf, name, bytes.NewReader(data))
					if err == nil && (imp.Again || imp.Report.Stored != rows || len(imp.Report.Errors) > 0) {
						err = fmt.Errorf("stored %d of %d rows (again %v): %+v", imp.Report.Stored, rows, imp.Again, imp.Report.Errors)
					}
					return err
				})
				if err != nil {
					return fmt.Errorf("demo: import %s: %w", name, err)
				}
				w.sum.PlatformImports++
				w.sum.PlatformRows += rows
				return nil
			})
		}
	}
}

// export writes platform k's export as of asOf (the mi-th month's): the
// people it holds, grid by grid, with its discrepancies.
func (w *recWork) export(k, mi int, asOf dates.Date) ([]byte, int) {
	ps := w.plats[k]
	end := asOf.AddDays(1).Start()
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.Write([]string{fmt.Sprintf("%s人员信息导出（截至%d年%02d月%02d日）", ps.name, asOf.Year(), int(asOf.Month()), asOf.Day())})
	cw.Write(ps.header)
	rows := 0
	for _, gr := range w.grids {
		var dups [][]string
		for _, list := range [][]*person{gr.people, gr.ghosts} {
			for _, p := range list {
				st := &p.plat[k]
				if st.in.IsZero() || !st.in.Before(end) || (ps.floatingOnly && p.cat != records.Floating) {
					continue
				}
				status := "正常"
				if !st.out.IsZero() && st.out.Before(end) {
					if !ps.keepEnded {
						continue
					}
					status = "注销"
				}
				name := p.name
				if st.wrongName.on(mi) {
					name = misspell(name)
				}
				photo := "有"
				if p.photoAt.IsZero() || !p.photoAt.Before(end) || st.noPhoto.on(mi) {
					photo = "无"
				}
				row := []string{p.idNum, name}
				if ps.birth {
					birth := p.birth
					if st.wrongBirth.on(mi) {
						birth = birth.AddDays(10)
					}
					row = append(row, birth.String())
				}
				row = append(row, gr.code, photo, status)
				cw.Write(row)
				rows++
				if st.dup.on(mi) {
					dups = append(dups, row)
				}
			}
		}
		for _, row := range dups {
			cw.Write(row)
			rows++
		}
	}
	cw.Flush()
	return buf.Bytes(), rows
}

// misspell changes the last character of a name to a near one, as a
// platform clerk might.
func misspell(name string) string {
	r := []rune(name)
	last := string(r[len(r)-1])
	for i, c := range givenSecond {
		if c == last {
			return string(r[:len(r)-1]) + givenSecond[(i+1)%len(givenSecond)]
		}
	}
	return string(r[:len(r)-1]) + givenSecond[len(last)%len(givenSecond)]
}

// run enters every planned event in the order of its entry time, with the
// records' clock set to it.
func (w *recWork) run(ctx context.Context) error {
	slices.SortStableFunc(w.events, func(a, b event) int { return a.at.Compare(b.at) })
	for _, e := range w.events {
		w.now = e.at
		if err := e.do(ctx); err != nil {
			return fmt.Errorf("demo: %s at %s: %w", e.what, e.at.In(dates.Shanghai).Format("2006-01-02 15:04"), err)
		}
	}
	return nil
}
