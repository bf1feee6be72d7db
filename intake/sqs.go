package intake

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/cloud"
)

// SQS is the consumer's Queue on drainer's cloud client: one SQS queue,
// named by its URL.
type SQS struct {
	Queue cloud.Queue
	URL   string
}

var _ Queue = SQS{}

// Receive long-polls the queue.
func (s SQS) Receive(ctx context.Context, max int, wait, visibility time.Duration) ([]Message, error) {
	msgs, err := s.Queue.ReceiveMessages(ctx, s.URL, cloud.ReceiveOptions{Max: max, Wait: wait, Visibility: visibility})
	if err != nil {
		return nil, err
	}
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		out[i] = Message{ID: m.ID, ReceiptHandle: m.ReceiptHandle, Body: m.Body, ReceiveCount: m.ReceiveCount}
	}
	return out, nil
}

// Delete deletes messages; entries SQS refused make it an error naming
// their codes.
func (s SQS) Delete(ctx context.Context, receiptHandles ...string) error {
	failures, err := s.Queue.DeleteMessages(ctx, s.URL, receiptHandles)
	if err != nil {
		return err
	}
	if len(failures) > 0 {
		codes := make([]string, len(failures))
		for i, f := range failures {
			codes[i] = f.Code
		}
		return fmt.Errorf("delete messages: %d of %d refused (%s)", len(failures), len(receiptHandles), strings.Join(codes, ", "))
	}
	return nil
}

// ChangeVisibility hides a received message for timeout from now.
func (s SQS) ChangeVisibility(ctx context.Context, receiptHandle string, timeout time.Duration) error {
	return s.Queue.ChangeMessageVisibility(ctx, s.URL, receiptHandle, timeout)
}

// QueueURL returns the URL of a queue named by URL, or by ARN or bare name
// (then asked of SQS: GetQueueUrl). An unknown queue is an error wrapping
// cloud.ErrNotFound. CheckQueue also reads the queue, and says what to do
// when it cannot.
func QueueURL(ctx context.Context, q cloud.Queue, nameOrURL string) (string, error) {
	if strings.Contains(nameOrURL, "://") {
		return nameOrURL, nil
	}
	url, err := q.QueueURL(ctx, nameOrURL)
	if err != nil {
		return "", fmt.Errorf("find queue %q: %w", nameOrURL, err)
	}
	return url, nil
}
