package intake

import "time"

// Notice is one parsed trigger message. It is a closed sum type: the
// concrete value is one of LifecycleAction, TestNotification,
// InstanceNotification, SpotInterruption, RebalanceRecommendation,
// InstanceStateChange, TaskStateChange or ContainerInstanceStateChange
// (always a value, never a pointer); switch on the type, or on Kind.
//
// Notices only say "look at this instance now": drainer reads the real
// state before acting, so a duplicated, late or reordered notice is
// harmless.
type Notice interface {
	// Kind names the notice's type.
	Kind() Kind
	// Instance is the EC2 instance id the notice is about, "" when it
	// names none (an ECS task change names its container instance only).
	Instance() string
	// Head is how and when the notice was sent.
	Head() Header
}

// Kind names a notice type; its values are stable and fit metric labels.
type Kind string

// The notice kinds.
const (
	KindLifecycleAction              Kind = "lifecycle-action"
	KindTestNotification             Kind = "test-notification"
	KindInstanceNotification         Kind = "instance-notification"
	KindSpotInterruption             Kind = "spot-interruption"
	KindRebalanceRecommendation      Kind = "rebalance-recommendation"
	KindInstanceStateChange          Kind = "instance-state-change"
	KindTaskStateChange              Kind = "task-state-change"
	KindContainerInstanceStateChange Kind = "container-instance-state-change"
)

// Via says how a message reached the queue.
type Via string

// The delivery paths.
const (
	// ViaDirect: Auto Scaling sent it to the queue itself (a lifecycle
	// hook's notification target).
	ViaDirect Via = "direct"
	// ViaSNS: an SNS topic wrapped it in a notification envelope.
	ViaSNS Via = "sns"
	// ViaEventBridge: an EventBridge rule delivered the event envelope.
	ViaEventBridge Via = "eventbridge"
)

// Header is what every notice carries about its delivery.
type Header struct {
	Via Via
	// ID is the EventBridge event id, else the SNS MessageId; "" for a
	// message sent directly.
	ID string
	// Time is when AWS says it happened: the message's own time (a
	// lifecycle action's start), else the envelope's. It is zero when the
	// message carried no readable time: the notice still counts, the
	// receiver's clock standing in. (A Spot warning without one is
	// refused, since its deadline derives from it.)
	Time    time.Time
	Account string
	// Region is known for EventBridge events and SNS topics.
	Region string
}

// Head returns the header; every notice type gets it by embedding Header.
func (h Header) Head() Header { return h }

// Lifecycle transitions of Auto Scaling lifecycle hooks.
const (
	TransitionTerminating = "autoscaling:EC2_INSTANCE_TERMINATING"
	TransitionLaunching   = "autoscaling:EC2_INSTANCE_LAUNCHING"
)

// LifecycleAction is an Auto Scaling lifecycle hook holding an instance:
// the instance waits (Terminating:Wait or Pending:Wait) until the action
// is completed, heartbeats keeping it alive.
type LifecycleAction struct {
	Header
	InstanceID string
	Group      string // AutoScalingGroupName
	HookName   string // LifecycleHookName
	Token      string // LifecycleActionToken
	Transition string // TransitionTerminating or TransitionLaunching
	// Metadata is the hook's NotificationMetadata, as set on the hook.
	Metadata string
	// Origin and Destination: AutoScalingGroup → EC2 when terminating,
	// EC2 → AutoScalingGroup when launching.
	Origin      string
	Destination string
	RequestID   string
}

// Kind implements Notice.
func (LifecycleAction) Kind() Kind { return KindLifecycleAction }

// Instance implements Notice.
func (a LifecycleAction) Instance() string { return a.InstanceID }

// Terminating reports whether the action holds a terminating instance,
// the only transition drainer drains for.
func (a LifecycleAction) Terminating() bool { return a.Transition == TransitionTerminating }

// TestNotification is the autoscaling:TEST_NOTIFICATION a hook or
// notification configuration sends when its target is set. Parse returns
// it inside a *SkipError: it is acknowledged and deleted.
type TestNotification struct {
	Header
	Group     string
	GroupARN  string
	RequestID string
}

