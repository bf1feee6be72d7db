package front_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// TestEventBridgeWireConformance checks through the SDK what EventBridge
// answers as AWS does: deleting a rule that does not exist succeeds, a bad
// PutEvents entry fails on its own inside a successful call, and cidr
// filters route IPv4 and IPv6 addresses.
func TestEventBridgeWireConformance(t *testing.T) {
	e := newEndpoint(t)
	ctx := ctxT(t)
	c := e.events

	_, err := c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("never-made")})
	noErr(t, err)

	pe, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String("drainer")},
		{Source: aws.String("drainer"), DetailType: aws.String("Drain Started"), Detail: aws.String(`{"broken":`)},
	}})
	noErr(t, err)
	if pe.FailedEntryCount != 2 || len(pe.Entries) != 2 ||
		aws.ToString(pe.Entries[0].ErrorCode) != "InvalidArgument" ||
		aws.ToString(pe.Entries[0].ErrorMessage) != "Parameter DetailType is not valid. Reason: DetailType is a required argument." ||
		aws.ToString(pe.Entries[1].ErrorCode) != "MalformedDetail" || pe.Entries[1].EventId != nil {
		t.Fatalf("PutEvents with bad entries = %d failed, %+v", pe.FailedEntryCount, pe.Entries)
	}

	cq, err := e.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("from-inside")})
	noErr(t, err)
	qa, err := e.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: cq.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	noErr(t, err)
	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("inside"),
		EventPattern: aws.String(`{"source":["drainer"],"detail":{"ip":[{"cidr":"10.0.0.0/16"},{"cidr":"2001:db8::/32"}]}}`)})
	noErr(t, err)
	_, err = c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("inside"), Targets: []types.Target{{Id: aws.String("q"), Arn: aws.String(qa.Attributes["QueueArn"])}}})
	noErr(t, err)
	var entries []types.PutEventsRequestEntry
	for _, ip := range []string{"10.0.3.4", "10.1.0.1", "2001:db8::7", "2001:db9::7", "not-an-address"} {
		entries = append(entries, types.PutEventsRequestEntry{Source: aws.String("drainer"), DetailType: aws.String("Seen"), Detail: aws.String(`{"ip":"` + ip + `"}`)})
	}
	pe, err = c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
	noErr(t, err)
	if pe.FailedEntryCount != 0 {
		t.Fatalf("PutEvents = %+v", pe.Entries)
	}
	rm, err := e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: cq.QueueUrl, MaxNumberOfMessages: 10})
	noErr(t, err)
	var got []string
	for _, m := range rm.Messages {
		body := aws.ToString(m.Body)
		got = append(got, body[strings.Index(body, `"ip":`):])
	}
	if len(got) != 2 || !strings.Contains(strings.Join(got, " "), `"10.0.3.4"`) || !strings.Contains(strings.Join(got, " "), `"2001:db8::7"`) {
		t.Fatalf("the cidr rule delivered %v, want the events of 10.0.3.4 and 2001:db8::7", got)
	}

	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("bad-cidr"), EventPattern: aws.String(`{"detail":{"ip":[{"cidr":"10.0.0.0/40"}]}}`)})
	if !isA[*types.InvalidEventPatternException](err) {
		t.Fatalf("PutRule with a bad cidr: %v", err)
	}
}
