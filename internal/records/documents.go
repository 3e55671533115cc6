package records

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/files"
	"gridwork/internal/store"
)

// Requirement is one item a record of a kind must carry to be complete.
type Requirement struct {
	Kind  string `json:"kind" doc:"person, tenant, house, rental or place"`
	Item  string `json:"item" doc:"e.g. photo, id_copy, lease"`
	Label string `json:"label" doc:"the item's Chinese name"`
}

// requirementKinds maps a requirement kind to the entity whose documents
// satisfy it. A tenant is a person living in a rental; a tenant's item may be
// carried by the person or by the rental (a lease is usually filed once per
// rental).
var requirementKinds = map[string]string{"person": "person", "tenant": "person", "house": "house", "rental": "rental", "place": "place"}

var itemShape = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// Requirements returns the configured requirements, by kind and item.
func (s *Store) Requirements(ctx context.Context) ([]Requirement, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT kind, item, label FROM record_requirements ORDER BY kind, item`)
	if err != nil {
		return nil, fmt.Errorf("records: requirements: %w", err)
	}
	defer rows.Close()
	out := []Requirement{}
	for rows.Next() {
		var r Requirement
		if err := rows.Scan(&r.Kind, &r.Item, &r.Label); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SetRequirements replaces the requirements of one kind. Errors: Invalid
// naming the bad entry.
func (s *Store) SetRequirements(ctx context.Context, actor, kind string, items []Requirement) error {
	if _, ok := requirementKinds[kind]; !ok {
		return apperr.Field("kind", fmt.Sprintf("%q is not person, tenant, house, rental or place", kind))
	}
	var bad []apperr.FieldError
	seen := map[string]bool{}
	for i, r := range items {
		if !itemShape.MatchString(r.Item) {
			bad = append(bad, apperr.FieldError{Field: fmt.Sprintf("items[%d].item", i), Reason: fmt.Sprintf("%q must be lower-case letters, digits and _", r.Item)})
		}
		if seen[r.Item] {
			bad = append(bad, apperr.FieldError{Field: fmt.Sprintf("items[%d].item", i), Reason: fmt.Sprintf("%q is listed twice", r.Item)})
		}
		seen[r.Item] = true
		if strings.TrimSpace(r.Label) == "" {
			bad = append(bad, apperr.FieldError{Field: fmt.Sprintf("items[%d].label", i), Reason: "is required"})
		}
	}
	if len(bad) > 0 {
		return apperr.InvalidFields("cannot set requirements of "+kind, bad...)
	}
	return audit.Write(ctx, s.db, func(tx store.Tx) error {
		before, err := s.Requirements(store.WithTx(ctx, tx))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM record_requirements WHERE kind = $1`, kind); err != nil {
			return fmt.Errorf("records: set requirements: %w", err)
		}
		for _, r := range items {
			if _, err := tx.ExecContext(ctx, `INSERT INTO record_requirements (kind, item, label) VALUES ($1, $2, $3)`, kind, r.Item, strings.TrimSpace(r.Label)); err != nil {
				return fmt.Errorf("records: set requirements: %w", err)
			}
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "set_requirements", Entity: "record_requirements", EntityID: kind, Before: before, After: items})
		return err
	})
}

// Document is one item a record carries.
type Document struct {
	Item   string `json:"item"`
	SHA256 string `json:"sha256"`
}

// entityTables maps an entity name to its table.
var entityTables = map[string]string{"person": "people", "house": "houses", "rental": "rentals", "place": "places"}

// Attach files a stored file (by hash) as item of a record, replacing an
// earlier file for the same item. Errors: Invalid, NotFound.
func (s *Store) Attach(ctx context.Context, actor, entity, id, item, sha string) error {
	table, ok := entityTables[entity]
	if !ok {
		return apperr.Field("entity", fmt.Sprintf("%q is not person, house, rental or place", entity))
	}
	if !itemShape.MatchString(item) {
		return apperr.Field("item", fmt.Sprintf("%q must be lower-case letters, digits and _", item))
	}
	return audit.Write(ctx, s.db, func(tx store.Tx) error {
		var grid string
		err := tx.QueryRowContext(ctx, fmt.Sprintf(`SELECT grid_id FROM %s WHERE id = $1`, table), id).Scan(&grid)
		if store.IsNoRows(err) {
			return apperr.New(apperr.NotFound, "no %s %s", entity, id)
		}
		if err != nil {
			return fmt.Errorf("records: attach: %w", err)
		}
		uploaded, err := files.Exists(ctx, tx, sha)
		if err != nil {
			return fmt.Errorf("records: attach: %w", err)
		}
		if !uploaded {
			return apperr.Field("sha256", "no uploaded file "+sha+"; upload it first")
		}
		now := s.now()
		_, err = tx.ExecContext(ctx, `INSERT INTO record_documents (entity, entity_id, item, sha256, added_at, added_by) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (entity, entity_id, item) DO UPDATE SET sha256 = excluded.sha256, added_at = excluded.added_at, added_by = excluded.added_by`,
			entity, id, item, sha, now, actor)
		if err != nil {
			return fmt.Errorf("records: attach: %w", err)
		}
		if err := logChange(ctx, tx, entity, id, grid, "update", s.today(), now, actor, []string{"document:" + item}); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "attach", Entity: entity, EntityID: id, After: Document{Item: item, SHA256: sha}})
		return err
	})
}

// Documents returns the items a record carries.
func (s *Store) Documents(ctx context.Context, entity, id string) ([]Document, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT item, sha256 FROM record_documents WHERE entity = $1 AND entity_id = $2 ORDER BY item`, entity, id)
	if err != nil {
		return nil, fmt.Errorf("records: documents: %w", err)
	}
	defer rows.Close()
	out := []Document{}
	for rows.Next() {
		var d Document
		if err := rows.Scan(&d.Item, &d.SHA256); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Missing returns the required items a record lacks: for a person, the
// person items, and also the tenant items while they rent (carried by the
// person or by the rental).
func (s *Store) Missing(ctx context.Context, entity, id string) ([]string, error) {
	reqs, err := s.Requirements(ctx)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	docs, err := s.Documents(ctx, entity, id)
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		have[d.Item] = true
	}
	kinds := map[string]bool{entity: true}
	if entity == "person" {
		var rental string
		err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT rental_id FROM rental_tenants WHERE person_id = $1 AND to_on IS NULL`, id).Scan(&rental)
		if err == nil {
			kinds["tenant"] = true
			rdocs, err := s.Documents(ctx, "rental", rental)
			if err != nil {
				return nil, err
			}
			for _, d := range rdocs {
				if !have[d.Item] {
					have["rental:"+d.Item] = true
				}
			}
		} else if !store.IsNoRows(err) {
			return nil, fmt.Errorf("records: missing: %w", err)
		}
	}
	var out []string
	seen := map[string]bool{}
	for _, r := range reqs {
		if !kinds[r.Kind] || seen[r.Item] {
			continue
		}
		seen[r.Item] = true
		if have[r.Item] || (r.Kind == "tenant" && have["rental:"+r.Item]) {
			continue
		}
		out = append(out, r.Item)
	}
	return out, nil
}
