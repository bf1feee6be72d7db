package intake

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/drainer-dev/drainer/clock"
)

// Handler acts on one notice. It returns nil only once the notice's effect
// is durable (recorded where a restarted drainer finds it): the message
// is deleted then, and never before. An error leaves the message to come
// back after its visibility timeout. The handler must honour ctx: the
// consumer waits for running handlers when it stops.
type Handler func(ctx context.Context, n Notice) error

// Options tune a Consumer; the zero value of each field means its default.
type Options struct {
	// Clock times visibility extensions and backoffs (default the wall
	// clock).
	Clock clock.Clock
	// Logger receives one line per skip, failure and queue error (default
	// slog.Default()).
	Logger  *slog.Logger
	Metrics Metrics

	// Batch is the most messages a receive asks for, 1–10 (default 10).
	Batch int
	// Wait is the long-poll wait of a receive (default and most 20 s).
	Wait time.Duration
	// Visibility is the visibility timeout asked for on receive and on
	// each extension (default 60 s). While a handler runs, the message's
	// visibility is extended every Visibility/2.
	Visibility time.Duration
	// MaxInFlight bounds the handlers running at once (default 64: a
	// thousand lifecycle actions arriving at once are taken up by handlers
	// whose calls the cloud client shares — fifty verifications, five
	// records, ten DRAINING a call — which only happens when enough of
	// them run together). A receive asks for no more messages than there
	// are free slots, so a slow handler never holds messages it cannot
	// start on.
	MaxInFlight int
	// KeepMalformed leaves unknown and malformed messages on the queue, so
	// that its redrive policy moves them to the dead-letter queue, instead
	// of deleting them. Recognised messages that need no action (test
	// notifications) are deleted either way.
	KeepMalformed bool
	// MinBackoff and MaxBackoff bound the exponential backoff after failed
	// receives (default 1 s and 1 min).
	MinBackoff, MaxBackoff time.Duration
	// DeleteTimeout bounds a delete made after the context ended, so that
	// a handled message is not handled again after a restart (default
	// 10 s).
	DeleteTimeout time.Duration
	// DeleteWindow is how long a handled message's delete waits for
	// others to share its DeleteMessageBatch call (ten go at once;
	// default 50 ms).
	DeleteWindow time.Duration
	// MaxPollers bounds the long polls running at once (default 4). One
	// poll runs always; while receives come back full (a backlog), another
	// starts, up to MaxPollers, and an extra one stops at its first receive
	// that is not full. Handlers in flight stay bounded by MaxInFlight.
	MaxPollers int
}

func (o Options) withDefaults() Options {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Batch <= 0 || o.Batch > 10 {
		o.Batch = 10
	}
	if o.Wait <= 0 || o.Wait > 20*time.Second {
		o.Wait = 20 * time.Second
	}
	if o.Visibility <= 0 {
		o.Visibility = time.Minute
	}
	// Extensions every Visibility/2 must stay well apart; SQS caps a
	// message's visibility at 12 h.
	o.Visibility = min(max(o.Visibility, 2*time.Second), 12*time.Hour)
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = 64
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = time.Second
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(time.Minute, o.MinBackoff)
	}
	if o.DeleteTimeout <= 0 {
		o.DeleteTimeout = 10 * time.Second
	}
	if o.DeleteWindow <= 0 {
		o.DeleteWindow = 50 * time.Millisecond
	}
	if o.MaxPollers <= 0 {
		o.MaxPollers = 4
	}
	return o
}

// Consumer reads a queue of trigger messages and hands their notices to a
// Handler.
type Consumer struct {
	queue   Queue
	handler Handler
	opts    Options
	log     *slog.Logger
	deletes deletes

	mu      sync.Mutex
	pollers int // long polls running
}

// NewConsumer returns a consumer of q that calls h for each notice.
func NewConsumer(q Queue, h Handler, opts Options) *Consumer {
	opts = opts.withDefaults()
	c := &Consumer{queue: q, handler: h, opts: opts, log: opts.Logger}
	c.deletes.c = c
	return c
}

// Run consumes the queue until ctx ends, then waits for the handlers still
// running (they see ctx end) and returns nil. Receive errors never stop it:
// it backs off and tries again.
//
// Every wait of Run and of the handlers it starts is on the consumer's
// clock (package clock), so on a virtual clock Run is started with
// clock.Go and runs on virtual time: a long poll that ends 20 s later, or
// the moment a message becomes visible.
func (c *Consumer) Run(ctx context.Context) error {
	var handlers clock.Group
	// The handlers see ctx end; waiting for them must not end with it.
	defer handlers.Wait(context.WithoutCancel(ctx))
	c.mu.Lock()
	c.pollers = 1
	c.mu.Unlock()
	c.poll(ctx, newSlots(c.opts.Clock, c.opts.MaxInFlight), &handlers, false)
	return nil
}

