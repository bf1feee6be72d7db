package intake

import (
	"context"
	"time"
)

// Queue is the seam to the SQS queue the consumer reads: the three calls
// it needs, so that drainer's SDK client and an in-memory test double both
// fit.
type Queue interface {
	// Receive long-polls for up to max messages (1–10), waiting up to wait
	// for the first, and hides those it returns for visibility.
	Receive(ctx context.Context, max int, wait, visibility time.Duration) ([]Message, error)
	// Delete deletes received messages by receipt handle.
	Delete(ctx context.Context, receiptHandles ...string) error
	// ChangeVisibility hides a received message for timeout from now.
	ChangeVisibility(ctx context.Context, receiptHandle string, timeout time.Duration) error
}

// Message is one received SQS message.
type Message struct {
	ID            string
	ReceiptHandle string
	Body          string
	// ReceiveCount is how many times it was received, this time included.
	ReceiveCount int
}
