package invariant

import (
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/ec2"
	"github.com/drainer-dev/drainer/emulator/ecs"
)

func TestRule8CompletingAnotherTeamsHook(t *testing.T) {
	w, c := build(t, hooksWorld("10m", "10m"), Options{})
	victim := scaleIn(t, w, "g")
	complete(t, w, drainerCaller, "g", "other-team", victim, "CONTINUE")
	vs := c.Violations()
	wantExactly(t, vs, 8)
	if vs[0].Instance != victim || !strings.Contains(vs[0].What, "completed a lifecycle action of hook other-team") {
		t.Fatalf("violation = %s", vs[0])
	}
}

func TestRule8HeartbeatOfAnotherTeamsHook(t *testing.T) {
	w, c := build(t, hooksWorld("10m", "10m"), Options{})
	victim := scaleIn(t, w, "g")
	call(t, w, drainerCaller, w.AutoScaling.RecordLifecycleActionHeartbeat, autoscaling.RecordLifecycleActionHeartbeatInput{
		AutoScalingGroupName: "g", LifecycleHookName: "other-team", InstanceId: victim})
	vs := c.Violations()
	wantExactly(t, vs, 8)
	if !strings.Contains(vs[0].What, "sent a heartbeat for a lifecycle action of hook other-team") {
		t.Fatalf("violation = %s", vs[0])
	}
}

func TestRule8AbandoningAnotherTeamsHookByToken(t *testing.T) {
	w, c := build(t, hooksWorld("10m", "10m"), Options{})
	victim := scaleIn(t, w, "g")
	var token string
	w.Do(func() {
		for _, a := range w.AutoScaling.LifecycleActions(victim) {
			if a.LifecycleHookName == "other-team" {
				token = a.Token
			}
		}
	})
	call(t, w, drainerCaller, w.AutoScaling.CompleteLifecycleAction, autoscaling.CompleteLifecycleActionInput{
		AutoScalingGroupName: "g", LifecycleHookName: "other-team", LifecycleActionToken: token, LifecycleActionResult: "ABANDON"})
	// ABANDON skips the remaining hooks: drainer's hold ends by its own
	// call with the tasks still running, which rule 7 sees too.
	vs := c.Violations()
	wantExactly(t, vs, 7, 8)
	v := only(vs, 8)[0]
	if v.Instance != victim || !strings.Contains(v.What, "abandoned") {
		t.Fatalf("violation = %s, want the abandon named on %s", v, victim)
	}
}

func TestRule8RefusedCallsCountToo(t *testing.T) {
	w, c := build(t, hooksWorld("10m", "10m"), Options{})
	scaleIn(t, w, "g")
	// No action of that instance: AWS refuses, drainer still tried.
	_, err := emulator.Invoke(w, drainerCaller, w.AutoScaling.CompleteLifecycleAction, autoscaling.CompleteLifecycleActionInput{
		AutoScalingGroupName: "g", LifecycleHookName: "other-team", InstanceId: "i-0000000000000000f", LifecycleActionResult: "CONTINUE"})
	if err == nil {
		t.Fatal("the completion of no action was accepted")
	}
	wantExactly(t, c.Violations(), 8)
}

func TestRule8OwnedHookOfAGroupOutsideTheServedClusters(t *testing.T) {
	w, c := build(t, twoClusters, servesA)
	victim := scaleIn(t, w, "gb")
	complete(t, w, drainerCaller, "gb", "drainer", victim, "CONTINUE")
	vs := c.Violations()
	wantExactly(t, vs, 8) // gb's tasks die with the host, but gb is not drainer's: rule 7 stays silent
	if !strings.Contains(vs[0].What, "group gb, whose instances join no cluster it serves") {
		t.Fatalf("violation = %s", vs[0])
	}
}

// change is one call that changes something of cluster b's (or, for the
// mirror cases, a's): the world is twoClusters, side is "a" or "b".
type change struct {
	name string
	do   func(t *testing.T, w *emulator.World, caller, side string)
}

