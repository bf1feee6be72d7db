package sqs

import (
	"time"

	"github.com/drainer-dev/drainer/emulator/core"
)

// SendMessageInput is the SendMessage request. DelaySeconds is a pointer
// because an explicit 0 overrides the queue's default delay.
type SendMessageInput struct {
	QueueUrl                string                                 `json:"QueueUrl"`
	MessageBody             string                                 `json:"MessageBody"`
	DelaySeconds            *int32                                 `json:"DelaySeconds,omitempty"`
	MessageAttributes       map[string]MessageAttributeValue       `json:"MessageAttributes,omitempty" query:"MessageAttribute,flat"`
	MessageSystemAttributes map[string]MessageSystemAttributeValue `json:"MessageSystemAttributes,omitempty" query:"MessageSystemAttribute,flat"`
	MessageDeduplicationId  string                                 `json:"MessageDeduplicationId,omitempty"`
	MessageGroupId          string                                 `json:"MessageGroupId,omitempty"`
}

// SendMessageOutput is the SendMessage response.
type SendMessageOutput struct {
	MD5OfMessageBody             string `json:"MD5OfMessageBody,omitempty"`
	MD5OfMessageAttributes       string `json:"MD5OfMessageAttributes,omitempty"`
	MD5OfMessageSystemAttributes string `json:"MD5OfMessageSystemAttributes,omitempty"`
	MessageId                    string `json:"MessageId,omitempty"`
	SequenceNumber               string `json:"SequenceNumber,omitempty"`
}

