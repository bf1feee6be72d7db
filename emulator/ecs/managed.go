package ecs

import (
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/drainer-dev/drainer/clock"
)

// Managed instance draining and managed termination protection, as ECS
// does them for an Auto Scaling group capacity provider.
//
// Managed instance draining ("Safely stop Amazon ECS workloads running on
// EC2 instances",
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-instance-draining.html):
// ECS puts its own termination lifecycle hook on the provider's group
// (ManagedDrainingHook, shown as the capacity provider attachment detail
// autoScalingLifecycleHookName in
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/enable-managed-instance-draining.html);
// when an instance of the group is terminating ECS sets its container
// instance DRAINING, and "the container instance remains in the DRAINING
// state until either all tasks are stopped or 48 hours has passed. Daemon
// tasks are the last to stop after all replica tasks have stopped."
// Standalone tasks are not stopped: ECS waits for them. Several termination
// hooks run in parallel, and the group waits for all of them.
//
// Managed termination protection ("Control the instances Amazon ECS
// terminates",
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-termination-protection.html):
// "Amazon ECS only terminates EC2 instances that don't have any running
// Amazon ECS tasks"; ECS keeps scale-in protection on instances running
// tasks and, "when all non-daemon tasks are stopped on an instance", turns
// it off so the group can terminate the instance; daemon tasks are
// ignored. The emulator's ECS does so for every capacity provider whose
// managedTerminationProtection is ENABLED (which needs managed scaling),
// whether it was created so or updated to it, unless
// IgnoreManagedProtection says otherwise.
const (
	// ManagedDrainingHook is the name of ECS's termination hook.
	ManagedDrainingHook = "ecs-managed-draining-termination-hook"

	// ManagedDrainingHeartbeat is the hook's HeartbeatTimeout and
	// ManagedDrainingDefaultResult its DefaultResult. AWS's pages do not
	// state them; these are the values the hook ECS creates is reported to
	// carry by its users (3600 s, CONTINUE).
	ManagedDrainingHeartbeat     = 3600 * time.Second
	ManagedDrainingDefaultResult = "CONTINUE"

	// ManagedDrainingHeartbeatEvery is how often ECS records a heartbeat
	// for an instance it is draining, and ManagedDrainingReaction how long
	// after the instance enters Terminating:Wait ECS sets it DRAINING (it
	// learns of the lifecycle action through EventBridge). AWS documents
	// neither; the emulator chooses half the heartbeat timeout and 5 s.
	// The lifecycle action's global timeout (48 h for this hook) ends the
	// wait, with the hook's default result, when tasks never stop.
	ManagedDrainingHeartbeatEvery = ManagedDrainingHeartbeat / 2
	ManagedDrainingReaction       = 5 * time.Second
)

// Groups is the Auto Scaling side of managed draining and managed
// termination protection (the Auto Scaling emulator in a wired world).
// Groups are named by ARN, instances by EC2 instance id; errors are Auto
// Scaling's own (an action already completed answers an error).
type Groups interface {
	// PutTerminationHook creates or updates a termination lifecycle hook
	// without a notification target.
	PutTerminationHook(groupARN, hook string, heartbeat time.Duration, defaultResult string) error
	// RecordHeartbeat and CompleteAction act on the instance's pending
	// lifecycle action of hook.
	RecordHeartbeat(groupARN, hook, ec2InstanceID string) error
	CompleteAction(groupARN, hook, ec2InstanceID, result string) error
	// DeleteTerminationHook removes a lifecycle hook from a group.
	DeleteTerminationHook(groupARN, hook string) error
	// SetScaleInProtection sets or clears an instance's scale-in protection.
	SetScaleInProtection(groupARN, ec2InstanceID string, protected bool) error
}

// managedDrain is ECS's hold on one terminating instance.
type managedDrain struct {
	groupARN  string
	heartbeat clock.Timer
	checking  bool
	done      bool
}

// managedProvider returns the capacity provider of an Auto Scaling group,
// or nil.
func (s *Service) managedProvider(groupARN string) *CapacityProvider {
	if groupARN == "" {
		return nil
	}
	for _, cp := range s.cps {
		if cp.AutoScalingGroupProvider.AutoScalingGroupArn == groupARN {
			return cp
		}
	}
	return nil
}

