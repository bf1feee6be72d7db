package clock

import (
	"context"
	"sync"
	"time"

	"github.com/drainer-dev/drainer/due"
)

// Virtual is a discrete-event clock. Time moves only when the owner calls
// Step, RunUntil or RunFor (discrete mode: each call jumps straight to the
// next event), or while RunScaled is running (scaled real-time mode: virtual
// time follows the wall clock times a speed factor).
//
// Events fire in order of their time, ties in the order they were scheduled,
// so a run is reproducible. Callbacks run without the clock's lock held and
// may schedule further events. Virtual is safe for concurrent use.
//
// A Virtual clock also runs goroutines (see Go): one at a time, each until
// it waits through this package (Sleep, Signal, Mutex, Group), and time
// moves to the next event only once every one of them waits. Code started
// that way runs on virtual time exactly as it runs on the wall clock: a
// long poll that waits 20 s, a rate limiter that waits for a token, a loop
// that sleeps between passes.
type Virtual struct {
	mu     sync.Mutex
	now    time.Time
	events due.Queue[func()]
	fired  uint64

	// Scaled real-time mode, set while RunScaled runs.
	scaled   bool
	speed    float64
	wallBase time.Time
	virtBase time.Time
	wake     chan struct{}

	sched sched
}

// NewVirtual returns a virtual clock reading start.
func NewVirtual(start time.Time) *Virtual {
	v := &Virtual{now: start, wake: make(chan struct{}, 1)}
	v.sched.init(v.kick)
	return v
}

// virtualTimer is a pending event of a Virtual clock.
type virtualTimer struct {
	v *Virtual
	e *due.Entry[func()]
}

// Stop cancels the event if it has not fired yet.
func (t virtualTimer) Stop() bool {
	t.v.mu.Lock()
	defer t.v.mu.Unlock()
	return t.v.events.Remove(t.e)
}

// Now returns the current virtual time. In scaled mode it follows the wall
// clock but never passes the next pending event, so a caller never observes
// a time at which a due event has not yet been applied.
func (v *Virtual) Now() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.nowLocked()
}

func (v *Virtual) nowLocked() time.Time {
	if !v.scaled {
		return v.now
	}
	t := v.virtBase.Add(time.Duration(float64(time.Since(v.wallBase)) * v.speed))
	if e, ok := v.events.Peek(); ok && t.After(e.At()) {
		t = e.At()
	}
	if t.After(v.now) {
		v.now = t
	}
	return v.now
}

// AfterFunc schedules f to run at Now()+d; a negative d means now.
func (v *Virtual) AfterFunc(d time.Duration, f func()) Timer {
	v.mu.Lock()
	defer v.mu.Unlock()
	if d < 0 {
		d = 0
	}
	return v.scheduleLocked(v.nowLocked().Add(d), f)
}

// At schedules f to run at t, or now if t has passed.
func (v *Virtual) At(t time.Time, f func()) Timer {
	v.mu.Lock()
	defer v.mu.Unlock()
	if now := v.nowLocked(); t.Before(now) {
		t = now
	}
	return v.scheduleLocked(t, f)
}

func (v *Virtual) scheduleLocked(at time.Time, f func()) Timer {
	e := v.events.Push(at, f)
	if v.scaled {
		if first, _ := v.events.Peek(); first == e {
			v.kick()
		}
	}
	return virtualTimer{v, e}
}

// kick wakes RunScaled's loop (a new first event, or a goroutine to run).
func (v *Virtual) kick() {
	select {
	case v.wake <- struct{}{}:
	default:
	}
}

// Next returns the time of the next pending event.
func (v *Virtual) Next() (time.Time, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	e, ok := v.events.Peek()
	if !ok {
		return time.Time{}, false
	}
	return e.At(), true
}

// Pending returns the number of scheduled events.
func (v *Virtual) Pending() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.events.Len()
}

// Fired returns the number of events run so far.
func (v *Virtual) Fired() uint64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.fired
}

// Settle runs the clock's goroutines (see Go) that can run, one at a time,
// until each of them waits again; time does not move meanwhile. Step,
// RunUntil and RunScaled settle before and after every event, so callers
// need it only after starting goroutines they want to see run at once.
func (v *Virtual) Settle() { v.sched.settle() }