// SendMessage stores a message.
func (s *Service) SendMessage(in SendMessageInput) (*SendMessageOutput, error) {
	q, err := s.byURL(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	m, err := s.send(q, sendEntry{body: in.MessageBody, delay: in.DelaySeconds, attrs: in.MessageAttributes, sysAttrs: in.MessageSystemAttributes, groupID: in.MessageGroupId})
	if err != nil {
		return nil, err
	}
	return &SendMessageOutput{
		MD5OfMessageBody:             m.md5Body,
		MD5OfMessageAttributes:       md5OfAttributes(m.attrs),
		MD5OfMessageSystemAttributes: md5OfSystemAttributes(m.sysAttrs),
		MessageId:                    m.id,
	}, nil
}

// sendEntry is what SendMessage, a batch entry and a service's delivery
// have in common. sender is the SenderId ("": the account).
type sendEntry struct {
	body     string
	delay    *int32
	attrs    map[string]MessageAttributeValue
	sysAttrs map[string]MessageSystemAttributeValue
	groupID  string
	sender   string
}

// send validates one message and enqueues it.
func (s *Service) send(q *queue, e sendEntry) (*message, *core.Error) {
	if e.body == "" {
		return nil, errMissing("MessageBody")
	}
	delay := q.delay
	if e.delay != nil {
		if *e.delay < 0 || *e.delay > maxDelay {
			return nil, errParam("Value %d for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= %d.", *e.delay, maxDelay)
		}
		delay = int(*e.delay)
	}
	attrSize, err := checkAttributes(e.attrs)
	if err != nil {
		return nil, err
	}
	if err := checkSystemAttributes(e.sysAttrs); err != nil {
		return nil, err
	}
	if r := validText(e.body); r >= 0 {
		return nil, core.ClientError(codeInvalidMessageContents, "Invalid binary character '#x%X' was found in the message body, the set of allowed characters is %s", r, allowedChars)
	}
	if len(e.body)+attrSize > q.maxSize {
		return nil, errParam("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", q.maxSize)
	}
	// Standard queues accept a group id (fair queues); it is only echoed.
	sender := e.sender
	if sender == "" {
		sender = s.env.Account
	}
	m := &message{body: e.body, attrs: copyAttrs(e.attrs), sysAttrs: copySysAttrs(e.sysAttrs), groupID: e.groupID, senderID: sender}
	return s.enqueue(q, m, delay), nil
}

// enqueue stores a validated message (body, attributes and sender set), applies the queue's faults and wakes
// long pollers if it is visible at once. It returns the original message.
func (s *Service) enqueue(q *queue, m *message, delay int) *message {
	now := s.env.Now()
	m.id, m.md5Body, m.sentAt = s.env.UUID(), md5Hex(m.body), now
	m.visibleAt = now.Add(time.Duration(delay) * time.Second)
	orig := *m // a duplicate gets its own late-delivery draw
	s.store(q, m)
	if s.env.Chance(q.faults.DuplicateRate) {
		dup := orig
		s.store(q, &dup)
	}
	s.arm(q)
	if !m.visibleAt.After(now) {
		s.wake(q)
	}
	return m
}

// store gives m a sequence number, applies the late-delivery fault and
// adds it to q.
func (s *Service) store(q *queue, m *message) {
	s.seq++
	m.seq = s.seq
	if q.faults.MaxDelay > 0 && s.env.Chance(q.faults.DelayRate) {
		late := time.Duration(1 + s.env.Rand().Int64N(int64(q.faults.MaxDelay)))
		m.visibleAt = m.visibleAt.Add(late)
	}
	q.add(m)
}

// SendMessageBatchRequestEntry is one message of a batch.
type SendMessageBatchRequestEntry struct {
	Id                      string                                 `json:"Id"`
	MessageBody             string                                 `json:"MessageBody"`
	DelaySeconds            *int32                                 `json:"DelaySeconds,omitempty"`
	MessageAttributes       map[string]MessageAttributeValue       `json:"MessageAttributes,omitempty" query:"MessageAttribute,flat"`
	MessageSystemAttributes map[string]MessageSystemAttributeValue `json:"MessageSystemAttributes,omitempty" query:"MessageSystemAttribute,flat"`
	MessageDeduplicationId  string                                 `json:"MessageDeduplicationId,omitempty"`
	MessageGroupId          string                                 `json:"MessageGroupId,omitempty"`
}

// SendMessageBatchResultEntry is one sent message of a batch.
type SendMessageBatchResultEntry struct {
	Id                           string `json:"Id"`
	MessageId                    string `json:"MessageId"`
	MD5OfMessageBody             string `json:"MD5OfMessageBody"`
	MD5OfMessageAttributes       string `json:"MD5OfMessageAttributes,omitempty"`
	MD5OfMessageSystemAttributes string `json:"MD5OfMessageSystemAttributes,omitempty"`
	SequenceNumber               string `json:"SequenceNumber,omitempty"`
}

// SendMessageBatchInput is the SendMessageBatch request.
type SendMessageBatchInput struct {
	QueueUrl string                         `json:"QueueUrl"`
	Entries  []SendMessageBatchRequestEntry `json:"Entries" query:"SendMessageBatchRequestEntry,flat"`
}

// SendMessageBatchOutput is the SendMessageBatch response.
type SendMessageBatchOutput struct {
	Successful []SendMessageBatchResultEntry `json:"Successful" query:"SendMessageBatchResultEntry,flat"`
	Failed     []BatchResultErrorEntry       `json:"Failed" query:"BatchResultErrorEntry,flat"`
}

// SendMessageBatch sends up to 10 messages; entries fail one by one.
func (s *Service) SendMessageBatch(in SendMessageBatchInput) (*SendMessageBatchOutput, error) {
	q, err := s.byURL(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(in.Entries))
	total := 0
	for i, e := range in.Entries {
		ids[i] = e.Id
		total += len(e.MessageBody)
		for n, a := range e.MessageAttributes {
			total += len(n) + len(a.DataType) + len(deref(a.StringValue)) + len(a.BinaryValue)
		}
	}
	if err := checkBatchIDs("SendMessageBatchRequestEntry", ids); err != nil {
		return nil, err
	}
	if total > q.maxSize {
		return nil, core.ClientError(codeBatchRequestTooLong, "Batch requests cannot be longer than %d bytes. You have sent %d bytes.", q.maxSize, total)
	}
	out := &SendMessageBatchOutput{Successful: []SendMessageBatchResultEntry{}, Failed: []BatchResultErrorEntry{}}
	for _, e := range in.Entries {
		m, err := s.send(q, sendEntry{body: e.MessageBody, delay: e.DelaySeconds, attrs: e.MessageAttributes, sysAttrs: e.MessageSystemAttributes, groupID: e.MessageGroupId})
		if err != nil {
			out.Failed = append(out.Failed, failEntry(e.Id, err))
			continue
		}
		out.Successful = append(out.Successful, SendMessageBatchResultEntry{
			Id: e.Id, MessageId: m.id, MD5OfMessageBody: m.md5Body,
			MD5OfMessageAttributes:       md5OfAttributes(m.attrs),
			MD5OfMessageSystemAttributes: md5OfSystemAttributes(m.sysAttrs),
		})
	}
	return out, nil
}

func copyAttrs(in map[string]MessageAttributeValue) map[string]MessageAttributeValue {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]MessageAttributeValue, len(in))
	for k, v := range in {
		if v.StringValue != nil {
			str := *v.StringValue
			v.StringValue = &str
		}
		v.BinaryValue = append([]byte(nil), v.BinaryValue...)
		out[k] = v
	}
	return out
}

func copySysAttrs(in map[string]MessageSystemAttributeValue) map[string]MessageSystemAttributeValue {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]MessageSystemAttributeValue, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}
