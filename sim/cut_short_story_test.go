package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/scenario"
)

// spotFleet is a Spot group with no lifecycle hook and no capacity
// rebalancing: drainer hears of an interruption only from EventBridge's
// two-minute warning (DESIGN.md §4). Its web tasks are slow to replace
// (a minute to start) and slow to leave (30 s behind the load balancer,
// then 30 s to stop), so the instance goes before they have stopped.
const spotFleet = `
name: spot-goes-first
seed: 5
clusters: [{name: prod}]
queues: [{name: drainer}]
rules:
  - name: to-drainer
    queue: drainer
    pattern:
      source: [aws.ec2, aws.ecs]
      detail-type: [EC2 Spot Instance Interruption Warning, ECS Task State Change, ECS Container Instance State Change]
taskDefinitions:
  - {family: web, cpu: 256, memory: 512, start: 60s, healthy: 30s, stop: 30s}
groups:
  - name: spot-asg
    cluster: prod
    instanceType: m5.xlarge
    min: 1
    max: 4
    desired: 2
    spotPercent: 100
services:
  - {name: web, cluster: prod, taskDefinition: web, desired: 4, minHealthyPercent: 100, maxPercent: 200, loadBalanced: true}
`

// TestSpotInstanceGoneBeforeItsTasksStoppedIsReportedCutShort: EC2 ends
// the instance at the end of its two minutes, the instant of the drain's
// hard deadline (the world's events at an instant come before drainer's
// look, as on AWS where the instance is simply gone), while the web tasks
// drainer stopped at the end of the graceful phase are still leaving. The
// report lists the drain as cut short, says why, and measures nothing it
// cannot: no NaN, no negative or overflowed duration, in text or JSON.
func TestSpotInstanceGoneBeforeItsTasksStoppedIsReportedCutShort(t *testing.T) {
	h := world(t, spotFleet, "", Options{}, scenario.Step{At: at(10 * time.Minute), Action: scenario.ActionInterruptSpot, Group: "spot-asg"})
	rec := Record(h, drain.DefaultPolicy())
	start := h.World.Now()
	// The timeline counts from the world's start, not from now: setting
	// drainer up takes a few paced calls of virtual time.
	warned := emulator.DefaultStart.Add(10 * time.Minute)

	// A minute into the drain, a report lists it as under way.
	h.RunUntil(warned.Add(time.Minute), nil)
	mid := rec.Finish("spot-goes-first", 0, h.World.Now().Sub(start))
	if len(mid.Drains) != 1 || mid.Drains[0].Outcome != OutcomeUnfinished || mid.Drains[0].Drain != 0 ||
		mid.Drains[0].Why != "still in its graceful phase when the run ended, 1m0s into the drain" {
		t.Errorf("a minute in, the report has %+v, want the drain unfinished", mid.Drains)
	}
	var midText bytes.Buffer
	mid.WriteText(&midText)
	assertNoBadNumbers(t, "text", midText.String())

	if !h.RunUntil(warned.Add(30*time.Minute), func() bool { return len(events(h, drain.EventCompleted)) == 1 }) {
		t.Fatalf("the Spot drain never ended: %+v", h.Events)
	}
	h.RunFor(10 * time.Minute)
	rep := rec.Finish("spot-goes-first", 0, h.World.Now().Sub(start))
	var text bytes.Buffer
	rep.WriteText(&text)
	t.Log("\n" + text.String())
	checkClean(t, h)

	// The story's premise, from the world itself: tasks were still on the
	// instance when it went, and drainer never released it.
	if len(rep.Drains) != 1 {
		t.Fatalf("%d drains in the report, want the Spot drain", len(rep.Drains))
	}
	d := rep.Drains[0]
	var goneAt time.Time
	lostInWorld := 0
	h.World.Do(func() {
		goneAt, _ = h.World.EC2.InterruptionTime(d.InstanceID)
		for _, tk := range h.World.ECS.TasksOn(h.World.ECS.ContainerInstanceByEC2(d.InstanceID).ContainerInstanceArn) {
			if !tk.StoppedAt.Before(goneAt) {
				lostInWorld++
			}
		}
	})
	if lostInWorld == 0 || len(events(h, drain.EventReleased)) != 0 {
		t.Fatalf("%d tasks stopped when the instance went at %v, drainer events %+v: the story proves nothing", lostInWorld, goneAt, h.Events)
	}

	if d.Reason != drain.ReasonSpot || d.Outcome != OutcomeCutShort || d.Lost != lostInWorld || !d.Released.IsZero() ||
		!d.Ended.Equal(goneAt) || !soon(goneAt.Add(-d.Drain), warned) || d.Overhead != 0 || d.Measured() {
		t.Errorf("figures %+v, want a Spot drain cut short at %v with %d tasks lost, no release and no overhead", d, goneAt, lostInWorld)
	}
	if r, ok := d.Ratio(); ok {
		t.Errorf("a drain cut short has ratio %v", r)
	}
	s := rep.Summarize()
	if s.Drains != 1 || s.CutShort != 1 || s.Released+s.Overdue+s.Unfinished != 0 || s.Ratio.N+s.Overhead.N+s.Calls.N != 0 || s.TasksMoved != 0 {
		t.Errorf("summary %+v, want one drain cut short and nothing measured", s)
	}
	out := text.String()
	for _, want := range []string{
		"1 drain in ", ": 1 cut short",
		"drain time / floor:      none measured (left out: 1 cut short)",
		"cut short", fmt.Sprintf("the instance went 2m0s into the drain with %d tasks still running, before drainer released it", lostInWorld),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report does not say %q", want)
		}
	}
	assertNoBadNumbers(t, "text", out)
	js, err := json.Marshal(rep)
	if err != nil {
		t.Fatalf("JSON report: %v", err)
	}
	assertNoBadNumbers(t, "JSON", string(js))
	if !strings.Contains(string(js), `"Outcome":"cut short"`) {
		t.Errorf("JSON report does not list the drain as cut short: %s", js)
	}
}
