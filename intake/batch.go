package intake

import (
	"context"
	"slices"
	"sync"

	"github.com/drainer-dev/drainer/clock"
)

// HandleBatch hands h the notices of a batch of messages that something
// else received and will delete — an AWS Lambda SQS event source mapping,
// which receives the messages, keeps them invisible while the function
// runs and deletes those the function does not report as failed — the way
// a Consumer hands h those it receives itself: each body is parsed
// (Parse); a skipped one is logged and counted, and dropped, or kept when
// Options.KeepMalformed says so and it is unknown or malformed; each
// notice is handled, up to Options.MaxInFlight at once, and a handler
// that fails, panics or never starts because ctx ended keeps its message.
//
// It returns the IDs (Message.ID) of the messages to keep, in the batch's
// order: reported as the batch's failures, they come back after their
// visibility timeout, and the others may be deleted. Options' Clock,
// Logger, Metrics, KeepMalformed and MaxInFlight apply; the rest are the
// receiving side's.
//
// On a virtual clock, call it from a goroutine of the clock (clock.Go), as
// Consumer.Run is started.
func HandleBatch(ctx context.Context, msgs []Message, h Handler, opts Options) (keep []string) {
	opts = opts.withDefaults()
	c := &Consumer{handler: h, opts: opts, log: opts.Logger}
	var (
		mu       sync.Mutex
		failed   = map[string]bool{}
		handlers clock.Group
	)
	fail := func(id string) {
		mu.Lock()
		failed[id] = true
		mu.Unlock()
	}
	slots := newSlots(opts.Clock, opts.MaxInFlight)
	for _, m := range msgs {
		n, err := Parse(m.Body)
		if err != nil {
			if !c.skip(m, err) {
				fail(m.ID)
			}
			continue
		}
		if _, ok := slots.acquire(ctx, 1); !ok {
			fail(m.ID) // ctx ended before its handler could start
			continue
		}
		handlers.Go(ctx, opts.Clock, func(ctx context.Context) {
			defer slots.release(1)
			log := c.log.With("message", m.ID, "kind", n.Kind(), "instance", n.Instance(), "receives", m.ReceiveCount)
			if err := c.call(ctx, n); err != nil {
				c.opts.Metrics.failed(n.Kind())
				log.Warn("handler failed; the message will come back after its visibility timeout", "error", err)
				fail(m.ID)
				return
			}
			c.opts.Metrics.handled(n.Kind())
			log.Debug("handled")
		})
	}
	// The handlers see ctx end; waiting for them must not end with it.
	_ = handlers.Wait(context.WithoutCancel(ctx))
	for _, m := range msgs {
		if failed[m.ID] && !slices.Contains(keep, m.ID) {
			keep = append(keep, m.ID)
		}
	}
	return keep
}
