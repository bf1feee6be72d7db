package invariant

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/ec2"
	"github.com/drainer-dev/drainer/emulator/ecs"
)

// webHosts is a group of two instances in cluster c with the given hooks
// (a YAML list); web keeps tasks on every instance, agent is a daemon.
func webHosts(hooks string) string {
	return strings.Replace(`
name: web-hosts
seed: 4
clusters: [{name: c}]
taskDefinitions:
  - {family: web, cpu: 256, memory: 512}
  - {family: agent, memory: 64}
groups:
  - {name: g, cluster: c, min: 0, max: 3, desired: 2, hooks: HOOKS}
services:
  - {name: web, cluster: c, taskDefinition: web, desired: 4}
  - {name: agent, cluster: c, taskDefinition: agent, daemon: true}
`, "HOOKS", hooks, 1)
}

// hooksWorld: drainer's hook and another team's, with these heartbeat
// timeouts.
func hooksWorld(drainerHB, otherHB string) string {
	return webHosts("[{name: drainer, heartbeatTimeout: " + drainerHB + ", defaultResult: CONTINUE}, " +
		"{name: other-team, heartbeatTimeout: " + otherHB + ", defaultResult: CONTINUE}]")
}

// ownHook: drainer's hook alone.
var ownHook = webHosts("[{name: drainer, heartbeatTimeout: 10m, defaultResult: CONTINUE}]")

// emptyHosts: two hooks on a group whose instances run nothing: a timeout
// there breaks rule 4 alone.
const emptyHosts = `
name: empty-hosts
seed: 4
clusters: [{name: c}]
groups:
  - name: g
    cluster: c
    min: 0
    max: 3
    desired: 2
    hooks:
      - {name: drainer, heartbeatTimeout: 60s, defaultResult: CONTINUE}
      - {name: other-team, heartbeatTimeout: 1h, defaultResult: CONTINUE}
taskDefinitions:
  - {family: job, cpu: 256, memory: 512}
`

// twoClusters: drainer serves a (Options.Clusters); gb's instances join b
// and carry a hook named like drainer's (another drainer's, serving b).
const twoClusters = `
name: two-clusters
seed: 9
clusters: [{name: a}, {name: b}]
taskDefinitions:
  - {family: web, cpu: 256, memory: 512}
groups:
  - {name: ga, cluster: a, min: 0, max: 3, desired: 2, hooks: [{name: drainer, heartbeatTimeout: 10m, defaultResult: CONTINUE}]}
  - {name: gb, cluster: b, min: 0, max: 3, desired: 2, hooks: [{name: drainer, heartbeatTimeout: 60s, defaultResult: CONTINUE}]}
services:
  - {name: wa, cluster: a, taskDefinition: web, desired: 4}
  - {name: wb, cluster: b, taskDefinition: web, desired: 4}
`

var servesA = Options{Clusters: []string{"a"}}

func TestRule4OwnedHookTimesOutOnAnUnrecordedInstance(t *testing.T) {
	w, c := build(t, emptyHosts, Options{})
	victim := scaleIn(t, w, "g")
	w.Clock.RunFor(2 * time.Minute) // drainer's 60 s heartbeat timeout passes; nothing was recorded
	vs := c.Violations()
	wantExactly(t, vs, 4)
	if len(vs) != 1 || vs[0].Instance != victim || !strings.Contains(vs[0].What, "hook drainer") {
		t.Fatalf("violations = %s, want drainer's hook timing out on %s", rules(vs), victim)
	}
	// The other team's hook still holds the instance: the timeout did not
	// end the wait, and the checker saw it anyway.
	if got := lifecycleState(w, victim); got != autoscaling.StateTerminatingWait {
		t.Fatalf("victim is %s, want still Terminating:Wait", got)
	}
}

func TestRule4NotBrokenByAnotherTeamsHookTimingOut(t *testing.T) {
	w, c := build(t, hooksWorld("10m", "60s"), Options{})
	victim := scaleIn(t, w, "g")
	w.Clock.RunFor(2 * time.Minute) // other-team's hook times out
	call(t, w, drainerCaller, w.AutoScaling.RecordLifecycleActionHeartbeat, autoscaling.RecordLifecycleActionHeartbeatInput{
		AutoScalingGroupName: "g", LifecycleHookName: "drainer", InstanceId: victim})
	wantExactly(t, c.Violations())
}

