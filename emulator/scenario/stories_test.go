package scenario

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/ec2"
	"github.com/drainer-dev/drainer/emulator/ecs"
	"github.com/drainer-dev/drainer/emulator/sqs"
)

// These stories check the services working together: EC2 hosts joining
// ECS through their user data, Auto Scaling holding instances for hooks and
// notifying SQS, EventBridge routing, and ECS moving tasks off DRAINING.
// Each service's own rules are checked in its package.

// start builds the world of the scenario file at path.
func start(t *testing.T, path string) *Run {
	t.Helper()
	sc, err := Load(path)
	return begin(t, sc, err)
}

// play builds the world of a scenario written in YAML.
func play(t *testing.T, yaml string) *Run {
	t.Helper()
	sc, err := ParseYAML([]byte(yaml))
	return begin(t, sc, err)
}

// begin builds the world of a scenario that loaded with err.
func begin(t *testing.T, sc *Scenario, err error) *Run {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	run, err := NewWorld(sc, emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return run
}

func groupInstances(t *testing.T, w *emulator.World, group string) []autoscaling.Instance {
	t.Helper()
	out, err := emulator.Invoke(w, "test", w.AutoScaling.DescribeAutoScalingGroups, autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{group}})
	if err != nil || len(out.AutoScalingGroups) != 1 {
		t.Fatalf("describe %s: %v", group, err)
	}
	return out.AutoScalingGroups[0].Instances
}

func inState(insts []autoscaling.Instance, state string) []string {
	var ids []string
	for _, i := range insts {
		if i.LifecycleState == state {
			ids = append(ids, i.InstanceId)
		}
	}
	return ids
}

// liveTasksOn counts the tasks on an EC2 instance that are not STOPPED.
func liveTasksOn(w *emulator.World, ec2ID string) (n int) {
	w.Do(func() {
		ci := w.ECS.ContainerInstanceByEC2(ec2ID)
		if ci == nil {
			return
		}
		for _, task := range w.ECS.TasksOn(ci.ContainerInstanceArn) {
			if task.LastStatus != "STOPPED" {
				n++
			}
		}
	})
	return n
}

