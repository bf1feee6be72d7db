package setup

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/intake"
)

const (
	account = "123456789012"
	webARN  = "arn:aws:ecs:us-east-1:123456789012:cluster/web"
	apiARN  = "arn:aws:ecs:us-east-1:123456789012:cluster/api"
	qARN    = "arn:aws:sqs:us-east-1:123456789012:drainer"
	dlqARN  = "arn:aws:sqs:us-east-1:123456789012:drainer-dlq"
)

// theirHook is another team's hook on a group of drainer's.
var theirHook = cloud.LifecycleHook{Name: "their-hook", Group: "web-asg", Transition: cloud.LifecycleTransitionTerminating,
	HeartbeatTimeout: 2 * time.Minute, DefaultResult: cloud.LifecycleAbandon, NotificationTarget: "arn:aws:sqs:us-east-1:123456789012:theirs", Role: "arn:aws:iam::123456789012:role/theirs"}

// bare is a world with clusters web and api, group web-asg (capacity
// provider, another team's hook) and api-asg (user data), and nothing of
// setup's.
func bare() Observed {
	return Observed{
		Partition: "aws", Region: "us-east-1", Account: account,
		Clusters: []Cluster{{"web", webARN}, {"api", apiARN}},
		Groups: []Group{
			{Name: "api-asg", Joins: []string{"the user data of launch template api-lt names cluster api"}},
			{Name: "web-asg", Joins: []string{"capacity provider web-cp of cluster web"}, Hooks: []cloud.LifecycleHook{theirHook}},
		},
		Queues: map[string]Queue{}, Rules: map[string]Rule{},
	}
}

// served are the clusters bare serves.
var served = Want{Clusters: []string{"web", "api"}}

// after is o once steps are carried out, as AWS would then describe it.
func after(t *testing.T, o Observed, steps []Step) Observed {
	t.Helper()
	n := o
	n.Queues, n.Rules = maps.Clone(o.Queues), maps.Clone(o.Rules)
	n.Groups = slices.Clone(o.Groups)
	for _, s := range steps {
		switch {
		case s.Kind == KindQueue || s.Kind == KindDeadLetterQueue:
			q := n.Queues[s.Name]
			switch s.Action {
			case Create:
				q = Queue{Name: s.Name, URL: "http://sqs/" + account + "/" + s.Name, Attributes: map[string]string{"QueueArn": "arn:aws:sqs:us-east-1:" + account + ":" + s.Name}, Tags: s.Tags}
				maps.Copy(q.Attributes, s.Attributes)
			case Update:
				q.Attributes = maps.Clone(q.Attributes)
				maps.Copy(q.Attributes, s.Attributes)
			case Delete:
				delete(n.Queues, s.Name)
				continue
			}
			n.Queues[s.Name] = q
		case s.Kind == KindRule:
			r := n.Rules[s.Name]
			if s.Action == Create {
				r = Rule{Rule: cloud.Rule{Name: s.Name, ARN: "arn:aws:events:us-east-1:" + account + ":rule/" + s.Name}, Tags: s.Tags}
			}
			if s.PutRule {
				r.EventPattern, r.Description, r.State = s.Rule.EventPattern, s.Rule.Description, s.Rule.State
			}
			if s.PutTarget {
				r.Targets = append(slices.DeleteFunc(slices.Clone(r.Targets), func(t cloud.Target) bool { return t.ID == s.Target.ID }), s.Target)
			}
			if s.RemoveTarget {
				r.Targets = slices.DeleteFunc(slices.Clone(r.Targets), func(t cloud.Target) bool { return t.ID == TargetID })
			}
			if s.Action == Delete {
				delete(n.Rules, s.Name)
				continue
			}
			n.Rules[s.Name] = r
		case s.Kind == KindHook:
			i := slices.IndexFunc(n.Groups, func(g Group) bool { return g.Name == s.Group })
			g := n.Groups[i]
			hooks := slices.DeleteFunc(slices.Clone(g.Hooks), func(h cloud.LifecycleHook) bool { return h.Name == s.Name })
			if s.Action != Delete && s.Action != Keep {
				hooks = append(hooks, s.Hook)
			}
			if s.Action == Keep {
				hooks = g.Hooks
			}
			g.Hooks = hooks
			n.Groups[i] = g
		}
	}
	return n
}

// summary is a step as "action kind resource", and of a plan one a line.
func summary(steps []Step) string {
	var b strings.Builder
	for _, s := range steps {
		fmt.Fprintf(&b, "%s %s %s\n", s.Action, s.Kind, s.Resource())
	}
	return b.String()
}

func mustPlan(t *testing.T, o Observed, w Want) []Step {
	t.Helper()
	steps, err := Plan(o, w)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	return steps
}

