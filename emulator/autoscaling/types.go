package autoscaling

import "time"

// Lifecycle states of an instance in a group, as Auto Scaling names them.
const (
	StatePending            = "Pending"
	StatePendingWait        = "Pending:Wait"
	StatePendingProceed     = "Pending:Proceed"
	StateInService          = "InService"
	StateTerminating        = "Terminating"
	StateTerminatingWait    = "Terminating:Wait"
	StateTerminatingProceed = "Terminating:Proceed"
	StateTerminated         = "Terminated"
	StateEnteringStandby    = "EnteringStandby"
	StateStandby            = "Standby"
)

// Lifecycle transitions a hook can attach to.
const (
	TransitionLaunching   = "autoscaling:EC2_INSTANCE_LAUNCHING"
	TransitionTerminating = "autoscaling:EC2_INSTANCE_TERMINATING"
)

// Notification types of PutNotificationConfiguration.
const (
	NotifyLaunch         = "autoscaling:EC2_INSTANCE_LAUNCH"
	NotifyLaunchError    = "autoscaling:EC2_INSTANCE_LAUNCH_ERROR"
	NotifyTerminate      = "autoscaling:EC2_INSTANCE_TERMINATE"
	NotifyTerminateError = "autoscaling:EC2_INSTANCE_TERMINATE_ERROR"
	NotifyTest           = "autoscaling:TEST_NOTIFICATION"
)

// Activity status codes used by the emulator.
const (
	ActivityInProgress         = "InProgress"
	ActivityMidLifecycleAction = "MidLifecycleAction"
	ActivitySuccessful         = "Successful"
	ActivityFailed             = "Failed"
	ActivityCancelled          = "Cancelled"
)

// Instance refresh statuses.
const (
	RefreshPending    = "Pending"
	RefreshInProgress = "InProgress"
	RefreshSuccessful = "Successful"
	RefreshCancelling = "Cancelling"
	RefreshCancelled  = "Cancelled"
	RefreshFailed     = "Failed"
)

// LaunchTemplateSpecification names a launch template and version.
type LaunchTemplateSpecification struct {
	LaunchTemplateId   string
	LaunchTemplateName string
	Version            string
}

// LaunchTemplateOverrides overrides the template's instance type.
type LaunchTemplateOverrides struct {
	InstanceType string
}

// LaunchTemplate is the template part of a mixed instances policy.
type LaunchTemplate struct {
	LaunchTemplateSpecification *LaunchTemplateSpecification
	Overrides                   []LaunchTemplateOverrides
}

// InstancesDistribution splits capacity between on-demand and Spot.
type InstancesDistribution struct {
	OnDemandBaseCapacity                *int32
	OnDemandPercentageAboveBaseCapacity *int32
	OnDemandAllocationStrategy          string
	SpotAllocationStrategy              string
}

// MixedInstancesPolicy lets a group mix instance types and purchase options.
type MixedInstancesPolicy struct {
	LaunchTemplate        *LaunchTemplate
	InstancesDistribution *InstancesDistribution
}

// Tag is a group tag (input shape).
type Tag struct {
	Key               string
	Value             string
	PropagateAtLaunch *bool
	ResourceId        string
	ResourceType      string
}

// TagDescription is a group tag as described.
type TagDescription struct {
	Key               string
	Value             string
	PropagateAtLaunch bool
	ResourceId        string
	ResourceType      string
}

// Filter selects described items by name and values.
type Filter struct {
	Name   string
	Values []string
}

// LifecycleHookSpecification is a hook given at group creation.
type LifecycleHookSpecification struct {
	LifecycleHookName     string
	LifecycleTransition   string
	DefaultResult         string
	HeartbeatTimeout      *int32
	NotificationMetadata  string
	NotificationTargetARN string
	RoleARN               string
}

// LifecycleHook is a hook as DescribeLifecycleHooks shows it.
type LifecycleHook struct {
	AutoScalingGroupName  string
	LifecycleHookName     string
	LifecycleTransition   string
	DefaultResult         string
	HeartbeatTimeout      int32
	GlobalTimeout         int32
	NotificationMetadata  string
	NotificationTargetARN string
	RoleARN               string
}

