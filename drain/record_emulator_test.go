package drain_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/cloud"
	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/metrics"
)

// The record shares ECS's 10 custom attributes per container instance with
// the customer's own. An instance carrying 9 gets a one-attribute record
// that a restarted drainer resumes, its group read back from Auto Scaling;
// one carrying 10 cannot be recorded at all: drainer warns, counts it, and
// drains it from memory all the same.
func TestRecordBesideTheCustomersAttributes(t *testing.T) {
	w, c, cis := attributeWorld(t)
	ctx := t.Context()
	nine, ten := cis[0], cis[1]
	custom := func(n int) map[string]string {
		a := map[string]string{}
		for i := range n {
			a[fmt.Sprintf("team.label-%d", i)] = "v"
		}
		return a
	}
	if err := c.PutAttributes(ctx, "demo", nine.ARN, custom(9)); err != nil {
		t.Fatal(err)
	}
	if err := c.PutAttributes(ctx, "demo", ten.ARN, custom(10)); err != nil {
		t.Fatal(err)
	}
	// Both leave the group through drainer's hook.
	triggers := map[string]drain.Trigger{}
	for _, ci := range []cloud.ContainerInstance{nine, ten} {
		if err := c.TerminateGroupInstance(ctx, ci.EC2InstanceID, true); err != nil {
			t.Fatal(err)
		}
		w.Clock.RunFor(time.Second)
		var token string
		w.Do(func() {
			for _, a := range w.AutoScaling.LifecycleActions(ci.EC2InstanceID) {
				if a.LifecycleHookName == "drainer" {
					token = a.Token
				}
			}
		})
		if token == "" {
			t.Fatalf("%s: no lifecycle action of drainer's hook", ci.EC2InstanceID)
		}
		triggers[ci.EC2InstanceID] = drain.Trigger{Reason: drain.ReasonLifecycle, Group: "demo-asg", Hook: "drainer", Token: token}
	}

	var logs bytes.Buffer
	m := metrics.New()
	var events []drain.Event
	rec := drain.NewReconciler(drain.Config{Cloud: c, Clock: w.Clock, Clusters: []string{"demo"},
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		OnEvent: func(ev drain.Event) {
			events = append(events, ev)
			m.OnEvent(ev)
		}})
	drainerAttrs := func(arn string) map[string]string {
		t.Helper()
		got, err := c.DescribeContainerInstances(ctx, "demo", []string{arn})
		if err != nil || len(got) != 1 {
			t.Fatalf("describe %s: %+v, %v", arn, got, err)
		}
		out := map[string]string{}
		for k, v := range got[0].Attributes {
			if strings.HasPrefix(k, "drainer.") {
				out[k] = v
			}
		}
		return out
	}

	// Nine of the customer's: the record takes the tenth.
	if err := rec.Start(ctx, nine.EC2InstanceID, triggers[nine.EC2InstanceID]); err != nil {
		t.Fatal(err)
	}
	if a := drainerAttrs(nine.ARN); len(a) != 1 || a[drain.AttrDrain] == "" {
		t.Fatalf("record on the instance with 9 custom attributes: %v, want drainer.drain alone", a)
	}
	// A restarted drainer resumes it with the same deadlines, the group
	// read back from Auto Scaling.
	restarted := drain.NewReconciler(drain.Config{Cloud: c, Clock: w.Clock, Clusters: []string{"demo"}})
	if n, err := restarted.Resume(ctx); err != nil || n != 1 {
		t.Fatalf("resume: %d, %v; want 1 drain", n, err)
	}
	first, again := rec.Drains()[0].Record, restarted.Drains()[0].Record
	if again.Group != "demo-asg" || again.Hook != "drainer" || again.Token != first.Token ||
		!again.Started.Equal(first.Started.Truncate(time.Second)) || !again.Deadline.Equal(first.Deadline.Truncate(time.Second)) {
		t.Fatalf("resumed %+v, want %+v", again, first)
	}

	// A second drainer joining the drain (an operator's request) reads the
	// record off the instance and the group from Auto Scaling too; its
	// update, at the limit, replaces the value in place.
	second := drain.NewReconciler(drain.Config{Cloud: c, Clock: w.Clock, Clusters: []string{"demo"}})
	if err := second.Start(ctx, nine.EC2InstanceID, drain.Trigger{Reason: drain.ReasonOperator}); err != nil {
		t.Fatal(err)
	}
	if joined := second.Drains()[0].Record; joined.Group != "demo-asg" || joined.Hook != "drainer" || !joined.Deadline.Before(first.Deadline) {
		t.Fatalf("joined %+v: want drainer's action in demo-asg kept, the operator's earlier deadline", joined)
	}
	if a := drainerAttrs(nine.ARN); len(a) != 1 || a[drain.AttrDrain] == "" {
		t.Fatalf("record after the join: %v", a)
	}

	// Ten of the customer's: no room; a warning, an event, a count, and
	// the drain goes on from memory.
	if err := rec.Start(ctx, ten.EC2InstanceID, triggers[ten.EC2InstanceID]); err != nil {
		t.Fatalf("a full attribute budget failed the drain: %v", err)
	}
	if a := drainerAttrs(ten.ARN); len(a) != 0 {
		t.Fatalf("attributes %v written beyond ECS's limit", a)
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "too many custom attributes") {
		t.Errorf("no warning in the log:\n%s", logs.String())
	}
	var notRecorded []string
	for _, ev := range events {
		if ev.Type == drain.EventNotRecorded {
			notRecorded = append(notRecorded, ev.InstanceID)
		}
	}
	if len(notRecorded) != 1 || notRecorded[0] != ten.EC2InstanceID {
		t.Errorf("%s events for %v, want one for %s", drain.EventNotRecorded, notRecorded, ten.EC2InstanceID)
	}
	if v := counter(t, m, "drainer_drains_not_recorded_total"); v != 1 {
		t.Errorf("drainer_drains_not_recorded_total = %v, want 1", v)
	}

	runDrains(t, w, rec, 500)
	completed := map[string]bool{}
	for _, ev := range events {
		if ev.Type == drain.EventCompleted {
			completed[ev.InstanceID] = !ev.Overdue
		}
	}
	for _, ci := range []cloud.ContainerInstance{nine, ten} {
		if !completed[ci.EC2InstanceID] {
			t.Errorf("%s: not drained in time (completions %v)", ci.EC2InstanceID, completed)
		}
	}
	var completions int
	w.Do(func() { completions = w.Calls.Count("autoscaling", "CompleteLifecycleAction", "") })
	if completions != 2 {
		t.Errorf("CompleteLifecycleAction called %d times, want 2", completions)
	}
}