// TestPlanFromNothing: an account with nothing of setup's gets the
// dead-letter queue, the queue, the four rules and a hook on each group,
// in that order, with what each needs.
func TestPlanFromNothing(t *testing.T) {
	steps := mustPlan(t, bare(), served)
	wantSummary := `create dead-letter queue drainer-dlq
create queue drainer
create rule drainer-lifecycle-actions
create rule drainer-spot
create rule drainer-tasks-stopped
create rule drainer-container-instances
create hook api-asg/drainer
create hook web-asg/drainer
`
	if got := summary(steps); got != wantSummary {
		t.Fatalf("plan:\n%s\nwant:\n%s", got, wantSummary)
	}
	dlq, q := steps[0], steps[1]
	if dlq.Attributes["MessageRetentionPeriod"] != "1209600" || dlq.Tags[OwnerTag] != "drainer" {
		t.Errorf("dead-letter queue: %+v", dlq)
	}
	if !sameRedrive(q.Attributes["RedrivePolicy"], `{"deadLetterTargetArn":"`+dlqARN+`","maxReceiveCount":"5"}`) || q.Tags[OwnerTag] != "drainer" {
		t.Errorf("queue: %+v", q)
	}
	var policy struct {
		Statement []struct {
			Sid, Effect, Action, Resource string
			Principal                     map[string]string
			Condition                     map[string]map[string][]string
		}
	}
	if err := json.Unmarshal([]byte(q.Attributes["Policy"]), &policy); err != nil || len(policy.Statement) != 1 {
		t.Fatalf("policy %s: %v", q.Attributes["Policy"], err)
	}
	st := policy.Statement[0]
	rules := st.Condition["ArnEquals"]["aws:SourceArn"]
	if st.Effect != "Allow" || st.Action != "sqs:SendMessage" || st.Resource != qARN || st.Principal["Service"] != "events.amazonaws.com" ||
		len(rules) != 4 || !slices.Contains(rules, "arn:aws:events:us-east-1:123456789012:rule/drainer-spot") {
		t.Errorf("policy statement %+v", st)
	}
	for _, s := range steps[2:6] {
		if !s.PutRule || !s.PutTarget || s.Target != (cloud.Target{ID: TargetID, ARN: qARN}) || s.Tags[OwnerTag] != "drainer" || s.Rule.State != "ENABLED" {
			t.Errorf("rule step %+v", s)
		}
	}
	if p := steps[4].Rule.EventPattern; !strings.Contains(p, apiARN) || !strings.Contains(p, webARN) || !strings.Contains(p, `"STOPPED"`) {
		t.Errorf("tasks rule pattern %s: want narrowed to both clusters", p)
	}
	h := steps[7].Hook
	if h != (cloud.LifecycleHook{Name: "drainer", Group: "web-asg", Transition: cloud.LifecycleTransitionTerminating, HeartbeatTimeout: 15 * time.Minute, DefaultResult: cloud.LifecycleContinue, NotificationMetadata: "drainer:setup=drainer"}) {
		t.Errorf("hook %+v: want a termination hook, 15 min, CONTINUE, no target, setup's mark", h)
	}
	if !strings.Contains(steps[7].Why, "capacity provider web-cp of cluster web") || !strings.Contains(steps[6].Why, "launch template api-lt") {
		t.Errorf("the hooks' why does not say how the groups join: %q, %q", steps[6].Why, steps[7].Why)
	}
}

// TestPlanIdempotent: right after its steps are carried out, a plan is
// all Keep; and deleting then leaves nothing of setup's.
func TestPlanIdempotent(t *testing.T) {
	o := after(t, bare(), mustPlan(t, bare(), served))
	again := mustPlan(t, o, served)
	if len(again) != 8 {
		t.Fatalf("second plan has %d steps:\n%s", len(again), summary(again))
	}
	for _, s := range again {
		if s.Action != Keep || !strings.HasPrefix(s.Why, "as wanted") {
			t.Errorf("second plan: %s %s %s (%s), want keep", s.Action, s.Kind, s.Resource(), s.Why)
		}
	}

	del := mustPlan(t, o, Want{Clusters: served.Clusters, Delete: true})
	wantSummary := `delete hook api-asg/drainer
delete hook web-asg/drainer
delete rule drainer-lifecycle-actions
delete rule drainer-spot
delete rule drainer-tasks-stopped
delete rule drainer-container-instances
delete queue drainer
delete dead-letter queue drainer-dlq
`
	if got := summary(del); got != wantSummary {
		t.Fatalf("delete plan:\n%s\nwant:\n%s", got, wantSummary)
	}
	for _, s := range del {
		if s.Kind == KindRule && !s.RemoveTarget {
			t.Errorf("rule %s deleted without removing its target first", s.Name)
		}
	}
	gone := after(t, o, del)
	if len(gone.Queues) != 0 || len(gone.Rules) != 0 {
		t.Errorf("after delete: queues %v, rules %v", slices.Collect(maps.Keys(gone.Queues)), slices.Collect(maps.Keys(gone.Rules)))
	}
	if g := gone.Groups[1]; len(g.Hooks) != 1 || g.Hooks[0] != theirHook {
		t.Errorf("after delete, web-asg's hooks are %+v: want only theirs", g.Hooks)
	}
	if steps := mustPlan(t, gone, Want{Clusters: served.Clusters, Delete: true}); len(steps) != 0 {
		t.Errorf("deleting nothing plans:\n%s", summary(steps))
	}
}

