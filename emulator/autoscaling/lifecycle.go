package autoscaling

import "time"

// InstanceRunning is called by the world when an EC2 instance is running:
// a Pending instance enters Pending:Wait when the group has launch hooks,
// otherwise InService.
func (s *Service) InstanceRunning(instanceID string) {
	in, ok := s.instances[instanceID]
	if !ok || in.state != StatePending {
		return
	}
	if s.startActions(in, TransitionLaunching) {
		s.setState(in, StatePendingWait)
		s.setActivity(in.act, ActivityMidLifecycleAction, 50)
		return
	}
	s.enterService(in)
}

// enterService puts a launched instance in service and finishes its launch
// activity.
func (s *Service) enterService(in *instance) {
	g := in.g
	if in.state == StatePendingWait {
		s.setState(in, StatePendingProceed)
	}
	in.inServiceAt = s.now()
	s.setState(in, StateInService)
	if a := in.act; a != nil {
		s.endActivity(a, ActivitySuccessful, "")
		s.notifyActivity(g, a, NotifyLaunch, "EC2 Instance Launch Successful", in.id)
		in.act = nil
	}
	// A capacity rebalance replacement in service lets the at-risk
	// instance go (through the termination hooks).
	if old := in.replaces; old != nil && old.outgoing == reasonRebalance && !old.terminating() {
		in.replaces, old.replacement = nil, nil
		if old.protected {
			// Protected since the recommendation: rebalancing never
			// terminates it, so it counts again.
			old.outgoing = ""
			s.reconcileSoon(g)
			return
		}
		s.beginTermination(old, reasonRebalance,
			causeAt(s.now(), "an instance was taken out of service in response to an EC2 instance rebalance recommendation.  Instance %s was launched to replace it.", in.id), true)
	}
	s.reconcileSoon(g)
}

// abandonLaunch terminates an instance whose launch hook was abandoned;
// AWS then launches a replacement.
func (s *Service) abandonLaunch(in *instance, token string) {
	if a := in.act; a != nil {
		s.endActivity(a, ActivityFailed, "Instance failed to complete user's Lifecycle Action: Lifecycle Action with token "+token+
			" was abandoned: Lifecycle Action Completed with ABANDON Result")
		s.notifyActivity(in.g, a, NotifyLaunchError, "EC2 Instance Launch Unsuccessful", in.id)
		in.act = nil
	}
	in.healthy = false
	s.beginTermination(in, reasonAbandon,
		causeAt(s.now(), "an instance was taken out of service in response to a launch lifecycle action that was abandoned.  Instance %s was selected for termination.", in.id), false)
}

// beginTermination takes an instance out of service: Terminating, then
// Terminating:Wait while termination hooks run (when runHooks), else
// straight on to Terminating:Proceed. The instance stops counting at once,
// so a replacement launches unless desired capacity was lowered.
func (s *Service) beginTermination(in *instance, reason, cause string, runHooks bool) {
	if in.terminating() {
		return
	}
	g := in.g
	s.clearActions(in)
	if a := in.act; a != nil { // a launch still in progress
		s.endActivity(a, ActivityCancelled, "The instance was terminated before it entered service.")
		in.act = nil
	}
	if old := in.replaces; old != nil {
		old.replacement, in.replaces = nil, nil
	}
	in.reason = reason
	in.act = s.newActivity(g, "Terminating EC2 instance: "+in.id, cause, in)
	s.setState(in, StateTerminating)
	if runHooks && s.startActions(in, TransitionTerminating) {
		s.setState(in, StateTerminatingWait)
		s.setActivity(in.act, ActivityMidLifecycleAction, 50)
	} else {
		s.proceedTermination(in)
	}
	s.reconcileSoon(g)
}

// proceedTermination asks EC2 to terminate the instance.
func (s *Service) proceedTermination(in *instance) {
	if in.state == StateTerminated || s.instances[in.id] != in {
		return
	}
	s.setState(in, StateTerminatingProceed)
	s.setActivity(in.act, ActivityInProgress, 70)
	if err := s.fleet.Terminate(in.id); err != nil {
		// EC2 no longer knows the instance: it is gone already.
		s.finishTermination(in)
	}
}

