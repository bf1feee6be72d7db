package front_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// TestQueueTagsWireConformance: ListQueueTags answers the tags a queue
// was created with, none for a queue created without, and
// QueueDoesNotExist for a queue that is gone, through the SDK.
func TestQueueTagsWireConformance(t *testing.T) {
	e := newEndpoint(t)
	ctx := ctxT(t)
	tagged, err := e.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("tagged"), Tags: map[string]string{"team": "payments", "drainer:setup": "drainer"}})
	noErr(t, err)
	plain, err := e.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("plain")})
	noErr(t, err)

	lt, err := e.sqs.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: tagged.QueueUrl})
	noErr(t, err)
	if len(lt.Tags) != 2 || lt.Tags["team"] != "payments" || lt.Tags["drainer:setup"] != "drainer" {
		t.Errorf("tags of the tagged queue = %v", lt.Tags)
	}
	lt, err = e.sqs.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: plain.QueueUrl})
	noErr(t, err)
	if len(lt.Tags) != 0 {
		t.Errorf("tags of a queue created without = %v, want none", lt.Tags)
	}
	_, err = e.sqs.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: tagged.QueueUrl})
	noErr(t, err)
	_, err = e.sqs.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: tagged.QueueUrl})
	if !isA[*sqstypes.QueueDoesNotExist](err) {
		t.Errorf("ListQueueTags of a deleted queue: %v, want QueueDoesNotExist", err)
	}
}

// TestRuleTagsWireConformance: a rule keeps the tags PutRule created it
// with; a PutRule that updates it changes its pattern but not its tags;
// ListTagsForResource answers ResourceNotFoundException for a rule that
// does not exist, through the SDK.
func TestRuleTagsWireConformance(t *testing.T) {
	e := newEndpoint(t)
	ctx := ctxT(t)
	c := e.events
	put, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("spot"), EventPattern: aws.String(`{"source":["aws.ec2"]}`),
		Tags: []ebtypes.Tag{{Key: aws.String("drainer:setup"), Value: aws.String("drainer")}, {Key: aws.String("team"), Value: aws.String("ops")}}})
	noErr(t, err)
	tags := func() map[string]string {
		t.Helper()
		res, err := c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: put.RuleArn})
		noErr(t, err)
		out := map[string]string{}
		for _, tg := range res.Tags {
			out[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		return out
	}
	if got := tags(); len(got) != 2 || got["drainer:setup"] != "drainer" || got["team"] != "ops" {
		t.Errorf("tags after creation = %v", got)
	}
	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("spot"), EventPattern: aws.String(`{"source":["aws.ecs"]}`),
		Tags: []ebtypes.Tag{{Key: aws.String("team"), Value: aws.String("other")}}})
	noErr(t, err)
	if got := tags(); len(got) != 2 || got["team"] != "ops" {
		t.Errorf("tags after an update naming others = %v, want those of the creation", got)
	}
	d, err := c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("spot")})
	noErr(t, err)
	if aws.ToString(d.EventPattern) != `{"source":["aws.ecs"]}` {
		t.Errorf("pattern after the update = %s", aws.ToString(d.EventPattern))
	}

	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("plain"), EventPattern: aws.String(`{"source":["aws.ec2"]}`)})
	noErr(t, err)
	res, err := c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:events:us-east-1:123456789012:rule/plain")})
	noErr(t, err)
	if len(res.Tags) != 0 {
		t.Errorf("tags of a rule created without = %+v", res.Tags)
	}
	_, err = c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:events:us-east-1:123456789012:rule/never-made")})
	if !isA[*ebtypes.ResourceNotFoundException](err) || !containsMessage(err, "Rule never-made does not exist on EventBus default.") {
		t.Errorf("ListTagsForResource of a rule that does not exist: %v", err)
	}
	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("bad"), EventPattern: aws.String(`{"source":["aws.ec2"]}`),
		Tags: []ebtypes.Tag{{Key: aws.String(""), Value: aws.String("x")}}})
	if apiCode(err) != "ValidationException" {
		t.Errorf("PutRule with an empty tag key: %v, want ValidationException", err)
	}
}
