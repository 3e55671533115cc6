package events_test

import (
	"encoding/json"
	"testing"

	"gridwork/internal/events"
)

// FuzzCategoryLimits: a category's limits as a client sends them either
// decode to usable limits or are refused; decoded limits give every stage
// a valid limit and survive a round trip.
func FuzzCategoryLimits(f *testing.F) {
	f.Add(`{"accept":"2workdays","close":"7 days"}`)
	f.Add(`{"handle":"0hours"}`)
	f.Add(`{"close":"99999wd"}`)
	f.Add(`{"accept":"4h","verify":"1d","dispatch":"3 wd"}`)
	f.Fuzz(func(t *testing.T, text string) {
		var c events.Category
		if err := json.Unmarshal([]byte(`{"limits":`+text+`}`), &c); err != nil {
			return
		}
		for _, st := range events.Stages {
			if l := c.Limit(st); !l.Valid() {
				t.Fatalf("stage %s has limit %+v from %s", st, l, text)
			}
		}
		b, err := json.Marshal(c.Limits)
		if err != nil {
			t.Fatal(err)
		}
		var back events.Category
		if err := json.Unmarshal([]byte(`{"limits":`+string(b)+`}`), &back); err != nil {
			t.Fatalf("round trip of %s: %v", b, err)
		}
		for st, l := range c.Limits {
			if back.Limits[st] != l {
				t.Fatalf("round trip of %s: %s became %+v", b, st, back.Limits[st])
			}
		}
	})
}
