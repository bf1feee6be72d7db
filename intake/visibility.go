package intake

import (
	"context"
	"log/slog"
	"time"

	"github.com/drainer-dev/drainer/clock"
)

// keepInvisible extends m's visibility every Visibility/2 until stop is
// called, so that the queue does not hand the message to another consumer
// while its handler runs, however long that is. A failed extension is
// retried after Visibility/10, several times before the message would
// lapse. stop returns once no extension is under way or will start.
func (c *Consumer) keepInvisible(ctx context.Context, m Message, log *slog.Logger) (stop func()) {
	vis := c.opts.Visibility
	tick := make(chan struct{}, 1)
	// The clock's callback only signals: with a virtual clock it runs on
	// the goroutine that moves time, which must not wait on the queue.
	arm := func(d time.Duration) clock.Timer {
		return c.opts.Clock.AfterFunc(d, func() {
			select {
			case tick <- struct{}{}:
			default:
			}
		})
	}
	timer := arm(vis / 2)
	done := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-tick:
			}
			next := vis / 2
			if err := c.queue.ChangeVisibility(ctx, m.ReceiptHandle, vis); err != nil {
				next = vis / 10
				c.opts.Metrics.extendError()
				log.Warn("visibility extension failed; retrying", "error", err, "retry", next)
			}
			timer = arm(next)
		}
	}()
	return func() {
		close(done)
		<-exited
		timer.Stop()
	}
}
