package ecs

import "time"

// Work is what a task's own timings say it takes to start, become healthy
// and stop: the floor no drain can beat. Reports compare drains with it.
type Work struct {
	// Start is PROVISIONING → RUNNING; Healthy is RUNNING → healthy.
	Start, Healthy time.Duration
	// Deregister is the load balancer deregistration before SIGTERM (0
	// without a load balancer); Stop is SIGTERM → exit, capped by the stop
	// timeout; Deprovision is the ENI detach after it (awsvpc only).
	Deregister, Stop, Deprovision time.Duration
	// Run is how long the task runs by itself (0: until stopped).
	Run time.Duration
}

// Replace is the time a replacement takes to be started and healthy.
func (w Work) Replace() time.Duration { return w.Start + w.Healthy }

// Leave is the time from asking a running task to stop to STOPPED.
func (w Work) Leave() time.Duration { return w.Deregister + w.Stop + w.Deprovision }

// TaskWork returns the work of t, from its task definition's timings, its
// service's load balancer and its instance's agent, exactly as the
// emulator will play them.
func (s *Service) TaskWork(t *Task) Work {
	td := t.td
	w := Work{Start: td.timings.Start, Healthy: healthDelay(td, t.svc), Stop: min(td.timings.Stop, t.stopTimeout()), Run: td.timings.Run}
	if t.svc != nil && len(t.svc.LoadBalancers) > 0 {
		w.Deregister = s.opts.DeregistrationDelay
	}
	if t.eni != "" {
		w.Deprovision = time.Second
	}
	return w
}

// Health delays of a service task after RUNNING, before it counts toward
// minimumHealthyPercent.
const (
	// noCheckHealthDelay: "If a task has no essential containers with a
	// health check defined, the service scheduler will wait for 40
	// seconds after a task reaches a RUNNING state before the task is
	// counted towards the minimum healthy percent total"
	// (DeploymentConfiguration.minimumHealthyPercent, Amazon ECS API
	// Reference,
	// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html).
	noCheckHealthDelay = 40 * time.Second
	// loadBalancerHealthDelay is the emulator's stand-in for a target
	// group's health checks passing.
	loadBalancerHealthDelay = 30 * time.Second
)

// healthDelay is how long after RUNNING a task of td counts as healthy:
// its emulator.healthy label when given; else, for a service with a load
// balancer, the load balancer's health check (and the containers' own, if
// later); else the essential containers' health checks passing (one
// interval, see healthCheckDelay); else, for a service task, 40 s, as ECS
// documents; a standalone task without health checks has no health to
// wait for (0).
func healthDelay(td *TaskDefinition, svc *ECSService) time.Duration {
	switch {
	case td.hasHealthy:
		return td.timings.Healthy
	case svc != nil && len(svc.LoadBalancers) > 0:
		return max(loadBalancerHealthDelay, td.healthCheck)
	case td.healthCheck > 0:
		return td.healthCheck
	case svc != nil:
		return noCheckHealthDelay
	}
	return 0
}

// defaultStopTimeout is the agent's default stop timeout when nothing set
// another (see AgentStopTimeout).
const defaultStopTimeout = 30 * time.Second

// stopTimeout is how long the agent waits after SIGTERM before SIGKILL:
// the essential container's stopTimeout, else the instance agent's
// ECS_CONTAINER_STOP_TIMEOUT (ContainerDefinition.stopTimeout, Amazon ECS
// API Reference).
func (t *Task) stopTimeout() time.Duration {
	switch {
	case t.td.hasStop:
		return t.td.stopTimeout
	case t.ci != nil && t.ci.stopTimeout > 0:
		return t.ci.stopTimeout
	}
	return defaultStopTimeout
}