// TestPlanChanges: what differs from what is wanted is updated, and only
// that.
func TestPlanChanges(t *testing.T) {
	set := after(t, bare(), mustPlan(t, bare(), served))
	tests := []struct {
		name   string
		change func(o *Observed)
		want   Want
		update map[string]string // resource → what the why starts with
	}{
		{"another heartbeat", nil, Want{Clusters: served.Clusters, Heartbeat: 30 * time.Minute},
			map[string]string{"api-asg/drainer": "heartbeat timeout 15m", "web-asg/drainer": "heartbeat timeout 15m"}},
		{"one cluster fewer keeps the ECS rules as they are", func(o *Observed) {
			o.Clusters, o.Groups = o.Clusters[:1], o.Groups[1:]
		}, Want{Clusters: []string{"web"}}, nil},
		{"a hook set to ABANDON", func(o *Observed) {
			o.Groups[0].Hooks = slices.Clone(o.Groups[0].Hooks)
			o.Groups[0].Hooks[0].DefaultResult = cloud.LifecycleAbandon
		}, served, map[string]string{"api-asg/drainer": "default result ABANDON"}},
		{"a target removed", func(o *Observed) {
			r := o.Rules["drainer-spot"]
			r.Targets = nil
			o.Rules["drainer-spot"] = r
		}, served, map[string]string{"drainer-spot": "no target drainer-queue"}},
		{"a rule disabled", func(o *Observed) {
			r := o.Rules["drainer-spot"]
			r.State = "DISABLED"
			o.Rules["drainer-spot"] = r
		}, served, map[string]string{"drainer-spot": "state DISABLED"}},
		{"the redrive policy removed", func(o *Observed) {
			q := o.Queues["drainer"]
			q.Attributes = maps.Clone(q.Attributes)
			delete(q.Attributes, "RedrivePolicy")
			o.Queues["drainer"] = q
		}, served, map[string]string{"drainer": "RedrivePolicy"}},
		{"the retention of the dead-letter queue shortened", func(o *Observed) {
			q := o.Queues["drainer-dlq"]
			q.Attributes = map[string]string{"QueueArn": dlqARN, "MessageRetentionPeriod": "345600"}
			o.Queues["drainer-dlq"] = q
		}, served, map[string]string{"drainer-dlq": "MessageRetentionPeriod"}},
		{"a rule's pattern spaced and reordered is the same", func(o *Observed) {
			r := o.Rules["drainer-spot"]
			r.EventPattern = `{ "detail-type": ["EC2 Spot Instance Interruption Warning", "EC2 Instance Rebalance Recommendation"], "source": ["aws.ec2"] }`
			o.Rules["drainer-spot"] = r
		}, served, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := set
			o.Queues, o.Rules, o.Groups = maps.Clone(set.Queues), maps.Clone(set.Rules), slices.Clone(set.Groups)
			if tt.change != nil {
				tt.change(&o)
			}
			steps := mustPlan(t, o, tt.want)
			got := map[string]string{}
			for _, s := range steps {
				if s.Action == Update {
					got[s.Resource()] = s.Why
				} else if s.Action != Keep {
					t.Errorf("%s %s %s: want only keep and update", s.Action, s.Kind, s.Resource())
				}
			}
			if len(got) != len(tt.update) {
				t.Errorf("updates %v, want %v", got, tt.update)
			}
			for r, why := range tt.update {
				if !strings.HasPrefix(got[r], why) {
					t.Errorf("update of %s: %q, want it to start with %q", r, got[r], why)
				}
			}
			if o := after(t, o, steps); len(tt.update) > 0 {
				for _, s := range mustPlan(t, o, tt.want) {
					if s.Action != Keep {
						t.Errorf("after the update: %s %s %s (%s)", s.Action, s.Kind, s.Resource(), s.Why)
					}
				}
			}
		})
	}
}

// TestPlanQueuePolicy: the queue's policy keeps the statements setup did
// not write, and lets the role of a hook of drainer's that notifies the
// queue directly send to it.
func TestPlanQueuePolicy(t *testing.T) {
	o := after(t, bare(), mustPlan(t, bare(), served))
	q := o.Queues["drainer"]
	var doc map[string]any
	if err := json.Unmarshal([]byte(q.Attributes["Policy"]), &doc); err != nil {
		t.Fatal(err)
	}
	foreign := map[string]any{"Sid": "audit", "Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::123456789012:role/audit"}, "Action": "sqs:ReceiveMessage", "Resource": qARN}
	doc["Statement"] = append([]any{foreign}, doc["Statement"].([]any)...)
	b, _ := json.Marshal(doc)
	q.Attributes = maps.Clone(q.Attributes)
	q.Attributes["Policy"] = string(b)
	o.Queues["drainer"] = q
	for _, s := range mustPlan(t, o, served) {
		if s.Action != Keep {
			t.Errorf("a statement of someone else's in the policy: %s %s %s (%s)", s.Action, s.Kind, s.Resource(), s.Why)
		}
	}

	// drainer's hook on api-asg notifies the queue directly with a role.
	o.Groups = slices.Clone(o.Groups)
	direct := cloud.LifecycleHook{Name: "drainer", Group: "api-asg", Transition: cloud.LifecycleTransitionTerminating, HeartbeatTimeout: time.Hour,
		DefaultResult: cloud.LifecycleAbandon, NotificationTarget: qARN, Role: "arn:aws:iam::123456789012:role/hook"}
	o.Groups[0].Hooks = []cloud.LifecycleHook{direct}
	steps := mustPlan(t, o, served)
	var qs, hs Step
	for _, s := range steps {
		switch s.Resource() {
		case "drainer":
			qs = s
		case "api-asg/drainer":
			hs = s
		}
	}
	if hs.Action != Keep || !strings.Contains(hs.Why, "notification target of its own") {
		t.Errorf("drainer's hook with a target: %s (%s), want keep", hs.Action, hs.Why)
	}
	if qs.Action != Update || len(qs.Attributes) != 1 {
		t.Fatalf("queue step %s %v, want an update of its policy", qs.Action, qs.Attributes)
	}
	pol := qs.Attributes["Policy"]
	if !strings.Contains(pol, `"Sid":"audit"`) || !strings.Contains(pol, `"AWS":["arn:aws:iam::123456789012:role/hook"]`) || strings.Index(pol, `"audit"`) > strings.Index(pol, policySidEvents) {
		t.Errorf("policy %s: want the audit statement first, then setup's with the hook's role", pol)
	}
	for _, s := range mustPlan(t, after(t, o, steps), served) {
		if s.Action != Keep {
			t.Errorf("after the policy update: %s %s %s (%s)", s.Action, s.Kind, s.Resource(), s.Why)
		}
	}
}

