package sim

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/ec2"
	"github.com/drainer-dev/drainer/emulator/scenario"
)

// fleet is the world of the trigger stories: a group of 4 behind
// drainer's termination hook, EventBridge routing Spot and rebalance
// notices and ECS changes to drainer's queue, a load-balanced web service
// at 75/200 (never fewer than 6 of its 8 tasks healthy) and a daemon.
// GROUP is replaced with the group's extra settings.
const fleet = `
name: trigger-stories
seed: 23
clusters: [{name: prod}]
queues: [{name: drainer}]
rules:
  - name: to-drainer
    queue: drainer
    pattern:
      source: [aws.ec2, aws.ecs]
      detail-type: [EC2 Spot Instance Interruption Warning, EC2 Instance Rebalance Recommendation, ECS Task State Change, ECS Container Instance State Change]
taskDefinitions:
  - {family: web, cpu: 256, memory: 512, networkMode: awsvpc, start: 20s, healthy: 30s, stop: 5s}
  - {family: agent, cpu: 64, memory: 128}
groups:
  - name: prod-asg
    cluster: prod
    instanceType: m5.xlarge
    min: 1
    max: 8
    desired: 4
    GROUP
    hooks: [{name: drainer, heartbeatTimeout: 5m, defaultResult: ABANDON, queue: drainer}]
services:
  - {name: web, cluster: prod, taskDefinition: web, desired: 8, minHealthyPercent: 75, maxPercent: 200, loadBalanced: true}
  - {name: agent, cluster: prod, taskDefinition: agent, daemon: true}
`

// webFloor is ceil(8 × 75 / 100): web's minimum healthy count.
const webFloor = 6

