package intake

import (
	"encoding/json"
	"slices"
)

// EventBridge sources and detail-types drainer reads.
const (
	SourceAutoScaling = "aws.autoscaling"
	SourceEC2         = "aws.ec2"
	SourceECS         = "aws.ecs"

	DetailTerminateAction   = "EC2 Instance-terminate Lifecycle Action"
	DetailLaunchAction      = "EC2 Instance-launch Lifecycle Action"
	DetailLaunchSuccess     = "EC2 Instance Launch Successful"
	DetailLaunchFailure     = "EC2 Instance Launch Unsuccessful"
	DetailTerminateSuccess  = "EC2 Instance Terminate Successful"
	DetailTerminateFailure  = "EC2 Instance Terminate Unsuccessful"
	DetailSpotInterruption  = "EC2 Spot Instance Interruption Warning"
	DetailRebalance         = "EC2 Instance Rebalance Recommendation"
	DetailStateChange       = "EC2 Instance State-change Notification"
	DetailTaskChange        = "ECS Task State Change"
	DetailContainerInstance = "ECS Container Instance State Change"
)

// eventEnvelope is the envelope EventBridge wraps every event in.
type eventEnvelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Detail     json.RawMessage `json:"detail"`
}

// detailParser reads one kind of EventBridge detail; h carries the
// envelope's id, time, account and region.
type detailParser func(detail []byte, h Header) (Notice, error)

type eventKey struct{ source, detailType string }

// eventParsers is the one place that maps an event to its parser.
var eventParsers = map[eventKey]detailParser{
	{SourceAutoScaling, DetailTerminateAction}:  lifecycleDetail(TransitionTerminating),
	{SourceAutoScaling, DetailLaunchAction}:     lifecycleDetail(TransitionLaunching),
	{SourceAutoScaling, DetailLaunchSuccess}:    parseActivityEvent(DetailLaunchSuccess),
	{SourceAutoScaling, DetailLaunchFailure}:    parseActivityEvent(DetailLaunchFailure),
	{SourceAutoScaling, DetailTerminateSuccess}: parseActivityEvent(DetailTerminateSuccess),
	{SourceAutoScaling, DetailTerminateFailure}: parseActivityEvent(DetailTerminateFailure),
	{SourceEC2, DetailSpotInterruption}:         parseSpotInterruption,
	{SourceEC2, DetailRebalance}:                parseRebalance,
	{SourceEC2, DetailStateChange}:              parseStateChange,
	{SourceECS, DetailTaskChange}:               parseTaskChange,
	{SourceECS, DetailContainerInstance}:        parseContainerInstanceChange,
}

var eventSources = []string{SourceAutoScaling, SourceEC2, SourceECS}

// parseEventBridge reads an EventBridge envelope and hands its detail to
// the parser of its source and detail-type. h is the outer header (an SNS
// envelope's when EventBridge published to a topic).
func parseEventBridge(b []byte, h Header) (Notice, error) {
	var env eventEnvelope
	if err := decode(b, "EventBridge envelope", &env); err != nil {
		return nil, err
	}
	if err := required("source", env.Source, "detail-type", env.DetailType); err != nil {
		return nil, err
	}
	parse, ok := eventParsers[eventKey{env.Source, env.DetailType}]
	if !ok {
		if !slices.Contains(eventSources, env.Source) {
			return nil, skip(ReasonUnknownSource, "%s", quote(env.Source))
		}
		return nil, skip(ReasonUnknownDetailType, "%s from %s", quote(env.DetailType), env.Source)
	}
	if len(env.Detail) == 0 || string(env.Detail) == "null" {
		return nil, skip(ReasonMissingField, "detail")
	}
	if _, err := object(env.Detail, "detail"); err != nil {
		return nil, err
	}
	if h.Via != ViaSNS {
		h.Via = ViaEventBridge
	}
	if env.ID != "" {
		h.ID = env.ID
	}
	// An unreadable time is left zero: only a Spot warning needs one (its
	// deadline derives from it), and its parser refuses a zero time.
	if t, ok := parseTime(env.Time); ok {
		h.Time = t
	}
	if env.Account != "" {
		h.Account = env.Account
	}
	if env.Region != "" {
		h.Region = env.Region
	}
	return parse(env.Detail, h)
}

func lifecycleDetail(transition string) detailParser {
	return func(b []byte, h Header) (Notice, error) {
		// EventBridge's lifecycle detail carries no Time of its own: the
		// envelope's is the action's start.
		return parseLifecycle(b, h, transition)
	}
}
