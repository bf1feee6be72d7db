package eventbridge

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/emulator/core"
)

var start = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

const (
	lifecycleQueue = "arn:aws:sqs:us-east-1:123456789012:lifecycle"
	spotQueue      = "arn:aws:sqs:us-east-1:123456789012:spot"
)

type world struct {
	t   *testing.T
	c   *clock.Virtual
	env *core.Env
	rec *core.Recorder
	svc *Service
}

func newWorld(t *testing.T, delay time.Duration) *world {
	c := clock.NewVirtual(start)
	env := core.NewEnv(c, core.Options{Seed: 1})
	rec := &core.Recorder{}
	return &world{t: t, c: c, env: env, rec: rec, svc: New(env, Options{Queues: rec, DeliveryDelay: delay})}
}

// rule puts a rule with one SQS target.
func (w *world) rule(name, pattern, queueARN string) {
	w.t.Helper()
	var err error
	w.env.Do(func() {
		if _, err = w.svc.PutRule(PutRuleInput{Name: name, EventPattern: pattern}); err != nil {
			return
		}
		var out *PutTargetsOutput
		out, err = w.svc.PutTargets(PutTargetsInput{Rule: name, Targets: []Target{{Id: "q", Arn: queueARN}}})
		if err == nil && out.FailedEntryCount != 0 {
			t := out.FailedEntries[0]
			err = core.ClientError(t.ErrorCode, "%s", t.ErrorMessage)
		}
	})
	if err != nil {
		w.t.Fatalf("rule %s: %v", name, err)
	}
}

func (w *world) emit(ev core.Event) { w.env.Do(func() { w.svc.Emit(ev) }) }

func (w *world) bodies(arn string) []string {
	var out []string
	for _, m := range w.rec.Messages {
		if m.ARN == arn {
			out = append(out, m.Body)
		}
	}
	return out
}

func lifecycle() core.Event {
	return core.Event{
		Source: "aws.autoscaling", DetailType: "EC2 Instance-terminate Lifecycle Action",
		Resources: []string{"arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/web-asg"},
		Detail: map[string]string{
			"LifecycleHookName": "drain-hook", "LifecycleTransition": "autoscaling:EC2_INSTANCE_TERMINATING",
			"AutoScalingGroupName": "web-asg", "EC2InstanceId": "i-0abc", "LifecycleActionToken": "tok",
		},
	}
}

func spot() core.Event {
	return core.Event{Source: "aws.ec2", DetailType: "EC2 Spot Instance Interruption Warning",
		Detail: struct {
			InstanceID string `json:"instance-id"`
			Action     string `json:"instance-action"`
		}{"i-0abc", "terminate"}}
}

func TestRulesRouteOnlyWhatTheyMatch(t *testing.T) {
	w := newWorld(t, 0)
	w.rule("asg-lifecycle", `{"source":["aws.autoscaling"],"detail-type":["EC2 Instance-terminate Lifecycle Action"]}`, lifecycleQueue)
	w.rule("spot-warning", `{"source":["aws.ec2"],"detail-type":["EC2 Spot Instance Interruption Warning"]}`, spotQueue)

	w.emit(lifecycle())
	if got := w.bodies(lifecycleQueue); len(got) != 1 {
		t.Fatalf("lifecycle queue got %d messages, want 1", len(got))
	}
	if got := w.bodies(spotQueue); len(got) != 0 {
		t.Fatalf("spot queue got the lifecycle event: %v", got)
	}
	w.emit(spot())
	if len(w.bodies(spotQueue)) != 1 || len(w.bodies(lifecycleQueue)) != 1 {
		t.Fatalf("after spot warning: lifecycle %d, spot %d messages", len(w.bodies(lifecycleQueue)), len(w.bodies(spotQueue)))
	}
	w.emit(core.Event{Source: "aws.ecs", DetailType: "ECS Task State Change", Detail: map[string]any{"lastStatus": "RUNNING"}})
	if len(w.rec.Messages) != 2 {
		t.Fatalf("an ECS event no rule wants was delivered: %v", w.rec.Messages)
	}
	if d, f := w.svc.Deliveries(); d != 2 || f != 0 {
		t.Fatalf("deliveries = %d ok, %d failed", d, f)
	}
}

