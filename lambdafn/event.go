package lambdafn

import (
	"encoding/json"
	"fmt"
)

// Kind is what an invocation is for.
type Kind string

// The kinds of invocation.
const (
	// KindSQS: a batch of the queue's messages from the SQS event source
	// mapping (events.SQSEvent, each record's eventSource "aws:sqs";
	// https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html).
	KindSQS Kind = "sqs"
	// KindSchedule: the scheduled EventBridge rule's event
	// (events.CloudWatchEvent with detail-type "Scheduled Event" and source
	// "aws.events";
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html),
	// or "aws.scheduler" when EventBridge Scheduler sends the same shape.
	KindSchedule Kind = "schedule"
)

// Classify tells what an invocation's event is. Anything but an SQS batch
// or a scheduled event is an error saying what it looked like: drainer's
// notices come through the queue, where a failed one is retried, never
// straight from EventBridge.
func Classify(event []byte) (Kind, error) {
	var probe struct {
		Records *[]struct {
			EventSource string `json:"eventSource"`
		} `json:"Records"`
		Source     string `json:"source"`
		DetailType string `json:"detail-type"`
	}
	if err := json.Unmarshal(event, &probe); err != nil {
		return "", fmt.Errorf("event cannot be read as an SQS batch or a scheduled event: %w", err)
	}
	switch {
	case probe.Records != nil:
		for i, r := range *probe.Records {
			if r.EventSource != "aws:sqs" {
				return "", fmt.Errorf("event record %d comes from %q, not from an SQS queue (aws:sqs): give drainer only its queue's SQS event source", i, r.EventSource)
			}
		}
		return KindSQS, nil
	case probe.DetailType == "Scheduled Event" && (probe.Source == "aws.events" || probe.Source == "aws.scheduler"):
		return KindSchedule, nil
	case probe.DetailType != "":
		return "", fmt.Errorf("event %q from %q is not a scheduled event: route drainer's events to its queue, whose SQS event source invokes the function", probe.DetailType, probe.Source)
	}
	return "", fmt.Errorf("event is neither an SQS batch (Records) nor a scheduled event (detail-type \"Scheduled Event\")")
}
