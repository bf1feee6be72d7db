package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/drainer-dev/drainer/api"
	"github.com/drainer-dev/drainer/clock"
)

// watchMaxFailures is how many looks in a row may fail before watch gives up.
const watchMaxFailures = 5

// watchOptions are `drainer watch`'s.
type watchOptions struct {
	api      string        // base URL of the controller's API
	interval time.Duration // between two looks at the drains; > 0
	// wait waits d between two looks, or until ctx ends (it then returns
	// ctx's error): on the wall clock by default; tests drive their own.
	wait func(ctx context.Context, d time.Duration) error
	// now is the time deadlines count from when the controller does not
	// say its own.
	now func() time.Time
}

// runWatch is `drainer watch`: a line whenever a drain starts, changes
// phase or finishes, until none is left.
func runWatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	wall := clock.Real{}
	o := watchOptions{wait: func(ctx context.Context, d time.Duration) error { return clock.Sleep(ctx, wall, d) }, now: wall.Now}
	fs := newFlagSet("drainer watch", "Usage: drainer watch [--api URL] [--interval 2s]\n\nFollows the drains of the running controller ('drainer run'): prints a line whenever a drain\nstarts, changes phase or finishes, and ends (exit 0) when no drain is left, or on Ctrl-C.\n", stderr)
	apiFlag(fs, &o.api)
	fs.DurationVar(&o.interval, "interval", 2*time.Second, "time between two looks at the controller's drains")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if o.interval <= 0 {
		return usageError(fs, "--interval %s: want a positive duration such as 2s", o.interval)
	}
	return o.run(ctx, stdout, stderr)
}

// run follows the drains; it returns the exit code.
func (o watchOptions) run(ctx context.Context, stdout, stderr io.Writer) int {
	return withAPI("drainer watch", o.api, stderr, func(c *api.Client) error {
		return o.follow(ctx, c, stdout, stderr)
	})
}

// follow prints the drains, then what changes at each look, until none is
// left or ctx ends (nil), or watchMaxFailures looks in a row failed.
func (o watchOptions) follow(ctx context.Context, c *api.Client, stdout, stderr io.Writer) error {
	l, err := lookAtDrains(ctx, c, o.now)
	if err != nil {
		return err
	}
	// Times are the controller's (under drainer dev, the world's).
	now := l.Now
	stamp := func() string { return now.UTC().Format("15:04:05") }
	if len(l.Drains) == 0 {
		fmt.Fprintf(stdout, "%s no drains in progress\n", stamp())
		return nil
	}
	prev := l.Drains
	for _, d := range prev {
		fmt.Fprintf(stdout, "%s %s draining: %s\n", stamp(), d.InstanceID, describeDrain(d, now))
	}
	failures := 0
	for {
		if o.wait(ctx, o.interval) != nil {
			break
		}
		l, err := lookAtDrains(ctx, c, o.now)
		if ctx.Err() != nil {
			break
		}
		if err != nil {
			failures++
			if failures >= watchMaxFailures {
				return fmt.Errorf("giving up after %d failed looks in a row, the last: %w", failures, err)
			}
			fmt.Fprintf(stderr, "drainer watch: %v\n", err)
			continue
		}
		failures = 0
		now = l.Now
		for _, line := range drainChanges(prev, l.Drains, now) {
			fmt.Fprintf(stdout, "%s %s\n", stamp(), line)
		}
		prev = l.Drains
		if len(prev) == 0 {
			fmt.Fprintf(stdout, "%s all drains finished\n", stamp())
			return nil
		}
	}
	fmt.Fprintf(stdout, "%s stopped watching; %d drain(s) still in progress\n", stamp(), len(prev))
	return nil
}

// drainChanges says, a line each, what changed between two looks at the
// drains: drains started and phases changed (in cur's order), then drains
// finished (in prev's order). Durations count to now.
func drainChanges(prev, cur []api.Drain, now time.Time) []string {
	before := make(map[string]api.Drain, len(prev))
	for _, d := range prev {
		before[d.InstanceID] = d
	}
	still := make(map[string]bool, len(cur))
	var lines []string
	for _, d := range cur {
		still[d.InstanceID] = true
		p, seen := before[d.InstanceID]
		switch {
		case !seen:
			lines = append(lines, fmt.Sprintf("%s drain started: %s", d.InstanceID, describeDrain(d, now)))
		case p.Phase != d.Phase:
			lines = append(lines, fmt.Sprintf("%s phase %s → %s (in drain %s, hard deadline %s)", d.InstanceID, dash(p.Phase), dash(d.Phase), since(d.Started, now), until(d.Deadline, now)))
		}
	}
	for _, p := range prev {
		if !still[p.InstanceID] {
			lines = append(lines, fmt.Sprintf("%s drain finished after %s (last phase %s)", p.InstanceID, since(p.Started, now), dash(p.Phase)))
		}
	}
	return lines
}

// describeDrain is one drain in a line: where, why, phase and deadlines.
func describeDrain(d api.Drain, now time.Time) string {
	s := ""
	if d.Cluster != "" {
		s = "cluster " + d.Cluster + ", "
	}
	s += fmt.Sprintf("reason %s, phase %s, in drain %s, graceful %s, hard deadline %s", dash(d.Reason), dash(d.Phase), since(d.Started, now), until(d.GracefulUntil, now), until(d.Deadline, now))
	if d.TasksLeft != nil {
		s += ", tasks left: " + tasksLeft(d.TasksLeft)
	}
	return s
}
