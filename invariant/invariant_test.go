package invariant

import (
	"testing"
	"time"

	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/ecs"
)

// world has one group whose hook (drain-hook) drainer does not own by
// default: rules 1–3 follow the drains drainer records.
var world = webHosts("[{name: drain-hook, heartbeatTimeout: 60s, defaultResult: CONTINUE}]")

// setup builds world and scales in by one: the victim waits in
// Terminating:Wait with its tasks still running.
func setup(t *testing.T) (*emulator.World, *Checker, string) {
	t.Helper()
	w, c := build(t, world, Options{})
	return w, c, scaleIn(t, w, "g")
}

func TestRule1CompletingWithTasksRunning(t *testing.T) {
	w, c, victim := setup(t)
	record(t, w, "test", "c", victim, lifecycleRecord(w, "drain-hook", time.Hour, 2*time.Hour))
	complete(t, w, DefaultCaller, "g", "drain-hook", victim, "CONTINUE") // tasks still run on it
	wantRule(t, c.Violations(), 1)
}

func TestRule1JudgesOnlyDrainersOwnCalls(t *testing.T) {
	// An operator (or another tool) completing the action is the world's
	// doing: drainer could not have prevented it.
	w, c, victim := setup(t)
	record(t, w, "test", "c", victim, lifecycleRecord(w, "drain-hook", time.Hour, 2*time.Hour))
	complete(t, w, "operator", "g", "drain-hook", victim, "CONTINUE")
	if vs := only(c.Violations(), 1); len(vs) > 0 {
		t.Fatalf("a release by another caller blamed on drainer:\n%s", rules(vs))
	}
}

func TestRule1NotBrokenPastTheHardDeadline(t *testing.T) {
	w, c, victim := setup(t)
	record(t, w, "test", "c", victim, lifecycleRecord(w, "drain-hook", 0, 0))
	complete(t, w, DefaultCaller, "g", "drain-hook", victim, "CONTINUE")
	if vs := only(c.Violations(), 1); len(vs) > 0 {
		t.Fatalf("release past the hard deadline reported:\n%s", rules(vs))
	}
}

func TestRule2DaemonStoppedFirst(t *testing.T) {
	w, c, victim := setup(t)
	arn := record(t, w, "test", "c", victim, lifecycleRecord(w, "drain-hook", time.Hour, 2*time.Hour))
	call(t, w, "test", w.ECS.UpdateContainerInstancesState, ecs.UpdateContainerInstancesStateInput{Cluster: "c", ContainerInstances: []string{arn}, Status: "DRAINING"})
	var daemon string
	w.Do(func() {
		for _, tk := range w.ECS.TasksOn(arn) {
			if w.ECS.TaskClass(tk) == "daemon" {
				daemon = tk.TaskArn
			}
		}
	})
	call(t, w, "test", w.ECS.StopTask, ecs.StopTaskInput{Cluster: "c", Task: daemon, Reason: "drainer: too early"})
	wantRule(t, c.Violations(), 2)
}

func TestRule3ServiceTaskStoppedByDrainerInTheGracefulPhase(t *testing.T) {
	w, c, victim := setup(t)
	arn := record(t, w, "test", "c", victim, lifecycleRecord(w, "drain-hook", time.Hour, 2*time.Hour))
	call(t, w, "test", w.ECS.UpdateContainerInstancesState, ecs.UpdateContainerInstancesStateInput{Cluster: "c", ContainerInstances: []string{arn}, Status: "DRAINING"})
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
	call(t, w, "test", w.ECS.StopTask, ecs.StopTaskInput{Cluster: "c", Task: svc, Reason: "drainer: impatient"})
	wantRule(t, c.Violations(), 3)
}

func TestRule4RecordedHookTimedOut(t *testing.T) {
	w, c := build(t, world, Options{OwnedHooks: []string{"drain-hook"}})
	victim := scaleIn(t, w, "g")
	record(t, w, "test", "c", victim, lifecycleRecord(w, "drain-hook", time.Hour, 2*time.Hour))
	w.Clock.RunFor(2 * time.Minute) // the 60 s heartbeat timeout passes, nobody heartbeats
	wantRule(t, c.Violations(), 4)
	if vs := only(c.Violations(), 1); len(vs) > 0 {
		t.Fatalf("a hook's own timeout was blamed on a caller:\n%s", rules(vs))
	}
}

