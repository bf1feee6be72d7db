package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/drainer-dev/drainer/api"
	"github.com/drainer-dev/drainer/duration"
)

// wallNow is the clock status and watch show times against; tests set it.
var wallNow = time.Now

// drainView is a drain as GET /v1/drains gives it. Its tasks left (not yet
// STOPPED, by class) are shown when the controller sends them (a controller
// older than this one does not: the column is then left out).
type drainView = api.Drain

type drainListView struct {
	Now    time.Time   `json:"now,omitzero"`
	Drains []drainView `json:"drains"`
}

// runStatus is `drainer status`: the drains in progress, as a table.
func runStatus(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("drainer status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	apiURL := apiFlag(fs)
	asJSON := fs.Bool("json", false, "print the controller's answer as JSON instead of a table")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: drainer status [--api URL] [--json]\n\nShows the drains in progress in the running controller ('drainer run'): instance, cluster,\nreason, phase, time in drain, graceful and hard deadlines.\n\nFlags:\n")
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
	drains, now, err := fetchDrains(ctx, *apiURL)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", fs.Name(), err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if drains == nil {
			drains = []drainView{}
		}
		enc.Encode(drainListView{Now: now, Drains: drains})
		return 0
	}
	printDrainTable(stdout, drains, now)
	return 0
}

// fetchDrains asks the controller at base for the drains in progress,
// sorted by start then instance, and the controller's time (the wall
// clock when an older controller does not say).
func fetchDrains(ctx context.Context, base string) ([]drainView, time.Time, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", strings.TrimRight(base, "/")+"/v1/drains", nil)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("--api %q: %v", base, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("cannot reach the drainer API at %s: %v\nIs 'drainer run' running? Point --api (or DRAINER_API) at its --listen address", base, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if resp.StatusCode/100 != 2 {
		var e api.Error
		if json.Unmarshal(raw, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(raw))
		}
		return nil, time.Time{}, fmt.Errorf("the controller answered %s: %s", resp.Status, e.Error)
	}
	var list drainListView
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, time.Time{}, fmt.Errorf("unreadable answer from %s: %v", base, err)
	}
	sort.SliceStable(list.Drains, func(i, j int) bool {
		a, b := list.Drains[i], list.Drains[j]
		if !a.Started.Equal(b.Started) {
			return a.Started.Before(b.Started)
		}
		return a.InstanceID < b.InstanceID
	})
	now := list.Now
	if now.IsZero() {
		now = wallNow()
	}
	return list.Drains, now, nil
}

func printDrainTable(w io.Writer, drains []drainView, now time.Time) {
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
