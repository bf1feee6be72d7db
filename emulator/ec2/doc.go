// Package ec2 is the emulated Amazon EC2 of the drainer world: instance
// types, launch templates and their versions, instances moving through
// pending → running → shutting-down → terminated on the virtual clock, Spot
// interruption warnings and rebalance recommendations, and the elastic
// network interfaces of awsvpc tasks.
//
// Two surfaces share one state. The seams (Launch, Terminate, InterruptSpot,
// AttachNetworkInterface, the On* listener registrations, …) are what the
// sibling services use through the world. The API methods (DescribeInstances,
// CreateLaunchTemplate, DeleteNetworkInterface, …) mirror the EC2 query API
// member for member and answer AWS's error codes and messages; the wire
// front serves them.
//
// Like every emulated service it never locks and never starts goroutines:
// API methods run under the world lock (core.Env.Do) and delayed transitions
// are world events (core.Env.After).
//
// Ordering within one change is fixed: the state is applied first (on
// shutting-down the instance's interfaces are detached), then the listeners
// registered with OnStateChange / OnSpotInterruption /
// OnRebalanceRecommendation run in registration order, then the EventBridge
// event is emitted. Launch itself is a change from "" to pending. A change
// a listener asks for (Terminate, InterruptSpot, …) is applied once the
// current change's listeners and event are done, so listeners and events
// always see changes in the order they happened.
//
// The account has its default VPC (172.31.0.0/16) with a default subnet in
// each of the region's zones a, b and c; CreateVpc and CreateSubnet add
// more. Instances run in a subnet (the zone's default one unless told),
// launched by Auto Scaling (Launch) or by RunInstances. Every instance type
// EC2 offers is known with its vCPUs, memory and interface limit
// (instancetypes_gen.go, generated). Every API method honours DryRun.
//
// Simplifications: network interfaces other than those created with
// AttachNetworkInterface (primary interfaces) are not modelled, nor are
// security groups, route tables, gateways or subnet address exhaustion;
// private IP addresses come from a counter in 10.0.0.0/8 whatever the
// subnet; stopping, hibernation and reboots are not modelled; there is no
// IAM, so a dry run always answers DryRunOperation, never
// UnauthorizedOperation.
package ec2
