package lambdafn_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/drainer-dev/drainer/assembly"
	"github.com/drainer-dev/drainer/cloud"
	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/ecs"
	"github.com/drainer-dev/drainer/emulator/fault"
	"github.com/drainer-dev/drainer/emulator/scenario"
	"github.com/drainer-dev/drainer/invariant"
	"github.com/drainer-dev/drainer/lambdafn"
	"github.com/drainer-dev/drainer/lambdafn/eventsource"
	"github.com/drainer-dev/drainer/sim"
)

// These tests call the function's handler in process, as Lambda's runtime
// does, with the events Lambda would pass, while the emulated world runs
// on its virtual clock: the function's AWS calls go through the SDK and
// the emulator's wire protocols, and every invocation runs as a goroutine
// of the world's clock, so that the time it waits (rate limits, batch
// windows) is virtual.

// world is a cluster of three instances behind drainer's hook (its
// heartbeat timeout as given), whose lifecycle notifications and ECS
// events reach the drainer queue, and a web service that cannot move
// (100/100) until the test lets it.
func world(t *testing.T, heartbeat string) (*emulator.World, *invariant.Checker) {
	t.Helper()
	sc, err := scenario.ParseYAML([]byte(`
name: lambda
clusters: [{name: demo}]
queues:
  - {name: drainer, visibilityTimeout: 6m}
rules:
  - name: ecs-to-drainer
    queue: drainer
    pattern:
      source: [aws.ecs]
      detail-type: [ECS Task State Change]
taskDefinitions:
  - {family: web, cpu: 256, memory: 512, start: 10s, healthy: 10s, stop: 5s}
  - {family: log-agent, memory: 128}
groups:
  - name: demo-asg
    cluster: demo
    min: 1
    max: 4
    desired: 3
    hooks:
      - {name: drainer, heartbeatTimeout: ` + heartbeat + `, defaultResult: CONTINUE, queue: drainer}
services:
  - {name: web, cluster: demo, taskDefinition: web, desired: 3, minHealthyPercent: 100, maxPercent: 100}
  - {name: log-agent, cluster: demo, taskDefinition: log-agent, daemon: true}
`))
	if err != nil {
		t.Fatal(err)
	}
	run, err := scenario.NewWorld(sc, emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	w := run.World
	checker := invariant.WatchWith(w, invariant.Options{Clusters: []string{"demo"}})
	w.Clock.RunFor(5 * time.Minute) // the instances boot, register and run their tasks
	return w, checker
}

// newFunction is the Lambda function in w, as drainer: a fresh process.
func newFunction(t *testing.T, w *emulator.World) *lambdafn.Function {
	t.Helper()
	return newFunctionWith(t, w, func(*assembly.Settings) {})
}

// newFunctionWith is newFunction with drainer's settings changed by set.
func newFunctionWith(t *testing.T, w *emulator.World, set func(*assembly.Settings)) *lambdafn.Function {
	t.Helper()
	return newFunctionWithOptions(t, w, func(o *lambdafn.Options) { set(&o.Drainer.Settings) })
}

// newFunctionWithOptions is newFunction with its options changed by set.
func newFunctionWithOptions(t *testing.T, w *emulator.World, set func(*lambdafn.Options)) *lambdafn.Function {
	t.Helper()
	cfg, client := sim.ClientOptions(w, sim.Caller, 1)
	s := assembly.DefaultSettings()
	s.Clusters = []string{"demo"}
	o := lambdafn.Options{Drainer: assembly.Options{Settings: s, AWS: cfg, Client: client, Clock: w.Clock, OnCall: recordCall}}
	set(&o)
	f, err := lambdafn.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// operator is a client of w for what the test does itself (scale in,
// read the queue as Lambda's event source does): no rate limit, no batch
// window, so that it calls from the test's goroutine while time stands.
func operator(w *emulator.World) *cloudaws.Client {
	cfg, opts := sim.ClientOptions(w, "operator", 1)
	fast := cloudaws.Limit{Rate: 1e9, Burst: 1 << 30}
	opts.Limits = cloudaws.Limits{ECS: fast, AutoScaling: fast, EC2: fast, SQS: fast, Events: fast}
	opts.BatchWindow = -1
	return cloudaws.NewFromConfig(cfg, opts)
}

// invoke calls the handler with event as Lambda would, as a goroutine of
// the world's clock, and returns its JSON answer.
func invoke(t *testing.T, w *emulator.World, f *lambdafn.Function, event any) (json.RawMessage, error) {
	t.Helper()
	payload, err := json.Marshal(event)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	var herr error
	if !w.Clock.Call(t.Context(), w.Now().Add(time.Hour), func(ctx context.Context) { out, herr = f.Handle(ctx, payload) }) {
		t.Fatal("an invocation did not return within an hour of virtual time")
	}
	if herr != nil {
		return nil, herr
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return b, nil
}

// scheduled is the scheduled rule's event at now.
func scheduled(now time.Time) events.CloudWatchEvent {
	return events.CloudWatchEvent{Version: "0", ID: "round-" + now.Format(time.RFC3339), DetailType: "Scheduled Event", Source: "aws.events",
		AccountID: "123456789012", Time: now, Region: "us-east-1", Detail: json.RawMessage(`{}`)}
}

// eventSource is Lambda's SQS event source mapping on a queue of w.
type eventSource struct {
	t *testing.T
	m *eventsource.Mapping
}

func newEventSource(t *testing.T, w *emulator.World, queue string) *eventSource {
	t.Helper()
	c := operator(w)
	url, err := c.QueueURL(t.Context(), queue)
	if err != nil {
		t.Fatal(err)
	}
	return &eventSource{t: t, m: &eventsource.Mapping{Queue: c, URL: url, ARN: "arn:aws:sqs:us-east-1:123456789012:" + queue, Region: "us-east-1"}}
}

// receive returns up to ten visible messages.
func (s *eventSource) receive() []cloud.Message {
	s.t.Helper()
	msgs, err := s.m.Receive(s.t.Context())
	if err != nil {
		s.t.Fatal(err)
	}
	return msgs
}

// take receives every visible message and returns those keep accepts;
// the others are deleted.
func (s *eventSource) take(keep func(cloud.Message) bool) []cloud.Message {
	s.t.Helper()
	msgs, err := s.m.Take(s.t.Context(), keep)
	if err != nil {
		s.t.Fatal(err)
	}
	return msgs
}

// deliver hands a batch to the function and settles it; it returns the
// IDs reported as failed.
func (s *eventSource) deliver(w *emulator.World, f *lambdafn.Function, msgs []cloud.Message) []string {
	s.t.Helper()
	out, err := invoke(s.t, w, f, s.m.Event(msgs))
	if err != nil {
		s.t.Fatalf("SQS invocation failed as a whole: %v", err)
	}
	var answer events.SQSEventResponse
	if err := json.Unmarshal(out, &answer); err != nil {
		s.t.Fatalf("SQS invocation answered %s: %v", out, err)
	}
	failed, err := s.m.Settle(s.t.Context(), msgs, answer)
	if err != nil {
		s.t.Fatal(err)
	}
	return failed
}

// scaleIn takes one instance out through Auto Scaling, as an operator
// would (the first in service); it waits in Terminating:Wait for
// drainer's hook.
func scaleIn(t *testing.T, w *emulator.World) string {
	t.Helper()
	c := operator(w)
	cis, err := c.ListContainerInstances(t.Context(), "demo", cloud.ContainerInstanceActive)
	if err != nil || len(cis) != 3 {
		t.Fatalf("container instances %+v, %v", cis, err)
	}
	id := cis[0].EC2InstanceID
	for i := 1; i < len(cis) && lifecycleState(t, w, id) != "InService"; i++ {
		id = cis[i].EC2InstanceID // one scaled in already
	}
	if err := c.TerminateGroupInstance(t.Context(), id, true); err != nil {
		t.Fatal(err)
	}
	return id
}

// lifecycleState is the instance's state in its group ("" once gone).
func lifecycleState(t *testing.T, w *emulator.World, id string) string {
	t.Helper()
	gis, err := operator(w).DescribeGroupInstances(t.Context(), []string{id})
	if err != nil || len(gis) == 0 {
		return ""
	}
	return string(gis[0].LifecycleState)
}

// noViolations fails the test with every invariant broken so far.
func noViolations(t *testing.T, c *invariant.Checker) {
	t.Helper()
	for _, v := range c.Violations() {
		t.Error(v)
	}
}

// lifecycleBody is a lifecycle notification as Auto Scaling sends it to a
// queue, for instanceID under hook, with token and time as given.
func lifecycleBody(instanceID, hook, token string, at time.Time) string {
	b, _ := json.Marshal(map[string]string{
		"Origin": "AutoScalingGroup", "Destination": "EC2", "LifecycleHookName": hook, "AccountId": "123456789012",
		"RequestId": "forged", "LifecycleTransition": "autoscaling:EC2_INSTANCE_TERMINATING", "AutoScalingGroupName": "demo-asg",
		"Service": "AWS Auto Scaling", "Time": at.UTC().Format("2006-01-02T15:04:05.000Z"), "EC2InstanceId": instanceID, "LifecycleActionToken": token,
	})
	return string(b)
}

// TestBatchOfForgedAndMalformedMessages: a batch is answered with exactly
// the messages whose handling failed; malformed and unknown messages are
// dropped as drainer's intake drops them, a hook drainer does not own is
// left alone, and a forged token for an action drainer owns still takes
// the action up (drainer trusts what Auto Scaling says, not the message).
// No message makes the function fail as a whole or lose the action.
func TestBatchOfForgedAndMalformedMessages(t *testing.T) {
	w, checker := world(t, "10m")
	src := newEventSource(t, w, "drainer")
	src.take(func(cloud.Message) bool { return false }) // the hook's test notification, the tasks' starts
	id := scaleIn(t, w)
	genuine := src.take(func(m cloud.Message) bool {
		return strings.Contains(m.Body, "EC2_INSTANCE_TERMINATING") && strings.Contains(m.Body, id)
	})
	if len(genuine) != 1 {
		t.Fatalf("lifecycle notifications of %s on the queue: %+v, want one", id, genuine)
	}
	f := newFunction(t, w)

	// Auto Scaling fails every look at its instances: the genuine
	// notification cannot be checked, so it fails alone; the malformed
	// and unknown messages are dropped.
	w.Do(func() {
		if err := w.Faults.Set(fault.Rule{Service: "autoscaling", Operation: "DescribeAutoScalingInstances", ErrorRate: 1}); err != nil {
			t.Fatal(err)
		}
	})
	batch := append([]cloud.Message{
		{ID: "not-json", ReceiptHandle: "h-not-json", Body: "{oops", ReceiveCount: 1},
		{ID: "unknown", ReceiptHandle: "h-unknown", Body: `{"hello":"world"}`, ReceiveCount: 1},
	}, genuine...)
	if failed := src.deliver(w, f, batch); !slices.Equal(failed, []string{genuine[0].ID}) {
		t.Fatalf("batch failures %v, want only the lifecycle notification %s", failed, genuine[0].ID)
	}
	w.Do(w.Faults.Clear)

	// A forged token for drainer's pending action, and a notification of
	// a hook drainer does not own: neither fails. The forged one starts
	// the drain: Auto Scaling says the action is pending.
	now := w.Now()
	forged := []cloud.Message{
		{ID: "forged-token", ReceiptHandle: "h-forged", Body: lifecycleBody(id, "drainer", "00000000-0000-4000-8000-000000000000", now), ReceiveCount: 1},
		{ID: "not-ours", ReceiptHandle: "h-not-ours", Body: lifecycleBody(id, "someone-elses-hook", "11111111-1111-4111-8111-111111111111", now), ReceiveCount: 1},
	}
	if failed := src.deliver(w, f, forged); len(failed) != 0 {
		t.Fatalf("batch failures %v, want none", failed)
	}
	ds := f.Drainer().Reconciler.Drains()
	if len(ds) != 1 || ds[0].InstanceID != id || ds[0].Record.Hook != "drainer" {
		t.Fatalf("drains after the forged notification: %+v, want the drain of %s under drainer's hook", ds, id)
	}

	// The genuine notification comes back after its backoff (at most
	// 10 s after a first receive), not its visibility timeout: its action
	// is already kept alive, so it costs nothing.
	w.Clock.RunFor(lambdafn.RetryDelay(1, 1) + time.Second)
	again := src.take(func(m cloud.Message) bool { return m.ID == genuine[0].ID })
	if len(again) != 1 || again[0].ReceiveCount != 2 {
		t.Fatalf("the failed notification did not come back once: %+v", again)
	}
	if failed := src.deliver(w, f, again); len(failed) != 0 {
		t.Fatalf("the notification failed again: %v", failed)
	}
	if got := lifecycleState(t, w, id); got != "Terminating:Wait" {
		t.Fatalf("%s is %q, want it still held for its drain", id, got)
	}
	noViolations(t, checker)
}

// TestRoundsKeepTheActionAliveAndFinishTheDrain: with nothing but the
// scheduled rounds (and the queue's batches), across fresh processes that
// remember nothing, and with a minute's invocations lost now and then,
// drainer keeps a lifecycle action of a hook with the shortest heartbeat
// timeout rounds can keep (3 minutes, MinHeartbeatTimeout) alive through
// a drain that cannot move for half an hour, then finishes
// the drain once ECS can move the tasks: its CompleteLifecycleAction
// releases the instance, tasks moved, and the invariants of DESIGN.md §7
// hold throughout. It never sends itself a message.
func TestRoundsKeepTheActionAliveAndFinishTheDrain(t *testing.T) {
	w, checker := world(t, "3m")
	src := newEventSource(t, w, "drainer")
	id := scaleIn(t, w)
	f := newFunction(t, w)
	minute := func(i int) {
		t.Helper()
		if i%7 == 3 {
			f = newFunction(t, w) // Lambda threw the environment away
		}
		if i%4 == 2 {
			// This minute's invocations are lost (throttled, late):
			// the next round must still come before the action lapses.
			w.Clock.RunFor(time.Minute)
			return
		}
		for msgs := src.receive(); len(msgs) > 0; msgs = src.receive() {
			if failed := src.deliver(w, f, msgs); len(failed) != 0 {
				t.Fatalf("minute %d: batch failures %v", i, failed)
			}
		}
		out, err := invoke(t, w, f, scheduled(w.Now()))
		if err != nil {
			t.Fatalf("minute %d: round failed: %v", i, err)
		}
		var rep lambdafn.Report
		if err := json.Unmarshal(out, &rep); err != nil || len(rep.Errors) > 0 || len(rep.Warnings) > 0 {
			t.Fatalf("minute %d: round report %s, %v", i, out, err)
		}
		w.Clock.RunFor(time.Minute)
	}
	for i := range 30 {
		minute(i)
		if got := lifecycleState(t, w, id); got != "Terminating:Wait" {
			t.Fatalf("minute %d: %s is %q; the drain cannot have finished: its action lapsed", i, id, got)
		}
	}
	noViolations(t, checker)
	// A heartbeat every round that came: the 3-minute hook's heartbeats
	// fall due 90 s apart, within the rounds' horizon.
	var beats int
	w.Do(func() { beats = w.Calls.CountBy(sim.Caller, "autoscaling", "RecordLifecycleActionHeartbeat", "OK") })
	if beats < 22 {
		t.Errorf("%d heartbeats in 23 rounds, want one a round", beats)
	}

	// ECS may now move the web tasks: the drain finishes.
	letWebMove(t, w)
	for i := 30; lifecycleState(t, w, id) != ""; i++ {
		if i > 60 {
			t.Fatalf("%s still %q after half an hour of rounds with its tasks free to move", id, lifecycleState(t, w, id))
		}
		minute(i)
	}
	w.Clock.RunFor(5 * time.Minute)
	var completed, sent int
	w.Do(func() {
		completed = w.Calls.CountBy(sim.Caller, "autoscaling", "CompleteLifecycleAction", "OK")
		sent = w.Calls.CountBy(sim.Caller, "sqs", "SendMessage", "") + w.Calls.CountBy(sim.Caller, "sqs", "SendMessageBatch", "")
	})
	if completed != 1 {
		t.Errorf("%d CompleteLifecycleAction by drainer, want the one that released %s", completed, id)
	}
	if sent != 0 {
		t.Errorf("drainer sent %d messages to a queue: it must never invoke itself", sent)
	}
	noViolations(t, checker)
	for _, v := range checker.Final() {
		t.Error(v)
	}
	if ds := checker.Drained(); !slices.Contains(ds, id) {
		t.Errorf("drained instances %v, want %s", ds, id)
	}
}

// TestHandleRefusesWhatItCannotServe: an event of another kind fails the
// invocation with a reason, and a function out of time refuses to start.
func TestHandleRefusesWhatItCannotServe(t *testing.T) {
	w, _ := world(t, "10m")
	f := newFunction(t, w)
	for _, ev := range []any{
		map[string]any{"Records": []map[string]string{{"eventSource": "aws:kinesis"}}},
		map[string]any{"source": "aws.autoscaling", "detail-type": "EC2 Instance-terminate Lifecycle Action", "detail": map[string]string{}},
		"just a string",
	} {
		if out, err := invoke(t, w, f, ev); err == nil {
			t.Errorf("event %v answered %s, want an error", ev, out)
		}
	}
	ctx, cancel := context.WithDeadline(t.Context(), time.Now().Add(2*time.Second))
	defer cancel()
	var err error
	w.Clock.Call(ctx, w.Now().Add(time.Minute), func(ctx context.Context) {
		_, err = f.Handle(ctx, mustJSON(t, scheduled(w.Now())))
	})
	if err == nil || !strings.Contains(err.Error(), "longer timeout") {
		t.Errorf("a round with 2 s left: %v, want a refusal asking for a longer timeout", err)
	}
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ptr[T any](v T) *T { return &v }

// letWebMove lets ECS start a web task before it stops one (maximum
// 200 %): the tasks can leave a draining instance.
func letWebMove(t *testing.T, w *emulator.World) {
	t.Helper()
	w.Do(func() {
		_, err := w.ECS.UpdateService(ecs.UpdateServiceInput{Cluster: "demo", Service: "web",
			DeploymentConfiguration: &ecs.DeploymentConfiguration{MinimumHealthyPercent: ptr[int32](100), MaximumPercent: ptr[int32](200)}})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestRoundWarnsOfAHookTooShortForRounds: a hook whose heartbeat timeout
// rounds a minute apart cannot keep is named in the round's report and
// log, once per process.
func TestRoundWarnsOfAHookTooShortForRounds(t *testing.T) {
	w, _ := world(t, "2m")
	src := newEventSource(t, w, "drainer")
	id := scaleIn(t, w)
	f := newFunction(t, w)
	msgs := src.take(func(m cloud.Message) bool { return strings.Contains(m.Body, id) })
	if failed := src.deliver(w, f, msgs); len(failed) != 0 {
		t.Fatalf("batch failures %v", failed)
	}
	rep := round(t, w, f)
	if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "hook drainer of group demo-asg has a heartbeat timeout of 2m0s") {
		t.Fatalf("first round's warnings %q, want one naming the 2-minute hook", rep.Warnings)
	}
	w.Clock.RunFor(time.Minute)
	if rep := round(t, w, f); len(rep.Warnings) != 0 {
		t.Errorf("second round warned again: %q", rep.Warnings)
	}
}

// TestOneRoundTakesUpALostMessage: a lifecycle action of drainer's hook
// whose message never reached the function (deleted from the queue before
// any invocation) is taken up by the next scheduled round, whether that
// round runs in a fresh execution environment (its first scan) or in one
// whose earlier rounds scanned already; the rounds then finish its drain.
func TestOneRoundTakesUpALostMessage(t *testing.T) {
	for _, warm := range []bool{false, true} {
		name := map[bool]string{false: "cold", true: "warm"}[warm]
		t.Run(name, func(t *testing.T) {
			w, checker := world(t, "10m")
			src := newEventSource(t, w, "drainer")
			src.take(func(cloud.Message) bool { return false }) // the hook's test notification, the tasks' starts
			var f *lambdafn.Function
			if warm {
				f = newFunction(t, w)
				for range 2 {
					if rep := round(t, w, f); !rep.Scanned {
						t.Fatalf("a round before the scale-in did not scan: %+v", rep)
					}
					w.Clock.RunFor(time.Minute)
				}
			}
			id := scaleIn(t, w)
			lost := src.take(func(cloud.Message) bool { return false }) // the lifecycle notification among them
			if len(lost) != 0 {
				t.Fatalf("messages kept: %+v", lost)
			}
			w.Clock.RunFor(5 * time.Second)
			if !warm {
				f = newFunction(t, w)
			}
			rep := round(t, w, f)
			if len(rep.Errors) > 0 || len(rep.Warnings) > 0 || !rep.Scanned || rep.TakenUp != 1 {
				t.Fatalf("the round after the lost message: %+v, want it scanned and one action taken up", rep)
			}
			ds := f.Drainer().Reconciler.Drains()
			if len(ds) != 1 || ds[0].InstanceID != id || ds[0].Record.Hook != "drainer" {
				t.Fatalf("drains after one round: %+v, want the drain of %s under drainer's hook", ds, id)
			}

			// ECS may move the web tasks: the rounds (and the batches of
			// the tasks' events) finish the drain.
			letWebMove(t, w)
			for i := 0; lifecycleState(t, w, id) != ""; i++ {
				if i > 30 {
					t.Fatalf("%s still %q after half an hour of rounds", id, lifecycleState(t, w, id))
				}
				w.Clock.RunFor(time.Minute)
				for msgs := src.receive(); len(msgs) > 0; msgs = src.receive() {
					if failed := src.deliver(w, f, msgs); len(failed) != 0 {
						t.Fatalf("batch failures %v", failed)
					}
				}
				if rep := round(t, w, f); len(rep.Errors) > 0 {
					t.Fatalf("round: %+v", rep)
				}
			}
			var completed int
			w.Do(func() { completed = w.Calls.CountBy(sim.Caller, "autoscaling", "CompleteLifecycleAction", "OK") })
			if completed != 1 {
				t.Errorf("%d CompleteLifecycleAction by drainer, want the one that released %s", completed, id)
			}
			w.Clock.RunFor(5 * time.Minute)
			noViolations(t, checker)
			if ds := checker.Drained(); !slices.Contains(ds, id) {
				t.Errorf("drained instances %v, want %s", ds, id)
			}
		})
	}
}

// TestTakeUpWaitsItsGrace: a round takes up a lost lifecycle action its
// take-up grace after its scan (lambdafn.Options.TakeUpGrace, by default
// lambdafn.DefaultTakeUpGrace), not sooner, and a shorter grace takes it
// up sooner: the take-up's heartbeat is drainer's first.
func TestTakeUpWaitsItsGrace(t *testing.T) {
	for _, tc := range []struct {
		name  string
		grace time.Duration // 0: the default
		after time.Duration // the least time from the round's start to the heartbeat
	}{
		{"default", 0, lambdafn.DefaultTakeUpGrace},
		{"2s", 2 * time.Second, 2 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, _ := world(t, "10m")
			src := newEventSource(t, w, "drainer")
			src.take(func(cloud.Message) bool { return false }) // the hook's test notification, the tasks' starts
			scaleIn(t, w)
			src.take(func(cloud.Message) bool { return false }) // the lifecycle notification among them
			w.Clock.RunFor(5 * time.Second)
			f := newFunctionWithOptions(t, w, func(o *lambdafn.Options) { o.TakeUpGrace = tc.grace })
			start := w.Now()
			if rep := round(t, w, f); rep.TakenUp != 1 || len(rep.Errors) > 0 {
				t.Fatalf("round: %+v, want one action taken up", rep)
			}
			var heartbeat time.Time
			w.Do(func() {
				for _, c := range w.Calls.All() {
					if c.Caller == sim.Caller && c.Operation == "RecordLifecycleActionHeartbeat" {
						heartbeat = c.Time
						break
					}
				}
			})
			switch took := heartbeat.Sub(start); {
			case heartbeat.IsZero():
				t.Fatal("no heartbeat by drainer")
			case took < tc.after:
				t.Errorf("the take-up's heartbeat came %v after the round's start, want %v or more", took, tc.after)
			case tc.grace > 0 && took >= lambdafn.DefaultTakeUpGrace:
				t.Errorf("the take-up's heartbeat came %v after the round's start, want it before the default grace of %v", took, lambdafn.DefaultTakeUpGrace)
			}
		})
	}
}

// TestNewRefusesAGraceThatLeavesNoTimeToTakeUp: a take-up grace longer
// than MaxTakeUpGrace of the period and reserve is refused.
func TestNewRefusesAGraceThatLeavesNoTimeToTakeUp(t *testing.T) {
	_, err := lambdafn.New(lambdafn.Options{TakeUpGrace: lambdafn.MaxTakeUpGrace(lambdafn.DefaultPeriod, lambdafn.DefaultReserve) + time.Second})
	if err == nil || !strings.Contains(err.Error(), "take-up grace 41s") {
		t.Errorf("New with a 41s grace: %v, want an error naming it", err)
	}
}

// round invokes a scheduled round and returns its report.
func round(t *testing.T, w *emulator.World, f *lambdafn.Function) lambdafn.Report {
	t.Helper()
	out, err := invoke(t, w, f, scheduled(w.Now()))
	if err != nil {
		t.Fatal(err)
	}
	var rep lambdafn.Report
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestRoundTakesUpNoMoreThanItsPages: a round takes up at most the scans'
// pages (--scan-pages) of the lost actions its scan found, says how many
// it left, and the next round, in a fresh environment, takes up the rest.
func TestRoundTakesUpNoMoreThanItsPages(t *testing.T) {
	w, checker := world(t, "10m")
	src := newEventSource(t, w, "drainer")
	onePage := func(s *assembly.Settings) { s.ScanPages = 1 }
	first, second := scaleIn(t, w), scaleIn(t, w)
	src.take(func(cloud.Message) bool { return false })
	w.Clock.RunFor(5 * time.Second)
	f := newFunctionWith(t, w, onePage)
	rep := round(t, w, f)
	if rep.TakenUp != 1 || len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "1 instances in Terminating:Wait with no drain left to the next round") {
		t.Fatalf("round with two lost actions and one page: %+v, want one taken up and one left", rep)
	}
	// Beyond the scan's own: one look at the hooks and one heartbeat each.
	if got := rep.Calls["autoscaling:DescribeLifecycleHooks"] + rep.Calls["autoscaling:RecordLifecycleActionHeartbeat"]; got > 3 {
		t.Errorf("calls %v: more than the take-up of one action asks", rep.Calls)
	}
	w.Clock.RunFor(time.Minute)
	f = newFunctionWith(t, w, onePage)
	if rep := round(t, w, f); rep.TakenUp != 1 || rep.Resumed != 1 || len(rep.Errors) > 0 {
		t.Fatalf("next round, fresh: %+v, want the drain recorded resumed and the other action taken up", rep)
	}
	var ids []string
	for _, d := range f.Drainer().Reconciler.Drains() {
		ids = append(ids, d.InstanceID)
	}
	slices.Sort(ids)
	want := []string{first, second}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("drains %v, want %v", ids, want)
	}
	noViolations(t, checker)
}

// TestFailedMessageComesBackAfterABackoff: a message whose handling failed
// (Auto Scaling cannot be read) is brought back after the backoff of its
// receive count (lambdafn.RetryDelay: 5–10 s, then 10–20 s), not after
// the queue's visibility timeout of 6 minutes, with a
// ChangeMessageVisibility on the receipt handle of its latest receive;
// once Auto Scaling answers, it starts the drain. When
// ChangeMessageVisibility fails too, the message is not lost: it comes
// back after the visibility timeout.
func TestFailedMessageComesBackAfterABackoff(t *testing.T) {
	w, checker := world(t, "10m")
	src := newEventSource(t, w, "drainer")
	src.take(func(cloud.Message) bool { return false })
	id := scaleIn(t, w)
	notice := func(m cloud.Message) bool {
		return strings.Contains(m.Body, "EC2_INSTANCE_TERMINATING") && strings.Contains(m.Body, id)
	}
	msgs := src.take(notice)
	if len(msgs) != 1 {
		t.Fatalf("lifecycle notifications of %s: %+v, want one", id, msgs)
	}
	f := newFunction(t, w)
	setFault := func(r fault.Rule) {
		t.Helper()
		w.Do(func() {
			if err := w.Faults.Set(r); err != nil {
				t.Fatal(err)
			}
		})
	}
	setFault(fault.Rule{Service: "autoscaling", Operation: "DescribeAutoScalingInstances", ErrorRate: 1})
	changed := func() (n int) {
		w.Do(func() { n = w.Calls.CountBy(sim.Caller, "sqs", "ChangeMessageVisibility", "OK") })
		return n
	}
	// back fails the message's delivery, then tells how long after the
	// invocation, and after the receive (just before it), the message is
	// visible again, within limit, looking every second.
	back := func(limit time.Duration) (afterInvocation, afterReceive time.Duration, _ cloud.Message) {
		t.Helper()
		received := w.Now()
		if failed := src.deliver(w, f, msgs); !slices.Equal(failed, []string{msgs[0].ID}) {
			t.Fatalf("batch failures %v, want the notification", failed)
		}
		start := w.Now()
		for w.Now().Sub(start) <= limit {
			w.Clock.RunFor(time.Second)
			if again := src.take(notice); len(again) > 0 {
				return w.Now().Sub(start), w.Now().Sub(received), again[0]
			}
		}
		t.Fatalf("the notification did not come back within %v", limit)
		return 0, 0, cloud.Message{}
	}
	for i, want := range []struct{ least, most time.Duration }{{5 * time.Second, 10 * time.Second}, {10 * time.Second, 20 * time.Second}} {
		after, _, m := back(time.Minute)
		if after < want.least || after > want.most+time.Second {
			t.Fatalf("failure %d: the notification came back %v after the invocation, want %v to %v", i+1, after, want.least, want.most)
		}
		if m.ReceiveCount != i+2 || changed() != i+1 {
			t.Fatalf("failure %d: came back received %d times after %d visibility changes", i+1, m.ReceiveCount, changed())
		}
		msgs = []cloud.Message{m}
	}

	// ChangeMessageVisibility fails: the message comes back after the
	// queue's visibility timeout, not before.
	setFault(fault.Rule{Service: "sqs", Operation: "ChangeMessageVisibility", ErrorRate: 1})
	_, after, m := back(7 * time.Minute)
	if after < 6*time.Minute {
		t.Fatalf("with ChangeMessageVisibility failing, the notification came back %v after its receive, want the visibility timeout of 6 minutes", after)
	}
	if m.ReceiveCount != 4 || changed() != 2 {
		t.Fatalf("came back received %d times after %d visibility changes, want 4 and 2", m.ReceiveCount, changed())
	}

	// Auto Scaling answers again: the notification starts the drain.
	w.Do(w.Faults.Clear)
	if failed := src.deliver(w, f, []cloud.Message{m}); len(failed) != 0 {
		t.Fatalf("batch failures %v once Auto Scaling answers", failed)
	}
	if ds := f.Drainer().Reconciler.Drains(); len(ds) != 1 || ds[0].InstanceID != id {
		t.Fatalf("drains %+v, want the drain of %s", ds, id)
	}
	noViolations(t, checker)
}
