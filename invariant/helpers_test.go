package invariant

import (
	"slices"
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

// drainerCaller is the caller the checker takes for drainer by default;
// the tests' "drainer" does the wrong things under this name.
const drainerCaller = DefaultCaller

// build makes the world of a scenario, watched with opts, and lets it
// settle for three minutes (instances running, agents registered, tasks
// placed).
func build(t *testing.T, yaml string, opts Options) (*emulator.World, *Checker) {
	t.Helper()
	sc, err := scenario.ParseYAML([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	run, err := scenario.NewWorld(sc, emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	w := run.World
	c := WatchWith(w, opts)
	w.Clock.RunFor(3 * time.Minute)
	return w, c
}

// call makes an API call as caller and fails the test on an error.
func call[I, O any](t *testing.T, w *emulator.World, caller string, method func(I) (O, error), in I) O {
	t.Helper()
	out, err := emulator.Invoke(w, caller, method, in)
	if err != nil {
		t.Fatalf("%T by %s: %v", in, caller, err)
	}
	return out
}

// scaleIn lowers a group's desired capacity by one and returns the
// instance Auto Scaling took out, waiting in Terminating:Wait.
func scaleIn(t *testing.T, w *emulator.World, group string) string {
	t.Helper()
	var desired int32
	var members []string
	w.Do(func() {
		for _, inst := range w.EC2.Instances() {
			if g, ok := w.AutoScaling.GroupOf(inst.ID); ok && g == group {
				members = append(members, inst.ID)
			}
		}
	})
	desired = int32(len(members) - 1)
	call(t, w, "test", w.AutoScaling.SetDesiredCapacity, autoscaling.SetDesiredCapacityInput{AutoScalingGroupName: group, DesiredCapacity: &desired})
	w.Clock.RunFor(time.Second)
	var victim string
	w.Do(func() {
		for _, id := range members {
			if len(w.AutoScaling.LifecycleActions(id)) > 0 {
				victim = id
			}
		}
	})
	if victim == "" {
		t.Fatalf("no instance of %s waits in Terminating:Wait", group)
	}
	return victim
}

// look runs the checker's observers now, as after an event.
func look(w *emulator.World) { w.Do(func() {}) }

// rules lists violations one a line.
func rules(vs []Violation) string {
	var s []string
	for _, v := range vs {
		s = append(s, v.String())
	}
	return strings.Join(s, "\n")
}

// wantRule fails unless rule was reported.
func wantRule(t *testing.T, vs []Violation, rule int) {
	t.Helper()
	for _, v := range vs {
		if v.Rule == rule {
			return
		}
	}
	t.Fatalf("invariant %d not reported; got:\n%s", rule, rules(vs))
}

// wantExactly fails unless the rules reported are exactly want (each at
// least once, nothing else).
func wantExactly(t *testing.T, vs []Violation, want ...int) {
	t.Helper()
	var got []int
	for _, v := range vs {
		if !slices.Contains(got, v.Rule) {
			got = append(got, v.Rule)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("invariants broken = %v, want %v:\n%s", got, want, rules(vs))
	}
}

// only returns the violations of one rule.
func only(vs []Violation, rule int) []Violation {
	var out []Violation
	for _, v := range vs {
		if v.Rule == rule {
			out = append(out, v)
		}
	}
	return out
}

// containerInstanceOf returns the ARN of an instance's container instance.
func containerInstanceOf(t *testing.T, w *emulator.World, id string) string {
	t.Helper()
	var arn string
	w.Do(func() {
		if ci := w.ECS.ContainerInstanceByEC2(id); ci != nil {
			arn = ci.ContainerInstanceArn
		}
	})
	if arn == "" {
		t.Fatalf("%s has no container instance", id)
	}
	return arn
}

// tasksOn returns the non-daemon tasks not STOPPED on an instance.
func tasksOn(w *emulator.World, id string) []string {
	var out []string
	w.Do(func() {
		ci := w.ECS.ContainerInstanceByEC2(id)
		if ci == nil {
			return
		}
		for _, tk := range w.ECS.TasksOn(ci.ContainerInstanceArn) {
			if tk.LastStatus != ecs.StatusStopped && w.ECS.TaskClass(tk) != "daemon" {
				out = append(out, tk.TaskArn)
			}
		}
	})
	return out
}

// busyMember returns an instance of group running non-daemon tasks.
func busyMember(t *testing.T, w *emulator.World, group string) string {
	t.Helper()
	var ids []string
	w.Do(func() {
		for _, inst := range w.EC2.Instances() {
			if g, ok := w.AutoScaling.GroupOf(inst.ID); ok && g == group && inst.State == ec2.StateRunning {
				ids = append(ids, inst.ID)
			}
		}
	})
	for _, id := range ids {
		if len(tasksOn(w, id)) > 0 {
			return id
		}
	}
	t.Fatalf("no instance of %s runs tasks", group)
	return ""
}

// record writes a drain record on an instance as drainer would.
func record(t *testing.T, w *emulator.World, caller, cluster, id string, r drain.Record) string {
	t.Helper()
	attrs, err := r.Attributes()
	if err != nil {
		t.Fatal(err)
	}
	arn := containerInstanceOf(t, w, id)
	var in ecs.PutAttributesInput
	in.Cluster = cluster
	for _, k := range sortedKeys(attrs) {
		in.Attributes = append(in.Attributes, ecs.Attribute{Name: k, Value: ptr(attrs[k]), TargetType: "container-instance", TargetId: arn})
	}
	call(t, w, caller, w.ECS.PutAttributes, in)
	return arn
}

func sortedKeys(m map[string]string) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// lifecycleRecord is the record of a lifecycle drain of hook in group g
// starting now.
func lifecycleRecord(w *emulator.World, hook string, graceful, hard time.Duration) drain.Record {
	now := w.Now()
	return drain.Record{Reason: drain.ReasonLifecycle, Started: now, GracefulUntil: now.Add(graceful), Deadline: now.Add(hard), Group: "g", Hook: hook, Token: "t"}
}

// complete completes hook's action on an instance of group with result.
func complete(t *testing.T, w *emulator.World, caller, group, hook, id, result string) {
	t.Helper()
	call(t, w, caller, w.AutoScaling.CompleteLifecycleAction, autoscaling.CompleteLifecycleActionInput{
		AutoScalingGroupName: group, LifecycleHookName: hook, InstanceId: id, LifecycleActionResult: result})
}

// lifecycleState returns an instance's lifecycle state in its group.
func lifecycleState(w *emulator.World, id string) string {
	var state string
	w.Do(func() {
		out, err := w.AutoScaling.DescribeAutoScalingInstances(autoscaling.DescribeAutoScalingInstancesInput{InstanceIds: []string{id}})
		if err == nil && len(out.AutoScalingInstances) == 1 {
			state = out.AutoScalingInstances[0].LifecycleState
		}
	})
	return state
}

func ptr[T any](v T) *T { return &v }
