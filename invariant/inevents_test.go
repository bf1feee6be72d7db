package invariant

import (
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/ecs"
)

// The owner of the hook "owner" acts inside the world's events, as ECS's
// managed draining does: the tests act for it in events of their own
// (inEvent), which leave no call in the log.
var ownerInEvents = Options{OwnedHooks: []string{"owner"}, Caller: "nobody", InEvents: true}

// ownerHosts: the owner's hook (10 min heartbeats: a global expiry of
// 1000 min) on web hosts.
var ownerHosts = webHosts("[{name: owner, heartbeatTimeout: 10m, defaultResult: CONTINUE}]")

// inEvent runs f as an event of the world (no call), then lets the world
// run a second.
func inEvent(w *emulator.World, f func()) {
	w.Do(func() { w.Env.After(0, f) })
	w.Clock.RunFor(time.Second)
}

// completeInEvent completes the owner's action on id in an event.
func completeInEvent(t *testing.T, w *emulator.World, id string) {
	t.Helper()
	var err error
	inEvent(w, func() {
		_, err = w.AutoScaling.CompleteLifecycleAction(autoscaling.CompleteLifecycleActionInput{
			AutoScalingGroupName: "g", LifecycleHookName: "owner", InstanceId: id, LifecycleActionResult: "CONTINUE"})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestInEventsOwnerCompletesWithTasksRunning(t *testing.T) {
	w, c := build(t, ownerHosts, ownerInEvents)
	victim := scaleIn(t, w, "g")
	completeInEvent(t, w, victim)
	w.Clock.RunFor(2 * time.Minute) // the host goes, its tasks with it
	wantExactly(t, c.Violations(), 1, 7)
	for _, v := range c.Violations() {
		if v.Instance != victim || !strings.Contains(v.What, "owner") {
			t.Errorf("violation %v, want one on %s naming the owner's completion", v, victim)
		}
	}
}

// The same completion made by a call is not the owner's (it makes none).
func TestInEventsACallIsNotTheOwner(t *testing.T) {
	w, c := build(t, ownerHosts, ownerInEvents)
	victim := scaleIn(t, w, "g")
	complete(t, w, "operator", "g", "owner", victim, "CONTINUE")
	w.Clock.RunFor(2 * time.Minute)
	wantExactly(t, c.Violations())
}

// Without InEvents a completion in an event is nobody's.
func TestInEventsOffJudgesNoEvent(t *testing.T) {
	opts := ownerInEvents
	opts.InEvents = false
	w, c := build(t, ownerHosts, opts)
	victim := scaleIn(t, w, "g")
	completeInEvent(t, w, victim)
	w.Clock.RunFor(2 * time.Minute)
	wantExactly(t, c.Violations())
}

// The owner letting go of an empty instance breaks nothing.
func TestInEventsOwnerCompletesAnEmptyInstance(t *testing.T) {
	w, c := build(t, ownerHosts, ownerInEvents)
	victim := scaleIn(t, w, "g")
	// DRAINING (a call): ECS moves web elsewhere, then stops the daemon.
	call(t, w, "operator", w.ECS.UpdateContainerInstancesState, ecs.UpdateContainerInstancesStateInput{
		Cluster: "c", ContainerInstances: []string{containerInstanceOf(t, w, victim)}, Status: "DRAINING"})
	w.Clock.RunFor(5 * time.Minute)
	if left := tasksOn(w, victim); len(left) > 0 {
		t.Fatalf("tasks left: %v", left)
	}
	completeInEvent(t, w, victim)
	w.Clock.RunFor(2 * time.Minute)
	wantExactly(t, c.Violations())
}

// At the owned action's global expiry (the hard deadline of a drain
// nobody recorded) the instance goes with its tasks: a timeout (rule 4),
// neither rule 1 nor 7.
func TestInEventsTimeoutAtTheGlobalExpiry(t *testing.T) {
	w, c := build(t, webHosts("[{name: owner, heartbeatTimeout: 30s, defaultResult: CONTINUE}]"), ownerInEvents)
	victim := scaleIn(t, w, "g")
	start := w.Now()
	// Keep the action alive with heartbeats (in events) to its global
	// expiry, 50 minutes on.
	for i := 0; i < 200 && lifecycleState(w, victim) == autoscaling.StateTerminatingWait; i++ {
		inEvent(w, func() {
			w.AutoScaling.RecordLifecycleActionHeartbeat(autoscaling.RecordLifecycleActionHeartbeatInput{
				AutoScalingGroupName: "g", LifecycleHookName: "owner", InstanceId: victim})
		})
		w.Clock.RunFor(20 * time.Second)
	}
	w.Clock.RunFor(2 * time.Minute)
	if st := lifecycleState(w, victim); st == autoscaling.StateTerminatingWait {
		t.Fatalf("%s still in %s", victim, st)
	}
	wantExactly(t, c.Violations(), 4)
	if v := c.Violations()[0]; !strings.Contains(v.What, "timed out") || v.Time.Sub(start) < 49*time.Minute {
		t.Errorf("violation %v, want the timeout at the global expiry", v)
	}
}

// pinned: a service at 100/100 on both hosts of a group with the owner's
// hook.
const pinned = `
name: pinned
seed: 4
clusters: [{name: c}]
taskDefinitions:
  - {family: web, cpu: 256, memory: 512}
groups:
  - {name: g, cluster: c, min: 0, max: 3, desired: 2, hooks: [{name: owner, heartbeatTimeout: 10m, defaultResult: CONTINUE}]}
services:
  - {name: web, cluster: c, taskDefinition: web, desired: 2, minHealthyPercent: 100, maxPercent: 100}
`

// drainAndStop sets the instance DRAINING (a call), then stops one of its
// healthy web tasks with stop, and returns the violations.
func drainAndStop(t *testing.T, opts Options, stop func(w *emulator.World, task string)) []Violation {
	t.Helper()
	w, c := build(t, pinned, opts)
	w.Clock.RunFor(2 * time.Minute) // web healthy (40 s after RUNNING)
	victim := busyMember(t, w, "g")
	arn := containerInstanceOf(t, w, victim)
	call(t, w, "operator", w.ECS.UpdateContainerInstancesState, ecs.UpdateContainerInstancesStateInput{Cluster: "c", ContainerInstances: []string{arn}, Status: "DRAINING"})
	w.Clock.RunFor(time.Minute) // 100/100: nothing moves
	tasks := tasksOn(w, victim)
	if len(tasks) == 0 {
		t.Fatal("no web task on the DRAINING instance")
	}
	if got := w.ECS.HealthyCount("c", "web"); got != 2 {
		t.Fatalf("web healthy = %d before the stop, want 2", got)
	}
	stop(w, tasks[0])
	return c.Violations()
}

func TestInEventsRule3TheWorldStopsAPinnedServiceTask(t *testing.T) {
	vs := drainAndStop(t, ownerInEvents, func(w *emulator.World, task string) {
		inEvent(w, func() { w.ECS.StopTask(ecs.StopTaskInput{Cluster: "c", Task: task}) })
	})
	wantExactly(t, vs, 3)
	if !strings.Contains(vs[0].What, "below its minimum of 2") {
		t.Errorf("violation %v, want it to name the minimum", vs[0])
	}
}

func TestInEventsRule3NotTheOwnersWhenACallStopsIt(t *testing.T) {
	vs := drainAndStop(t, ownerInEvents, func(w *emulator.World, task string) {
		call(t, w, "operator", w.ECS.StopTask, ecs.StopTaskInput{Cluster: "c", Task: task})
		w.Clock.RunFor(time.Second)
	})
	wantExactly(t, vs)
}

func TestInEventsRule3OffWithoutInEvents(t *testing.T) {
	opts := ownerInEvents
	opts.InEvents = false
	vs := drainAndStop(t, opts, func(w *emulator.World, task string) {
		inEvent(w, func() { w.ECS.StopTask(ecs.StopTaskInput{Cluster: "c", Task: task}) })
	})
	wantExactly(t, vs)
}

// ECS's own managed draining, judged as the owner of its hook: a scale-in
// drained by ECS alone (50/200 moves) breaks nothing.
func TestInEventsECSManagedDrainingBreaksNothing(t *testing.T) {
	yaml := strings.Replace(webHosts("[]"), "hooks: []}", "hooks: [], capacityProvider: {name: cp, managedDraining: true}}", 1)
	yaml = strings.Replace(yaml, "desired: 4}", "desired: 4, minHealthyPercent: 50, maxPercent: 200}", 1)
	w, c := build(t, yaml, Options{OwnedHooks: []string{ecs.ManagedDrainingHook}, Caller: "nobody", InEvents: true})
	w.Clock.RunFor(2 * time.Minute)
	victim := scaleIn(t, w, "g")
	arn := containerInstanceOf(t, w, victim)
	w.Clock.RunFor(30 * time.Minute)
	// ECS drained it: nothing there stopped with the host.
	w.Do(func() {
		for _, tk := range w.ECS.TasksOn(arn) {
			if tk.StopCode == "TerminationNotice" {
				t.Errorf("task %s stopped with its host: %s", tk.TaskArn, tk.StoppedReason)
			}
		}
	})
	if st := lifecycleState(w, victim); st != "" && st != autoscaling.StateTerminated {
		t.Fatalf("%s is %s, want gone", victim, st)
	}
	wantExactly(t, c.Violations())
	if got := w.ECS.HealthyCount("c", "web"); got != 4 {
		t.Errorf("web healthy = %d after the drain, want 4", got)
	}
}
