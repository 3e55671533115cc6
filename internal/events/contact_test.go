package events_test

import (
	"errors"
	"strings"
	"testing"

	"gridwork/internal/events"
	"gridwork/internal/seal"
	"gridwork/internal/seal/sealtest"
	"gridwork/internal/workcal"
)

// TestContactSealed: a resident's contact is stored sealed, read back
// plain; contacts stored in plain text before sealing are read, then
// sealed once by SealStoredContacts; a damaged value is an error, not a
// silent blank.
func TestContactSealed(t *testing.T) {
	eachEnv(t, at("2026-03-02 09:00"), func(t *testing.T, e *env) {
		keys := sealtest.Keys(t, 3)
		// One store seals, one (as before sealing began) does not.
		plain := e.ev
		sealing := events.NewStore(e.db, workcal.NewStore(e.db), events.Options{Keys: keys, Clock: e.now})
		e.ev = sealing
		contact := events.Contact{Name: "张小明", Phone: "13912345678", Email: "zxm@example.cn"}
		sealed := e.report(t, e.centre, events.NewEvent{CategoryCode: "event_garbage", Description: "二号楼北侧垃圾堆放三天未清运",
			GridID: e.g1.ID, Contact: &contact})
		// Stored before sealing began: plain columns.
		e.ev = plain
		legacyContact := events.Contact{Name: "李四", Phone: "13700000000"}
		legacy := e.report(t, e.centre, events.NewEvent{CategoryCode: "event_garbage", Description: "三号楼南侧垃圾堆放两天未清运",
			GridID: e.g2.ID, Contact: &legacyContact})
		e.ev = sealing

		raw := func(id string) (c events.Contact) {
			t.Helper()
			if err := e.db.QueryRowContext(bg, `SELECT contact_name, contact_phone, contact_email FROM events WHERE id = $1`, id).
				Scan(&c.Name, &c.Phone, &c.Email); err != nil {
				t.Fatal(err)
			}
			return c
		}
		isSealed := func(c events.Contact) bool {
			for _, v := range []string{c.Name, c.Phone, c.Email} {
				if v != "" && !strings.HasPrefix(v, "v1.") {
					return false
				}
			}
			return true
		}
		if c := raw(sealed.ID); !isSealed(c) || strings.Contains(c.Phone+c.Name+c.Email, "139") {
			t.Fatalf("stored contact %+v, want sealed", c)
		}
		if c := raw(legacy.ID); c != legacyContact {
			t.Fatalf("legacy row %+v, want plain %+v", c, legacyContact)
		}
		for _, tc := range []struct {
			id   string
			want events.Contact
		}{{sealed.ID, contact}, {legacy.ID, legacyContact}} {
			got, err := e.ev.Get(bg, tc.id)
			if err != nil {
				t.Fatal(err)
			}
			if got.Contact == nil || *got.Contact != tc.want {
				t.Errorf("Get %s: contact %+v, want %+v", tc.id, got.Contact, tc.want)
			}
		}

		n, err := e.ev.SealStoredContacts(bg)
		if err != nil || n != 1 {
			t.Fatalf("SealStoredContacts = %d, %v; want the 1 legacy event", n, err)
		}
		if c := raw(legacy.ID); !isSealed(c) || c.Email != "" {
			t.Errorf("legacy row after sealing %+v", c)
		}
		if n, err := e.ev.SealStoredContacts(bg); err != nil || n != 0 {
			t.Errorf("second SealStoredContacts = %d, %v; want 0", n, err)
		}
		if got, err := e.ev.Get(bg, legacy.ID); err != nil || got.Contact == nil || *got.Contact != legacyContact {
			t.Errorf("legacy after sealing: %+v, %v", got.Contact, err)
		}

		// A sealed value damaged in the database fails the read loudly.
		c := raw(sealed.ID)
		damaged := c.Phone[:len(c.Phone)-4] + "AAAA"
		if _, err := e.db.ExecContext(bg, `UPDATE events SET contact_phone = $1 WHERE id = $2`, damaged, sealed.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.ev.Get(bg, sealed.ID); !errors.Is(err, seal.ErrTampered) {
			t.Errorf("damaged contact: err %v, want ErrTampered", err)
		}
	})
}
