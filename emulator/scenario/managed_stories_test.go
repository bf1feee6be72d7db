package scenario

import (
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/ecs"
)

// managedScenario is a group whose capacity provider has ECS's managed
// draining and managed termination protection, ECS acting on both.
const managedScenario = `
name: managed
seed: 3
clusters: [{name: c}]
taskDefinitions:
  - {family: worker, cpu: 512, memory: 1024, start: 10s, stop: 5s}
  - {family: agent, cpu: 64, memory: 128}
groups:
  - name: g
    cluster: c
    min: 0
    max: 4
    desired: 2
    capacityProvider: {name: cp, managedTerminationProtection: true, managedDraining: true}
services:
  - {name: agent, cluster: c, taskDefinition: agent, daemon: true}
  - {name: worker, cluster: c, taskDefinition: worker, desired: 2, minHealthyPercent: 0, maxPercent: 100}
timeline:
  - {at: 10m, action: update-service, cluster: c, service: worker, count: 0}
  - {at: 20m, action: set-desired, group: g, count: 0}
`

// ECS protects the instances its worker tasks run on; once only daemon
// tasks are left it removes the protection, and the scale-in to 0 goes
// through ECS's own termination hook.
func TestStoryECSManagedProtectionAndDraining(t *testing.T) {
	run := play(t, managedScenario)
	w := run.World
	hooks, err := emulator.Invoke(w, "test", w.AutoScaling.DescribeLifecycleHooks, autoscaling.DescribeLifecycleHooksInput{AutoScalingGroupName: "g"})
	if err != nil || len(hooks.LifecycleHooks) != 1 || hooks.LifecycleHooks[0].LifecycleHookName != ecs.ManagedDrainingHook {
		t.Fatalf("hooks %+v (%v), want ECS's", hooks, err)
	}
	protected := func() (n int) {
		for _, i := range groupInstances(t, w, "g") {
			if i.ProtectedFromScaleIn {
				n++
			}
		}
		return n
	}
	w.Clock.RunFor(9 * time.Minute)
	busy := 0
	for _, i := range groupInstances(t, w, "g") {
		if liveTasksOn(w, i.InstanceId) > 1 { // more than the daemon task
			busy++
		}
	}
	if busy == 0 || protected() != busy {
		t.Fatalf("%d instances run worker tasks, %d protected", busy, protected())
	}
	w.Clock.RunFor(5 * time.Minute)
	if n := protected(); n != 0 {
		t.Fatalf("%d instances still protected with only daemon tasks left", n)
	}
	w.Clock.RunFor(15 * time.Minute)
	if got := groupInstances(t, w, "g"); len(got) != 0 {
		t.Fatalf("after the scale-in to 0: %+v", got)
	}
}

// ecsProtects: false keeps ECS from acting on the provider's managed
// termination protection: the setting is stored, and no instance is
// protected while the worker tasks run.
func TestStoryECSProtectsFalseLeavesProtectionAlone(t *testing.T) {
	run := play(t, strings.Replace(managedScenario, "managedDraining: true}", "managedDraining: true, ecsProtects: false}", 1))
	w := run.World
	w.Clock.RunFor(9 * time.Minute)
	busy := 0
	for _, i := range groupInstances(t, w, "g") {
		if liveTasksOn(w, i.InstanceId) > 1 {
			busy++
		}
		if i.ProtectedFromScaleIn {
			t.Errorf("%s protected with ecsProtects: false", i.InstanceId)
		}
	}
	if busy == 0 {
		t.Fatal("no instance runs a worker task")
	}
	cps, err := emulator.Invoke(w, "test", w.ECS.DescribeCapacityProviders, ecs.DescribeCapacityProvidersInput{CapacityProviders: []string{"cp"}})
	if err != nil || len(cps.CapacityProviders) != 1 || cps.CapacityProviders[0].AutoScalingGroupProvider.ManagedTerminationProtection != "ENABLED" {
		t.Fatalf("provider %+v (%v), want managed termination protection stored ENABLED", cps, err)
	}
}
