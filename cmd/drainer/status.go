package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/drainer-dev/drainer/api"
	"github.com/drainer-dev/drainer/duration"
)

// statusOptions are `drainer status`'s.
type statusOptions struct {
	api  string // base URL of the controller's API
	json bool   // print the controller's answer as JSON, not a table
	// now is the time deadlines count from when the controller does not
	// say its own (one older than its "now" field).
	now func() time.Time
}

// runStatus is `drainer status`: the drains in progress, as a table.
func runStatus(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o := statusOptions{now: time.Now}
	fs := newFlagSet("drainer status", "Usage: drainer status [--api URL] [--json]\n\nShows the drains in progress in the running controller ('drainer run'): instance, cluster,\nreason, phase, time in drain, graceful and hard deadlines.\n", stderr)
	apiFlag(fs, &o.api)
	fs.BoolVar(&o.json, "json", false, "print the controller's answer as JSON instead of a table")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	return o.run(ctx, stdout, stderr)
}

// run prints the drains in progress; it returns the exit code.
func (o statusOptions) run(ctx context.Context, stdout, stderr io.Writer) int {
	return withAPI("drainer status", o.api, stderr, func(c *api.Client) error {
		l, err := lookAtDrains(ctx, c, o.now)
		switch {
		case err != nil:
			return err
		case o.json:
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(l)
		}
		printDrainTable(stdout, l.Drains, l.Now)
		return nil
	})
}

// lookAtDrains lists the drains in progress, ordered by start then
// instance, at the controller's time (now() when it does not say).
func lookAtDrains(ctx context.Context, c *api.Client, now func() time.Time) (api.DrainList, error) {
	l, err := c.Drains(ctx)
	if err == nil && l.Now.IsZero() {
		l.Now = now()
	}
	return l, err
}

// printDrainTable prints drains as a table, times relative to now; the
// TASKS LEFT column only when the controller counts them.
func printDrainTable(w io.Writer, drains []api.Drain, now time.Time) {
	if len(drains) == 0 {
		fmt.Fprintln(w, "no drains in progress")
		return
	}
	tasks := false
	for _, d := range drains {
		if d.TasksLeft != nil {
			tasks = true
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := "INSTANCE\tGROUP\tCLUSTER\tREASON\tPHASE\tIN DRAIN\tGRACEFUL\tHARD DEADLINE"
	if tasks {
		head += "\tTASKS LEFT"
	}
	fmt.Fprintln(tw, head)
	for _, d := range drains {
		line := strings.Join([]string{d.InstanceID, dash(d.Group), dash(d.Cluster), dash(d.Reason), dash(d.Phase),
			since(d.Started, now), until(d.GracefulUntil, now), until(d.Deadline, now)}, "\t")
		if tasks {
			line += "\t" + tasksLeft(d.TasksLeft)
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// until says how far t is: "in 12m", "passed", or "-" when unset.
func until(t, now time.Time) string {
	switch {
	case t.IsZero():
		return "-"
	case !t.After(now):
		return "passed"
	}
	return "in " + duration.Short(t.Sub(now))
}

// since says how long ago t was: "3m", or "-" when unset.
func since(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return duration.Short(now.Sub(t))
}

// tasksLeft prints counts by class in a fixed order: "service 2, standalone 1".
func tasksLeft(m map[string]int) string {
	if m == nil {
		return "-"
	}
	var classes []string
	for c := range m {
		classes = append(classes, c)
	}
	order := map[string]int{"service": 0, "standalone": 1, "daemon": 2}
	sort.Slice(classes, func(i, j int) bool {
		oi, iok := order[classes[i]]
		oj, jok := order[classes[j]]
		if iok != jok {
			return iok
		}
		if oi != oj {
			return oi < oj
		}
		return classes[i] < classes[j]
	})
	var parts []string
	for _, c := range classes {
		parts = append(parts, fmt.Sprintf("%s %d", c, m[c]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
