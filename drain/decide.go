package drain

import (
	"time"
)

// Class is what kind of task a task is, for draining.
type Class string

// The task classes of DESIGN.md §3.
const (
	ClassService    Class = "service"    // a REPLICA service task: ECS moves it
	ClassDaemon     Class = "daemon"     // a DAEMON service task: stops last
	ClassStandalone Class = "standalone" // RunTask/StartTask: runs to completion
)

// Task is a task on the draining instance as last observed.
type Task struct {
	ARN   string
	Class Class
	// Service is the service of a service or daemon task.
	Service                   string
	LastStatus, DesiredStatus string
	// StopTimeout is the time ECS gives the task between SIGTERM and
	// SIGKILL (its containers' stopTimeout, 30 s by default).
	StopTimeout time.Duration
}

// Stopped reports whether the task is observed STOPPED: the only proof a
// task is gone (a task asked to stop may run for its whole stop timeout).
func (t Task) Stopped() bool { return t.LastStatus == "STOPPED" }

func (t Task) askedToStop() bool { return t.DesiredStatus == "STOPPED" }

// Host is the EC2 state of the instance.
type Host string

// The EC2 states that matter to a drain.
const (
	HostRunning      Host = "running"
	HostShuttingDown Host = "shutting-down"
	HostTerminated   Host = "terminated"
)

// Gone reports whether the instance has already left for good.
func (h Host) Gone() bool { return h == HostShuttingDown || h == HostTerminated }

// Observation is everything Decide needs, read fresh by the caller.
type Observation struct {
	Now    time.Time
	Record Record
	Host   Host
	// Status is the container instance's ECS status ("ACTIVE", "DRAINING",
	// "INACTIVE"), "" when it is not registered.
	Status string
	Tasks  []Task
	// ActionPending reports whether the recorded lifecycle action is still
	// waiting (the instance is in Terminating:Wait). Its heartbeats are not
	// the look's business: they run on their own schedule
	// (NextHeartbeat).
	ActionPending bool
	// ReleasedAt is when drainer released the instance (completed its
	// lifecycle action or terminated it); zero before.
	ReleasedAt time.Time
	// AwaitingRegistration: a lifecycle action holds the instance but its
	// ECS agent has not registered (yet); RegisterBy is when it is given up
	// on (its launch plus the registration grace).
	AwaitingRegistration bool
	RegisterBy           time.Time
	// AgentDownSince is when the instance's ECS agent was first seen
	// disconnected (zero while connected): its tasks cannot stop by
	// themselves. AgentLost: drainer has deregistered the container
	// instance with force because the agent stayed away, and ServicesBack
	// says whether ECS has brought the services that had tasks there back
	// to their desired count elsewhere.
	AgentDownSince time.Time
	AgentLost      bool
	ServicesBack   bool
}

// Phase is where a drain stands.
type Phase string

// The phases.
const (
	// PhaseAwaiting: no container instance yet; the drain waits for the
	// instance's ECS agent to register, or for its registration grace to
	// end.
	PhaseAwaiting  Phase = "awaiting-registration"
	PhaseGraceful  Phase = "graceful"
	PhaseHard      Phase = "hard"
	PhaseReleasing Phase = "releasing"
	PhaseDone      Phase = "done"
)

// ActionKind is one thing the caller does for a drain.
type ActionKind string

// The actions, in the order Decide emits them.
const (
	ActSetDraining ActionKind = "set-draining"
	ActStopTask    ActionKind = "stop-task"
	// ActDeregister deregisters the container instance: after the release
	// when it is empty, before it (Force set) when tasks are still there
	// past the hard deadline.
	ActDeregister ActionKind = "deregister"
	// ActCompleteLifecycle completes the recorded action with CONTINUE.
	ActCompleteLifecycle ActionKind = "complete-lifecycle-action"
	// ActTerminate terminates the instance (no lifecycle action holds it).
	ActTerminate ActionKind = "terminate"
	// ActCleanup deletes the instance's leftover network interfaces and
	// writes the audit record, once the host is going.
	ActCleanup ActionKind = "cleanup"
)

