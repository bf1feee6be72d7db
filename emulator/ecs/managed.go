package ecs

import (
	"fmt"
	"log/slog"
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
// ECS keeps scale-in protection on instances running tasks and, "when all
// non-daemon tasks are stopped on an instance", turns it off so the group
// can terminate the instance; daemon tasks are ignored.
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

// ActOnManagedProtection makes ECS keep scale-in protection itself for one
// capacity provider, as Options.ManagedProtection does for all; an unknown
// name is an error.
func (s *Service) ActOnManagedProtection(capacityProvider string) error {
	cp := s.cpByName[capacityProvider]
	if cp == nil {
		return fmt.Errorf("capacity provider %s does not exist", capacityProvider)
	}
	cp.ecsProtects = true
	return nil
}

// managedProtection keeps the instance's scale-in protection on while a
// non-daemon task is live there and off otherwise, when its group's
// capacity provider has managed termination protection (which requires
// managed scaling) and Options.ManagedProtection or ActOnManagedProtection
// says ECS acts on it. The change is made as its own event; a refusal (an
// instance not InService) leaves the protection to the next change.
func (s *Service) managedProtection(hs *host) {
	cp := s.managedProvider(hs.info.AutoScalingGroupARN)
	if cp == nil || !s.opts.ManagedProtection && !cp.ecsProtects || cp.AutoScalingGroupProvider.ManagedTerminationProtection != "ENABLED" || hs.protecting {
		return
	}
	hs.protecting = true
	s.env.After(0, func() {
		hs.protecting = false
		if hs.gone || hs.ci == nil {
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
