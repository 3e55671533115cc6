//go:build !race

package api_test

// raceSlowdown scales the concurrency test's time limits under the race
// detector.
const raceSlowdown = 1