// Kind implements Notice.
func (TestNotification) Kind() Kind { return KindTestNotification }

// Instance implements Notice.
func (TestNotification) Instance() string { return "" }

// InstanceNotification is an Auto Scaling launch or terminate activity
// report (a notification configuration's autoscaling:EC2_INSTANCE_* or the
// EventBridge "EC2 Instance … Successful/Unsuccessful" events). It reports
// what already happened, so Parse returns it inside a *SkipError.
type InstanceNotification struct {
	Header
	// Event is the notification type (autoscaling:EC2_INSTANCE_TERMINATE
	// …) or the EventBridge detail-type.
	Event      string
	InstanceID string
	Group      string
	StatusCode string
	Cause      string
}

// Kind implements Notice.
func (InstanceNotification) Kind() Kind { return KindInstanceNotification }

// Instance implements Notice.
func (n InstanceNotification) Instance() string { return n.InstanceID }

// SpotWarning is the time between a Spot interruption warning and the
// instance's interruption.
const SpotWarning = 2 * time.Minute

// SpotInterruption is EC2's two-minute warning before it interrupts a Spot
// instance.
type SpotInterruption struct {
	Header
	InstanceID string
	// Action is what EC2 will do: terminate, stop or hibernate.
	Action string
	// Deadline is when the instance goes, whatever drainer does: the
	// warning's time plus SpotWarning.
	Deadline time.Time
}

// Kind implements Notice.
func (SpotInterruption) Kind() Kind { return KindSpotInterruption }

// Instance implements Notice.
func (s SpotInterruption) Instance() string { return s.InstanceID }

// RebalanceRecommendation is EC2 signalling that a Spot instance is at
// elevated risk of interruption.
type RebalanceRecommendation struct {
	Header
	InstanceID string
}

// Kind implements Notice.
func (RebalanceRecommendation) Kind() Kind { return KindRebalanceRecommendation }

// Instance implements Notice.
func (r RebalanceRecommendation) Instance() string { return r.InstanceID }

// InstanceStateChange is an EC2 instance changing state (pending, running,
// stopping, stopped, shutting-down, terminated).
type InstanceStateChange struct {
	Header
	InstanceID string
	State      string
}

// Kind implements Notice.
func (InstanceStateChange) Kind() Kind { return KindInstanceStateChange }

// Instance implements Notice.
func (s InstanceStateChange) Instance() string { return s.InstanceID }

// TaskStateChange is an ECS task changing its last or desired status.
type TaskStateChange struct {
	Header
	TaskARN              string
	ClusterARN           string
	ContainerInstanceARN string // "" for tasks not on a container instance (Fargate)
	LastStatus           string
	DesiredStatus        string
	Group                string // "service:NAME" or "family:NAME"
	StartedBy            string
	StoppedReason        string
	// Version grows with each change of the task: an older version than
	// one already seen is stale.
	Version int64
}

// Kind implements Notice.
func (TaskStateChange) Kind() Kind { return KindTaskStateChange }

// Instance implements Notice: "" (the event names the container instance
// ARN only).
func (TaskStateChange) Instance() string { return "" }

// ContainerInstanceStateChange is an ECS container instance changing
// (status, agent connection, resources, attributes).
type ContainerInstanceStateChange struct {
	Header
	ContainerInstanceARN string
	ClusterARN           string // not sent by every emitter; "" then
	InstanceID           string // ec2InstanceId
	Status               string // ACTIVE, DRAINING, INACTIVE, …
	AgentConnected       bool
	RunningTasksCount    int64
	PendingTasksCount    int64
	// Version grows with each change of the container instance.
	Version int64
}

// Kind implements Notice.
func (ContainerInstanceStateChange) Kind() Kind { return KindContainerInstanceStateChange }

// Instance implements Notice.
func (c ContainerInstanceStateChange) Instance() string { return c.InstanceID }
