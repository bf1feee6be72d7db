package sns

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"maps"
	"slices"
	"time"

	"github.com/drainer-dev/drainer/emulator/core"
)

// notification is one published message.
type notification struct {
	subject, message string
	attrs            map[string]MessageAttributeValue
}

// publish gives n a MessageId and delivers it to every confirmed
// subscription of t, now or after the delivery delay, and returns the id.
func (s *Service) publish(t *topic, n notification) string {
	id := s.env.UUID()
	at := s.env.Now()
	subs := slices.Clone(t.subs)
	deliver := func() {
		for _, sub := range subs {
			if sub.pending || s.subs[sub.arn] != sub {
				continue // pending, or unsubscribed meanwhile
			}
			s.deliver(sub, id, at, n)
		}
	}
	if s.delay > 0 {
		s.env.After(s.delay, deliver)
	} else {
		deliver()
	}
	return id
}

// deliver sends one notification to one SQS subscription, counting the
// outcome.
func (s *Service) deliver(sub *subscription, id string, at time.Time, n notification) {
	d := Delivery{TopicARN: sub.topic.arn, SenderID: s.senderID}
	if sub.raw {
		d.Body, d.Attributes = n.message, n.attrs
	} else {
		d.Body = s.envelope(sub, id, at, n)
	}
	if s.queues == nil {
		s.failed++
		return
	}
	if err := s.queues.DeliverFromTopic(sub.endpoint, d); err != nil {
		s.failed++
		return
	}
	s.delivered++
}

// envelope is the JSON document SNS sends to an SQS subscription without
// raw message delivery, written the way SNS writes it (two-space indent,
// " : " between names and values, members in this order, Subject and
// MessageAttributes only when there are some):
//
//	{
//	  "Type" : "Notification",
//	  "MessageId" : "…",
//	  "TopicArn" : "arn:aws:sns:…",
//	  "Subject" : "…",
//	  "Message" : "…",
//	  "Timestamp" : "2026-11-22T10:00:00.000Z",
//	  "SignatureVersion" : "1",
//	  "Signature" : "…",
//	  "SigningCertURL" : "https://sns.REGION.amazonaws.com/SimpleNotificationService-….pem",
//	  "UnsubscribeURL" : "https://sns.REGION.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=…",
//	  "MessageAttributes" : {"name" : {"Type":"String","Value":"…"}}
//	}
//
// The Signature has the shape of SNS's (base64 of a 2048-bit RSA
// signature) and is derived from the signed fields, but no certificate
// verifies it: the emulator holds no signing key.
//
// Source: "Amazon SNS message and JSON formats" / "HTTP/HTTPS notification
// JSON format" and "Verifying the signatures of Amazon SNS messages",
// Amazon SNS Developer Guide
// (https://docs.aws.amazon.com/sns/latest/dg/http-notification-json.html,
// https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html).
func (s *Service) envelope(sub *subscription, id string, at time.Time, n notification) string {
	ts := core.ISOTime(at)
	version := "1"
	if v := sub.topic.attrs["SignatureVersion"]; v != "" {
		version = v
	}
	type member struct{ name, value string }
	members := []member{{"Type", "Notification"}, {"MessageId", id}, {"TopicArn", sub.topic.arn}}
	if n.subject != "" {
		members = append(members, member{"Subject", n.subject})
	}
	members = append(members,
		member{"Message", n.message},
		member{"Timestamp", ts},
		member{"SignatureVersion", version},
		member{"Signature", signature(version, id, sub.topic.arn, n.subject, n.message, ts)},
		member{"SigningCertURL", s.signingCertURL()},
		member{"UnsubscribeURL", s.unsubscribeURL(sub)},
	)
	var b bytes.Buffer
	b.WriteString("{\n")
	for i, m := range members {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString("  " + jsonString(m.name) + " : " + jsonString(m.value))
	}
	if len(n.attrs) > 0 {
		b.WriteString(",\n  \"MessageAttributes\" : {")
		for i, name := range slices.Sorted(maps.Keys(n.attrs)) {
			if i > 0 {
				b.WriteString(",")
			}
			a := n.attrs[name]
			value := ""
			if a.StringValue != nil {
				value = *a.StringValue
			} else {
				value = base64.StdEncoding.EncodeToString(a.BinaryValue)
			}
			b.WriteString("\n    " + jsonString(name) + ` : {"Type":` + jsonString(a.DataType) + `,"Value":` + jsonString(value) + "}")
		}
		b.WriteString("\n  }")
	}
	b.WriteString("\n}")
	return b.String()
}

// signature stands in for SNS's SHA1withRSA (version 1) or SHA256withRSA
// (version 2) signature of the string to sign: 256 bytes derived from it.
func signature(version, id, topicARN, subject, message, ts string) string {
	var toSign bytes.Buffer
	add := func(k, v string) { toSign.WriteString(k + "\n" + v + "\n") }
	add("Message", message)
	add("MessageId", id)
	if subject != "" {
		add("Subject", subject)
	}
	add("Timestamp", ts)
	add("TopicArn", topicARN)
	add("Type", "Notification")
	seed := sha1.Sum(toSign.Bytes())
	if version == "2" {
		h := sha256.Sum256(toSign.Bytes())
		seed = [20]byte(h[:20])
	}
	out := make([]byte, 0, 256)
	block := seed[:]
	for len(out) < 256 {
		h := sha256.Sum256(block)
		out = append(out, h[:]...)
		block = h[:]
	}
	return base64.StdEncoding.EncodeToString(out[:256])
}

// jsonString encodes s as a JSON string without escaping <, > and &, as
// SNS writes them.
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}
