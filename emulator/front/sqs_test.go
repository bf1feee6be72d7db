package front_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/drainer-dev/drainer/clock"
)

// TestSQSThroughTheSDK drives every SQS operation through the real SDK
// client, which also checks the MD5 digests of what it sends and receives.
func TestSQSThroughTheSDK(t *testing.T) {
	e := newEndpoint(t)
	ctx := ctxT(t)
	c := e.sqs

	cq, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("work"), Attributes: map[string]string{"VisibilityTimeout": "30"}})
	noErr(t, err)
	url := aws.ToString(cq.QueueUrl)
	gu, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("work")})
	noErr(t, err)
	if aws.ToString(gu.QueueUrl) != url {
		t.Fatalf("GetQueueUrl = %s, CreateQueue said %s", aws.ToString(gu.QueueUrl), url)
	}
	_, err = c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: &url, Attributes: map[string]string{"VisibilityTimeout": "45"}})
	noErr(t, err)
	ga, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll}})
	noErr(t, err)
	if ga.Attributes["VisibilityTimeout"] != "45" || ga.Attributes["QueueArn"] == "" {
		t.Fatalf("GetQueueAttributes = %v", ga.Attributes)
	}

	sent, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(`{"hello":"world"}`),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"kind": {DataType: aws.String("String"), StringValue: aws.String("greeting")},
			"blob": {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2}},
		}})
	noErr(t, err)
	if aws.ToString(sent.MessageId) == "" {
		t.Fatal("SendMessage gave no MessageId")
	}
	batch, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("a"), MessageBody: aws.String("one")},
		{Id: aws.String("b"), MessageBody: aws.String("two"), DelaySeconds: 0},
	}})
	noErr(t, err)
	if len(batch.Successful) != 2 || len(batch.Failed) != 0 {
		t.Fatalf("SendMessageBatch = %+v / %+v", batch.Successful, batch.Failed)
	}

	rm, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10,
		MessageAttributeNames: []string{"All"}, MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll}})
	noErr(t, err)
	if len(rm.Messages) != 3 {
		t.Fatalf("ReceiveMessage got %d messages, want 3", len(rm.Messages))
	}
	var first types.Message
	for _, m := range rm.Messages {
		if aws.ToString(m.MessageId) == aws.ToString(sent.MessageId) {
			first = m
		}
	}
	if string(first.MessageAttributes["blob"].BinaryValue) != "\x00\x01\x02" || first.Attributes["ApproximateReceiveCount"] != "1" {
		t.Fatalf("received %+v", first)
	}
	_, err = c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &url, ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 0})
	noErr(t, err)
	cvb, err := c.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: &url, Entries: []types.ChangeMessageVisibilityBatchRequestEntry{
		{Id: aws.String("x"), ReceiptHandle: rm.Messages[1].ReceiptHandle, VisibilityTimeout: 60}}})
	noErr(t, err)
	if len(cvb.Successful) != 1 {
		t.Fatalf("ChangeMessageVisibilityBatch = %+v", cvb)
	}
	_, err = c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: rm.Messages[2].ReceiptHandle})
	noErr(t, err)
	db, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &url, Entries: []types.DeleteMessageBatchRequestEntry{
		{Id: aws.String("ok"), ReceiptHandle: rm.Messages[1].ReceiptHandle},
		{Id: aws.String("bad"), ReceiptHandle: aws.String("not-a-handle")},
	}})
	noErr(t, err)
	if len(db.Successful) != 1 || len(db.Failed) != 1 || aws.ToString(db.Failed[0].Code) != "ReceiptHandleIsInvalid" {
		t.Fatalf("DeleteMessageBatch = %+v / %+v", db.Successful, db.Failed)
	}
	// The first message became visible again at once.
	again, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount}})
	noErr(t, err)
	if len(again.Messages) != 1 || again.Messages[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("second receive = %+v", again.Messages)
	}
	_, err = c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: &url})
	noErr(t, err)

	// ListQueues across pages with the SDK paginator.
	for i := range 4 {
		_, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(fmt.Sprintf("extra-%d", i))})
		noErr(t, err)
	}
	var urls []string
	pages := 0
	for p := sqs.NewListQueuesPaginator(c, &sqs.ListQueuesInput{MaxResults: aws.Int32(2)}); p.HasMorePages(); pages++ {
		page, err := p.NextPage(ctx)
		noErr(t, err)
		urls = append(urls, page.QueueUrls...)
	}
	if len(urls) != 5 || pages != 3 {
		t.Fatalf("ListQueues gave %d queues in %d pages: %v", len(urls), pages, urls)
	}
	_, err = c.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: &url})
	noErr(t, err)
}

