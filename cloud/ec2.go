package cloud

import (
	"context"
	"time"
)

// EC2 is what drainer needs of Amazon EC2. Any method may return
// ErrThrottled (RequestLimitExceeded after every retry); an id that is not
// one at all (InvalidInstanceID.Malformed…) is a plain error, no sentinel.
type EC2 interface {
	// DescribeInstances describes EC2 instances by id, in the order asked.
	// Concurrent calls are coalesced into calls selecting up to 200
	// instances with the instance-id filter. ErrNotFound: EC2 does not know
	// one of the ids (its error carries InvalidInstanceID.NotFound, "The
	// instance ID '…' does not exist", as EC2 answers when asked by id);
	// the instances it does know are returned with it. Terminated
	// instances stay visible for about an hour first. An id that is not
	// one at all fails before any call, with no sentinel.
	DescribeInstances(ctx context.Context, ids []string) ([]Instance, error)

	// TerminateInstances terminates instances directly (outside Auto
	// Scaling: no hooks run); terminating one already terminated and still
	// visible is not an error. ErrNotFound: EC2 does not know one of the
	// ids (the whole call of up to a thousand fails).
	TerminateInstances(ctx context.Context, ids []string) error

	// AvailableNetworkInterfaces returns the network interfaces in status
	// available (attached to nothing) matching q; the ones awsvpc tasks
	// leave behind when their host dies. Interfaces asked for by id that no
	// longer exist are left out, never ErrNotFound. No sentinel but
	// ErrThrottled.
	AvailableNetworkInterfaces(ctx context.Context, q NetworkInterfaceQuery) ([]NetworkInterface, error)

	// DeleteNetworkInterface deletes a network interface. ErrNotFound: it is
	// gone already (InvalidNetworkInterfaceID.NotFound).
	DeleteNetworkInterface(ctx context.Context, id string) error

	// UserData returns the user data an instance was launched with,
	// decoded ("" when it has none): one DescribeInstanceAttribute. The ECS
	// agent's configuration is written there (package ecsagent).
	// ErrNotFound: EC2 does not know the instance.
	UserData(ctx context.Context, instanceID string) (string, error)
}

// EC2 instance states.
const (
	InstancePending      = "pending"
	InstanceRunning      = "running"
	InstanceShuttingDown = "shutting-down"
	InstanceTerminated   = "terminated"
	InstanceStopping     = "stopping"
	InstanceStopped      = "stopped"
)

// Instance is an EC2 instance.
type Instance struct {
	ID               string
	State            string
	InstanceType     string
	AvailabilityZone string
	LaunchTime       time.Time
	Spot             bool
	Tags             map[string]string
}

// AutoScalingGroup returns the group the instance was launched by, from the
// aws:autoscaling:groupName tag.
func (i Instance) AutoScalingGroup() string { return i.Tags["aws:autoscaling:groupName"] }

// NetworkInterfaceQuery selects network interfaces: by ids, by EC2 filters
// (name → values, e.g. "description": {"ecs*"}), or both (an interface
// must match both). A "network-interface-id" filter adds to IDs.
type NetworkInterfaceQuery struct {
	IDs     []string
	Filters map[string][]string
}

// NetworkInterface is an elastic network interface.
type NetworkInterface struct {
	ID               string
	Status           string
	Description      string
	AvailabilityZone string
	InterfaceType    string
	Tags             map[string]string
}