// Step runs the next event, moving time to it, and lets the clock's
// goroutines act on it. It reports false when no event is pending.
func (v *Virtual) Step() bool {
	return v.stepBefore(time.Time{}, false)
}

// stepBefore runs the next event if there is one at or before limit (any
// event when bounded is false), settling the clock's goroutines before
// and after it.
func (v *Virtual) stepBefore(limit time.Time, bounded bool) bool {
	v.sched.settle()
	v.mu.Lock()
	e, ok := v.events.Peek()
	if !ok || (bounded && e.At().After(limit)) {
		v.mu.Unlock()
		return false
	}
	v.events.Pop()
	if e.At().After(v.now) {
		v.now = e.At()
	}
	v.fired++
	v.mu.Unlock()
	e.Value()
	v.sched.settle()
	return true
}

// RunUntil runs every event due at or before t, in order, then sets the
// clock to t (if it is not already later).
func (v *Virtual) RunUntil(t time.Time) {
	for v.stepBefore(t, true) {
	}
	v.mu.Lock()
	if t.After(v.now) {
		v.now = t
	}
	v.mu.Unlock()
	v.sched.settle()
}

// RunFor runs the clock forward by d.
func (v *Virtual) RunFor(d time.Duration) { v.RunUntil(v.Now().Add(d)) }

// RunUntilDone runs events until done reports true (checked before each
// event, once the clock's goroutines have settled) or the clock would pass
// limit. It reports whether done was met.
func (v *Virtual) RunUntilDone(limit time.Time, done func() bool) bool {
	for {
		v.sched.settle()
		if done() {
			return true
		}
		if !v.stepBefore(limit, true) {
			v.RunUntil(limit)
			return done()
		}
	}
}

// RunScaled advances virtual time at speed times the wall clock (speed 1 is
// real time, 10 is ten times faster), firing events as they come due and
// running the clock's goroutines, until ctx is done. Other goroutines may
// read Now and schedule events meanwhile.
func (v *Virtual) RunScaled(ctx context.Context, speed float64) error {
	if speed <= 0 {
		speed = 1
	}
	v.mu.Lock()
	v.scaled = true
	v.speed = speed
	v.wallBase = time.Now()
	v.virtBase = v.now
	v.mu.Unlock()
	defer func() {
		v.mu.Lock()
		v.nowLocked()
		v.scaled = false
		v.mu.Unlock()
	}()

	for {
		v.sched.settle()
		v.mu.Lock()
		e, pending := v.events.Peek()
		var wait time.Duration
		if pending {
			due := v.wallBase.Add(time.Duration(float64(e.At().Sub(v.virtBase)) / speed))
			wait = time.Until(due)
		}
		v.mu.Unlock()

		if pending && wait <= 0 {
			v.stepBefore(time.Time{}, false)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			continue
		}
		var timer *time.Timer
		var fire <-chan time.Time
		if pending {
			timer = time.NewTimer(wait)
			fire = timer.C
		}
		select {
		case <-ctx.Done():
		case <-v.wake:
		case <-fire:
		}
		if timer != nil {
			timer.Stop()
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// run starts f as one of the clock's goroutines (see Go).
func (v *Virtual) run(ctx context.Context, f func(context.Context)) { v.sched.spawn(ctx, f) }

// Goroutines returns how many of the clock's goroutines (see Go) have not
// returned yet.
func (v *Virtual) Goroutines() int { return v.sched.count() }

// Call runs f as one of the clock's goroutines (see Go) and runs the clock
// until f returns, or until the clock would pass limit; it reports whether
// f returned. Tests use it to call code that waits on the clock (a long
// poll, a rate limit) from the goroutine that owns the clock.
func (v *Virtual) Call(ctx context.Context, limit time.Time, f func(ctx context.Context)) bool {
	var returned bool
	var mu sync.Mutex
	v.run(ctx, func(ctx context.Context) {
		f(ctx)
		mu.Lock()
		returned = true
		mu.Unlock()
	})
	return v.RunUntilDone(limit, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return returned
	})
}
