package invariant

import (
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/ecs"
	"github.com/drainer-dev/drainer/emulator/scenario"
)

const world = `
name: invariants
seed: 4
clusters: [{name: c}]
taskDefinitions:
  - {family: web, cpu: 256, memory: 512}
  - {family: agent, memory: 64}
groups:
  - name: g
    cluster: c
    min: 0
    max: 3
    desired: 2
    hooks: [{name: drain-hook, heartbeatTimeout: 60s, defaultResult: CONTINUE}]
services:
  - {name: web, cluster: c, taskDefinition: web, desired: 4}
  - {name: agent, cluster: c, taskDefinition: agent, daemon: true}
`

// setup builds the world, lets it settle, and scales in by one: the
// victim waits in Terminating:Wait with its tasks still running.
func setup(t *testing.T) (*emulator.World, *Checker, string) {
	t.Helper()
	sc, err := scenario.ParseYAML([]byte(world))
	if err != nil {
		t.Fatal(err)
	}
	run, err := scenario.NewWorld(sc, emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	w := run.World
	c := Watch(w)
	w.Clock.RunFor(3 * time.Minute)
	if _, err := emulator.Invoke(w, "test", w.AutoScaling.SetDesiredCapacity, autoscaling.SetDesiredCapacityInput{AutoScalingGroupName: "g", DesiredCapacity: ptr(int32(1))}); err != nil {
		t.Fatal(err)
	}
	w.Clock.RunFor(time.Second)
	var victim string
	w.Do(func() {
		for _, inst := range w.EC2.Instances() {
			if acts := w.AutoScaling.LifecycleActions(inst.ID); len(acts) > 0 {
				victim = inst.ID
			}
		}
	})
	if victim == "" {
		t.Fatal("no instance waits in Terminating:Wait")
	}
	return w, c, victim
}

// record writes a drain record on the victim as drainer would.
func record(t *testing.T, w *emulator.World, id string, r drain.Record) string {
	t.Helper()
	attrs, err := r.Attributes()
	if err != nil {
		t.Fatal(err)
	}
	var arn string
	w.Do(func() { arn = w.ECS.ContainerInstanceByEC2(id).ContainerInstanceArn })
	var in ecs.PutAttributesInput
	in.Cluster = "c"
	for k, v := range attrs {
		in.Attributes = append(in.Attributes, ecs.Attribute{Name: k, Value: ptr(v), TargetType: "container-instance", TargetId: arn})
	}
	if _, err := emulator.Invoke(w, "test", w.ECS.PutAttributes, in); err != nil {
		t.Fatal(err)
	}
	return arn
}

func lifecycleRecord(w *emulator.World, graceful, hard time.Duration) drain.Record {
	now := w.Now()
	return drain.Record{Reason: drain.ReasonLifecycle, Started: now, GracefulUntil: now.Add(graceful), Deadline: now.Add(hard), Group: "g", Hook: "drain-hook", Token: "t"}
}

func complete(t *testing.T, w *emulator.World, id string) {
	t.Helper()
	if _, err := emulator.Invoke(w, "test", w.AutoScaling.CompleteLifecycleAction, autoscaling.CompleteLifecycleActionInput{
		AutoScalingGroupName: "g", LifecycleHookName: "drain-hook", InstanceId: id, LifecycleActionResult: "CONTINUE"}); err != nil {
		t.Fatal(err)
	}
}

func rules(vs []Violation) string {
	var s []string
	for _, v := range vs {
		s = append(s, v.String())
	}
	return strings.Join(s, "\n")
}

func wantRule(t *testing.T, vs []Violation, rule int) {
	t.Helper()
	for _, v := range vs {
		if v.Rule == rule {
			return
		}
	}
	t.Fatalf("invariant %d not reported; got:\n%s", rule, rules(vs))
}

func TestRule1CompletingWithTasksRunning(t *testing.T) {
	w, c, victim := setup(t)
	record(t, w, victim, lifecycleRecord(w, time.Hour, 2*time.Hour))
	complete(t, w, victim) // tasks still run on it
	wantRule(t, c.Violations(), 1)
}

func TestRule1NotBrokenPastTheHardDeadline(t *testing.T) {
	w, c, victim := setup(t)
	record(t, w, victim, lifecycleRecord(w, 0, 0))
	complete(t, w, victim)
	for _, v := range c.Violations() {
		if v.Rule == 1 {
			t.Fatalf("release past the hard deadline reported: %s", v)
		}
	}
}

func TestRule2DaemonStoppedFirst(t *testing.T) {
	w, c, victim := setup(t)
	arn := record(t, w, victim, lifecycleRecord(w, time.Hour, 2*time.Hour))
	if _, err := emulator.Invoke(w, "test", w.ECS.UpdateContainerInstancesState, ecs.UpdateContainerInstancesStateInput{Cluster: "c", ContainerInstances: []string{arn}, Status: "DRAINING"}); err != nil {
		t.Fatal(err)
	}
	var daemon string
	w.Do(func() {
		for _, tk := range w.ECS.TasksOn(arn) {
			if w.ECS.TaskClass(tk) == "daemon" {
				daemon = tk.TaskArn
			}
		}
	})
	if _, err := emulator.Invoke(w, "test", w.ECS.StopTask, ecs.StopTaskInput{Cluster: "c", Task: daemon, Reason: "drainer: too early"}); err != nil {
		t.Fatal(err)
	}
	wantRule(t, c.Violations(), 2)
}

func TestRule3ServiceTaskStoppedByDrainerInTheGracefulPhase(t *testing.T) {
	w, c, victim := setup(t)
	arn := record(t, w, victim, lifecycleRecord(w, time.Hour, 2*time.Hour))
	if _, err := emulator.Invoke(w, "test", w.ECS.UpdateContainerInstancesState, ecs.UpdateContainerInstancesStateInput{Cluster: "c", ContainerInstances: []string{arn}, Status: "DRAINING"}); err != nil {
		t.Fatal(err)
	}
	var svc string
	w.Do(func() {
		for _, tk := range w.ECS.TasksOn(arn) {
			if w.ECS.TaskClass(tk) == "service" && tk.DesiredStatus == "RUNNING" {
				svc = tk.TaskArn
			}
		}
	})
	if svc == "" {
		t.Skip("ECS already moved every service task")
	}
	if _, err := emulator.Invoke(w, "test", w.ECS.StopTask, ecs.StopTaskInput{Cluster: "c", Task: svc, Reason: "drainer: impatient"}); err != nil {
		t.Fatal(err)
	}
	wantRule(t, c.Violations(), 3)
}

func TestRule4HookTimedOut(t *testing.T) {
	w, c, victim := setup(t)
	record(t, w, victim, lifecycleRecord(w, time.Hour, 2*time.Hour))
	w.Clock.RunFor(2 * time.Minute) // the 60 s heartbeat timeout passes, nobody heartbeats
	wantRule(t, c.Violations(), 4)
	for _, v := range c.Violations() {
		if v.Rule == 1 {
			t.Fatalf("a hook's own timeout was blamed on a caller: %s", v)
		}
	}
}

func TestFinalReportsALeftoverInstance(t *testing.T) {
	w, c, victim := setup(t)
	record(t, w, victim, lifecycleRecord(w, time.Hour, 2*time.Hour))
	vs := c.Final()
	if len(vs) == 0 || vs[0].Rule != 6 || vs[0].Instance != victim {
		t.Fatalf("Final = %v, want the drained instance still running", vs)
	}
}

func TestACleanDrainBreaksNothing(t *testing.T) {
	w, c, victim := setup(t)
	arn := record(t, w, victim, lifecycleRecord(w, time.Hour, 2*time.Hour))
	if _, err := emulator.Invoke(w, "test", w.ECS.UpdateContainerInstancesState, ecs.UpdateContainerInstancesStateInput{Cluster: "c", ContainerInstances: []string{arn}, Status: "DRAINING"}); err != nil {
		t.Fatal(err)
	}
	// Heartbeat as drainer would while ECS moves the tasks.
	for range 6 {
		w.Clock.RunFor(20 * time.Second)
		if _, err := emulator.Invoke(w, "test", w.AutoScaling.RecordLifecycleActionHeartbeat, autoscaling.RecordLifecycleActionHeartbeatInput{
			AutoScalingGroupName: "g", LifecycleHookName: "drain-hook", InstanceId: victim}); err != nil {
			t.Fatal(err)
		}
	}
	var left int
	w.Do(func() {
		for _, tk := range w.ECS.TasksOn(arn) {
			if tk.LastStatus != "STOPPED" {
				left++
			}
		}
	})
	if left != 0 {
		t.Fatalf("%d tasks still on the draining instance after 2 minutes", left)
	}
	complete(t, w, victim)
	w.Clock.RunFor(2 * time.Minute)
	if vs := append(c.Violations(), c.Final()...); len(vs) > 0 {
		t.Fatalf("a clean drain broke invariants:\n%s", rules(vs))
	}
	if got := c.Drained(); len(got) != 1 || got[0] != victim {
		t.Fatalf("drained = %v", got)
	}
}

func ptr[T any](v T) *T { return &v }