// putManagedHook adds ECS's termination hook to a new capacity provider's
// group when managed draining is on. A group Auto Scaling does not know
// keeps the provider without the hook (the emulator's ECS does not check
// that the group exists), and the failure is logged.
func (s *Service) putManagedHook(cp *CapacityProvider) {
	p := cp.AutoScalingGroupProvider
	if s.opts.Groups == nil || p.ManagedDraining != "ENABLED" {
		return
	}
	if err := s.opts.Groups.PutTerminationHook(p.AutoScalingGroupArn, ManagedDrainingHook,
		ManagedDrainingHeartbeat, ManagedDrainingDefaultResult); err != nil {
		slog.Warn("ecs: managed draining hook not created", "capacityProvider", cp.Name, "err", err)
	}
}

// dropManagedHook ends managed draining on a provider's group: ECS lets go
// of the instances it holds (CONTINUE) and removes its termination hook.
// Failures are logged: the group may be gone.
func (s *Service) dropManagedHook(cp *CapacityProvider) {
	arn := cp.AutoScalingGroupProvider.AutoScalingGroupArn
	if s.opts.Groups == nil {
		return
	}
	for _, hs := range s.groupHosts(arn) {
		md := hs.drain
		if md == nil || md.done || md.groupARN != arn {
			continue
		}
		md.done = true
		if md.heartbeat != nil {
			md.heartbeat.Stop()
		}
		if err := s.opts.Groups.CompleteAction(arn, ManagedDrainingHook, hs.info.EC2InstanceID, "CONTINUE"); err != nil {
			slog.Debug("ecs: managed draining action already over", "instance", hs.info.EC2InstanceID, "err", err)
		}
	}
	if err := s.opts.Groups.DeleteTerminationHook(arn, ManagedDrainingHook); err != nil {
		slog.Warn("ecs: managed draining hook not removed", "capacityProvider", cp.Name, "err", err)
	}
}

// groupHosts returns the hosts of an Auto Scaling group, by EC2 instance
// id, so that what ECS does to them happens in a reproducible order.
func (s *Service) groupHosts(groupARN string) []*host {
	var out []*host
	for _, hs := range s.hosts {
		if hs.info.AutoScalingGroupARN == groupARN {
			out = append(out, hs)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].info.EC2InstanceID < out[j].info.EC2InstanceID })
	return out
}

// InstanceTerminating tells ECS that an instance of an Auto Scaling group
// entered Terminating:Wait. When the group's capacity provider has managed
// draining on, ECS sets the instance's container instance DRAINING after
// ManagedDrainingReaction, records a heartbeat every
// ManagedDrainingHeartbeatEvery, and completes its hook's action with
// CONTINUE once no task there is live (or at once when the instance has
// no registered container instance).
func (s *Service) InstanceTerminating(ec2ID, groupARN string) {
	cp := s.managedProvider(groupARN)
	if s.opts.Groups == nil || cp == nil || cp.AutoScalingGroupProvider.ManagedDraining != "ENABLED" {
		return
	}
	hs := s.hosts[ec2ID]
	if hs == nil {
		// No agent ever ran there: nothing to drain.
		hs = &host{info: HostInfo{EC2InstanceID: ec2ID, AutoScalingGroupARN: groupARN}, gone: true}
	}
	if hs.drain != nil && !hs.drain.done {
		return
	}
	md := &managedDrain{groupARN: groupARN}
	hs.drain = md
	s.env.After(ManagedDrainingReaction, func() {
		if md.done {
			return
		}
		if ci := hs.ci; ci != nil && ci.Status == "ACTIVE" {
			s.setCIState(ci, func() { ci.Status = "DRAINING" })
		}
		s.managedHeartbeat(hs, md)
		s.managedCheck(hs, md)
	})
}

// managedHeartbeat arms the next heartbeat of a managed drain.
func (s *Service) managedHeartbeat(hs *host, md *managedDrain) {
	md.heartbeat = s.env.After(ManagedDrainingHeartbeatEvery, func() {
		if md.done {
			return
		}
		if err := s.opts.Groups.RecordHeartbeat(md.groupARN, ManagedDrainingHook, hs.info.EC2InstanceID); err != nil {
			// The action is over (its global timeout, or someone
			// else completed it): ECS stops holding the instance.
			md.done = true
			return
		}
		s.managedHeartbeat(hs, md)
	})
}

