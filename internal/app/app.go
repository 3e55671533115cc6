// Package app is gridwork's one composition root: New opens the database
// (or takes an open one), loads the field key, builds every store on it
// with its dependencies and clock, and installs the built-ins. The command
// line, the server and every test that needs the whole system build the
// app here, so the wiring is written once.
//
// Imports go one way: app imports the domain packages; the API imports app
// (api.New takes an *App), and app never imports the API, so that a
// command that needs no HTTP (migrate, facts, assess) builds the app
// without it.
//
// What is not here on purpose: a data fix that ran at every start
// (sealing residents' contacts stored in plain text before contacts were
// sealed) is the one-off command `gridwork seal-contacts`, not a step of
// New and not a migration: the migrations are SQL that runs without the
// field key, and sealing needs the key.
package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"gridwork/internal/auth"
	"gridwork/internal/care"
	_ "gridwork/internal/catalog" // every fact, measured or declared
	"gridwork/internal/duty"
	"gridwork/internal/events"
	"gridwork/internal/facts"
	"gridwork/internal/files"
	"gridwork/internal/inspect"
	"gridwork/internal/org"
	"gridwork/internal/patrol"
	"gridwork/internal/records"
	"gridwork/internal/runs"
	"gridwork/internal/seal"
	"gridwork/internal/store"
	"gridwork/internal/survey"
	"gridwork/internal/workcal"
)

// Config says where the app's data is and how it keeps time.
type Config struct {
	// DB is an open, migrated database (tests). When nil, New opens DSN
	// and migrates it, and Close closes it.
	DB  *store.DB
	DSN string
	// DataDir is the data directory: the field key (seal.KeyFile, unless
	// Keys is set) and uploaded files (under files/).
	DataDir string
	// Keys is the field key; when nil, New loads it from DataDir (or
	// $GRIDWORK_FIELD_KEY), creating it on first start.
	Keys *seal.Keys
	// AuthParams are the password hashing parameters; the zero value means
	// auth.DefaultParams.
	AuthParams auth.Params
	// Clock is the time now for every store that keeps one; nil means
	// time.Now.
	Clock func() time.Time
}

// App is the open database with every store on it.
type App struct {
	DB      *store.DB
	Keys    *seal.Keys
	Orgs    *org.Store
	Users   *auth.Store
	Files   *files.Store
	Workcal *workcal.Store
	Records *records.Store
	Care    *care.Store
	Inspect *inspect.Store
	Patrol  *patrol.Store
	Events  *events.Store
	Duty    *duty.Store
	Survey  *survey.Store
	// Facts collects the facts of every source above.
	Facts  *facts.Collector
	Assess *runs.Store

	ownsDB bool
}

// New builds the app from cfg. It refuses to start when the field key is
// not the one the stored identity numbers were sealed with.
func New(ctx context.Context, cfg Config) (_ *App, err error) {
	a := &App{DB: cfg.DB}
	if a.DB == nil {
		if a.DB, err = store.Open(ctx, cfg.DSN); err != nil {
			return nil, err
		}
		a.ownsDB = true
		defer func() {
			if err != nil {
				a.DB.Close()
			}
		}()
		if err := a.DB.Migrate(ctx); err != nil {
			return nil, err
		}
	}
	if a.Keys = cfg.Keys; a.Keys == nil {
		if a.Keys, err = seal.Load(cfg.DataDir); err != nil {
			return nil, err
		}
	}
	params := cfg.AuthParams
	if params == (auth.Params{}) {
		params = auth.DefaultParams
	}
	clock := cfg.Clock
	if clock == nil {
		clock = time.Now
	}
	db := a.DB

	a.Orgs = org.NewStore(db)
	a.Users = auth.NewStore(db, a.Orgs, params)
	a.Files = files.NewStore(db, filepath.Join(cfg.DataDir, "files"))
	a.Workcal = workcal.NewStore(db)
	a.Records = records.NewStore(db, a.Orgs, a.Keys).WithClock(clock)
	var wrongKey *records.WrongKeyError
	if err := a.Records.CheckKey(ctx); errors.As(err, &wrongKey) {
		return nil, fmt.Errorf("the field key (%s or $%s) is not the key the stored identity numbers were sealed with: restore the data directory's %s from backup (%v)",
			filepath.Join("<data>", seal.KeyFile), seal.EnvKey, seal.KeyFile, wrongKey.Err)
	} else if err != nil {
		return nil, err
	}
	a.Care = care.NewStore(db, a.Records, a.Keys).WithClock(clock)
	a.Inspect = inspect.NewStore(db, a.Orgs, a.Records, a.Users, a.Workcal).WithClock(clock)
	// Residents' contacts are sealed at rest, as identity numbers are.
	a.Events = events.NewStore(db, a.Workcal, events.Options{Keys: a.Keys, Clock: clock})
	a.Duty = duty.NewStore(db, a.Orgs).WithClock(clock)
	// Points during approved leave are flagged.
	a.Patrol = patrol.NewStore(db, patrol.Options{Leave: a.Duty, Clock: clock})
	a.Survey = survey.NewStore(db, a.Orgs, a.Records).WithClock(clock)
	a.Facts = facts.NewCollector(db, a.Orgs, a.Records, a.Care, a.Inspect, a.Patrol, a.Events, a.Duty, a.Survey)
	a.Assess = runs.NewStore(db, a.Orgs)

	if err := a.Assess.InstallBuiltins(ctx); err != nil {
		return nil, err
	}
	if err := a.Inspect.InstallQuestions(ctx); err != nil {
		return nil, err
	}
	return a, nil
}

// Close closes the database if New opened it.
func (a *App) Close() error {
	if a.ownsDB {
		return a.DB.Close()
	}
	return nil
}