// attributeWorld is a group of three registered container instances
// behind drainer's hook, and a client of it.
func attributeWorld(t *testing.T) (*emulator.World, *cloudaws.Client, []cloud.ContainerInstance) {
	t.Helper()
	w := newWorld(t, `
name: attribute-budget
clusters: [{name: demo}]
taskDefinitions:
  - {family: web, cpu: 256, memory: 512, start: 20s, healthy: 30s, stop: 5s}
groups:
  - name: demo-asg
    cluster: demo
    min: 0
    max: 4
    desired: 3
    hooks:
      - {name: drainer, heartbeatTimeout: 15m, defaultResult: ABANDON}
services:
  - {name: web, cluster: demo, taskDefinition: web, desired: 3, minHealthyPercent: 50, maxPercent: 200}
`)
	w.Clock.RunFor(5 * time.Minute)
	c := newClient(w)
	cis, err := c.ListContainerInstances(t.Context(), "demo", cloud.ContainerInstanceActive)
	if err != nil || len(cis) != 3 {
		t.Fatalf("container instances %+v, %v", cis, err)
	}
	return w, c, cis
}

// Drains recorded by an older drainer (seven drainer.* attributes) resume.
func TestResumeOfTheFirstRecordFormat(t *testing.T) {
	w, c, cis := attributeWorld(t)
	ctx := t.Context()
	ci := cis[2]
	old := map[string]string{
		"drainer.reason":         "operator",
		"drainer.started":        "2026-11-22T00:05:00Z",
		"drainer.graceful-until": "2026-11-22T01:05:00Z",
		"drainer.deadline":       "2026-11-22T01:10:00Z",
	}
	if err := c.PutAttributes(ctx, "demo", ci.ARN, old); err != nil {
		t.Fatal(err)
	}
	rec := drain.NewReconciler(drain.Config{Cloud: c, Clock: w.Clock, Clusters: []string{"demo"}})
	if n, err := rec.Resume(ctx); err != nil || n != 1 {
		t.Fatalf("resume: %d, %v; want 1 drain", n, err)
	}
	got := rec.Drains()[0]
	if got.InstanceID != ci.EC2InstanceID || got.Record.Reason != drain.ReasonOperator ||
		!got.Record.Deadline.Equal(time.Date(2026, 11, 22, 1, 10, 0, 0, time.UTC)) {
		t.Fatalf("resumed %+v", got)
	}
}

// counter reads a counter's total over its labels from m's registry.
func counter(t *testing.T, m *metrics.Metrics, name string) float64 {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for _, f := range fams {
		if f.GetName() == name {
			for _, mt := range f.GetMetric() {
				total += mt.GetCounter().GetValue()
			}
		}
	}
	return total
}
