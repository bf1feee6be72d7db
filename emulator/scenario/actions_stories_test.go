package scenario

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/ec2"
)

// These stories play the timeline actions that go around drainer's usual
// paths: an instance terminated straight through EC2, messages that Auto
// Scaling or EC2 did not send at that moment, hosts in no Auto Scaling
// group, and an instance refresh that replaces protected instances.

// recordOf returns the record of the only step of action, failing the test
// if it failed or did not run.
func recordOf(t *testing.T, run *Run, action string) Record {
	t.Helper()
	var found []Record
	for _, r := range run.Records() {
		if r.Action == action {
			found = append(found, r)
		}
	}
	if len(found) != 1 || found[0].Err != "" {
		t.Fatalf("records of %s = %+v, want one that succeeded", action, found)
	}
	return found[0]
}

func availableENIs(w *emulator.World) (n int) {
	w.Do(func() {
		for _, eni := range w.EC2.NetworkInterfaces() {
			if eni.Status == "available" {
				n++
			}
		}
	})
	return n
}

const terminateEC2Scenario = `
name: terminate-ec2
seed: 7
clusters: [{name: c}]
queues: [{name: drainer}]
taskDefinitions:
  - {family: app, cpu: 256, memory: 512, networkMode: awsvpc}
groups:
  - name: g
    cluster: c
    min: 3
    max: 3
    desired: 3
    hooks: [{name: drainer, heartbeatTimeout: 10m, defaultResult: CONTINUE, queue: drainer}]
services:
  - {name: app, cluster: c, taskDefinition: app, desired: 3, minHealthyPercent: 50, maxPercent: 200}
timeline:
  - {at: 5m, action: terminate-ec2, group: g, instance: newest}
`

func TestStoryTerminateEC2BypassesAutoScalingAndItsHooks(t *testing.T) {
	run := play(t, terminateEC2Scenario)
	w := run.World
	w.Clock.RunFor(4 * time.Minute)
	receiveAll(t, w, "drainer") // the hook's test notification
	if n := availableENIs(w); n != 0 {
		t.Fatalf("%d interfaces available before the termination", n)
	}

	w.Clock.RunUntil(emulator.DefaultStart.Add(5 * time.Minute))
	victim := recordOf(t, run, ActionTerminateEC2).Instance
	if inst, _ := w.EC2.Instance(victim); inst == nil || inst.State != ec2.StateShuttingDown {
		t.Fatalf("%s right after terminate-ec2: %+v, want shutting-down", victim, inst)
	}
	if n := w.Calls.Count("ec2", "TerminateInstances", "OK"); n != 1 {
		t.Fatalf("EC2 TerminateInstances called %d times, want once", n)
	}
	if n := w.Calls.Count("autoscaling", "TerminateInstanceInAutoScalingGroup", ""); n != 0 {
		t.Fatalf("the termination went through Auto Scaling (%d calls)", n)
	}
	// The host's tasks died with it and left their interfaces behind.
	if n := liveTasksOn(w, victim); n != 0 {
		t.Fatalf("%d tasks alive on a host that is shutting down", n)
	}
	if n := availableENIs(w); n == 0 {
		t.Fatal("no network interface left available by the dead host's awsvpc task")
	}

	// Auto Scaling notices once EC2 has terminated it, runs no hook and
	// replaces it.
	w.Clock.RunFor(5 * time.Minute)
	for _, body := range receiveAll(t, w, "drainer") {
		if strings.Contains(body, "EC2_INSTANCE_TERMINATING") {
			t.Fatalf("the termination hook ran for an instance terminated through EC2: %s", body)
		}
	}
	insts := groupInstances(t, w, "g")
	if got := inState(insts, "InService"); len(got) != 3 {
		t.Fatalf("InService after the replacement = %v, want 3", got)
	}
	for _, in := range insts {
		if in.InstanceId == victim {
			t.Fatalf("%s still in the group: %+v", victim, in)
		}
	}
	if n := availableENIs(w); n == 0 {
		t.Fatal("the leaked interfaces were cleaned up by the emulator: only drainer's sweep may delete them")
	}
}

