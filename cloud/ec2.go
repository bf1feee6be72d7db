package cloud

import (
	"context"
	"time"
)

// EC2 is what drainer needs of Amazon EC2.
type EC2 interface {
	// DescribeInstances describes EC2 instances by id. An id EC2 does not
	// know fails the call with ErrNotFound (EC2 answers so); terminated
	// instances stay visible for about an hour.
	DescribeInstances(ctx context.Context, ids []string) ([]Instance, error)

	// TerminateInstances terminates instances directly (outside Auto
	// Scaling: no hooks run).
	TerminateInstances(ctx context.Context, ids []string) error

	// AvailableNetworkInterfaces returns the network interfaces in status
	// available (attached to nothing) matching q; the ones awsvpc tasks
	// leave behind when their host dies.
	AvailableNetworkInterfaces(ctx context.Context, q NetworkInterfaceQuery) ([]NetworkInterface, error)

	// DeleteNetworkInterface deletes a network interface; one already gone
	// returns ErrNotFound.
	DeleteNetworkInterface(ctx context.Context, id string) error
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
// (name → values, e.g. "description": {"ecs*"}), or both.
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
