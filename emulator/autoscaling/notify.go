package autoscaling

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/drainer-dev/drainer/emulator/core"
)

const serviceName = "AWS Auto Scaling"

// TestNotification is the message a new notification target receives.
type TestNotification struct {
	AccountId            string
	RequestId            string
	AutoScalingGroupARN  string
	AutoScalingGroupName string
	Service              string
	Event                string
	Time                 string
}

// LifecycleMessage is a lifecycle hook notification, sent as the body of
// an SQS message and as the detail of the EventBridge event.
type LifecycleMessage struct {
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
	NotificationMetadata string `json:",omitempty"`
}

// ActivityMessage is a launch or terminate notification (and, without
// Event, Time and the account fields, the EventBridge detail).
type ActivityMessage struct {
	Origin               string
	Destination          string
	Progress             int32
	AccountId            string `json:",omitempty"`
	Description          string
	RequestId            string
	EndTime              string
	AutoScalingGroupARN  string `json:",omitempty"`
	ActivityId           string
	StartTime            string
	Service              string `json:",omitempty"`
	Time                 string `json:",omitempty"`
	EC2InstanceId        string
	StatusCode           string
	StatusMessage        string
	Details              map[string]string
	AutoScalingGroupName string
	Cause                string
	Event                string `json:",omitempty"`
}

// PutNotificationConfigurationInput mirrors the AWS request.
type PutNotificationConfigurationInput struct {
	AutoScalingGroupName string
	TopicARN             string
	NotificationTypes    []string
}

// PutNotificationConfigurationOutput is empty, as in AWS.
type PutNotificationConfigurationOutput struct{}

// DeleteNotificationConfigurationInput mirrors the AWS request.
type DeleteNotificationConfigurationInput struct {
	AutoScalingGroupName string
	TopicARN             string
}

// DeleteNotificationConfigurationOutput is empty, as in AWS.
type DeleteNotificationConfigurationOutput struct{}

// DescribeNotificationConfigurationsInput mirrors the AWS request.
type DescribeNotificationConfigurationsInput struct {
	AutoScalingGroupNames []string
	MaxRecords            *int32
	NextToken             string
}

// DescribeNotificationConfigurationsOutput mirrors the AWS response.
type DescribeNotificationConfigurationsOutput struct {
	NotificationConfigurations []NotificationConfiguration
	NextToken                  string
}

var notificationTypes = []string{NotifyLaunch, NotifyLaunchError, NotifyTerminate, NotifyTerminateError, NotifyTest}

// PutNotificationConfiguration sets the notification types a topic (here
// any queue ARN may stand for the SNS topic) receives for a group, and
// sends it a test notification.
func (s *Service) PutNotificationConfiguration(in PutNotificationConfigurationInput) (*PutNotificationConfigurationOutput, error) {
	switch {
	case in.AutoScalingGroupName == "":
		return nil, nullMember("autoScalingGroupName")
	case in.TopicARN == "":
		return nil, nullMember("topicARN")
	case in.NotificationTypes == nil:
		return nil, nullMember("notificationTypes")
	}
	g, err := s.group(in.AutoScalingGroupName)
	if err != nil {
		return nil, err
	}
	for _, t := range in.NotificationTypes {
		if !slices.Contains(notificationTypes, t) {
			return nil, validation("Notification type %s is not valid.", t)
		}
	}
	g.notifs = slices.DeleteFunc(g.notifs, func(c NotificationConfiguration) bool { return c.TopicARN == in.TopicARN })
	for _, t := range in.NotificationTypes {
		if !slices.ContainsFunc(g.notifs, func(c NotificationConfiguration) bool { return c.TopicARN == in.TopicARN && c.NotificationType == t }) {
			g.notifs = append(g.notifs, NotificationConfiguration{AutoScalingGroupName: g.name, NotificationType: t, TopicARN: in.TopicARN})
		}
	}
	s.sendTestNotification(g, in.TopicARN)
	return &PutNotificationConfigurationOutput{}, nil
}

// DeleteNotificationConfiguration removes a topic's configuration.
func (s *Service) DeleteNotificationConfiguration(in DeleteNotificationConfigurationInput) (*DeleteNotificationConfigurationOutput, error) {
	switch {
	case in.AutoScalingGroupName == "":
		return nil, nullMember("autoScalingGroupName")
	case in.TopicARN == "":
		return nil, nullMember("topicARN")
	}
	g, err := s.group(in.AutoScalingGroupName)
	if err != nil {
		return nil, err
	}
	n := len(g.notifs)
	g.notifs = slices.DeleteFunc(g.notifs, func(c NotificationConfiguration) bool { return c.TopicARN == in.TopicARN })
	if len(g.notifs) == n {
		return nil, validation("No notification configuration found for topic %s on Auto Scaling group %s", in.TopicARN, g.name)
	}
	return &DeleteNotificationConfigurationOutput{}, nil
}

