package lambdafn

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/drainer-dev/drainer/awsid"
	"github.com/drainer-dev/drainer/clock"
)

// A message of a batch that the function reports as failed stays in the
// queue, hidden until the queue's visibility timeout ends: Lambda's SQS
// event source mapping deletes only the others
// (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html),
// and an SQS event source wants a visibility timeout of several times the
// function's timeout (drainer's stack: 6 minutes). A lifecycle notice
// failed for a throttled look at Auto Scaling would wait that long. So
// the function brings each failed message back sooner itself, with
// ChangeMessageVisibility on the receipt handle of the receive that
// brought it (the record's; an older one is refused), after RetryDelay:
// short at first, exponential in its receive count, capped, and jittered
// so that the messages failed together do not come back together.
// ChangeMessageVisibility takes 0 to 43200 seconds, counted from the call
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html).
// When the call fails, the message simply comes back after the visibility
// timeout, as without it.
//
// The queue's redrive policy counts every receive: at five receives
// (drainer's stack and setup) a message failing every time reaches the
// dead-letter queue within about three minutes instead of half an hour.
// A lifecycle action whose notice is lost so is still taken up by the
// next round's scan (see Options.TakeUpGrace).

const (
	// RetryBase is the backoff after a message's first receive.
	RetryBase = 10 * time.Second
	// RetryCap bounds the backoff: a minute, no longer than the visibility
	// timeout of any queue an SQS event source of a function with a
	// minute's timeout reads (Lambda wants it at least the function's
	// timeout), so that the backoff never holds a message longer than the
	// queue would.
	RetryCap = time.Minute
	// RetryTime is the part of a batch's budget kept, after its messages'
	// handling, to bring back those that failed.
	RetryTime = 5 * time.Second
)

// RetryDelay is how long a failed message stays hidden before it comes
// back, in whole seconds: d = RetryBase·2^(n−1) capped at RetryCap, for n
// its receive count (SQS's ApproximateReceiveCount, 1 at its first
// receive; less counts as 1), of which the first half always and the
// second half in proportion to jitter, in [0, 1) (clamped): d/2 ≤ delay ≤ d.
// The first retries come after 5–10 s, 10–20 s, 20–40 s, then 30–60 s.
func RetryDelay(receiveCount int, jitter float64) time.Duration {
	d := RetryCap
	if n := max(receiveCount, 1); n <= 8 {
		d = min(RetryCap, RetryBase<<(n-1))
	}
	jitter = min(max(jitter, 0), 1)
	return (d/2 + time.Duration(jitter*float64(d/2))).Truncate(time.Second)
}

// retry brings the failed records of a batch (by message id) back after
// RetryDelay, one ChangeMessageVisibility each, until ctx ends; it counts
// what it did in rep. A failure is logged and counted, never fatal: the
// message then comes back after the queue's visibility timeout.
func (f *Function) retry(ctx context.Context, records []events.SQSMessage, failed []string, rep *Report) {
	byID := make(map[string]events.SQSMessage, len(records))
	for _, r := range records {
		byID[r.MessageId] = r
	}
	for _, id := range failed {
		r, ok := byID[id]
		if !ok {
			continue
		}
		n := receiveCount(r)
		delay := RetryDelay(n, rand.Float64())
		err := ctx.Err()
		if err == nil {
			var url string
			if url, err = queueURL(ctx, r.EventSourceARN); err == nil {
				err = f.d.Cloud.ChangeMessageVisibility(ctx, url, r.ReceiptHandle, delay)
			}
		}
		if err != nil {
			rep.RetryErrors++
			f.log.Warn("failed message not brought back early: it comes back after the queue's visibility timeout", "message", id, "receiveCount", n, "error", err)
			continue
		}
		rep.Retried++
		f.log.Info("failed message comes back after a backoff", "message", id, "receiveCount", n, "after", delay.String())
	}
}

// retryWindow splits the work's time, which ends at end, for a batch: the
// context its messages' handling works in ends RetryTime before end (or
// with work, if that leaves no time), leaving the rest to retry.
func (f *Function) retryWindow(work context.Context, end time.Time) (context.Context, context.CancelFunc) {
	d := end.Sub(f.clock.Now()) - RetryTime
	if d <= 0 {
		return context.WithCancel(work)
	}
	return clock.WithTimeout(work, f.clock, d)
}

// queueURL is the URL of the queue whose ARN is queueARN (a record's
// eventSourceARN, arn:PARTITION:sqs:REGION:ACCOUNT:NAME): Amazon SQS's
// endpoint in the queue's Region, as the SDK resolves it for any
// partition, then /ACCOUNT/NAME ("Amazon SQS queue and message
// identifiers",
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-queue-message-identifiers.html).
// It makes no call; a request goes where the client's configuration
// sends it (AWS_ENDPOINT_URL included), the URL naming the queue.
func queueURL(ctx context.Context, queueARN string) (string, error) {
	a, err := awsid.ParseQueueARN(queueARN)
	if err != nil {
		return "", fmt.Errorf("queue of the record: %w", err)
	}
	ep, err := sqs.NewDefaultEndpointResolverV2().ResolveEndpoint(ctx, sqs.EndpointParameters{Region: aws.String(a.Region)})
	if err != nil {
		return "", fmt.Errorf("Amazon SQS endpoint in %s: %w", a.Region, err)
	}
	u := ep.URI
	u.Path, u.RawPath = "/"+a.AccountID+"/"+a.Resource, ""
	return u.String(), nil
}
