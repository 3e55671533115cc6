// Package runs stores what the assessment does with schemes: scheme
// versions, immutable runs with their inputs and results, the league
// table, explanations, manual findings, appeals, escalations and the
// payroll, and writes a run's notice, payroll and explanations. The
// scoring itself is package scheme's; the facts a run reads are package
// facts', the org tree package org's.
package runs

import (
	"context"

	"gridwork/internal/apperr"
	"gridwork/internal/metric"
	"gridwork/internal/org"
	"gridwork/internal/scheme"
	"gridwork/internal/store"
)

// Store keeps schemes, runs, findings, appeals and escalations.
type Store struct {
	db  *store.DB
	org *org.Store
}

// NewStore returns a Store. Schemes are compiled against the process-wide
// fact catalogue (metric.Current), which the domain packages have filled
// by the time a store is used.
func NewStore(db *store.DB, orgs *org.Store) *Store { return &Store{db: db, org: orgs} }

// compile compiles a scheme for a run; a stored scheme that no longer
// passes its check (a fact it names has gone) is Invalid.
func compile(sch *scheme.Scheme) (*scheme.Program, error) {
	p, err := scheme.Compile(sch, metric.Current())
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "%v", err)
	}
	return p, nil
}

// program returns a stored scheme (Scheme) compiled.
func (s *Store) program(ctx context.Context, ref string) (SchemeVersion, *scheme.Program, error) {
	v, sch, err := s.Scheme(ctx, ref)
	if err != nil {
		return v, nil, err
	}
	p, err := compile(sch)
	return v, p, err
}
