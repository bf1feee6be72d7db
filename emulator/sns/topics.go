package sns

import (
	"encoding/base64"
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// Tag is a topic's tag.
type Tag struct {
	Key, Value string
}

// CreateTopicInput is the CreateTopic request.
type CreateTopicInput struct {
	Name                 string
	Attributes           map[string]string
	Tags                 []Tag
	DataProtectionPolicy string
}

// CreateTopicOutput is the CreateTopic response.
type CreateTopicOutput struct {
	TopicArn string
}

// topicAttrs are the topic attributes CreateTopic stores and
// GetTopicAttributes echoes, beside the ones SNS computes. FifoTopic is
// handled apart: "false" is accepted and not stored (as SNS does), "true"
// refused (FIFO topics are not emulated).
var topicAttrs = map[string]bool{
	"DisplayName": true, "Policy": true, "DeliveryPolicy": true, "SignatureVersion": true,
	"TracingConfig": true, "KmsMasterKeyId": true,
	"ApplicationSuccessFeedbackRoleArn": true, "ApplicationSuccessFeedbackSampleRate": true, "ApplicationFailureFeedbackRoleArn": true,
	"HTTPSuccessFeedbackRoleArn": true, "HTTPSuccessFeedbackSampleRate": true, "HTTPFailureFeedbackRoleArn": true,
	"LambdaSuccessFeedbackRoleArn": true, "LambdaSuccessFeedbackSampleRate": true, "LambdaFailureFeedbackRoleArn": true,
	"FirehoseSuccessFeedbackRoleArn": true, "FirehoseSuccessFeedbackSampleRate": true, "FirehoseFailureFeedbackRoleArn": true,
	"SQSSuccessFeedbackRoleArn": true, "SQSSuccessFeedbackSampleRate": true, "SQSFailureFeedbackRoleArn": true,
}

// CreateTopic creates a standard topic, or returns the ARN of the topic of
// that name: CreateTopic is idempotent, unless the existing topic has other
// attributes or tags than the ones given ("Invalid parameter: Attributes
// Reason: Topic already exists with different attributes", and the same
// for Tags). Names are 1-256 ASCII letters, digits, hyphens and
// underscores ("Invalid parameter: Topic Name"). SignatureVersion is 1 or
// 2, TracingConfig PassThrough or Active; FIFO topics (FifoTopic true) are
// refused.
//
// Source: "CreateTopic", Amazon SNS API Reference
// (https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html).
func (s *Service) CreateTopic(in CreateTopicInput) (*CreateTopicOutput, error) {
	if !validTopicName(in.Name) {
		return nil, errParam("Topic Name")
	}
	attrs := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(in.Attributes)) {
		v := in.Attributes[k]
		switch {
		case k == "FifoTopic":
			if v != "false" {
				return nil, errUnsupported("Attributes Reason: FifoTopic: FIFO topics")
			}
			continue
		case k == "SignatureVersion" && v != "1" && v != "2":
			return nil, errParam("Attributes Reason: SignatureVersion: must be 1 or 2")
		case k == "TracingConfig" && v != "PassThrough" && v != "Active":
			return nil, errParam("Attributes Reason: TracingConfig: must be PassThrough or Active")
		case !topicAttrs[k]:
			return nil, errParam("Attributes Reason: AttributeName")
		}
		attrs[k] = v
	}
	if in.DataProtectionPolicy != "" {
		return nil, errUnsupported("DataProtectionPolicy")
	}
	for _, tag := range in.Tags {
		if tag.Key == "" {
			return nil, errParam("Tags Reason: a tag key is empty")
		}
	}
	arn := s.env.ARN("sns", in.Name)
	if t := s.topics[arn]; t != nil {
		for k, v := range attrs {
			if t.attrs[k] != v {
				return nil, errParam("Attributes Reason: Topic already exists with different attributes")
			}
		}
		for _, tag := range in.Tags {
			if !slices.Contains(t.tags, tag) {
				return nil, errParam("Tags Reason: Topic already exists with different tags")
			}
		}
		return &CreateTopicOutput{TopicArn: arn}, nil
	}
	t := &topic{name: in.Name, arn: arn, attrs: attrs, tags: slices.Clone(in.Tags)}
	s.topics[arn] = t
	s.order = append(s.order, t)
	return &CreateTopicOutput{TopicArn: arn}, nil
}

func validTopicName(n string) bool {
	if n == "" || len(n) > 256 {
		return false
	}
	for _, r := range n {
		if !(r == '_' || r == '-' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')) {
			return false
		}
	}
	return true
}

// DeleteTopicInput is the DeleteTopic request.
type DeleteTopicInput struct {
	TopicArn string
}

// DeleteTopicOutput is the (empty) DeleteTopic response.
type DeleteTopicOutput struct{}

