package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/drainer-dev/drainer/controller"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator/scenario"
	"github.com/drainer-dev/drainer/sim"
)

// runSim plays a scenario with drainer in the emulated world at full speed
// (virtual time) and prints a report: drain time over the floor set by the
// tasks themselves, drainer's overhead, API calls per drained instance, and
// the invariants of DESIGN.md §7. It exits 1 if an invariant broke.
func runSim(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("drainer sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("scenario", "", "scenario file (.yaml, .yml or .json); required")
	queue := fs.String("queue", "drainer", "the scenario queue drainer reads")
	runFor := fs.Duration("for", 0, "virtual time to play (default: the timeline's end plus 2h)")
	standalone := fs.String("standalone", "", "standalone tasks: wait, stop-at-deadline or stop (default: the preset's)")
	preset := fs.String("preset", controller.PresetDefault, "policy preset: default or ecs-managed (AWS's own managed draining), to compare the two")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	seed := fs.Uint64("seed", 0, "override the scenario's seed")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: drainer sim --scenario FILE [flags]\n\nPlays a scenario with drainer in the emulated world as fast as events allow and reports\ndrain time over the floor, drainer's overhead, API calls per drained instance and the invariants.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *file == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "drainer sim: --scenario FILE is required (and takes no other arguments)")
		return 2
	}
	pol, _, err := controller.Preset(*preset, controller.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "drainer sim: %v\n", err)
		return 2
	}
	if *standalone != "" {
		sp, err := drain.ParseStandalone(*standalone)
		if err != nil {
			fmt.Fprintf(stderr, "drainer sim: %v\n", err)
			return 2
		}
		pol.Standalone = sp
	}
	sc, err := scenario.Load(*file)
	if err != nil {
		fmt.Fprintf(stderr, "drainer sim: %v\n", err)
		return 1
	}
	if *seed != 0 {
		sc.Seed = *seed
	}
	h, err := sim.New(sc, sim.Options{Queue: *queue, Policy: pol})
	if err != nil {
		fmt.Fprintf(stderr, "drainer sim: %v\n", err)
		return 1
	}
	rec := sim.Record(h, pol)
	d := *runFor
	if d <= 0 {
		d = sc.End() + 2*time.Hour
	}
	start, wall := h.World.Now(), time.Now()
	h.RunUntil(start.Add(d), func() bool { return ctx.Err() != nil })
	rep := rec.Finish(sc.Name, time.Since(wall), h.World.Now().Sub(start))
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(stderr, "drainer sim: %v\n", err)
			return 1
		}
	} else {
		rep.WriteText(stdout)
	}
	if len(rep.Violations) > 0 {
		return 1
	}
	return 0
}
