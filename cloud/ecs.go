package cloud

import (
	"context"
	"time"
)

// ECS is what drainer needs of Amazon ECS. Clusters are named by name or
// ARN, container instances and tasks by ARN.
//
// Errors: a cluster ECS does not know is ErrNotFound for every method that
// names one (ClusterNotFoundException); each method lists its other
// sentinels. Any method may return ErrThrottled.
type ECS interface {
	// ListClusters returns the ARNs of every cluster in the region; an
	// implementation may answer from a recent listing (cloud/aws: for 5
	// minutes). No sentinel but ErrThrottled.
	ListClusters(ctx context.Context) ([]string, error)

	// FindContainerInstance returns the container instance running on the
	// EC2 instance ec2InstanceID in cluster, using the ListContainerInstances
	// filter `ec2InstanceId == …` (no scan of the cluster). With cluster ""
	// it looks in every cluster (skipping one deleted meanwhile). It
	// returns ErrNotFound when no registered (ACTIVE, DRAINING…; not
	// INACTIVE) container instance runs there, or cluster does not exist.
	FindContainerInstance(ctx context.Context, cluster, ec2InstanceID string) (ContainerInstance, error)

	// ListContainerInstances returns the container instances of cluster with
	// the given status, described; "" means every status but INACTIVE (ECS's
	// default: INACTIVE instances are deregistered). ErrNotFound: the
	// cluster does not exist.
	ListContainerInstances(ctx context.Context, cluster string, status ContainerInstanceStatus) ([]ContainerInstance, error)

	// ListContainerInstancesPage returns one page of the container
	// instances of cluster with the given status ("" as for
	// ListContainerInstances), described: one ListContainerInstances call
	// of up to 100 ARNs starting at token ("" for the first page), then
	// one DescribeContainerInstances of them. next is the token of the
	// following page, "" after the last one. An instance deregistered
	// between the two calls is left out, so a page may hold fewer than
	// were listed, even none while next is not "". ErrNotFound: the cluster
	// does not exist. A token ECS does not accept (a made-up one, or one
	// it no longer honours) is a plain error, no sentinel: the caller
	// starts the listing again from "".
	ListContainerInstancesPage(ctx context.Context, cluster string, status ContainerInstanceStatus, token string) (page []ContainerInstance, next string, err error)

	// DescribeContainerInstances describes container instances by ARN (or
	// id), in the order asked; unknown ones are left out of the result (ECS
	// lists them as MISSING failures), never ErrNotFound. Concurrent calls
	// for the same cluster are coalesced into calls of up to 100 instances.
	// ErrNotFound: the cluster does not exist.
	DescribeContainerInstances(ctx context.Context, cluster string, arns []string) ([]ContainerInstance, error)

	// DrainContainerInstances sets container instances DRAINING, ten per
	// call as ECS allows; concurrent calls for the same cluster are
	// coalesced into shared calls of ten. Instances ECS refused are
	// returned as failures (ID = the ARN or id as given; Code "MISSING" for
	// one ECS does not know); the error is for the calls themselves (a
	// shared call's error reaches every caller with an instance in it),
	// with the failures of the calls that succeeded. ErrNotFound: the
	// cluster does not exist.
	DrainContainerInstances(ctx context.Context, cluster string, arns []string) ([]Failure, error)

	// TasksOn returns every task on the container instance whose record ECS
	// still keeps: desired status RUNNING and STOPPED both (ListTasks hides
	// stopping tasks by default), each classified, with its stop timeout and
	// network interfaces. It is ListTasks for both statuses, then
	// DescribeTasks. ErrNotFound: the cluster or the container instance
	// does not exist ("Referenced container instance … not found."), or a
	// task's task definition is gone ("Unable to describe task
	// definition.").
	TasksOn(ctx context.Context, cluster, containerInstanceARN string) ([]Task, error)

	// ListTasks returns the ARNs of the tasks of cluster on the container
	// instance containerInstanceARN ("" for every container instance) whose
	// desired status is desired ("" is ECS's default, RUNNING; a task asked
	// to stop has desired status STOPPED while it still runs). ErrNotFound:
	// the cluster or the container instance does not exist ("Referenced
	// container instance … not found.").
	ListTasks(ctx context.Context, cluster, containerInstanceARN string, desired DesiredStatus) ([]string, error)

	// DescribeTasks describes tasks of cluster by ARN (or id), each
	// classified, with its stop timeout and network interfaces, in the
	// order asked. Tasks ECS no longer keeps (it forgets a stopped task
	// after about an hour; ECS lists them as MISSING failures) are left
	// out, never ErrNotFound. Concurrent calls for the same cluster are
	// coalesced into calls of up to 100 tasks. ErrNotFound: the cluster
	// does not exist, or a task's task definition is gone ("Unable to
	// describe task definition.").
	DescribeTasks(ctx context.Context, cluster string, taskARNs []string) ([]Task, error)

	// StopTask asks ECS to stop a task; reason shows as its stoppedReason.
	// Stopping is asynchronous: the task is gone only once its lastStatus is
	// STOPPED. ErrNotFound: ECS no longer keeps the task ("The referenced
	// task was not found."), or the cluster does not exist.
	StopTask(ctx context.Context, cluster, taskARN, reason string) error

	// DeregisterContainerInstance removes a container instance from its
	// cluster; force deregisters it even with tasks on it. ErrNotFound: ECS
	// does not know the container instance ("Referenced container instance
	// … not found.") or the cluster. Tasks still there without force are a
	// plain InvalidParameterException, no sentinel.
	DeregisterContainerInstance(ctx context.Context, cluster, containerInstanceARN string, force bool) error

	// PutAttributes sets custom attributes on a container instance (values
	// of at most MaxAttributeValueLen characters). drainer keeps a drain's
	// durable state as drainer.* attributes. ErrNotFound: the container
	// instance is gone (TargetNotFoundException) or the cluster does not
	// exist. ErrAttributeLimit: the container instance would carry more
	// than the 10 custom attributes ECS allows (agent attributes such as
	// ecs.os-type do not count; AttributeLimitExceededException, "You can
	// apply up to 10 custom attributes for each resource", PutAttributes,
	// Amazon ECS API Reference); nothing of that call was written. An
	// attribute ECS would refuse fails before any call, with no sentinel.
	PutAttributes(ctx context.Context, cluster, containerInstanceARN string, attrs map[string]string) error

	// DeleteAttributes removes custom attributes from a container instance;
	// deleting an attribute that is not there is not an error. ErrNotFound:
	// the container instance is gone (TargetNotFoundException) or the
	// cluster does not exist.
	DeleteAttributes(ctx context.Context, cluster, containerInstanceARN string, names []string) error

	// ListAttributeTargets returns every container instance of cluster that
	// carries the attribute name, with its value (used to resume drains
	// after a restart). ErrNotFound: the cluster does not exist.
	ListAttributeTargets(ctx context.Context, cluster, name string) ([]AttributeTarget, error)

	// DescribeServices describes services of cluster by name or ARN;
	// unknown ones are left out of the result, never ErrNotFound.
	// ErrNotFound: the cluster does not exist.
	DescribeServices(ctx context.Context, cluster string, services []string) ([]Service, error)

	// CapacityProviders returns the Auto Scaling capacity providers
	// attached to cluster. ErrNotFound: the cluster does not exist.
	CapacityProviders(ctx context.Context, cluster string) ([]CapacityProvider, error)
}