// TestPlanRefuses: setup refuses, saying why, what it cannot do without
// touching what is not its own, and bad input.
func TestPlanRefuses(t *testing.T) {
	tests := []struct {
		name   string
		change func(o *Observed)
		want   Want
		errs   []string
	}{
		{"a queue of drainer's name, not setup's", func(o *Observed) {
			o.Queues["drainer"] = Queue{Name: "drainer", URL: "u", Attributes: map[string]string{"QueueArn": qARN}, Tags: map[string]string{"team": "payments"}}
		}, served, []string{"queue drainer exists and is not drainer setup's (no drainer:setup tag)"}},
		{"a rule of drainer's name, not setup's", func(o *Observed) {
			o.Rules["drainer-spot"] = Rule{Rule: cloud.Rule{Name: "drainer-spot", ARN: "a", EventPattern: "{}"}}
		}, served, []string{"rule drainer-spot exists and is not drainer setup's (no drainer:setup tag)"}},
		{"a rule made for another queue", func(o *Observed) {
			o.Rules["drainer-spot"] = Rule{Rule: cloud.Rule{Name: "drainer-spot"}, Tags: map[string]string{OwnerTag: "drainer-old"}}
		}, served, []string{"drainer setup made it for queue drainer-old"}},
		{"a launch hook of drainer's name", func(o *Observed) {
			o.Groups[1].Hooks = []cloud.LifecycleHook{{Name: "drainer", Group: "web-asg", Transition: "autoscaling:EC2_INSTANCE_LAUNCHING"}}
		}, served, []string{"hook web-asg/drainer exists and is not drainer setup's (a hook of transition autoscaling:EC2_INSTANCE_LAUNCHING)"}},
		{"a group full of hooks", func(o *Observed) {
			o.Groups[0].Hooks = nil
			for i := range 50 {
				o.Groups[0].Hooks = append(o.Groups[0].Hooks, cloud.LifecycleHook{Name: fmt.Sprintf("h%d", i), Transition: cloud.LifecycleTransitionTerminating})
			}
		}, served, []string{"group api-asg already has 50 lifecycle hooks"}},
		{"an unknown cluster", func(o *Observed) {
			o.Clusters, o.Missing = o.Clusters[:1], []string{"api"}
		}, served, []string{"cluster api does not exist"}},
		{"no group", func(o *Observed) { o.Groups = nil }, served, []string{"no Auto Scaling group joins cluster(s) web, api"}},
		{"two refusals at once", func(o *Observed) {
			o.Queues["drainer-dlq"] = Queue{Name: "drainer-dlq"}
			o.Rules["drainer-lifecycle-actions"] = Rule{Rule: cloud.Rule{Name: "drainer-lifecycle-actions"}}
		}, served, []string{"dead-letter queue drainer-dlq exists", "rule drainer-lifecycle-actions exists"}},
		{"no cluster named", nil, Want{}, []string{"name at least one cluster"}},
		{"a cluster named twice", nil, Want{Clusters: []string{"web", "web"}}, []string{"cluster web is named twice"}},
		{"a heartbeat too short", nil, Want{Clusters: []string{"web"}, Heartbeat: 10 * time.Second}, []string{"heartbeat 10s: Auto Scaling takes whole seconds from 30s to 2h0m0s"}},
		{"a heartbeat of a fraction", nil, Want{Clusters: []string{"web"}, Heartbeat: 90500 * time.Millisecond}, []string{"heartbeat 1m30.5s"}},
		{"a hook name Auto Scaling refuses", nil, Want{Clusters: []string{"web"}, Hook: "drainer.hook"}, []string{`hook name "drainer.hook"`}},
		{"a queue name SQS refuses", nil, Want{Clusters: []string{"web"}, Queue: "my.queue"}, []string{`queue name "my.queue"`}},
		{"a queue name too long for its rules", nil, Want{Clusters: []string{"web"}, Queue: strings.Repeat("q", 50)}, []string{"longer than EventBridge's 64 characters"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := bare()
			if tt.change != nil {
				tt.change(&o)
			}
			steps, err := Plan(o, tt.want)
			if err == nil {
				t.Fatalf("no error; plan:\n%s", summary(steps))
			}
			for _, e := range tt.errs {
				if !strings.Contains(err.Error(), e) {
					t.Errorf("error %q does not say %q", err, e)
				}
			}
		})
	}
}

