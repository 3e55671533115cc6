package runs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/metric"
	"gridwork/internal/scheme"
	"gridwork/internal/store"
	"gridwork/schemes"
)

// SchemeVersion is one stored version of a scheme.
type SchemeVersion struct {
	ID        string    `json:"id"`
	Code      string    `json:"code"`
	Version   int       `json:"version"`
	Title     string    `json:"title"`
	Period    string    `json:"period"`
	Builtin   bool      `json:"builtin"`
	SHA256    string    `json:"sha256"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	Body      string    `json:"body,omitempty"`
}

// CheckScheme parses and lints body. A parse error is returned as an
// Invalid error; lint messages come back as they are.
func CheckScheme(body []byte) (*scheme.Scheme, []scheme.Message, error) {
	s, err := scheme.Parse(body)
	if err != nil {
		return nil, nil, apperr.New(apperr.Invalid, "the scheme cannot be read: %v", err)
	}
	return s, scheme.Lint(s, metric.Current()), nil
}

// SaveScheme stores a new scheme version after its check. Saving the same
// text again returns the stored version; another text under a stored code
// and version is a Conflict (raise the version). A scheme with lint errors
// is refused as Invalid, with the messages.
func (s *Store) SaveScheme(ctx context.Context, actor string, body []byte, builtin bool) (SchemeVersion, []scheme.Message, error) {
	sch, msgs, err := CheckScheme(body)
	if err != nil {
		return SchemeVersion{}, nil, err
	}
	if scheme.HasErrors(msgs) {
		var fields []apperr.FieldError
		for _, m := range msgs {
			if m.Severity == scheme.Error {
				fields = append(fields, apperr.FieldError{Field: "line " + m.Pos.String(), Reason: m.Text})
			}
		}
		return SchemeVersion{}, msgs, apperr.InvalidFields("the scheme does not pass its check", fields...)
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	var out SchemeVersion
	err = audit.Write(ctx, s.db, func(tx store.Tx) error {
		cur, err := schemeBy(ctx, tx, "code = $1 AND version = $2", sch.Code, sch.Version)
		if err == nil {
			if cur.SHA256 == hash {
				out = cur
				return nil
			}
			return apperr.New(apperr.Conflict, "scheme %s version %d is already stored with other text: raise the version", sch.Code, sch.Version)
		}
		if apperr.CodeOf(err) != apperr.NotFound {
			return err
		}
		out = SchemeVersion{ID: store.NewID(), Code: sch.Code, Version: sch.Version, Title: sch.Title,
			Period: string(sch.Period), Builtin: builtin, SHA256: hash, CreatedBy: actor, CreatedAt: store.Now(), Body: string(body)}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schemes (id, code, version, title, period, body, sha256, builtin, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, out.ID, out.Code, out.Version, out.Title, out.Period, out.Body, out.SHA256,
			out.Builtin, out.CreatedBy, out.CreatedAt); err != nil {
			return fmt.Errorf("assess: save scheme: %w", err)
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "create", Entity: "scheme", EntityID: out.ID,
			After: map[string]any{"code": out.Code, "version": out.Version, "sha256": out.SHA256}})
		return err
	})
	return out, msgs, err
}

// InstallBuiltins stores every built-in template (schemes/*.yaml) that is
// not stored yet. It is safe to call at every start.
func (s *Store) InstallBuiltins(ctx context.Context) error {
	// One query at start; only a template not stored yet is parsed, checked
	// and stored.
	stored, err := store.All(ctx, s.db.Q(ctx), "scheme hashes", `SELECT sha256 FROM schemes`, nil, func(row store.Row) (string, error) {
		var h string
		return h, row.Scan(&h)
	})
	if err != nil {
		return fmt.Errorf("assess: built-in templates: %w", err)
	}
	for _, name := range schemes.Names() {
		body, err := schemes.Read(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		if slices.Contains(stored, hex.EncodeToString(sum[:])) {
			continue
		}
		if _, _, err := s.SaveScheme(ctx, "system", body, true); err != nil {
			return fmt.Errorf("assess: built-in template %s: %w", name, err)
		}
	}
	return nil
}

const schemeColumns = `id, code, version, title, period, builtin, sha256, created_by, created_at`

func scanScheme(row store.Row) (SchemeVersion, error) {
	var v SchemeVersion
	err := row.Scan(&v.ID, &v.Code, &v.Version, &v.Title, &v.Period, &v.Builtin, &v.SHA256, &v.CreatedBy, &v.CreatedAt)
	return v, err
}

// schemeBy returns the latest version matching where, with its body.
func schemeBy(ctx context.Context, q store.Queryer, where string, args ...any) (SchemeVersion, error) {
	var v SchemeVersion
	err := q.QueryRowContext(ctx, `SELECT `+schemeColumns+`, body FROM schemes WHERE `+where+` ORDER BY version DESC LIMIT 1`, args...).Scan(
		&v.ID, &v.Code, &v.Version, &v.Title, &v.Period, &v.Builtin, &v.SHA256, &v.CreatedBy, &v.CreatedAt, &v.Body)
	if store.IsNoRows(err) {
		return v, apperr.New(apperr.NotFound, "no such scheme")
	}
	if err != nil {
		return v, fmt.Errorf("assess: scheme: %w", err)
	}
	return v, nil
}

// Schemes lists every stored scheme version, without bodies.
func (s *Store) Schemes(ctx context.Context) ([]SchemeVersion, error) {
	return store.All(ctx, s.db.Q(ctx), "schemes", `SELECT `+schemeColumns+` FROM schemes ORDER BY code, version`, nil, scanScheme)
}

// Scheme returns a stored scheme by id, by code (its latest version) or by
// "code@version", parsed. Errors: NotFound.
func (s *Store) Scheme(ctx context.Context, ref string) (SchemeVersion, *scheme.Scheme, error) {
	q := s.db.Q(ctx)
	var v SchemeVersion
	var err error
	if code, ver, ok := strings.Cut(ref, "@"); ok {
		v, err = schemeBy(ctx, q, "code = $1 AND CAST(version AS TEXT) = $2", code, ver)
	} else {
		v, err = schemeBy(ctx, q, "id = $1 OR code = $1", ref)
	}
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return v, nil, apperr.New(apperr.NotFound, "no scheme %q (give its id, its code, or code@version)", ref)
		}
		return v, nil, err
	}
	sch, err := scheme.Parse([]byte(v.Body))
	if err != nil {
		return v, nil, fmt.Errorf("assess: stored scheme %s: %w", v.ID, err)
	}
	return v, sch, nil
}
