package front_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	asgsdk "github.com/aws/aws-sdk-go-v2/service/autoscaling"
	ec2sdk "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/front"
)

// TestRegions checks that a world serves its one Region: a world made for
// eu-west-1 answers clients of eu-west-1 with eu-west-1 ARNs and queue
// URLs, and refuses every service's client of another Region the way AWS
// refuses a credential scoped to a Region its endpoint does not serve,
// while the call log never sees those calls.
func TestRegions(t *testing.T) {
	cfg := emptyConfig()
	cfg.Region = "eu-west-1"
	w := emulator.New(cfg)
	h := front.New(w)
	ctx := ctxT(t)

	home := sdkConfig(front.Transport(h))
	home.Region = "eu-west-1"
	e := clientsFor(w, h, home, baseEndpoint)
	cq, err := e.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q")})
	noErr(t, err)
	if got := aws.ToString(cq.QueueUrl); got != "https://sqs.eu-west-1.amazonaws.com/123456789012/q" {
		t.Fatalf("queue URL %s", got)
	}
	qa, err := e.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: cq.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	noErr(t, err)
	ct, err := e.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("t")})
	noErr(t, err)
	cc, err := e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("c")})
	noErr(t, err)
	for _, arn := range []string{qa.Attributes["QueueArn"], aws.ToString(ct.TopicArn), aws.ToString(cc.Cluster.ClusterArn)} {
		if !strings.HasPrefix(arn, "arn:aws:") || strings.Split(arn, ":")[3] != "eu-west-1" {
			t.Errorf("ARN %s is not of eu-west-1", arn)
		}
	}
	var calls int
	w.Do(func() { calls = w.Calls.Total() })

	away := sdkConfig(front.Transport(h))
	away.Region = "us-east-1"
	o := clientsFor(w, h, away, baseEndpoint)
	asg := asgsdk.NewFromConfig(away, func(o *asgsdk.Options) { o.BaseEndpoint = aws.String(baseEndpoint) })
	ec2c := ec2sdk.NewFromConfig(away, func(o *ec2sdk.Options) { o.BaseEndpoint = aws.String(baseEndpoint) })
	const text = "Credential should be scoped to a valid region, not 'us-east-1'. This emulated world is one Region: eu-west-1."
	for _, tc := range []struct {
		name, code string
		call       func() error
	}{
		{"ecs", "InvalidSignatureException", func() error { _, err := o.ecs.ListClusters(ctx, &ecs.ListClustersInput{}); return err }},
		{"sqs", "InvalidSignatureException", func() error { _, err := o.sqs.ListQueues(ctx, &sqs.ListQueuesInput{}); return err }},
		{"events", "InvalidSignatureException", func() error { _, err := o.events.ListRules(ctx, &eventbridge.ListRulesInput{}); return err }},
		{"sns", "SignatureDoesNotMatch", func() error { _, err := o.sns.ListTopics(ctx, &sns.ListTopicsInput{}); return err }},
		{"autoscaling", "SignatureDoesNotMatch", func() error {
			_, err := asg.DescribeAutoScalingGroups(ctx, &asgsdk.DescribeAutoScalingGroupsInput{})
			return err
		}},
		{"ec2", "SignatureDoesNotMatch", func() error { _, err := ec2c.DescribeInstances(ctx, &ec2sdk.DescribeInstancesInput{}); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if apiCode(err) != tc.code || !containsMessage(err, text) || !containsMessage(err, "StatusCode: 403") {
				t.Fatalf("a us-east-1 client: %v; want 403 %s %q", err, tc.code, text)
			}
		})
	}
	var n int
	w.Do(func() { n = w.Calls.Total() })
	if n != calls {
		t.Fatalf("refused calls reached the world: %d calls, want %d", n, calls)
	}

	// An unsigned request names no Region: served.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("Action=ListTopics&Version=2010-03-31"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "arn:aws:sns:eu-west-1:123456789012:t") {
		t.Fatalf("unsigned ListTopics: %d %s", rec.Code, rec.Body)
	}
}

func TestRegionOfARequest(t *testing.T) {
	for _, tc := range []struct{ auth, query, want string }{
		{"AWS4-HMAC-SHA256 Credential=AKID/20261122/eu-west-1/sqs/aws4_request, SignedHeaders=host, Signature=abc", "", "eu-west-1"},
		{"AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-2/ecs/aws4_request,SignedHeaders=host,Signature=abc", "", "us-east-2"},
		{"AWS4-ECDSA-P256-SHA256 Credential=AKID/20261122/sqs/aws4_request, SignedHeaders=host, Signature=abc", "", ""},
		{"", "X-Amz-Credential=AKID%2F20261122%2Fap-south-1%2Fsns%2Faws4_request", "ap-south-1"},
		{"", "", ""},
	} {
		r := httptest.NewRequest(http.MethodGet, "/?"+tc.query, nil)
		if tc.auth != "" {
			r.Header.Set("Authorization", tc.auth)
		}
		if got := front.Region(r); got != tc.want {
			t.Errorf("Region(%q, %q) = %q, want %q", tc.auth, tc.query, got, tc.want)
		}
	}
}