var changes = []change{
	{"UpdateContainerInstancesState", func(t *testing.T, w *emulator.World, caller, side string) {
		ci := containerInstanceOf(t, w, busyMember(t, w, "g"+side))
		call(t, w, caller, w.ECS.UpdateContainerInstancesState, ecs.UpdateContainerInstancesStateInput{Cluster: side, ContainerInstances: []string{ci}, Status: "DRAINING"})
	}},
	{"PutAttributes", func(t *testing.T, w *emulator.World, caller, side string) {
		ci := containerInstanceOf(t, w, busyMember(t, w, "g"+side))
		call(t, w, caller, w.ECS.PutAttributes, ecs.PutAttributesInput{Cluster: side, Attributes: []ecs.Attribute{
			{Name: "drainer.x", Value: ptr("1"), TargetType: "container-instance", TargetId: ci}}})
	}},
	{"DeleteAttributes", func(t *testing.T, w *emulator.World, caller, side string) {
		ci := containerInstanceOf(t, w, busyMember(t, w, "g"+side))
		call(t, w, "test", w.ECS.PutAttributes, ecs.PutAttributesInput{Cluster: side, Attributes: []ecs.Attribute{
			{Name: "team.x", Value: ptr("1"), TargetType: "container-instance", TargetId: ci}}})
		call(t, w, caller, w.ECS.DeleteAttributes, ecs.DeleteAttributesInput{Cluster: side, Attributes: []ecs.Attribute{
			{Name: "team.x", TargetType: "container-instance", TargetId: ci}}})
	}},
	{"DeregisterContainerInstance", func(t *testing.T, w *emulator.World, caller, side string) {
		ci := containerInstanceOf(t, w, busyMember(t, w, "g"+side))
		call(t, w, caller, w.ECS.DeregisterContainerInstance, ecs.DeregisterContainerInstanceInput{Cluster: side, ContainerInstance: ci, Force: ptr(true)})
	}},
	{"StopTask", func(t *testing.T, w *emulator.World, caller, side string) {
		task := tasksOn(w, busyMember(t, w, "g"+side))[0]
		// The task's ARN names its cluster; the request leaves the
		// cluster out as a careless caller would.
		_, _ = emulator.Invoke(w, caller, w.ECS.StopTask, ecs.StopTaskInput{Task: task, Reason: "drainer: test"})
	}},
	{"SetInstanceProtection", func(t *testing.T, w *emulator.World, caller, side string) {
		id := busyMember(t, w, "g"+side)
		call(t, w, caller, w.AutoScaling.SetInstanceProtection, autoscaling.SetInstanceProtectionInput{AutoScalingGroupName: "g" + side, InstanceIds: []string{id}, ProtectedFromScaleIn: ptr(true)})
	}},
	{"TerminateInstanceInAutoScalingGroup", func(t *testing.T, w *emulator.World, caller, side string) {
		id := busyMember(t, w, "g"+side)
		call(t, w, caller, w.AutoScaling.TerminateInstanceInAutoScalingGroup, autoscaling.TerminateInstanceInAutoScalingGroupInput{InstanceId: id, ShouldDecrementDesiredCapacity: ptr(false)})
	}},
	{"TerminateInstances", func(t *testing.T, w *emulator.World, caller, side string) {
		// An instance that is not terminating: nothing holds it.
		id := busyMember(t, w, "g"+side)
		call(t, w, caller, w.EC2.TerminateInstances, ec2.TerminateInstancesInput{InstanceIds: []string{id}})
	}},
}

func TestRule8ChangingAnotherClustersInstances(t *testing.T) {
	for _, ch := range changes {
		t.Run(ch.name, func(t *testing.T) {
			w, c := build(t, twoClusters, servesA)
			ch.do(t, w, drainerCaller, "b")
			w.Clock.RunFor(time.Second)
			vs := c.Violations()
			wantExactly(t, vs, 8)
			if len(vs) != 1 || vs[0].Instance == "" || !strings.Contains(vs[0].What, ch.name) {
				t.Fatalf("violations = %s, want one naming %s and the instance", rules(vs), ch.name)
			}
		})
	}
}

func TestRule8NotBrokenByTheSameChanges(t *testing.T) {
	for _, ch := range changes {
		for _, tc := range []struct {
			why          string
			caller, side string
			opts         Options
		}{
			{"drainer in a served cluster", drainerCaller, "a", servesA},
			{"another caller in b", "operator", "b", servesA},
			{"drainer serving every cluster", drainerCaller, "b", Options{}},
		} {
			t.Run(ch.name+"/"+tc.why, func(t *testing.T) {
				w, c := build(t, twoClusters, tc.opts)
				ch.do(t, w, tc.caller, tc.side)
				w.Clock.RunFor(time.Second)
				wantExactly(t, c.Violations())
			})
		}
	}
}
