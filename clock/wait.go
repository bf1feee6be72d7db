package clock

import (
	"context"
	"sync"
	"time"
)

// Go runs f on a new goroutine, with a ctx that ends when the given one
// does. On a Virtual clock the goroutine is one of the clock's own: it runs
// when the clock lets it (one at a time, see Virtual) and every wait it
// makes through this package — Sleep, Signal.Wait, Mutex.Lock, Group.Wait,
// and a long poll or rate limit built on them — lets virtual time move.
// On any other clock it is a plain goroutine.
func Go(ctx context.Context, c Clock, f func(ctx context.Context)) {
	if v, ok := c.(*Virtual); ok {
		v.run(ctx, f)
		return
	}
	// A goroutine of a real clock must not pass for a virtual clock's.
	ctx = context.WithValue(ctx, procKey{}, (*proc)(nil))
	go f(ctx)
}

// Joinable reports whether goroutines started with Go on c can run while
// the caller waits for them (Group.Wait): always on a real clock; on a
// Virtual clock only when the caller is one of the clock's own goroutines,
// since the clock hands its goroutines their turn only from its driver,
// which an outside caller waiting would hold up for ever.
func Joinable(ctx context.Context, c Clock) bool {
	if _, ok := c.(*Virtual); !ok {
		return true
	}
	return procOf(ctx) != nil
}

// Sleep waits d on c. It returns ctx's error if ctx ends first.
func Sleep(ctx context.Context, c Clock, d time.Duration) error {
	return SleepUntil(ctx, c, c.Now().Add(d))
}

// SleepUntil waits until c reads t. It returns ctx's error if ctx ends
// first.
func SleepUntil(ctx context.Context, c Clock, t time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d := t.Sub(c.Now())
	if d <= 0 {
		return nil
	}
	w := newWaiter(ctx)
	timer := c.AfterFunc(d, func() { w.wake() })
	stop := context.AfterFunc(ctx, func() { w.wake() })
	w.wait()
	stop()
	timer.Stop()
	if !c.Now().Before(t) {
		return nil
	}
	return ctx.Err()
}

// Signal is a wake-up call that a waiting goroutine can also time out on.
// Notify marks it; one Wait consumes the mark. Marks do not add up: several
// Notify before a Wait wake it once. The zero Signal is not usable; make
// one with NewSignal.
type Signal struct {
	c       Clock
	mu      sync.Mutex
	set     bool
	waiters []*waiter
}

// NewSignal returns a Signal whose waits time out on c.
func NewSignal(c Clock) *Signal { return &Signal{c: c} }

// Notify marks the signal and wakes its waiters. It never blocks.
func (s *Signal) Notify() {
	s.mu.Lock()
	s.set = true
	ws := s.waiters
	s.waiters = nil
	s.mu.Unlock()
	for _, w := range ws {
		w.wake()
	}
}

// Wait returns once the signal is marked (consuming the mark: notified is
// true), once the clock reads until (a zero until never comes), or when
// ctx ends (err is ctx's error).
func (s *Signal) Wait(ctx context.Context, until time.Time) (notified bool, err error) {
	for {
		s.mu.Lock()
		if s.set {
			s.set = false
			s.mu.Unlock()
			return true, nil
		}
		if err := ctx.Err(); err != nil {
			s.mu.Unlock()
			return false, err
		}
		now := s.c.Now()
		if !until.IsZero() && !now.Before(until) {
			s.mu.Unlock()
			return false, nil
		}
		w := newWaiter(ctx)
		s.waiters = append(s.waiters, w)
		s.mu.Unlock()

		var timer Timer
		if !until.IsZero() {
			timer = s.c.AfterFunc(until.Sub(now), func() { w.wake() })
		}
		stop := context.AfterFunc(ctx, func() { w.wake() })
		w.wait()
		stop()
		if timer != nil {
			timer.Stop()
		}
		s.mu.Lock()
		s.waiters = remove(s.waiters, w)
		s.mu.Unlock()
	}
}

