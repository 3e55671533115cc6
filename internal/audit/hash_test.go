package audit

import (
	"regexp"
	"testing"
)

func ptr(s string) *string { return &s }

func baseRow() Row {
	return Row{
		Seq:        7,
		At:         "2026-03-01T08:00:00.123456Z",
		Actor:      "u1",
		Action:     "update",
		Entity:     "grid",
		EntityID:   "g1",
		BeforeJSON: ptr(`{"name":"一网格"}`),
		AfterJSON:  ptr(`{"name":"二网格"}`),
		PrevHash:   GenesisHash,
	}
}

// The encoding is part of the stored data: changing it breaks every chain
// already written. This pins it.
// The values were computed independently (Python hashlib) from the encoding
// documented on Hash.
func TestHashIsStable(t *testing.T) {
	withNull := Row{
		Seq: 1, At: "2026-03-01T08:00:00.000000Z", Actor: "system", Action: "create",
		Entity: "user", EntityID: "admin", AfterJSON: ptr(`{"id":"admin"}`), PrevHash: GenesisHash,
	}
	tests := []struct {
		name string
		row  Row
		want string
	}{
		{"before and after", baseRow(), "7f54c8d73b0d3bfcdd4df37a2723d32c0268526813da84f196da135f9b1f1ee1"},
		{"NULL before", withNull, "2a1f7df77bc8eb87b84892c6d96eaf83657f2f7604a6577230312f987240d056"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Hash(tc.row); got != tc.want {
				t.Fatalf("Hash = %s, want %s: the chain encoding changed", got, tc.want)
			}
		})
	}
}

func TestHashIgnoresStoredHash(t *testing.T) {
	a, b := baseRow(), baseRow()
	b.Hash = "whatever"
	if Hash(a) != Hash(b) {
		t.Fatal("Hash depends on Row.Hash")
	}
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(Hash(a)) {
		t.Fatalf("Hash = %q, want 64 lower-case hex digits", Hash(a))
	}
}

// Every pair must hash differently: boundaries cannot shift between fields,
// and NULL, "" and "null" are three different values.
func TestHashDistinguishes(t *testing.T) {
	tests := []struct {
		name string
		edit func(r *Row)
	}{
		{"seq", func(r *Row) { r.Seq = 8 }},
		{"at", func(r *Row) { r.At = "2026-03-01T08:00:00.123457Z" }},
		{"actor", func(r *Row) { r.Actor = "u2" }},
		{"action", func(r *Row) { r.Action = "create" }},
		{"entity", func(r *Row) { r.Entity = "worker" }},
		{"entity id", func(r *Row) { r.EntityID = "g2" }},
		{"before", func(r *Row) { r.BeforeJSON = ptr(`{"name":"三网格"}`) }},
		{"after", func(r *Row) { r.AfterJSON = ptr(`{}`) }},
		{"prev hash", func(r *Row) { r.PrevHash = "1" + GenesisHash[1:] }},
		{"boundary actor|action", func(r *Row) { r.Actor, r.Action = "u1u", "pdate" }},
		{"boundary entity|id", func(r *Row) { r.Entity, r.EntityID = "gri", "dg1" }},
		{"boundary id|before", func(r *Row) {
			r.EntityID, r.BeforeJSON = `g1{"name":"一网格"}`, ptr("")
		}},
		{"before NULL", func(r *Row) { r.BeforeJSON = nil }},
		{"before empty", func(r *Row) { r.BeforeJSON = ptr("") }},
		{"before null text", func(r *Row) { r.BeforeJSON = ptr("null") }},
		{"before dash", func(r *Row) { r.BeforeJSON = ptr("-") }},
		{"before and after swapped", func(r *Row) { r.BeforeJSON, r.AfterJSON = r.AfterJSON, r.BeforeJSON }},
		{"NULL moved from before to after", func(r *Row) { r.BeforeJSON, r.AfterJSON = ptr(`{"name":"二网格"}`), nil }},
		{"NULL before, after", func(r *Row) { r.BeforeJSON, r.AfterJSON = nil, nil }},
	}
	seen := map[string]string{Hash(baseRow()): "base"}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := baseRow()
			tc.edit(&r)
			h := Hash(r)
			if other, dup := seen[h]; dup {
				t.Fatalf("hash equals that of %q", other)
			}
			seen[h] = tc.name
		})
	}
}

func TestMarshal(t *testing.T) {
	type state struct {
		Name string `json:"name"`
	}
	var nilState *state
	var nilMap map[string]int
	tests := []struct {
		name string
		in   any
		want *string
	}{
		{"nil", nil, nil},
		{"nil pointer", nilState, nil},
		{"nil map", nilMap, nil},
		{"struct", state{"一网格"}, ptr(`{"name":"一网格"}`)},
		{"empty string", "", ptr(`""`)},
		{"string null", "null", ptr(`"null"`)},
		{"number", 3, ptr(`3`)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := marshal("Before", tc.in)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case got == nil && tc.want == nil:
			case got == nil || tc.want == nil || *got != *tc.want:
				t.Fatalf("marshal(%#v) = %v, want %v", tc.in, show(got), show(tc.want))
			}
		})
	}
	if _, err := marshal("After", make(chan int)); err == nil {
		t.Fatal("marshal(chan) succeeded")
	}
}

func show(s *string) string {
	if s == nil {
		return "NULL"
	}
	return *s
}
