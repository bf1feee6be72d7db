package awsid

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// ErrNotTopicARN is wrapped by every error of ParseTopicARN.
var ErrNotTopicARN = errors.New("not an Amazon SNS topic ARN")

// ParseTopicARN takes apart the ARN of an SNS topic,
// arn:PARTITION:sns:REGION:ACCOUNT:TOPIC_NAME (arn:aws:sns:us-east-2:123456789012:MyTopic,
// the "topic" resource type of "Actions, resources, and condition keys for
// Amazon SNS" in the Service Authorization Reference,
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsns.html),
// in any partition. The returned ARN's Resource is the topic's name, its
// Region and AccountID the topic's region and owner. It fails with an
// error wrapping ErrNotTopicARN for anything else, a subscription's ARN
// (arn:aws:sns:REGION:ACCOUNT:TOPIC_NAME:SUBSCRIPTION_ID) included (see
// parseNamed).
func ParseTopicARN(s string) (arn.ARN, error) {
	return parseNamed(s, "sns", ErrNotTopicARN)
}