// TestPlanDeleteLeavesOthersAlone: deleting removes what setup made and
// says why it leaves the rest.
func TestPlanDeleteLeavesOthersAlone(t *testing.T) {
	o := after(t, bare(), mustPlan(t, bare(), served))
	o.Queues["drainer-dlq"] = Queue{Name: "drainer-dlq", URL: "u", Tags: map[string]string{"team": "x"}}
	r := o.Rules["drainer-spot"]
	r.Targets = append(slices.Clone(r.Targets), cloud.Target{ID: "audit", ARN: "arn:aws:sqs:us-east-1:123456789012:audit"})
	o.Rules["drainer-spot"] = r
	r = o.Rules["drainer-lifecycle-actions"]
	r.Tags = nil
	o.Rules["drainer-lifecycle-actions"] = r
	o.Groups = slices.Clone(o.Groups)
	o.Groups[0].Hooks = []cloud.LifecycleHook{{Name: "drainer", Group: "api-asg", Transition: cloud.LifecycleTransitionTerminating, NotificationTarget: qARN, Role: "r"}}

	got := map[string]Step{}
	for _, s := range mustPlan(t, o, Want{Clusters: served.Clusters, Delete: true}) {
		got[s.Resource()] = s
	}
	for res, act := range map[string]Action{
		"api-asg/drainer": Keep, "web-asg/drainer": Delete, "drainer-lifecycle-actions": Keep, "drainer-spot": Update,
		"drainer-tasks-stopped": Delete, "drainer-container-instances": Delete, "drainer": Delete, "drainer-dlq": Keep,
	} {
		if got[res].Action != act {
			t.Errorf("%s: %s (%s), want %s", res, got[res].Action, got[res].Why, act)
		}
	}
	if s := got["drainer-spot"]; !s.RemoveTarget || !strings.Contains(s.Why, "audit") {
		t.Errorf("drainer-spot: %+v: want its target to the queue removed, the rule kept for audit", s)
	}
	if s := got["drainer-lifecycle-actions"]; s.RemoveTarget {
		t.Errorf("a rule not setup's would lose its target")
	}
	if _, ok := got["web-asg/their-hook"]; ok {
		t.Errorf("another team's hook is in the delete plan")
	}
}

// TestQueuePolicy: setup's statements replace setup's and only those; a
// policy that is not JSON is replaced whole.
func TestQueuePolicy(t *testing.T) {
	ours := policyStatements(qARN, []string{"arn:r2", "arn:r1"}, nil)
	tests := []struct {
		name, current string
		changed       bool
		keep          []string
	}{
		{"none", "", true, nil},
		{"not JSON", "{", true, nil},
		{"someone else's only", `{"Version":"2012-10-17","Statement":{"Sid":"x","Effect":"Deny","Principal":"*","Action":"sqs:*"}}`, true, []string{`"Sid":"x"`}},
		{"setup's of other rules", `{"Statement":[{"Sid":"drainer-eventbridge","Effect":"Allow"}]}`, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pol, changed := queuePolicy(tt.current, ours)
			if changed != tt.changed {
				t.Errorf("changed = %t, want %t", changed, tt.changed)
			}
			for _, k := range tt.keep {
				if !strings.Contains(pol, k) {
					t.Errorf("policy %s lost %s", pol, k)
				}
			}
			if strings.Count(pol, policySidEvents) != 1 || !strings.Contains(pol, `"aws:SourceArn":["arn:r1","arn:r2"]`) {
				t.Errorf("policy %s: want setup's statement once, its rules sorted", pol)
			}
			if _, again := queuePolicy(pol, ours); again {
				t.Errorf("the policy made is not as wanted: %s", pol)
			}
		})
	}
}

// TestPlanLeavesHooksItDidNotMake: a hook of drainer's name without
// setup's mark — made by hand, by a CloudFormation stack, or by setup for
// another queue — and without a target of its own (so it looks like
// setup's) is neither updated nor deleted.
func TestPlanLeavesHooksItDidNotMake(t *testing.T) {
	set := after(t, bare(), mustPlan(t, bare(), served))
	for _, mark := range []string{"", "from-a-stack", HookMark("another-queue")} {
		o := set
		o.Groups = slices.Clone(o.Groups)
		for i := range o.Groups {
			o.Groups[i].Hooks = slices.Clone(o.Groups[i].Hooks)
			for j := range o.Groups[i].Hooks {
				if o.Groups[i].Hooks[j].Name == "drainer" {
					h := &o.Groups[i].Hooks[j]
					h.NotificationMetadata, h.DefaultResult, h.HeartbeatTimeout = mark, cloud.LifecycleAbandon, time.Minute
				}
			}
		}
		for _, want := range []Want{served, {Clusters: served.Clusters, Delete: true}} {
			for _, s := range mustPlan(t, o, want) {
				if s.Kind == KindHook && s.Action != Keep {
					t.Errorf("mark %q, delete %v: %s %s (%s): want it kept, setup did not make it", mark, want.Delete, s.Action, s.Resource(), s.Why)
				}
			}
		}
	}
	// Its own hooks it still updates and deletes.
	for _, s := range mustPlan(t, set, Want{Clusters: served.Clusters, Delete: true}) {
		if s.Kind == KindHook && s.Action != Delete {
			t.Errorf("setup's own hook %s: %s, want delete", s.Resource(), s.Action)
		}
	}
}

// serving is bare narrowed to the clusters named (and the groups that
// join them), as Observe would see it when setup is run with those.
func serving(clusters ...string) Observed {
	o := bare()
	o.Clusters = slices.DeleteFunc(o.Clusters, func(c Cluster) bool { return !slices.Contains(clusters, c.Name) })
	o.Groups = slices.DeleteFunc(o.Groups, func(g Group) bool { return !slices.Contains(clusters, strings.TrimSuffix(g.Name, "-asg")) })
	return o
}

