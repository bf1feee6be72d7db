package sns

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/drainer-dev/drainer/awsid"
)

// SubscribeInput is the Subscribe request.
type SubscribeInput struct {
	TopicArn              string
	Protocol              string
	Endpoint              string
	Attributes            map[string]string
	ReturnSubscriptionArn bool
}

// SubscribeOutput is the Subscribe response: the subscription's ARN, or
// "pending confirmation" for one that must be confirmed first (unless
// ReturnSubscriptionArn).
type SubscribeOutput struct {
	SubscriptionArn string
}

// protocols are the protocols SNS knows; only sqs is delivered to here.
var protocols = []string{"http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose"}

// Subscribe subscribes an SQS queue (Protocol sqs, Endpoint the queue's
// ARN) to a topic. A queue of the topic's account is confirmed at once; one
// of another account stays pending confirmation (no other account exists
// here, so it never receives anything). SNS does not check that the queue
// exists, nor its policy: a delivery that the queue refuses simply fails.
// Subscribe is idempotent for one topic, protocol and endpoint, unless the
// attributes differ ("Invalid parameter: Attributes Reason: Subscription
// already exists with different attributes"). The one attribute served is
// RawMessageDelivery (true or false); FilterPolicy, FilterPolicyScope,
// RedrivePolicy, DeliveryPolicy, ReplayPolicy and SubscriptionRoleArn are
// refused as not supported, never ignored. Errors: an unknown protocol
// ("Invalid parameter: Amazon SNS does not support this protocol string:
// P"), a protocol other than sqs (not supported), an endpoint that is no
// queue ARN ("Invalid parameter: SQS endpoint ARN"), a FIFO queue, the
// topic's errors (topicByARN).
//
// Source: "Subscribe", Amazon SNS API Reference
// (https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html), and
// "Subscribing an Amazon SQS queue to an Amazon SNS topic", Amazon SNS
// Developer Guide
// (https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html).
func (s *Service) Subscribe(in SubscribeInput) (*SubscribeOutput, error) {
	t, err := s.topicByARN(in.TopicArn)
	if err != nil {
		return nil, err
	}
	switch {
	case !slices.Contains(protocols, in.Protocol):
		return nil, errParam("Amazon SNS does not support this protocol string: " + in.Protocol)
	case in.Protocol != "sqs":
		return nil, errUnsupported("Protocol Reason: only sqs subscriptions are delivered to, not " + in.Protocol)
	}
	q, err := awsid.ParseQueueARN(in.Endpoint)
	if err != nil {
		return nil, errParam("SQS endpoint ARN")
	}
	if strings.HasSuffix(q.Resource, ".fifo") {
		return nil, errParam("Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics")
	}
	raw := false
	for _, name := range slices.Sorted(maps.Keys(in.Attributes)) {
		v, err := subscriptionAttr(name, in.Attributes[name], "Attributes Reason: ")
		if err != nil {
			return nil, err
		}
		raw = v
	}
	for _, sub := range t.subs {
		if sub.protocol == in.Protocol && sub.endpoint == in.Endpoint {
			if _, given := in.Attributes["RawMessageDelivery"]; given && sub.raw != raw {
				return nil, errParam("Attributes Reason: Subscription already exists with different attributes")
			}
			return &SubscribeOutput{SubscriptionArn: s.shownARN(sub, in.ReturnSubscriptionArn)}, nil
		}
	}
	sub := &subscription{
		arn:      t.arn + ":" + s.env.UUID(),
		protocol: in.Protocol, endpoint: in.Endpoint, topic: t, raw: raw,
		pending: q.AccountID != s.env.Account,
	}
	t.subs = append(t.subs, sub)
	s.subs[sub.arn] = sub
	return &SubscribeOutput{SubscriptionArn: s.shownARN(sub, in.ReturnSubscriptionArn)}, nil
}

// shownARN is what Subscribe and the List calls show of a subscription's
// ARN: "pending confirmation" / "PendingConfirmation" while it is pending.
func (s *Service) shownARN(sub *subscription, always bool) string {
	if sub.pending && !always {
		return "pending confirmation"
	}
	return sub.arn
}

