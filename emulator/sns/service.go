package sns

import (
	"crypto/md5"
	"encoding/hex"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/awsid"
	"github.com/drainer-dev/drainer/emulator/core"
)

// Options configure the service.
type Options struct {
	// Queues delivers notifications to SQS subscriptions; nil fails every
	// delivery.
	Queues Queues
	// URLBase prefixes the SigningCertURL and UnsubscribeURL of the
	// envelope; the default is https://sns.REGION.amazonaws.com. A wire
	// front serving the world gives its own address, so that the
	// UnsubscribeURL works against it.
	URLBase string
	// SenderID is the SenderId of the SQS messages SNS delivers; the
	// default stands for SNS's own identity, which on AWS differs by
	// Region.
	SenderID string
	// DeliveryDelay is how long after a publish its deliveries happen; 0
	// delivers within the publish.
	DeliveryDelay time.Duration
}

// Queues delivers a notification to an SQS queue on behalf of a topic. The
// queue decides whether to take it (its access policy must allow SNS to
// send on behalf of TopicARN); an error is a failed delivery.
type Queues interface {
	DeliverFromTopic(queueARN string, d Delivery) error
}

// Delivery is one notification on its way to an SQS queue.
type Delivery struct {
	TopicARN, SenderID string
	// Body is the SQS message body: the envelope, or the bare message
	// with raw message delivery.
	Body string
	// Attributes are the published message attributes, carried as SQS
	// message attributes with raw message delivery only (in the
	// envelope otherwise).
	Attributes map[string]MessageAttributeValue
}

// MessageAttributeValue is a message attribute of Publish: DataType is
// String, Number or Binary, optionally with a custom suffix ("Number.int"),
// or String.Array.
type MessageAttributeValue struct {
	DataType    string
	StringValue *string
	BinaryValue []byte
}

// defaultSenderID is the SenderId SNS deliveries carry unless Options say
// otherwise.
const defaultSenderID = "AIDAIT2UOQQY3AUEKVGXU"

// Service is the emulated SNS of one account and Region.
type Service struct {
	env      *core.Env
	queues   Queues
	urlBase  string
	senderID string
	delay    time.Duration

	topics map[string]*topic // by ARN
	order  []*topic          // creation order (ListTopics)
	subs   map[string]*subscription

	delivered, failed int
}

// topic is one standard topic.
type topic struct {
	name, arn string
	attrs     map[string]string // attributes set by the caller
	tags      []Tag
	subs      []*subscription // creation order
	deleted   int             // subscriptions removed (SubscriptionsDeleted)
}

// subscription is one subscription of a topic.
type subscription struct {
	arn, protocol, endpoint string
	topic                   *topic
	raw                     bool
	pending                 bool // the queue is in another account: never confirmed here
}

// New returns an SNS service living in env.
func New(env *core.Env, opts Options) *Service {
	base := strings.TrimRight(opts.URLBase, "/")
	if base == "" {
		base = "https://sns." + env.Region + ".amazonaws.com"
	}
	sender := opts.SenderID
	if sender == "" {
		sender = defaultSenderID
	}
	return &Service{env: env, queues: opts.Queues, urlBase: base, senderID: sender, delay: opts.DeliveryDelay,
		topics: map[string]*topic{}, subs: map[string]*subscription{}}
}

// Deliveries returns how many deliveries to subscriptions succeeded and
// failed (a queue that does not exist or whose policy refuses SNS).
func (s *Service) Deliveries() (delivered, failed int) { return s.delivered, s.failed }

// topicByARN finds a topic: a malformed ARN, or one of another Region, is
// "Invalid parameter: TopicArn" (SNS answers so for a topic of another
// Region too), an unknown topic NotFound.
func (s *Service) topicByARN(arn string) (*topic, error) {
	a, err := awsid.ParseTopicARN(arn)
	if err != nil || a.Region != s.env.Region {
		return nil, errParam("TopicArn")
	}
	t := s.topics[arn]
	if t == nil {
		return nil, errNoTopic()
	}
	return t, nil
}

// signingCertURL is where SNS publishes the certificate of its signing key
// (SimpleNotificationService-<hash>.pem).
func (s *Service) signingCertURL() string {
	sum := md5.Sum([]byte("sns signing certificate " + s.env.Region))
	return s.urlBase + "/SimpleNotificationService-" + hex.EncodeToString(sum[:]) + ".pem"
}

// unsubscribeURL is the UnsubscribeURL of a subscription's envelopes.
func (s *Service) unsubscribeURL(sub *subscription) string {
	return s.urlBase + "/?Action=Unsubscribe&SubscriptionArn=" + sub.arn
}
