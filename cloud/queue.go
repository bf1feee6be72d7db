package cloud

import (
	"context"
	"time"
)

// Queue is what drainer needs of Amazon SQS: consuming its trigger queue.
type Queue interface {
	// QueueURL returns the URL of a queue by name.
	QueueURL(ctx context.Context, name string) (string, error)

	// ReceiveMessages long-polls the queue for up to opts.Max messages.
	ReceiveMessages(ctx context.Context, queueURL string, opts ReceiveOptions) ([]Message, error)

	// DeleteMessages deletes messages by receipt handle, ten per call.
	// Handles SQS refused are returned as failures (ID = receipt handle).
	DeleteMessages(ctx context.Context, queueURL string, receiptHandles []string) ([]Failure, error)

	// ChangeMessageVisibility hides a received message for timeout more
	// from now (0 makes it visible at once, for a retry).
	ChangeMessageVisibility(ctx context.Context, queueURL, receiptHandle string, timeout time.Duration) error
}

// ReceiveOptions tunes a receive.
type ReceiveOptions struct {
	// Max is the most messages to return, 1–10 (0 means 10).
	Max int
	// Wait is the long-poll wait, at most 20 s (0 returns at once).
	Wait time.Duration
	// Visibility overrides the queue's visibility timeout when > 0.
	Visibility time.Duration
}

// Message is a received SQS message.
type Message struct {
	ID            string
	Body          string
	ReceiptHandle string
	// ReceiveCount is how many times it was received, this time included.
	ReceiveCount int
	SentAt       time.Time
	Attributes   map[string]string
}
