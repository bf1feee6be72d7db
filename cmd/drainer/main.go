// Command drainer keeps ECS container instances on EC2 Auto Scaling from
// disappearing with work still on them. Today it carries the version
// subcommand; the emulator, controller and dev subcommands follow.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `drainer drains ECS container instances before EC2 Auto Scaling lets them go.

Usage:
  drainer <command> [flags]

Commands:
  version   print the version and exit
  help      show this help
`

// run dispatches a subcommand and returns the process exit code, so that
// tests can drive the CLI without spawning a process.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "drainer %s\n", version())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "drainer: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}