// Action is one step to take.
type Action struct {
	Kind   ActionKind
	Task   string // for ActStopTask
	Reason string // for ActStopTask: the stoppedReason to give ECS
	Force  bool   // for ActDeregister
	// AgentLost (for ActDeregister): the agent stayed disconnected past
	// its grace; its tasks are lost and ECS is to replace the service ones.
	AgentLost bool
}

// Decision is what to do now and when to look again.
type Decision struct {
	Phase   Phase
	Actions []Action
	// Next is when to look again if nothing wakes the drain earlier; zero
	// once the drain is done.
	Next time.Time
	// Overdue is set when the drain is released with tasks still running
	// because its hard deadline has come.
	Overdue bool
}

// drainingSettles is how long after setting DRAINING a drain looks again:
// UpdateContainerInstancesState takes effect at once, but what ECS
// answers next may lag it by a moment.
const drainingSettles = time.Second

// Decide returns the next steps of a drain. It is a pure function of the
// observation and the policy.
func (p Policy) Decide(o Observation) Decision {
	r := o.Record
	if o.Host.Gone() || (!o.ReleasedAt.IsZero() && !o.Now.Before(o.ReleasedAt.Add(p.ReleaseWait))) {
		// The instance is leaving (drainer released it, or Spot, an
		// operator, EC2 itself ended it): what is left is to clean up
		// after it — the interfaces its tasks leave behind are available
		// only once it is going. An action of drainer's hook still pending
		// protects nothing any more: completing it keeps the hook from
		// timing out and the group from waiting on it.
		d := Decision{Phase: PhaseDone}
		if r.Held() && o.ActionPending {
			d.Actions = append(d.Actions, Action{Kind: ActCompleteLifecycle})
		}
		d.Actions = append(d.Actions, Action{Kind: ActCleanup})
		return d
	}
	if !o.ReleasedAt.IsZero() {
		d := Decision{Phase: PhaseReleasing, Next: o.Now.Add(p.ReleasePoll)}
		if r.Held() && o.ActionPending {
			// A lifecycle action learned after the release (terminating
			// the instance ran the group's hook): nothing is left on it.
			d.Actions = append(d.Actions, Action{Kind: ActCompleteLifecycle})
		}
		return d
	}
	if o.AwaitingRegistration {
		return p.decideAwaiting(o)
	}
	if o.AgentLost {
		return p.decideLost(o)
	}
	d := Decision{Phase: PhaseGraceful}
	if r.Reason == ReasonForced || !o.Now.Before(r.GracefulUntil) {
		d.Phase = PhaseHard
	}
	if o.Status == "ACTIVE" {
		// Until DRAINING takes effect ECS may still place tasks here, so
		// the tasks observed are not final: stopping a daemon task or
		// releasing an instance that looks empty could hit a task placed
		// meanwhile. Set DRAINING and look again once it has taken
		// effect.
		d.Actions = append(d.Actions, Action{Kind: ActSetDraining})
		d.Next = o.Now.Add(drainingSettles)
		return d
	}

	next := newNextLook(o.Now, o.Now.Add(p.FallbackPoll))
	soon := next.soon
	soon(r.GracefulUntil)
	soon(r.Deadline)

	if registered := o.Status != "" && o.Status != "INACTIVE"; registered && !o.AgentDownSince.IsZero() {
		// A disconnected agent stops no task: after its grace, the
		// container instance is deregistered with force so that ECS
		// places the service tasks elsewhere.
		lostAt := o.AgentDownSince.Add(p.AgentGrace)
		if !o.Now.Before(lostAt) {
			d.Actions = []Action{{Kind: ActDeregister, Force: true, AgentLost: true}}
			d.Next = o.Now
			return d
		}
		soon(lostAt)
	}

	live, nonDaemonLive := 0, 0
	for _, t := range o.Tasks {
		if t.Stopped() {
			continue
		}
		live++
		if t.Class != ClassDaemon {
			nonDaemonLive++
		}
	}
	stop := func(t Task, why string) {
		if !t.Stopped() && !t.askedToStop() {
			d.Actions = append(d.Actions, Action{Kind: ActStopTask, Task: t.ARN, Reason: why})
		}
	}
	for _, t := range o.Tasks {
		switch {
		case t.Class == ClassDaemon:
			// Daemon tasks go last, once nothing else is left running.
			if nonDaemonLive == 0 {
				stop(t, "drainer: daemon task stopped last on a draining instance")
			}
		case d.Phase == PhaseHard:
			stop(t, "drainer: hard deadline of the drain reached")
		case t.Class == ClassStandalone:
			switch p.Standalone {
			case StandaloneStop:
				stop(t, "drainer: standalone task stopped by policy on a draining instance")
			case StandaloneStopAtDeadline:
				at := r.GracefulUntil.Add(-t.StopTimeout)
				if !o.Now.Before(at) {
					stop(t, "drainer: standalone task stopped in time to finish before the drain deadline")
				} else {
					soon(at)
				}
			}
			// ClassService in the graceful phase: ECS moves it within the
			// service's deployment limits; drainer never stops it.
		}
	}

	if live == 0 || !o.Now.Before(r.Deadline) {
		d.Phase = PhaseReleasing
		d.Overdue = live > 0
		registered := o.Status != "" && o.Status != "INACTIVE"
		var release []Action
		if r.Held() {
			if o.ActionPending {
				release = append(release, Action{Kind: ActCompleteLifecycle})
			}
		} else {
			release = append(release, Action{Kind: ActTerminate})
		}
		switch {
		case !registered:
			d.Actions = append(d.Actions, release...)
		case d.Overdue:
			// Deregister first, with force: ECS then replaces the orphaned
			// service tasks elsewhere without waiting for the host to die.
			d.Actions = append(d.Actions, Action{Kind: ActDeregister, Force: true})
			d.Actions = append(d.Actions, release...)
		default:
			// Release first: deregistering deletes the drain's record (its
			// attributes), so a crash in between must leave the release
			// done, not the record gone with the action still pending.
			d.Actions = append(d.Actions, release...)
			d.Actions = append(d.Actions, Action{Kind: ActDeregister})
		}
		// Look again until the host is gone, then clean up after it.
		d.Next = o.Now.Add(p.ReleasePoll)
		return d
	}

	d.Next = next.at
	return d
}

