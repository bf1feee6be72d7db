package intake

import (
	"context"
	"log/slog"

	"github.com/drainer-dev/drainer/clock"
)

// keepInvisible extends m's visibility every Visibility/2 until stop is
// called, so that the queue does not hand the message to another consumer
// while its handler runs, however long that is. A failed extension is
// retried after Visibility/10, several times before the message would
// lapse. stop returns once no extension is under way or will start.
func (c *Consumer) keepInvisible(ctx context.Context, m Message, log *slog.Logger) (stop func()) {
	vis := c.opts.Visibility
	done := clock.NewSignal(c.opts.Clock)
	var g clock.Group
	g.Go(ctx, c.opts.Clock, func(ctx context.Context) {
		next := c.opts.Clock.Now().Add(vis / 2)
		for {
			stopped, err := done.Wait(ctx, next)
			if stopped || err != nil {
				return
			}
			wait := vis / 2
			if err := c.queue.ChangeVisibility(ctx, m.ReceiptHandle, vis); err != nil {
				wait = vis / 10
				c.opts.Metrics.extendError()
				log.Warn("visibility extension failed; retrying", "error", err, "retry", wait)
			}
			next = c.opts.Clock.Now().Add(wait)
		}
	})
	return func() {
		done.Notify()
		g.Wait(context.WithoutCancel(ctx))
	}
}
