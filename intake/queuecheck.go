package intake

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/drainer-dev/drainer/awsid"
	"github.com/drainer-dev/drainer/cloud"
)

// QueueReader is what CheckQueue asks of SQS. cloud/aws's Client
// satisfies it.
type QueueReader interface {
	// QueueURL: cloud.Queue (by name or by ARN).
	QueueURL(ctx context.Context, nameOrARN string) (string, error)
	// QueueARN reads the queue's ARN (GetQueueAttributes): ErrNotFound
	// when the queue does not exist, ErrAccessDenied when the caller may
	// not read it.
	QueueARN(ctx context.Context, queueURL string) (string, error)
}

// QueueError is why drainer cannot read its queue at start: one line that
// names the queue as given and says what to do. Err is the cause
// (errors.Is finds cloud.ErrNotFound or cloud.ErrAccessDenied in it).
type QueueError struct {
	Queue string
	// Problem is the line, without the queue's name.
	Problem string
	Err     error
}

// Error is the line: "queue QUEUE: PROBLEM".
func (e *QueueError) Error() string { return "queue " + e.Queue + ": " + e.Problem }

// Unwrap is the cause.
func (e *QueueError) Unwrap() error { return e.Err }

// CheckQueue resolves drainer's queue, given by URL, ARN
// (arn:aws:sqs:REGION:ACCOUNT:NAME, resolved with GetQueueUrl) or bare
// name, and reads it once (GetQueueAttributes), so that drainer stops at
// start, with a *QueueError saying what to do, when the queue does not
// exist or drainer may not read it, instead of retrying its receives for
// ever. region is the Region drainer's client calls ("" not checked): a
// queue ARN of another Region is refused before any call, since SQS
// answers for its own Region only. It returns the queue's URL and ARN.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueUrl.html
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html
func CheckQueue(ctx context.Context, q QueueReader, queue, region string) (url, arn string, err error) {
	queue = strings.TrimSpace(queue)
	if queue == "" {
		return "", "", &QueueError{Queue: `""`, Problem: "no queue named: give its URL, ARN or name"}
	}
	if strings.HasPrefix(queue, "arn:") {
		a, err := awsid.ParseQueueARN(queue)
		if err != nil {
			return "", "", &QueueError{Queue: queue, Problem: fmt.Sprintf("%v: give the queue's URL, ARN (arn:aws:sqs:REGION:ACCOUNT:NAME) or name", err), Err: err}
		}
		if region != "" && a.Region != region {
			return "", "", &QueueError{Queue: queue, Problem: fmt.Sprintf("the queue is in Region %s and drainer calls Region %s: run drainer in the queue's Region (--region %s)", a.Region, region, a.Region)}
		}
	}
	url = queue
	if !strings.Contains(queue, "://") {
		if url, err = q.QueueURL(ctx, queue); err != nil {
			return "", "", queueProblem(queue, region, err)
		}
	}
	if arn, err = q.QueueARN(ctx, url); err != nil {
		return "", "", queueProblem(queue, region, err)
	}
	return url, arn, nil
}

// queueProblem words why queue (as given) could not be read in region:
// a *QueueError for a queue that does not exist or may not be read, the
// error with the queue named otherwise (a network or endpoint problem,
// which the caller's hint about the AWS configuration covers).
func queueProblem(queue, region string, err error) error {
	in := ""
	if region != "" {
		in = " in Region " + region
	}
	switch {
	case errors.Is(err, cloud.ErrAccessDenied):
		return &QueueError{Queue: queue, Err: err, Problem: fmt.Sprintf(
			"drainer may not read it (%v): allow sqs:GetQueueUrl, sqs:GetQueueAttributes, sqs:ReceiveMessage, sqs:DeleteMessage and sqs:ChangeMessageVisibility on it to drainer's role, or check the credentials", err)}
	case errors.Is(err, cloud.ErrNotFound):
		// SQS says "does not exist" also to a caller not allowed to see
		// the queue ("Troubleshoot Amazon SQS API errors", QueueDoesNotExist,
		// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/troubleshooting-api-errors.html).
		return &QueueError{Queue: queue, Err: err, Problem: fmt.Sprintf(
			"no such queue%s, or drainer's role may not see it: create it (drainer setup creates it), check --queue-url and --region, or allow sqs:GetQueueUrl and sqs:GetQueueAttributes on it", in)}
	}
	return fmt.Errorf("read queue %s: %w", queue, err)
}
