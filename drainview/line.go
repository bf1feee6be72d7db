package drainview

import (
	"fmt"
	"time"

	"github.com/drainer-dev/drainer/api"
)

// Line is one drain in a line: where, why, phase and deadlines, times
// relative to now, and the tasks left when the controller counts them:
//
//	cluster demo, reason lifecycle, phase graceful, in drain 3m, graceful in 12m, hard deadline in 2h, tasks left: service 2
//
// The cluster part is left out when the drain names none; the instance id
// is not part of the line.
func Line(d api.Drain, now time.Time) string {
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

// Changes says, a line each, what changed between two looks at the
// drains (prev, then cur; a drain is known by its instance id): drains
// started and phases changed, in cur's order, then drains finished, in
// prev's order. Durations count to now. For example:
//
//	i-0bbbbbbbbbbbbbbbb drain started: cluster demo, reason lifecycle, phase graceful, in drain 1m, graceful in 1h, hard deadline in 3h
//	i-0aaaaaaaaaaaaaaaa phase graceful → hard (in drain 3m, hard deadline in 2h)
//	i-0aaaaaaaaaaaaaaaa drain finished after 3m (last phase hard)
//
// A started drain is described by Line. Changes is nil when nothing
// changed.
func Changes(prev, cur []api.Drain, now time.Time) []string {
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
			lines = append(lines, fmt.Sprintf("%s drain started: %s", d.InstanceID, Line(d, now)))
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