// managedCheck completes ECS's lifecycle action when the instance has no
// live task left; it runs as its own event, so Auto Scaling never acts in
// the middle of an ECS state change.
func (s *Service) managedCheck(hs *host, md *managedDrain) {
	if md.done || md.checking {
		return
	}
	md.checking = true
	s.env.After(0, func() {
		md.checking = false
		if md.done || liveOn(hs.ci) > 0 {
			return
		}
		md.done = true
		if md.heartbeat != nil {
			md.heartbeat.Stop()
		}
		if err := s.opts.Groups.CompleteAction(md.groupARN, ManagedDrainingHook, hs.info.EC2InstanceID, "CONTINUE"); err != nil {
			slog.Debug("ecs: managed draining action already over", "instance", hs.info.EC2InstanceID, "err", err)
		}
	})
}

// liveOn is the number of tasks not STOPPED on a container instance (0 for
// none or an INACTIVE one).
func liveOn(ci *ContainerInstance) int {
	if ci == nil || ci.Status == "INACTIVE" {
		return 0
	}
	n := 0
	for _, t := range ci.tasks {
		if t.live() {
			n++
		}
	}
	return n
}

// managedTaskChanged reacts to a task on ci being placed or stopped:
// managed draining may complete, managed termination protection may change.
func (s *Service) managedTaskChanged(ci *ContainerInstance) {
	if s.opts.Groups == nil {
		return
	}
	hs := s.hosts[ci.Host.EC2InstanceID]
	if hs == nil {
		return
	}
	if hs.drain != nil && !hs.drain.done && hs.ci == ci {
		s.managedCheck(hs, hs.drain)
	}
	s.managedProtection(hs)
}

// IgnoreManagedProtection makes ECS store one capacity provider's managed
// termination protection without acting on it: scale-in protection is
// left to whoever else keeps it (drainer's protection scan, in simulations
// that show that scan alone). AWS has no such switch. An unknown name is
// an error.
func (s *Service) IgnoreManagedProtection(capacityProvider string) error {
	cp := s.cpByName[capacityProvider]
	if cp == nil {
		return fmt.Errorf("capacity provider %s does not exist", capacityProvider)
	}
	cp.ignoreProtection = true
	return nil
}

// protects reports whether ECS keeps the scale-in protection of a host:
// its group's capacity provider has managed termination protection on and
// is not ignored.
func (s *Service) protects(hs *host) bool {
	cp := s.managedProvider(hs.info.AutoScalingGroupARN)
	return cp != nil && !cp.ignoreProtection && cp.AutoScalingGroupProvider.ManagedTerminationProtection == "ENABLED"
}

// protectGroup brings the protection of every instance of a provider's
// group in line when managed termination protection is turned on (at
// creation or by an update): ECS forgets what it set earlier and sets
// each instance's protection anew.
func (s *Service) protectGroup(cp *CapacityProvider) {
	if s.opts.Groups == nil {
		return
	}
	for _, hs := range s.groupHosts(cp.AutoScalingGroupProvider.AutoScalingGroupArn) {
		hs.protectedSet = false
		s.managedProtection(hs)
	}
}

// managedProtection keeps the instance's scale-in protection on while a
// non-daemon task is live there and off otherwise, when ECS protects its
// group (protects). The change is made as its own event, checked again
// then (the setting may have changed since); a refusal (an instance not
// InService) leaves the protection to the next change. ECS remembers what
// it set and calls Auto Scaling only when that changes, so protection
// someone else changed in between is left alone until then.
func (s *Service) managedProtection(hs *host) {
	if s.opts.Groups == nil || hs.protecting || !s.protects(hs) {
		return
	}
	hs.protecting = true
	s.env.After(0, func() {
		hs.protecting = false
		if hs.gone || hs.ci == nil || !s.protects(hs) {
			return
		}
		want := hs.ci.nonDaemonLive > 0 && hs.ci.Status != "INACTIVE"
		if hs.protectedSet && hs.protected == want {
			return
		}
		if err := s.opts.Groups.SetScaleInProtection(hs.info.AutoScalingGroupARN, hs.info.EC2InstanceID, want); err != nil {
			slog.Debug("ecs: managed termination protection not set", "instance", hs.info.EC2InstanceID, "err", fmt.Errorf("protect %v: %w", want, err))
			return
		}
		hs.protected, hs.protectedSet = want, true
	})
}
