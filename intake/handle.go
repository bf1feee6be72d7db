package intake

import (
	"context"
	"errors"
)

// handle runs the handler for one notice, keeping its message invisible
// meanwhile, and deletes the message only if the handler succeeded.
func (c *Consumer) handle(ctx context.Context, m Message, n Notice) {
	log := c.log.With("message", m.ID, "kind", n.Kind(), "instance", n.Instance(), "receives", m.ReceiveCount)
	stop := c.keepInvisible(ctx, m, log)
	err := c.call(ctx, n)
	stop()
	if err != nil {
		c.opts.Metrics.failed(n.Kind())
		log.Warn("handler failed; the message will come back after its visibility timeout", "error", err)
		return
	}
	c.opts.Metrics.handled(n.Kind())
	log.Debug("handled")
	c.deletes.add(ctx, m.ReceiptHandle)
}

// skip logs and counts a message Parse skipped, and says whether to
// delete it: always when it was recognised, otherwise unless malformed
// messages are kept for the dead-letter queue.
func (c *Consumer) skip(m Message, err error) (del bool) {
	var se *SkipError
	if !errors.As(err, &se) {
		// Parse returns only skips; anything else is treated as one.
		se = &SkipError{Reason: ReasonUnknownShape, Err: err}
	}
	c.opts.Metrics.skipped(se.Reason)
	if se.Recognised() {
		c.log.Info("skipping message: nothing to do", "message", m.ID, "reason", se.Reason, "kind", se.Notice.Kind())
		return true
	}
	action := "deleted"
	if c.opts.KeepMalformed {
		action = "left for the dead-letter queue"
	}
	c.log.Warn("skipping message: "+action, "message", m.ID, "reason", se.Reason,
		"error", err, "receives", m.ReceiveCount, "body", clipBody(m.Body))
	return !c.opts.KeepMalformed
}

// clipBody bounds a message body quoted in a log line.
func clipBody(s string) string {
	const max = 512
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
