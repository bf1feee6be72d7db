package awsid

import (
	"errors"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// ErrNotQueueARN is wrapped by every error of ParseQueueARN.
var ErrNotQueueARN = errors.New("not an Amazon SQS queue ARN")

// ParseQueueARN takes apart the ARN of an SQS queue,
// arn:PARTITION:sqs:REGION:ACCOUNT:QUEUE_NAME (arn:aws:sqs:us-east-1:123456789012:drainer,
// the "queue" resource type of "Actions, resources, and condition keys for
// Amazon SQS" in the Service Authorization Reference,
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsqs.html),
// in any partition. The returned ARN's Resource is the queue's name. It
// fails with an error wrapping ErrNotQueueARN for anything else (see
// parseNamed).
func ParseQueueARN(s string) (arn.ARN, error) {
	return parseNamed(s, "sqs", ErrNotQueueARN)
}

// IsQueueARN reports whether s is the ARN of an SQS queue (ParseQueueARN
// accepts it).
func IsQueueARN(s string) bool {
	_, err := ParseQueueARN(s)
	return err == nil
}

// QueueName returns the name of an SQS queue given by
//   - its URL, https://sqs.REGION.amazonaws.com/ACCOUNT/QUEUE_NAME ("Amazon
//     SQS queue and message identifiers" in the Amazon SQS Developer Guide,
//     https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-queue-message-identifiers.html),
//     or any endpoint's http(s)://HOST/ACCOUNT/QUEUE_NAME (the legacy
//     queue.amazonaws.com, an emulator): the last segment of its path;
//   - its ARN (ParseQueueARN);
//   - its bare name, returned as given.
//
// Surrounding white space and trailing slashes are ignored. It returns ""
// for "", for a URL whose path is empty and for an ARN that is not an SQS
// queue's (an SNS topic is not a queue, whatever its name). It does not
// check the name's characters: a queue that cannot exist is for SQS to
// refuse.
func QueueName(s string) string {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	if strings.HasPrefix(s, "arn:") {
		a, err := ParseQueueARN(s)
		if err != nil {
			return ""
		}
		return a.Resource
	}
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return ""
		}
		s = strings.TrimRight(u.Path, "/")
	}
	return s[strings.LastIndex(s, "/")+1:]
}
