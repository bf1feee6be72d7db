// Command drainer keeps ECS container instances on EC2 Auto Scaling from
// disappearing with work still on them. Its subcommands serve the emulated
// AWS world (emulator), run the controller (run), ask it to drain an
// instance (drain, deregister --force), play scenarios (sim) and print the
// version.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `drainer drains ECS container instances before EC2 Auto Scaling lets them go.

Usage:
  drainer <command> [flags]

Commands:
  run         run the controller: drain instances before Auto Scaling or Spot takes them
  drain       ask the running controller to drain an instance (drain i-… --deadline 30m)
  deregister  ask the running controller to take an instance out now (deregister --force i-…)
  status      show the running controller's drains in progress, with their deadlines
  watch       follow the running controller's drains until none is left
  doctor      check a setup against AWS: lifecycle hooks, queue, protection traps, 100/100 services
  dev         the emulated world and drainer together, narrating a story (scale-in, Spot, refresh)
  sim         play a scenario with drainer at full speed and print a report
  emulator    serve the emulated AWS world (EC2, Auto Scaling, ECS, SQS, EventBridge) on one endpoint
  version     print the version and exit
  help        show this help

Run 'drainer <command> -h' for a command's flags.
`

// run dispatches a subcommand and returns the process exit code; ctx ends
// on SIGINT/SIGTERM. Tests drive the CLI through it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "run":
		return runController(ctx, args[1:], stdout, stderr)
	case "drain":
		return runDrain(ctx, args[1:], stdout, stderr)
	case "deregister":
		return runDeregister(ctx, args[1:], stdout, stderr)
	case "status":
		return runStatus(ctx, args[1:], stdout, stderr)
	case "watch":
		return runWatch(ctx, args[1:], stdout, stderr)
	case "doctor":
		return runDoctor(ctx, args[1:], stdout, stderr)
	case "sim":
		return runSim(ctx, args[1:], stdout, stderr)
	case "dev":
		return runDev(ctx, args[1:], stdout, stderr)
	case "emulator":
		return runEmulator(ctx, args[1:], stdout, stderr)
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
