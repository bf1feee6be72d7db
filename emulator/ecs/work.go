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

// TaskWork returns the work of t, from its task definition's timings and
// its service's load balancer, exactly as the emulator will play them.
func (s *Service) TaskWork(t *Task) Work {
	td := t.td
	w := Work{Start: td.timings.Start, Healthy: td.timings.Healthy, Stop: min(td.timings.Stop, td.stopTimeout), Run: td.timings.Run}
	lb := t.svc != nil && len(t.svc.LoadBalancers) > 0
	if !td.hasHealthy {
		w.Healthy = 0
		if lb {
			w.Healthy = 30 * time.Second
		}
	}
	if lb {
		w.Deregister = s.opts.DeregistrationDelay
	}
	if t.eni != "" {
		w.Deprovision = time.Second
	}
	return w
}
