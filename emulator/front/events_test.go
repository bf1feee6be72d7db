package front_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// TestEventBridgeThroughTheSDK drives every EventBridge operation through
// the real SDK client, routing a custom event to an SQS queue.
func TestEventBridgeThroughTheSDK(t *testing.T) {
	e := newEndpoint(t)
	ctx := ctxT(t)
	c := e.events
	cq, err := e.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("events")})
	noErr(t, err)
	qa, err := e.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: cq.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	noErr(t, err)

	pr, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("drains"), EventPattern: aws.String(`{"source":["drainer"]}`)})
	noErr(t, err)
	if !strings.HasSuffix(aws.ToString(pr.RuleArn), ":rule/drains") {
		t.Fatalf("PutRule ARN %s", aws.ToString(pr.RuleArn))
	}
	for i := range 3 {
		_, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(fmt.Sprintf("other-%d", i)), EventPattern: aws.String(`{"source":["x"]}`), State: types.RuleStateDisabled})
		noErr(t, err)
	}
	dr, err := c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("drains")})
	noErr(t, err)
	if dr.State != types.RuleStateEnabled || aws.ToString(dr.EventPattern) != `{"source":["drainer"]}` {
		t.Fatalf("DescribeRule = %+v", dr)
	}
	pt, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("drains"), Targets: []types.Target{{Id: aws.String("q"), Arn: aws.String(qa.Attributes["QueueArn"])}}})
	noErr(t, err)
	if pt.FailedEntryCount != 0 {
		t.Fatalf("PutTargets failed: %+v", pt.FailedEntries)
	}
	lt, err := c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("drains")})
	noErr(t, err)
	if len(lt.Targets) != 1 {
		t.Fatalf("ListTargetsByRule = %+v", lt.Targets)
	}
	var names []string
	pages := 0
	// The SDK has no ListRules paginator: follow NextToken by hand.
	for in := (&eventbridge.ListRulesInput{Limit: aws.Int32(3)}); ; pages++ {
		page, err := c.ListRules(ctx, in)
		noErr(t, err)
		for _, r := range page.Rules {
			names = append(names, aws.ToString(r.Name))
		}
		if page.NextToken == nil {
			pages++
			break
		}
		in.NextToken = page.NextToken
	}
	if len(names) != 4 || pages != 2 {
		t.Fatalf("ListRules gave %v in %d pages", names, pages)
	}

	pe, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String("drainer"), DetailType: aws.String("Drain Started"), Detail: aws.String(`{"instance-id":"i-1"}`)},
		{Source: aws.String("aws.ec2"), DetailType: aws.String("forged"), Detail: aws.String(`{}`)},
	}})
	noErr(t, err)
	if pe.FailedEntryCount != 1 || aws.ToString(pe.Entries[0].EventId) == "" || aws.ToString(pe.Entries[1].ErrorCode) == "" {
		t.Fatalf("PutEvents = %+v", pe.Entries)
	}
	rm, err := e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: cq.QueueUrl})
	noErr(t, err)
	if len(rm.Messages) != 1 || !strings.Contains(aws.ToString(rm.Messages[0].Body), `"detail-type":"Drain Started"`) {
		t.Fatalf("the queue got %+v", rm.Messages)
	}

	_, err = c.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String("drains"), Ids: []string{"q"}})
	noErr(t, err)
	_, err = c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("drains")})
	noErr(t, err)

	// Errors, as the SDK's modelled types.
	_, err = c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("drains")})
	if !isA[*types.ResourceNotFoundException](err) {
		t.Fatalf("DescribeRule of a deleted rule: %v", err)
	}
	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("bad"), EventPattern: aws.String(`{"source":"not-a-list"}`)})
	if !isA[*types.InvalidEventPatternException](err) {
		t.Fatalf("PutRule with a bad pattern: %v", err)
	}
	_, err = c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{}})
	if apiCode(err) != "ValidationException" {
		t.Fatalf("PutEvents of nothing: %v", err)
	}
}