const messagesScenario = `
name: messages
seed: 11
clusters: [{name: c}]
queues: [{name: drainer}, {name: other}]
taskDefinitions: [{family: app, cpu: 256, memory: 512}]
groups:
  - name: g
    cluster: c
    min: 1
    max: 3
    desired: 3
    hooks:
      - {name: drainer, heartbeatTimeout: 30m, defaultResult: CONTINUE, queue: drainer, metadata: prod}
      - {name: log-shipper, heartbeatTimeout: 30m, defaultResult: ABANDON}
services:
  - {name: app, cluster: c, taskDefinition: app, desired: 3}
timeline:
  - {at: 5m, action: set-desired, group: g, count: 2}
  - {at: 6m, action: send-message, queue: other, template: lifecycle, group: g, instance: waiting, note: copy}
  - {at: 6m, action: send-message, queue: other, template: lifecycle, group: g, instance: waiting, token: wrong, timeOffset: -192h, note: forged}
  - {at: 6m, action: send-message, queue: other, template: lifecycle-eventbridge, group: g, instance: waiting, hook: log-shipper, timeOffset: 10m, duplicate: 2, note: eventbridge}
  - {at: 6m, action: send-message, queue: other, template: spot-warning, group: g, instance: newest, note: spot}
  - {at: 6m, action: send-message, queue: other, template: rebalance, group: g, timeOffset: -1h, note: rebalance}
  - {at: 6m, action: send-message, queue: other, body: 'not json {', duplicate: 3, note: raw}
`

