package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/controller"
	"github.com/drainer-dev/drainer/sim"
)

// simOptions are `drainer sim`'s flags.
type simOptions struct {
	scenario string
	queue    string
	runFor   time.Duration
	json     bool
	seed     uint64
	// ecs plays with ECS's managed draining instead of drainer (--preset
	// ecs-managed); compare plays both ways.
	ecs, compare bool
	settings     *settingFlags
}

const simUsage = `Usage: drainer sim --scenario FILE [flags]

Plays a scenario with drainer in the emulated world as fast as events allow and reports
drain time over the floor, time to empty, standalone tasks stopped, drainer's overhead, API
calls per drained instance, hook timeouts and the invariants. drainer runs exactly as
'drainer run' does (its scans, its long-polling queue consumer, its event publisher), on the
world's virtual clock. Its settings are drainer run's flags, with the same defaults; the
scenario's 'drainer:' block sets them too, and flags given here win. It exits 1 when an
invariant broke or a step of the scenario's timeline failed (the report lists the failed steps,
and stderr says which: the run was not the scenario as written).

--preset ecs-managed plays the same world with ECS's own managed instance draining instead
of drainer: drainer's hooks removed, every group behind a capacity provider with managed
draining on, and no drainer running. --compare plays it both ways and prints them side by
side. ECS may hold an instance for 48 hours: give --for long enough to see its drains end.
`

func parseSim(args []string, stderr io.Writer) (o simOptions, code int, ok bool) {
	fs := newFlagSet("drainer sim", simUsage, stderr)
	fs.StringVar(&o.scenario, "scenario", "", "scenario file (.yaml, .yml or .json); required")
	fs.StringVar(&o.queue, "queue", "drainer", "the scenario queue drainer reads")
	fs.DurationVar(&o.runFor, "for", 0, "virtual time to play (default: the timeline's end plus 2h)")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	fs.Uint64Var(&o.seed, "seed", 0, "override the scenario's seed (0: the scenario's own)")
	fs.BoolVar(&o.compare, "compare", false, "play the scenario with drainer and with ECS's managed instance draining, and report both side by side")
	o.settings = addSettingFlags(fs, false)
	fs.Lookup("preset").Usage = "who drains: default (drainer, with its own policy) or ecs-managed (ECS's managed instance draining instead of drainer: no drainer runs)"
	if code, ok := o.settings.parse(fs, args); !ok {
		return o, code, false
	}
	if o.settings.given["preset"] == controller.PresetECSManaged {
		// ECS drains, not drainer under a policy like ECS's.
		o.ecs = true
		delete(o.settings.given, "preset")
	}
	switch {
	case o.scenario == "":
		return o, usageError(fs, "--scenario FILE is required"), false
	case o.runFor < 0:
		return o, usageError(fs, "--for %v: want a positive duration (or none: the timeline's end plus 2h)", o.runFor), false
	case o.ecs && o.compare:
		return o, usageError(fs, "--compare plays both drainer and ECS's managed draining; --preset ecs-managed plays ECS's alone: give one"), false
	}
	return o, 0, true
}

// runSim plays a scenario in the emulated world at full speed (virtual
// time), with drainer, with ECS's managed draining, or both, and prints
// the report: drain time over the floor set by the tasks themselves, time
// to empty, standalone tasks stopped, API calls, hook timeouts and the
// invariants of DESIGN.md §7. It exits 1 if an invariant broke, or if a
// step of the scenario's timeline failed (the run was then not the
// scenario as written), saying which on stderr.
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
	opts := sim.PlayOptions{Queue: o.queue, Settings: &settings, Logger: warnings(stderr), For: o.runFor}
	var out interface{ WriteText(io.Writer) }
	var violations int
	var failed string // which timeline steps failed, "" for none
	switch {
	case o.compare:
		c, err := sim.Compare(ctx, sc, opts)
		if err != nil {
			fmt.Fprintf(stderr, "drainer sim: %v\n", err)
			return 1
		}
		out, violations, failed = c, c.Violations(), c.FailedStepsText()
	default:
		play := sim.Play
		if o.ecs {
			play = sim.PlayECS
		}
		rep, err := play(ctx, sc, opts)
		if err != nil {
			fmt.Fprintf(stderr, "drainer sim: %v\n", err)
			return 1
		}
		out, violations, failed = rep, len(rep.Violations), rep.FailedStepsText()
	}
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "drainer sim: %v\n", err)
			return 1
		}
	} else {
		out.WriteText(stdout)
	}
	if failed != "" {
		fmt.Fprintf(stderr, "drainer sim: %s\n", strings.ReplaceAll(failed, "\n", "\ndrainer sim: "))
	}
	if violations > 0 || failed != "" {
		return 1
	}
	return 0
}
