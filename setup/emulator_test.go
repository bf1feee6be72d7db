package setup

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/drainer-dev/drainer/cloud"
	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
	"github.com/drainer-dev/drainer/doctor"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/ec2"
	"github.com/drainer-dev/drainer/emulator/ecs"
	"github.com/drainer-dev/drainer/emulator/eventbridge"
	"github.com/drainer-dev/drainer/emulator/front"
	"github.com/drainer-dev/drainer/emulator/scenario"
	"github.com/drainer-dev/drainer/emulator/sqs"
	"github.com/drainer-dev/drainer/iampolicy"
	"github.com/drainer-dev/drainer/intake"
)

// These tests drive setup through the SDK (cloud/aws) over the real wire
// protocols, into an emulated world served in process.

// worldYAML has two clusters drainer serves and one of another team:
//   - web-asg joins web through its capacity provider (its launch template's
//     latest version names no cluster: see newWorld), and carries another
//     team's hook notifying their queue;
//   - api-asg joins api through its launch template's user data;
//   - other-asg joins other, another team's cluster, and has a hook of
//     its own named drainer;
//
// and another team's queue and rule, and a spy: a rule that sends every
// termination lifecycle action (drainer's old pattern) to queue spy, which
// shows what reached EventBridge. newWorld adds lc-asg, which joins api
// through its launch configuration's user data.
const worldYAML = `
name: setup
clusters: [{name: web}, {name: api}, {name: other}]
queues: [{name: theirs}, {name: spy}]
rules:
  - name: their-rule
    queue: theirs
    pattern: {source: [aws.ec2], detail-type: [EC2 Spot Instance Interruption Warning]}
  - name: spy-lifecycle-actions
    queue: spy
    pattern: {source: [aws.autoscaling], detail-type: [EC2 Instance-terminate Lifecycle Action]}
groups:
  - name: web-asg
    cluster: web
    min: 0
    max: 2
    desired: 1
    capacityProvider: {name: web-cp}
    hooks:
      - {name: their-hook, heartbeatTimeout: 10m, defaultResult: CONTINUE, queue: theirs}
  - name: api-asg
    cluster: api
    min: 0
    max: 2
    desired: 1
  - name: other-asg
    cluster: other
    min: 0
    max: 2
    desired: 1
    hooks:
      - {name: drainer, heartbeatTimeout: 5m, defaultResult: ABANDON}
`

const caller = "test"