// nextLook is the earliest time a drain must be looked at again.
type nextLook struct{ now, at time.Time }

func newNextLook(now, fallback time.Time) *nextLook { return &nextLook{now: now, at: fallback} }

// soon makes t the next look if it is in the future and sooner.
func (n *nextLook) soon(t time.Time) {
	if t.After(n.now) && t.Before(n.at) {
		n.at = t
	}
}

// decideLost decides for an instance whose lost agent drainer has
// deregistered: release it once ECS has brought the services that had
// tasks there back to their desired count, or at the end of the graceful
// phase (its tasks cannot be saved; they are reported lost).
func (p Policy) decideLost(o Observation) Decision {
	r := o.Record
	if o.ServicesBack || !o.Now.Before(r.GracefulUntil) {
		d := Decision{Phase: PhaseReleasing, Next: o.Now.Add(p.ReleasePoll)}
		if r.Held() {
			if o.ActionPending {
				d.Actions = append(d.Actions, Action{Kind: ActCompleteLifecycle})
			}
		} else {
			d.Actions = append(d.Actions, Action{Kind: ActTerminate})
		}
		return d
	}
	d := Decision{Phase: PhaseHard}
	next := newNextLook(o.Now, o.Now.Add(p.ReleasePoll))
	next.soon(r.GracefulUntil)
	d.Next = next.at
	return d
}

// decideAwaiting decides for an instance whose ECS agent has not
// registered: keep the lifecycle action alive while the agent may still
// register (a registration wakes the drain), release the instance once
// its registration grace or its hard deadline has come.
func (p Policy) decideAwaiting(o Observation) Decision {
	r := o.Record
	if !o.Now.Before(o.RegisterBy) || !o.Now.Before(r.Deadline) {
		d := Decision{Phase: PhaseReleasing, Next: o.Now.Add(p.ReleasePoll)}
		if r.Held() && o.ActionPending {
			d.Actions = append(d.Actions, Action{Kind: ActCompleteLifecycle})
		}
		return d
	}
	d := Decision{Phase: PhaseAwaiting}
	next := newNextLook(o.Now, o.Now.Add(p.FallbackPoll))
	next.soon(o.RegisterBy)
	next.soon(r.Deadline)
	d.Next = next.at
	return d
}
