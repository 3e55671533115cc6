package runs

import (
	"context"
	"sort"

	"gridwork/internal/facts"
	"gridwork/internal/metric"
	"gridwork/internal/org"
	"gridwork/internal/scheme"
)

// Inputs reads what a run of sch over span for the subtree of unitID
// needs: the subjects, the stored facts the scheme reads, and the confirmed
// findings.
func (s *Store) Inputs(ctx context.Context, sch *scheme.Program, span scheme.Span, unitID string) ([]scheme.Input, error) {
	last := span.Last()
	units, _, err := s.org.ListUnits(ctx, org.UnitQuery{On: last, WithinID: unitID, WithoutGeometry: true})
	if err != nil {
		return nil, err
	}
	byID := map[string]org.Unit{}
	for _, u := range units {
		byID[u.ID] = u
	}
	communityOf := func(id string) org.Unit {
		for u, ok := byID[id]; ok; u, ok = byID[u.ParentID] {
			if u.Level == org.Community {
				return u
			}
		}
		return org.Unit{}
	}
	var subjects []scheme.Subject
	for _, spec := range sch.Subjects {
		switch spec.Kind {
		case scheme.Community:
			for _, u := range units {
				if u.Level == org.Community {
					subjects = append(subjects, scheme.Subject{Kind: scheme.Community, ID: u.ID, Name: u.Name, Community: u.ID, CommunityName: u.Name})
				}
			}
		case scheme.Worker:
			ws, err := s.workerSubjects(ctx, span, unitID, spec, byID, communityOf)
			if err != nil {
				return nil, err
			}
			subjects = append(subjects, ws...)
		}
	}
	names := sch.Facts()
	months := span.Months()
	// byKey[kind/id][month] → Facts
	byKey := map[string][]scheme.Facts{}
	for mi, m := range months {
		if err := facts.Read(ctx, s.db.Q(ctx), m, names, func(f metric.Fact) {
			key := string(f.Subject) + "/" + f.SubjectID
			fs := byKey[key]
			if fs == nil {
				fs = make([]scheme.Facts, len(months))
				byKey[key] = fs
			}
			if fs[mi] == nil {
				fs[mi] = scheme.Facts{}
			}
			fs[mi][f.Name] = f
		}); err != nil {
			return nil, err
		}
	}
	findings, err := s.confirmedFindings(ctx, months)
	if err != nil {
		return nil, err
	}
	empty := make([]scheme.Facts, len(months))
	inputs := make([]scheme.Input, len(subjects))
	for i, sub := range subjects {
		in := scheme.Input{Subject: sub}
		switch sub.Kind {
		case scheme.Worker:
			in.Months = byKey["worker/"+sub.ID]
			in.Community = byKey["unit/"+sub.Community]
		case scheme.Community:
			in.Months = byKey["unit/"+sub.ID]
			in.Community = in.Months
		}
		if in.Months == nil {
			in.Months = empty
		}
		if in.Community == nil {
			in.Community = empty
		}
		in.Findings = findings[string(sub.Kind)+"/"+sub.ID]
		inputs[i] = in
	}
	return inputs, nil
}

// workerSubjects lists the workers a scheme assesses in the subtree: in
// one of the spec's posts, joined by the span's last day and not gone
// before its first; with the grid they answered for and its community.
func (s *Store) workerSubjects(ctx context.Context, span scheme.Span, unitID string, spec scheme.SubjectSpec, units map[string]org.Unit, communityOf func(string) org.Unit) ([]scheme.Subject, error) {
	ws, _, err := s.org.ListWorkers(ctx, org.WorkerQuery{WithinID: unitID, On: span.Last()})
	if err != nil {
		return nil, err
	}
	posts := spec.Posts
	if len(posts) == 0 {
		posts = []string{string(org.GridWorker), string(org.GridLeader), string(org.AreaLeader)}
	}
	owners, err := s.org.GridOwners(ctx, span.First(), span.Last())
	if err != nil {
		return nil, err
	}
	gridOf := map[string]string{}
	grids := make([]string, 0, len(owners))
	for g := range owners {
		grids = append(grids, g)
	}
	sort.Strings(grids)
	for _, g := range grids {
		if w := owners[g].Worker; w != "" {
			if _, ok := gridOf[w]; !ok {
				gridOf[w] = g
			}
		}
	}
	var out []scheme.Subject
	for _, w := range ws {
		keep := false
		for _, p := range posts {
			keep = keep || string(w.Post) == p
		}
		if !keep || w.InPostSince.After(span.Last()) || (!w.LeftPostOn.IsZero() && w.LeftPostOn.Before(span.First())) {
			continue
		}
		sub := scheme.Subject{Kind: scheme.Worker, ID: w.ID, Name: w.Name, Employment: string(w.Employment), Post: string(w.Post),
			InPostSince: w.InPostSince, LeftPostOn: w.LeftPostOn}
		if g, ok := gridOf[w.ID]; ok {
			sub.Grid = g
			sub.GridName = units[g].Name
		}
		home := sub.Grid
		if home == "" {
			home = w.HomeUnitID
		}
		c := communityOf(home)
		sub.Community, sub.CommunityName = c.ID, c.Name
		out = append(out, sub)
	}
	return out, nil
}