// subscriptionAttr checks one subscription attribute and returns the
// RawMessageDelivery it sets (false for anything else). prefix starts the
// error's wording: Subscribe says "Attributes Reason: ",
// SetSubscriptionAttributes nothing.
func subscriptionAttr(name, value, prefix string) (raw bool, err error) {
	switch name {
	case "RawMessageDelivery":
		switch strings.ToLower(value) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return false, errParam(prefix + "RawMessageDelivery: Invalid value [" + value + "]. Must be true or false.")
	case "FilterPolicy", "FilterPolicyScope", "RedrivePolicy", "DeliveryPolicy", "ReplayPolicy", "SubscriptionRoleArn":
		return false, errUnsupported(prefix + name)
	}
	return false, errParam(prefix + "AttributeName")
}

// UnsubscribeInput is the Unsubscribe request.
type UnsubscribeInput struct {
	SubscriptionArn string
}

// UnsubscribeOutput is the (empty) Unsubscribe response.
type UnsubscribeOutput struct{}

// Unsubscribe deletes a subscription; deleting one that does not exist
// succeeds, as on SNS. A value with fewer than six ARN elements is
// "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6
// elements, not N", a topic's ARN "Invalid parameter: SubscriptionId".
//
// Source: "Unsubscribe", Amazon SNS API Reference
// (https://docs.aws.amazon.com/sns/latest/api/API_Unsubscribe.html).
func (s *Service) Unsubscribe(in UnsubscribeInput) (*UnsubscribeOutput, error) {
	parts := strings.Split(in.SubscriptionArn, ":")
	switch {
	case len(parts) < 6 || parts[0] != "arn":
		return nil, errParam("SubscriptionArn Reason: An ARN must have at least 6 elements, not " + strconv.Itoa(len(parts)))
	case len(parts) == 6:
		return nil, errParam("SubscriptionId")
	}
	sub := s.subs[in.SubscriptionArn]
	if sub == nil {
		return &UnsubscribeOutput{}, nil
	}
	s.remove(sub)
	return &UnsubscribeOutput{}, nil
}

func (s *Service) remove(sub *subscription) {
	t := sub.topic
	t.subs = slices.DeleteFunc(t.subs, func(x *subscription) bool { return x == sub })
	t.deleted++
	delete(s.subs, sub.arn)
}

// SubscriptionEntry is a subscription as the List calls list it.
type SubscriptionEntry struct {
	SubscriptionArn string
	Owner           string
	Protocol        string
	Endpoint        string
	TopicArn        string
}

// ListSubscriptionsInput is the ListSubscriptions request.
type ListSubscriptionsInput struct {
	NextToken string
}

// ListSubscriptionsOutput is the ListSubscriptions response.
type ListSubscriptionsOutput struct {
	Subscriptions []SubscriptionEntry
	NextToken     string
}