// TestPlanKeepsWhatEarlierSetupsAdded: a setup of the same queue keeps
// the clusters and hooks an earlier one put in its rules, says so by
// name, and adds its own.
func TestPlanKeepsWhatEarlierSetupsAdded(t *testing.T) {
	const keepsNote = ", added by an earlier setup; --delete and set up again to drop "
	tests := []struct {
		name        string
		earlier     Want     // what the earlier setup was run with
		now         Want     // and this one
		steps       []Step   // resource → action, why contains
		clusterARNs []string // the ECS rules' clusters after it
		hooks       []string // the lifecycle rule's hooks after it
	}{
		{"a cluster fewer", Want{Clusters: []string{"web", "api"}}, Want{Clusters: []string{"web"}},
			[]Step{
				{Name: "drainer-tasks-stopped", Action: Keep, Why: "keeps cluster api" + keepsNote + "it"},
				{Name: "drainer-container-instances", Action: Keep, Why: "keeps cluster api" + keepsNote + "it"},
				{Name: "drainer-lifecycle-actions", Action: Keep, Why: "as wanted: termination lifecycle actions of drainer's hooks, for hooks that notify through EventBridge, to queue drainer"},
			}, []string{apiARN, webARN}, []string{"drainer"}},
		{"another cluster only", Want{Clusters: []string{"web"}}, Want{Clusters: []string{"api"}},
			[]Step{{Name: "drainer-tasks-stopped", Action: Update, Why: "event pattern (detail.clusterArn: adds " + apiARN + ") to set: ECS tasks that stopped, in the clusters drainer serves, to queue drainer; keeps cluster web" + keepsNote + "it"}},
			[]string{apiARN, webARN}, []string{"drainer"}},
		{"a cluster more", Want{Clusters: []string{"web"}}, served,
			[]Step{{Name: "drainer-container-instances", Action: Update, Why: "event pattern (detail.clusterArn: adds " + apiARN + ") to set: ECS container instances that changed, in the clusters drainer serves, to queue drainer"}},
			[]string{apiARN, webARN}, []string{"drainer"}},
		{"another hook", Want{Clusters: served.Clusters, Hook: "old-hook"}, served,
			[]Step{{Name: "drainer-lifecycle-actions", Action: Update, Why: "event pattern (detail.LifecycleHookName: adds drainer) to set: termination lifecycle actions of drainer's hooks, for hooks that notify through EventBridge, to queue drainer; keeps hook old-hook" + keepsNote + "it"}},
			[]string{apiARN, webARN}, []string{"drainer", "old-hook"}},
		{"the same", served, served,
			[]Step{{Name: "drainer-tasks-stopped", Action: Keep, Why: "as wanted: ECS tasks that stopped, in the clusters drainer serves, to queue drainer"}},
			[]string{apiARN, webARN}, []string{"drainer"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := serving(tt.earlier.Clusters...)
			set := after(t, before, mustPlan(t, before, tt.earlier))
			o := serving(tt.now.Clusters...)
			o.Queues, o.Rules = set.Queues, set.Rules
			for i, g := range o.Groups { // the earlier setup's hooks
				if j := slices.IndexFunc(set.Groups, func(h Group) bool { return h.Name == g.Name }); j >= 0 {
					o.Groups[i] = set.Groups[j]
				}
			}
			steps := mustPlan(t, o, tt.now)
			byName := map[string]Step{}
			for _, s := range steps {
				byName[s.Resource()] = s
			}
			for _, want := range tt.steps {
				got := byName[want.Name]
				if got.Action != want.Action || !strings.HasSuffix(got.Why, want.Why) {
					t.Errorf("%s: %s %q\nwant %s %q", want.Name, got.Action, got.Why, want.Action, want.Why)
				}
			}
			for _, s := range steps {
				if s.Kind == KindRule && strings.Contains(s.Name, "lifecycle") {
					if got := detailValues(s.Rule.EventPattern, "LifecycleHookName"); !slices.Equal(got, tt.hooks) {
						t.Errorf("%s narrowed to hooks %v, want %v", s.Name, got, tt.hooks)
					}
				}
				if s.Kind == KindRule && (strings.Contains(s.Name, "tasks") || strings.Contains(s.Name, "container")) {
					if got := detailValues(s.Rule.EventPattern, "clusterArn"); !slices.Equal(got, tt.clusterARNs) {
						t.Errorf("%s narrowed to clusters %v, want %v", s.Name, got, tt.clusterARNs)
					}
				}
			}
			again := mustPlan(t, after(t, o, steps), tt.now)
			for _, s := range again {
				if s.Action != Keep {
					t.Errorf("after it: %s %s %s (%s), want keep", s.Action, s.Kind, s.Resource(), s.Why)
				}
			}
		})
	}
}

// TestPlanUpgradesAnOlderLifecycleRule: a lifecycle-action rule setup
// made before it narrowed the rule to drainer's hook (it matched every
// hook's actions) is updated, saying what changes, then kept.
func TestPlanUpgradesAnOlderLifecycleRule(t *testing.T) {
	o := after(t, bare(), mustPlan(t, bare(), served))
	old := intake.RecommendedRules(nil)[0]
	r := o.Rules["drainer-lifecycle-actions"]
	r.EventPattern, r.Description = old.Pattern, old.Description
	o.Rules["drainer-lifecycle-actions"] = r

	steps := mustPlan(t, o, served)
	for _, s := range steps {
		want, why := Keep, "as wanted"
		if s.Name == "drainer-lifecycle-actions" {
			want, why = Update, "event pattern (detail.LifecycleHookName: only drainer (was any)), description to set: termination lifecycle actions of drainer's hooks"
		}
		if s.Action != want || !strings.HasPrefix(s.Why, why) {
			t.Errorf("%s: %s %q, want %s %q…", s.Resource(), s.Action, s.Why, want, why)
		}
	}
	for _, s := range mustPlan(t, after(t, o, steps), served) {
		if s.Action != Keep {
			t.Errorf("after the upgrade: %s %s (%s), want keep", s.Action, s.Resource(), s.Why)
		}
	}
}