// TestSQSErrorsThroughTheSDK checks that SQS errors (awsJson1_0 with
// awsQueryCompatible) reach the SDK as their modelled types, with the
// awsQuery code as the error code, as AWS answers them.
func TestSQSErrorsThroughTheSDK(t *testing.T) {
	e := newEndpoint(t)
	ctx := ctxT(t)
	c := e.sqs
	cq, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q")})
	noErr(t, err)
	url := cq.QueueUrl
	gone := aws.String("http://sqs.us-east-1.localhost/123456789012/gone")
	tests := []struct {
		name string
		call func() error
		as   func(error) bool
		code string
	}{
		{"unknown queue url", func() error {
			_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: gone, MessageBody: aws.String("x")})
			return err
		}, isA[*types.QueueDoesNotExist], "AWS.SimpleQueueService.NonExistentQueue"},
		{"unknown queue name", func() error {
			_, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("gone")})
			return err
		}, isA[*types.QueueDoesNotExist], "AWS.SimpleQueueService.NonExistentQueue"},
		{"queue exists with other attributes", func() error {
			_, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q"), Attributes: map[string]string{"VisibilityTimeout": "99"}})
			return err
		}, isA[*types.QueueNameExists], "QueueAlreadyExists"},
		{"bad receipt handle", func() error {
			_, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: url, ReceiptHandle: aws.String("nope")})
			return err
		}, isA[*types.ReceiptHandleIsInvalid], "ReceiptHandleIsInvalid"},
		{"empty batch", func() error {
			_, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: url, Entries: []types.DeleteMessageBatchRequestEntry{}})
			return err
		}, isA[*types.EmptyBatchRequest], "AWS.SimpleQueueService.EmptyBatchRequest"},
		{"eleven entries", func() error {
			entries := make([]types.SendMessageBatchRequestEntry, 11)
			for i := range entries {
				entries[i] = types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(i)), MessageBody: aws.String("x")}
			}
			_, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: entries})
			return err
		}, isA[*types.TooManyEntriesInBatchRequest], "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"},
		{"duplicate batch ids", func() error {
			_, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: []types.SendMessageBatchRequestEntry{
				{Id: aws.String("a"), MessageBody: aws.String("x")}, {Id: aws.String("a"), MessageBody: aws.String("y")}}})
			return err
		}, isA[*types.BatchEntryIdsNotDistinct], "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"},
		{"purge twice within a minute", func() error {
			if _, err := c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: url}); err != nil {
				return err
			}
			_, err := c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: url})
			return err
		}, isA[*types.PurgeQueueInProgress], "AWS.SimpleQueueService.PurgeQueueInProgress"},
		{"wait time out of range", func() error {
			_, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, WaitTimeSeconds: 21})
			return err
		}, func(error) bool { return true }, "InvalidParameterValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if !tt.as(err) || apiCode(err) != tt.code {
				t.Fatalf("err = %v (code %q), want %s", err, apiCode(err), tt.code)
			}
		})
	}
}

// TestSQSLongPolling waits, on the scaled clock, for a message sent during
// the poll, and for an empty poll to end at WaitTimeSeconds.
func TestSQSLongPolling(t *testing.T) {
	e := newEndpoint(t)
	ctx := ctxT(t)
	cq, err := e.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("poll")})
	noErr(t, err)
	url := cq.QueueUrl

	// The SDK's calls run as goroutines of the world's clock (the in-process
	// transport serves them on the caller's goroutine): their waits are in
	// virtual time, which only the clock's owner moves.
	start := e.w.Now()
	type result struct {
		n   int
		err error
		at  time.Duration
	}
	var empty, woken result
	clock.Go(ctx, e.w.Clock, func(ctx context.Context) {
		out, err := e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, WaitTimeSeconds: 5})
		empty = result{len(out.Messages), err, e.w.Now().Sub(start)}
		out, err = e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, WaitTimeSeconds: 20})
		if err == nil && (len(out.Messages) != 1 || aws.ToString(out.Messages[0].Body) != "wake up") {
			err = fmt.Errorf("long poll got %+v", out.Messages)
		}
		woken = result{len(out.Messages), err, e.w.Now().Sub(start)}
	})
	e.w.Clock.At(start.Add(8*time.Second), func() {
		clock.Go(ctx, e.w.Clock, func(ctx context.Context) {
			_, err := e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String("wake up")})
			noErr(t, err)
		})
	})
	e.w.Clock.RunFor(time.Minute)
	if empty.err != nil || empty.n != 0 || empty.at != 5*time.Second {
		t.Fatalf("empty poll answered %d messages, %v, after %v of virtual time; want none after its 5s", empty.n, empty.err, empty.at)
	}
	if woken.err != nil || woken.at != 8*time.Second {
		t.Fatalf("waiting poll: %v at +%v; want the message the instant it was sent (+8s)", woken.err, woken.at)
	}
}

// callsReached returns a channel closed once the call log counts n calls
// of service:op.
func (e *endpoint) callsReached(service, op string, n int) <-chan struct{} {
	ch := make(chan struct{})
	closed := false
	check := func() {
		if !closed && e.w.Calls.Count(service, op, "") >= n {
			closed = true
			close(ch)
		}
	}
	e.w.Do(check)
	e.w.OnEvent(check)
	return ch
}