func receiveAll(t *testing.T, w *emulator.World, queue string) []string {
	t.Helper()
	url, err := emulator.Invoke(w, "test", w.SQS.GetQueueUrl, sqs.GetQueueUrlInput{QueueName: queue})
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for {
		out, err := emulator.Invoke(w, "test", w.SQS.ReceiveMessage, sqs.ReceiveMessageInput{QueueUrl: url.QueueUrl, MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			return bodies
		}
		for _, m := range out.Messages {
			bodies = append(bodies, m.Body)
			if _, err := emulator.Invoke(w, "test", w.SQS.DeleteMessage, sqs.DeleteMessageInput{QueueUrl: url.QueueUrl, ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestStoryScaleInWaitsForTheHookWhileAnOperatorDrains(t *testing.T) {
	run := start(t, "testdata/scale-in.yaml")
	w := run.World
	minHealthyBroken := ""
	w.OnEvent(func() {
		// Once steady, web (6 tasks, 100/200) must never have fewer than 6
		// healthy tasks while the operator drains by the book.
		if w.Now().Sub(emulator.DefaultStart) > 4*time.Minute && minHealthyBroken == "" {
			if h := w.ECS.HealthyCount("demo", "web"); h < 6 {
				minHealthyBroken = w.Now().Format(time.TimeOnly)
			}
		}
	})

	// The group launches, the agents join the cluster named in the user
	// data, and the scheduler places the daemon and the web tasks.
	w.Clock.RunFor(4 * time.Minute)
	if got := inState(groupInstances(t, w, "demo-asg"), "InService"); len(got) != 3 {
		t.Fatalf("after 4m, InService = %v, want 3 instances", got)
	}
	var active int
	w.Do(func() {
		for _, ci := range w.ECS.ContainerInstances("demo") {
			if ci.Status == "ACTIVE" && ci.AgentConnected {
				active++
			}
		}
	})
	if active != 3 {
		t.Fatalf("container instances ACTIVE = %d, want 3", active)
	}
	if h := w.ECS.HealthyCount("demo", "web"); h != 6 {
		t.Fatalf("web healthy = %d, want 6", h)
	}
	// The time series follows health, not only status changes.
	var pts []emulator.Point
	w.Do(func() { pts = w.Series.Get("ecs/demo/web/healthy") })
	if len(pts) == 0 || pts[len(pts)-1].V != 6 {
		t.Fatalf("healthy series for web = %+v, want it to end at 6", pts)
	}

	// The queue got the hook's test notification at creation.
	msgs := receiveAll(t, w, "drainer")
	if len(msgs) != 1 || !strings.Contains(msgs[0], "autoscaling:TEST_NOTIFICATION") {
		t.Fatalf("queue before scale-in = %q, want one test notification", msgs)
	}

	// At 5m desired capacity drops to 2: one instance waits in
	// Terminating:Wait, its tasks still running.
	w.Clock.RunFor(90 * time.Second)
	waiting := inState(groupInstances(t, w, "demo-asg"), "Terminating:Wait")
	if len(waiting) != 1 {
		t.Fatalf("Terminating:Wait = %v, want one instance", waiting)
	}
	victim := waiting[0]
	if n := liveTasksOn(w, victim); n == 0 {
		t.Fatal("the waiting instance has no tasks: nothing to drain")
	}
	msgs = receiveAll(t, w, "drainer")
	if len(msgs) != 1 {
		t.Fatalf("lifecycle messages = %d, want 1: %q", len(msgs), msgs)
	}
	var note struct {
		LifecycleTransition, EC2InstanceId, LifecycleActionToken, LifecycleHookName, AutoScalingGroupName string
	}
	if err := json.Unmarshal([]byte(msgs[0]), &note); err != nil {
		t.Fatal(err)
	}
	if note.LifecycleTransition != "autoscaling:EC2_INSTANCE_TERMINATING" || note.EC2InstanceId != victim || note.LifecycleActionToken == "" {
		t.Fatalf("lifecycle message = %+v, want the termination of %s with a token", note, victim)
	}

	// Ten minutes on the hook (15m heartbeat) still holds the instance.
	w.Clock.RunFor(10 * time.Minute)
	if got := inState(groupInstances(t, w, "demo-asg"), "Terminating:Wait"); len(got) != 1 || got[0] != victim {
		t.Fatalf("after 10m, Terminating:Wait = %v, want still %s", got, victim)
	}

	// The operator drains the container instance; ECS moves the web tasks
	// within 100/200 and stops the daemon last.
	if _, err := emulator.Invoke(w, "operator", w.AutoScaling.RecordLifecycleActionHeartbeat, autoscaling.RecordLifecycleActionHeartbeatInput{
		AutoScalingGroupName: note.AutoScalingGroupName, LifecycleHookName: note.LifecycleHookName, LifecycleActionToken: note.LifecycleActionToken,
	}); err != nil {
		t.Fatal(err)
	}
	run.do(Step{Action: ActionDrainInstance, Group: "demo-asg", Instance: victim})
	if errs := run.Errors(); len(errs) > 0 {
		t.Fatalf("drain failed: %+v", errs)
	}
	if !w.Clock.RunUntilDone(w.Now().Add(10*time.Minute), func() bool { return liveTasksOn(w, victim) == 0 }) {
		t.Fatalf("tasks still on %s 10m after DRAINING: %d", victim, liveTasksOn(w, victim))
	}
	if minHealthyBroken != "" {
		t.Fatalf("web fell below 6 healthy tasks at %s", minHealthyBroken)
	}
	if h := w.ECS.HealthyCount("demo", "web"); h != 6 {
		t.Fatalf("web healthy after the drain = %d, want 6", h)
	}

	// Only the lifecycle action lets the instance go.
	if _, err := emulator.Invoke(w, "operator", w.AutoScaling.CompleteLifecycleAction, autoscaling.CompleteLifecycleActionInput{
		AutoScalingGroupName: note.AutoScalingGroupName, LifecycleHookName: note.LifecycleHookName,
		LifecycleActionToken: note.LifecycleActionToken, LifecycleActionResult: "CONTINUE",
	}); err != nil {
		t.Fatal(err)
	}
	w.Clock.RunFor(2 * time.Minute)
	inst, ok := w.EC2.Instance(victim)
	if !ok || inst.State != ec2.StateTerminated {
		t.Fatalf("instance %s after CONTINUE: %+v", victim, inst)
	}
	if got := inState(groupInstances(t, w, "demo-asg"), "InService"); len(got) != 2 {
		t.Fatalf("InService after the scale-in = %v, want 2", got)
	}
	// A second completion is stale: AWS says there is no such action.
	_, err := emulator.Invoke(w, "operator", w.AutoScaling.CompleteLifecycleAction, autoscaling.CompleteLifecycleActionInput{
		AutoScalingGroupName: note.AutoScalingGroupName, LifecycleHookName: note.LifecycleHookName,
		LifecycleActionToken: note.LifecycleActionToken, LifecycleActionResult: "CONTINUE",
	})
	if err == nil || !strings.Contains(err.Error(), "No active Lifecycle Action") {
		t.Fatalf("second CompleteLifecycleAction: %v, want ValidationError No active Lifecycle Action", err)
	}
}

const spotScenario = `
name: spot
seed: 3
clusters: [{name: c}]
queues: [{name: events}]
rules:
  - name: spot-warnings
    queue: events
    pattern: {source: [aws.ec2], detail-type: [EC2 Spot Instance Interruption Warning]}
taskDefinitions:
  - {family: app, cpu: 256, memory: 512, networkMode: awsvpc}
groups:
  - {name: spot-asg, cluster: c, min: 3, max: 3, desired: 3, spotPercent: 100}
services:
  - {name: app, cluster: c, taskDefinition: app, desired: 3, minHealthyPercent: 50, maxPercent: 200}
timeline:
  - {at: 5m, action: interrupt-spot, group: spot-asg}
`

func TestStorySpotInterruptionEndsTheHost120SecondsAfterItsWarning(t *testing.T) {
	run := play(t, spotScenario)
	w := run.World
	w.Clock.RunUntil(emulator.DefaultStart.Add(5 * time.Minute))
	if errs := run.Errors(); len(errs) > 0 {
		t.Fatalf("interrupt-spot failed: %+v", errs)
	}
	msgs := receiveAll(t, w, "events")
	if len(msgs) != 1 {
		t.Fatalf("routed events = %q, want only the interruption warning", msgs)
	}
	var ev struct {
		Source     string `json:"source"`
		DetailType string `json:"detail-type"`
		Detail     struct {
			InstanceID string `json:"instance-id"`
			Action     string `json:"instance-action"`
		} `json:"detail"`
	}
	if err := json.Unmarshal([]byte(msgs[0]), &ev); err != nil {
		t.Fatal(err)
	}
	victim := ev.Detail.InstanceID
	if ev.Source != "aws.ec2" || ev.Detail.Action != "terminate" || victim == "" {
		t.Fatalf("warning event = %+v", ev)
	}
	warnedAt := w.Now()

	// Just before the deadline the host still runs; at it, it goes.
	w.Clock.RunUntil(warnedAt.Add(119 * time.Second))
	if inst, _ := w.EC2.Instance(victim); inst.State != ec2.StateRunning {
		t.Fatalf("at +119s the host is %s, want running", inst.State)
	}
	w.Clock.RunUntil(warnedAt.Add(120 * time.Second))
	if inst, _ := w.EC2.Instance(victim); inst.State != ec2.StateShuttingDown {
		t.Fatalf("at +120s the host is %s, want shutting-down", inst.State)
	}
	if n := liveTasksOn(w, victim); n != 0 {
		t.Fatalf("%d tasks still alive on a host that is shutting down", n)
	}

	// Its awsvpc task ENI is left behind, available: the leak drainer cleans.
	if availableENIs(w) == 0 {
		t.Fatal("no available network interface left by the dead host's awsvpc task")
	}

	// Auto Scaling replaces the host and ECS the tasks.
	w.Clock.RunFor(5 * time.Minute)
	if got := inState(groupInstances(t, w, "spot-asg"), "InService"); len(got) != 3 {
		t.Fatalf("InService after the interruption = %v, want 3", got)
	}
	if h := w.ECS.HealthyCount("c", "app"); h != 3 {
		t.Fatalf("app healthy after replacement = %d, want 3", h)
	}
}

const refreshScenario = `
name: refresh
seed: 5
clusters: [{name: c}]
taskDefinitions: [{family: app, cpu: 256, memory: 512}]
groups:
  - {name: asg, cluster: c, min: 4, max: 8, desired: 4}
services:
  - {name: app, cluster: c, taskDefinition: app, desired: 4}
timeline:
  - {at: 5m, action: instance-refresh, group: asg, minHealthyPercentage: 75, warmup: 60s}
`

func TestStoryInstanceRefreshReplacesEveryInstance(t *testing.T) {
	run := play(t, refreshScenario)
	w := run.World
	w.Clock.RunFor(4 * time.Minute)
	before := inState(groupInstances(t, w, "asg"), "InService")
	if len(before) != 4 {
		t.Fatalf("InService before = %v", before)
	}
	lowest := 4
	w.OnEvent(func() {
		n := 0
		out, _ := w.AutoScaling.DescribeAutoScalingGroups(autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"asg"}})
		for _, i := range out.AutoScalingGroups[0].Instances {
			if i.LifecycleState == "InService" {
				n++
			}
		}
		lowest = min(lowest, n)
	})
	done := func() bool {
		out, _ := emulator.Invoke(w, "test", w.AutoScaling.DescribeInstanceRefreshes, autoscaling.DescribeInstanceRefreshesInput{AutoScalingGroupName: "asg"})
		return len(out.InstanceRefreshes) == 1 && out.InstanceRefreshes[0].Status == autoscaling.RefreshSuccessful
	}
	if !w.Clock.RunUntilDone(w.Now().Add(2*time.Hour), done) {
		t.Fatal("instance refresh not Successful within 2h")
	}
	after := inState(groupInstances(t, w, "asg"), "InService")
	if len(after) != 4 {
		t.Fatalf("InService after = %v", after)
	}
	for _, old := range before {
		for _, id := range after {
			if id == old {
				t.Fatalf("instance %s survived the refresh", old)
			}
		}
	}
	if lowest < 3 {
		t.Fatalf("InService fell to %d during a refresh at 75%% minimum healthy of 4", lowest)
	}
}

func TestStorySameSeedSameWorld(t *testing.T) {
	play := func(seed uint64) (uint64, int, []emulator.Call) {
		sc, err := Load("testdata/scale-in.yaml")
		if err != nil {
			t.Fatal(err)
		}
		sc.Seed = seed
		run, err := NewWorld(sc, emulator.Config{})
		if err != nil {
			t.Fatal(err)
		}
		run.World.Clock.RunFor(2 * time.Hour)
		h, n := run.World.Trace()
		return h, n, run.World.Calls.All()
	}
	h1, n1, calls1 := play(42)
	h2, n2, calls2 := play(42)
	h3, _, _ := play(43)
	if n1 < 50 {
		t.Fatalf("only %d changes traced: the scenario did not run", n1)
	}
	if h1 != h2 || n1 != n2 {
		t.Fatalf("same seed, different runs: %x/%d vs %x/%d", h1, n1, h2, n2)
	}
	if len(calls1) != len(calls2) {
		t.Fatalf("call logs differ in length: %d vs %d", len(calls1), len(calls2))
	}
	for i := range calls1 {
		if calls1[i] != calls2[i] {
			t.Fatalf("call %d differs: %+v vs %+v", i, calls1[i], calls2[i])
		}
	}
	if h3 == h1 {
		t.Fatal("a different seed gave the same trace")
	}
}

func TestStoryThrottledCallsAnswerThrottlingException(t *testing.T) {
	run := start(t, "testdata/scale-in.yaml")
	w := run.World
	if err := w.Faults.Set(faultRule("ecs", "DescribeClusters", 1, 2)); err != nil {
		t.Fatal(err)
	}
	var codes []string
	for range 3 {
		_, err := emulator.Invoke(w, "drainer", w.ECS.DescribeClusters, ecs.DescribeClustersInput{Clusters: []string{"demo"}})
		codes = append(codes, codeOf(err))
	}
	if strings.Join(codes, ",") != ",,ThrottlingException" {
		t.Fatalf("three calls against a burst of 2 answered %q", codes)
	}
	if n := w.Calls.Count("ecs", "DescribeClusters", "ThrottlingException"); n != 1 {
		t.Fatalf("call log counts %d throttled calls, want 1", n)
	}
	w.Clock.RunFor(time.Second)
	if _, err := emulator.Invoke(w, "drainer", w.ECS.DescribeClusters, ecs.DescribeClustersInput{Clusters: []string{"demo"}}); err != nil {
		t.Fatalf("after a second of refill: %v", err)
	}
}

const faultyScenario = `
name: faulty
seed: 9
clusters: [{name: c}]
queues: [{name: q}]
taskDefinitions: [{family: app, memory: 256}]
groups: [{name: g, cluster: c, min: 1, max: 1, desired: 1, hooks: [{name: h, queue: q}]}]
faults:
  api: [{service: autoscaling, operation: DescribeAutoScalingGroups, errorRate: 1}]
  queues: {q: {duplicateRate: 1}}
`

func TestStoryDeclaredFaultsApply(t *testing.T) {
	run := play(t, faultyScenario)
	w := run.World
	_, err := emulator.Invoke(w, "test", w.AutoScaling.DescribeAutoScalingGroups, autoscaling.DescribeAutoScalingGroupsInput{})
	if codeOf(err) != "InternalFailure" {
		t.Fatalf("DescribeAutoScalingGroups with errorRate 1 answered %v", err)
	}
	// The hook's test notification went to a queue that duplicates
	// everything: it arrives twice, with the same message id.
	w.Clock.RunFor(time.Minute)
	if msgs := receiveAll(t, w, "q"); len(msgs) != 2 || msgs[0] != msgs[1] {
		t.Fatalf("queue delivered %d messages, want the test notification twice", len(msgs))
	}
}