// TestPatternChanges: what a new pattern changes, field by field.
func TestPatternChanges(t *testing.T) {
	tests := []struct{ have, want, says string }{
		{`{"source":["a"]}`, `{ "source": ["a"] }`, ""},
		{`{"detail":{"c":["x","y"]}}`, `{"detail":{"c":["y","x","x"]}}`, ""},
		{`{"source":["a"]}`, `{"source":["a"],"detail":{"h":["d"]}}`, "detail.h: only d (was any)"},
		{`{"source":["a"],"detail":{"h":["d"]}}`, `{"source":["a"]}`, "detail.h: any (was d)"},
		{`{"detail":{"c":["x","y"]}}`, `{"detail":{"c":["y","z"]}}`, "detail.c: adds z, drops x"},
		{`{"detail":{"c":["x"]},"source":["a"]}`, `{"detail":{"c":[{"prefix":"x"}]},"source":["b"]}`, `detail.c: [{"prefix":"x"}] (was x); source: adds b, drops a`},
		{`not json`, `{"source":["a"]}`, "the whole pattern"},
	}
	for _, tt := range tests {
		if got := patternChanges(tt.have, tt.want); got != tt.says {
			t.Errorf("patternChanges(%s, %s) = %q, want %q", tt.have, tt.want, got, tt.says)
		}
	}
}

// TestValidateNames: setup refuses up front a queue name from which it
// would derive a name AWS refuses, and takes the longest that fits.
func TestValidateNames(t *testing.T) {
	longest := MaxQueueLen()
	if longest != 44 {
		t.Errorf("MaxQueueLen() = %d, want 44 (64 less the 20 of -container-instances)", longest)
	}
	for _, r := range intake.RecommendedRules(nil) {
		if name := intake.RuleName(strings.Repeat("q", longest), r); len(name) > 64 {
			t.Errorf("rule %s: %d characters with the longest queue name, over EventBridge's 64", name, len(name))
		}
	}
	tests := []struct {
		queue string
		err   string // "" for none
	}{
		{strings.Repeat("q", longest), ""},
		{strings.Repeat("q", longest+1), "is longer than EventBridge's 64 characters or holds characters it refuses; at most 44 characters fit"},
		{strings.Repeat("q", 77), "the dead-letter queue is named " + strings.Repeat("q", 77) + "-dlq"},
		{"a.b", "SQS takes 1 to 80 letters, digits, hyphens and underscores"},
	}
	for _, tt := range tests {
		err := Want{Clusters: []string{"web"}, Queue: tt.queue}.Validate()
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("queue of %d characters: %v", len(tt.queue), err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("queue %q: %v, want an error saying %q", tt.queue, err, tt.err)
		}
	}
}

// clustersOfPattern names sixteen clusters (at most 255 characters each,
// ECS's longest) whose ARNs make the longer of drainer's ECS rules'
// patterns exactly n characters long.
func clustersOfPattern(t *testing.T, n int) []string {
	t.Helper()
	names := make([]string, 16)
	for i := range names {
		names[i] = fmt.Sprintf("c%02d-", i)
	}
	longest := func() int {
		arns := make([]string, len(names))
		for i, c := range names {
			arns[i] = "arn:aws:ecs:us-east-1:" + account + ":cluster/" + c
		}
		m := 0
		for _, r := range intake.RecommendedRules(arns, "drainer") {
			if len(detailValues(r.Pattern, "clusterArn")) > 0 {
				m = max(m, len(r.Pattern))
			}
		}
		return m
	}
	extra := n - longest()
	for i := 0; extra > 0; i = (i + 1) % len(names) {
		if len(names[i]) < 255 {
			names[i] += "x"
			extra--
		}
	}
	if got := longest(); got != n {
		t.Fatalf("clusters make a pattern of %d characters, want %d", got, n)
	}
	return names
}

// world is what Observe reads of clusters (existing, in their order), each
// joined by a group of its own name.
func world(clusters ...string) Observed {
	o := Observed{Partition: "aws", Region: "us-east-1", Account: account, Queues: map[string]Queue{}, Rules: map[string]Rule{}}
	for _, c := range clusters {
		o.Clusters = append(o.Clusters, Cluster{Name: c, ARN: "arn:aws:ecs:us-east-1:" + account + ":cluster/" + c})
		o.Groups = append(o.Groups, Group{Name: c, Joins: []string{"capacity provider cp of cluster " + c}})
	}
	return o
}