func TestEnvelopeShape(t *testing.T) {
	w := newWorld(t, 0)
	w.rule("asg-lifecycle", `{"source":["aws.autoscaling"]}`, lifecycleQueue)
	w.c.RunFor(90 * time.Second)
	w.emit(lifecycle())
	body := w.bodies(lifecycleQueue)[0]
	if !strings.HasPrefix(body, `{"version":"0","id":"`) || !strings.Contains(body, `","detail-type":"EC2 Instance-terminate Lifecycle Action","source":"aws.autoscaling","account":"123456789012","time":"2026-11-22T10:01:30Z","region":"us-east-1","resources":[`) {
		t.Fatalf("envelope members out of AWS order: %s", body)
	}
	var env struct {
		Version    string            `json:"version"`
		ID         string            `json:"id"`
		DetailType string            `json:"detail-type"`
		Source     string            `json:"source"`
		Account    string            `json:"account"`
		Time       string            `json:"time"`
		Region     string            `json:"region"`
		Resources  []string          `json:"resources"`
		Detail     map[string]string `json:"detail"`
	}
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"version", env.Version, "0"},
		{"detail-type", env.DetailType, "EC2 Instance-terminate Lifecycle Action"},
		{"source", env.Source, "aws.autoscaling"},
		{"account", env.Account, "123456789012"},
		{"time", env.Time, "2026-11-22T10:01:30Z"},
		{"region", env.Region, "us-east-1"},
		{"resources[0]", env.Resources[0], "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/web-asg"},
		{"detail.EC2InstanceId", env.Detail["EC2InstanceId"], "i-0abc"},
		{"detail.LifecycleActionToken", env.Detail["LifecycleActionToken"], "tok"},
		{"detail.LifecycleTransition", env.Detail["LifecycleTransition"], "autoscaling:EC2_INSTANCE_TERMINATING"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(env.ID) {
		t.Errorf("id %q is not a UUID", env.ID)
	}
	// No resources still gives an empty array, as AWS does.
	w.emit(core.Event{Source: "aws.autoscaling", DetailType: "x"})
	if b := w.bodies(lifecycleQueue)[1]; !strings.Contains(b, `"resources":[],"detail":{}}`) {
		t.Fatalf("empty event envelope = %s", b)
	}
}

func TestDisabledRuleDeliversNothing(t *testing.T) {
	w := newWorld(t, 0)
	w.rule("spot", `{"source":["aws.ec2"]}`, spotQueue)
	w.env.Do(func() {
		_, err := w.svc.PutRule(PutRuleInput{Name: "spot", EventPattern: `{"source":["aws.ec2"]}`, State: "DISABLED"})
		if err != nil {
			t.Fatal(err)
		}
	})
	w.emit(spot())
	if len(w.rec.Messages) != 0 {
		t.Fatal("a DISABLED rule delivered")
	}
	var d *DescribeRuleOutput
	w.env.Do(func() { d, _ = w.svc.DescribeRule(DescribeRuleInput{Name: "spot"}) })
	if d.State != "DISABLED" || d.Arn != "arn:aws:events:us-east-1:123456789012:rule/spot" || d.EventBusName != "default" {
		t.Fatalf("DescribeRule = %+v", d)
	}
	w.env.Do(func() { _, _ = w.svc.EnableRule(EnableRuleInput{Name: "spot"}) })
	w.emit(spot())
	if len(w.rec.Messages) != 1 {
		t.Fatal("re-enabled rule did not deliver")
	}
	w.env.Do(func() { _, _ = w.svc.DisableRule(DisableRuleInput{Name: "spot"}) })
	w.emit(spot())
	if len(w.rec.Messages) != 1 {
		t.Fatal("DisableRule did not stop deliveries")
	}
}

