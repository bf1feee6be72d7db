// Package drainview renders drains as an operator reads them on a
// terminal (drainer status, watch, drain): the status table, one line per
// drain, what changed between two looks, and what an operator request
// started.
//
// Times print relative to a now the caller gives (the controller's time,
// which under drainer dev is the emulated world's, not the wall clock's),
// durations rounded as duration.Short rounds them; a field the controller
// left empty prints as "-".
package drainview

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/drainer-dev/drainer/api"
	"github.com/drainer-dev/drainer/duration"
)

// Table writes drains to w as a table aligned with spaces, in the order
// given, a header line then one line a drain; times relative to now:
//
//	INSTANCE             GROUP    CLUSTER  REASON     PHASE     IN DRAIN  GRACEFUL  HARD DEADLINE
//	i-0aaaaaaaaaaaaaaaa  web-asg  demo     lifecycle  graceful  3m        in 12m    in 2h
//
// IN DRAIN is the time since the drain started; GRACEFUL and HARD
// DEADLINE are "in 12m", "passed" or "-" when unset. A TASKS LEFT column
// ("service 2, standalone 1, daemon 1", "none", "-") follows only when the
// controller counts the tasks of some drain. With no drains, Table writes
// the one line "no drains in progress". Errors writing to w are not
// reported (w is a terminal or a buffer).
func Table(w io.Writer, drains []api.Drain, now time.Time) {
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

// dash is s, or "-" when s is empty.
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

// tasksLeft prints counts by class in a fixed order: "service 2,
// standalone 1", the classes drainer knows (service, standalone, daemon)
// first, then others by name; "none" for no tasks, "-" for no count.
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
