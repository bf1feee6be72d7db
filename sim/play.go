package sim

import (
	"context"
	"log/slog"
	"time"

	"github.com/drainer-dev/drainer/assembly"
	"github.com/drainer-dev/drainer/emulator/scenario"
)

// DefaultTail is how long a play goes on after the scenario's timeline
// ends unless told otherwise (PlayOptions.For).
const DefaultTail = 2 * time.Hour

// PlayOptions configure Play, PlayECS and Compare.
type PlayOptions struct {
	// Queue is the scenario queue drainer reads; "" reads none.
	Queue string
	// Settings are drainer's settings; nil means the scenario's `drainer:`
	// settings over assembly.DefaultSettings. Their Hooks are drainer's
	// hooks, which a play with ECS's managed draining removes.
	Settings *assembly.Settings
	// Logger takes drainer's logs; nil discards them.
	Logger *slog.Logger
	// For is the virtual time to play; 0 or less means the timeline's end
	// plus DefaultTail.
	For time.Duration
}

// length is the virtual time to play sc for.
func (o PlayOptions) length(sc *scenario.Scenario) time.Duration {
	if o.For > 0 {
		return o.For
	}
	return sc.End() + DefaultTail
}

// settings are the drainer settings of a play of sc.
func (o PlayOptions) settings(sc *scenario.Scenario) (assembly.Settings, error) {
	if o.Settings != nil {
		return *o.Settings, nil
	}
	return Settings(sc)
}

// Play plays sc with drainer, as `drainer run` runs, for opts.For of
// virtual time, as fast as events allow, and returns what it measured
// (PartyDrainer). When ctx ends the play stops there, and the report
// tells what was measured by then. The error is the world's or drainer's
// failure to start.
func Play(ctx context.Context, sc *scenario.Scenario, opts PlayOptions) (Report, error) {
	settings, err := opts.settings(sc)
	if err != nil {
		return Report{}, err
	}
	h, err := New(sc, Options{Queue: opts.Queue, Settings: &settings, Logger: opts.Logger})
	if err != nil {
		return Report{}, err
	}
	defer h.Stop()
	rec := Record(h, h.Drainer.Policy)
	start, wall := h.World.Now(), time.Now()
	h.RunUntil(start.Add(opts.length(sc)), func() bool { return ctx.Err() != nil })
	rep := rec.Finish(sc.Name, time.Since(wall), h.World.Now().Sub(start))
	rep.FailedSteps = h.Run.Errors()
	return rep, nil
}

// PlayECS plays sc with ECS's managed instance draining in the place of
// drainer (NewECSRun, removing the hooks of drainer's settings), for
// opts.For of virtual time, and returns what it measured (PartyECS,
// judged by ECSRules). ctx ends it early as it does Play. The error says
// why the scenario cannot be played so (scenario.ECSManaged).
func PlayECS(ctx context.Context, sc *scenario.Scenario, opts PlayOptions) (Report, error) {
	settings, err := opts.settings(sc)
	if err != nil {
		return Report{}, err
	}
	e, err := NewECSRun(sc, settings.Hooks)
	if err != nil {
		return Report{}, err
	}
	start, wall := e.World.Now(), time.Now()
	e.RunUntil(start.Add(opts.length(sc)), func() bool { return ctx.Err() != nil })
	rep := e.Report(sc.Name, time.Since(wall), e.World.Now().Sub(start))
	rep.FailedSteps = e.Run.Errors()
	return rep, nil
}
