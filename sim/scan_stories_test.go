package sim

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/assembly"
	"github.com/drainer-dev/drainer/controller"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/ec2"
	"github.com/drainer-dev/drainer/emulator/ecs"
	"github.com/drainer-dev/drainer/emulator/scenario"
)

// matrix is a group of 4 behind a capacity provider whose two managed
// settings each story picks; web (2 tasks) keeps two instances busy, the
// two others run only the daemon.
const matrix = `
name: matrix
seed: 3
clusters: [{name: prod}]
queues: [{name: drainer}]
taskDefinitions:
  - {family: web, cpu: 1024, memory: 1024, start: 20s, healthy: 30s, stop: 5s}
  - {family: agent, cpu: 64, memory: 128}
groups:
  - name: prod-asg
    cluster: prod
    min: 1
    max: 6
    desired: 4
    hooks: [{name: drainer, heartbeatTimeout: 5m, defaultResult: ABANDON, queue: drainer}]
    capacityProvider: {name: prod-cp, managedTerminationProtection: MTP, managedDraining: MD}
services:
  - {name: web, cluster: prod, taskDefinition: web, desired: 2, minHealthyPercent: 50, maxPercent: 200}
  - {name: agent, cluster: prod, taskDefinition: agent, daemon: true}
`

func matrixStory(t *testing.T, protect, drains bool, timeline ...scenario.Step) *Harness {
	t.Helper()
	y := strings.NewReplacer("MTP", boolStr(protect), "MD", boolStr(drains)).Replace(matrix)
	sc, err := scenario.ParseYAML([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	sc.Timeline = timeline
	h, err := New(sc, Options{Queue: "drainer"})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// busyInstances returns the instances running a web task now.
func busyInstances(h *Harness) map[string]bool {
	out := map[string]bool{}
	h.World.Do(func() {
		for _, ci := range h.World.ECS.ContainerInstances("prod") {
			for _, task := range h.World.ECS.TasksOn(ci.ContainerInstanceArn) {
				if task.LastStatus != ecs.StatusStopped && h.World.ECS.TaskClass(task) != "daemon" {
					out[ci.Ec2InstanceId] = true
				}
			}
		}
	})
	return out
}

func inServiceIDs(h *Harness) []string {
	var out []string
	for id, s := range groupStates(h) {
		if s == "InService" {
			out = append(out, id)
		}
	}
	return out
}

func TestProtectionDrainingMatrix(t *testing.T) {
	for _, row := range []struct {
		protect, drains bool
	}{{true, true}, {false, true}, {true, false}, {false, false}} {
		t.Run("protect="+boolStr(row.protect)+",drain="+boolStr(row.drains), func(t *testing.T) {
			two := 2
			h := matrixStory(t, row.protect, row.drains, scenario.Step{At: at(10 * time.Minute), Action: scenario.ActionSetDesired, Group: "prod-asg", Count: &two})
			start := h.World.Now()
			var busy map[string]bool
			h.RunUntil(start.Add(9*time.Minute+30*time.Second), nil)
			busy = busyInstances(h)
			if len(busy) != 2 {
				t.Fatalf("busy instances before the scale-in: %v, want 2", busy)
			}
			// With managed termination protection ECS keeps the busy
			// instances protected and the others not (drainer's scan
			// agrees and has nothing to change); without it nobody
			// protects anything.
			for id, p := range groupProtection(h) {
				if want := row.protect && busy[id]; p != want {
					t.Errorf("before the scale-in %s protected=%v, want %v (busy %v)", id, p, want, busy[id])
				}
			}
			if n := callsBy(h, "autoscaling", "SetInstanceProtection"); !row.protect && n != 0 {
				t.Fatalf("managed termination protection off, but drainer made %d SetInstanceProtection calls", n)
			}
			h.RunUntil(start.Add(90*time.Minute), nil)
			checkClean(t, h)

			left := inServiceIDs(h)
			if len(left) != 2 {
				t.Fatalf("group after the scale-in: %v", groupStates(h))
			}
			if row.protect {
				// Scale-in could only pick the empty instances.
				for id := range busy {
					if s := groupStates(h)[id]; s != "InService" {
						t.Errorf("busy protected instance %s is %s, want kept InService", id, s)
					}
				}
			}
			completes := h.World.Calls.Count("autoscaling", "CompleteLifecycleAction", "OK")
			if row.drains {
				if got := events(h, drain.EventCompleted); len(got) != 2 {
					t.Fatalf("drains completed: %d, want every terminating instance drained (2)", len(got))
				}
			} else {
				if len(h.Events) != 0 {
					t.Fatalf("managed draining off, but drainer drained: %+v", h.Events)
				}
				if completes != 2 {
					t.Fatalf("lifecycle actions completed by drainer: %d, want 2, at once", completes)
				}
			}
			// Whatever happened to its tasks, web is whole again.
			if got := h.World.ECS.HealthyCount("prod", "web"); got != 2 {
				t.Errorf("web healthy at the end = %d, want 2", got)
			}
		})
	}
}

func TestDrainingOffCompletesTheLifecycleActionAtOnce(t *testing.T) {
	two := 2
	h := matrixStory(t, false, false, scenario.Step{At: at(10 * time.Minute), Action: scenario.ActionSetDesired, Group: "prod-asg", Count: &two})
	start := h.World.Now()
	scaleIn := start.Add(10 * time.Minute)
	var leftWait time.Time
	h.RunUntil(start.Add(time.Hour), func() bool {
		if h.World.Calls.Count("autoscaling", "CompleteLifecycleAction", "OK") == 2 && leftWait.IsZero() {
			leftWait = h.World.Now()
		}
		return !leftWait.IsZero()
	})
	if leftWait.IsZero() || leftWait.Sub(scaleIn) > 5*time.Second {
		t.Fatalf("lifecycle actions completed at %v, want at once after the scale-in at %v", leftWait, scaleIn)
	}
	h.RunFor(20 * time.Minute)
	checkClean(t, h)
}

// idleWorld: 4 instances, web (2 tasks) keeps two busy: two are idle.
const idleWorld = `
name: idle
seed: 7
clusters: [{name: prod}]
queues: [{name: drainer}]
taskDefinitions:
  - {family: web, cpu: 1024, memory: 1024, start: 20s, healthy: 30s, stop: 5s}
  - {family: agent, cpu: 64, memory: 128}
groups:
  - name: prod-asg
    cluster: prod
    min: 1
    max: 6
    desired: 4
    hooks: [{name: drainer, heartbeatTimeout: 5m, defaultResult: ABANDON, queue: drainer}]
services:
  - {name: web, cluster: prod, taskDefinition: web, desired: 2, minHealthyPercent: 50, maxPercent: 200}
  - {name: agent, cluster: prod, taskDefinition: agent, daemon: true}
`

func idleStory(t *testing.T, desired int, s *assembly.Settings) *Harness {
	t.Helper()
	y := strings.Replace(idleWorld, "desired: 4", "desired: "+strconv.Itoa(desired), 1)
	sc, err := scenario.ParseYAML([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(sc, Options{Queue: "drainer", Settings: s})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func setMin(h *Harness, n int32) error {
	_, err := emulator.Invoke(h.World, "ops", h.World.AutoScaling.UpdateAutoScalingGroup, autoscaling.UpdateAutoScalingGroupInput{AutoScalingGroupName: "prod-asg", MinSize: &n})
	return err
}

func groupProtection(h *Harness) map[string]bool {
	out := map[string]bool{}
	res, _ := emulator.Invoke(h.World, "test", h.World.AutoScaling.DescribeAutoScalingGroups, autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"prod-asg"}})
	for _, i := range res.AutoScalingGroups[0].Instances {
		out[i.InstanceId] = i.ProtectedFromScaleIn
	}
	return out
}

func TestIdleInstancesAreReclaimedOneAtATimeWithinTheBudget(t *testing.T) {
	h := idleStory(t, 4, settings(t, "idle-after", "10m", "budget", "1"))
	start := h.World.Now()
	ok := h.RunUntil(start.Add(2*time.Hour), func() bool { return len(events(h, drain.EventCompleted)) == 2 })
	held := 0
	for _, sc := range h.Scans {
		if sc.Err != nil {
			t.Errorf("scan: %v", sc.Err)
		}
		held += len(sc.Report.HeldByBudget)
	}
	if !ok {
		t.Fatalf("2 idle drains not completed; events %+v", h.Events)
	}
	h.RunFor(10 * time.Minute)
	checkClean(t, h)
	started, done := events(h, drain.EventStarted), events(h, drain.EventCompleted)
	if len(started) != 2 || started[0].Reason != drain.ReasonIdle || started[1].Reason != drain.ReasonIdle {
		t.Fatalf("drains started: %+v, want 2 idle", started)
	}
	if started[1].Time.Before(done[0].Time) {
		t.Fatalf("second idle drain started at %v before the first ended at %v: budget 1 broken", started[1].Time, done[0].Time)
	}
	if held == 0 {
		t.Error("the budget never held a drain back: the test proves nothing")
	}
	if first := started[0].Time.Sub(start); first < 10*time.Minute || first > 15*time.Minute {
		t.Errorf("first idle drain %v after start, want just after the 10 min idle time", first)
	}
	if got := len(inServiceIDs(h)); got != 2 {
		t.Fatalf("group after reclamation: %v, want the 2 busy instances (desired decremented)", groupStates(h))
	}
	if got := h.World.ECS.HealthyCount("prod", "web"); got != 2 {
		t.Errorf("web healthy = %d, want 2", got)
	}
	// Nothing more to reclaim: the busy instances are never touched.
	h.RunFor(time.Hour)
	if got := len(events(h, drain.EventStarted)); got != 2 {
		t.Fatalf("%d drains, want 2: busy instances reclaimed", got)
	}
	checkClean(t, h)
}

func TestIdleReclamationStopsAtTheGroupMinimum(t *testing.T) {
	// Raise the minimum to 3: one idle instance may go, not two.
	h := idleStory(t, 4, settings(t, "idle-after", "10m", "budget", "100%"))
	three := int32(3)
	if err := setMin(h, three); err != nil {
		t.Fatal(err)
	}
	h.RunFor(2 * time.Hour)
	checkClean(t, h)
	if got := events(h, drain.EventStarted); len(got) != 1 {
		t.Fatalf("idle drains %d, want 1 (desired 4, min 3)", len(got))
	}
	if got := len(inServiceIDs(h)); got != 3 {
		t.Fatalf("group: %v, want 3 InService", groupStates(h))
	}
}

func TestTimeToLiveReplacesInstances(t *testing.T) {
	h := idleStory(t, 2, settings(t, "max-lifetime", "2h", "budget", "1", "scan-interval", "5m"))
	start := h.World.Now()
	original := map[string]bool{}
	h.RunFor(5 * time.Minute)
	for _, id := range inServiceIDs(h) {
		original[id] = true
	}
	if len(original) != 2 {
		t.Fatalf("group before: %v", groupStates(h))
	}
	if !h.RunUntil(start.Add(4*time.Hour), func() bool { return len(events(h, drain.EventCompleted)) == 2 }) {
		t.Fatalf("TTL drains not completed: %+v", h.Events)
	}
	h.RunFor(10 * time.Minute)
	checkClean(t, h)
	for _, ev := range events(h, drain.EventStarted) {
		if ev.Reason != drain.ReasonTTL || !original[ev.InstanceID] {
			t.Errorf("drain %+v, want a TTL drain of an original instance", ev)
		}
		if age := ev.Time.Sub(start); age < 2*time.Hour {
			t.Errorf("TTL drain at %v, before the 2 h lifetime", age)
		}
		if inst, _ := h.World.EC2.Instance(ev.InstanceID); inst.State != ec2.StateTerminated {
			t.Errorf("expired %s is %s", ev.InstanceID, inst.State)
		}
	}
	started := events(h, drain.EventStarted)
	if done := events(h, drain.EventCompleted); started[1].Time.Before(done[0].Time) {
		t.Errorf("second TTL drain began before the first ended: budget 1 broken")
	}
	now := inServiceIDs(h)
	if len(now) != 2 {
		t.Fatalf("group after TTL: %v, want 2 InService (replaced, not decremented)", groupStates(h))
	}
	for _, id := range now {
		if original[id] {
			t.Errorf("original instance %s still in service", id)
		}
	}
	if got := h.World.ECS.HealthyCount("prod", "web"); got != 2 {
		t.Errorf("web healthy = %d, want 2", got)
	}
}

// big is a group of 60 instances each running one web task (too big for
// two on one instance), without a capacity provider: drainer's protection
// scan (--protect) alone keeps its protection, as ECS would keep it itself
// behind a provider with managed termination protection.
const big = `
name: big
seed: 2
clusters: [{name: prod}]
taskDefinitions:
  - {family: web, cpu: 1536, memory: 1024, start: 20s, healthy: 30s, stop: 5s}
groups:
  - name: prod-asg
    cluster: prod
    min: 0
    max: 70
    desired: 60
services:
  - {name: web, cluster: prod, taskDefinition: web, desired: 60, minHealthyPercent: 50, maxPercent: 200}
timeline:
  - {at: 10m, action: update-service, cluster: prod, service: web, count: 0}
`

func TestProtectionIsReconciledInBatchesOfFifty(t *testing.T) {
	sc, err := scenario.ParseYAML([]byte(big))
	if err != nil {
		t.Fatal(err)
	}
	// The passes are made here, one at a time, not every minute.
	h, err := New(sc, Options{Settings: settings(t, "scan-interval", "0", "protect", "true")})
	if err != nil {
		t.Fatal(err)
	}
	pass := func() (rep controller.ScanReport, err error) {
		err = h.Do(func(ctx context.Context) (err error) {
			rep, err = h.Controller.Pass(ctx)
			return err
		})
		return rep, err
	}
	h.RunFor(5 * time.Minute)
	if got := len(busyInstances(h)); got != 60 {
		t.Fatalf("busy instances %d, want 60", got)
	}
	rep, err := pass()
	if err != nil {
		t.Fatal(err)
	}
	if rep.Protected != 60 || rep.ProtectionCalls != 2 {
		t.Fatalf("first pass: protected %d in %d calls, want 60 in 2 (50 + 10)", rep.Protected, rep.ProtectionCalls)
	}
	if got := h.World.Calls.Count("autoscaling", "SetInstanceProtection", "OK"); got != 2 {
		t.Fatalf("SetInstanceProtection calls %d, want 2", got)
	}
	protected := 0
	for _, s := range groupProtection(h) {
		if s {
			protected++
		}
	}
	if protected != 60 {
		t.Fatalf("%d instances protected, want 60", protected)
	}
	// A second pass with nothing changed makes no call.
	if rep, _ := pass(); rep.ProtectionCalls != 0 {
		t.Fatalf("idempotent pass made %d protection calls", rep.ProtectionCalls)
	}
	// web scaled to zero at 10 m: every instance is idle and unprotected,
	// again in two calls.
	h.RunUntil(h.World.Now().Add(10*time.Minute), nil)
	rep, err = pass()
	if err != nil {
		t.Fatal(err)
	}
	if rep.Unprotected != 60 || rep.ProtectionCalls != 2 {
		t.Fatalf("after web scaled to 0: unprotected %d in %d calls, want 60 in 2", rep.Unprotected, rep.ProtectionCalls)
	}
	if got := h.World.Calls.Count("autoscaling", "SetInstanceProtection", "OK"); got != 4 {
		t.Fatalf("SetInstanceProtection calls %d, want 4", got)
	}
	checkClean(t, h)
}

func TestScanResumesDrainsAfterARestart(t *testing.T) {
	two := 3
	h := matrixStory(t, false, true, scenario.Step{At: at(10 * time.Minute), Action: scenario.ActionSetDesired, Group: "prod-asg", Count: &two})
	h.RunUntil(h.World.Now().Add(time.Hour), func() bool { return len(events(h, drain.EventStarted)) == 1 })
	before := h.Reconciler.Drains()
	if len(before) != 1 {
		t.Fatalf("drains before the restart: %+v", before)
	}

	// drainer crashes; a new one starts in the same world. Its start-up
	// resumes the recorded drain, with the recorded deadlines.
	h.Stop()
	h2, err := Attach(h.Run, Options{Queue: "drainer", Checker: h.Checker})
	if err != nil {
		t.Fatal(err)
	}
	if after := h2.Reconciler.Drains(); len(after) != 1 || after[0].Record != before[0].Record {
		t.Errorf("deadlines changed across the restart:\n before %+v\n after  %+v", before, after)
	}
	h2.RunUntil(h2.World.Now().Add(time.Hour), func() bool { return len(events(h2, drain.EventCompleted)) == 1 })
	if got := events(h2, drain.EventCompleted); len(got) != 1 || got[0].InstanceID != before[0].InstanceID {
		t.Fatalf("the resumed drain did not complete: %+v", h2.Events)
	}
	h2.RunFor(5 * time.Minute)
	checkClean(t, h2)
}
