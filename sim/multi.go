package sim

import (
	"context"
	"time"
)

// Step lets this drainer act once on what is due at the current instant
// (visible queue messages, due drains) and reports how much it did.
func (h *Harness) Step() int {
	ctx := context.Background()
	return h.deliver(ctx) + h.Reconciler.RunDue(ctx)
}

// RunTogether runs one world with several drainers in it (harnesses
// attached to the same scenario run, reading the same queue) until done
// reports true or the clock reaches limit, and reports whether done was
// met. At each instant the drainers take turns — the first to go changes
// every turn, so none always wins the race to a message — until none has
// anything left to do; then the clock moves to the next world event or
// due drain. Every resync, each drainer also resumes the drains recorded
// in the cluster (as a drainer beside others does to learn of drains it
// did not start); zero disables it.
func RunTogether(limit time.Time, resync time.Duration, done func() bool, hs ...*Harness) bool {
	w := hs[0].World
	turn := 0
	nextResync := w.Now()
	for {
		if resync > 0 && !w.Now().Before(nextResync) {
			for _, h := range hs {
				if _, err := h.Resume(); err != nil {
					h.log.Warn("resume failed", "error", err)
				}
			}
			nextResync = w.Now().Add(resync)
		}
		for {
			n := 0
			for i := range hs {
				n += hs[(turn+i)%len(hs)].Step()
			}
			turn++
			if n == 0 {
				break
			}
		}
		if done != nil && done() {
			return true
		}
		tw, okw := w.Clock.Next()
		var tr time.Time
		okr := false
		for _, h := range hs {
			if t, ok := h.Reconciler.Next(); ok && (!okr || t.Before(tr)) {
				tr, okr = t, true
			}
		}
		if resync > 0 && (!okr || nextResync.Before(tr)) {
			tr, okr = nextResync, true
		}
		switch {
		case okr && (!okw || !tr.After(tw)) && !tr.After(limit):
			w.Clock.RunUntil(tr)
		case okw && !tw.After(limit):
			// One world event at a time, as Harness.RunUntil does, so the
			// drainers see every step.
			w.Clock.Step()
		default:
			w.Clock.RunUntil(limit)
			for _, h := range hs {
				h.Step()
			}
			return done != nil && done()
		}
	}
}