// Mutex is a mutual exclusion lock whose Lock waits through this package:
// a goroutine of a Virtual clock waiting for it lets time move, so the
// holder may itself wait on the clock (an API call with latency, a rate
// limit) while holding it. Lock is granted in the order it was asked. The
// zero Mutex is unlocked.
type Mutex struct {
	mu      sync.Mutex
	locked  bool
	waiters []*mutexWaiter
}

type mutexWaiter struct {
	w       *waiter
	granted bool
}

// Lock takes the lock, waiting for it if need be; it returns ctx's error
// (without the lock) if ctx ends first.
func (m *Mutex) Lock(ctx context.Context) error {
	m.mu.Lock()
	if !m.locked {
		m.locked = true
		m.mu.Unlock()
		return nil
	}
	if err := ctx.Err(); err != nil {
		m.mu.Unlock()
		return err
	}
	mw := &mutexWaiter{w: newWaiter(ctx)}
	m.waiters = append(m.waiters, mw)
	m.mu.Unlock()

	stop := context.AfterFunc(ctx, func() { mw.w.wake() })
	mw.w.wait()
	stop()
	m.mu.Lock()
	defer m.mu.Unlock()
	if mw.granted {
		return nil
	}
	for i, x := range m.waiters {
		if x == mw {
			m.waiters = append(m.waiters[:i], m.waiters[i+1:]...)
			break
		}
	}
	return ctx.Err()
}

// TryLock takes the lock if it is free and reports whether it did.
func (m *Mutex) TryLock() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.locked {
		return false
	}
	m.locked = true
	return true
}

// Unlock releases the lock, handing it to the longest waiter if any.
// Unlocking an unlocked Mutex panics, as sync.Mutex does.
func (m *Mutex) Unlock() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.locked {
		panic("clock: unlock of unlocked Mutex")
	}
	for len(m.waiters) > 0 {
		mw := m.waiters[0]
		m.waiters = m.waiters[1:]
		mw.granted = true
		if mw.w.wake() {
			return // handed over: still locked, now by the waiter
		}
		mw.granted = false // its context ended: it is leaving
	}
	m.locked = false
}

// Group runs goroutines through Go and waits for them. The zero Group is
// ready to use; a Group must not be copied.
type Group struct {
	mu      sync.Mutex
	n       int
	waiters []*waiter
}

// Go runs f as Go(ctx, c, f) does, counted by the group until it returns.
func (g *Group) Go(ctx context.Context, c Clock, f func(ctx context.Context)) {
	g.mu.Lock()
	g.n++
	g.mu.Unlock()
	Go(ctx, c, func(ctx context.Context) {
		defer g.done()
		f(ctx)
	})
}

func (g *Group) done() {
	g.mu.Lock()
	g.n--
	var ws []*waiter
	if g.n == 0 {
		ws, g.waiters = g.waiters, nil
	}
	g.mu.Unlock()
	for _, w := range ws {
		w.wake()
	}
}

// Wait returns once every goroutine of the group has returned, or with
// ctx's error when ctx ends first.
func (g *Group) Wait(ctx context.Context) error {
	for {
		g.mu.Lock()
		if g.n == 0 {
			g.mu.Unlock()
			return nil
		}
		if err := ctx.Err(); err != nil {
			g.mu.Unlock()
			return err
		}
		w := newWaiter(ctx)
		g.waiters = append(g.waiters, w)
		g.mu.Unlock()
		stop := context.AfterFunc(ctx, func() { w.wake() })
		w.wait()
		stop()
		g.mu.Lock()
		g.waiters = remove(g.waiters, w)
		g.mu.Unlock()
	}
}

func remove(ws []*waiter, w *waiter) []*waiter {
	for i, x := range ws {
		if x == w {
			return append(ws[:i], ws[i+1:]...)
		}
	}
	return ws
}

// WithTimeout is context.WithTimeout on c: the returned context ends d
// from now on c's time (its error is context.Canceled, its cause
// context.DeadlineExceeded), or when parent ends. On a Virtual clock a
// call bounded so ends when virtual time says so, as it would in
// production, not after d of wall time.
func WithTimeout(parent context.Context, c Clock, d time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	timer := c.AfterFunc(d, func() { cancel(context.DeadlineExceeded) })
	return ctx, func() {
		timer.Stop()
		cancel(context.Canceled)
	}
}
