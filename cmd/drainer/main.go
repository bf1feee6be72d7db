// Command drainer keeps ECS container instances on EC2 Auto Scaling from
// disappearing with work still on them. Its subcommands run the controller
// (run), ask it to drain an instance (drain, deregister --force), show its
// drains (status, watch), check a setup (doctor), play scenarios in the
// emulated world (dev, sim), serve that world (emulator) and print the
// version.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is a subcommand: what it does, in a line, and how it runs.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

var commands = []command{
	{"run", "run the controller: drain instances before Auto Scaling or Spot takes them", runController},
	{"drain", "ask the running controller to drain an instance (drain i-… --deadline 30m)", runDrain},
	{"deregister", "ask the running controller to take an instance out now (deregister --force i-…)", runDeregister},
	{"status", "show the running controller's drains in progress, with their deadlines", runStatus},
	{"watch", "follow the running controller's drains until none is left", runWatch},
	{"setup", "create drainer's queue, rules and hooks, idempotently, with a plan (or --delete them)", runSetup},
	{"doctor", "check a setup against AWS: lifecycle hooks, queue, protection traps, 100/100 services", runDoctor},
	{"dev", "the emulated world and drainer together, narrating a story (scale-in, Spot, refresh)", runDev},
	{"sim", "play a scenario with drainer at full speed and print a report", runSim},
	{"iam-policy", "print the least-privilege IAM policy of run, lambda or setup, scoped to clusters, groups, queue", runIAMPolicy},
	{"emulator", "serve the emulated AWS world (EC2, Auto Scaling, ECS, SQS, EventBridge) on one endpoint", runEmulator},
	{"version", "print the version and exit", func(_ context.Context, _ []string, stdout, _ io.Writer) int {
		fmt.Fprintf(stdout, "drainer %s\n", version())
		return 0
	}},
}

func usage() string {
	var b strings.Builder
	b.WriteString("drainer drains ECS container instances before EC2 Auto Scaling lets them go.\n\nUsage:\n  drainer <command> [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-10s  %s\n", c.name, c.summary)
	}
	b.WriteString("  help        show this help\n\nRun 'drainer <command> -h' for a command's flags.\n")
	return b.String()
}

// run dispatches a subcommand and returns the process exit code; ctx ends
// on SIGINT/SIGTERM. Tests drive the CLI through it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return 2
	}
	switch args[0] {
	case "--version", "-version":
		args[0] = "version"
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage())
		return 0
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "drainer: unknown command %q\n\n%s", args[0], usage())
	return 2
}
