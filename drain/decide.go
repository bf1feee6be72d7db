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
	ARN                       string
	Class                     Class
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
	// waiting (the instance is in Terminating:Wait); LastHeartbeat is when
	// drainer last extended it (zero if unknown, e.g. after a restart), and
	// HeartbeatTimeout the hook's heartbeat timeout.
	ActionPending    bool
	LastHeartbeat    time.Time
	HeartbeatTimeout time.Duration
	// ReleasedAt is when drainer released the instance (completed its
	// lifecycle action or terminated it); zero before.
	ReleasedAt time.Time
}

// Phase is where a drain stands.
type Phase string

// The phases.
const (
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
	ActHeartbeat   ActionKind = "heartbeat"
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

// Decide returns the next steps of a drain. It is a pure function of the
// observation and the policy.
func (p Policy) Decide(o Observation) Decision {
	r := o.Record
	if o.Host.Gone() || (!o.ReleasedAt.IsZero() && !o.Now.Before(o.ReleasedAt.Add(p.ReleaseWait))) {
		// The instance is leaving (drainer released it, or Spot, an
		// operator, EC2 itself ended it): what is left is to clean up
		// after it — the interfaces its tasks leave behind are available
		// only once it is going.
		return Decision{Phase: PhaseDone, Actions: []Action{{Kind: ActCleanup}}}
	}
	if !o.ReleasedAt.IsZero() {
		return Decision{Phase: PhaseReleasing, Next: o.Now.Add(p.ReleasePoll)}
	}
	d := Decision{Phase: PhaseGraceful}
	if r.Reason == ReasonForced || !o.Now.Before(r.GracefulUntil) {
		d.Phase = PhaseHard
	}
	if o.Status == "ACTIVE" {
		d.Actions = append(d.Actions, Action{Kind: ActSetDraining})
	}

	next := o.Now.Add(p.FallbackPoll)
	soon := func(t time.Time) {
		if t.After(o.Now) && t.Before(next) {
			next = t
		}
	}
	soon(r.GracefulUntil)
	soon(r.Deadline)

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

	if r.Held() && o.ActionPending && o.HeartbeatTimeout > 0 {
		// Heartbeat at half the timeout: one lost or slow call still leaves
		// time for the next before the hook gives up.
		due := o.LastHeartbeat.Add(o.HeartbeatTimeout / 2)
		if o.LastHeartbeat.IsZero() || !o.Now.Before(due) {
			d.Actions = append(d.Actions, Action{Kind: ActHeartbeat})
			due = o.Now.Add(o.HeartbeatTimeout / 2)
		}
		soon(due)
	}
	d.Next = next
	return d
}
