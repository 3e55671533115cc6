package org

// WorkersInSubtree returns a condition that keeps the rows whose column col
// names a worker whose home unit lies in the subtree "sub" of SubtreeCTE,
// which the query must carry: for other packages' lists of workers' records
// scoped to a subtree, without naming this package's tables.
func WorkersInSubtree(col string) string {
	return col + ` IN (SELECT w.id FROM workers w WHERE w.home_unit_id IN (SELECT id FROM sub))`
}