// DeleteTopic deletes a topic and all its subscriptions. Deleting a topic
// that does not exist succeeds, as on SNS; a malformed ARN, or one of
// another Region, is "Invalid parameter: TopicArn".
//
// Source: "DeleteTopic", Amazon SNS API Reference ("Deleting a topic that
// doesn't exist does not result in an error")
// (https://docs.aws.amazon.com/sns/latest/api/API_DeleteTopic.html).
func (s *Service) DeleteTopic(in DeleteTopicInput) (*DeleteTopicOutput, error) {
	t, err := s.topicByARN(in.TopicArn)
	if err != nil {
		if errCode(err) == codeNotFound {
			return &DeleteTopicOutput{}, nil
		}
		return nil, err
	}
	for _, sub := range t.subs {
		delete(s.subs, sub.arn)
	}
	delete(s.topics, t.arn)
	s.order = slices.DeleteFunc(s.order, func(x *topic) bool { return x == t })
	return &DeleteTopicOutput{}, nil
}

// ListTopicsInput is the ListTopics request.
type ListTopicsInput struct {
	NextToken string
}

// TopicEntry is a topic as ListTopics lists it.
type TopicEntry struct {
	TopicArn string
}

// ListTopicsOutput is the ListTopics response.
type ListTopicsOutput struct {
	Topics    []TopicEntry
	NextToken string
}

// listPage is how many topics or subscriptions a List call returns.
const listPage = 100

// ListTopics lists the topics in creation order, 100 a page.
//
// Source: "ListTopics", Amazon SNS API Reference ("Each call returns a
// limited list of topics, up to 100")
// (https://docs.aws.amazon.com/sns/latest/api/API_ListTopics.html).
func (s *Service) ListTopics(in ListTopicsInput) (*ListTopicsOutput, error) {
	start, err := pageStart(in.NextToken, len(s.order))
	if err != nil {
		return nil, err
	}
	out := &ListTopicsOutput{Topics: []TopicEntry{}}
	end := min(start+listPage, len(s.order))
	for _, t := range s.order[start:end] {
		out.Topics = append(out.Topics, TopicEntry{TopicArn: t.arn})
	}
	out.NextToken = pageToken(end, len(s.order))
	return out, nil
}

// pageStart reads a NextToken (the index of the next item, opaque to
// callers); a token that does not parse is "Invalid parameter: NextToken".
func pageStart(token string, n int) (int, error) {
	if token == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return 0, errParam("NextToken")
	}
	i, err := strconv.Atoi(string(b))
	if err != nil || i < 0 || i > n {
		return 0, errParam("NextToken")
	}
	return i, nil
}

// pageToken is the NextToken after end of n items, "" at the end.
func pageToken(end, n int) string {
	if end >= n {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end)))
}

// GetTopicAttributesInput is the GetTopicAttributes request.
type GetTopicAttributesInput struct {
	TopicArn string
}

// GetTopicAttributesOutput is the GetTopicAttributes response.
type GetTopicAttributesOutput struct {
	Attributes map[string]string
}

// GetTopicAttributes returns the topic's attributes: the ones it was
// created with, and TopicArn, Owner, the default Policy (the topic's owner
// may do everything), EffectiveDeliveryPolicy and the subscription counts.
//
// Source: "GetTopicAttributes", Amazon SNS API Reference
// (https://docs.aws.amazon.com/sns/latest/api/API_GetTopicAttributes.html).
func (s *Service) GetTopicAttributes(in GetTopicAttributesInput) (*GetTopicAttributesOutput, error) {
	t, err := s.topicByARN(in.TopicArn)
	if err != nil {
		return nil, err
	}
	confirmed, pending := 0, 0
	for _, sub := range t.subs {
		if sub.pending {
			pending++
		} else {
			confirmed++
		}
	}
	out := map[string]string{
		"TopicArn":                t.arn,
		"Owner":                   s.env.Account,
		"DisplayName":             "",
		"Policy":                  s.defaultTopicPolicy(t),
		"EffectiveDeliveryPolicy": effectiveDeliveryPolicy,
		"SubscriptionsConfirmed":  strconv.Itoa(confirmed),
		"SubscriptionsPending":    strconv.Itoa(pending),
		"SubscriptionsDeleted":    strconv.Itoa(t.deleted),
	}
	maps.Copy(out, t.attrs)
	return &GetTopicAttributesOutput{Attributes: out}, nil
}

const effectiveDeliveryPolicy = `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`

// defaultTopicPolicy is the policy a new topic has: its owner's account
// may publish, subscribe and manage it.
func (s *Service) defaultTopicPolicy(t *topic) string {
	return fmt.Sprintf(`{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},`+
		`"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission","SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],`+
		`"Resource":%q,"Condition":{"StringEquals":{"AWS:SourceOwner":%q}}}]}`, t.arn, s.env.Account)
}

// ListTagsForResourceInput is the ListTagsForResource request.
type ListTagsForResourceInput struct {
	ResourceArn string
}

// ListTagsForResourceOutput is the ListTagsForResource response.
type ListTagsForResourceOutput struct {
	Tags []Tag
}

// ListTagsForResource returns a topic's tags (ResourceNotFound for a topic
// that does not exist).
//
// Source: "ListTagsForResource", Amazon SNS API Reference
// (https://docs.aws.amazon.com/sns/latest/api/API_ListTagsForResource.html).
func (s *Service) ListTagsForResource(in ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	t, err := s.topicByARN(in.ResourceArn)
	if err != nil {
		if errCode(err) == codeNotFound {
			return nil, errResourceNotFound()
		}
		return nil, err
	}
	return &ListTagsForResourceOutput{Tags: append([]Tag{}, t.tags...)}, nil
}