func TestRule4NotJudgedForAnotherDrainersRecordedHook(t *testing.T) {
	// A record naming a hook drainer does not own is another drainer's:
	// its timeout is not this drainer's to prevent (rule 8 forbids it).
	w, c := build(t, world, Options{OwnedHooks: []string{"ops"}})
	victim := scaleIn(t, w, "g")
	record(t, w, "test", "c", victim, lifecycleRecord(w, "drain-hook", time.Hour, 2*time.Hour))
	w.Clock.RunFor(2 * time.Minute)
	if vs := only(c.Violations(), 4); len(vs) > 0 {
		t.Fatalf("another drainer's hook judged as this one's:\n%s", rules(vs))
	}
}

func TestFinalReportsALeftoverInstance(t *testing.T) {
	w, c := build(t, world, Options{})
	var id string
	w.Do(func() {
		for _, ci := range w.ECS.ContainerInstances("c") {
			id = ci.Ec2InstanceId // an instance nothing terminates
		}
	})
	now := w.Now()
	record(t, w, "test", "c", id, drain.Record{Reason: drain.ReasonOperator, Started: now, GracefulUntil: now.Add(time.Hour), Deadline: now.Add(2 * time.Hour)})
	// A drain whose hard deadline has not come may still be under way.
	if vs := c.Final(); len(vs) != 0 {
		t.Fatalf("Final = %v before the hard deadline, want nothing judged yet", vs)
	}
	w.Clock.RunFor(2*time.Hour + FinalGrace)
	vs := only(c.Final(), 6)
	if len(vs) == 0 || vs[0].Instance != id {
		t.Fatalf("Final = %v, want the drained instance still running past its hard deadline", vs)
	}
}

func TestACleanDrainBreaksNothing(t *testing.T) {
	w, c, victim := setup(t)
	arn := record(t, w, "test", "c", victim, lifecycleRecord(w, "drain-hook", time.Hour, 2*time.Hour))
	call(t, w, "test", w.ECS.UpdateContainerInstancesState, ecs.UpdateContainerInstancesStateInput{Cluster: "c", ContainerInstances: []string{arn}, Status: "DRAINING"})
	// Heartbeat as drainer would while ECS moves the tasks.
	for range 6 {
		w.Clock.RunFor(20 * time.Second)
		call(t, w, "test", w.AutoScaling.RecordLifecycleActionHeartbeat, autoscaling.RecordLifecycleActionHeartbeatInput{
			AutoScalingGroupName: "g", LifecycleHookName: "drain-hook", InstanceId: victim})
	}
	if left := tasksOn(w, victim); len(left) != 0 {
		t.Fatalf("%d tasks still on the draining instance after 2 minutes", len(left))
	}
	complete(t, w, "test", "g", "drain-hook", victim, "CONTINUE")
	w.Clock.RunFor(2 * time.Minute)
	if vs := append(c.Violations(), c.Final()...); len(vs) > 0 {
		t.Fatalf("a clean drain broke invariants:\n%s", rules(vs))
	}
	if got := c.Drained(); len(got) != 1 || got[0] != victim {
		t.Fatalf("drained = %v", got)
	}
}

func TestWatchDefaults(t *testing.T) {
	w := emulator.New(emulator.Config{})
	got := Watch(w).Options()
	if len(got.OwnedHooks) != 1 || got.OwnedHooks[0] != "drainer" || got.Caller != "drainer" || got.SweepInterval != 2*time.Minute ||
		len(got.Clusters) != 0 || got.RespectDrainingOff {
		t.Fatalf("Watch options = %+v, want drainer's defaults", got)
	}
	set := WatchWith(w, Options{OwnedHooks: []string{"a", "b"}, Clusters: []string{"arn:aws:ecs:us-east-1:123456789012:cluster/prod"}, Caller: "x", SweepInterval: time.Minute})
	if !set.owns("b") || set.owns("drainer") || !set.serves("prod") || set.serves("default") || set.Options().Caller != "x" {
		t.Fatalf("WatchWith options not taken: %+v", set.Options())
	}
}
