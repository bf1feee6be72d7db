package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/drainer-dev/drainer/api"
	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/drainview"
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
	if code, ok := parseAPI(fs, &o.api); !ok {
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
	var view drainview.Watch
	c.Now = o.now
	l, err := c.Drains(ctx)
	if err != nil {
		return err
	}
	for failures := 0; ; {
		if err == nil {
			lines, over := view.Look(l)
			for _, line := range lines {
				fmt.Fprintln(stdout, line)
			}
			if over {
				return nil
			}
		}
		if o.wait(ctx, o.interval) != nil {
			break
		}
		var next api.DrainList
		next, err = c.Drains(ctx)
		if ctx.Err() != nil {
			break
		}
		if err != nil {
			if failures++; failures >= watchMaxFailures {
				return fmt.Errorf("giving up after %d failed looks in a row, the last: %w", failures, err)
			}
			fmt.Fprintf(stderr, "drainer watch: %v\n", err)
			continue
		}
		failures, l = 0, next
	}
	fmt.Fprintln(stdout, view.Stopped(l))
	return nil
}
