package sns

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/emulator/core"
)

var start = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// queues records deliveries and refuses the queues named in refuse.
type queues struct {
	got    []sent
	refuse map[string]bool
}

type sent struct {
	queue string
	d     Delivery
}

func (q *queues) DeliverFromTopic(queueARN string, d Delivery) error {
	if q.refuse[queueARN] {
		return errors.New("AccessDenied")
	}
	q.got = append(q.got, sent{queueARN, d})
	return nil
}

type world struct {
	t   *testing.T
	c   *clock.Virtual
	env *core.Env
	q   *queues
	svc *Service
}

func newWorld(t *testing.T, opts Options) *world {
	c := clock.NewVirtual(start)
	env := core.NewEnv(c, core.Options{Seed: 1})
	q := &queues{refuse: map[string]bool{}}
	opts.Queues = q
	return &world{t: t, c: c, env: env, q: q, svc: New(env, opts)}
}

// call runs an API method under the world lock.
func call[I, O any](w *world, method func(I) (O, error), in I) (O, error) {
	var out O
	var err error
	w.env.Do(func() { out, err = method(in) })
	return out, err
}

func must[O any](t *testing.T) func(O, error) O {
	return func(out O, err error) O {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
}

func wantErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	var e *core.Error
	if !errors.As(err, &e) || e.Code != code || (msg != "" && e.Message != msg) {
		t.Fatalf("error %v, want %s %q", err, code, msg)
	}
}

const queueARN = "arn:aws:sqs:us-east-1:123456789012:drain"

func (w *world) topic(name string) string {
	w.t.Helper()
	return must[*CreateTopicOutput](w.t)(call(w, w.svc.CreateTopic, CreateTopicInput{Name: name})).TopicArn
}

func (w *world) subscribe(topicARN, queue string, attrs map[string]string) string {
	w.t.Helper()
	return must[*SubscribeOutput](w.t)(call(w, w.svc.Subscribe, SubscribeInput{TopicArn: topicARN, Protocol: "sqs", Endpoint: queue, Attributes: attrs})).SubscriptionArn
}

func str(s string) *string { return &s }

func TestCreateTopic(t *testing.T) {
	w := newWorld(t, Options{})
	arn := w.topic("hooks")
	if arn != "arn:aws:sns:us-east-1:123456789012:hooks" {
		t.Fatalf("ARN %s", arn)
	}
	if again := w.topic("hooks"); again != arn {
		t.Fatalf("CreateTopic is not idempotent: %s", again)
	}
	for _, tc := range []struct {
		in   CreateTopicInput
		code string
		msg  string
	}{
		{CreateTopicInput{Name: "a b"}, codeInvalidParameter, "Invalid parameter: Topic Name"},
		{CreateTopicInput{Name: ""}, codeInvalidParameter, "Invalid parameter: Topic Name"},
		{CreateTopicInput{Name: strings.Repeat("x", 257)}, codeInvalidParameter, "Invalid parameter: Topic Name"},
		{CreateTopicInput{Name: "hooks.fifo", Attributes: map[string]string{"FifoTopic": "true"}}, codeInvalidParameter, ""},
		{CreateTopicInput{Name: "f", Attributes: map[string]string{"FifoTopic": "true"}}, codeInvalidParameter, "Invalid parameter: Attributes Reason: FifoTopic: FIFO topics (not supported by this emulator)"},
		{CreateTopicInput{Name: "x", Attributes: map[string]string{"Colour": "red"}}, codeInvalidParameter, "Invalid parameter: Attributes Reason: AttributeName"},
		{CreateTopicInput{Name: "hooks", Attributes: map[string]string{"DisplayName": "other"}}, codeInvalidParameter, "Invalid parameter: Attributes Reason: Topic already exists with different attributes"},
		{CreateTopicInput{Name: "hooks", Tags: []Tag{{"team", "x"}}}, codeInvalidParameter, "Invalid parameter: Tags Reason: Topic already exists with different tags"},
	} {
		_, err := call(w, w.svc.CreateTopic, tc.in)
		wantErr(t, err, tc.code, tc.msg)
	}
	named := must[*CreateTopicOutput](t)(call(w, w.svc.CreateTopic, CreateTopicInput{Name: "named",
		Attributes: map[string]string{"DisplayName": "Drains", "FifoTopic": "false"}, Tags: []Tag{{"team", "platform"}}})).TopicArn
	attrs := must[*GetTopicAttributesOutput](t)(call(w, w.svc.GetTopicAttributes, GetTopicAttributesInput{TopicArn: named})).Attributes
	if attrs["DisplayName"] != "Drains" || attrs["TopicArn"] != named || attrs["Owner"] != "123456789012" ||
		attrs["SubscriptionsConfirmed"] != "0" || !json.Valid([]byte(attrs["Policy"])) || attrs["FifoTopic"] != "" {
		t.Fatalf("GetTopicAttributes = %v", attrs)
	}
	tags := must[*ListTagsForResourceOutput](t)(call(w, w.svc.ListTagsForResource, ListTagsForResourceInput{ResourceArn: named})).Tags
	if len(tags) != 1 || tags[0] != (Tag{"team", "platform"}) {
		t.Fatalf("tags %v", tags)
	}
	_, err := call(w, w.svc.GetTopicAttributes, GetTopicAttributesInput{TopicArn: "arn:aws:sns:us-east-1:123456789012:gone"})
	wantErr(t, err, codeNotFound, "Topic does not exist")
	_, err = call(w, w.svc.GetTopicAttributes, GetTopicAttributesInput{TopicArn: "arn:aws:sns:eu-west-1:123456789012:hooks"})
	wantErr(t, err, codeInvalidParameter, "Invalid parameter: TopicArn")
}

