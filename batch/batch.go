// Package batch coalesces concurrent requests for items into shared calls.
//
// Callers that ask, within a short window, for items under the same key
// (an ECS cluster, say) share one call of up to Options.Max items; each gets
// back the results of its own items, or the error of the call that carried
// them. An item asked for by several callers takes one slot. A batch that
// fills up goes at once; a caller whose context ends leaves without
// cancelling the call for the others (the call is cancelled only once every
// caller has left it).
//
// The window is waited on a clock.Clock and the shared call runs on a
// goroutine started with clock.Go, so a virtual clock drives both in tests
// and simulations exactly as the wall clock does in production.
package batch

import (
	"context"
	"sync"
	"time"

	"github.com/drainer-dev/drainer/clock"
)

// DefaultWindow is how long a batch waits for more items after its first,
// unless Options say otherwise: long enough for every drain woken by one
// event to join, short against an API call's own latency.
const DefaultWindow = 10 * time.Millisecond

// Func makes one call for items (distinct, at most Options.Max, in the
// order they were first asked for) under key, and returns the result of
// each item it has one for; an item missing from the map has none (AWS
// did not know it, or listed it as a failure). An error fails the call for
// every caller with an item in it; a Func that can fail one item alone
// puts the failure in that item's R.
type Func[K comparable, T comparable, R any] func(ctx context.Context, key K, items []T) (map[T]R, error)

// Options tune a Batcher.
type Options struct {
	// Max is the most items per call; it must be positive.
	Max int
	// Window is how long a batch waits for more items after its first one
	// arrived, on the clock (0: DefaultWindow). Negative turns coalescing
	// off: each Do makes its own calls at once, in its own goroutine and
	// with its own context (for callers that cannot wait on the clock,
	// such as a test calling from outside a virtual clock's goroutines
	// while nothing moves it).
	Window time.Duration
	// Lead, when set, chooses whose context values (not its cancellation)
	// a shared call carries: it reports whether caller a's context should
	// be preferred to b's. Without it, the first caller's are used.
	Lead func(a, b context.Context) bool
	// Gate, when set, is waited on after the window and before the batch
	// is sealed: items keep joining the batch (up to Max) while it waits,
	// so that a call queued behind a rate limit carries every item asked
	// for meanwhile instead of only those of its window. It gets the
	// call's context (the leading caller's values) and returns the one to
	// make the call with, or an error that fails the batch (its context
	// ended: every caller left).
	Gate func(ctx context.Context) (context.Context, error)
}

// Stats counts what a Batcher did.
type Stats struct {
	// Requests is the number of Do calls that asked for at least one item.
	Requests uint64
	// Calls is the number of Func calls made.
	Calls uint64
	// Items is the number of items those calls carried.
	Items uint64
}

// Batcher coalesces requests for items of type T under keys of type K into
// calls of its Func. It is safe for concurrent use. Make one with New.
type Batcher[K comparable, T comparable, R any] struct {
	clk  clock.Clock
	opts Options
	f    Func[K, T, R]

	mu    sync.Mutex
	open  map[K]*call[K, T, R] // the batch still taking items, per key
	stats Stats
}

// call is one batch: open while it takes items, then in flight, then done.
type call[K comparable, T comparable, R any] struct {
	key     K
	items   []T
	has     map[T]bool
	callers []*caller
	full    *clock.Signal // the batch is full, or abandoned: go now

	dispatched bool
	cancel     context.CancelFunc // of the call's context, once dispatched
	done       bool
	res        map[T]R
	err        error
}

// caller is one Do waiting for its calls.
type caller struct {
	ctx  context.Context
	wake *clock.Signal
}

// New returns a Batcher making its calls with f, waiting on clk. It panics
// when opts.Max is not positive (a programming error, not input).
func New[K comparable, T comparable, R any](clk clock.Clock, opts Options, f Func[K, T, R]) *Batcher[K, T, R] {
	if opts.Max <= 0 {
		panic("batch: Options.Max must be positive")
	}
	if opts.Window == 0 {
		opts.Window = DefaultWindow
	}
	return &Batcher[K, T, R]{clk: clk, opts: opts, f: f, open: map[K]*call[K, T, R]{}}
}

// Stats returns what the Batcher did so far.
func (b *Batcher[K, T, R]) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stats
}

