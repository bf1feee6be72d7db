package clock

import (
	"context"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// A Virtual clock runs its goroutines one at a time: the running one holds
// the baton until it waits (through a waiter of this package) or returns,
// then hands it back to the clock, which gives it to the next goroutine
// that can run, in the order they became able to, and moves time only when
// none can. That keeps a run on virtual time deterministic, and it is how
// the clock knows that every goroutine waits — the moment time may move.
//
// A goroutine must therefore never block on anything but this package's
// waits while other goroutines of the clock must run for it to go on: a
// plain channel between two of them, or a sync.Mutex held across a wait,
// would stop the clock.

type procState int

const (
	procRunnable procState = iota
	procRunning
	procParked
	procExited
)

// proc is one goroutine run by a Virtual clock.
type proc struct {
	s     *sched
	grant chan struct{} // the baton, handed over by settle
	state procState     // guarded by s.mu
	w     *waiter       // the wait it parks on; guarded by s.mu
}

type procKey struct{}

// procOf returns the clock goroutine ctx belongs to, or nil.
func procOf(ctx context.Context) *proc {
	p, _ := ctx.Value(procKey{}).(*proc)
	return p
}

// sched is the run queue of a Virtual clock.
type sched struct {
	drive sync.Mutex // one settle at a time
	mu    sync.Mutex
	runq  []*proc
	procs []*proc       // live, in the order they started
	back  chan struct{} // the running goroutine waits or returned
	kick  func()        // a goroutine became runnable
	watch *time.Timer   // stallWarning, while a goroutine runs; owned by settle
}

func (s *sched) init(kick func()) {
	s.back = make(chan struct{})
	s.kick = kick
}

func (s *sched) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.procs)
}

// spawn starts f on a new goroutine that first waits for the baton.
func (s *sched) spawn(ctx context.Context, f func(context.Context)) {
	p := &proc{s: s, grant: make(chan struct{}), state: procRunnable}
	s.mu.Lock()
	s.procs = append(s.procs, p)
	s.runq = append(s.runq, p)
	s.mu.Unlock()
	s.kick()
	ctx = context.WithValue(ctx, procKey{}, p)
	go func() {
		<-p.grant
		defer s.exit(p)
		f(ctx)
	}()
}

func (s *sched) exit(p *proc) {
	s.mu.Lock()
	p.state = procExited
	for i, x := range s.procs {
		if x == p {
			s.procs = append(s.procs[:i], s.procs[i+1:]...)
			break
		}
	}
	s.mu.Unlock()
	s.back <- struct{}{}
}

// settle hands the baton to each runnable goroutine in turn until none is
// runnable. A goroutine parked on a context that has ended is woken here
// too, at once: context.AfterFunc would wake it a moment later, from a
// goroutine of its own, after the clock had moved on.
func (s *sched) settle() {
	s.drive.Lock()
	defer s.drive.Unlock()
	for {
		s.mu.Lock()
		if len(s.runq) == 0 {
			var ended []*waiter
			for _, p := range s.procs {
				if p.state == procParked && p.w.ctx.Err() != nil {
					ended = append(ended, p.w)
				}
			}
			s.mu.Unlock()
			if len(ended) == 0 {
				return
			}
			for _, w := range ended {
				if !w.wake() {
					// Woken an instant ago by its context's own callback,
					// which is about to queue it: let that goroutine run.
					runtime.Gosched()
				}
			}
			continue
		}
		p := s.runq[0]
		s.runq[0] = nil
		s.runq = s.runq[1:]
		p.state = procRunning
		s.mu.Unlock()
		p.grant <- struct{}{}
		s.awaitBack()
	}
}

// stallWarning is how long a goroutine of a Virtual clock may run without
// waiting through the clock before the clock logs a warning (with every
// goroutine's stack) on slog's default logger: a goroutine of the clock
// blocked on anything else — a plain channel, a sync.Mutex held across a
// clock wait, a wait whose context is not its own — stops virtual time.
const stallWarning = time.Minute

// awaitBack waits for the running goroutine to give the baton back,
// warning once if that takes stallWarning of wall time.
func (s *sched) awaitBack() {
	if s.watch == nil {
		s.watch = time.NewTimer(stallWarning)
	} else {
		s.watch.Reset(stallWarning)
	}
	select {
	case <-s.back:
		s.watch.Stop()
	case <-s.watch.C:
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		slog.Warn("clock: a goroutine of the virtual clock has run for "+stallWarning.String()+" of wall time without waiting through the clock; if it is blocked on something else, virtual time has stopped",
			"goroutines", string(buf))
		<-s.back
	}
}

// park gives the baton back until w is woken (at once if it already was).
func (s *sched) park(p *proc, w *waiter) {
	s.mu.Lock()
	p.w = w
	if w.fired.Load() {
		s.mu.Unlock()
		return
	}
	p.state = procParked
	s.mu.Unlock()
	s.back <- struct{}{}
	<-p.grant
}

// ready makes p runnable if it is parked on w.
func (s *sched) ready(p *proc, w *waiter) {
	s.mu.Lock()
	if p.state != procParked || p.w != w {
		// Not parked yet: park sees w fired and goes on.
		s.mu.Unlock()
		return
	}
	p.state = procRunnable
	s.runq = append(s.runq, p)
	s.mu.Unlock()
	s.kick()
}

// waiter is one wait of one goroutine: it ends when woken, once. A clock
// goroutine parks (gives the baton back); any other goroutine blocks on a
// channel.
type waiter struct {
	ctx   context.Context
	p     *proc
	ch    chan struct{}
	fired atomic.Bool
}

func newWaiter(ctx context.Context) *waiter {
	w := &waiter{ctx: ctx, p: procOf(ctx)}
	if w.p == nil {
		w.ch = make(chan struct{})
	}
	return w
}

// wake ends the wait; it reports false if the wait had already ended.
func (w *waiter) wake() bool {
	if !w.fired.CompareAndSwap(false, true) {
		return false
	}
	if w.p == nil {
		close(w.ch)
	} else {
		w.p.s.ready(w.p, w)
	}
	return true
}

// wait blocks until wake.
func (w *waiter) wait() {
	if w.p == nil {
		<-w.ch
		return
	}
	w.p.s.park(w.p, w)
}