func TestListTopicsPages(t *testing.T) {
	w := newWorld(t, Options{})
	for i := range 101 {
		w.topic(fmt.Sprintf("t%03d", i))
	}
	first := must[*ListTopicsOutput](t)(call(w, w.svc.ListTopics, ListTopicsInput{}))
	if len(first.Topics) != 100 || first.NextToken == "" || first.Topics[0].TopicArn != "arn:aws:sns:us-east-1:123456789012:t000" {
		t.Fatalf("first page: %d topics, token %q", len(first.Topics), first.NextToken)
	}
	second := must[*ListTopicsOutput](t)(call(w, w.svc.ListTopics, ListTopicsInput{NextToken: first.NextToken}))
	if len(second.Topics) != 1 || second.NextToken != "" || !strings.HasSuffix(second.Topics[0].TopicArn, ":t100") {
		t.Fatalf("second page %+v", second)
	}
	_, err := call(w, w.svc.ListTopics, ListTopicsInput{NextToken: "%%"})
	wantErr(t, err, codeInvalidParameter, "Invalid parameter: NextToken")
}

func TestSubscribe(t *testing.T) {
	w := newWorld(t, Options{})
	topic := w.topic("hooks")
	sub := w.subscribe(topic, queueARN, nil)
	if !strings.HasPrefix(sub, topic+":") {
		t.Fatalf("subscription ARN %s", sub)
	}
	if again := w.subscribe(topic, queueARN, map[string]string{"RawMessageDelivery": "false"}); again != sub {
		t.Fatalf("Subscribe is not idempotent: %s", again)
	}
	other := "arn:aws:sqs:us-east-1:999999999999:theirs"
	if got := w.subscribe(topic, other, nil); got != "pending confirmation" {
		t.Fatalf("another account's queue: %s", got)
	}
	for _, tc := range []struct {
		in   SubscribeInput
		code string
		msg  string
	}{
		{SubscribeInput{TopicArn: topic, Protocol: "pigeon", Endpoint: queueARN}, codeInvalidParameter, "Invalid parameter: Amazon SNS does not support this protocol string: pigeon"},
		{SubscribeInput{TopicArn: topic, Protocol: "https", Endpoint: "https://example.com/"}, codeInvalidParameter, "Invalid parameter: Protocol Reason: only sqs subscriptions are delivered to, not https (not supported by this emulator)"},
		{SubscribeInput{TopicArn: topic, Protocol: "sqs", Endpoint: "https://sqs.us-east-1.amazonaws.com/123456789012/drain"}, codeInvalidParameter, "Invalid parameter: SQS endpoint ARN"},
		{SubscribeInput{TopicArn: topic, Protocol: "sqs", Endpoint: queueARN + ".fifo"}, codeInvalidParameter, ""},
		{SubscribeInput{TopicArn: topic, Protocol: "sqs", Endpoint: queueARN, Attributes: map[string]string{"RawMessageDelivery": "true"}}, codeInvalidParameter,
			"Invalid parameter: Attributes Reason: Subscription already exists with different attributes"},
		{SubscribeInput{TopicArn: topic, Protocol: "sqs", Endpoint: queueARN + "2", Attributes: map[string]string{"RawMessageDelivery": "yes"}}, codeInvalidParameter,
			"Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [yes]. Must be true or false."},
		{SubscribeInput{TopicArn: topic, Protocol: "sqs", Endpoint: queueARN + "2", Attributes: map[string]string{"FilterPolicy": "{}"}}, codeInvalidParameter,
			"Invalid parameter: Attributes Reason: FilterPolicy (not supported by this emulator)"},
		{SubscribeInput{TopicArn: topic + "-gone", Protocol: "sqs", Endpoint: queueARN}, codeNotFound, "Topic does not exist"},
	} {
		_, err := call(w, w.svc.Subscribe, tc.in)
		wantErr(t, err, tc.code, tc.msg)
	}

	list := must[*ListSubscriptionsByTopicOutput](t)(call(w, w.svc.ListSubscriptionsByTopic, ListSubscriptionsByTopicInput{TopicArn: topic})).Subscriptions
	if len(list) != 2 || list[0] != (SubscriptionEntry{sub, "123456789012", "sqs", queueARN, topic}) || list[1].SubscriptionArn != "PendingConfirmation" {
		t.Fatalf("ListSubscriptionsByTopic = %+v", list)
	}
	all := must[*ListSubscriptionsOutput](t)(call(w, w.svc.ListSubscriptions, ListSubscriptionsInput{})).Subscriptions
	if len(all) != 2 {
		t.Fatalf("ListSubscriptions = %+v", all)
	}

	_, err := call(w, w.svc.SetSubscriptionAttributes, SetSubscriptionAttributesInput{SubscriptionArn: sub, AttributeName: "RawMessageDelivery", AttributeValue: "TRUE"})
	if err != nil {
		t.Fatal(err)
	}
	attrs := must[*GetSubscriptionAttributesOutput](t)(call(w, w.svc.GetSubscriptionAttributes, GetSubscriptionAttributesInput{SubscriptionArn: sub})).Attributes
	if attrs["RawMessageDelivery"] != "true" || attrs["PendingConfirmation"] != "false" || attrs["Endpoint"] != queueARN {
		t.Fatalf("GetSubscriptionAttributes = %v", attrs)
	}
	for _, tc := range []struct {
		in   SetSubscriptionAttributesInput
		code string
		msg  string
	}{
		{SetSubscriptionAttributesInput{SubscriptionArn: topic + ":nope", AttributeName: "RawMessageDelivery", AttributeValue: "true"}, codeNotFound, "Subscription does not exist"},
		{SetSubscriptionAttributesInput{SubscriptionArn: sub, AttributeName: "RawMessageDelivery", AttributeValue: "maybe"}, codeInvalidParameter, "Invalid parameter: RawMessageDelivery: Invalid value [maybe]. Must be true or false."},
		{SetSubscriptionAttributesInput{SubscriptionArn: sub, AttributeName: "Colour", AttributeValue: "red"}, codeInvalidParameter, "Invalid parameter: AttributeName"},
	} {
		_, err := call(w, w.svc.SetSubscriptionAttributes, tc.in)
		wantErr(t, err, tc.code, tc.msg)
	}

	for _, tc := range []struct{ arn, msg string }{
		{"nope", "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1"},
		{topic, "Invalid parameter: SubscriptionId"},
	} {
		_, err := call(w, w.svc.Unsubscribe, UnsubscribeInput{SubscriptionArn: tc.arn})
		wantErr(t, err, codeInvalidParameter, tc.msg)
	}
	for range 2 { // idempotent
		must[*UnsubscribeOutput](t)(call(w, w.svc.Unsubscribe, UnsubscribeInput{SubscriptionArn: sub}))
	}
	if attrs := must[*GetTopicAttributesOutput](t)(call(w, w.svc.GetTopicAttributes, GetTopicAttributesInput{TopicArn: topic})).Attributes; attrs["SubscriptionsDeleted"] != "1" || attrs["SubscriptionsPending"] != "1" {
		t.Fatalf("counts after Unsubscribe: %v", attrs)
	}
	must[*DeleteTopicOutput](t)(call(w, w.svc.DeleteTopic, DeleteTopicInput{TopicArn: topic}))
	must[*DeleteTopicOutput](t)(call(w, w.svc.DeleteTopic, DeleteTopicInput{TopicArn: topic}))
	if all := must[*ListSubscriptionsOutput](t)(call(w, w.svc.ListSubscriptions, ListSubscriptionsInput{})).Subscriptions; len(all) != 0 {
		t.Fatalf("the deleted topic's subscriptions remain: %+v", all)
	}
}

