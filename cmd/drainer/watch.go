package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"time"
)

// watchWait waits d between two looks at the drains, or until ctx ends;
// tests replace it so that they do not sleep on the wall clock.
var watchWait = func(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// watchMaxFailures is how many looks in a row may fail before watch gives up.
const watchMaxFailures = 5

// runWatch is `drainer watch`: a line whenever a drain starts, changes
// phase or finishes, until none is left.
func runWatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("drainer watch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	apiURL := apiFlag(fs)
	interval := fs.Duration("interval", 2*time.Second, "time between two looks at the controller's drains")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: drainer watch [--api URL] [--interval 2s]\n\nFollows the drains of the running controller ('drainer run'): prints a line whenever a drain\nstarts, changes phase or finishes, and ends (exit 0) when no drain is left, or on Ctrl-C.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return 2
	}
	if *interval <= 0 {
		fmt.Fprintf(stderr, "%s: --interval %s: want a positive duration such as 2s\n", fs.Name(), *interval)
		return 2
	}
	return watchDrains(ctx, *apiURL, *interval, stdout, stderr)
}

func watchDrains(ctx context.Context, base string, interval time.Duration, stdout, stderr io.Writer) int {
	const name = "drainer watch"
	drains, now, err := fetchDrains(ctx, base)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	// Times are the controller's (under drainer dev, the world's).
	stamp := func() string { return now.UTC().Format("15:04:05") }
	if len(drains) == 0 {
		fmt.Fprintf(stdout, "%s no drains in progress\n", stamp())
		return 0
	}
	prev := map[string]drainView{}
	for _, d := range drains {
		fmt.Fprintf(stdout, "%s %s draining: %s\n", stamp(), d.InstanceID, describeDrain(d, now))
		prev[d.InstanceID] = d
	}
	failures := 0
	for {
		if err := watchWait(ctx, interval); err != nil {
			fmt.Fprintf(stdout, "%s stopped watching; %d drain(s) still in progress\n", stamp(), len(prev))
			return 0
		}
		var polled time.Time
		drains, polled, err = fetchDrains(ctx, base)
		if err != nil {
			if ctx.Err() != nil {
				fmt.Fprintf(stdout, "%s stopped watching; %d drain(s) still in progress\n", stamp(), len(prev))
				return 0
			}
			failures++
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
			if failures >= watchMaxFailures {
				fmt.Fprintf(stderr, "%s: giving up after %d failed looks in a row\n", name, failures)
				return 1
			}
			continue
		}
		failures = 0
		now = polled
		cur := make(map[string]drainView, len(drains))
		for _, d := range drains {
			cur[d.InstanceID] = d
			p, seen := prev[d.InstanceID]
			switch {
			case !seen:
				fmt.Fprintf(stdout, "%s %s drain started: %s\n", stamp(), d.InstanceID, describeDrain(d, now))
			case p.Phase != d.Phase:
				fmt.Fprintf(stdout, "%s %s phase %s → %s (in drain %s, hard deadline %s)\n", stamp(), d.InstanceID, dash(p.Phase), dash(d.Phase), since(d.Started, now), until(d.Deadline, now))
			}
		}
		for _, id := range sortedKeys(prev) {
			if _, still := cur[id]; !still {
				p := prev[id]
				fmt.Fprintf(stdout, "%s %s drain finished after %s (last phase %s)\n", stamp(), id, since(p.Started, now), dash(p.Phase))
			}
		}
		prev = cur
		if len(cur) == 0 {
			fmt.Fprintf(stdout, "%s all drains finished\n", stamp())
			return 0
		}
	}
}

// describeDrain is one drain in a line: where, why, phase and deadlines.
func describeDrain(d drainView, now time.Time) string {
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

func sortedKeys(m map[string]drainView) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