func newWorld(t *testing.T) *emulator.World {
	t.Helper()
	sc, err := scenario.ParseYAML([]byte(worldYAML))
	if err != nil {
		t.Fatal(err)
	}
	run, err := scenario.NewWorld(sc, emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if errs := run.Errors(); len(errs) > 0 {
		t.Fatalf("scenario: %v", errs)
	}
	w := run.World
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	_, err = emulator.Invoke(w, caller, w.EC2.CreateLaunchTemplateVersion, ec2.CreateLaunchTemplateVersionInput{
		LaunchTemplateName: "web-asg-template", SourceVersion: "1",
		LaunchTemplateData: &ec2.RequestLaunchTemplateData{UserData: b64("#!/bin/bash\necho configured elsewhere\n")},
	})
	noErr(t, err)
	_, err = emulator.Invoke(w, caller, w.AutoScaling.CreateLaunchConfiguration, autoscaling.CreateLaunchConfigurationInput{
		LaunchConfigurationName: "api-lc", ImageId: scenario.DefaultImageID, InstanceType: scenario.DefaultInstanceType,
		UserData: b64(scenario.UserData("api", false, 0)),
	})
	noErr(t, err)
	_, err = emulator.Invoke(w, caller, w.AutoScaling.CreateAutoScalingGroup, autoscaling.CreateAutoScalingGroupInput{
		AutoScalingGroupName: "lc-asg", LaunchConfigurationName: "api-lc", MinSize: ptr(int32(0)), MaxSize: ptr(int32(1)), DesiredCapacity: ptr(int32(0)),
		AvailabilityZones: []string{"us-east-1a"},
	})
	noErr(t, err)
	return w
}

func ptr[T any](v T) *T { return &v }

// client is the production client on w, through the in-process front, on
// w's clock, pacing nothing and coalescing nothing (the test calls from
// its own goroutine while nothing moves the clock).
func client(t *testing.T, w *emulator.World) *cloudaws.Client {
	t.Helper()
	return clientAs(t, w, "AKIDSETUP")
}

// clientAs is client with the access key id key: the call log names the
// caller by it.
func clientAs(t *testing.T, w *emulator.World, key string) *cloudaws.Client {
	t.Helper()
	fast := cloudaws.Limit{Rate: 1e6, Burst: 1e6}
	c, err := cloudaws.New(context.Background(), cloudaws.Options{
		Region: "us-east-1", Endpoint: "http://emulator.local",
		HTTPClient:  &http.Client{Transport: front.Transport(front.New(w))},
		Credentials: credentials.NewStaticCredentialsProvider(key, "secret", ""),
		Clock:       w.Clock, BatchWindow: -1, MaxBackoff: 5 * time.Millisecond,
		Limits: cloudaws.Limits{ECS: fast, AutoScaling: fast, EC2: fast, SQS: fast, Events: fast},
	})
	noErr(t, err)
	return c
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// configuration is every hook, rule and queue of w as the emulator
// describes them, by "hook GROUP/NAME", "rule NAME" and "queue NAME", as
// JSON: what setup may create and must otherwise leave byte for byte.
// A queue's message counts are left out (the world's events fill queues).
func configuration(t *testing.T, w *emulator.World) map[string]string {
	t.Helper()
	out := map[string]string{}
	put := func(key string, v any) {
		b, err := json.Marshal(v)
		noErr(t, err)
		out[key] = string(b)
	}
	groups, err := emulator.Invoke(w, caller, w.AutoScaling.DescribeAutoScalingGroups, autoscaling.DescribeAutoScalingGroupsInput{})
	noErr(t, err)
	for _, g := range groups.AutoScalingGroups {
		hooks, err := emulator.Invoke(w, caller, w.AutoScaling.DescribeLifecycleHooks, autoscaling.DescribeLifecycleHooksInput{AutoScalingGroupName: g.AutoScalingGroupName})
		noErr(t, err)
		for _, h := range hooks.LifecycleHooks {
			put("hook "+g.AutoScalingGroupName+"/"+h.LifecycleHookName, h)
		}
	}
	rules, err := emulator.Invoke(w, caller, w.EventBridge.ListRules, eventbridge.ListRulesInput{})
	noErr(t, err)
	for _, r := range rules.Rules {
		targets, err := emulator.Invoke(w, caller, w.EventBridge.ListTargetsByRule, eventbridge.ListTargetsByRuleInput{Rule: r.Name})
		noErr(t, err)
		tags, err := emulator.Invoke(w, caller, w.EventBridge.ListTagsForResource, eventbridge.ListTagsForResourceInput{ResourceARN: r.Arn})
		noErr(t, err)
		put("rule "+r.Name, []any{r, targets.Targets, tags.Tags})
	}
	queues, err := emulator.Invoke(w, caller, w.SQS.ListQueues, sqs.ListQueuesInput{})
	noErr(t, err)
	for _, url := range queues.QueueUrls {
		attrs, err := emulator.Invoke(w, caller, w.SQS.GetQueueAttributes, sqs.GetQueueAttributesInput{QueueUrl: url, AttributeNames: []string{"All"}})
		noErr(t, err)
		tags, err := emulator.Invoke(w, caller, w.SQS.ListQueueTags, sqs.ListQueueTagsInput{QueueUrl: url})
		noErr(t, err)
		maps.DeleteFunc(attrs.Attributes, func(k, _ string) bool { return strings.HasPrefix(k, "Approximate") })
		put("queue "+url[strings.LastIndex(url, "/")+1:], []any{attrs.Attributes, tags.Tags})
	}
	return out
}

// changed lists the keys of b that a does not hold the same, and those of
// a that b lacks ("-key"), sorted.
func changed(a, b map[string]string) []string {
	var out []string
	for k, v := range b {
		if a[k] != v {
			out = append(out, k)
		}
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			out = append(out, "-"+k)
		}
	}
	slices.Sort(out)
	return out
}

func observeAndPlan(t *testing.T, c Cloud, want Want) []Step {
	t.Helper()
	o, err := Observe(t.Context(), c, want)
	noErr(t, err)
	steps, err := Plan(o, want)
	noErr(t, err)
	return steps
}

// TestSetupEmulator sets drainer up in a world with other teams' hooks,
// rules and queues: it creates exactly drainer's resources, finding the
// groups by capacity provider, launch template and launch configuration;
// leaves the others' byte for byte; a second run keeps everything; the
// queue's policy admits EventBridge from drainer's rules only; a
// scale-in's lifecycle action reaches drainer's queue through its rule;
// drainer doctor finds nothing failing; and deleting restores the world.
func TestSetupEmulator(t *testing.T) {
	w := newWorld(t)
	// Every call setup makes (and doctor's after it) must be allowed by
	// the policy `drainer iam-policy --mode setup` prints.
	var calls []iampolicy.Call
	w.Do(func() {
		w.Calls.OnCall(func(c emulator.Call) {
			if strings.HasPrefix(c.Caller, "AKIDSETUP") {
				calls = append(calls, iampolicy.Call{Service: c.Service, Operation: c.Operation})
			}
		})
	})
	t.Cleanup(func() {
		var n int
		w.Do(func() { n = len(calls) })
		if n == 0 {
			t.Error("no call of setup's was recorded")
		}
		w.Do(func() {
			if missing := iampolicy.Uncovered(iampolicy.Setup, calls); len(missing) > 0 {
				t.Errorf("calls setup made that iam-policy --mode setup does not allow: %v", missing)
			}
		})
	})
	c := client(t, w)
	ctx := t.Context()
	want := Want{Clusters: []string{"web", "api"}}
	before := configuration(t, w)

	steps := observeAndPlan(t, c, want)
	wantPlan := `create dead-letter queue drainer-dlq
create queue drainer
create rule drainer-lifecycle-actions
create rule drainer-spot
create rule drainer-tasks-stopped
create rule drainer-container-instances
create hook api-asg/drainer
create hook lc-asg/drainer
create hook web-asg/drainer
`
	if got := summary(steps); got != wantPlan {
		t.Fatalf("plan:\n%s\nwant:\n%s", got, wantPlan)
	}
	for _, tt := range []struct{ resource, why string }{
		// web-cp has managed draining off: the plan says drainer follows it.
		{"web-asg/drainer", "its instances join: capacity provider web-cp of cluster web (managed draining off: drainer follows it and does not drain this group's instances; `drainer doctor` says how to turn it on)"},
		{"api-asg/drainer", "its instances join: the user data of launch template api-asg-template version $Latest names cluster api"},
		{"lc-asg/drainer", "its instances join: the user data of launch configuration api-lc names cluster api"},
	} {
		i := slices.IndexFunc(steps, func(s Step) bool { return s.Resource() == tt.resource })
		if !strings.HasSuffix(steps[i].Why, tt.why) {
			t.Errorf("%s: why %q, want it to end %q", tt.resource, steps[i].Why, tt.why)
		}
	}
	if configuration(t, w)["queue drainer"] != "" {
		t.Fatal("planning created the queue")
	}

	var done []string
	res, err := Apply(ctx, c, steps, func(s Step) { done = append(done, s.Resource()) })
	noErr(t, err)
	if res.Created != 9 || res.Updated+res.Deleted != 0 || len(done) != 9 {
		t.Errorf("applied %+v, done %v: want 9 created", res, done)
	}
	queueURL := res.QueueURLs["drainer"]
	if queueURL == "" {
		t.Fatalf("no URL for the queue created: %v", res.QueueURLs)
	}

	set := configuration(t, w)
	wantNew := []string{"hook api-asg/drainer", "hook lc-asg/drainer", "hook web-asg/drainer", "queue drainer", "queue drainer-dlq",
		"rule drainer-container-instances", "rule drainer-lifecycle-actions", "rule drainer-spot", "rule drainer-tasks-stopped"}
	if got := changed(before, set); !slices.Equal(got, wantNew) {
		t.Errorf("setup changed %v\nwant exactly %v (the rest byte for byte)", got, wantNew)
	}
	for key, wantIn := range map[string][]string{
		"hook web-asg/drainer":       {`"LifecycleTransition":"autoscaling:EC2_INSTANCE_TERMINATING"`, `"DefaultResult":"CONTINUE"`, `"HeartbeatTimeout":900`, `"NotificationTargetARN":""`},
		"queue drainer":              {`"RedrivePolicy":"{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:123456789012:drainer-dlq\",\"maxReceiveCount\":5}"`, `events.amazonaws.com`, `"drainer:setup":"drainer"`},
		"queue drainer-dlq":          {`"MessageRetentionPeriod":"1209600"`, `"drainer:setup":"drainer"`},
		"rule drainer-tasks-stopped": {`arn:aws:ecs:us-east-1:123456789012:cluster/api`, `arn:aws:ecs:us-east-1:123456789012:cluster/web`, `"Id":"drainer-queue","Arn":"arn:aws:sqs:us-east-1:123456789012:drainer"`, `{"Key":"drainer:setup","Value":"drainer"}`},
	} {
		for _, s := range wantIn {
			if !strings.Contains(set[key], s) {
				t.Errorf("%s = %s\nwant %s in it", key, set[key], s)
			}
		}
	}

	again := observeAndPlan(t, c, want)
	for _, s := range again {
		if s.Action != Keep {
			t.Errorf("second run: %s %s %s (%s), want keep", s.Action, s.Kind, s.Resource(), s.Why)
		}
	}
	if len(again) != 9 {
		t.Errorf("second run plans %d steps:\n%s", len(again), summary(again))
	}

	// EventBridge may send to the queue from drainer's rules, no other.
	var spotARN, theirARN string
	for _, r := range []struct {
		name string
		arn  *string
	}{{"drainer-spot", &spotARN}, {"their-rule", &theirARN}} {
		d, err := emulator.Invoke(w, caller, w.EventBridge.DescribeRule, eventbridge.DescribeRuleInput{Name: r.name})
		noErr(t, err)
		*r.arn = d.Arn
	}
	send := func(source string) (err error) {
		w.Do(func() {
			err = w.SQS.SendFromService("arn:aws:sqs:us-east-1:123456789012:drainer", sqs.ServiceMessage{
				Service: "events.amazonaws.com", SourceARN: source, SourceAccount: "123456789012", Body: "{}"})
		})
		return err
	}
	if err := send(spotARN); err != nil {
		t.Errorf("EventBridge sending from drainer-spot: %v", err)
	}
	if err := send(theirARN); err == nil {
		t.Error("the queue's policy lets EventBridge send from another team's rule")
	}

	// A scale-in: the instances boot and register, then web-asg's is
	// terminated; drainer's hook holds it and its lifecycle action reaches
	// drainer's queue through drainer-lifecycle-actions.
	w.Clock.RunFor(5 * time.Minute)
	operator := clientAs(t, w, "AKIDOPERATOR") // not setup's calls
	groups, err := operator.DescribeGroups(ctx, []string{"web-asg"})
	noErr(t, err)
	victim := groups[0].Instances[0].InstanceID
	noErr(t, operator.TerminateGroupInstance(ctx, victim, true))
	w.Clock.RunFor(time.Minute)
	// Through EventBridge, the action of every hook of web-asg (the spy's
	// rule matches them all); through drainer's rule, drainer's hook's
	// only: another team's hook's action never fills drainer's queue.
	spyURL, err := operator.QueueURL(ctx, "spy")
	noErr(t, err)
	if got := lifecycleActions(t, operator, spyURL, victim); !slices.Equal(got, []string{"drainer", "their-hook"}) {
		t.Errorf("EventBridge carried the actions of hooks %v for %s, want drainer's and their-hook's", got, victim)
	}
	if got := lifecycleActions(t, operator, queueURL, victim); !slices.Equal(got, []string{"drainer"}) {
		t.Errorf("drainer's queue got the actions of hooks %v for %s, want drainer's only", got, victim)
	}

	// With the queue: doctor reads it, and finds drainer's hooks, which
	// notify nothing, reached through the lifecycle rule.
	findings, err := doctor.Check(ctx, c, doctor.Config{Clusters: want.Clusters, Queue: "drainer"}, w.Now())
	noErr(t, err)
	if !slices.ContainsFunc(findings, func(f doctor.Finding) bool {
		return f.Subject.Kind == doctor.KindHook && f.Subject.Group == "web-asg" && f.Severity == doctor.OK &&
			strings.Contains(f.Message, "an EventBridge rule sends its \"EC2 Instance-terminate Lifecycle Action\" events to queue drainer")
	}) {
		t.Errorf("doctor did not find drainer's hook on web-asg reached through EventBridge: %+v", findings)
	}
	for _, f := range findings {
		if f.Severity == doctor.Fail {
			t.Errorf("doctor: %s %s: %s", f.Severity, f.Subject, f.Message)
		}
	}
	if !slices.ContainsFunc(findings, func(f doctor.Finding) bool {
		return f.Subject.Kind == doctor.KindHook && f.Subject.Name == "drainer" && f.Subject.Group == "web-asg" && f.Severity == doctor.OK
	}) {
		t.Errorf("doctor did not judge drainer's hook on web-asg sound: %+v", findings)
	}

	del := Want{Clusters: want.Clusters, Delete: true}
	steps = observeAndPlan(t, c, del)
	wantDelete := `delete hook api-asg/drainer
delete hook lc-asg/drainer
delete hook web-asg/drainer
delete rule drainer-lifecycle-actions
delete rule drainer-spot
delete rule drainer-tasks-stopped
delete rule drainer-container-instances
delete queue drainer
delete dead-letter queue drainer-dlq
`
	if got := summary(steps); got != wantDelete {
		t.Fatalf("delete plan:\n%s\nwant:\n%s", got, wantDelete)
	}
	res, err = Apply(ctx, c, steps, nil)
	noErr(t, err)
	if res.Deleted != 9 {
		t.Errorf("deleted %d, want 9", res.Deleted)
	}
	if got := changed(before, configuration(t, w)); len(got) > 0 {
		t.Errorf("after delete, the world differs from before setup in %v", got)
	}
	if steps := observeAndPlan(t, c, del); len(steps) != 0 {
		t.Errorf("deleting again plans:\n%s", summary(steps))
	}
}

// lifecycleActions receives what the queue at url holds and returns the
// names of the hooks whose termination lifecycle actions for instance it
// carries (through EventBridge), sorted.
func lifecycleActions(t *testing.T, c *cloudaws.Client, url, instance string) []string {
	t.Helper()
	var hooks []string
	for range 5 {
		msgs, err := c.ReceiveMessages(t.Context(), url, cloud.ReceiveOptions{})
		noErr(t, err)
		for _, m := range msgs {
			var env struct {
				DetailType string `json:"detail-type"`
				Detail     struct{ LifecycleHookName, EC2InstanceId string }
			}
			if json.Unmarshal([]byte(m.Body), &env) == nil && env.DetailType == "EC2 Instance-terminate Lifecycle Action" && env.Detail.EC2InstanceId == instance {
				hooks = append(hooks, env.Detail.LifecycleHookName)
			}
		}
	}
	slices.Sort(hooks)
	return hooks
}

// TestSetupRefusesForeign: a rule of drainer's name that setup did not
// make stops setup before it changes anything, and an unknown cluster
// and a cluster no group joins are refused with what to check.
func TestSetupRefusesForeign(t *testing.T) {
	w := newWorld(t)
	c := client(t, w)
	_, err := emulator.Invoke(w, caller, w.EventBridge.PutRule, eventbridge.PutRuleInput{Name: "drainer-spot", EventPattern: `{"source":["aws.ec2"]}`})
	noErr(t, err)
	before := configuration(t, w)

	for _, tt := range []struct {
		name     string
		clusters []string
		want     string
	}{
		{"a foreign rule of drainer's name", []string{"web"}, "rule drainer-spot exists and is not drainer setup's (no drainer:setup tag)"},
		{"an unknown cluster", []string{"web", "nope"}, "cluster nope does not exist"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want := Want{Clusters: tt.clusters}
			o, err := Observe(t.Context(), c, want)
			noErr(t, err)
			_, err = Plan(o, want)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Plan: %v, want an error saying %q", err, tt.want)
			}
		})
	}
	if got := changed(before, configuration(t, w)); len(got) > 0 {
		t.Errorf("refused setups changed %v", got)
	}

	// A cluster with no group (a new client: a client keeps the list of
	// clusters for minutes).
	_, err = emulator.Invoke(w, caller, w.ECS.CreateCluster, ecs.CreateClusterInput{ClusterName: "empty"})
	noErr(t, err)
	want := Want{Clusters: []string{"empty"}, Queue: "empty-drainer"}
	o, err := Observe(t.Context(), client(t, w), want)
	noErr(t, err)
	if _, err := Plan(o, want); err == nil || !strings.Contains(err.Error(), "no Auto Scaling group joins cluster(s) empty") {
		t.Errorf("Plan for a cluster without groups: %v", err)
	}
}