// DescribeNotificationConfigurations lists configurations by group name.
func (s *Service) DescribeNotificationConfigurations(in DescribeNotificationConfigurationsInput) (*DescribeNotificationConfigurationsOutput, error) {
	names := in.AutoScalingGroupNames
	if len(names) == 0 {
		names = s.GroupNames()
	} else {
		names = slices.Clone(names)
		slices.Sort(names)
		names = slices.Compact(names)
	}
	var all []NotificationConfiguration
	for _, n := range names {
		if g, ok := s.groups[n]; ok {
			all = append(all, g.notifs...)
		}
	}
	start, end, next, err := page(len(all), in.MaxRecords, 50, 100, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &DescribeNotificationConfigurationsOutput{NotificationConfigurations: append([]NotificationConfiguration{}, all[start:end]...), NextToken: next}, nil
}

// sendTestNotification sends autoscaling:TEST_NOTIFICATION to target.
func (s *Service) sendTestNotification(g *group, target string) {
	if target == "" {
		return
	}
	s.send(target, `Auto Scaling: test notification for group "`+g.name+`"`, TestNotification{
		AccountId:            s.env.Account,
		RequestId:            s.env.UUID(),
		AutoScalingGroupARN:  g.arn,
		AutoScalingGroupName: g.name,
		Service:              serviceName,
		Event:                NotifyTest,
		Time:                 core.ISOTime(s.now()),
	})
}

// notifyLifecycleAction sends a new action's message to its hook's target
// and publishes the matching EventBridge event.
func (s *Service) notifyLifecycleAction(a *action) {
	m := s.lifecycleMessage(a.in.g, &a.hook, a.in.id, a.token, a.start)
	if a.hook.target != "" {
		s.send(a.hook.target, lifecycleSubject(m), m)
	}
	s.events.Emit(lifecycleEvent(a.in.g.arn, m))
}

// lifecycleMessage is the notification of hook h's action on instance id
// of group g, issued with token at start.
func (s *Service) lifecycleMessage(g *group, h *hook, id, token string, start time.Time) LifecycleMessage {
	m := LifecycleMessage{
		Origin:               "EC2",
		Destination:          "AutoScalingGroup",
		LifecycleHookName:    h.name,
		AccountId:            s.env.Account,
		RequestId:            s.env.UUID(),
		LifecycleTransition:  h.transition,
		AutoScalingGroupName: g.name,
		Service:              serviceName,
		Time:                 core.ISOTime(start),
		EC2InstanceId:        id,
		LifecycleActionToken: token,
		NotificationMetadata: h.metadata,
	}
	if h.transition == TransitionTerminating {
		m.Origin, m.Destination = "AutoScalingGroup", "EC2"
	}
	return m
}

// lifecycleEvent is the EventBridge event that carries m for the group
// with ARN groupARN: detail-type "EC2 Instance-launch Lifecycle Action" or
// "EC2 Instance-terminate Lifecycle Action" by m's transition.
func lifecycleEvent(groupARN string, m LifecycleMessage) core.Event {
	detailType := "EC2 Instance-launch Lifecycle Action"
	if m.LifecycleTransition == TransitionTerminating {
		detailType = "EC2 Instance-terminate Lifecycle Action"
	}
	return core.Event{Source: "aws.autoscaling", DetailType: detailType, Resources: []string{groupARN}, Detail: m}
}

// TerminationNotice returns the termination lifecycle message
// (autoscaling:EC2_INSTANCE_TERMINATING) that the hook named hookName of
// group sends for instanceID, built as Auto Scaling builds the ones it
// sends, so that a scenario can deliver it itself: a copy, a stale or
// forged message. When the instance has a pending action of that hook the
// message is the one Auto Scaling sent (its token and start time, a new
// RequestId) and pending is true; otherwise it carries a fresh token that
// Auto Scaling never issued and the current time. hookName "" means the
// group's first termination hook; a name the group has no hook for is
// used as is, without metadata. The instance need not belong to group.
// Errors: the group does not exist (ValidationError, as the API answers);
// hookName is "" and the group has no termination hook.
//
// Source: "Amazon EC2 Auto Scaling lifecycle hooks", notification message
// example (https://docs.aws.amazon.com/autoscaling/ec2/userguide/prepare-for-lifecycle-notifications.html).
func (s *Service) TerminationNotice(group, instanceID, hookName string) (m LifecycleMessage, pending bool, err error) {
	g, err := s.group(group)
	if err != nil {
		return LifecycleMessage{}, false, err
	}
	var h *hook
	for _, gh := range g.hooks {
		if gh.transition == TransitionTerminating && (hookName == "" || gh.name == hookName) {
			h = gh
			break
		}
	}
	if h == nil && hookName == "" {
		return LifecycleMessage{}, false, fmt.Errorf("group %s has no termination lifecycle hook", group)
	}
	if h == nil {
		h = &hook{name: hookName, transition: TransitionTerminating}
	}
	if in, ok := s.instances[instanceID]; ok && in.g == g {
		for _, a := range in.actions {
			if a.hook.name == h.name && a.hook.transition == TransitionTerminating {
				return s.lifecycleMessage(g, &a.hook, instanceID, a.token, a.start), true, nil
			}
		}
	}
	return s.lifecycleMessage(g, h, instanceID, s.env.UUID(), s.now()), false, nil
}

// LifecycleEvent returns the EventBridge event Auto Scaling publishes with
// the lifecycle message m (source aws.autoscaling, detail m, resources the
// ARN of m's group, or none when the group does not exist).
func (s *Service) LifecycleEvent(m LifecycleMessage) core.Event {
	ev := lifecycleEvent("", m)
	ev.Resources = nil
	if g, ok := s.groups[m.AutoScalingGroupName]; ok {
		ev.Resources = []string{g.arn}
	}
	return ev
}

// notifyActivity reports a finished launch or termination: to topics
// configured for notificationType and as an EventBridge event.
func (s *Service) notifyActivity(g *group, a *activity, notificationType, detailType, instanceID string) {
	origin, dest := "EC2", "AutoScalingGroup"
	if notificationType == NotifyTerminate || notificationType == NotifyTerminateError {
		origin, dest = "AutoScalingGroup", "EC2"
	}
	m := ActivityMessage{
		Origin:               origin,
		Destination:          dest,
		Progress:             a.progress,
		Description:          a.description,
		RequestId:            a.id,
		EndTime:              core.ISOTime(a.end),
		ActivityId:           a.id,
		StartTime:            core.ISOTime(a.start),
		EC2InstanceId:        instanceID,
		StatusCode:           a.status,
		StatusMessage:        a.statusMessage,
		Details:              map[string]string{"Availability Zone": a.az},
		AutoScalingGroupName: g.name,
		Cause:                a.cause,
	}
	resources := []string{g.arn}
	if instanceID != "" {
		resources = append(resources, s.env.ARN("ec2", "instance/"+instanceID))
	}
	s.events.Emit(core.Event{Source: "aws.autoscaling", DetailType: detailType, Resources: resources, Detail: m})
	for _, c := range g.notifs {
		if c.NotificationType != notificationType {
			continue
		}
		n := m
		n.AccountId, n.AutoScalingGroupARN, n.Service, n.Event = s.env.Account, g.arn, serviceName, notificationType
		n.Time = core.ISOTime(s.now())
		s.send(c.TopicARN, activitySubject(notificationType, g.name), n)
	}
}

// subjectSender is a QueueSender that can also give a message a subject,
// as a notification to an SNS topic has (a queue target ignores it).
type subjectSender interface {
	SendWithSubject(arn, subject, body string) error
}

// send marshals a message and hands it to the queue sender, with subject
// when the sender takes one; a delivery failure is dropped, as Auto Scaling
// does not retry notifications.
func (s *Service) send(target, subject string, msg any) {
	b, err := json.Marshal(msg)
	if err != nil {
		return
	}
	if ss, ok := s.queues.(subjectSender); ok {
		_ = ss.SendWithSubject(target, subject, string(b))
		return
	}
	_ = s.queues.SendToARN(target, string(b))
}

// lifecycleSubject is the Subject of a lifecycle notification published
// to an SNS topic: "Auto Scaling:  Lifecycle action 'TERMINATING' for
// instance i-… in progress." (two spaces after the colon, as AWS writes
// it; LAUNCHING for a launch hook).
func lifecycleSubject(m LifecycleMessage) string {
	action := "LAUNCHING"
	if m.LifecycleTransition == TransitionTerminating {
		action = "TERMINATING"
	}
	return fmt.Sprintf("Auto Scaling:  Lifecycle action '%s' for instance %s in progress.", action, m.EC2InstanceId)
}

// activitySubject is the Subject of a launch or terminate notification:
// `Auto Scaling: launch for group "NAME"`, "termination", "failed launch",
// "failed termination".
func activitySubject(notificationType, group string) string {
	what := map[string]string{NotifyLaunch: "launch", NotifyLaunchError: "failed launch",
		NotifyTerminate: "termination", NotifyTerminateError: "failed termination"}[notificationType]
	return "Auto Scaling: " + what + ` for group "` + group + `"`
}
