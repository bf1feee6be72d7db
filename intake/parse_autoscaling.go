package intake

import "encoding/json"

// Auto Scaling notification types ("Event") of notification
// configurations, and the test notification every new target receives.
const (
	EventTestNotification     = "autoscaling:TEST_NOTIFICATION"
	EventInstanceLaunch       = "autoscaling:EC2_INSTANCE_LAUNCH"
	EventInstanceLaunchErr    = "autoscaling:EC2_INSTANCE_LAUNCH_ERROR"
	EventInstanceTerminate    = "autoscaling:EC2_INSTANCE_TERMINATE"
	EventInstanceTerminateErr = "autoscaling:EC2_INSTANCE_TERMINATE_ERROR"
)

// lifecycleMessage is a lifecycle hook notification: the body Auto Scaling
// sends to a hook's target, and the detail of its EventBridge event.
type lifecycleMessage struct {
	Origin               string
	Destination          string
	LifecycleHookName    string
	AccountId            string
	RequestId            string
	LifecycleTransition  string
	AutoScalingGroupName string
	Service              string
	Time                 string
	EC2InstanceId        string
	LifecycleActionToken string
	// NotificationMetadata is a string in every message AWS sends; any
	// other JSON is kept as its text rather than losing the action.
	NotificationMetadata json.RawMessage
}

// parseLifecycle reads a lifecycle hook notification. transition stands in
// when the message has none (an EventBridge detail-type implies it). The
// action holds an instance until it is completed, so everything needed to
// complete it must be there: group, hook, instance id and token.
func parseLifecycle(b []byte, h Header, transition string) (Notice, error) {
	var m lifecycleMessage
	if err := decode(b, "lifecycle notification", &m); err != nil {
		return nil, err
	}
	if m.LifecycleTransition != "" {
		transition = m.LifecycleTransition
	}
	switch transition {
	case TransitionTerminating, TransitionLaunching:
	case "":
		return nil, skip(ReasonMissingField, "LifecycleTransition")
	default:
		return nil, skip(ReasonUnknownTransition, "%s", quote(transition))
	}
	if err := checkInstanceID(m.EC2InstanceId, "EC2InstanceId"); err != nil {
		return nil, err
	}
	if err := required("AutoScalingGroupName", m.AutoScalingGroupName, "LifecycleHookName", m.LifecycleHookName,
		"LifecycleActionToken", m.LifecycleActionToken); err != nil {
		return nil, err
	}
	// A lifecycle action's time is informative only (drainer reads the
	// action from Auto Scaling), so an unreadable one does not lose it.
	if t, ok := parseTime(m.Time); ok {
		h.Time = t
	}
	if m.AccountId != "" {
		h.Account = m.AccountId
	}
	return LifecycleAction{
		Header:      h,
		InstanceID:  m.EC2InstanceId,
		Group:       m.AutoScalingGroupName,
		HookName:    m.LifecycleHookName,
		Token:       m.LifecycleActionToken,
		Transition:  transition,
		Metadata:    metadataText(m.NotificationMetadata),
		Origin:      m.Origin,
		Destination: m.Destination,
		RequestID:   m.RequestId,
	}, nil
}

func metadataText(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// autoScalingEvent is a notification with an "Event": the test
// notification or a launch/terminate activity report.
type autoScalingEvent struct {
	AccountId            string
	RequestId            string
	AutoScalingGroupARN  string
	AutoScalingGroupName string
	Event                string
	Time                 string
	EC2InstanceId        string
	StatusCode           string
	Cause                string
}

// parseAutoScalingEvent reads a message with an "Event". None needs
// action, so each comes back as a recognised skip; an unknown event is a
// plain skip.
func parseAutoScalingEvent(b []byte, h Header) (Notice, error) {
	var m autoScalingEvent
	if err := decode(b, "Auto Scaling notification", &m); err != nil {
		return nil, err
	}
	if t, ok := parseTime(m.Time); ok {
		h.Time = t
	}
	if m.AccountId != "" {
		h.Account = m.AccountId
	}
	switch {
	case m.Event == EventTestNotification:
		return nil, skipNotice(ReasonTestNotification, TestNotification{
			Header: h, Group: m.AutoScalingGroupName, GroupARN: m.AutoScalingGroupARN, RequestID: m.RequestId,
		})
	case m.Event == EventInstanceLaunch, m.Event == EventInstanceLaunchErr,
		m.Event == EventInstanceTerminate, m.Event == EventInstanceTerminateErr:
		return nil, skipNotice(ReasonInstanceNotification, InstanceNotification{
			Header: h, Event: m.Event, InstanceID: m.EC2InstanceId, Group: m.AutoScalingGroupName,
			StatusCode: m.StatusCode, Cause: m.Cause,
		})
	case m.Event == "":
		return nil, skip(ReasonMissingField, "Event")
	}
	return nil, skip(ReasonUnknownEvent, "%s", quote(m.Event))
}

// parseActivityEvent reads the detail of an EventBridge launch or
// terminate activity event ("EC2 Instance Launch Successful" …): a report
// of what already happened, so a recognised skip.
func parseActivityEvent(detailType string) detailParser {
	return func(b []byte, h Header) (Notice, error) {
		var m autoScalingEvent
		if err := decode(b, "detail", &m); err != nil {
			return nil, err
		}
		return nil, skipNotice(ReasonInstanceNotification, InstanceNotification{
			Header: h, Event: detailType, InstanceID: m.EC2InstanceId, Group: m.AutoScalingGroupName,
			StatusCode: m.StatusCode, Cause: m.Cause,
		})
	}
}
