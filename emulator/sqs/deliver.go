package sqs

import (
	"net/http"
	"strings"

	"github.com/drainer-dev/drainer/emulator/core"
)

// ServiceMessage is a message another AWS service sends to a queue on its
// own behalf, as SNS does for a topic's SQS subscription.
type ServiceMessage struct {
	// Service is the service principal the queue's access policy must
	// allow sqs:SendMessage, e.g. "sns.amazonaws.com".
	Service string
	// SourceARN and SourceAccount are the request's aws:SourceArn and
	// aws:SourceAccount (the topic's ARN and owner), which the policy's
	// conditions usually test.
	SourceARN, SourceAccount string
	// SenderID is the message's SenderId attribute ("": the account).
	SenderID string
	// Body and Attributes are the message, checked as SendMessage checks
	// them.
	Body       string
	Attributes map[string]MessageAttributeValue
}

// SendFromService delivers m to the queue named by its ARN. The queue must
// exist (QueueDoesNotExist) and its access policy must allow m.Service
// sqs:SendMessage on it for m's source (AccessDenied, 403, "Access to the
// resource https://sqs.REGION.amazonaws.com/ACCOUNT/NAME is denied.", the
// words SNS reports for a delivery a queue policy refused); a queue
// without a policy admits no service. The body and attributes must pass
// SendMessage's checks. On success the message is sent at once, with the
// queue's default delay.
//
// Source: "Subscribing an Amazon SQS queue to an Amazon SNS topic", step 2
// ("Give permission to the Amazon SNS topic to send messages to the Amazon
// SQS queue"), Amazon SNS Developer Guide
// (https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html).
func (s *Service) SendFromService(queueARN string, m ServiceMessage) error {
	q := s.byARN(queueARN)
	if q == nil {
		return errNoQueue()
	}
	if !s.admits(q, m) {
		return core.Errorf(http.StatusForbidden, "AccessDenied", "Access to the resource https://sqs.%s.amazonaws.com/%s/%s is denied.", s.env.Region, s.env.Account, q.name)
	}
	_, err := s.send(q, sendEntry{body: m.Body, attrs: m.Attributes, sender: m.SenderID})
	if err != nil {
		return err
	}
	return nil
}

// admits evaluates q's Policy for a service's sqs:SendMessage.
func (s *Service) admits(q *queue, m ServiceMessage) bool {
	doc, ok := q.opaque["Policy"]
	if !ok || strings.TrimSpace(doc) == "" {
		return false
	}
	p, err := parsePolicy(doc)
	if err != nil {
		return false // SetQueueAttributes refuses such a policy; be safe
	}
	ctx := map[string]string{}
	if m.SourceARN != "" {
		ctx["aws:sourcearn"] = m.SourceARN
	}
	if m.SourceAccount != "" {
		ctx["aws:sourceaccount"] = m.SourceAccount
		ctx["aws:sourceowner"] = m.SourceAccount
	}
	return p.allows(policyRequest{Service: m.Service, Action: "sqs:SendMessage", Resource: q.arn, Context: ctx})
}