// ListSubscriptions lists every subscription, topic by topic in creation
// order, 100 a page; a pending one shows "PendingConfirmation" for its ARN.
//
// Source: "ListSubscriptions", Amazon SNS API Reference
// (https://docs.aws.amazon.com/sns/latest/api/API_ListSubscriptions.html).
func (s *Service) ListSubscriptions(in ListSubscriptionsInput) (*ListSubscriptionsOutput, error) {
	var all []*subscription
	for _, t := range s.order {
		all = append(all, t.subs...)
	}
	page, next, err := s.listPage(all, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &ListSubscriptionsOutput{Subscriptions: page, NextToken: next}, nil
}

// ListSubscriptionsByTopicInput is the ListSubscriptionsByTopic request.
type ListSubscriptionsByTopicInput struct {
	TopicArn  string
	NextToken string
}

// ListSubscriptionsByTopicOutput is the ListSubscriptionsByTopic response.
type ListSubscriptionsByTopicOutput struct {
	Subscriptions []SubscriptionEntry
	NextToken     string
}

// ListSubscriptionsByTopic lists a topic's subscriptions as
// ListSubscriptions does.
//
// Source: "ListSubscriptionsByTopic", Amazon SNS API Reference
// (https://docs.aws.amazon.com/sns/latest/api/API_ListSubscriptionsByTopic.html).
func (s *Service) ListSubscriptionsByTopic(in ListSubscriptionsByTopicInput) (*ListSubscriptionsByTopicOutput, error) {
	t, err := s.topicByARN(in.TopicArn)
	if err != nil {
		return nil, err
	}
	page, next, err := s.listPage(t.subs, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &ListSubscriptionsByTopicOutput{Subscriptions: page, NextToken: next}, nil
}

func (s *Service) listPage(all []*subscription, token string) ([]SubscriptionEntry, string, error) {
	start, err := pageStart(token, len(all))
	if err != nil {
		return nil, "", err
	}
	end := min(start+listPage, len(all))
	out := []SubscriptionEntry{}
	for _, sub := range all[start:end] {
		arn := sub.arn
		if sub.pending {
			arn = "PendingConfirmation"
		}
		out = append(out, SubscriptionEntry{SubscriptionArn: arn, Owner: s.env.Account, Protocol: sub.protocol, Endpoint: sub.endpoint, TopicArn: sub.topic.arn})
	}
	return out, pageToken(end, len(all)), nil
}

// GetSubscriptionAttributesInput is the GetSubscriptionAttributes request.
type GetSubscriptionAttributesInput struct {
	SubscriptionArn string
}

// GetSubscriptionAttributesOutput is the GetSubscriptionAttributes
// response.
type GetSubscriptionAttributesOutput struct {
	Attributes map[string]string
}

// GetSubscriptionAttributes returns a subscription's attributes
// (SubscriptionArn, TopicArn, Owner, Protocol, Endpoint,
// PendingConfirmation, ConfirmationWasAuthenticated, RawMessageDelivery);
// NotFound "Subscription does not exist" for an unknown one.
//
// Source: "GetSubscriptionAttributes", Amazon SNS API Reference
// (https://docs.aws.amazon.com/sns/latest/api/API_GetSubscriptionAttributes.html).
func (s *Service) GetSubscriptionAttributes(in GetSubscriptionAttributesInput) (*GetSubscriptionAttributesOutput, error) {
	sub := s.subs[in.SubscriptionArn]
	if sub == nil {
		return nil, errNoSubscription()
	}
	return &GetSubscriptionAttributesOutput{Attributes: map[string]string{
		"SubscriptionArn":              sub.arn,
		"TopicArn":                     sub.topic.arn,
		"Owner":                        s.env.Account,
		"Protocol":                     sub.protocol,
		"Endpoint":                     sub.endpoint,
		"PendingConfirmation":          strconv.FormatBool(sub.pending),
		"ConfirmationWasAuthenticated": strconv.FormatBool(!sub.pending),
		"RawMessageDelivery":           strconv.FormatBool(sub.raw),
	}}, nil
}

// SetSubscriptionAttributesInput is the SetSubscriptionAttributes request.
type SetSubscriptionAttributesInput struct {
	SubscriptionArn string
	AttributeName   string
	AttributeValue  string
}

// SetSubscriptionAttributesOutput is the (empty) SetSubscriptionAttributes
// response.
type SetSubscriptionAttributesOutput struct{}

// SetSubscriptionAttributes sets RawMessageDelivery (true or false, in any
// case: "Invalid parameter: RawMessageDelivery: Invalid value [V]. Must be
// true or false."). The other attributes SNS has are refused as not
// supported; a name SNS does not have is "Invalid parameter:
// AttributeName"; an unknown subscription NotFound.
//
// Source: "SetSubscriptionAttributes", Amazon SNS API Reference
// (https://docs.aws.amazon.com/sns/latest/api/API_SetSubscriptionAttributes.html),
// and "Amazon SNS raw message delivery", Amazon SNS Developer Guide
// (https://docs.aws.amazon.com/sns/latest/dg/sns-large-payload-raw-message-delivery.html).
func (s *Service) SetSubscriptionAttributes(in SetSubscriptionAttributesInput) (*SetSubscriptionAttributesOutput, error) {
	sub := s.subs[in.SubscriptionArn]
	if sub == nil {
		return nil, errNoSubscription()
	}
	raw, err := subscriptionAttr(in.AttributeName, in.AttributeValue, "")
	if err != nil {
		return nil, err
	}
	sub.raw = raw
	return &SetSubscriptionAttributesOutput{}, nil
}