func TestRule4NotBrokenOutsideTheServedClusters(t *testing.T) {
	w, c := build(t, twoClusters, servesA)
	victim := scaleIn(t, w, "gb")
	w.Clock.RunFor(2 * time.Minute) // gb's hook named drainer times out; gb's tasks die with the host
	if got := lifecycleState(w, victim); got == autoscaling.StateTerminatingWait {
		t.Fatal("gb's hook did not time out")
	}
	wantExactly(t, c.Violations())
}

func TestRule4TheSameTimeoutBreaksItWhenTheClusterIsServed(t *testing.T) {
	w, c := build(t, twoClusters, Options{}) // every cluster served
	scaleIn(t, w, "gb")
	w.Clock.RunFor(2 * time.Minute)
	wantRule(t, c.Violations(), 4)
}

func TestRule7DrainerCompletesItsHookWithTasksRunning(t *testing.T) {
	w, c := build(t, ownHook, Options{})
	victim := scaleIn(t, w, "g")
	if len(tasksOn(w, victim)) == 0 {
		t.Fatal("the victim runs no tasks")
	}
	complete(t, w, drainerCaller, "g", "drainer", victim, "CONTINUE") // nothing recorded, tasks run
	vs := c.Violations()
	wantExactly(t, vs, 7)
	if vs[0].Instance != victim || !strings.Contains(vs[0].What, "drainer completed hook drainer") || !strings.Contains(vs[0].What, "global expiry") {
		t.Fatalf("violation = %s", vs[0])
	}
}

func TestRule7DrainerTerminatesTheHostWhileItsHookHoldsIt(t *testing.T) {
	w, c := build(t, ownHook, Options{})
	victim := scaleIn(t, w, "g")
	call(t, w, drainerCaller, w.EC2.TerminateInstances, ec2.TerminateInstancesInput{InstanceIds: []string{victim}})
	w.Clock.RunFor(time.Minute) // the host is terminated, the action ends with it
	vs := c.Violations()
	wantExactly(t, vs, 7)
	if !strings.Contains(vs[0].What, "drainer's TerminateInstances ended the host while hook drainer held it") {
		t.Fatalf("violation = %s", vs[0])
	}
}

func TestRule7TasksPlacedAfterDrainerLetTheInstanceGo(t *testing.T) {
	// Drainer completes its hook on an instance with nothing to drain;
	// another team's hook still holds it, tasks land there, and they die
	// when that hook lets the instance go.
	w, c := build(t, emptyHosts, Options{})
	victim := scaleIn(t, w, "g")
	complete(t, w, drainerCaller, "g", "drainer", victim, "CONTINUE")
	wantExactly(t, c.Violations())
	call(t, w, "test", w.ECS.StartTask, ecs.StartTaskInput{Cluster: "c", TaskDefinition: "job", ContainerInstances: []string{containerInstanceOf(t, w, victim)}})
	w.Clock.RunFor(time.Minute)
	if len(tasksOn(w, victim)) == 0 {
		t.Fatal("the task did not start on the victim")
	}
	complete(t, w, "other", "g", "other-team", victim, "CONTINUE")
	vs := c.Violations()
	wantExactly(t, vs, 7)
	if !strings.Contains(vs[0].What, "drainer completed hook drainer's action") {
		t.Fatalf("violation = %s", vs[0])
	}
}

func TestRule7NotBrokenPastTheHardDeadline(t *testing.T) {
	w, c := build(t, ownHook, Options{})
	victim := scaleIn(t, w, "g")
	record(t, w, drainerCaller, "c", victim, lifecycleRecord(w, "drainer", 0, 0))
	complete(t, w, drainerCaller, "g", "drainer", victim, "CONTINUE")
	if len(tasksOn(w, victim)) != 0 || lifecycleState(w, victim) == autoscaling.StateTerminatingWait {
		t.Fatal("the release did not end the host and its tasks")
	}
	wantExactly(t, c.Violations())
}

