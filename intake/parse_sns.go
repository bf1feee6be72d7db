package intake

import (
	"strings"

	"github.com/drainer-dev/drainer/awsid"
)

// snsEnvelope is an SNS notification as delivered to an SQS subscription
// without raw message delivery.
type snsEnvelope struct {
	Type      string
	MessageId string
	TopicArn  string
	Message   string
	Timestamp string
}

// parseSNS unwraps an SNS notification and parses its Message, which is
// the original message as a string (a lifecycle notification, a test
// notification, or an EventBridge event when a rule targets the topic).
func parseSNS(b []byte) (Notice, error) {
	var env snsEnvelope
	if err := decode(b, "SNS envelope", &env); err != nil {
		return nil, err
	}
	if env.Type != "Notification" {
		// SubscriptionConfirmation and UnsubscribeConfirmation carry no
		// event; subscriptions are confirmed by whoever creates them.
		return nil, skip(ReasonSNSType, "%s", quote(env.Type))
	}
	if env.Message == "" {
		return nil, skip(ReasonMissingField, "SNS Message")
	}
	h := Header{Via: ViaSNS, ID: env.MessageId}
	if t, ok := parseTime(env.Timestamp); ok {
		h.Time = t
	}
	if topic, err := awsid.ParseTopicARN(env.TopicArn); err == nil {
		h.Region, h.Account = topic.Region, topic.AccountID
	}
	n, err := parseMessage([]byte(env.Message), h, false)
	if se, ok := err.(*SkipError); ok && se.Notice == nil {
		se.Detail = strings.TrimSpace("in SNS Message: " + se.Detail)
	}
	return n, err
}
