package sqs

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ReceiveMessageInput is the ReceiveMessage request. VisibilityTimeout and
// WaitTimeSeconds are pointers because an explicit 0 differs from an absent
// member. MaxNumberOfMessages 0 means absent (1), as in aws-sdk-go-v2's
// shape, unless MaxNumberOfMessagesGiven says the request carried it: boto3
// and the AWS CLI send an explicit 0, which SQS refuses. Decoding from JSON
// sets MaxNumberOfMessagesGiven; a query-protocol front sets it itself.
type ReceiveMessageInput struct {
	QueueUrl                    string   `json:"QueueUrl"`
	AttributeNames              []string `json:"AttributeNames,omitempty" query:"AttributeName,flat"`
	MessageSystemAttributeNames []string `json:"MessageSystemAttributeNames,omitempty" query:"MessageSystemAttributeName,flat"`
	MessageAttributeNames       []string `json:"MessageAttributeNames,omitempty" query:"MessageAttributeName,flat"`
	MaxNumberOfMessages         int32    `json:"MaxNumberOfMessages,omitempty"`
	VisibilityTimeout           *int32   `json:"VisibilityTimeout,omitempty"`
	WaitTimeSeconds             *int32   `json:"WaitTimeSeconds,omitempty"`
	ReceiveRequestAttemptId     string   `json:"ReceiveRequestAttemptId,omitempty"`

	// MaxNumberOfMessagesGiven reports that the request named
	// MaxNumberOfMessages, 0 included.
	MaxNumberOfMessagesGiven bool `json:"-" query:"-"`
}