// MaxAttributeValueLen is the longest value ECS accepts for an attribute.
const MaxAttributeValueLen = 128

// ContainerInstanceStatus is a container instance's status.
type ContainerInstanceStatus string

// The container instance statuses drainer meets.
const (
	ContainerInstanceActive      ContainerInstanceStatus = "ACTIVE"
	ContainerInstanceDraining    ContainerInstanceStatus = "DRAINING"
	ContainerInstanceInactive    ContainerInstanceStatus = "INACTIVE"
	ContainerInstanceRegistering ContainerInstanceStatus = "REGISTERING"
)

// ContainerInstance is an EC2 instance registered in an ECS cluster.
type ContainerInstance struct {
	ARN           string
	ClusterARN    string // derived from the ARN; "" for old-format ARNs
	EC2InstanceID string
	Status        ContainerInstanceStatus
	StatusReason  string
	// AgentConnected is false while the ECS agent is not talking to ECS;
	// such an instance's tasks do not move by themselves.
	AgentConnected bool
	RunningTasks   int
	PendingTasks   int
	// Version counts the changes to the container instance's record:
	// "Every time a container instance experiences a change that triggers
	// a CloudWatch event, the version counter is incremented" (ECS API
	// reference, ContainerInstance) — a task placed or stopped there
	// among them.
	Version          int64
	CapacityProvider string
	RegisteredAt     time.Time
	// Attributes holds every attribute, ECS's own (ecs.instance-type,
	// ecs.availability-zone…) and custom ones (drainer.*); attributes
	// without a value map to "".
	Attributes map[string]string
}

