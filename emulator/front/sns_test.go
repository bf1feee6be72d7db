package front_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	asgsdk "github.com/aws/aws-sdk-go-v2/service/autoscaling"
	asgtypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	ec2sdk "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/drainer-dev/drainer/intake"
)

// queueFor creates a queue whose policy lets the topic send to it, as the
// SNS developer guide's "Subscribing an Amazon SQS queue to an Amazon SNS
// topic" says to, and returns its URL and ARN.
func queueFor(t *testing.T, e *endpoint, name, topicARN string) (url, arn string) {
	t.Helper()
	ctx := ctxT(t)
	cq, err := e.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	noErr(t, err)
	qa, err := e.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: cq.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	noErr(t, err)
	arn = qa.Attributes["QueueArn"]
	if topicARN != "" {
		policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},`+
			`"Action":"sqs:SendMessage","Resource":%q,"Condition":{"ArnEquals":{"aws:SourceArn":%q}}}]}`, arn, topicARN)
		_, err = e.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: cq.QueueUrl, Attributes: map[string]string{"Policy": policy}})
		noErr(t, err)
	}
	return aws.ToString(cq.QueueUrl), arn
}

// TestSNSThroughTheSDK drives every SNS operation served through the real
// SDK client, and checks what an SQS subscriber receives: the notification
// envelope, or with raw message delivery the bare message and its
// attributes (the SQS client checks their MD5 digest).
func TestSNSThroughTheSDK(t *testing.T) {
	e := newEndpoint(t)
	ctx := ctxT(t)
	c := e.sns

	ct, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("hooks"), Attributes: map[string]string{"DisplayName": "Hooks"},
		Tags: []snstypes.Tag{{Key: aws.String("team"), Value: aws.String("platform")}}})
	noErr(t, err)
	topic := aws.ToString(ct.TopicArn)
	if topic != "arn:aws:sns:us-east-1:123456789012:hooks" {
		t.Fatalf("TopicArn %s", topic)
	}
	lt, err := c.ListTopics(ctx, &sns.ListTopicsInput{})
	noErr(t, err)
	if len(lt.Topics) != 1 || aws.ToString(lt.Topics[0].TopicArn) != topic || lt.NextToken != nil {
		t.Fatalf("ListTopics = %+v", lt)
	}
	ga, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &topic})
	noErr(t, err)
	if ga.Attributes["DisplayName"] != "Hooks" || ga.Attributes["Owner"] != "123456789012" {
		t.Fatalf("GetTopicAttributes = %v", ga.Attributes)
	}
	tags, err := c.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: &topic})
	noErr(t, err)
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "platform" {
		t.Fatalf("ListTagsForResource = %+v", tags.Tags)
	}

	url, qarn := queueFor(t, e, "drain", topic)
	sub, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("sqs"), Endpoint: &qarn})
	noErr(t, err)
	subARN := aws.ToString(sub.SubscriptionArn)
	ls, err := c.ListSubscriptions(ctx, &sns.ListSubscriptionsInput{})
	noErr(t, err)
	lbt, err := c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: &topic})
	noErr(t, err)
	for _, list := range [][]snstypes.Subscription{ls.Subscriptions, lbt.Subscriptions} {
		if len(list) != 1 || aws.ToString(list[0].SubscriptionArn) != subARN || aws.ToString(list[0].Endpoint) != qarn ||
			aws.ToString(list[0].Protocol) != "sqs" || aws.ToString(list[0].TopicArn) != topic || aws.ToString(list[0].Owner) != "123456789012" {
			t.Fatalf("subscriptions listed = %+v", list)
		}
	}

	pub, err := c.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Subject: aws.String("Drain started"), Message: aws.String(`{"instance":"i-1"}`),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{"kind": {DataType: aws.String("String"), StringValue: aws.String("drain")}}})
	noErr(t, err)
	rm, err := e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameSenderId}})
	noErr(t, err)
	if len(rm.Messages) != 1 {
		t.Fatalf("the queue got %d messages", len(rm.Messages))
	}
	var env struct {
		Type, MessageId, TopicArn, Subject, Message, Timestamp      string
		SignatureVersion, Signature, SigningCertURL, UnsubscribeURL string
		MessageAttributes                                           map[string]struct{ Type, Value string }
	}
	body := aws.ToString(rm.Messages[0].Body)
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		t.Fatalf("body is not the envelope: %v\n%s", err, body)
	}
	if env.Type != "Notification" || env.MessageId != aws.ToString(pub.MessageId) || env.TopicArn != topic || env.Subject != "Drain started" ||
		env.Message != `{"instance":"i-1"}` || env.SignatureVersion != "1" || env.Signature == "" ||
		!strings.HasSuffix(env.SigningCertURL, ".pem") || !strings.HasSuffix(env.UnsubscribeURL, "?Action=Unsubscribe&SubscriptionArn="+subARN) ||
		env.MessageAttributes["kind"].Value != "drain" || rm.Messages[0].Attributes["SenderId"] == "" {
		t.Fatalf("envelope %s", body)
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000Z", env.Timestamp); err != nil {
		t.Fatalf("Timestamp %q: %v", env.Timestamp, err)
	}
	_, err = e.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: rm.Messages[0].ReceiptHandle})
	noErr(t, err)

	_, err = c.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: &subARN, AttributeName: aws.String("RawMessageDelivery"), AttributeValue: aws.String("true")})
	noErr(t, err)
	gsa, err := c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: &subARN})
	noErr(t, err)
	if gsa.Attributes["RawMessageDelivery"] != "true" || gsa.Attributes["PendingConfirmation"] != "false" {
		t.Fatalf("GetSubscriptionAttributes = %v", gsa.Attributes)
	}
	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: aws.String("raw body"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{"kind": {DataType: aws.String("String"), StringValue: aws.String("raw")},
			"blob": {DataType: aws.String("Binary"), BinaryValue: []byte{7, 8}}}})
	noErr(t, err)
	rm, err = e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MessageAttributeNames: []string{"All"}})
	noErr(t, err)
	if len(rm.Messages) != 1 || aws.ToString(rm.Messages[0].Body) != "raw body" ||
		aws.ToString(rm.Messages[0].MessageAttributes["kind"].StringValue) != "raw" || string(rm.Messages[0].MessageAttributes["blob"].BinaryValue) != "\x07\x08" {
		t.Fatalf("raw delivery gave %+v", rm.Messages)
	}

	// A queue without a policy for the topic gets nothing, as on AWS.
	_, bareARN := queueFor(t, e, "no-policy", "")
	_, err = c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("sqs"), Endpoint: &bareARN})
	noErr(t, err)
	var failedBefore int
	e.w.Do(func() { _, failedBefore = e.w.SNS.Deliveries() })
	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: aws.String("for both")})
	noErr(t, err)
	var failed int
	e.w.Do(func() { _, failed = e.w.SNS.Deliveries() })
	if failed != failedBefore+1 {
		t.Fatalf("failed deliveries %d, want %d", failed, failedBefore+1)
	}

	// Errors, as the SDK's modelled types.
	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic + "-gone"), Message: aws.String("x")})
	if !isA[*snstypes.NotFoundException](err) || apiCode(err) != "NotFound" {
		t.Fatalf("Publish to a missing topic: %v", err)
	}
	_, err = c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("carrier-pigeon"), Endpoint: &qarn})
	if !isA[*snstypes.InvalidParameterException](err) || !containsMessage(err, "Amazon SNS does not support this protocol string: carrier-pigeon") {
		t.Fatalf("Subscribe with a bad protocol: %v", err)
	}
	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: aws.String("x"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{"k": {DataType: aws.String("Colour"), StringValue: aws.String("red")}}})
	if !isA[*snstypes.InvalidParameterValueException](err) {
		t.Fatalf("Publish with a bad attribute type: %v", err)
	}
	_, err = c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("bad name")})
	if !isA[*snstypes.InvalidParameterException](err) || !containsMessage(err, "Invalid parameter: Topic Name") {
		t.Fatalf("CreateTopic with a bad name: %v", err)
	}

	_, err = c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: &subARN})
	noErr(t, err)
	_, err = c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: &subARN})
	noErr(t, err)
	_, err = c.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: &topic})
	noErr(t, err)
	_, err = c.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: &topic})
	noErr(t, err)
	lt, err = c.ListTopics(ctx, &sns.ListTopicsInput{})
	noErr(t, err)
	if len(lt.Topics) != 0 {
		t.Fatalf("topics left: %+v", lt.Topics)
	}
}

// TestLifecycleHookThroughSNS plays the AWS blog's path over the wire: a
// termination hook whose NotificationTargetARN is an SNS topic, an SQS
// queue subscribed to it, a scale-in; the queue receives the test
// notification and then the lifecycle message in SNS's envelope, with
// Auto Scaling's subjects, and drainer's intake reads it as the lifecycle
// action of the instance in Terminating:Wait.
func TestLifecycleHookThroughSNS(t *testing.T) {
	e := newEndpoint(t)
	ctx := ctxT(t)
	asg := asgsdk.NewFromConfig(e.cfg, func(o *asgsdk.Options) { o.BaseEndpoint = aws.String(baseEndpoint) })
	ec2c := ec2sdk.NewFromConfig(e.cfg, func(o *ec2sdk.Options) { o.BaseEndpoint = aws.String(baseEndpoint) })

	ct, err := e.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("asg-hooks")})
	noErr(t, err)
	topic := aws.ToString(ct.TopicArn)
	url, qarn := queueFor(t, e, "drainer", topic)
	_, err = e.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("sqs"), Endpoint: &qarn})
	noErr(t, err)

	_, err = ec2c.CreateLaunchTemplate(ctx, &ec2sdk.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("web-lt"),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String("ami-12345678"), InstanceType: ec2types.InstanceTypeM5Large,
			UserData: aws.String(base64.StdEncoding.EncodeToString([]byte("#!/bin/bash\necho ECS_CLUSTER=web >> /etc/ecs/ecs.config\n")))}})
	noErr(t, err)
	_, err = asg.CreateAutoScalingGroup(ctx, &asgsdk.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String("web"),
		LaunchTemplate: &asgtypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String("web-lt"), Version: aws.String("$Latest")},
		MinSize:        aws.Int32(0), MaxSize: aws.Int32(2), DesiredCapacity: aws.Int32(2), AvailabilityZones: []string{"us-east-1a", "us-east-1b"}})
	noErr(t, err)
	_, err = asg.PutLifecycleHook(ctx, &asgsdk.PutLifecycleHookInput{AutoScalingGroupName: aws.String("web"), LifecycleHookName: aws.String("drain-hook"),
		LifecycleTransition: aws.String("autoscaling:EC2_INSTANCE_TERMINATING"), HeartbeatTimeout: aws.Int32(900), DefaultResult: aws.String("CONTINUE"),
		NotificationTargetARN: &topic, RoleARN: aws.String("arn:aws:iam::123456789012:role/hooks")})
	noErr(t, err)
	e.w.Clock.RunFor(2 * time.Minute)

	receive := func() (sqstypes.Message, map[string]string) {
		t.Helper()
		rm, err := e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url})
		noErr(t, err)
		if len(rm.Messages) != 1 {
			t.Fatalf("the queue has %d messages, want 1", len(rm.Messages))
		}
		var env map[string]string
		if err := json.Unmarshal([]byte(aws.ToString(rm.Messages[0].Body)), &env); err != nil {
			t.Fatalf("not an envelope: %s", aws.ToString(rm.Messages[0].Body))
		}
		_, err = e.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: rm.Messages[0].ReceiptHandle})
		noErr(t, err)
		return rm.Messages[0], env
	}
	testMsg, env := receive()
	if env["Type"] != "Notification" || env["TopicArn"] != topic || env["Subject"] != `Auto Scaling: test notification for group "web"` ||
		!strings.Contains(env["Message"], `"Event":"autoscaling:TEST_NOTIFICATION"`) {
		t.Fatalf("test notification envelope %v", env)
	}
	if _, err := intake.Parse(aws.ToString(testMsg.Body)); err == nil {
		t.Fatal("intake took the test notification for an action")
	}

	_, err = asg.SetDesiredCapacity(ctx, &asgsdk.SetDesiredCapacityInput{AutoScalingGroupName: aws.String("web"), DesiredCapacity: aws.Int32(1)})
	noErr(t, err)
	e.w.Clock.RunFor(5 * time.Second)
	groups, err := asg.DescribeAutoScalingGroups(ctx, &asgsdk.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"web"}})
	noErr(t, err)
	var victim string
	for _, in := range groups.AutoScalingGroups[0].Instances {
		if in.LifecycleState == asgtypes.LifecycleStateTerminatingWait {
			victim = aws.ToString(in.InstanceId)
		}
	}
	if victim == "" {
		t.Fatalf("no instance in Terminating:Wait: %+v", groups.AutoScalingGroups[0].Instances)
	}
	msg, env := receive()
	if want := "Auto Scaling:  Lifecycle action 'TERMINATING' for instance " + victim + " in progress."; env["Subject"] != want {
		t.Fatalf("Subject %q, want %q", env["Subject"], want)
	}
	n, err := intake.Parse(aws.ToString(msg.Body))
	if err != nil {
		t.Fatalf("intake refused the enveloped lifecycle message: %v", err)
	}
	la, ok := n.(intake.LifecycleAction)
	if !ok || la.Instance() != victim || la.Header.Via != intake.ViaSNS || la.Header.Region != "us-east-1" {
		t.Fatalf("intake read %#v", n)
	}
	_, err = asg.CompleteLifecycleAction(ctx, &asgsdk.CompleteLifecycleActionInput{AutoScalingGroupName: aws.String("web"), LifecycleHookName: aws.String("drain-hook"),
		LifecycleActionToken: aws.String(la.Token), LifecycleActionResult: aws.String("CONTINUE")})
	noErr(t, err)
}
