package sns

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"
)

// PublishInput is the Publish request. Subject is a pointer because an
// empty Subject is an error, an absent one is not.
type PublishInput struct {
	TopicArn               string
	TargetArn              string
	PhoneNumber            string
	Message                string
	Subject                *string
	MessageStructure       string
	MessageAttributes      map[string]MessageAttributeValue `query:"MessageAttributes,key=Name,value=Value"`
	MessageDeduplicationId string
	MessageGroupId         string
}

// PublishOutput is the Publish response.
type PublishOutput struct {
	MessageId string
}

// maxMessageSize caps a message with its attributes: 256 KiB.
const maxMessageSize = 262144

// Publish sends a message to every confirmed subscription of a topic
// (TopicArn, or TargetArn naming a topic). Message is required and at most
// 256 KiB with its attributes ("Invalid parameter: Empty message",
// "Invalid parameter: Message too long"); Subject, when given, is 1-99
// printable ASCII characters ("Invalid parameter: Subject"). With
// MessageStructure json, Message is a JSON object of strings with a
// "default" member and optionally an "sqs" one, which SQS subscriptions
// get instead. Message attributes follow SNS's rules (names of letters,
// digits, "-", "_" and ".", types String, Number, Binary with optional
// suffixes, or String.Array, a non-empty value in the field the type asks
// for), each failure a ParameterValueInvalid error in SNS's words. SMS
// (PhoneNumber), mobile endpoints (TargetArn of an endpoint) and FIFO
// parameters (MessageGroupId, MessageDeduplicationId) are refused.
//
// Source: "Publish", Amazon SNS API Reference
// (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html), and
// "Amazon SNS message attributes", Amazon SNS Developer Guide
// (https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html).
func (s *Service) Publish(in PublishInput) (*PublishOutput, error) {
	if in.Subject != nil && !validSubject(*in.Subject) {
		return nil, errParam("Subject")
	}
	if in.Message == "" {
		return nil, errParam("Empty message")
	}
	if in.PhoneNumber != "" {
		return nil, errUnsupported("PhoneNumber Reason: SMS")
	}
	if err := checkAttributes(in.MessageAttributes); err != nil {
		return nil, err
	}
	if len(in.Message)+attributesSize(in.MessageAttributes) > maxMessageSize {
		return nil, errParam("Message too long")
	}
	if in.MessageDeduplicationId != "" {
		return nil, errParam("MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type")
	}
	if in.MessageGroupId != "" {
		return nil, errParam("MessageGroupId Reason: The request includes MessageGroupId parameter that is not valid for this topic type")
	}
	forSQS := in.Message
	switch in.MessageStructure {
	case "":
	case "json":
		m, err := perProtocol(in.Message)
		if err != nil {
			return nil, err
		}
		forSQS = m["default"]
		if v, ok := m["sqs"]; ok {
			forSQS = v
		}
	default:
		return nil, errParam("MessageStructure")
	}
	arn := in.TopicArn
	if arn == "" {
		arn = in.TargetArn
		if strings.Contains(arn, ":endpoint/") {
			return nil, errUnsupported("TargetArn Reason: mobile push endpoints")
		}
	}
	t, err := s.topicByARN(arn)
	if err != nil {
		return nil, err
	}
	subject := ""
	if in.Subject != nil {
		subject = *in.Subject
	}
	id := s.publish(t, notification{subject: subject, message: forSQS, attrs: in.MessageAttributes})
	return &PublishOutput{MessageId: id}, nil
}

// PublishFromService publishes message with subject to a topic on behalf
// of an AWS service (Auto Scaling's notifications and lifecycle hooks):
// no validation beyond the topic's, whose errors it returns (topicByARN).
func (s *Service) PublishFromService(topicARN, subject, message string) error {
	t, err := s.topicByARN(topicARN)
	if err != nil {
		return err
	}
	s.publish(t, notification{subject: subject, message: message})
	return nil
}

// validSubject: ASCII, starting with a letter, digit or punctuation, no
// line breaks or control characters, fewer than 100 characters.
func validSubject(subject string) bool {
	if subject == "" || len(subject) >= 100 || subject[0] == ' ' {
		return false
	}
	for i := 0; i < len(subject); i++ {
		if c := subject[i]; c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// perProtocol reads a MessageStructure json message: an object whose
// string members are the messages by protocol; non-string members are
// ignored, as SNS does, and "default" is required.
func perProtocol(message string) (map[string]string, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(message), &raw); err != nil {
		return nil, errParam("Message Structure - JSON message body failed to parse")
	}
	out := map[string]string{}
	for k, v := range raw {
		var s string
		if json.Unmarshal(v, &s) == nil {
			out[k] = s
		}
	}
	if _, ok := out["default"]; !ok {
		return nil, errParam("Message Structure - No default entry in JSON message body")
	}
	return out, nil
}

// checkAttributes applies SNS's message attribute rules.
func checkAttributes(attrs map[string]MessageAttributeValue) error {
	for _, name := range slices.Sorted(maps.Keys(attrs)) {
		a := attrs[name]
		if len(name) > 256 {
			return errAttrValue("Length of message attribute name must be less than 256 bytes.")
		}
		if err := checkAttrName(name); err != nil {
			return err
		}
		dt := a.DataType
		base, _, _ := strings.Cut(dt, ".")
		if dt == "" || (base != "String" && base != "Number" && base != "Binary") {
			return errAttrValue("The message attribute '%s' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.", name)
		}
		if a.StringValue == nil && a.BinaryValue == nil {
			return errAttrValue("The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, dt)
		}
		field := "String"
		if base == "Binary" {
			field = "Binary"
		}
		if (field == "Binary") != (a.BinaryValue != nil) {
			return errAttrValue("The message attribute '%s' with type '%s' must use field '%s'.", name, dt, field)
		}
		if (field == "String" && *a.StringValue == "") || (field == "Binary" && len(a.BinaryValue) == 0) {
			return errAttrValue("The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, dt)
		}
		if field == "String" && !utf8.ValidString(*a.StringValue) {
			return errAttrValue("The message attribute '%s' has a value that is not valid UTF-8.", name)
		}
	}
	return nil
}

// checkAttrName: letters, digits, "-", "_" and ".", not starting or
// ending with ".", no "..".
func checkAttrName(name string) error {
	switch {
	case name == "":
		return errAttrValue("The message attribute name must not be empty.")
	case name[0] == '.':
		return errAttrValue("Invalid message attribute name starting with character '.' was found.")
	case name[len(name)-1] == '.':
		return errAttrValue("Invalid message attribute name ending with character '.' was found.")
	case strings.Contains(name, ".."):
		return errAttrValue("Message attribute name can not have successive '.' character.")
	}
	for _, r := range name {
		if !(r == '_' || r == '-' || r == '.' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')) {
			return errAttrValue("Invalid non-alphanumeric character '#x%X' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.", r)
		}
	}
	return nil
}

// attributesSize counts names, types and values toward the message size.
func attributesSize(attrs map[string]MessageAttributeValue) int {
	n := 0
	for name, a := range attrs {
		n += len(name) + len(a.DataType) + len(a.BinaryValue)
		if a.StringValue != nil {
			n += len(*a.StringValue)
		}
	}
	return n
}
