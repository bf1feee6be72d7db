package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"

	"github.com/drainer-dev/drainer/assembly"
)

// A subcommand makes its flag set with newFlagSet, binds the flags into
// its options struct, parses with parse (or parseArgs, or a settingFlags'
// parse), then checks what the flag package cannot and reports a misuse
// with usageError.

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

// listen opens a TCP listener on each address (a pair of the flag that set
// it and the address), all or none; the error names the flag.
func listen(addrs ...[2]string) ([]net.Listener, error) {
	var out []net.Listener
	for _, a := range addrs {
		ln, err := net.Listen("tcp", a[1])
		if err != nil {
			for _, l := range out {
				l.Close()
			}
			return nil, fmt.Errorf("listen on %s (%s): %w", a[1], a[0], err)
		}
		out = append(out, ln)
	}
	return out, nil
}

// settingFlags are drainer's settings (assembly.Specs) as flags: run, dev
// and sim register the same ones, with the same defaults, and apply the
// ones given over their base settings.
type settingFlags struct {
	given map[string]string // flag name → value, as given
}

// addSettingFlags registers every setting on fs; env says whether the
// usage names its environment variable (drainer run reads them).
func addSettingFlags(fs *flag.FlagSet, env bool) *settingFlags {
	sf := &settingFlags{given: map[string]string{}}
	def := assembly.DefaultSettings()
	for _, sp := range assembly.Specs {
		usage := sp.Usage
		if d := def.Value(sp.Name); d != "" && sp.Name != "cluster" && d != "false" {
			usage += fmt.Sprintf(" (default %s)", d)
		}
		switch {
		case env && sp.List:
			usage += fmt.Sprintf(" (env %s, comma-separated)", sp.Env)
		case env:
			usage += fmt.Sprintf(" (env %s)", sp.Env)
		}
		set := func(v string) error { // checked once parsed, without the usage text
			if prev, ok := sf.given[sp.Name]; ok && sp.List {
				v = prev + "," + v
			}
			sf.given[sp.Name] = v
			return nil
		}
		if sp.Bool {
			fs.BoolFunc(sp.Name, usage, set)
		} else {
			fs.Func(sp.Name, usage, set)
		}
	}
	return sf
}

// parse is parse, then a check of the settings given (exit 2 if one is
// wrong, with why).
func (sf *settingFlags) parse(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if code, ok := parse(fs, args); !ok {
		return code, false
	}
	if s := assembly.DefaultSettings(); s.Apply(sf.given) != nil {
		return usageError(fs, "%v", s.Apply(sf.given)), false
	}
	return 0, true
}

// envOr returns the environment variable key, or def when it is unset or
// empty.
func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

// awsFlags adds the flags that point a command at AWS (or at `drainer
// emulator`): --region and --endpoint-url.
func awsFlags(fs *flag.FlagSet, region, endpoint *string) {
	fs.StringVar(region, "region", "", "AWS region (default: AWS_REGION or the shared configuration)")
	fs.StringVar(endpoint, "endpoint-url", "", "AWS endpoint for every service, e.g. http://127.0.0.1:4566 for 'drainer emulator' (default: AWS_ENDPOINT_URL, else AWS)")
}