func TestPublishDeliversTheEnvelope(t *testing.T) {
	w := newWorld(t, Options{URLBase: "http://127.0.0.1:4566/"})
	topic := w.topic("hooks")
	sub := w.subscribe(topic, queueARN, nil)
	w.subscribe(topic, "arn:aws:sqs:us-east-1:999999999999:theirs", nil) // pending: gets nothing
	out := must[*PublishOutput](t)(call(w, w.svc.Publish, PublishInput{TopicArn: topic, Subject: str("Drain <started> & done"),
		Message: `{"EC2InstanceId":"i-1"}`, MessageAttributes: map[string]MessageAttributeValue{
			"kind": {DataType: "String", StringValue: str("lifecycle")}, "blob": {DataType: "Binary", BinaryValue: []byte{1, 2}}}}))
	if len(w.q.got) != 1 || w.q.got[0].queue != queueARN {
		t.Fatalf("deliveries %+v", w.q.got)
	}
	d := w.q.got[0].d
	if d.TopicARN != topic || d.SenderID != defaultSenderID || d.Attributes != nil {
		t.Fatalf("delivery %+v", d)
	}
	var env map[string]any
	if err := json.Unmarshal([]byte(d.Body), &env); err != nil {
		t.Fatalf("envelope is not JSON: %v\n%s", err, d.Body)
	}
	want := map[string]any{
		"Type": "Notification", "MessageId": out.MessageId, "TopicArn": topic, "Subject": "Drain <started> & done",
		"Message": `{"EC2InstanceId":"i-1"}`, "Timestamp": "2026-11-22T10:00:00.000Z", "SignatureVersion": "1",
		"SigningCertURL": "http://127.0.0.1:4566/SimpleNotificationService-" + env["SigningCertURL"].(string)[len("http://127.0.0.1:4566/SimpleNotificationService-"):],
		"UnsubscribeURL": "http://127.0.0.1:4566/?Action=Unsubscribe&SubscriptionArn=" + sub,
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s = %v, want %v", k, env[k], v)
		}
	}
	if sig, _ := env["Signature"].(string); len(sig) != 344 {
		t.Errorf("Signature %q: want the base64 of 256 bytes", sig)
	}
	attrs, _ := env["MessageAttributes"].(map[string]any)
	if fmt.Sprint(attrs) != "map[blob:map[Type:Binary Value:AQI=] kind:map[Type:String Value:lifecycle]]" {
		t.Errorf("MessageAttributes = %v", attrs)
	}
	// Written as SNS writes it.
	for _, line := range []string{"{\n  \"Type\" : \"Notification\",\n  \"MessageId\" : ", "\n  \"Subject\" : \"Drain <started> & done\",\n  \"Message\" : \"{\\\"EC2InstanceId\\\":\\\"i-1\\\"}\",\n",
		"\n  \"MessageAttributes\" : {\n    \"blob\" : {\"Type\":\"Binary\",\"Value\":\"AQI=\"},\n    \"kind\" : {\"Type\":\"String\",\"Value\":\"lifecycle\"}\n  }\n}"} {
		if !strings.Contains(d.Body, line) {
			t.Errorf("envelope lacks %q:\n%s", line, d.Body)
		}
	}
	if strings.Index(d.Body, `"Subject"`) > strings.Index(d.Body, `"Message"`) {
		t.Errorf("Subject comes after Message:\n%s", d.Body)
	}

	// Raw delivery: the bare message, its attributes as SQS attributes;
	// no Subject member without a Subject.
	w.q.got = nil
	must[*SetSubscriptionAttributesOutput](t)(call(w, w.svc.SetSubscriptionAttributes, SetSubscriptionAttributesInput{SubscriptionArn: sub, AttributeName: "RawMessageDelivery", AttributeValue: "true"}))
	must[*PublishOutput](t)(call(w, w.svc.Publish, PublishInput{TargetArn: topic, Message: "plain", MessageAttributes: map[string]MessageAttributeValue{"kind": {DataType: "String", StringValue: str("x")}}}))
	if len(w.q.got) != 1 || w.q.got[0].d.Body != "plain" || *w.q.got[0].d.Attributes["kind"].StringValue != "x" {
		t.Fatalf("raw delivery %+v", w.q.got)
	}
	must[*SetSubscriptionAttributesOutput](t)(call(w, w.svc.SetSubscriptionAttributes, SetSubscriptionAttributesInput{SubscriptionArn: sub, AttributeName: "RawMessageDelivery", AttributeValue: "false"}))
	w.q.got = nil
	must[*PublishOutput](t)(call(w, w.svc.Publish, PublishInput{TopicArn: topic, Message: `{"default":"for all","sqs":"for queues","email":"x"}`, MessageStructure: "json"}))
	if len(w.q.got) != 1 || strings.Contains(w.q.got[0].d.Body, `"Subject"`) || !strings.Contains(w.q.got[0].d.Body, `"Message" : "for queues"`) {
		t.Fatalf("per-protocol message %+v", w.q.got)
	}
	if delivered, failed := w.svc.Deliveries(); delivered != 3 || failed != 0 {
		t.Fatalf("Deliveries = %d, %d", delivered, failed)
	}
	w.q.refuse[queueARN] = true
	must[*PublishOutput](t)(call(w, w.svc.Publish, PublishInput{TopicArn: topic, Message: "refused"}))
	if delivered, failed := w.svc.Deliveries(); delivered != 3 || failed != 1 {
		t.Fatalf("Deliveries after a refusal = %d, %d", delivered, failed)
	}
}