func TestStorySendMessageDeliversWhatAutoScalingAndEC2WouldSend(t *testing.T) {
	run := play(t, messagesScenario)
	w := run.World
	w.Clock.RunUntil(emulator.DefaultStart.Add(5*time.Minute + 30*time.Second))
	waiting := inState(groupInstances(t, w, "g"), "Terminating:Wait")
	if len(waiting) != 1 {
		t.Fatalf("Terminating:Wait = %v, want one instance", waiting)
	}
	victim := waiting[0]
	var sent autoscaling.LifecycleMessage
	for _, body := range receiveAll(t, w, "drainer") {
		if strings.Contains(body, "EC2_INSTANCE_TERMINATING") {
			if err := json.Unmarshal([]byte(body), &sent); err != nil {
				t.Fatal(err)
			}
		}
	}
	if sent.LifecycleActionToken == "" {
		t.Fatal("Auto Scaling sent no lifecycle message to the hook's queue")
	}

	w.Clock.RunFor(time.Minute)
	if errs := run.Errors(); len(errs) > 0 {
		t.Fatalf("steps failed: %+v", errs)
	}
	byNote := map[string][]string{}
	for _, body := range receiveAll(t, w, "other") {
		note := "raw"
		switch {
		case strings.Contains(body, `"detail-type":"EC2 Instance-terminate Lifecycle Action"`):
			note = "eventbridge"
		case strings.Contains(body, "Spot Instance Interruption Warning"):
			note = "spot"
		case strings.Contains(body, "Rebalance Recommendation"):
			note = "rebalance"
		case strings.Contains(body, sent.LifecycleActionToken):
			note = "copy"
		case strings.Contains(body, "EC2_INSTANCE_TERMINATING"):
			note = "forged"
		}
		byNote[note] = append(byNote[note], body)
	}
	for note, n := range map[string]int{"copy": 1, "forged": 1, "eventbridge": 2, "spot": 1, "rebalance": 1, "raw": 3} {
		if len(byNote[note]) != n {
			t.Errorf("%s: %d messages, want %d: %q", note, len(byNote[note]), n, byNote[note])
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	// The copy is the message Auto Scaling sent, but for its RequestId.
	var copied autoscaling.LifecycleMessage
	if err := json.Unmarshal([]byte(byNote["copy"][0]), &copied); err != nil {
		t.Fatal(err)
	}
	copied.RequestId = sent.RequestId
	if copied != sent {
		t.Fatalf("copy %+v\nsent %+v", copied, sent)
	}

	// The forged one: a token Auto Scaling refuses, a Time 8 days old.
	var forged autoscaling.LifecycleMessage
	if err := json.Unmarshal([]byte(byNote["forged"][0]), &forged); err != nil {
		t.Fatal(err)
	}
	start, _ := time.Parse(time.RFC3339, sent.Time)
	if forged.EC2InstanceId != victim || forged.LifecycleHookName != "drainer" ||
		forged.Time != start.Add(-192*time.Hour).Format("2006-01-02T15:04:05.000Z") {
		t.Fatalf("forged message %+v", forged)
	}
	_, err := emulator.Invoke(w, "test", w.AutoScaling.CompleteLifecycleAction, autoscaling.CompleteLifecycleActionInput{
		AutoScalingGroupName: "g", LifecycleHookName: "drainer", LifecycleActionToken: forged.LifecycleActionToken, LifecycleActionResult: "CONTINUE",
	})
	if codeOf(err) != "ValidationError" {
		t.Fatalf("completing with the forged token: %v, want ValidationError", err)
	}

	// The EventBridge one carries log-shipper's real token, 10 minutes ahead.
	var ev struct {
		Source    string                       `json:"source"`
		Time      string                       `json:"time"`
		Resources []string                     `json:"resources"`
		Detail    autoscaling.LifecycleMessage `json:"detail"`
	}
	if err := json.Unmarshal([]byte(byNote["eventbridge"][0]), &ev); err != nil {
		t.Fatal(err)
	}
	var logToken string
	w.Do(func() {
		for _, a := range w.AutoScaling.LifecycleActions(victim) {
			if a.LifecycleHookName == "log-shipper" {
				logToken = a.Token
			}
		}
	})
	if ev.Source != "aws.autoscaling" || len(ev.Resources) != 1 || ev.Detail.LifecycleHookName != "log-shipper" ||
		ev.Detail.LifecycleActionToken != logToken || ev.Time != start.Add(10*time.Minute).Format(time.RFC3339) ||
		byNote["eventbridge"][0] != byNote["eventbridge"][1] {
		t.Fatalf("EventBridge lifecycle events %q (log-shipper token %s)", byNote["eventbridge"], logToken)
	}

	// The EC2 events name the instances the selectors picked, and the
	// records say which.
	picked := map[string]string{}
	for _, r := range run.Records() {
		note, _, _ := strings.Cut(r.Detail, " — ")
		picked[note] = r.Instance
	}
	if picked["copy"] != victim || picked["raw"] != "" {
		t.Fatalf("records picked %v, want %s for the copy and nothing for the raw body", picked, victim)
	}
	at := emulator.DefaultStart.Add(6 * time.Minute)
	for _, c := range []struct{ note, time string }{
		{"spot", at.Format(time.RFC3339)},
		{"rebalance", at.Add(-time.Hour).Format(time.RFC3339)},
	} {
		body := byNote[c.note][0]
		if picked[c.note] == "" || picked[c.note] == victim || !strings.Contains(body, `"instance-id":"`+picked[c.note]+`"`) ||
			!strings.Contains(body, `"source":"aws.ec2"`) || !strings.Contains(body, `"time":"`+c.time+`"`) {
			t.Errorf("%s: picked %s, body %s", c.note, picked[c.note], body)
		}
	}
	if picked["spot"] == picked["rebalance"] {
		t.Errorf("newest and oldest picked the same instance %s", picked["spot"])
	}
	if byNote["raw"][0] != "not json {" {
		t.Errorf("raw body = %q", byNote["raw"][0])
	}
}

const standaloneScenario = `
name: standalone-hosts
seed: 17
clusters: [{name: c}]
queues: [{name: events}]
rules:
  - {name: spot, queue: events, pattern: {source: [aws.ec2], detail-type: [EC2 Spot Instance Interruption Warning]}}
taskDefinitions: [{family: app, cpu: 256, memory: 512}]
instances:
  - {name: batch, cluster: c, instanceType: m5.xlarge, count: 3, spot: true}
services:
  - {name: app, cluster: c, taskDefinition: app, desired: 3}
timeline:
  - {at: 5m, action: drain-instance, instances: batch, instance: "1"}
  - {at: 6m, action: interrupt-spot, instances: batch, instance: newest}
  - {at: 7m, action: terminate-ec2, instances: batch}
`

func TestStoryHostsInNoGroupJoinTheirClusterAndAreNotReplaced(t *testing.T) {
	run := play(t, standaloneScenario)
	w := run.World
	ids := run.InstanceSet("batch")
	if len(ids) != 3 {
		t.Fatalf("instance set batch launched %v, want 3 instances", ids)
	}
	// They join the cluster their user data names, outside any group, and
	// ECS places the service there.
	w.Clock.RunFor(4 * time.Minute)
	var azs []string
	w.Do(func() {
		for _, id := range ids {
			inst, _ := w.EC2.Instance(id)
			if _, inGroup := inst.Tag("aws:autoscaling:groupName"); inGroup || !inst.Spot || inst.InstanceType != "m5.xlarge" {
				t.Errorf("host %s: %+v", id, inst)
			}
			if name, _ := inst.Tag("Name"); name != "batch" {
				t.Errorf("host %s Name tag %q", id, name)
			}
			if _, inGroup := w.AutoScaling.GroupOf(id); inGroup {
				t.Errorf("host %s belongs to a group", id)
			}
			ci := w.ECS.ContainerInstanceByEC2(id)
			if ci == nil || ci.Status != "ACTIVE" || clusterOf(ci.ContainerInstanceArn) != "c" {
				t.Errorf("host %s container instance %+v", id, ci)
			}
			azs = append(azs, inst.AZ)
		}
	})
	if azs[0] == azs[1] || azs[1] == azs[2] {
		t.Errorf("hosts not spread over the AZs: %v", azs)
	}
	if h := w.ECS.HealthyCount("c", "app"); h != 3 {
		t.Fatalf("app healthy on the hosts = %d, want 3", h)
	}

	// Steps pick them by set and selector.
	w.Clock.RunUntil(emulator.DefaultStart.Add(7 * time.Minute))
	if got := recordOf(t, run, ActionDrainInstance).Instance; got != ids[1] {
		t.Fatalf("drain-instance picked %s, want the second host %s", got, ids[1])
	}
	var status string
	w.Do(func() { status = w.ECS.ContainerInstanceByEC2(ids[1]).Status })
	if status != "DRAINING" {
		t.Fatalf("drained host is %s", status)
	}
	if got := recordOf(t, run, ActionInterruptSpot).Instance; got != ids[2] {
		t.Fatalf("interrupt-spot picked %s, want the newest host %s", got, ids[2])
	}
	if msgs := receiveAll(t, w, "events"); len(msgs) != 1 || !strings.Contains(msgs[0], ids[2]) {
		t.Fatalf("spot warnings routed = %q, want one for %s", msgs, ids[2])
	}
	// The oldest running host is the first: terminate-ec2 ends it.
	if got := recordOf(t, run, ActionTerminateEC2).Instance; got != ids[0] {
		t.Fatalf("terminate-ec2 picked %s, want the oldest host %s", got, ids[0])
	}

	// Nothing replaces them.
	w.Clock.RunFor(10 * time.Minute)
	var running int
	w.Do(func() {
		for _, inst := range w.EC2.Instances() {
			if inst.State == ec2.StateRunning || inst.State == ec2.StatePending {
				running++
			}
		}
	})
	if running != 1 {
		t.Fatalf("%d hosts running after two were ended, want 1", running)
	}
	// With no running host left to pick from, a step fails with a clear error.
	run.do(Step{Action: ActionInterruptSpot, Instances: "batch", Instance: "1"})
	errs := run.Errors()
	if len(errs) != 1 || !strings.Contains(errs[0].Err, "instances batch has no instance number 1 (it has 1)") {
		t.Fatalf("errors = %+v", errs)
	}
}

// refreshProtectedScenario is the shape of the protected-instances refresh
// case: every instance protected from scale in, a first refresh with the
// default preference (Wait) and a second one with Refresh.
const refreshProtectedScenario = `
name: refresh-protected
seed: 13
clusters: [{name: c}]
queues: [{name: drainer, visibilityTimeout: 60s}]
taskDefinitions:
  - {family: web, cpu: 256, memory: 512, start: 20s, healthy: 30s, stop: 5s}
groups:
  - name: g
    cluster: c
    min: 1
    max: 5
    desired: 3
    protectNewInstances: true
    hooks: [{name: drainer, heartbeatTimeout: 5m, defaultResult: CONTINUE, queue: drainer}]
    capacityProvider: {name: cp, managedTerminationProtection: true, managedDraining: true}
services:
  - {name: web, cluster: c, taskDefinition: web, desired: 6, minHealthyPercent: 100, maxPercent: 200, loadBalanced: true}
timeline:
  - {at: 10m, action: instance-refresh, group: g, minHealthyPercentage: 66, warmup: 60s}
  - {at: 75m, action: instance-refresh, group: g, minHealthyPercentage: 66, warmup: 60s, scaleInProtectedInstances: Refresh}
`

func TestStoryRefreshWaitsForProtectedInstancesUnlessToldToRefreshThem(t *testing.T) {
	run := play(t, refreshProtectedScenario)
	w := run.World
	refreshes := func() []autoscaling.InstanceRefresh {
		out, err := emulator.Invoke(w, "test", w.AutoScaling.DescribeInstanceRefreshes, autoscaling.DescribeInstanceRefreshesInput{AutoScalingGroupName: "g"})
		if err != nil {
			t.Fatal(err)
		}
		return out.InstanceRefreshes // newest first
	}
	w.Clock.RunFor(9 * time.Minute)
	before := inState(groupInstances(t, w, "g"), "InService")
	if len(before) != 3 {
		t.Fatalf("InService before = %v", before)
	}

	// Wait: nothing is replaced, and the refresh fails after an hour.
	w.Clock.RunUntil(emulator.DefaultStart.Add(74 * time.Minute))
	rs := refreshes()
	if len(rs) != 1 || rs[0].Status != autoscaling.RefreshFailed || rs[0].Preferences.ScaleInProtectedInstances != "Wait" {
		t.Fatalf("first refresh = %+v, want Failed with Wait", rs)
	}
	if got := inState(groupInstances(t, w, "g"), "InService"); strings.Join(got, ",") != strings.Join(before, ",") {
		t.Fatalf("InService after the waiting refresh = %v, want %v untouched", got, before)
	}

	// Refresh: the protected instances are replaced too.
	done := func() bool { rs := refreshes(); return len(rs) == 2 && rs[0].Status == autoscaling.RefreshSuccessful }
	if !w.Clock.RunUntilDone(w.Now().Add(2*time.Hour), done) {
		t.Fatalf("second refresh not Successful within 2h: %+v", refreshes())
	}
	if rs := run.Records(); len(rs) != 2 || rs[1].Err != "" || !strings.Contains(rs[1].Detail, "scale-in protected instances: Refresh") {
		t.Fatalf("records = %+v, want the second refresh asking for Refresh", rs)
	}
	if p := refreshes()[0].Preferences; p.ScaleInProtectedInstances != "Refresh" {
		t.Fatalf("second refresh preferences = %+v", p)
	}
	after := inState(groupInstances(t, w, "g"), "InService")
	if len(after) != 3 {
		t.Fatalf("InService after = %v", after)
	}
	for _, old := range before {
		for _, id := range after {
			if id == old {
				t.Fatalf("protected instance %s survived a refresh with Refresh", old)
			}
		}
	}
}