// countingDetail counts how often the router marshals it.
type countingDetail struct{ n *int }

func (c countingDetail) MarshalJSON() ([]byte, error) {
	*c.n++
	return []byte(`{"lastStatus":"RUNNING"}`), nil
}

func TestUnwantedEventsAreNotMarshalled(t *testing.T) {
	w := newWorld(t, 0)
	w.rule("spot", `{"source":["aws.ec2"],"detail-type":["EC2 Spot Instance Interruption Warning"]}`, spotQueue)
	w.rule("asg", `{"source":["aws.autoscaling"]}`, lifecycleQueue)
	n := 0
	for range 1000 {
		w.emit(core.Event{Source: "aws.ecs", DetailType: "ECS Task State Change", Detail: countingDetail{&n}})
		w.emit(core.Event{Source: "aws.ec2", DetailType: "EC2 Instance State-change Notification", Detail: countingDetail{&n}})
	}
	if n != 0 {
		t.Fatalf("detail marshalled %d times for events no rule wants", n)
	}
	w.rule("ecs", `{"detail":{"lastStatus":["STOPPED"]}}`, spotQueue) // no source: must look at every event
	w.emit(core.Event{Source: "aws.ecs", DetailType: "ECS Task State Change", Detail: countingDetail{&n}})
	if n != 1 || len(w.rec.Messages) != 0 {
		t.Fatalf("with a source-less rule: marshalled %d, delivered %d", n, len(w.rec.Messages))
	}
}

func TestDeliveryDelayAndTargetInput(t *testing.T) {
	w := newWorld(t, 2*time.Second)
	w.env.Do(func() {
		_, _ = w.svc.PutRule(PutRuleInput{Name: "r", EventPattern: `{"source":["aws.ec2"]}`})
		out, err := w.svc.PutTargets(PutTargetsInput{Rule: "r", Targets: []Target{
			{Id: "whole", Arn: spotQueue},
			{Id: "const", Arn: spotQueue, Input: `{"fixed":true}`},
			{Id: "path", Arn: spotQueue, InputPath: "$.detail"},
			{Id: "leaf", Arn: spotQueue, InputPath: "$.detail.instance-id"},
		}})
		if err != nil || out.FailedEntryCount != 0 {
			t.Fatalf("PutTargets: %v %+v", err, out)
		}
	})
	w.emit(spot())
	if len(w.rec.Messages) != 0 {
		t.Fatal("delivered before the delivery delay")
	}
	w.c.RunFor(2 * time.Second)
	got := w.bodies(spotQueue)
	if len(got) != 4 || !strings.HasPrefix(got[0], `{"version":"0"`) || got[1] != `{"fixed":true}` ||
		got[2] != `{"instance-action":"terminate","instance-id":"i-0abc"}` || got[3] != `"i-0abc"` {
		t.Fatalf("bodies = %q", got)
	}
}