// Do asks for items under key and waits for the calls that carry them. It
// returns the result of each of its items that has one (a repeated item
// counts once), and the error of the first of its calls that failed
// (with the results of the others), or ctx's error if ctx ends first. No
// items: an empty map at once.
func (b *Batcher[K, T, R]) Do(ctx context.Context, key K, items []T) (map[T]R, error) {
	items = distinct(items)
	if len(items) == 0 {
		return map[T]R{}, nil
	}
	if b.opts.Window < 0 {
		return b.direct(ctx, key, items)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	me := &caller{ctx: ctx, wake: clock.NewSignal(b.clk)}
	in := make([]*call[K, T, R], len(items)) // the call carrying each item
	var mine []*call[K, T, R]
	b.mu.Lock()
	b.stats.Requests++
	for i, it := range items {
		c := b.open[key]
		if c == nil {
			c = b.start(key)
			b.open[key] = c
		}
		if !c.has[it] {
			c.has[it] = true
			c.items = append(c.items, it)
		}
		// A caller's items fill one batch before the next, so a call it
		// already joined is always the last one.
		if len(mine) == 0 || mine[len(mine)-1] != c {
			c.callers = append(c.callers, me)
			mine = append(mine, c)
		}
		in[i] = c
		if len(c.items) >= b.opts.Max {
			delete(b.open, key)
			c.full.Notify()
		}
	}
	b.mu.Unlock()

	for !b.allDone(mine) {
		if _, err := me.wake.Wait(ctx, time.Time{}); err != nil {
			b.leave(me, mine)
			return nil, err
		}
	}
	out := make(map[T]R, len(items))
	var err error
	for i, it := range items {
		c := in[i]
		if c.err != nil {
			if err == nil {
				err = c.err
			}
			continue
		}
		if r, ok := c.res[it]; ok {
			out[it] = r
		}
	}
	return out, err
}

// start opens a batch for key and starts the goroutine that sends it once
// the window has passed or the batch is full. b.mu is held.
func (b *Batcher[K, T, R]) start(key K) *call[K, T, R] {
	c := &call[K, T, R]{key: key, has: map[T]bool{}, full: clock.NewSignal(b.clk)}
	until := b.clk.Now().Add(b.opts.Window)
	clock.Go(context.Background(), b.clk, func(gctx context.Context) {
		// Returns at the end of the window or once notified; gctx never
		// ends.
		_, _ = c.full.Wait(gctx, until)
		b.send(gctx, c)
	})
	return c
}

// send makes the call of batch c on the goroutine of gctx and hands its
// answer to the callers still waiting.
func (b *Batcher[K, T, R]) send(gctx context.Context, c *call[K, T, R]) {
	b.mu.Lock()
	if b.open[c.key] == c && b.opts.Gate == nil {
		delete(b.open, c.key)
	}
	if len(c.callers) == 0 { // every caller left before it went
		if b.open[c.key] == c {
			delete(b.open, c.key)
		}
		c.done = true
		b.mu.Unlock()
		return
	}
	lead := c.callers[0].ctx
	if b.opts.Lead != nil {
		for _, w := range c.callers[1:] {
			if b.opts.Lead(w.ctx, lead) {
				lead = w.ctx
			}
		}
	}
	gctx, cancel := context.WithCancel(gctx)
	c.dispatched, c.cancel = true, cancel
	var ctx context.Context = valuesOf{Context: gctx, values: context.WithoutCancel(lead)}
	var res map[T]R
	var err error
	if b.opts.Gate != nil {
		// Still open (unless full): items join while the gate waits.
		b.mu.Unlock()
		ctx, err = b.opts.Gate(ctx)
		b.mu.Lock()
		if b.open[c.key] == c {
			delete(b.open, c.key)
		}
	}
	items := c.items
	if err == nil {
		b.stats.Calls++
		b.stats.Items += uint64(len(items))
	}
	b.mu.Unlock()

	if err == nil {
		res, err = b.f(ctx, c.key, items)
	}
	cancel()

	b.mu.Lock()
	c.done, c.res, c.err = true, res, err
	waiting := c.callers
	b.mu.Unlock()
	for _, w := range waiting {
		w.wake.Notify()
	}
}

func (b *Batcher[K, T, R]) allDone(calls []*call[K, T, R]) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range calls {
		if !c.done {
			return false
		}
	}
	return true
}

// leave takes me off the calls it waits for. A call nobody waits for any
// more is dropped before it goes, or cancelled in flight.
func (b *Batcher[K, T, R]) leave(me *caller, calls []*call[K, T, R]) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range calls {
		if c.done {
			continue
		}
		for i, w := range c.callers {
			if w == me {
				c.callers = append(c.callers[:i:i], c.callers[i+1:]...)
				break
			}
		}
		if len(c.callers) > 0 {
			continue
		}
		if c.dispatched {
			if b.open[c.key] == c {
				delete(b.open, c.key) // waiting at its gate: take no more
			}
			c.cancel()
			continue
		}
		if b.open[c.key] == c {
			delete(b.open, c.key)
		}
		c.full.Notify() // its goroutine ends at once, with no call
	}
}

// direct makes the calls for items itself, Max at a time, one after the
// other: coalescing is off.
func (b *Batcher[K, T, R]) direct(ctx context.Context, key K, items []T) (map[T]R, error) {
	out := make(map[T]R, len(items))
	for start := 0; start < len(items); start += b.opts.Max {
		part := items[start:min(start+b.opts.Max, len(items))]
		b.mu.Lock()
		b.stats.Calls++
		b.stats.Items += uint64(len(part))
		if start == 0 {
			b.stats.Requests++
		}
		b.mu.Unlock()
		res, err := b.f(ctx, key, part)
		if err != nil {
			return out, err
		}
		for _, it := range part {
			if r, ok := res[it]; ok {
				out[it] = r
			}
		}
	}
	return out, nil
}

// distinct returns items without repeats, first occurrence kept.
func distinct[T comparable](items []T) []T {
	seen := make(map[T]bool, len(items))
	out := make([]T, 0, len(items))
	for _, it := range items {
		if !seen[it] {
			seen[it] = true
			out = append(out, it)
		}
	}
	return out
}

// valuesOf is the context of a shared call: cancellation, deadline and
// the values of the goroutine making it (a virtual clock knows its
// goroutines by a context value) first, then the values of the leading
// caller (its priority, its logger…).
type valuesOf struct {
	context.Context
	values context.Context
}

func (v valuesOf) Value(key any) any {
	if x := v.Context.Value(key); x != nil {
		return x
	}
	return v.values.Value(key)
}
