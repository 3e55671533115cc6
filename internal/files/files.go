// Package files keeps photos and documents: content-addressed files on disk
// under the data directory, named by their SHA-256, with a row in the files
// table. A file is stored once however many records use it.
package files

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/store"
)

// MaxSize is the largest file accepted: a phone photo or a scanned lease.
const MaxSize = 10 << 20

// Allowed lists the content types accepted, by what the bytes are (not what
// the client claims).
var Allowed = map[string]string{
	"image/jpeg":      ".jpg",
	"image/png":       ".png",
	"image/webp":      ".webp",
	"application/pdf": ".pdf",
}

// File is a stored file.
type File struct {
	SHA256    string    `json:"sha256"`
	Size      int64     `json:"size"`
	MIME      string    `json:"mime"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// Store keeps files under dir.
type Store struct {
	db  *store.DB
	dir string
}

// NewStore returns a Store keeping its files under dir (created on first
// write).
func NewStore(db *store.DB, dir string) *Store { return &Store{db: db, dir: dir} }

func (s *Store) path(sum string) string { return filepath.Join(s.dir, sum[:2], sum) }

// Put stores the content of r under its hash. Errors: Invalid when the file
// is empty, larger than MaxSize or not an allowed type (the message says
// which types are).
func (s *Store) Put(ctx context.Context, actor, name string, r io.Reader) (File, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return File{}, fmt.Errorf("files: read upload: %w", err)
	}
	if len(data) == 0 {
		return File{}, apperr.Field("file", "is empty")
	}
	if len(data) > MaxSize {
		return File{}, apperr.Field("file", fmt.Sprintf("is larger than %d MiB", MaxSize>>20))
	}
	mime := http.DetectContentType(data)
	if _, ok := Allowed[mime]; !ok {
		return File{}, apperr.Field("file", fmt.Sprintf("is %s; only JPEG, PNG, WebP photos and PDF documents are accepted", mime))
	}
	h := sha256.Sum256(data)
	f := File{SHA256: hex.EncodeToString(h[:]), Size: int64(len(data)), MIME: mime, Name: filepath.Base(name), CreatedAt: store.Now()}
	p := s.path(f.SHA256)
	if _, err := os.Stat(p); err != nil {
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return File{}, fmt.Errorf("files: %w", err)
		}
		tmp, err := os.CreateTemp(filepath.Dir(p), ".upload-*")
		if err != nil {
			return File{}, fmt.Errorf("files: %w", err)
		}
		_, werr := tmp.Write(data)
		cerr := tmp.Close()
		if werr != nil || cerr != nil {
			os.Remove(tmp.Name())
			return File{}, fmt.Errorf("files: write %s: %v %v", p, werr, cerr)
		}
		if err := os.Rename(tmp.Name(), p); err != nil {
			os.Remove(tmp.Name())
			return File{}, fmt.Errorf("files: %w", err)
		}
	}
	_, err = s.db.Q(ctx).ExecContext(ctx, `INSERT INTO files (sha256, size, mime, name, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (sha256) DO NOTHING`, f.SHA256, f.Size, f.MIME, f.Name, f.CreatedAt, actor)
	if err != nil {
		return File{}, fmt.Errorf("files: record %s: %w", f.SHA256, err)
	}
	return f, nil
}

// Open returns the file with hash sum and its content. Errors: NotFound.
func (s *Store) Open(ctx context.Context, sum string) (File, io.ReadCloser, error) {
	var f File
	err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT sha256, size, mime, name, created_at FROM files WHERE sha256 = $1`, sum).
		Scan(&f.SHA256, &f.Size, &f.MIME, &f.Name, &f.CreatedAt)
	if store.IsNoRows(err) {
		return File{}, nil, apperr.New(apperr.NotFound, "no file %s", sum)
	}
	if err != nil {
		return File{}, nil, fmt.Errorf("files: open %s: %w", sum, err)
	}
	rc, err := os.Open(s.path(sum))
	if err != nil {
		return File{}, nil, fmt.Errorf("files: open %s: %w", sum, err)
	}
	return f, rc, nil
}
