package cloud

import (
	"context"
	"time"
)

// Queue is what drainer needs of Amazon SQS: consuming its trigger queue.
// A queue that does not exist (AWS.SimpleQueueService.NonExistentQueue,
// "The specified queue does not exist.") is ErrNotFound for every method;
// any method may return ErrThrottled.
type Queue interface {
	// QueueURL returns the URL of a queue by name, or by ARN
	// (arn:aws:sqs:REGION:ACCOUNT:NAME: the queue of that name in that
	// account, asked in the client's Region). ErrNotFound: no queue has
	// that name.
	QueueURL(ctx context.Context, name string) (string, error)

	// ReceiveMessages long-polls the queue for up to opts.Max messages.
	// ErrNotFound: the queue was deleted.
	ReceiveMessages(ctx context.Context, queueURL string, opts ReceiveOptions) ([]Message, error)

	// DeleteMessages deletes messages by receipt handle, ten per call.
	// Handles SQS refused are returned as failures (ID = receipt handle);
	// the error is for the calls themselves, with the failures of the calls
	// before it. ErrNotFound: the queue was deleted.
	DeleteMessages(ctx context.Context, queueURL string, receiptHandles []string) ([]Failure, error)

	// ChangeMessageVisibility hides a received message for timeout more
	// from now (0 makes it visible at once, for a retry). ErrNotFound: the
	// message was deleted, or is not available under that receipt handle
	// ("Value … for parameter ReceiptHandle is invalid. Reason: Message
	// does not exist or is not available for visibility timeout change."),
	// or the queue was deleted. A string that is no receipt handle at all
	// (ReceiptHandleIsInvalid) is a plain error, no sentinel.
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
