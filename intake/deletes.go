package intake

import (
	"context"
	"sync"

	"github.com/drainer-dev/drainer/clock"
)

// maxDeleteBatch is the most receipt handles one DeleteMessageBatch takes
// (Amazon SQS API reference, DeleteMessageBatch: "up to ten messages").
const maxDeleteBatch = 10

// deletes batches the deletes of handled messages: a handler that
// finishes waits up to Options.DeleteWindow for others to share its
// DeleteMessageBatch call, and a batch of ten goes at once. A thousand
// lifecycle actions handled together then cost a hundred deletes, not a
// thousand.
type deletes struct {
	c        *Consumer
	mu       sync.Mutex
	pending  []string
	flushing bool // one handler waits out the window for the others
}

// add queues a handled message's receipt handle for deletion and returns
// once it is deleted (or the delete failed: the message then comes back
// after its visibility timeout).
func (b *deletes) add(ctx context.Context, handle string) {
	b.mu.Lock()
	b.pending = append(b.pending, handle)
	if len(b.pending) >= maxDeleteBatch {
		batch := b.pending
		b.pending = nil
		b.mu.Unlock()
		b.c.delete(ctx, batch, "handled")
		return
	}
	if b.flushing {
		b.mu.Unlock()
		return // the handler waiting out the window deletes it
	}
	b.flushing = true
	b.mu.Unlock()
	// A context that ends cuts the window short: the delete goes at once.
	_ = clock.Sleep(ctx, b.c.opts.Clock, b.c.opts.DeleteWindow)
	b.mu.Lock()
	batch := b.pending
	b.pending, b.flushing = nil, false
	b.mu.Unlock()
	for len(batch) > 0 {
		n := min(len(batch), maxDeleteBatch)
		b.c.delete(ctx, batch[:n], "handled")
		batch = batch[n:]
	}
}
