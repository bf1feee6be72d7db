package drain

import (
	"context"
	"errors"
	"slices"
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

// beat is the heartbeat schedule of one lifecycle action a drain keeps
// alive: the one its record names, and those of drainer's other owned
// hooks on the same group, which hold the same instance; the Reconciler's
// mu guards it.
type beat struct {
	d        *drainState
	action   cloud.LifecycleAction
	timeout  time.Duration // the hook's heartbeat timeout
	last     time.Time     // the last heartbeat Auto Scaling accepted
	failures int           // in a row
	// gone: Auto Scaling answered that no such action is pending any more
	// (completed elsewhere, abandoned, timed out).
	gone  bool
	entry *due.Entry[*beat]
}

// keepAlive makes sure the drain's lifecycle actions are heartbeated: the
// first of actions is the recorded one, timeouts their hooks' heartbeat
// timeouts. extended, when not zero, is when the caller last extended the
// action of hook (Trigger.Beat). The caller holds d.mu (a look saw the
// actions pending).
func (r *Reconciler) keepAlive(d *drainState, actions []cloud.LifecycleAction, timeouts []time.Duration, hook string, extended time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.cfg.Clock.Now()
	var kept []*beat
	for i, a := range actions {
		if timeouts[i] <= 0 {
			continue
		}
		var old *beat
		for _, b := range d.beats {
			if b.action.Group == a.Group && b.action.Hook == a.Hook {
				old = b
			}
		}
		fresher := a.Hook == hook && !extended.IsZero() && !extended.After(now) && (old == nil || extended.After(old.last))
		if old != nil && old.action == a && old.timeout == timeouts[i] && !fresher {
			kept = append(kept, old)
			continue
		}
		nb := &beat{d: d, action: a, timeout: timeouts[i]}
		if old != nil {
			nb.last, nb.gone = old.last, old.gone && old.action.Token == a.Token
		}
		if fresher {
			nb.last, nb.gone = extended, false
		}
		if !nb.gone {
			due := NextHeartbeat(nb.last, nb.timeout, now)
			if fresher && nb.last == extended {
				// Actions taken up together started together: spread
				// their first heartbeats over the second and third tenths
				// before half the timeout, so that they do not all wait
				// for Auto Scaling's bucket at the same instant.
				due = due.Add(-time.Duration(float64(nb.timeout) / 5 * r.random())) // randMu is taken after mu, never before
			}
			nb.entry = r.beats.Push(due, nb)
		}
		kept = append(kept, nb)
	}
	for _, b := range d.beats {
		if !slices.Contains(kept, b) && b.entry != nil {
			r.beats.Remove(b.entry)
			b.entry = nil
		}
	}
	d.beats = kept
	r.wake.Notify()
}

// stopBeats ends the drain's heartbeats (its actions are completed or
// gone).
func (r *Reconciler) stopBeats(d *drainState) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range d.beats {
		if b.entry != nil {
			r.beats.Remove(b.entry)
			b.entry = nil
		}
	}
	d.beats = nil
}

// beatGone reports whether a heartbeat found the drain's recorded action
// gone.
func (r *Reconciler) beatGone(d *drainState) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(d.beats) > 0 && d.beats[0].gone && d.beats[0].action.Hook == d.record.Hook
}

// othersPending reports whether an action of another owned hook holding
// the drain's instance is still pending, as far as its heartbeats know.
func (r *Reconciler) othersPending(d *drainState) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range d.beats {
		if b.action.Hook != d.record.Hook && !b.gone {
			return true
		}
	}
	return false
}

// toComplete returns the actions a release completes: the recorded one
// unless done, then every other owned hook's not known gone; the caller
// holds d.mu.
func (r *Reconciler) toComplete(d *drainState) []cloud.LifecycleAction {
	var out []cloud.LifecycleAction
	if !d.completed {
		out = append(out, r.action(d))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range d.beats {
		if b.action.Hook != d.record.Hook && !b.gone {
			out = append(out, b.action)
		}
	}
	return out
}

// lastBeatLocked is when the drain's recorded action was last extended
// (zero: never); the caller holds mu.
func (r *Reconciler) lastBeatLocked(d *drainState) time.Time {
	if len(d.beats) == 0 {
		return time.Time{}
	}
	return d.beats[0].last
}

// heartbeat sends one due heartbeat, without its drain's mu: a look
// holding it (waiting on slow or throttled reads) must not delay it.
func (r *Reconciler) heartbeat(ctx context.Context, b *beat) {
	r.mu.Lock()
	if b.gone || !slices.Contains(b.d.beats, b) {
		r.mu.Unlock()
		return
	}
	a := b.action
	r.mu.Unlock()

	err := HeartbeatAction(ctx, r.cfg.Cloud, a)
	now := r.cfg.Clock.Now()

	r.mu.Lock()
	if !slices.Contains(b.d.beats, b) {
		r.mu.Unlock() // stopped or replaced meanwhile
		return
	}
	// The next heartbeat goes into the queue while Run may already wait
	// for the earliest entry it saw (heartbeats run beside the looks):
	// wake it to see this one.
	defer r.wake.Notify()
	switch {
	case err == nil:
		b.last, b.failures = now, 0
		b.entry = r.beats.Push(NextHeartbeat(now, b.timeout, now), b)
		r.mu.Unlock()
	case errors.Is(err, cloud.ErrNoActiveLifecycleAction):
		b.gone = true
		recorded := b == b.d.beats[0]
		r.mu.Unlock()
		r.log.Info("drain: lifecycle action no longer pending (completed elsewhere, abandoned or timed out)", "instance", a.InstanceID, "hook", a.Hook)
		if recorded {
			r.schedule(b.d, now)
		}
	default:
		b.failures++
		wait := HeartbeatRetry(b.failures, errors.Is(err, cloud.ErrThrottled), b.timeout, r.random())
		b.entry = r.beats.Push(now.Add(wait), b)
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

// KeepsAlive reports whether a drain under way already keeps alive the
// lifecycle action of hook on group for instanceID: its heartbeats are
// scheduled (from the action's start or a heartbeat Auto Scaling
// accepted) and Auto Scaling has not said the action is gone. A message
// for that action (SQS's at-least-once delivery, or one action notified
// both by the hook and through EventBridge) then needs no call. Whatever
// token the message names: an instance has one pending action per hook
// at a time, so a message naming another token for it while its drain
// keeps it alive is stale or forged, and must not rewrite the drain (its
// token, its deadlines from an older time).
func (r *Reconciler) KeepsAlive(instanceID, group, hook string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := r.drains[instanceID]
	if d == nil {
		return false
	}
	for _, b := range d.beats {
		a := b.action
		if a.Group == group && a.Hook == hook && !b.gone && !b.last.IsZero() {
			return true
		}
	}
	return false
}