func TestTargetsLimitsAndListing(t *testing.T) {
	w := newWorld(t, 0)
	w.env.Do(func() {
		_, _ = w.svc.PutRule(PutRuleInput{Name: "r", EventPattern: `{"source":["x"]}`})
		targets := func(ids ...string) []Target {
			var out []Target
			for _, id := range ids {
				out = append(out, Target{Id: id, Arn: spotQueue})
			}
			return out
		}
		if _, err := w.svc.PutTargets(PutTargetsInput{Rule: "r", Targets: targets("a", "b", "c", "d", "e")}); err != nil {
			t.Fatal(err)
		}
		// Updating an existing id does not count against the limit.
		if _, err := w.svc.PutTargets(PutTargetsInput{Rule: "r", Targets: []Target{{Id: "a", Arn: lifecycleQueue}}}); err != nil {
			t.Fatalf("update of an existing target: %v", err)
		}
		_, err := w.svc.PutTargets(PutTargetsInput{Rule: "r", Targets: targets("f")})
		if core.CodeOf(err) != codeLimitExceeded {
			t.Fatalf("sixth target: %v, want %s", err, codeLimitExceeded)
		}
		out, err := w.svc.PutTargets(PutTargetsInput{Rule: "r", Targets: []Target{{Id: "lambda", Arn: "arn:aws:lambda:us-east-1:123456789012:function:f"}}})
		if err != nil || out.FailedEntryCount != 1 || out.FailedEntries[0].TargetId != "lambda" || out.FailedEntries[0].ErrorCode == "" {
			t.Fatalf("unsupported target: %v %+v", err, out)
		}
		page1, err := w.svc.ListTargetsByRule(ListTargetsByRuleInput{Rule: "r", Limit: ptr(3)})
		if err != nil || len(page1.Targets) != 3 || page1.Targets[0].Arn != lifecycleQueue || page1.NextToken == "" {
			t.Fatalf("page 1 = %+v %v", page1, err)
		}
		page2, _ := w.svc.ListTargetsByRule(ListTargetsByRuleInput{Rule: "r", Limit: ptr(3), NextToken: page1.NextToken})
		if len(page2.Targets) != 2 || page2.Targets[1].Id != "e" || page2.NextToken != "" {
			t.Fatalf("page 2 = %+v", page2)
		}
		_, err = w.svc.DeleteRule(DeleteRuleInput{Name: "r"})
		if core.CodeOf(err) != codeValidation || !strings.Contains(err.Error(), "Rule can't be deleted since it has targets.") {
			t.Fatalf("DeleteRule with targets: %v", err)
		}
		if _, err := w.svc.RemoveTargets(RemoveTargetsInput{Rule: "r", Ids: []string{"a", "b", "c", "d", "e", "zz"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.DeleteRule(DeleteRuleInput{Name: "r"}); err != nil {
			t.Fatalf("DeleteRule after RemoveTargets: %v", err)
		}
		_, err = w.svc.DescribeRule(DescribeRuleInput{Name: "r"})
		if core.CodeOf(err) != codeNotFound {
			t.Fatalf("deleted rule described: %v", err)
		}
	})
}

func TestPutEvents(t *testing.T) {
	w := newWorld(t, 0)
	w.rule("drainer", `{"source":["drainer"],"detail":{"phase":["done"]}}`, lifecycleQueue)
	var out *PutEventsOutput
	var err error
	w.env.Do(func() {
		out, err = w.svc.PutEvents(PutEventsInput{Entries: []PutEventsRequestEntry{
			{Source: "drainer", DetailType: "Drain Finished", Detail: `{"phase": "done", "instance": "i-1"}`, Resources: []string{"arn:aws:ec2:us-east-1:123456789012:instance/i-1"}, Time: core.Epoch(start.Add(-time.Hour))},
			{Source: "drainer", DetailType: "Drain Started", Detail: `{"phase":"start"}`},
			{Source: "drainer", DetailType: "Bad", Detail: `[1,2]`},
			{Source: "drainer", DetailType: "Bad", Detail: `{"phase":`},
			{Source: "aws.ec2", DetailType: "EC2 Spot Instance Interruption Warning", Detail: `{}`},
			{DetailType: "No source", Detail: `{}`},
			// A bus that does not exist: accepted and dropped, as EventBridge
			// does, though the default bus's rule would match it.
			{Source: "drainer", DetailType: "Drain Finished", Detail: `{"phase":"done"}`, EventBusName: "custom"},
		}})
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"", "", "MalformedDetail", "MalformedDetail", "NotAuthorizedForSourceException", "InvalidArgument", ""}
	if out.FailedEntryCount != 4 || len(out.Entries) != len(want) {
		t.Fatalf("PutEvents = %+v", out)
	}
	for i, code := range want {
		e := out.Entries[i]
		if e.ErrorCode != code || (code == "") != (e.EventId != "") || (code != "" && e.ErrorMessage == "") {
			t.Errorf("entry %d = %+v, want code %q", i, e, code)
		}
	}
	got := w.bodies(lifecycleQueue)
	if len(got) != 1 {
		t.Fatalf("delivered %d events, want the one that matches", len(got))
	}
	var env map[string]any
	_ = json.Unmarshal([]byte(got[0]), &env)
	if env["id"] != out.Entries[0].EventId || env["time"] != "2026-11-22T09:00:00Z" || env["source"] != "drainer" ||
		!strings.Contains(got[0], `"detail":{"phase":"done","instance":"i-1"}`) {
		t.Fatalf("envelope = %s (event id %s)", got[0], out.Entries[0].EventId)
	}

	for _, tc := range []struct {
		name    string
		entries []PutEventsRequestEntry
	}{
		{"no entries", nil},
		{"eleven entries", make([]PutEventsRequestEntry, 11)},
	} {
		w.env.Do(func() { _, err = w.svc.PutEvents(PutEventsInput{Entries: tc.entries}) })
		if core.CodeOf(err) != codeValidation {
			t.Errorf("%s: %v, want %s", tc.name, err, codeValidation)
		}
	}

	// No entry complete: the call still succeeds, each entry failing on
	// its own with the member it lacks.
	w.env.Do(func() {
		out, err = w.svc.PutEvents(PutEventsInput{Entries: []PutEventsRequestEntry{{}, {Source: "a"}, {Source: "a", DetailType: "b"}}})
	})
	if err != nil || out.FailedEntryCount != 3 {
		t.Fatalf("entries with members missing: %+v, %v", out, err)
	}
	for i, missing := range []string{"Source", "DetailType", "Detail"} {
		e := out.Entries[i]
		if want := "Parameter " + missing + " is not valid. Reason: " + missing + " is a required argument."; e.ErrorCode != "InvalidArgument" || e.ErrorMessage != want || e.EventId != "" {
			t.Errorf("entry %d = %+v, want InvalidArgument %q", i, e, want)
		}
	}
}

func TestDeleteRuleIsIdempotent(t *testing.T) {
	w := newWorld(t, 0)
	var err error
	w.env.Do(func() {
		_, err = w.svc.PutRule(PutRuleInput{Name: "r", EventPattern: `{"source":["drainer"]}`})
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		w.env.Do(func() { _, err = w.svc.DeleteRule(DeleteRuleInput{Name: "r"}) })
		if err != nil {
			t.Fatalf("DeleteRule #%d: %v", i+1, err)
		}
	}
	w.env.Do(func() { _, err = w.svc.DescribeRule(DescribeRuleInput{Name: "r"}) })
	if core.CodeOf(err) != codeNotFound {
		t.Fatalf("the rule is still there: %v", err)
	}
	w.env.Do(func() { _, err = w.svc.DeleteRule(DeleteRuleInput{Name: "r", EventBusName: "custom"}) })
	if core.CodeOf(err) != codeNotFound {
		t.Fatalf("DeleteRule on a bus that does not exist: %v, want %s", err, codeNotFound)
	}
	w.env.Do(func() { _, err = w.svc.DeleteRule(DeleteRuleInput{}) })
	if core.CodeOf(err) != codeValidation {
		t.Fatalf("DeleteRule without a name: %v, want %s", err, codeValidation)
	}
}

func TestRuleErrors(t *testing.T) {
	w := newWorld(t, 0)
	for _, tc := range []struct {
		name string
		call func() error
		code string
	}{
		{"no name", func() error { _, err := w.svc.PutRule(PutRuleInput{EventPattern: `{"a":["b"]}`}); return err }, codeValidation},
		{"bad name", func() error {
			_, err := w.svc.PutRule(PutRuleInput{Name: "a b", EventPattern: `{"a":["b"]}`})
			return err
		}, codeValidation},
		{"no pattern", func() error { _, err := w.svc.PutRule(PutRuleInput{Name: "r"}); return err }, codeValidation},
		{"schedule", func() error {
			_, err := w.svc.PutRule(PutRuleInput{Name: "r", ScheduleExpression: "rate(5 minutes)"})
			return err
		}, codeValidation},
		{"bad state", func() error {
			_, err := w.svc.PutRule(PutRuleInput{Name: "r", EventPattern: `{"a":["b"]}`, State: "ON"})
			return err
		}, codeValidation},
		{"bad pattern", func() error { _, err := w.svc.PutRule(PutRuleInput{Name: "r", EventPattern: `{"a":"b"}`}); return err }, codeInvalidPattern},
		{"other bus", func() error {
			_, err := w.svc.PutRule(PutRuleInput{Name: "r", EventPattern: `{"a":["b"]}`, EventBusName: "custom"})
			return err
		}, codeNotFound},
		{"describe unknown", func() error { _, err := w.svc.DescribeRule(DescribeRuleInput{Name: "nope"}); return err }, codeNotFound},
		{"targets of unknown", func() error {
			_, err := w.svc.PutTargets(PutTargetsInput{Rule: "nope", Targets: []Target{{Id: "a", Arn: spotQueue}}})
			return err
		}, codeNotFound},
		{"list targets of unknown", func() error { _, err := w.svc.ListTargetsByRule(ListTargetsByRuleInput{Rule: "nope"}); return err }, codeNotFound},
		{"remove targets of unknown", func() error {
			_, err := w.svc.RemoveTargets(RemoveTargetsInput{Rule: "nope", Ids: []string{"a"}})
			return err
		}, codeNotFound},
		{"enable unknown", func() error { _, err := w.svc.EnableRule(EnableRuleInput{Name: "nope"}); return err }, codeNotFound},
		{"list limit", func() error { _, err := w.svc.ListRules(ListRulesInput{Limit: ptr(0)}); return err }, codeValidation},
		{"list token", func() error { _, err := w.svc.ListRules(ListRulesInput{NextToken: "??"}); return err }, codeValidation},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			w.env.Do(func() { err = tc.call() })
			if core.CodeOf(err) != tc.code {
				t.Fatalf("error %v, want %s", err, tc.code)
			}
		})
	}
	w.rule("r", `{"a":["b"]}`, spotQueue)
	for _, tc := range []struct {
		name    string
		targets []Target
	}{
		{"no targets", nil},
		{"eleven targets", make([]Target, 11)},
		{"no id", []Target{{Arn: spotQueue}}},
		{"repeated id", []Target{{Id: "a", Arn: spotQueue}, {Id: "a", Arn: spotQueue}}},
		{"no arn", []Target{{Id: "a"}}},
		{"input and path", []Target{{Id: "a", Arn: spotQueue, Input: `{}`, InputPath: "$.detail"}}},
		{"input not json", []Target{{Id: "a", Arn: spotQueue, Input: `{`}}},
		{"bad path", []Target{{Id: "a", Arn: spotQueue, InputPath: "detail"}}},
		{"transformer", []Target{{Id: "a", Arn: spotQueue, InputTransformer: json.RawMessage(`{"InputTemplate":"x"}`)}}},
	} {
		t.Run("PutTargets "+tc.name, func(t *testing.T) {
			var err error
			w.env.Do(func() { _, err = w.svc.PutTargets(PutTargetsInput{Rule: "r", Targets: tc.targets}) })
			if core.CodeOf(err) != codeValidation {
				t.Fatalf("error %v, want %s", err, codeValidation)
			}
		})
	}
}

func TestListRulesAndTestEventPattern(t *testing.T) {
	w := newWorld(t, 0)
	for _, n := range []string{"drain-c", "drain-a", "other", "drain-b"} {
		w.env.Do(func() { _, _ = w.svc.PutRule(PutRuleInput{Name: n, EventPattern: `{"source":["x"]}`, Description: n}) })
	}
	w.env.Do(func() {
		p1, err := w.svc.ListRules(ListRulesInput{NamePrefix: "drain-", Limit: ptr(2)})
		if err != nil || len(p1.Rules) != 2 || p1.Rules[0].Name != "drain-a" || p1.Rules[1].Description != "drain-b" || p1.NextToken == "" {
			t.Fatalf("page 1 = %+v %v", p1, err)
		}
		p2, _ := w.svc.ListRules(ListRulesInput{NamePrefix: "drain-", Limit: ptr(2), NextToken: p1.NextToken})
		if len(p2.Rules) != 1 || p2.Rules[0].Name != "drain-c" || p2.NextToken != "" || p2.Rules[0].State != "ENABLED" {
			t.Fatalf("page 2 = %+v", p2)
		}
		r, err := w.svc.TestEventPattern(TestEventPatternInput{EventPattern: `{"source":["aws.ec2"]}`, Event: spotEvent})
		if err != nil || !r.Result {
			t.Fatalf("TestEventPattern = %+v %v", r, err)
		}
		r, _ = w.svc.TestEventPattern(TestEventPatternInput{EventPattern: `{"source":["aws.ecs"]}`, Event: spotEvent})
		if r.Result {
			t.Fatal("TestEventPattern matched the wrong source")
		}
	})
}

func ptr(n int32) *int32 { return &n }

// BenchmarkEmitUnwanted measures the cost of an ECS event no rule wants,
// the bulk of a large simulation's events.
func BenchmarkEmitUnwanted(b *testing.B) {
	w := newWorld(&testing.T{}, 0)
	w.rule("spot", `{"source":["aws.ec2"],"detail-type":["EC2 Spot Instance Interruption Warning"]}`, spotQueue)
	w.rule("asg", `{"source":["aws.autoscaling"]}`, lifecycleQueue)
	ev := core.Event{Source: "aws.ecs", DetailType: "ECS Task State Change", Detail: map[string]any{"lastStatus": "RUNNING"}}
	b.ReportAllocs()
	for b.Loop() {
		w.svc.Emit(ev)
	}
}

// BenchmarkEmitMatched measures a delivered event (marshal, match, send).
func BenchmarkEmitMatched(b *testing.B) {
	w := newWorld(&testing.T{}, 0)
	w.rule("spot", `{"source":["aws.ec2"],"detail-type":["EC2 Spot Instance Interruption Warning"]}`, spotQueue)
	w.svc.queues = core.Discard
	ev := spot()
	b.ReportAllocs()
	for b.Loop() {
		w.svc.Emit(ev)
	}
}

func TestEnvelopeIsWhatATargetReceivesStampedWithTheTimeAsked(t *testing.T) {
	w := newWorld(t, 0)
	w.rule("spot", `{"source":["aws.ec2"]}`, spotQueue)
	ev := core.Event{Source: "aws.ec2", DetailType: "EC2 Spot Instance Interruption Warning",
		Resources: []string{"arn:aws:ec2:us-east-1:123456789012:instance/i-1"}, Detail: map[string]string{"instance-id": "i-1"}}
	w.emit(ev)
	delivered := w.bodies(spotQueue)
	if len(delivered) != 1 {
		t.Fatalf("delivered %q", delivered)
	}
	stale := start.Add(-8 * 24 * time.Hour)
	var body string
	var err error
	w.env.Do(func() { body, err = w.svc.Envelope(ev, stale) })
	if err != nil {
		t.Fatal(err)
	}
	if got := w.bodies(spotQueue); len(got) != 1 {
		t.Fatalf("Envelope routed the event: %q", got)
	}
	// The same body but for its id and time.
	idTime := regexp.MustCompile(`"id":"[^"]*"|"time":"[^"]*"`)
	if idTime.ReplaceAllString(body, "") != idTime.ReplaceAllString(delivered[0], "") {
		t.Fatalf("envelope\n %s\ndelivered\n %s", body, delivered[0])
	}
	if !strings.Contains(body, `"time":"2026-11-14T10:00:00Z"`) {
		t.Fatalf("envelope not stamped 8 days back: %s", body)
	}
	if _, err := w.svc.Envelope(core.Event{Source: "x", DetailType: "y", Detail: func() {}}, start); err == nil {
		t.Fatal("a detail that is not JSON gave no error")
	}
}
