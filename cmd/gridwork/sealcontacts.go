package main

import (
	"context"
	"fmt"
	"io"
)

// runSealContacts seals the residents' contacts an earlier version stored
// in plain text. It is a one-off command, not a step of every start (as it
// was) nor a migration: the migrations are SQL that runs without the field
// key, and sealing needs the key. Plain values are still read meanwhile,
// and running it twice changes nothing the second time.
func runSealContacts(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("seal-contacts", "Seal residents' contacts (name, phone, email of events) stored in plain text by an earlier version,\nwith the field key of the data directory. Run it once after upgrading; a second run changes nothing.")
	f, err := parseDBOnly(fs, args)
	if err != nil {
		return err
	}
	a, err := f.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	n, err := a.Events.SealStoredContacts(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sealed the contacts of %d events\n", n)
	return nil
}
