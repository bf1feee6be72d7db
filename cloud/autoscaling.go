package cloud

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// AutoScaling is what drainer needs of EC2 Auto Scaling.
//
// Errors: Auto Scaling answers most refusals with one code,
// ValidationError; only the answers each method lists carry a sentinel
// (package cloud/aws tells them apart by their whole message). Any method
// may return ErrThrottled.
type AutoScaling interface {
	// DescribeGroups describes Auto Scaling groups by name with their
	// instances; no names means every group. Unknown names are left out,
	// never ErrNotFound. No sentinel but ErrThrottled.
	DescribeGroups(ctx context.Context, names []string) ([]Group, error)

	// DescribeGroupInstances says which group each EC2 instance belongs to
	// and its lifecycle state; instances in no group, or unknown, are left
	// out ("If you specify an ID that does not exist, it is ignored with
	// no error", DescribeAutoScalingInstances), never ErrNotFound.
	// Concurrent calls are coalesced into calls of up to 50 instances. No
	// sentinel but ErrThrottled.
	DescribeGroupInstances(ctx context.Context, instanceIDs []string) ([]GroupInstance, error)

	// LifecycleHooks returns the lifecycle hooks of a group. ErrNotFound:
	// the group does not exist ("AutoScalingGroup name not found - …").
	LifecycleHooks(ctx context.Context, group string) ([]LifecycleHook, error)

	// CompleteLifecycleAction ends a lifecycle action with result.
	// ErrNoActiveLifecycleAction: Auto Scaling holds no such action ("No
	// active Lifecycle Action found with instance ID …" / "… with token
	// …"): it was completed, abandoned or timed out, the token is unknown,
	// or the instance is in no group (or another one). An action missing
	// its hook, group or both token and instance id fails before any call,
	// with no sentinel. It waits for Auto Scaling's rate bucket at
	// PriorityUrgent, before every other call.
	CompleteLifecycleAction(ctx context.Context, a LifecycleAction, result LifecycleResult) error

	// RecordLifecycleActionHeartbeat restarts the hook's heartbeat timeout
	// (never past its global timeout). ErrNoActiveLifecycleAction, and the
	// check before any call, as for CompleteLifecycleAction; urgent as
	// CompleteLifecycleAction is.
	RecordLifecycleActionHeartbeat(ctx context.Context, a LifecycleAction) error

	// SetInstanceProtection sets or clears scale-in protection on instances
	// of group, fifty per call as Auto Scaling allows. ErrNotFound: the
	// group does not exist, or an instance is not (or no longer) in it
	// ("The instance … is not part of Auto Scaling group …."); Auto Scaling
	// then refuses that whole call of fifty, and the calls before it stay
	// done. An instance of the group that is not InService is a plain
	// ValidationError, no sentinel.
	SetInstanceProtection(ctx context.Context, group string, instanceIDs []string, protected bool) error

	// TerminateGroupInstance terminates an instance through its Auto
	// Scaling group (which runs the termination hooks), lowering the
	// desired capacity when decrementDesired (no replacement) or not (the
	// group launches a replacement). ErrNotFound: the instance is in no
	// group, or does not exist ("Instance Id not found - No managed
	// instance found for instance ID …"); terminate it through EC2
	// instead. Going below the group's minimum with decrementDesired is a
	// plain ValidationError, no sentinel.
	TerminateGroupInstance(ctx context.Context, instanceID string, decrementDesired bool) error

	// ScalingActivities returns the most recent scaling activities of every
	// group (at most most, newest first), for the dashboard. No sentinel
	// but ErrThrottled.
	ScalingActivities(ctx context.Context, most int) ([]Activity, error)
}

// Auto Scaling lifecycle states drainer acts on.
const (
	LifecycleInService          = "InService"
	LifecycleTerminatingWait    = "Terminating:Wait"
	LifecycleTerminatingProceed = "Terminating:Proceed"
	LifecycleTerminating        = "Terminating"
	LifecycleTerminated         = "Terminated"
)

// LifecycleTransitionTerminating is the transition of termination hooks.
const LifecycleTransitionTerminating = "autoscaling:EC2_INSTANCE_TERMINATING"

// Group is an Auto Scaling group.
type Group struct {
	Name            string
	ARN             string
	MinSize         int
	MaxSize         int
	DesiredCapacity int
	// MaxInstanceLifetime is 0 when the group sets none.
	MaxInstanceLifetime              time.Duration
	CapacityRebalance                bool
	NewInstancesProtectedFromScaleIn bool
	AvailabilityZones                []string
	Tags                             map[string]string
	Instances                        []GroupInstance
	// LaunchTemplates are the launch templates the group launches from:
	// its own, or its mixed instances policy's; none for a group of a
	// launch configuration.
	LaunchTemplates []LaunchTemplateRef
	// LaunchConfiguration names the group's launch configuration, "" for
	// a group of launch templates.
	LaunchConfiguration string
}

// GroupInstance is an instance as its Auto Scaling group sees it.
type GroupInstance struct {
	InstanceID           string
	Group                string
	AvailabilityZone     string
	LifecycleState       string
	HealthStatus         string
	ProtectedFromScaleIn bool
	InstanceType         string
}

// LifecycleHook is a lifecycle hook of a group.
type LifecycleHook struct {
	Name               string
	Group              string
	Transition         string
	HeartbeatTimeout   time.Duration
	GlobalTimeout      time.Duration
	DefaultResult      LifecycleResult
	NotificationTarget string
	// Role is the IAM role Auto Scaling sends to NotificationTarget with;
	// "" when the hook has no target.
	Role                 string
	NotificationMetadata string
}

// LifecycleAction names one lifecycle action: Token, or InstanceID when the
// token is not known (Auto Scaling accepts either).
type LifecycleAction struct {
	Group      string
	Hook       string
	Token      string
	InstanceID string
}

func (a LifecycleAction) String() string {
	return fmt.Sprintf("%s/%s/%s", a.Group, a.Hook, a.InstanceID)
}

// Validate reports what a lifecycle action misses to be addressable.
func (a LifecycleAction) Validate() error {
	switch {
	case a.Group == "" || a.Hook == "":
		return errors.New("lifecycle action needs a group and a hook")
	case a.Token == "" && a.InstanceID == "":
		return errors.New("lifecycle action needs a token or an instance id")
	}
	return nil
}

// LifecycleResult ends a lifecycle action.
type LifecycleResult string

// Lifecycle results. On termination both end in termination; ABANDON also
// skips the group's remaining hooks.
const (
	LifecycleContinue LifecycleResult = "CONTINUE"
	LifecycleAbandon  LifecycleResult = "ABANDON"
)

// Activity is one Auto Scaling scaling activity.
type Activity struct {
	Group       string
	Status      string // InProgress, MidLifecycleAction, Successful, Failed, …
	Description string
	Cause       string
	Start       time.Time
	End         time.Time // zero while in progress
}
