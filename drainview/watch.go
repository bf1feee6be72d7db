package drainview

import (
	"fmt"

	"github.com/drainer-dev/drainer/api"
)

// Watch is what drainer watch prints as it looks at the drains again and
// again: every line stamped with the controller's time (under drainer dev,
// the world's).
type Watch struct {
	prev   []api.Drain
	looked bool
}

// Look takes the next look at the drains and returns the lines it calls
// for, and whether watching is over (no drain left). The first look lists
// each drain in progress:
//
//	10:04:05 i-0123456789abcdef0 draining: cluster prod, reason lifecycle, phase graceful, …
//
// or "10:04:05 no drains in progress"; later looks say what changed
// (Changes), then "10:09:10 all drains finished" once none is left.
func (w *Watch) Look(l api.DrainList) (lines []string, over bool) {
	stamp := l.Now.UTC().Format("15:04:05") + " "
	first := !w.looked
	prev := w.prev
	w.prev, w.looked = l.Drains, true
	switch {
	case first && len(l.Drains) == 0:
		return []string{stamp + "no drains in progress"}, true
	case first:
		for _, d := range l.Drains {
			lines = append(lines, fmt.Sprintf("%s%s draining: %s", stamp, d.InstanceID, Line(d, l.Now)))
		}
		return lines, false
	}
	for _, c := range Changes(prev, l.Drains, l.Now) {
		lines = append(lines, stamp+c)
	}
	if len(l.Drains) == 0 {
		return append(lines, stamp+"all drains finished"), true
	}
	return lines, false
}

// Stopped is the line said when watching stops before the drains are
// over: "10:06:00 stopped watching; 2 drain(s) still in progress".
func (w *Watch) Stopped(l api.DrainList) string {
	return fmt.Sprintf("%s stopped watching; %d drain(s) still in progress", l.Now.UTC().Format("15:04:05"), len(w.prev))
}
