package org_test

import (
	"fmt"
	"sync"
	"testing"

	"gridwork/internal/org"
)

// Writers check rules against stored rows before they write. On PostgreSQL
// two concurrent writers would both pass the same check unless org writes
// are serialised; these ran into duplicate codes and a 200 % grid before.
func TestConcurrentWritesKeepTheRules(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		const n = 6
		var wg sync.WaitGroup
		grids := make([]org.Unit, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				grids[i], errs[i] = tw.st.CreateUnit(bg, actor, org.NewUnit{Level: org.Grid, ParentID: tw.community.ID,
					Name: fmt.Sprintf("并发网格%d", i), Geometry: cell(i%Cols, i/Cols), ValidFrom: Start})
			})
		}
		wg.Wait()
		seen := map[string]bool{}
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("grid %d: %v", i, errs[i])
			}
			if seen[grids[i].Code] {
				t.Fatalf("code %s handed out twice", grids[i].Code)
			}
			seen[grids[i].Code] = true
		}

		workers := make([]org.Worker, n)
		for i := range n {
			workers[i] = tw.worker(t, fmt.Sprintf("并发%d", i), tw.community.ID, Start)
		}
		ok := 0
		var mu sync.Mutex
		for i := range n {
			wg.Go(func() {
				_, err := tw.st.Assign(bg, actor, org.NewAssignment{WorkerID: workers[i].ID, GridID: grids[0].ID, Kind: org.Primary, ValidFrom: Start})
				if err == nil {
					mu.Lock()
					ok++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if ok != 1 {
			t.Fatalf("%d concurrent primary assignments to one grid succeeded; want exactly 1", ok)
		}
	})
}