// Instance is an instance as DescribeAutoScalingGroups shows it.
type Instance struct {
	InstanceId              string
	InstanceType            string
	AvailabilityZone        string
	LifecycleState          string
	HealthStatus            string
	LaunchTemplate          *LaunchTemplateSpecification
	LaunchConfigurationName string
	ProtectedFromScaleIn    bool
}

// AutoScalingInstanceDetails is an instance as DescribeAutoScalingInstances shows it.
type AutoScalingInstanceDetails struct {
	AutoScalingGroupName    string
	InstanceId              string
	InstanceType            string
	AvailabilityZone        string
	LifecycleState          string
	HealthStatus            string
	LaunchTemplate          *LaunchTemplateSpecification
	LaunchConfigurationName string
	ProtectedFromScaleIn    bool
}

// AutoScalingGroup is a group as DescribeAutoScalingGroups shows it.
type AutoScalingGroup struct {
	AutoScalingGroupName             string
	AutoScalingGroupARN              string
	LaunchConfigurationName          string
	LaunchTemplate                   *LaunchTemplateSpecification
	MixedInstancesPolicy             *MixedInstancesPolicy
	MinSize                          int32
	MaxSize                          int32
	DesiredCapacity                  int32
	DefaultCooldown                  int32
	AvailabilityZones                []string
	VPCZoneIdentifier                string
	HealthCheckType                  string
	HealthCheckGracePeriod           int32
	DefaultInstanceWarmup            *int32
	MaxInstanceLifetime              *int32
	CapacityRebalance                bool
	NewInstancesProtectedFromScaleIn bool
	TerminationPolicies              []string
	Instances                        []Instance
	Tags                             []TagDescription
	CreatedTime                      time.Time
	Status                           string
	ServiceLinkedRoleARN             string
}

// Activity is one scaling activity.
type Activity struct {
	ActivityId           string
	AutoScalingGroupName string
	AutoScalingGroupARN  string
	Description          string
	Cause                string
	StartTime            time.Time
	EndTime              *time.Time
	StatusCode           string
	StatusMessage        string
	Progress             int32
	Details              string
}

// RefreshPreferences tune an instance refresh.
//
// Source: "RefreshPreferences" (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_RefreshPreferences.html).
type RefreshPreferences struct {
	MinHealthyPercentage      *int32 // 0–100, default 90
	MaxHealthyPercentage      *int32 // 100–200, default 100
	InstanceWarmup            *int32 // seconds
	SkipMatching              *bool
	CheckpointPercentages     []int32 // ascending, unique, 1–100
	CheckpointDelay           *int32  // seconds, 0–172800; default 3600 with checkpoints
	ScaleInProtectedInstances string  // Refresh, Ignore or Wait (default)
	StandbyInstances          string  // Terminate, Ignore or Wait (default)
}

// DesiredConfiguration is what an instance refresh moves the group to.
type DesiredConfiguration struct {
	LaunchTemplate       *LaunchTemplateSpecification
	MixedInstancesPolicy *MixedInstancesPolicy
}

// InstanceRefreshLivePoolProgress reports progress in the live pool.
type InstanceRefreshLivePoolProgress struct {
	InstancesToUpdate  int32
	PercentageComplete int32
}

// InstanceRefreshProgressDetails wraps the live pool progress.
type InstanceRefreshProgressDetails struct {
	LivePoolProgress *InstanceRefreshLivePoolProgress
}

// InstanceRefresh is a refresh as DescribeInstanceRefreshes shows it.
type InstanceRefresh struct {
	InstanceRefreshId    string
	AutoScalingGroupName string
	Status               string
	StatusReason         string
	StartTime            *time.Time
	EndTime              *time.Time
	PercentageComplete   int32
	InstancesToUpdate    int32
	ProgressDetails      *InstanceRefreshProgressDetails
	Preferences          *RefreshPreferences
	DesiredConfiguration *DesiredConfiguration
	Strategy             string
}

// NotificationConfiguration links a group, a notification type and a topic.
type NotificationConfiguration struct {
	AutoScalingGroupName string
	NotificationType     string
	TopicARN             string
}

// LifecycleAction is a pending lifecycle action on an instance (observation
// for the world and tests; not an AWS shape).
type LifecycleAction struct {
	LifecycleHookName   string
	LifecycleTransition string
	Token               string
	Start               time.Time
	HeartbeatExpiry     time.Time
	GlobalExpiry        time.Time
}