func TestRule7TheSameReleaseBreaksItBeforeTheRecordedDeadline(t *testing.T) {
	w, c := build(t, ownHook, Options{})
	victim := scaleIn(t, w, "g")
	record(t, w, drainerCaller, "c", victim, lifecycleRecord(w, "drainer", time.Hour, 2*time.Hour))
	complete(t, w, drainerCaller, "g", "drainer", victim, "CONTINUE")
	wantExactly(t, c.Violations(), 1, 7)
	if v := only(c.Violations(), 7)[0]; !strings.Contains(v.What, "(recorded)") {
		t.Fatalf("violation = %s, want the recorded deadline", v)
	}
}

func TestRule7NotBrokenWhenAnotherCallerEndsTheHost(t *testing.T) {
	w, c := build(t, ownHook, Options{})
	victim := scaleIn(t, w, "g")
	call(t, w, "operator", w.EC2.TerminateInstances, ec2.TerminateInstancesInput{InstanceIds: []string{victim}})
	w.Clock.RunFor(time.Minute)
	wantExactly(t, c.Violations())
}

const spotHosts = `
name: spot
seed: 5
clusters: [{name: c}]
taskDefinitions:
  - {family: web, cpu: 256, memory: 512}
groups:
  - name: g
    cluster: c
    min: 0
    max: 3
    desired: 2
    spotPercent: 100
    capacityRebalance: REBALANCE
    hooks: [{name: drainer, heartbeatTimeout: 10m, defaultResult: CONTINUE}]
services:
  - {name: web, cluster: c, taskDefinition: web, desired: 4}
`

// An interrupted Spot host goes at its interruption time whatever holds
// it: with capacity rebalancing on, drainer's hook holds it from the
// notice (Terminating:Wait); with it off, Auto Scaling runs no hook before
// EC2 has interrupted the instance, so it stays InService until then. In
// neither case is the host's end drainer's doing.
func TestRule7NotBrokenByASpotInterruption(t *testing.T) {
	for _, tc := range []struct {
		rebalance bool
		want      string
	}{
		{true, autoscaling.StateTerminatingWait},
		{false, autoscaling.StateInService},
	} {
		w, c := build(t, strings.Replace(spotHosts, "REBALANCE", strconv.FormatBool(tc.rebalance), 1), Options{})
		victim := busyMember(t, w, "g")
		var err error
		w.Do(func() { err = w.EC2.InterruptSpot(victim) })
		if err != nil {
			t.Fatal(err)
		}
		w.Clock.RunFor(time.Second)
		if got := lifecycleState(w, victim); got != tc.want {
			t.Fatalf("rebalance %v: interrupted instance is %s, want %s", tc.rebalance, got, tc.want)
		}
		w.Clock.RunFor(4 * time.Minute) // EC2 ends the host at the interruption time, tasks and all
		if len(tasksOn(w, victim)) != 0 {
			t.Fatalf("rebalance %v: tasks survived the interruption", tc.rebalance)
		}
		wantExactly(t, c.Violations())
	}
}

const drainingOff = `
name: draining-off
seed: 3
clusters: [{name: c}]
taskDefinitions:
  - {family: web, cpu: 256, memory: 512}
groups:
  - name: g
    cluster: c
    min: 0
    max: 3
    desired: 2
    hooks: [{name: drainer, heartbeatTimeout: 5m, defaultResult: CONTINUE}]
    capacityProvider: {name: cp, managedDraining: false}
services:
  - {name: web, cluster: c, taskDefinition: web, desired: 4}
`

func TestRule7AndManagedDrainingOff(t *testing.T) {
	for _, respect := range []bool{false, true} {
		w, c := build(t, drainingOff, Options{RespectDrainingOff: respect})
		victim := scaleIn(t, w, "g")
		complete(t, w, drainerCaller, "g", "drainer", victim, "CONTINUE") // managed draining off: let it go at once
		if respect {
			wantExactly(t, c.Violations())
		} else {
			wantExactly(t, c.Violations(), 7)
		}
	}
}
