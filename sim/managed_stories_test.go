package sim

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/ec2"
	"github.com/drainer-dev/drainer/emulator/ecs"
	"github.com/drainer-dev/drainer/emulator/scenario"
)

// drainer's hook and ECS's managed draining hook on one group: a scale-in
// is held by both; drainer drains and completes its own action only, ECS
// completes its own once the instance is empty, and the instance goes only
// after both.
func TestDrainerAndECSManagedDrainingShareAGroup(t *testing.T) {
	yaml := strings.Replace(strings.Replace(cluster, "SPOT", "0", 1),
		"hooks: [{name: drainer, heartbeatTimeout: 5m, defaultResult: ABANDON, queue: drainer}]",
		"hooks: [{name: drainer, heartbeatTimeout: 5m, defaultResult: ABANDON, queue: drainer}]\n    capacityProvider: {name: prod-cp, managedDraining: true}", 1)
	sc, err := scenario.ParseYAML([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	two := 2
	sc.Timeline = []scenario.Step{{At: at(10 * time.Minute), Action: scenario.ActionSetDesired, Group: "prod-asg", Count: &two}}
	h, err := New(sc, Options{Queue: "drainer"})
	if err != nil {
		t.Fatal(err)
	}
	w := h.World

	// Drainer must never act on ECS's hook's action.
	var foreign []string
	w.Calls.OnCall(func(c emulator.Call) {
		if c.Caller != Caller {
			return
		}
		switch in := w.Calls.LastInput().(type) {
		case autoscaling.CompleteLifecycleActionInput:
			if in.LifecycleHookName == ecs.ManagedDrainingHook {
				foreign = append(foreign, c.Operation+" "+in.LifecycleActionResult+" "+in.InstanceId)
			}
		case autoscaling.RecordLifecycleActionHeartbeatInput:
			if in.LifecycleHookName == ecs.ManagedDrainingHook {
				foreign = append(foreign, c.Operation+" "+in.InstanceId)
			}
		}
	})
	// What held each terminating instance, and when each hold ended.
	type hold struct {
		both               bool      // both actions pending at once
		ecsEnd, drainerEnd time.Time // when each action was last seen pending
		left               time.Time // when the instance left Terminating:Wait
		ciDraining         bool
	}
	holds := map[string]*hold{}
	w.Env.OnEvent(func() {
		for _, name := range w.AutoScaling.GroupNames() {
			out, _ := w.AutoScaling.DescribeAutoScalingGroups(autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{name}})
			for _, g := range out.AutoScalingGroups {
				for _, in := range g.Instances {
					hd := holds[in.InstanceId]
					if in.LifecycleState != autoscaling.StateTerminatingWait {
						if hd != nil && hd.left.IsZero() {
							hd.left = w.Now()
						}
						continue
					}
					if hd == nil {
						hd = &hold{}
						holds[in.InstanceId] = hd
					}
					acts := w.AutoScaling.LifecycleActions(in.InstanceId)
					var ecsHeld, drainerHeld bool
					for _, a := range acts {
						ecsHeld = ecsHeld || a.LifecycleHookName == ecs.ManagedDrainingHook
						drainerHeld = drainerHeld || a.LifecycleHookName == "drainer"
					}
					hd.both = hd.both || ecsHeld && drainerHeld
					if ecsHeld {
						hd.ecsEnd = w.Now()
					}
					if drainerHeld {
						hd.drainerEnd = w.Now()
					}
					if ci := w.ECS.ContainerInstanceByEC2(in.InstanceId); ci != nil && ci.Status == "DRAINING" {
						hd.ciDraining = true
					}
				}
			}
		}
	})

	start := w.Now()
	if !h.RunUntil(start.Add(3*time.Hour), func() bool { return len(events(h, drain.EventCompleted)) == 2 }) {
		t.Fatalf("2 drains not completed within 3 h; events: %+v", h.Events)
	}
	h.RunFor(10 * time.Minute)
	checkClean(t, h)
	if len(foreign) > 0 {
		t.Errorf("drainer acted on ECS's hook: %v", foreign)
	}
	if len(holds) != 2 {
		t.Fatalf("%d instances held, want the 2 scaled in", len(holds))
	}
	for id, hd := range holds {
		t.Logf("%s: drainer held until %v, ECS until %v, left Terminating:Wait at %v (after the scale-in)", id, hd.drainerEnd.Sub(start.Add(10*time.Minute)), hd.ecsEnd.Sub(start.Add(10*time.Minute)), hd.left.Sub(start.Add(10*time.Minute)))
		if !hd.both {
			t.Errorf("%s: never held by both hooks at once", id)
		}
		if !hd.ciDraining {
			t.Errorf("%s: container instance never DRAINING", id)
		}
		if hd.left.IsZero() || hd.left.Before(hd.ecsEnd) || hd.left.Before(hd.drainerEnd) {
			t.Errorf("%s left Terminating:Wait at %v, ECS's hold last seen %v, drainer's %v", id, hd.left, hd.ecsEnd, hd.drainerEnd)
		}
		// ECS let go when the instance was empty, long before its hook's
		// heartbeat timeout would have.
		if took := hd.ecsEnd.Sub(start.Add(10 * time.Minute)); took >= time.Hour {
			t.Errorf("%s: ECS held it %v", id, took)
		}
		if inst, _ := w.EC2.Instance(id); inst.State != ec2.StateTerminated {
			t.Errorf("%s is %s, want terminated", id, inst.State)
		}
	}
	for _, ev := range events(h, drain.EventCompleted) {
		if ev.Reason != drain.ReasonLifecycle || ev.Overdue {
			t.Errorf("drain %+v, want a lifecycle drain in time", ev)
		}
	}
	if got := w.ECS.HealthyCount("prod", "web"); got != 6 {
		t.Errorf("web healthy after the scale-in = %d, want 6", got)
	}
}

// Case 07 behind a capacity provider with managed termination protection
// and managed draining: ECS keeps scale-in protection itself and drainer's
// protection scan keeps it too. The two agree (protected while non-daemon
// tasks run), so neither undoes the other: each instance's protection
// changes at most twice (set when its first task comes — or when it
// starts, protectNewInstances — and removed when only daemon tasks are
// left). The scale-in to 2 takes the daemon-only hosts, and nothing breaks
// an invariant.
func TestDrainerAndECSBothKeepProtection(t *testing.T) {
	sc, err := scenario.Load(filepath.Join("testdata", "cases", "07-daemon-only-hosts-lose-protection.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sc.Groups[0].CapacityProvider = &scenario.CapacityProvider{Name: "cp", ManagedTerminationProtection: true, ManagedDraining: true}
	h, err := New(sc, Options{Queue: "drainer"})
	if err != nil {
		t.Fatal(err)
	}
	w := h.World
	last, flips := map[string]bool{}, map[string]int{}
	w.Env.OnEvent(func() {
		out, _ := w.AutoScaling.DescribeAutoScalingGroups(autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"g"}})
		for _, g := range out.AutoScalingGroups {
			for _, in := range g.Instances {
				if p, seen := last[in.InstanceId]; seen && p != in.ProtectedFromScaleIn {
					flips[in.InstanceId]++
				}
				last[in.InstanceId] = in.ProtectedFromScaleIn
			}
		}
	})
	h.RunFor(sc.End() + 3*time.Hour)
	checkClean(t, h)
	if n := len(events(h, drain.EventCompleted)); n != 2 {
		t.Errorf("%d drains completed, want the scale-in's 2", n)
	}
	in := 0
	for _, id := range groupInstanceIDs(h, "g") {
		if inst, _ := h.World.EC2.Instance(id); inst.State == ec2.StateRunning {
			in++
		}
	}
	if in != 2 {
		t.Errorf("%d instances running after the scale-in to 2", in)
	}
	for id, n := range flips {
		if n > 2 {
			t.Errorf("%s: protection changed %d times, want at most 2 (ECS and drainer undoing each other)", id, n)
		}
	}
	t.Logf("protection changes by instance: %v; drainer's SetInstanceProtection calls: %d", flips, callsBy(h, "autoscaling", "SetInstanceProtection"))
}

// groupInstanceIDs lists the instances of a group.
func groupInstanceIDs(h *Harness, group string) (ids []string) {
	res, _ := emulator.Invoke(h.World, "test", h.World.AutoScaling.DescribeAutoScalingGroups, autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{group}})
	for _, i := range res.AutoScalingGroups[0].Instances {
		ids = append(ids, i.InstanceId)
	}
	return ids
}
