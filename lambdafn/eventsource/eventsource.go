// Package eventsource plays the part of Lambda's SQS event source mapping
// on a queue, for tests of drainer's Lambda function: it receives the
// visible messages, passes them on as the events.SQSEvent Lambda would,
// and deletes those the function's partial batch response does not name
// as failed, leaving the failed ones to come back after their visibility
// timeout (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html),
// or sooner when the function changed it.
package eventsource

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/drainer-dev/drainer/cloud"
)

// Mapping is one queue's event source mapping.
type Mapping struct {
	// Queue is the client the mapping reads and deletes through, URL the
	// queue's URL.
	Queue cloud.Queue
	URL   string
	// ARN and Region are what each record says it comes from
	// (eventSourceARN, awsRegion).
	ARN, Region string
}

// Receive returns up to ten visible messages at once, hidden for the
// queue's visibility timeout.
func (m *Mapping) Receive(ctx context.Context) ([]cloud.Message, error) {
	msgs, err := m.Queue.ReceiveMessages(ctx, m.URL, cloud.ReceiveOptions{Max: 10})
	if err != nil {
		return nil, fmt.Errorf("event source: receive from %s: %w", m.URL, err)
	}
	return msgs, nil
}

// Event is the event Lambda invokes the function with for msgs: each
// record with its message id, receipt handle, body and receive count
// (the attribute ApproximateReceiveCount, as a string), from "aws:sqs".
func (m *Mapping) Event(msgs []cloud.Message) events.SQSEvent {
	var ev events.SQSEvent
	for _, msg := range msgs {
		ev.Records = append(ev.Records, events.SQSMessage{MessageId: msg.ID, ReceiptHandle: msg.ReceiptHandle, Body: msg.Body,
			Attributes:  map[string]string{"ApproximateReceiveCount": strconv.Itoa(msg.ReceiveCount)},
			EventSource: "aws:sqs", EventSourceARN: m.ARN, AWSRegion: m.Region})
	}
	return ev
}

// Settle deletes the messages of a batch that answer does not name as
// failed (by message id), and returns the ids it names.
func (m *Mapping) Settle(ctx context.Context, msgs []cloud.Message, answer events.SQSEventResponse) (failed []string, err error) {
	var del []string
	for _, msg := range msgs {
		if slices.ContainsFunc(answer.BatchItemFailures, func(f events.SQSBatchItemFailure) bool { return f.ItemIdentifier == msg.ID }) {
			failed = append(failed, msg.ID)
		} else {
			del = append(del, msg.ReceiptHandle)
		}
	}
	if len(del) > 0 {
		if _, err := m.Queue.DeleteMessages(ctx, m.URL, del); err != nil {
			return failed, fmt.Errorf("event source: delete from %s: %w", m.URL, err)
		}
	}
	return failed, nil
}

// Take receives every visible message and returns those keep accepts,
// hidden for the queue's visibility timeout; it deletes the others.
func (m *Mapping) Take(ctx context.Context, keep func(cloud.Message) bool) ([]cloud.Message, error) {
	var out []cloud.Message
	for {
		msgs, err := m.Receive(ctx)
		if err != nil || len(msgs) == 0 {
			return out, err
		}
		var drop []cloud.Message
		for _, msg := range msgs {
			if keep(msg) {
				out = append(out, msg)
			} else {
				drop = append(drop, msg)
			}
		}
		if _, err := m.Settle(ctx, drop, events.SQSEventResponse{}); err != nil {
			return out, err
		}
	}
}
