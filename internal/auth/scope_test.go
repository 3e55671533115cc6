package auth

import "testing"

// A Scope answers from the permissions table alone what does not need the
// tree: whether the scope is everything, the root lists are cut to, and
// whether one sees only one's own records.
func TestScopeFromTheTable(t *testing.T) {
	for _, tc := range []struct {
		user       User
		everywhere bool
		root       string
		own        string
		ownOnly    bool
	}{
		{User{Role: Admin}, true, "", "", false},
		{User{Role: CentreStaff, ScopeUnitID: "street"}, false, "street", "", false},
		{User{Role: CommunityStaff, ScopeUnitID: "community"}, false, "community", "", false},
		{User{Role: Inspector, ScopeUnitID: "street"}, false, "street", "", false},
		{User{Role: GridWorkerRole, ScopeUnitID: "community", WorkerID: "w1"}, false, "community", "w1", true},
	} {
		sc := (&Store{}).ScopeOf(tc.user)
		if got := sc.Everywhere(); got != tc.everywhere {
			t.Errorf("%s: Everywhere = %v, want %v", tc.user.Role, got, tc.everywhere)
		}
		if got := sc.Root(); got != tc.root {
			t.Errorf("%s: Root = %q, want %q", tc.user.Role, got, tc.root)
		}
		if own, only := sc.OwnOnly(); own != tc.own || only != tc.ownOnly {
			t.Errorf("%s: OwnOnly = %q, %v, want %q, %v", tc.user.Role, own, only, tc.own, tc.ownOnly)
		}
	}
}