func TestPublishRefusals(t *testing.T) {
	w := newWorld(t, Options{})
	topic := w.topic("hooks")
	big := strings.Repeat("x", maxMessageSize)
	for _, tc := range []struct {
		in   PublishInput
		code string
		msg  string
	}{
		{PublishInput{TopicArn: topic}, codeInvalidParameter, "Invalid parameter: Empty message"},
		{PublishInput{TopicArn: topic, Message: "m", Subject: str("")}, codeInvalidParameter, "Invalid parameter: Subject"},
		{PublishInput{TopicArn: topic, Message: "m", Subject: str("line\nbreak")}, codeInvalidParameter, "Invalid parameter: Subject"},
		{PublishInput{TopicArn: topic, Message: "m", Subject: str(strings.Repeat("s", 100))}, codeInvalidParameter, "Invalid parameter: Subject"},
		{PublishInput{TopicArn: topic, Message: "m", Subject: str("héllo")}, codeInvalidParameter, "Invalid parameter: Subject"},
		{PublishInput{TopicArn: topic, Message: big[:maxMessageSize-3], MessageAttributes: map[string]MessageAttributeValue{"k": {DataType: "String", StringValue: str("v")}}},
			codeInvalidParameter, "Invalid parameter: Message too long"},
		{PublishInput{TopicArn: topic, Message: "{}", MessageStructure: "json"}, codeInvalidParameter, "Invalid parameter: Message Structure - No default entry in JSON message body"},
		{PublishInput{TopicArn: topic, Message: "nope", MessageStructure: "json"}, codeInvalidParameter, "Invalid parameter: Message Structure - JSON message body failed to parse"},
		{PublishInput{TopicArn: topic, Message: "m", MessageGroupId: "g"}, codeInvalidParameter, ""},
		{PublishInput{PhoneNumber: "+15555550100", Message: "m"}, codeInvalidParameter, "Invalid parameter: PhoneNumber Reason: SMS (not supported by this emulator)"},
		{PublishInput{TopicArn: topic + "x", Message: "m"}, codeNotFound, "Topic does not exist"},
		{PublishInput{TopicArn: "not-an-arn", Message: "m"}, codeInvalidParameter, "Invalid parameter: TopicArn"},
		{PublishInput{TopicArn: topic, Message: "m", MessageAttributes: map[string]MessageAttributeValue{".k": {DataType: "String", StringValue: str("v")}}},
			codeInvalidParameterValue, "Invalid message attribute name starting with character '.' was found."},
		{PublishInput{TopicArn: topic, Message: "m", MessageAttributes: map[string]MessageAttributeValue{"k": {DataType: "Date", StringValue: str("v")}}},
			codeInvalidParameterValue, "The message attribute 'k' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."},
		{PublishInput{TopicArn: topic, Message: "m", MessageAttributes: map[string]MessageAttributeValue{"k": {DataType: "Binary", StringValue: str("v")}}},
			codeInvalidParameterValue, "The message attribute 'k' with type 'Binary' must use field 'Binary'."},
		{PublishInput{TopicArn: topic, Message: "m", MessageAttributes: map[string]MessageAttributeValue{"k": {DataType: "String", StringValue: str("")}}},
			codeInvalidParameterValue, "The message attribute 'k' must contain non-empty message attribute value for message attribute type 'String'."},
		{PublishInput{TopicArn: topic, Message: "m", MessageAttributes: map[string]MessageAttributeValue{"a b": {DataType: "String", StringValue: str("v")}}},
			codeInvalidParameterValue, "Invalid non-alphanumeric character '#x20' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots."},
	} {
		_, err := call(w, w.svc.Publish, tc.in)
		wantErr(t, err, tc.code, tc.msg)
	}
	if _, err := call(w, w.svc.Publish, PublishInput{TopicArn: topic, Message: big}); err != nil {
		t.Fatalf("a 256 KiB message: %v", err)
	}
}

func TestPublishFromServiceAndDelay(t *testing.T) {
	w := newWorld(t, Options{DeliveryDelay: 2 * time.Second})
	topic := w.topic("hooks")
	w.subscribe(topic, queueARN, nil)
	var err error
	w.env.Do(func() {
		err = w.svc.PublishFromService(topic, "Auto Scaling:  Lifecycle action 'TERMINATING' for instance i-1 in progress.", `{"LifecycleTransition":"autoscaling:EC2_INSTANCE_TERMINATING"}`)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(w.q.got) != 0 {
		t.Fatal("delivered before the delivery delay")
	}
	w.c.RunFor(2 * time.Second)
	if len(w.q.got) != 1 || !strings.Contains(w.q.got[0].d.Body, `"Subject" : "Auto Scaling:  Lifecycle action 'TERMINATING' for instance i-1 in progress."`) ||
		!strings.Contains(w.q.got[0].d.Body, `"Timestamp" : "2026-11-22T10:00:00.000Z"`) {
		t.Fatalf("deliveries %+v", w.q.got)
	}
	w.env.Do(func() { err = w.svc.PublishFromService(topic+"-gone", "s", "m") })
	wantErr(t, err, codeNotFound, "Topic does not exist")
}