// TestSetupKeepsWhatAnEarlierSetupAdded: after `setup --cluster web
// --cluster api` made by a drainer whose lifecycle-action rule matched
// every hook, `setup --cluster web` narrows that rule to drainer's hook,
// saying what changes, keeps cluster api in the ECS rules, saying so, and
// lists api's groups' hooks, then keeps everything; Serves names both
// clusters; api's container instances' events still reach drainer's
// queue.
func TestSetupKeepsWhatAnEarlierSetupAdded(t *testing.T) {
	w := newWorld(t)
	c := client(t, w)
	ctx := t.Context()
	res, err := Apply(ctx, c, observeAndPlan(t, c, Want{Clusters: []string{"web", "api"}}), nil)
	noErr(t, err)
	queueURL := res.QueueURLs["drainer"]

	// The lifecycle-action rule as an older setup made it.
	old := intake.RecommendedRules(nil)[0]
	_, err = emulator.Invoke(w, caller, w.EventBridge.PutRule, eventbridge.PutRuleInput{
		Name: "drainer-lifecycle-actions", EventPattern: old.Pattern, Description: old.Description, State: "ENABLED"})
	noErr(t, err)

	want := Want{Clusters: []string{"web"}}
	o, err := Observe(ctx, c, want)
	noErr(t, err)
	if clusters, hooks := Serves(o, want); !slices.Equal(clusters, []string{"web", "api"}) || !slices.Equal(hooks, []string{"drainer"}) {
		t.Errorf("Serves = %v, %v; want [web api], [drainer]", clusters, hooks)
	}
	steps := observeAndPlan(t, c, want)
	keepsAPI := "keeps cluster api, added by an earlier setup; --delete and set up again to drop it"
	for _, tt := range []struct {
		resource string
		action   Action
		why      string
	}{
		{"drainer-lifecycle-actions", Update, "event pattern (detail.LifecycleHookName: only drainer (was any)), description to set: termination lifecycle actions of drainer's hooks"},
		{"drainer-tasks-stopped", Keep, keepsAPI},
		{"drainer-container-instances", Keep, keepsAPI},
		{"web-asg/drainer", Keep, "as wanted"},
		{"api-asg/drainer", Keep, "kept with its cluster, which an earlier setup's rules serve"},
		{"lc-asg/drainer", Keep, "its instances join: the user data of launch configuration api-lc names cluster api"},
	} {
		i := slices.IndexFunc(steps, func(s Step) bool { return s.Resource() == tt.resource })
		if i < 0 {
			t.Errorf("no step for %s in\n%s", tt.resource, summary(steps))
			continue
		}
		if s := steps[i]; s.Action != tt.action || !strings.Contains(s.Why, tt.why) {
			t.Errorf("%s: %s %q\nwant %s, saying %q", tt.resource, s.Action, s.Why, tt.action, tt.why)
		}
	}
	res, err = Apply(ctx, c, steps, nil)
	noErr(t, err)
	if res.Updated != 1 || res.Created+res.Deleted != 0 {
		t.Errorf("applied %+v: want the lifecycle-action rule updated only", res)
	}
	for _, s := range observeAndPlan(t, c, want) {
		if s.Action != Keep {
			t.Errorf("next run: %s %s %s (%s), want keep", s.Action, s.Kind, s.Resource(), s.Why)
		}
	}

	// api's instances register; one is set to DRAINING by hand: its event
	// reaches drainer's queue.
	w.Clock.RunFor(5 * time.Minute)
	operator := clientAs(t, w, "AKIDOPERATOR")
	cis, err := operator.ListContainerInstances(ctx, "api", "")
	noErr(t, err)
	if len(cis) == 0 {
		t.Fatal("no container instance registered in cluster api")
	}
	failures, err := operator.DrainContainerInstances(ctx, "api", []string{cis[0].ARN})
	noErr(t, err)
	if len(failures) > 0 {
		t.Fatalf("drain %s: %v", cis[0].ARN, failures)
	}
	w.Clock.RunFor(time.Minute)
	heard := false
	for range 10 {
		msgs, err := operator.ReceiveMessages(ctx, queueURL, cloud.ReceiveOptions{})
		noErr(t, err)
		for _, m := range msgs {
			var env struct {
				DetailType string `json:"detail-type"`
				Detail     struct {
					ClusterArn, ContainerInstanceArn, Status string
				}
			}
			if json.Unmarshal([]byte(m.Body), &env) == nil && env.DetailType == "ECS Container Instance State Change" &&
				env.Detail.ContainerInstanceArn == cis[0].ARN && env.Detail.Status == "DRAINING" {
				heard = true
			}
		}
	}
	if !heard {
		t.Errorf("drainer's queue never heard that %s of cluster api is draining", cis[0].ARN)
	}
}
