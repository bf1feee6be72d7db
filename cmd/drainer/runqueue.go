package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/intake"
)

// sqsQueue adapts drainer's cloud.Queue, bound to one queue URL, to the
// intake consumer's Queue.
type sqsQueue struct {
	q   cloud.Queue
	url string
}

var _ intake.Queue = sqsQueue{}

func (s sqsQueue) Receive(ctx context.Context, max int, wait, visibility time.Duration) ([]intake.Message, error) {
	msgs, err := s.q.ReceiveMessages(ctx, s.url, cloud.ReceiveOptions{Max: max, Wait: wait, Visibility: visibility})
	if err != nil {
		return nil, err
	}
	out := make([]intake.Message, len(msgs))
	for i, m := range msgs {
		out[i] = intake.Message{ID: m.ID, ReceiptHandle: m.ReceiptHandle, Body: m.Body, ReceiveCount: m.ReceiveCount}
	}
	return out, nil
}

func (s sqsQueue) Delete(ctx context.Context, receiptHandles ...string) error {
	failures, err := s.q.DeleteMessages(ctx, s.url, receiptHandles)
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

func (s sqsQueue) ChangeVisibility(ctx context.Context, receiptHandle string, timeout time.Duration) error {
	return s.q.ChangeMessageVisibility(ctx, s.url, receiptHandle, timeout)
}

// resolveQueueURL accepts a queue URL or a bare queue name.
func resolveQueueURL(ctx context.Context, q cloud.Queue, s string) (string, error) {
	if strings.Contains(s, "://") {
		return s, nil
	}
	url, err := q.QueueURL(ctx, s)
	if err != nil {
		return "", fmt.Errorf("find queue %q: %w", s, err)
	}
	return url, nil
}