// InstanceTerminated is called by the world when an EC2 instance is gone.
// An instance Auto Scaling was terminating finishes its termination (a
// Spot instance still in Terminating:Wait loses its pending actions); one
// that EC2 terminated on its own is marked Unhealthy and replaced.
func (s *Service) InstanceTerminated(instanceID string) {
	in, ok := s.instances[instanceID]
	if !ok {
		return
	}
	if !in.terminating() {
		in.healthy = false
		s.beginTermination(in, reasonHealth,
			causeAt(s.now(), "an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped."), false)
		if s.instances[instanceID] != in {
			return // the fleet already reported it gone
		}
	}
	s.clearActions(in)
	s.finishTermination(in)
}

// finishTermination records the instance as Terminated and removes it.
func (s *Service) finishTermination(in *instance) {
	if s.instances[in.id] != in {
		return
	}
	g := in.g
	s.setState(in, StateTerminated)
	if a := in.act; a != nil {
		s.endActivity(a, ActivitySuccessful, "")
		s.notifyActivity(g, a, NotifyTerminate, "EC2 Instance Terminate Successful", in.id)
		in.act = nil
	}
	if r := in.replacement; r != nil {
		r.replaces, in.replacement = nil, nil
	}
	delete(s.instances, in.id)
	g.removeInstance(in)
	s.reconcileSoon(g)
}

// SpotInterruption is called by the world when EC2 warns that a Spot
// instance will be interrupted at terminateAt.
//
// With capacity rebalancing off, Auto Scaling does nothing now: it neither
// replaces the instance nor runs its termination hooks until EC2 has
// interrupted it and its health check fails (InstanceTerminated). With
// capacity rebalancing on, the interruption notice is a rebalance signal
// too: the instance is taken out of service at once (its termination hooks
// run inside the two minutes) and a replacement launches at once, or, when
// a replacement for a rebalance recommendation is already launching, the
// instance goes now without a second one. An instance protected from scale
// in is kept until the interruption itself, as rebalancing never terminates
// it.
//
// Source: "Use Capacity Rebalancing to handle Amazon EC2 Spot
// Interruptions" (https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-capacity-rebalancing.html):
// "When you don't use Capacity Rebalancing, Auto Scaling doesn't replace a
// Spot Instance until after the Amazon EC2 Spot service interrupts the
// instance and its health check fails."
func (s *Service) SpotInterruption(instanceID string, terminateAt time.Time) {
	in, ok := s.instances[instanceID]
	if !ok || in.terminating() || !in.g.capRebalance || !in.spot || in.protected {
		return
	}
	cause := causeAt(s.now(), "an instance was taken out of service in response to an EC2 Spot Instance interruption notice (the instance will be interrupted at %s).",
		terminateAt.UTC().Format(time.RFC3339))
	if rep := in.replacement; rep != nil {
		// Already being replaced for a rebalance recommendation: the
		// replacement keeps launching and the instance goes now.
		in.replacement, rep.replaces = nil, nil
	}
	in.outgoing = ""
	s.beginTermination(in, reasonSpot, cause, true)
}

// RebalanceRecommendation is called by the world when EC2 recommends
// rebalancing a Spot instance. With capacity rebalancing on, Auto Scaling
// launches a replacement and terminates the at-risk instance once the
// replacement is InService; an instance protected from scale in is left
// alone (DESIGN.md §4: a rebalance recommendation never terminates an
// instance protected from scale in; source as for SpotInterruption).
func (s *Service) RebalanceRecommendation(instanceID string) {
	in, ok := s.instances[instanceID]
	if !ok || !in.g.capRebalance || !in.spot || in.protected || in.outgoing != "" || !in.counted() {
		return
	}
	in.outgoing = reasonRebalance
	s.reconcileSoon(in.g)
}
