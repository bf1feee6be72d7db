package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// A subcommand reads its flags in three steps:
//
//	fs := newFlagSet("drainer status", "Usage: drainer status [--json]\n\nShows …\n", stderr)
//	fs.BoolVar(&o.json, "json", false, "…")    // into the command's options struct
//	if code, ok := parse(fs, args); !ok {
//		return code
//	}
//
// then checks what the flag package cannot (ranges, combinations) and
// reports a misuse with usageError.

// newFlagSet returns the flag set of the subcommand name ("drainer
// status"). Its errors go to stderr, and -h or --help prints usage (the
// command line and what the command does, ending in a newline), then
// "Flags:" and the flags with their defaults.
func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "%s\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args, flags only, into fs. When ok is false the command
// ends with code: 0 after -h (usage printed), 2 after a bad flag or an
// argument that is not a flag (why printed to fs.Output()).
func parse(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		return helpOrMisuse(err), false
	}
	if fs.NArg() > 0 {
		return usageError(fs, "unexpected argument %q", fs.Arg(0)), false
	}
	return 0, true
}

// parseArgs parses args into fs, flags before, between or after the
// arguments ("drain i-1 --deadline 30m" as well as "drain --deadline 30m
// i-1"), and returns the arguments in order; everything after "--" is an
// argument. When ok is false the command ends with code: 0 after -h, 2
// after a bad flag.
func parseArgs(fs *flag.FlagSet, args []string) (pos []string, code int, ok bool) {
	for {
		if err := fs.Parse(args); err != nil {
			return nil, helpOrMisuse(err), false
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, 0, true
		}
		// The flag package stops at the first argument, or after "--"
		// (which it drops): then the rest are all arguments.
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), 0, true
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// usageError prints "name: why" to fs.Output() and returns 2, the exit
// code of a misuse.
func usageError(fs *flag.FlagSet, format string, a ...any) int {
	fmt.Fprintf(fs.Output(), "%s: %s\n", fs.Name(), fmt.Sprintf(format, a...))
	return 2
}

// helpOrMisuse is the exit code of a flag parse error: 0 for -h (the
// flag package printed the usage), 2 otherwise (it printed why).
func helpOrMisuse(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}