// UnmarshalJSON decodes the request and notes whether MaxNumberOfMessages
// was given.
func (in *ReceiveMessageInput) UnmarshalJSON(b []byte) error {
	type plain ReceiveMessageInput // without this method
	var v struct {
		plain
		Max *int32 `json:"MaxNumberOfMessages"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*in = ReceiveMessageInput(v.plain)
	if v.Max != nil {
		in.MaxNumberOfMessages, in.MaxNumberOfMessagesGiven = *v.Max, true
	}
	return nil
}

// ReceiveMessageOutput is the ReceiveMessage response.
type ReceiveMessageOutput struct {
	Messages []Message `json:"Messages,omitempty" query:"Message,flat"`
}

// WaitTime returns how long a wire front should long-poll for this request:
// WaitTimeSeconds if given, else the queue's ReceiveMessageWaitTimeSeconds.
func (s *Service) WaitTime(in ReceiveMessageInput) time.Duration {
	if in.WaitTimeSeconds != nil {
		return time.Duration(*in.WaitTimeSeconds) * time.Second
	}
	if q, err := s.byURL(in.QueueUrl); err == nil {
		return time.Duration(q.wait) * time.Second
	}
	return 0
}

// ReceiveMessage returns up to MaxNumberOfMessages visible messages, oldest
// first, and hides them for the visibility timeout. It never blocks: a
// wire front implements WaitTimeSeconds with Notify. A message already
// received maxReceiveCount times moves to the dead-letter queue instead.
//
// MaxNumberOfMessages, when given, must be 1 to 10 (0 included: it is not
// "absent"); VisibilityTimeout 0 to 43,200 s; WaitTimeSeconds 0 to 20 s.
// Each out-of-range value is an InvalidParameterValue error worded as SQS
// words it. Source: "ReceiveMessage", Amazon SQS API Reference
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html).
func (s *Service) ReceiveMessage(in ReceiveMessageInput) (*ReceiveMessageOutput, error) {
	q, err := s.byURL(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	max := 1
	if n := in.MaxNumberOfMessages; n != 0 || in.MaxNumberOfMessagesGiven {
		if n < 1 || n > maxBatchEntries {
			return nil, errParam("Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", n)
		}
		max = int(n)
	}
	vt := q.visibility
	if in.VisibilityTimeout != nil {
		if n := *in.VisibilityTimeout; n < 0 || n > maxVisibility {
			return nil, errParam("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= %d, if provided.", n, maxVisibility)
		}
		vt = int(*in.VisibilityTimeout)
	}
	if in.WaitTimeSeconds != nil {
		if n := *in.WaitTimeSeconds; n < 0 || n > maxWait {
			return nil, errParam("Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= %d, if provided.", n, maxWait)
		}
	}
	now := s.env.Now()
	q.sweep(now)
	q.promote(now)
	sys := wantedSystemAttrs(append(append([]string(nil), in.AttributeNames...), in.MessageSystemAttributeNames...))
	out := &ReceiveMessageOutput{}
	var movedTo []*queue // woken after the loop: a waiter may call back into the service
	// The oldest visible message first; one received is hidden at once
	// (even with a visibility timeout of 0, until the next receive).
	for len(out.Messages) < max {
		m := q.ready.min()
		if m == nil {
			break
		}
		if q.redrive != nil && m.receiveCount >= q.redrive.maxReceive {
			if dlq := s.byARN(q.redrive.targetARN); dlq != nil && dlq != q {
				s.moveToDLQ(q, dlq, m)
				if !slices.Contains(movedTo, dlq) {
					movedTo = append(movedTo, dlq)
				}
				continue
			}
		}
		m.receiveCount++
		if m.firstReceive.IsZero() {
			m.firstReceive = now
		}
		m.receivedAt = now
		m.visibleAt = now.Add(time.Duration(vt) * time.Second)
		q.retime(m)
		m.handle = s.newHandle(q, m)
		out.Messages = append(out.Messages, s.render(m, sys, in.MessageAttributeNames))
	}
	if len(out.Messages) > 0 || len(movedTo) > 0 {
		s.arm(q)
	}
	for _, dlq := range movedTo {
		s.arm(dlq)
		s.wake(dlq)
	}
	return out, nil
}

// moveToDLQ moves m, with its id, body, attributes, sent time and receive
// count, to the dead-letter queue, where it is visible at once.
func (s *Service) moveToDLQ(src, dlq *queue, m *message) {
	src.remove(m)
	moved := *m // in no heap of dlq yet: remove cleared its places
	moved.deleted = false
	moved.handle = ""
	moved.receivedAt = time.Time{}
	moved.visibleAt = s.env.Now()
	moved.dlqSource = src.arn
	s.seq++
	moved.seq = s.seq
	dlq.add(&moved)
}

// systemAttrNames are the system attributes a standard queue can return.
var systemAttrNames = []string{"SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp", "AWSTraceHeader", "DeadLetterQueueSourceArn", "MessageGroupId"}

func wantedSystemAttrs(names []string) map[string]bool {
	want := map[string]bool{}
	for _, n := range names {
		if n == "All" {
			for _, a := range systemAttrNames {
				want[a] = true
			}
			continue
		}
		want[n] = true
	}
	return want
}

// render builds the Message a receive returns.
func (s *Service) render(m *message, sys map[string]bool, attrNames []string) Message {
	msg := Message{MessageId: m.id, ReceiptHandle: m.handle, MD5OfBody: m.md5Body, Body: m.body}
	ms := func(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }
	set := func(k, v string) {
		if sys[k] && v != "" {
			if msg.Attributes == nil {
				msg.Attributes = map[string]string{}
			}
			msg.Attributes[k] = v
		}
	}
	set("SenderId", m.senderID)
	set("SentTimestamp", ms(m.sentAt))
	set("ApproximateReceiveCount", strconv.Itoa(m.receiveCount))
	set("ApproximateFirstReceiveTimestamp", ms(m.firstReceive))
	set("DeadLetterQueueSourceArn", m.dlqSource)
	set("MessageGroupId", m.groupID)
	if th, ok := m.sysAttrs["AWSTraceHeader"]; ok {
		set("AWSTraceHeader", deref(th.StringValue))
	}
	for _, name := range sortedKeys(m.attrs) {
		if attrWanted(name, attrNames) {
			if msg.MessageAttributes == nil {
				msg.MessageAttributes = map[string]MessageAttributeValue{}
			}
			msg.MessageAttributes[name] = m.attrs[name]
		}
	}
	// The digest covers the attributes returned, so the SDKs can check it.
	msg.MD5OfMessageAttributes = md5OfAttributes(msg.MessageAttributes)
	return msg
}

// attrWanted matches a message attribute name against MessageAttributeNames:
// "All", ".*" and "*" want every attribute, "P.*" every name that starts
// with P (so "Hel.*" wants both "Hello" and "Help.Me", and "Custom.*" wants
// "Custom.Trace"), and any other entry the name it spells exactly. Entries
// that are no valid attribute name (such as "AWS.") simply match nothing,
// as on SQS.
//
// Source: "ReceiveMessage", MessageAttributeNames ("You can also use all
// message attributes starting with a prefix, for example bar.*"), Amazon SQS
// API Reference
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html).
func attrWanted(name string, patterns []string) bool {
	for _, p := range patterns {
		if p == "All" || p == ".*" || p == "*" || p == name {
			return true
		}
		if pre, ok := strings.CutSuffix(p, ".*"); ok && pre != "" && strings.HasPrefix(name, pre) {
			return true
		}
	}
	return false
}
