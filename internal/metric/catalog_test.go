package metric

import (
	"strings"
	"testing"
)

// TestNewCatalog: a catalogue value refuses what Define refuses, finds a
// fact by name or alias, and lists its facts by name.
func TestNewCatalog(t *testing.T) {
	for _, tc := range []struct {
		name string
		defs []Def
		want string // error fragment; "" for none
	}{
		{"ok", []Def{{Name: "b.x", Alias: "乙", Kind: Count}, {Name: "a.y", Kind: Rate, Part: "b.x"}}, ""},
		{"empty name", []Def{{Kind: Count}}, "bad fact name"},
		{"space", []Def{{Name: "a b", Kind: Count}}, "bad fact name"},
		{"twice", []Def{{Name: "a.x", Kind: Count}, {Name: "a.x", Kind: Flag}}, "defined twice"},
		{"alias taken", []Def{{Name: "a.x", Alias: "甲", Kind: Count}, {Name: "a.y", Alias: "甲", Kind: Count}}, "already taken"},
		{"alias is a name", []Def{{Name: "a.x", Kind: Count}, {Name: "a.y", Alias: "a.x", Kind: Count}}, "already taken"},
		{"kind", []Def{{Name: "a.x", Kind: "sum"}}, "unknown kind"},
		{"part of itself", []Def{{Name: "a.x", Kind: Count, Part: "a.x"}}, "part of itself"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewCatalog(tc.defs...)
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("NewCatalog: err %v, want %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d, ok := c.Lookup("乙"); !ok || d.Name != "b.x" {
				t.Errorf("Lookup(乙) = %+v, %v", d, ok)
			}
			if _, ok := c.Lookup("test.count"); ok {
				t.Error("a catalogue value holds the process-wide facts")
			}
			if all := c.All(); len(all) != 2 || all[0].Name != "a.y" || all[1].Name != "b.x" {
				t.Errorf("All = %+v", all)
			}
		})
	}
}

// TestCurrent: the process-wide catalogue as a value holds what Define
// defined, including facts defined after an earlier Current.
func TestCurrent(t *testing.T) {
	if d, ok := Current().Lookup("测试计数"); !ok || d.Name != "test.count" {
		t.Fatalf("Current().Lookup(测试计数) = %+v, %v", d, ok)
	}
	Define(Def{Name: "test.current_later", Kind: Count, Doc: "d"})
	if _, ok := Current().Lookup("test.current_later"); !ok {
		t.Error("Current misses a fact defined after it was first built")
	}
	if len(Current().All()) != len(All()) {
		t.Errorf("Current has %d facts, All %d", len(Current().All()), len(All()))
	}
}
