package core

// Event is what an AWS service puts on the default EventBridge bus. Detail
// is marshalled to JSON as the envelope's "detail".
type Event struct {
	Source     string
	DetailType string
	Resources  []string
	Detail     any
}

// EventSink receives the events services publish (EventBridge's default bus
// in a wired world).
type EventSink interface {
	Emit(Event)
}

// QueueSender delivers a message body to an SQS queue named by its ARN, as
// Auto Scaling lifecycle hooks and EventBridge targets do.
type QueueSender interface {
	SendToARN(arn, body string) error
}

// Discard is an EventSink and QueueSender that drops everything; unit tests
// of a single service use it.
var Discard discard

type discard struct{}

func (discard) Emit(Event)                       {}
func (discard) SendToARN(arn, body string) error { return nil }

// Recorder is an EventSink and QueueSender that keeps everything, for tests.
type Recorder struct {
	Events   []Event
	Messages []Message
}

// Message is one body sent to a queue ARN.
type Message struct {
	ARN, Body string
}

// Emit records ev.
func (r *Recorder) Emit(ev Event) { r.Events = append(r.Events, ev) }

// SendToARN records the message.
func (r *Recorder) SendToARN(arn, body string) error {
	r.Messages = append(r.Messages, Message{arn, body})
	return nil
}
