package metric

import (
	"fmt"
	"sort"
	"sync"
)

// Catalog is a fixed set of fact definitions, as a value: what a scheme is
// compiled against. The process-wide catalogue that domain packages fill
// with Define is one (Current); a test builds its own with NewCatalog, so
// that it neither depends on nor adds to what the domains define. A
// Catalog never changes once built, so it is safe to share.
type Catalog struct {
	defs    map[string]Def
	aliases map[string]string // alias → name
	sorted  []Def
}

// NewCatalog returns a catalogue of defs, checked as Define checks them:
// an error for an empty or malformed name, a name or alias given twice, an
// unknown kind or a fact that is part of itself.
func NewCatalog(defs ...Def) (*Catalog, error) {
	c := &Catalog{defs: make(map[string]Def, len(defs)), aliases: map[string]string{}}
	taken := func(s string) bool {
		_, n := c.defs[s]
		_, a := c.aliases[s]
		return n || a
	}
	for _, d := range defs {
		switch {
		case d.Name == "" || containsSpace(d.Name):
			return nil, fmt.Errorf("metric: bad fact name %q", d.Name)
		case taken(d.Name):
			return nil, fmt.Errorf("metric: fact defined twice: %s", d.Name)
		case d.Alias != "" && (d.Alias == d.Name || taken(d.Alias)):
			return nil, fmt.Errorf("metric: fact %s: alias %q is already taken", d.Name, d.Alias)
		case d.Part == d.Name:
			return nil, fmt.Errorf("metric: fact %s is part of itself", d.Name)
		}
		switch d.Kind {
		case Count, Rate, Flag, Mean:
		default:
			return nil, fmt.Errorf("metric: fact %s has unknown kind %q", d.Name, d.Kind)
		}
		c.defs[d.Name] = d
		if d.Alias != "" {
			c.aliases[d.Alias] = d.Name
		}
	}
	c.sorted = make([]Def, 0, len(c.defs))
	for _, d := range c.defs {
		c.sorted = append(c.sorted, d)
	}
	sort.Slice(c.sorted, func(i, j int) bool { return c.sorted[i].Name < c.sorted[j].Name })
	return c, nil
}

// MustCatalog is NewCatalog for fixed definitions (tests, examples): it
// panics on an error.
func MustCatalog(defs ...Def) *Catalog {
	c, err := NewCatalog(defs...)
	if err != nil {
		panic(err)
	}
	return c
}

func containsSpace(s string) bool {
	for _, r := range s {
		if r == ' ' || r == '\t' {
			return true
		}
	}
	return false
}

// Lookup returns the fact named name, which may be its Chinese alias.
func (c *Catalog) Lookup(name string) (Def, bool) {
	if d, ok := c.defs[name]; ok {
		return d, true
	}
	if n, ok := c.aliases[name]; ok {
		return c.defs[n], true
	}
	return Def{}, false
}

// All returns every fact of the catalogue, sorted by name. The slice is
// shared: do not change it.
func (c *Catalog) All() []Def { return c.sorted }

// current is the catalogue of what Define has defined so far, rebuilt on
// the first Current after a Define.
var (
	currentMu sync.Mutex
	current   *Catalog
)

// Current returns the process-wide catalogue (every fact Define has
// defined so far) as a value. Domain packages define their facts at
// program start, so a program reads it once they are all imported
// (internal/catalog) and passes it on.
func Current() *Catalog {
	// Locks in Define's order: the definitions, then the built catalogue.
	mu.RLock()
	defer mu.RUnlock()
	currentMu.Lock()
	defer currentMu.Unlock()
	if current == nil {
		all := make([]Def, 0, len(defined))
		for _, d := range defined {
			all = append(all, d)
		}
		c, err := NewCatalog(all...)
		if err != nil {
			panic(err) // Define refuses what NewCatalog would
		}
		current = c
	}
	return current
}

// forgetCurrent drops the built catalogue after a Define.
func forgetCurrent() {
	currentMu.Lock()
	current = nil
	currentMu.Unlock()
}
