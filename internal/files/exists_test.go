package files_test

import (
	"bytes"
	"context"
	"testing"

	"gridwork/internal/files"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

func TestExists(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fs := files.NewStore(db, t.TempDir())
		png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 64)...)
		const other = "0000000000000000000000000000000000000000000000000000000000000000"
		if ok, err := files.Exists(ctx, db.Q(ctx), other); err != nil || ok {
			t.Fatalf("Exists before any upload = %v, %v", ok, err)
		}
		f, err := fs.Put(ctx, "test", "a.png", bytes.NewReader(png))
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := files.Exists(ctx, db.Q(ctx), f.SHA256); err != nil || !ok {
			t.Errorf("Exists(uploaded) = %v, %v", ok, err)
		}
		if ok, err := files.Exists(ctx, db.Q(ctx), other); err != nil || ok {
			t.Errorf("Exists(another) = %v, %v", ok, err)
		}
	})
}