// TestPlanPatternLimit: setup refuses, before creating anything, a rule
// whose event pattern EventBridge would refuse, counting the clusters an
// earlier setup keeps in it; at the limit it goes on.
func TestPlanPatternLimit(t *testing.T) {
	atLimit := clustersOfPattern(t, DefaultPatternLimit)
	over := clustersOfPattern(t, DefaultPatternLimit+1)
	atMax := clustersOfPattern(t, MaxPatternLimit)
	overMax := clustersOfPattern(t, MaxPatternLimit+1)
	tests := []struct {
		name    string
		earlier []string // the clusters of an earlier setup of the queue, if any
		now     Want
		err     string // "" for a plan
	}{
		{"at the limit", nil, Want{Clusters: atLimit}, ""},
		{"one over", nil, Want{Clusters: over},
			"rule drainer-tasks-stopped: its event pattern would be 2049 characters, over EventBridge's 2048 (the event pattern size quota): it names the ARN of each of 16 clusters; serve fewer clusters per queue: set up some of them with a second setup of their own --queue (and a drainer run for that queue), or, once the account's quota is raised (to 4096 at most), give --pattern-limit"},
		{"one over a raised quota's default", nil, Want{Clusters: over, PatternLimit: 4096}, ""},
		{"at the most a quota is raised to", nil, Want{Clusters: atMax, PatternLimit: MaxPatternLimit}, ""},
		{"over the most", nil, Want{Clusters: overMax, PatternLimit: MaxPatternLimit},
			"its event pattern would be 4097 characters, over EventBridge's 4096 (the event pattern size quota): it names the ARN of each of 16 clusters; serve fewer clusters per queue: set up some of them with a second setup of their own --queue (and a drainer run for that queue), EventBridge takes no longer pattern"},
		{"kept clusters at the limit", atLimit, Want{Clusters: atLimit[:1]}, ""},
		{"a kept cluster puts it over", over[1:], Want{Clusters: over[:1]},
			"rule drainer-tasks-stopped: its event pattern would be 2049 characters, over EventBridge's 2048 (the event pattern size quota): it names the ARN of each of 16 clusters, 15 of them kept from an earlier setup of queue drainer (" + over[1]},
		{"a quota beyond EventBridge's", nil, Want{Clusters: atLimit[:1], PatternLimit: 4097}, "event pattern limit 4097: EventBridge's event pattern size quota is 2048 characters unless raised, 4096 at most"},
		{"a quota below the default", nil, Want{Clusters: atLimit[:1], PatternLimit: 1000}, "event pattern limit 1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := world(tt.now.Clusters...)
			if tt.earlier != nil {
				before := world(tt.earlier...)
				set := after(t, before, mustPlan(t, before, Want{Clusters: tt.earlier, PatternLimit: MaxPatternLimit}))
				o.Queues, o.Rules = set.Queues, set.Rules
			}
			steps, err := Plan(o, tt.now)
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.err != "" && err == nil:
				t.Fatalf("planned, want %q:\n%s", tt.err, summary(steps))
			case tt.err != "" && !strings.Contains(err.Error(), tt.err):
				t.Fatalf("error %q\nwant %q", err, tt.err)
			case tt.err != "" && steps != nil:
				t.Errorf("a refused plan has steps:\n%s", summary(steps))
			}
			for _, s := range steps {
				if n := len(s.Rule.EventPattern); n > max(tt.now.PatternLimit, DefaultPatternLimit) {
					t.Errorf("rule %s planned with a pattern of %d characters", s.Name, n)
				}
			}
		})
	}
}

// TestPlanKeptClustersGroups: after a setup of web and api, a setup of web
// alone keeps api in the rules; it lists api's group's hooks of drainer's
// names, changing none; Serves names every cluster and hook the rules
// serve; --delete removes the kept group's hook with the rules.
func TestPlanKeptClustersGroups(t *testing.T) {
	earlier := Want{Clusters: []string{"web", "api"}, Hook: "old-hook"}
	set := after(t, bare(), mustPlan(t, bare(), earlier))
	o := set
	o.Clusters, o.Kept = o.Clusters[:1], []Cluster{{"api", apiARN}}
	o.Groups = slices.Clone(o.Groups)
	o.Groups[0].Kept = true // api-asg
	o.Groups[0].Hooks = append(slices.Clone(o.Groups[0].Hooks), cloud.LifecycleHook{Name: "launching", Transition: "autoscaling:EC2_INSTANCE_LAUNCHING"})
	now := Want{Clusters: []string{"web"}}

	steps := mustPlan(t, o, now)
	want := `keep dead-letter queue drainer-dlq
keep queue drainer
update rule drainer-lifecycle-actions
keep rule drainer-spot
keep rule drainer-tasks-stopped
keep rule drainer-container-instances
keep hook api-asg/old-hook
create hook web-asg/drainer
`
	if got := summary(steps); got != want {
		t.Fatalf("plan:\n%s\nwant:\n%s", got, want)
	}
	kept := steps[6]
	if !strings.HasPrefix(kept.Why, "kept with its cluster, which an earlier setup's rules serve") || !strings.HasSuffix(kept.Why, "its instances join: the user data of launch template api-lt names cluster api") {
		t.Errorf("kept hook: %q", kept.Why)
	}
	clusters, hooks := Serves(o, now)
	if !slices.Equal(clusters, []string{"web", "api"}) || !slices.Equal(hooks, []string{"drainer", "old-hook"}) {
		t.Errorf("Serves = %v, %v; want [web api], [drainer old-hook]", clusters, hooks)
	}

	// Nothing else of the kept group is the plan's, and without an earlier
	// setup there is nothing kept.
	if clusters, hooks := Serves(bare(), served); !slices.Equal(clusters, served.Clusters) || !slices.Equal(hooks, []string{"drainer"}) {
		t.Errorf("Serves of a first setup = %v, %v", clusters, hooks)
	}

	del := mustPlan(t, after(t, o, steps), Want{Clusters: []string{"web"}, Delete: true})
	for _, r := range []string{"api-asg/old-hook", "web-asg/drainer"} {
		if !slices.ContainsFunc(del, func(s Step) bool { return s.Resource() == r && s.Action == Delete }) {
			t.Errorf("--delete leaves %s:\n%s", r, summary(del))
		}
	}
	if slices.ContainsFunc(del, func(s Step) bool { return s.Name == "launching" || s.Name == "their-hook" }) {
		t.Errorf("--delete plans a hook not drainer's:\n%s", summary(del))
	}

	// A group of kept clusters only is no group of the clusters named.
	lone := o
	lone.Groups = o.Groups[:1]
	if _, err := Plan(lone, now); err == nil || !strings.Contains(err.Error(), "no Auto Scaling group joins cluster(s) web") {
		t.Errorf("only a kept cluster's group: %v", err)
	}
}
