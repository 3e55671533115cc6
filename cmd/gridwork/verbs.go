package main

import (
	"flag"
	"fmt"
	"io"
)

// needVerb checks that a command with sub-commands was given one: none is
// use (a usage error); -h or --help prints help and is flag.ErrHelp.
func needVerb(args []string, stdout io.Writer, use error, help string) error {
	if len(args) == 0 {
		return use
	}
	if args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stdout, help)
		return flag.ErrHelp
	}
	return nil
}

// parseDBOnly gives fs the database flags and parses args with it, for a
// command that takes no other flag.
func parseDBOnly(fs *flag.FlagSet, args []string) (dbFlags, error) {
	var f dbFlags
	f.register(fs)
	return f, parse(fs, args)
}