// world builds a scenario from yaml with GROUP replaced by group settings
// and starts drainer in it.
func world(t *testing.T, yaml, group string, opts Options, timeline ...scenario.Step) *Harness {
	t.Helper()
	sc, err := scenario.ParseYAML([]byte(strings.Replace(yaml, "GROUP", group, 1)))
	if err != nil {
		t.Fatal(err)
	}
	sc.Timeline = timeline
	if opts.Queue == "" {
		opts.Queue = "drainer"
	}
	h, err := New(sc, opts)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// lowWater tracks the smallest healthy count of a service, checked after
// every event and call from the moment it first has want healthy tasks
// (the graceful start of the world) on. It returns a function reading the
// low-water mark, and want if nothing went lower.
func lowWater(h *Harness, cluster, service string, want int) func() int {
	return lowWaterOf(h, want, func() int { return h.World.ECS.HealthyCount(cluster, service) })
}

// lowWaterOf is lowWater of any value read under the world lock.
func lowWaterOf(h *Harness, want int, read func() int) func() int {
	low, started := want, false
	// OnEvent takes the world lock itself; its check runs under it.
	h.World.OnEvent(func() {
		n := read()
		if !started {
			started = n >= want
			return
		}
		low = min(low, n)
	})
	return func() int {
		if !started {
			return -1
		}
		return low
	}
}

// settledLow is the smallest value series key took after it first
// reached want (the series records a point whenever the value changes).
func settledLow(h *Harness, key string, want int) int {
	var pts []emulator.Point
	h.World.Do(func() { pts = h.World.Series.Get(key) })
	low, started := want, false
	for _, p := range pts {
		if !started {
			started = p.V >= want
			continue
		}
		low = min(low, p.V)
	}
	if !started {
		return -1
	}
	return low
}

// pickedBy returns the instance the scenario's step of action named (its
// record says which), failing the test if it did not run.
func pickedBy(t *testing.T, h *Harness, action string) string {
	t.Helper()
	for _, r := range h.Run.Records() {
		if r.Action != action {
			continue
		}
		if r.Err != "" {
			t.Fatalf("%s failed: %s", action, r.Err)
		}
		if id := instanceRE.FindString(r.Detail); id != "" {
			return id
		}
	}
	t.Fatalf("no %s step recorded: %+v", action, h.Run.Records())
	return ""
}

var instanceRE = regexp.MustCompile(`i-[0-9a-f]+`)

// waits records when each instance entered Terminating:Wait.
func waits(h *Harness) map[string]time.Time {
	at := map[string]time.Time{}
	h.World.Do(func() {
		h.World.AutoScaling.OnLifecycleChange(func(_, id, _, to string) {
			if to == autoscaling.StateTerminatingWait {
				at[id] = h.World.Env.Now()
			}
		})
	})
	return at
}

// startedPromptly checks every drain started within a second of its
// instance entering Terminating:Wait.
func startedPromptly(t *testing.T, h *Harness, waited map[string]time.Time) {
	t.Helper()
	for _, ev := range events(h, drain.EventStarted) {
		w, ok := waited[ev.InstanceID]
		if d := ev.Time.Sub(w); !ok || d < 0 || d > time.Second {
			t.Errorf("drain of %s started at %v, want within 1 s of its Terminating:Wait (%v)", ev.InstanceID, ev.Time, w)
		}
	}
}

// maxOf is the largest value series key ever took.
func maxOf(h *Harness, key string) int {
	var pts []emulator.Point
	h.World.Do(func() { pts = h.World.Series.Get(key) })
	m := 0
	for _, p := range pts {
		m = max(m, p.V)
	}
	return m
}

// inService returns the group's InService instances, sorted.
func inService(h *Harness) []string {
	var ids []string
	for id, s := range groupStates(h) {
		if s == autoscaling.StateInService {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// completedIDs lists the instances whose drains completed, sorted.
func completedIDs(h *Harness) []string {
	var ids []string
	for _, ev := range events(h, drain.EventCompleted) {
		ids = append(ids, ev.InstanceID)
	}
	slices.Sort(ids)
	return ids
}

// expectLifecycleDrains checks that exactly the instances want were
// drained, each by its lifecycle action, in time, ending terminated.
func expectLifecycleDrains(t *testing.T, h *Harness, want []string) {
	t.Helper()
	if got := completedIDs(h); !slices.Equal(got, want) {
		t.Fatalf("drained %v, want %v; events %+v", got, want, h.Events)
	}
	for _, ev := range events(h, drain.EventCompleted) {
		if ev.Reason != drain.ReasonLifecycle || ev.Overdue {
			t.Errorf("drain of %s: %+v, want a lifecycle drain completed in time", ev.InstanceID, ev)
		}
		if inst, ok := h.World.EC2.Instance(ev.InstanceID); ok && inst.State != ec2.StateTerminated {
			t.Errorf("drained %s is %s, want terminated", ev.InstanceID, inst.State)
		}
	}
	if n := h.World.Calls.Count("autoscaling", "CompleteLifecycleAction", "OK"); n != len(want) {
		t.Errorf("%d lifecycle actions completed, want one per drained instance (%d)", n, len(want))
	}
}

// warmedUp is when the fleet is up and web fully healthy (before any
// story's first step at 10 m).
func webLow(h *Harness) func() int { return lowWater(h, "prod", "web", 8) }

func TestInstanceRefreshDrainsEveryInstanceOneBatchAtATime(t *testing.T) {
	pct := 75
	h := world(t, fleet, "", Options{}, scenario.Step{At: at(10 * time.Minute), Action: scenario.ActionInstanceRefresh, Group: "prod-asg",
		MinHealthyPercentage: &pct, Warmup: at(2 * time.Minute)})
	webLow := webLow(h)
	h.RunFor(9 * time.Minute)
	original := inService(h)
	waited := waits(h)
	if len(original) != 4 {
		t.Fatalf("group before the refresh: %v", groupStates(h))
	}
	if !h.RunUntil(h.World.Now().Add(4*time.Hour), func() bool { return len(events(h, drain.EventCompleted)) == 4 }) {
		t.Fatalf("refresh drained %v of %v within 4h", completedIDs(h), original)
	}
	h.RunFor(20 * time.Minute)
	checkClean(t, h)
	expectLifecycleDrains(t, h, original)
	startedPromptly(t, h, waited)

	// 75% of 4 keeps 3 InService: one instance at a time, each drain
	// started only after the previous one completed.
	if n := maxOf(h, "asg/prod-asg/terminatingWait"); n != 1 {
		t.Errorf("up to %d instances in Terminating:Wait at once, want batches of 1", n)
	}
	starts, dones := events(h, drain.EventStarted), events(h, drain.EventCompleted)
	for i := 1; i < len(starts); i++ {
		if starts[i].Time.Before(dones[i-1].Time) {
			t.Errorf("drain %d of %s started at %v, before drain %d completed at %v", i, starts[i].InstanceID, starts[i].Time, i-1, dones[i-1].Time)
		}
	}
	if m := webLow(); m < webFloor {
		t.Errorf("web healthy fell to %d during the refresh, want ≥ %d", m, webFloor)
	}
	if m := settledLow(h, "asg/prod-asg/inService", 4); m < 3 {
		t.Errorf("InService fell to %d during the refresh, want ≥ 3 (75%% of 4)", m)
	}
	if now := inService(h); len(now) != 4 || slices.ContainsFunc(now, func(id string) bool { return slices.Contains(original, id) }) {
		t.Errorf("group after the refresh: %v, want 4 new instances", now)
	}
	out, err := emulator.Invoke(h.World, "test", h.World.AutoScaling.DescribeInstanceRefreshes, autoscaling.DescribeInstanceRefreshesInput{AutoScalingGroupName: "prod-asg"})
	if err != nil || len(out.InstanceRefreshes) != 1 || out.InstanceRefreshes[0].Status != "Successful" {
		t.Errorf("instance refresh: %+v %v, want Successful", out, err)
	}
}

func TestMaximumInstanceLifetimeReplacesThroughTheHook(t *testing.T) {
	h := world(t, fleet, "maxInstanceLifetime: 24h", Options{})
	webLow := webLow(h)
	h.RunFor(time.Hour)
	original := inService(h)
	waited := waits(h)
	launched := map[string]time.Time{}
	for _, id := range original {
		inst, _ := h.World.EC2.Instance(id)
		launched[id] = inst.LaunchTime
	}
	h.RunUntil(h.World.Now().Add(25*time.Hour), nil)
	checkClean(t, h)
	expectLifecycleDrains(t, h, original)
	startedPromptly(t, h, waited)
	for _, ev := range events(h, drain.EventStarted) {
		if age := ev.Time.Sub(launched[ev.InstanceID]); age < 24*time.Hour || age > 25*time.Hour {
			t.Errorf("%s drained at age %v, want within an hour past its 24h lifetime", ev.InstanceID, age)
		}
	}
	if m := webLow(); m < webFloor {
		t.Errorf("web healthy fell to %d, want ≥ %d", m, webFloor)
	}
	if got := inService(h); len(got) != 4 {
		t.Errorf("group after the replacements: %v", groupStates(h))
	}
}

func TestHealthCheckReplacementIsDrained(t *testing.T) {
	h := world(t, fleet, "", Options{}, scenario.Step{At: at(10 * time.Minute), Action: scenario.ActionSetUnhealthy, Group: "prod-asg", Instance: "oldest"})
	webLow := webLow(h)
	waited := waits(h)
	h.RunUntil(h.World.Now().Add(2*time.Hour), func() bool { return len(events(h, drain.EventCompleted)) == 1 })
	h.RunFor(10 * time.Minute)
	checkClean(t, h)
	sick := pickedBy(t, h, scenario.ActionSetUnhealthy)
	expectLifecycleDrains(t, h, []string{sick})
	startedPromptly(t, h, waited)
	if got := inService(h); len(got) != 4 || slices.Contains(got, sick) {
		t.Errorf("group after the replacement: %v", groupStates(h))
	}
	if m := webLow(); m < webFloor {
		t.Errorf("web healthy fell to %d, want ≥ %d", m, webFloor)
	}
}

func TestCapacityRebalanceLaunchesFirstThenDrainsThroughTheHook(t *testing.T) {
	h := world(t, fleet, "spotPercent: 100\n    capacityRebalance: true", Options{},
		scenario.Step{At: at(10 * time.Minute), Action: scenario.ActionRebalance, Group: "prod-asg", Instance: "oldest"})
	webLow := webLow(h)
	h.RunFor(9 * time.Minute)
	before := inService(h)
	waited := waits(h)
	recommended := h.World.Now().Add(time.Minute)
	// The replacement is the instance that joins the group after the
	// recommendation; note when it gets InService.
	var replacement string
	var replacedAt time.Time
	h.World.Do(func() {
		h.World.AutoScaling.OnLifecycleChange(func(_, id, _, to string) {
			if to == autoscaling.StateInService && replacement == "" && !slices.Contains(before, id) {
				replacement, replacedAt = id, h.World.Env.Now()
			}
		})
	})
	h.RunUntil(h.World.Now().Add(2*time.Hour), func() bool { return len(events(h, drain.EventCompleted)) == 1 })
	h.RunFor(10 * time.Minute)
	checkClean(t, h)
	atRisk := pickedBy(t, h, scenario.ActionRebalance)
	expectLifecycleDrains(t, h, []string{atRisk})
	startedPromptly(t, h, waited)
	started := events(h, drain.EventStarted)[0]
	if replacement == "" || started.Time.Before(replacedAt) || !replacedAt.After(recommended) {
		t.Errorf("replacement %s InService at %v, drain of %s started at %v: want the replacement first", replacement, replacedAt, atRisk, started.Time)
	}
	if got := inService(h); len(got) != 4 || !slices.Contains(got, replacement) {
		t.Errorf("group after the rebalance: %v", groupStates(h))
	}
	if m := webLow(); m < webFloor {
		t.Errorf("web healthy fell to %d, want ≥ %d", m, webFloor)
	}
}

func TestRebalanceRecommendationIsIgnoredByDefault(t *testing.T) {
	h := world(t, fleet, "spotPercent: 100", Options{},
		scenario.Step{At: at(10 * time.Minute), Action: scenario.ActionRebalance, Group: "prod-asg", Instance: "oldest"})
	h.RunFor(9 * time.Minute)
	before := inService(h)
	handled := h.Handled["handled"]
	h.RunFor(2 * time.Hour)
	checkClean(t, h)
	if len(h.Events) != 0 {
		t.Fatalf("drainer acted on a rebalance recommendation it should ignore: %+v", h.Events)
	}
	if h.Handled["handled"] == handled {
		t.Fatal("the recommendation never reached drainer: the story proves nothing")
	}
	if got := inService(h); !slices.Equal(got, before) {
		t.Errorf("group changed: %v → %v", before, got)
	}
}

func TestRebalanceRecommendationDrainedWhenAsked(t *testing.T) {
	h := world(t, fleet, "spotPercent: 100", Options{Settings: settings(t, "drain-on-rebalance", "true")},
		scenario.Step{At: at(10 * time.Minute), Action: scenario.ActionRebalance, Group: "prod-asg", Instance: "oldest"})
	webLow := webLow(h)
	h.RunFor(9 * time.Minute)
	recommended := h.World.Now().Add(time.Minute)
	h.RunUntil(h.World.Now().Add(2*time.Hour), func() bool { return len(events(h, drain.EventCompleted)) == 1 })
	h.RunFor(10 * time.Minute)
	checkClean(t, h)
	atRisk := pickedBy(t, h, scenario.ActionRebalance)
	started, done := events(h, drain.EventStarted), events(h, drain.EventCompleted)
	if len(done) != 1 || done[0].InstanceID != atRisk || done[0].Reason != drain.ReasonRebalance || done[0].Overdue {
		t.Fatalf("drains: %+v, want %s drained for the rebalance recommendation", h.Events, atRisk)
	}
	if d := started[0].Time.Sub(recommended); d < 0 || d > time.Second {
		t.Errorf("drain started %v after the recommendation, want at once", d)
	}
	rec := h.Checker.Records()[atRisk]
	if rec.Held() || !done[0].Time.Before(rec.GracefulUntil) {
		t.Errorf("record %+v, completed at %v: want drainer's own drain, done before its graceful deadline", rec, done[0].Time)
	}
	// drainer terminates it itself, through Auto Scaling, keeping the
	// desired capacity: the group replaces it.
	if n := h.World.Calls.Count("autoscaling", "TerminateInstanceInAutoScalingGroup", "OK"); n != 1 {
		t.Errorf("%d TerminateInstanceInAutoScalingGroup calls, want 1", n)
	}
	if got := inService(h); len(got) != 4 || slices.Contains(got, atRisk) {
		t.Errorf("group after the drain: %v", groupStates(h))
	}
	if m := webLow(); m < webFloor {
		t.Errorf("web healthy fell to %d, want ≥ %d", m, webFloor)
	}
}
