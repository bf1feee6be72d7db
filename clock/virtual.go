package clock

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// Virtual is a discrete-event clock. Time moves only when the owner calls
// Step, RunUntil or RunFor (discrete mode: each call jumps straight to the
// next event), or while RunScaled is running (scaled real-time mode: virtual
// time follows the wall clock times a speed factor).
//
// Events fire in order of their time, ties in the order they were scheduled,
// so a run is reproducible. Callbacks run without the clock's lock held and
// may schedule further events. Virtual is safe for concurrent use.
type Virtual struct {
	mu     sync.Mutex
	now    time.Time
	events eventHeap
	seq    uint64
	fired  uint64

	// Scaled real-time mode, set while RunScaled runs.
	scaled   bool
	speed    float64
	wallBase time.Time
	virtBase time.Time
	wake     chan struct{}
}

// NewVirtual returns a virtual clock reading start.
func NewVirtual(start time.Time) *Virtual {
	return &Virtual{now: start, wake: make(chan struct{}, 1)}
}

type event struct {
	at    time.Time
	seq   uint64
	f     func()
	index int // position in the heap; -1 once fired or stopped
	clock *Virtual
}

// Stop cancels the event if it has not fired yet.
func (e *event) Stop() bool {
	v := e.clock
	v.mu.Lock()
	defer v.mu.Unlock()
	if e.index < 0 {
		return false
	}
	heap.Remove(&v.events, e.index)
	return true
}

type eventHeap []*event

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h eventHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *eventHeap) Push(x any) {
	e := x.(*event)
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *eventHeap) Pop() any {
	old := *h
	n := len(old)
	e := old[n-1]
	old[n-1] = nil
	e.index = -1
	*h = old[:n-1]
	return e
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
	if len(v.events) > 0 && t.After(v.events[0].at) {
		t = v.events[0].at
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

func (v *Virtual) scheduleLocked(at time.Time, f func()) *event {
	v.seq++
	e := &event{at: at, seq: v.seq, f: f, clock: v}
	heap.Push(&v.events, e)
	if v.scaled && e.index == 0 {
		select {
		case v.wake <- struct{}{}:
		default:
		}
	}
	return e
}

// Next returns the time of the next pending event.
func (v *Virtual) Next() (time.Time, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.events) == 0 {
		return time.Time{}, false
	}
	return v.events[0].at, true
}

// Pending returns the number of scheduled events.
func (v *Virtual) Pending() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.events)
}

// Fired returns the number of events run so far.
func (v *Virtual) Fired() uint64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.fired
}

// Step runs the next event, moving time to it. It reports false when no
// event is pending.
func (v *Virtual) Step() bool {
	return v.stepBefore(time.Time{}, false)
}

// stepBefore runs the next event if there is one at or before limit (any
// event when bounded is false).
func (v *Virtual) stepBefore(limit time.Time, bounded bool) bool {
	v.mu.Lock()
	if len(v.events) == 0 || (bounded && v.events[0].at.After(limit)) {
		v.mu.Unlock()
		return false
	}
	e := heap.Pop(&v.events).(*event)
	if e.at.After(v.now) {
		v.now = e.at
	}
	v.fired++
	v.mu.Unlock()
	e.f()
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
}

// RunFor runs the clock forward by d.
func (v *Virtual) RunFor(d time.Duration) { v.RunUntil(v.Now().Add(d)) }

// RunUntilDone runs events until done reports true (checked before each
// event) or the clock would pass limit. It reports whether done was met.
func (v *Virtual) RunUntilDone(limit time.Time, done func() bool) bool {
	for {
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
// real time, 10 is ten times faster), firing events as they come due, until
// ctx is done. Other goroutines may read Now and schedule events meanwhile.
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
		v.mu.Lock()
		pending := len(v.events) > 0
		var wait time.Duration
		if pending {
			due := v.wallBase.Add(time.Duration(float64(v.events[0].at.Sub(v.virtBase)) / speed))
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
