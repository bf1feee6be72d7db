// Package ecs emulates Amazon Elastic Container Service on EC2 for the
// drainer emulator: clusters, container instances registered by an emulated
// agent, task definitions, standalone tasks, services (REPLICA and DAEMON)
// and, above all, the service scheduler's behaviour when a container
// instance is set to DRAINING.
//
// Everything runs on the shared virtual clock of emulator/core. API methods
// are called by the world under its lock; tasks walk the real status
// sequence (PROVISIONING, PENDING, ACTIVATING, RUNNING, DEACTIVATING,
// STOPPING, DEPROVISIONING, STOPPED) through scheduled events, and every
// lastStatus or desiredStatus change is published as an "ECS Task State
// Change" event and reported to OnTaskChange observers.
//
// The service scheduler reconciles a service at the same virtual instant as
// any change that affects it (coalesced into one event), never by polling:
// replacements start while fewer than maximumPercent of the desired count
// are RUNNING or PENDING (a stopping task no longer counts, as AWS documents,
// though it holds its resources until STOPPED), and tasks that need replacing (on a DRAINING instance
// or from an old deployment) are stopped only while the healthy count stays
// at or above minimumHealthyPercent. A service task counts as healthy 40 s
// after RUNNING without a load balancer or health check, as ECS documents
// (see healthDelay). Daemon tasks on a draining instance stop only after
// every other task there has stopped; standalone tasks are never touched by
// draining. Task scale-in protection keeps a task from scale-in and
// deployments, not from draining (protection.go). Placement constraints
// (memberOf in the cluster query language of package query,
// distinctInstance) are evaluated at placement.
//
// Every EC2 instance runs an emulated agent that registers through
// RegisterContainerInstance, reading ECS_CLUSTER,
// ECS_ENABLE_SPOT_INSTANCE_DRAINING and ECS_CONTAINER_STOP_TIMEOUT from its
// user data; the API serves other agents too.
//
// Emulator-only timings travel in the docker labels of a task definition's
// first essential container (see Timings), so they survive the wire.
//
// Registered resources follow a fixed rule: CPU is vCPU × 1024 units and
// MEMORY is the host's MiB minus one sixteenth (MemoryMiB − MemoryMiB/16),
// standing in for what the OS and agent keep. awsvpc tasks are limited by the
// instance type's network interfaces (one is the host's own; no trunking).
//
// Capacity providers are stored and shown (managedTerminationProtection,
// managedDraining, managedScaling) and container instances carry their
// capacityProviderName. With Options.Groups set (a wired world), managed
// draining acts as ECS does: ECS's own termination hook on the group, the
// terminating instance set DRAINING and let go once empty or after 48 h;
// managed termination protection keeps scale-in protection on the group's
// instances that run non-daemon tasks and off the others (managed.go;
// IgnoreManagedProtection turns that off for one provider). Managed
// scaling is stored only.
package ecs
