package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/drainer-dev/drainer/sim"
)

// simOptions are `drainer sim`'s flags.
type simOptions struct {
	scenario string
	queue    string
	runFor   time.Duration
	json     bool
	seed     uint64
	settings *settingFlags
}

const simUsage = `Usage: drainer sim --scenario FILE [flags]

Plays a scenario with drainer in the emulated world as fast as events allow and reports
drain time over the floor, drainer's overhead, API calls per drained instance and the
invariants. drainer runs exactly as 'drainer run' does (its scans, its long-polling queue
consumer, its event publisher), on the world's virtual clock. Its settings are drainer run's
flags, with the same defaults; the scenario's 'drainer:' block sets them too, and flags given
here win.
`

func parseSim(args []string, stderr io.Writer) (o simOptions, code int, ok bool) {
	fs := newFlagSet("drainer sim", simUsage, stderr)
	fs.StringVar(&o.scenario, "scenario", "", "scenario file (.yaml, .yml or .json); required")
	fs.StringVar(&o.queue, "queue", "drainer", "the scenario queue drainer reads")
	fs.DurationVar(&o.runFor, "for", 0, "virtual time to play (default: the timeline's end plus 2h)")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	fs.Uint64Var(&o.seed, "seed", 0, "override the scenario's seed (0: the scenario's own)")
	o.settings = addSettingFlags(fs, false)
	if code, ok := o.settings.parse(fs, args); !ok {
		return o, code, false
	}
	switch {
	case o.scenario == "":
		return o, usageError(fs, "--scenario FILE is required"), false
	case o.runFor < 0:
		return o, usageError(fs, "--for %v: want a positive duration (or none: the timeline's end plus 2h)", o.runFor), false
	}
	return o, 0, true
}

// runSim plays a scenario with drainer in the emulated world at full speed
// (virtual time) and prints a report: drain time over the floor set by the
// tasks themselves, drainer's overhead, API calls per drained instance, and
// the invariants of DESIGN.md §7. It exits 1 if an invariant broke.
func runSim(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, code, ok := parseSim(args, stderr)
	if !ok {
		return code
	}
	sc, settings, err := sim.LoadSettings(o.scenario, o.settings.given)
	if err != nil {
		fmt.Fprintf(stderr, "drainer sim: %v\n", err)
		return 1
	}
	if o.seed != 0 {
		sc.Seed = o.seed
	}
	h, err := sim.New(sc, sim.Options{Queue: o.queue, Settings: &settings, Logger: warnings(stderr)})
	if err != nil {
		fmt.Fprintf(stderr, "drainer sim: %v\n", err)
		return 1
	}
	rec := sim.Record(h, h.Drainer.Policy)
	d := o.runFor
	if d <= 0 {
		d = sc.End() + 2*time.Hour
	}
	start, wall := h.World.Now(), time.Now()
	h.RunUntil(start.Add(d), func() bool { return ctx.Err() != nil })
	rep := rec.Finish(sc.Name, time.Since(wall), h.World.Now().Sub(start))
	if o.json {
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
