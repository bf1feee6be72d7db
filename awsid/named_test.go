package awsid

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// Queue and topic ARNs as the Service Authorization Reference writes them
// (arn:PARTITION:sqs:REGION:ACCOUNT:QUEUE_NAME, arn:PARTITION:sns:REGION:ACCOUNT:TOPIC_NAME).
const (
	fifoARN  = "arn:aws-cn:sqs:cn-north-1:123456789012:drainer.fifo"
	topicARN = "arn:aws:sns:us-east-2:123456789012:MyTopic"
)

// parsers are the parsers of named ARNs, by what they parse.
var parsers = map[string]struct {
	parse func(string) (arn.ARN, error)
	not   error
}{
	"queue": {ParseQueueARN, ErrNotQueueARN},
	"topic": {ParseTopicARN, ErrNotTopicARN},
}

func TestParseNamedARN(t *testing.T) {
	for _, tc := range []struct {
		kind, in                         string
		partition, region, account, name string
	}{
		{"queue", sqsQueue, "aws", "us-east-1", "123456789012", "drainer"},
		{"queue", fifoARN, "aws-cn", "cn-north-1", "123456789012", "drainer.fifo"},
		{"queue", "arn:aws-us-gov:sqs:us-gov-west-1:123456789012:q_1", "aws-us-gov", "us-gov-west-1", "123456789012", "q_1"},
		{"topic", topicARN, "aws", "us-east-2", "123456789012", "MyTopic"},
		{"topic", "arn:aws-cn:sns:cn-north-1:123456789012:drainer-lifecycle.fifo", "aws-cn", "cn-north-1", "123456789012", "drainer-lifecycle.fifo"},
	} {
		a, err := parsers[tc.kind].parse(tc.in)
		if err != nil {
			t.Errorf("%s %q: %v", tc.kind, tc.in, err)
			continue
		}
		if a.Partition != tc.partition || a.Region != tc.region || a.AccountID != tc.account || a.Resource != tc.name {
			t.Errorf("%s %q = %+v, want %s %s %s %s", tc.kind, tc.in, a, tc.partition, tc.region, tc.account, tc.name)
		}
		if got := IsQueueARN(tc.in); got != (tc.kind == "queue") {
			t.Errorf("IsQueueARN(%q) = %v", tc.in, got)
		}
	}
}

func TestParseNamedARNRefuses(t *testing.T) {
	for _, tc := range []struct{ kind, in, why string }{
		{"queue", "", "arn: invalid prefix"},
		{"queue", "drainer", "arn: invalid prefix"},
		{"queue", queueURL, "arn: invalid prefix"},
		{"queue", "arn:aws:sqs:us-east-1:123456789012", "arn: not enough sections"},
		{"queue", topicARN, `its service is "sns"`},
		{"queue", clusterARN, `its service is "ecs"`},
		{"queue", "arn:aws:sqs:us-east-1:123456789012:", "it names no resource"},
		{"queue", "arn:aws:sqs::123456789012:drainer", "no region or no account"},
		{"queue", "arn:aws:sqs:us-east-1::drainer", "no region or no account"},
		{"queue", "arn:aws:sqs:us-east-1:123456789012:a:b", `its resource "a:b" is not a name`},
		{"queue", "arn:aws:sqs:us-east-1:123456789012:a/b", `its resource "a/b" is not a name`},
		{"topic", "t", "arn: invalid prefix"},
		{"topic", "arn:aws:sns:x", "arn: not enough sections"},
		{"topic", sqsQueue, `its service is "sqs"`},
		// A subscription's ARN: the topic's, then the subscription's id.
		{"topic", topicARN + ":8a21d249-4329-4871-acc6-7be709c6ea7f", "is not a name"},
		{"topic", "arn:aws:sns:us-east-2:123456789012:", "it names no resource"},
		{"topic", "arn:aws:sns:us-east-2::MyTopic", "no region or no account"},
	} {
		p := parsers[tc.kind]
		if _, err := p.parse(tc.in); !errors.Is(err, p.not) || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("%s %q = %v, want %v saying %q", tc.kind, tc.in, err, p.not, tc.why)
		}
		if tc.kind == "queue" && IsQueueARN(tc.in) {
			t.Errorf("IsQueueARN(%q) = true", tc.in)
		}
	}
}
