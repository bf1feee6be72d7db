package drain

import (
	"context"
	"time"

	"github.com/drainer-dev/drainer/clock"
)

// RunDueAhead is RunDue for a caller that drives the reconciler in rounds
// and is away between them (drainer's Lambda mode: one round a minute,
// its process frozen in between, so that nothing it schedules happens
// until the next round). Besides the heartbeats and looks due by now, it
// sends every heartbeat due by now+ahead: the next round may come only
// then, and a heartbeat sent early only restarts its hook's heartbeat
// timeout sooner. It returns once every heartbeat it started has
// returned, so that none is left half-sent while the caller is away, and
// reports how many looks it made. A look due after now waits for a later
// round.
//
// On a virtual clock call it from a goroutine of the clock (clock.Go), as
// RunDue; from elsewhere it does not wait for the heartbeats sent beside
// the looks.
func (r *Reconciler) RunDueAhead(ctx context.Context, ahead time.Duration) int {
	n := r.RunDue(ctx)
	if ahead > 0 && ctx.Err() == nil {
		r.mu.Lock()
		beats := popDue(&r.beats, r.cfg.Clock.Now().Add(ahead))
		jobs := make([]func(context.Context), 0, len(beats))
		for _, b := range beats {
			b.entry = nil
			jobs = append(jobs, func(ctx context.Context) { r.heartbeat(ctx, b) })
		}
		r.mu.Unlock()
		// A heartbeat cut short by ctx is rescheduled as a failed one:
		// none is dropped.
		r.runAll(ctx, jobs)
	}
	if clock.Joinable(ctx, r.cfg.Clock) {
		// The heartbeats see ctx end; waiting for them must not end with it.
		_ = r.beating.Wait(context.WithoutCancel(ctx))
	}
	return n
}