// poll receives and dispatches until ctx ends; an extra poll (started
// while receives came back full) ends at its first receive that is not.
func (c *Consumer) poll(ctx context.Context, slots *slots, handlers *clock.Group, extra bool) {
	failures := 0
	for {
		n, ok := slots.acquire(ctx, c.opts.Batch)
		if !ok {
			return
		}
		start := c.opts.Clock.Now()
		msgs, err := c.queue.Receive(ctx, n, c.opts.Wait, c.opts.Visibility)
		if ctx.Err() != nil {
			// Messages received as the context ended are left to come
			// back: no handler could run to completion now.
			slots.release(n)
			return
		}
		if err != nil {
			// Messages returned with an error, if any, come back after
			// their visibility timeout.
			slots.release(n)
			failures++
			d := backoff(c.opts.MinBackoff, c.opts.MaxBackoff, failures)
			c.opts.Metrics.receiveError()
			c.log.Warn("receive failed; backing off", "error", err, "failures", failures, "backoff", d)
			if clock.Sleep(ctx, c.opts.Clock, d) != nil {
				return
			}
			continue
		}
		if len(msgs) > n {
			// More than asked would overrun the slots; the extra
			// messages come back after their visibility timeout.
			c.log.Error("queue returned more messages than asked", "asked", n, "got", len(msgs))
			msgs = msgs[:n]
		}
		slots.release(n - len(msgs))
		failures = 0
		full := len(msgs) == c.opts.Batch
		if len(msgs) == 0 && c.opts.Clock.Now().Sub(start) < c.opts.Wait/2 {
			// A queue that does not long-poll would make this loop spin.
			if clock.Sleep(ctx, c.opts.Clock, c.opts.MinBackoff) != nil {
				return
			}
		} else {
			c.dispatch(ctx, msgs, slots, handlers)
		}
		switch {
		case full:
			c.morePollers(ctx, slots, handlers)
		case extra:
			c.mu.Lock()
			c.pollers--
			c.mu.Unlock()
			return
		}
	}
}

// morePollers starts another poll while there is a backlog (a receive
// came back full) and fewer than MaxPollers run.
func (c *Consumer) morePollers(ctx context.Context, slots *slots, handlers *clock.Group) {
	c.mu.Lock()
	if c.pollers >= c.opts.MaxPollers {
		c.mu.Unlock()
		return
	}
	c.pollers++
	c.mu.Unlock()
	handlers.Go(ctx, c.opts.Clock, func(ctx context.Context) { c.poll(ctx, slots, handlers, true) })
}

// slots bounds the handlers running at once.
type slots struct {
	mu    sync.Mutex
	free  int
	freed *clock.Signal
}

func newSlots(c clock.Clock, n int) *slots { return &slots{free: n, freed: clock.NewSignal(c)} }

// acquire waits for a free slot, then takes as many more as are free, up
// to most. It reports false if ctx ended first.
func (s *slots) acquire(ctx context.Context, most int) (int, bool) {
	for {
		s.mu.Lock()
		if s.free > 0 {
			n := min(s.free, most)
			s.free -= n
			s.mu.Unlock()
			return n, true
		}
		s.mu.Unlock()
		if _, err := s.freed.Wait(ctx, time.Time{}); err != nil {
			return 0, false
		}
	}
}

func (s *slots) release(n int) {
	if n <= 0 {
		return
	}
	s.mu.Lock()
	s.free += n
	s.mu.Unlock()
	s.freed.Notify()
}

// dispatch parses a batch, deletes its skipped messages in one call and
// starts a handler for each notice; each handler holds one slot.
func (c *Consumer) dispatch(ctx context.Context, msgs []Message, slots *slots, handlers *clock.Group) {
	var skipped []string
	for _, m := range msgs {
		n, err := Parse(m.Body)
		if err != nil {
			slots.release(1)
			if c.skip(m, err) {
				skipped = append(skipped, m.ReceiptHandle)
			}
			continue
		}
		handlers.Go(ctx, c.opts.Clock, func(ctx context.Context) {
			defer slots.release(1)
			c.handle(ctx, m, n)
		})
	}
	if len(skipped) > 0 {
		c.delete(ctx, skipped, "skipped")
	}
}

// delete deletes messages. A handled message is deleted even after ctx
// ended (within DeleteTimeout): its effect is durable, and deleting it
// saves handling it again.
func (c *Consumer) delete(ctx context.Context, handles []string, what string) {
	dctx, cancel := clock.WithTimeout(context.WithoutCancel(ctx), c.opts.Clock, c.opts.DeleteTimeout)
	defer cancel()
	if err := c.queue.Delete(dctx, handles...); err != nil {
		c.opts.Metrics.deleteError()
		c.log.Warn("delete failed; the messages will be received again", "what", what, "messages", len(handles), "error", err)
	}
}

// call runs the handler; a panic is a failure, not a crash, and the
// message comes back like after any failure.
func (c *Consumer) call(ctx context.Context, n Notice) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("handler panicked: %v", r)
		}
	}()
	return c.handler(ctx, n)
}
