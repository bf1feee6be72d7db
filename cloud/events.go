package cloud

import (
	"context"
	"time"
)

// Events is what drainer needs of Amazon EventBridge: publishing its own
// drain events (source "drainer") on a bus. Any method may return
// ErrThrottled.
type Events interface {
	// PutEvents publishes events, ten per call. Entries EventBridge refused
	// are returned as failures (ID = the event's index in events); the
	// error is for the calls themselves, with the failures of the calls
	// before it. There is no ErrNotFound: EventBridge accepts an event for
	// a bus that does not exist and drops it, so a misnamed Bus goes
	// unreported (aws/aws-cli#9186).
	PutEvents(ctx context.Context, events []Event) ([]Failure, error)

	// RulesTargeting lists the rules of the default bus with a target whose
	// ARN is targetARN (drainer doctor checks its queue is fed). A rule
	// deleted while it is listed (ResourceNotFoundException) is left out.
	// No sentinel but ErrThrottled.
	RulesTargeting(ctx context.Context, targetARN string) ([]Rule, error)
}

// Rule is an EventBridge rule.
type Rule struct {
	Name         string
	ARN          string
	State        string // ENABLED or DISABLED
	EventPattern string // JSON
	Description  string
}

// EventSource is the source of drainer's own events.
const EventSource = "drainer"

// Event is an event to publish.
type Event struct {
	// Source defaults to EventSource.
	Source     string
	DetailType string
	// Detail is a JSON object.
	Detail    string
	Resources []string
	// Time defaults to when EventBridge receives it.
	Time time.Time
	// Bus defaults to the default bus.
	Bus string
}
