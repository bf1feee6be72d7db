package drain

import (
	"context"
	"errors"
	"time"

	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/due"
)

// Heartbeats run on their own schedule, not as part of a drain's look: a
// look reads the instance, its tasks and its hook (several calls, any of
// which may be throttled or slow), and a heartbeat that waited for them
// could come too late. A heartbeat is one call, and a failed one is
// retried on its own, well inside the hook's heartbeat timeout.

// NextHeartbeat returns when a lifecycle action last extended at last (zero:
// never, or not known since a restart) must be extended again, for a hook
// whose heartbeat timeout is timeout: at once when never, else at half the
// timeout, so that one lost or slow call still leaves time for the next
// before the hook gives up.
func NextHeartbeat(last time.Time, timeout time.Duration, now time.Time) time.Time {
	if last.IsZero() || timeout <= 0 {
		return now
	}
	return last.Add(timeout / 2)
}

// HeartbeatRetry returns when to try again a heartbeat that failed for the
// failures-th time in a row (1 for the first), u being a uniform random
// number in [0, 1) that spreads the retries of many drains: Backoff,
// capped at an eighth of the timeout so that several retries fit before
// the hook gives up.
func HeartbeatRetry(failures int, throttled bool, timeout time.Duration, u float64) time.Duration {
	d := Backoff(failures, throttled, u)
	if limit := timeout / 8; limit > 0 && d > limit {
		d = limit
	}
	return d
}

// Backoff returns how long to wait before trying again a step that failed
// for the failures-th time in a row (1 for the first): exponential from 2 s
// (5 s when AWS throttled the call, whose bucket needs time to refill),
// doubling up to a minute, with "equal jitter" — a uniform draw u in
// [0, 1) takes the wait anywhere between half and all of it, so that
// drains failing at the same instant do not all retry at the same instant,
// yet none retries at once.
// (AWS Architecture Blog, "Exponential Backoff And Jitter":
// https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/)
func Backoff(failures int, throttled bool, u float64) time.Duration {
	const limit = time.Minute
	d := 2 * time.Second
	if throttled {
		d = 5 * time.Second
	}
	for i := 1; i < failures && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	u = min(max(u, 0), 1)
	return d/2 + time.Duration(float64(d/2)*u)
}

// beat is the heartbeat schedule of a drain's lifecycle action; the
// Reconciler's mu guards it.
type beat struct {
	action   cloud.LifecycleAction
	timeout  time.Duration // the hook's heartbeat timeout
	last     time.Time     // the last heartbeat Auto Scaling accepted
	failures int           // in a row
	// gone: Auto Scaling answered that no such action is pending any more
	// (completed elsewhere, abandoned, timed out): the next look learns it.
	gone  bool
	entry *due.Entry[*drainState]
}

// keepAlive makes sure the drain's lifecycle action is heartbeated for a
// hook of timeout; the caller holds d.mu (a look saw the action pending).
func (r *Reconciler) keepAlive(d *drainState, a cloud.LifecycleAction, timeout time.Duration) {
	if timeout <= 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	b := d.beat
	if b != nil && b.action == a && b.timeout == timeout {
		return
	}
	if b != nil && b.entry != nil {
		r.beats.Remove(b.entry)
	}
	nb := &beat{action: a, timeout: timeout}
	if b != nil && b.action.Group == a.Group && b.action.Hook == a.Hook {
		nb.last = b.last // the same action, its token learned since
	}
	nb.entry = r.beats.Push(NextHeartbeat(nb.last, timeout, r.cfg.Clock.Now()), d)
	d.beat = nb
	r.wake.Notify()
}

// stopBeat ends the drain's heartbeats (its action is completed or gone).
func (r *Reconciler) stopBeat(d *drainState) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if d.beat != nil && d.beat.entry != nil {
		r.beats.Remove(d.beat.entry)
	}
	d.beat = nil
}

// beatGone reports whether a heartbeat found the drain's action gone.
func (r *Reconciler) beatGone(d *drainState) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return d.beat != nil && d.beat.gone
}

// lastBeatLocked is when the drain's action was last extended (zero:
// never); the caller holds mu.
func (r *Reconciler) lastBeatLocked(d *drainState) time.Time {
	if d.beat == nil {
		return time.Time{}
	}
	return d.beat.last
}

// heartbeat sends one due heartbeat of d's action, without d.mu: a look
// holding it (waiting on slow or throttled reads) must not delay it.
func (r *Reconciler) heartbeat(ctx context.Context, d *drainState) {
	r.mu.Lock()
	b := d.beat
	if b == nil || b.gone {
		r.mu.Unlock()
		return
	}
	a := b.action
	r.mu.Unlock()

	err := HeartbeatAction(ctx, r.cfg.Cloud, a)
	now := r.cfg.Clock.Now()

	r.mu.Lock()
	if d.beat != b {
		r.mu.Unlock() // stopped or replaced meanwhile
		return
	}
	switch {
	case err == nil:
		b.last, b.failures = now, 0
		b.entry = r.beats.Push(NextHeartbeat(now, b.timeout, now), d)
		r.mu.Unlock()
	case errors.Is(err, cloud.ErrNoActiveLifecycleAction):
		b.gone = true
		r.mu.Unlock()
		r.log.Info("drain: lifecycle action no longer pending (completed elsewhere, abandoned or timed out)", "instance", a.InstanceID, "hook", a.Hook)
		r.schedule(d, now)
	default:
		b.failures++
		wait := HeartbeatRetry(b.failures, errors.Is(err, cloud.ErrThrottled), b.timeout, r.random())
		b.entry = r.beats.Push(now.Add(wait), d)
		r.mu.Unlock()
		r.log.Warn("drain: heartbeat failed; retrying", "instance", a.InstanceID, "hook", a.Hook, "in", wait, "error", err)
	}
}

// random draws from the Reconciler's seeded source (under its own lock).
func (r *Reconciler) random() float64 {
	r.randMu.Lock()
	defer r.randMu.Unlock()
	return r.rand.Float64()
}
