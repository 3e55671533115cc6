// Package sealtest gives tests sealing keys without a key file.
package sealtest

import (
	"bytes"
	"testing"

	"gridwork/internal/seal"
)

// Keys returns keys named "test" whose material is fill repeated: tests that
// need two different key sets pass two fills.
func Keys(tb testing.TB, fill byte) *seal.Keys {
	tb.Helper()
	keys, err := seal.New("test", bytes.Repeat([]byte{fill}, seal.MaterialSize))
	if err != nil {
		tb.Fatal(err)
	}
	return keys
}
