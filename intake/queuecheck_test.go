package intake

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/drainer-dev/drainer/cloud"
)

// queues is a QueueReader over a set of queues by URL; refused queues
// answer access denied, down answers a network error, and every call is
// recorded.
type queues struct {
	urls    map[string]string // name → URL
	refused map[string]bool   // URL → access denied
	down    bool
	calls   []string
}

func (q *queues) QueueURL(_ context.Context, nameOrARN string) (string, error) {
	q.calls = append(q.calls, "GetQueueUrl "+nameOrARN)
	if q.down {
		return "", errors.New("dial tcp 127.0.0.1:1: connect: connection refused")
	}
	name := nameOrARN[strings.LastIndex(nameOrARN, ":")+1:]
	if u, ok := q.urls[name]; ok {
		return u, nil
	}
	return "", fmt.Errorf("queue URL of %s: QueueDoesNotExist: %w", nameOrARN, cloud.ErrNotFound)
}

func (q *queues) QueueARN(_ context.Context, url string) (string, error) {
	q.calls = append(q.calls, "GetQueueAttributes "+url)
	if q.refused[url] {
		return "", fmt.Errorf("read the attributes of %s: AccessDenied: %w", url, cloud.ErrAccessDenied)
	}
	for name, u := range q.urls {
		if u == url {
			return "arn:aws:sqs:us-east-1:123456789012:" + name, nil
		}
	}
	return "", fmt.Errorf("read the attributes of %s: QueueDoesNotExist: %w", url, cloud.ErrNotFound)
}

func TestCheckQueue(t *testing.T) {
	const (
		url    = "https://sqs.us-east-1.amazonaws.com/123456789012/drainer"
		arn    = "arn:aws:sqs:us-east-1:123456789012:drainer"
		closed = "https://sqs.us-east-1.amazonaws.com/123456789012/closed"
	)
	for _, c := range []struct {
		name, queue, region string
		down                bool
		wantURL             string
		wantErr             string // "" for none
		wantSentinel        error  // for a *QueueError
		wantCalls           int
	}{
		{"by URL", url, "us-east-1", false, url, "", nil, 1},
		{"by name", "drainer", "us-east-1", false, url, "", nil, 2},
		{"by ARN", arn, "us-east-1", false, url, "", nil, 2},
		{"by ARN, region not known", arn, "", false, url, "", nil, 2},
		{"blanks around", "  " + url + " ", "us-east-1", false, url, "", nil, 1},
		{"missing by name", "nope", "us-east-1", false, "",
			"queue nope: no such queue in Region us-east-1, or drainer's role may not see it: create it (drainer setup creates it), check --queue-url and --region", cloud.ErrNotFound, 1},
		{"missing by URL", "https://sqs.us-east-1.amazonaws.com/123456789012/gone", "us-east-1", false, "",
			"queue https://sqs.us-east-1.amazonaws.com/123456789012/gone: no such queue in Region us-east-1", cloud.ErrNotFound, 1},
		{"missing by ARN", "arn:aws:sqs:us-east-1:123456789012:gone", "us-east-1", false, "",
			"queue arn:aws:sqs:us-east-1:123456789012:gone: no such queue", cloud.ErrNotFound, 1},
		{"not readable", closed, "us-east-1", false, "",
			"queue " + closed + ": drainer may not read it (read the attributes of " + closed + ": AccessDenied: access denied): allow sqs:GetQueueUrl, sqs:GetQueueAttributes, sqs:ReceiveMessage", cloud.ErrAccessDenied, 1},
		{"ARN of another Region: no call", "arn:aws:sqs:eu-west-1:123456789012:drainer", "us-east-1", false, "",
			"queue arn:aws:sqs:eu-west-1:123456789012:drainer: the queue is in Region eu-west-1 and drainer calls Region us-east-1: run drainer in the queue's Region (--region eu-west-1)", nil, 0},
		{"ARN of another service: no call", "arn:aws:sns:us-east-1:123456789012:drainer", "us-east-1", false, "",
			"queue arn:aws:sns:us-east-1:123456789012:drainer: ", nil, 0},
		{"nothing named", " ", "us-east-1", false, "", `queue "": no queue named`, nil, 0},
		{"SQS unreachable: the error, not a QueueError", "drainer", "us-east-1", true, "",
			"read queue drainer: dial tcp 127.0.0.1:1: connect: connection refused", nil, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			q := &queues{urls: map[string]string{"drainer": url, "closed": closed}, refused: map[string]bool{closed: true}, down: c.down}
			gotURL, gotARN, err := CheckQueue(context.Background(), q, c.queue, c.region)
			if len(q.calls) != c.wantCalls {
				t.Errorf("calls %q, want %d", q.calls, c.wantCalls)
			}
			if c.wantErr == "" {
				if err != nil || gotURL != c.wantURL || gotARN != arn {
					t.Errorf("CheckQueue = %q, %q, %v; want %q, %q", gotURL, gotARN, err, c.wantURL, arn)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), c.wantErr) {
				t.Fatalf("error %v, want one starting %q", err, c.wantErr)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q is more than one line", err)
			}
			var qe *QueueError
			if isQE := errors.As(err, &qe); isQE == c.down {
				t.Errorf("error %v: *QueueError %t, want %t", err, isQE, !c.down)
			}
			if c.wantSentinel != nil && !errors.Is(err, c.wantSentinel) {
				t.Errorf("error %v does not wrap %v", err, c.wantSentinel)
			}
		})
	}
}