// AttributeTarget is a container instance carrying an attribute.
type AttributeTarget struct {
	ContainerInstanceARN string
	Name                 string
	Value                string
}

// TaskClass says who is responsible for a task during a drain.
type TaskClass string

// Task classes (DESIGN.md §3).
const (
	// TaskService is a replica of a REPLICA service: ECS moves it within
	// the service's deployment limits.
	TaskService TaskClass = "service"
	// TaskDaemon belongs to a DAEMON service: ECS stops it last, after
	// every other task on the instance.
	TaskDaemon TaskClass = "daemon"
	// TaskStandalone was started by RunTask/StartTask: nobody touches it;
	// it runs to completion or to the drain's deadline.
	TaskStandalone TaskClass = "standalone"
)

// DesiredStatus is the desired status ListTasks selects tasks by.
type DesiredStatus string

// The desired statuses of ECS tasks (ListTasks, "desiredStatus").
const (
	DesiredRunning DesiredStatus = "RUNNING"
	DesiredPending DesiredStatus = "PENDING"
	DesiredStopped DesiredStatus = "STOPPED"
)

// Task statuses drainer compares against.
const (
	TaskRunning = "RUNNING"
	TaskStopped = "STOPPED"
)

// DefaultStopTimeout is the ECS agent's default time between SIGTERM and
// SIGKILL when a container sets no stopTimeout (ECS_CONTAINER_STOP_TIMEOUT).
const DefaultStopTimeout = 30 * time.Second

// Task is an ECS task as a drain sees it.
type Task struct {
	ARN                  string
	ClusterARN           string
	ContainerInstanceARN string
	TaskDefinitionARN    string
	LastStatus           string
	DesiredStatus        string
	// Group is "service:NAME" for service tasks, "family:NAME" or a
	// caller's group for standalone ones.
	Group     string
	StartedBy string
	// Service is the service's name for service and daemon tasks.
	Service string
	Class   TaskClass
	// StopTimeout is the longest container stopTimeout of the task
	// definition (DefaultStopTimeout for containers that set none): the
	// time the task needs from SIGTERM to certainly stopped.
	// AgentStopTimeout: a container sets none, so the ECS agent's own stop
	// timeout applies to it (ECS_CONTAINER_STOP_TIMEOUT, package
	// ecsagent), which may be longer than DefaultStopTimeout.
	StopTimeout      time.Duration
	AgentStopTimeout bool
	ENIs             []string // network interface ids of awsvpc tasks
	CreatedAt        time.Time
	StartedAt        time.Time
	StoppingAt       time.Time
	StoppedAt        time.Time
	StoppedReason    string
}

// Stopped reports whether the task is really gone (never just asked to stop).
func (t Task) Stopped() bool { return t.LastStatus == TaskStopped }

// Service is an ECS service with what a drain needs to know of it.
type Service struct {
	ARN        string
	Name       string
	ClusterARN string
	Status     string // ACTIVE, DRAINING, INACTIVE
	// Daemon is true for the DAEMON scheduling strategy.
	Daemon                bool
	DesiredCount          int
	RunningCount          int
	PendingCount          int
	MinimumHealthyPercent int
	MaximumPercent        int
}

// CapacityProvider is an Auto Scaling group capacity provider of a cluster.
type CapacityProvider struct {
	Name                string
	ARN                 string
	AutoScalingGroupARN string
	// ManagedTerminationProtection: instances running non-daemon tasks are
	// kept protected from scale-in.
	ManagedTerminationProtection bool
	// ManagedDraining: terminating instances are drained.
	ManagedDraining bool
}
