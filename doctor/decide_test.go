package doctor

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/intake"
)

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// expect checks findings against want, one entry a finding, in order:
// "SEV subject: part of the message" (or "SEV subject:" for any message), optionally followed by " | part of
// the advice", or " | -" for a finding with no advice. An entry without
// " | " wants advice on every finding but OK ones, and none on OK ones.
func expect(t *testing.T, got []Finding, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d findings, want %d:\n%s", len(got), len(want), render(got))
		return
	}
	for i, w := range want {
		w, advice, hasAdvice := strings.Cut(w, " | ")
		head, msg, found := strings.Cut(w, ": ")
		if !found {
			head = strings.TrimSuffix(w, ":")
		}
		f := got[i]
		if gotHead := string(f.Severity) + " " + f.Subject.String(); gotHead != head || !strings.Contains(f.Message, msg) {
			t.Errorf("finding %d = %s: %s\nwant %s: …%s…", i, gotHead, f.Message, head, msg)
		}
		switch {
		case hasAdvice && advice == "-" && f.Advice != "":
			t.Errorf("finding %d (%s) has advice %q, want none", i, f.Message, f.Advice)
		case hasAdvice && advice != "-" && !strings.Contains(f.Advice, advice):
			t.Errorf("finding %d (%s) advice %q, want …%s…", i, f.Message, f.Advice, advice)
		case !hasAdvice && f.Severity == OK && f.Advice != "":
			t.Errorf("OK finding %d (%s) has advice %q", i, f.Message, f.Advice)
		case !hasAdvice && f.Severity != OK && f.Advice == "":
			t.Errorf("%s finding %d (%s) has no advice", f.Severity, i, f.Message)
		}
	}
}

func render(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + string(f.Severity) + " " + f.Subject.String() + ": " + f.Message + "\n")
		if f.Advice != "" {
			b.WriteString("      fix: " + f.Advice + "\n")
		}
	}
	return b.String()
}

// hook is a termination hook of group g named name: 15 min, CONTINUE,
// notifying target, changed by the options.
func hook(name, target string, opts ...func(*cloud.LifecycleHook)) cloud.LifecycleHook {
	h := cloud.LifecycleHook{Name: name, Group: "g", Transition: cloud.LifecycleTransitionTerminating,
		HeartbeatTimeout: 15 * time.Minute, DefaultResult: cloud.LifecycleContinue, NotificationTarget: target}
	for _, o := range opts {
		o(&h)
	}
	return h
}

func heartbeat(d time.Duration) func(*cloud.LifecycleHook) {
	return func(h *cloud.LifecycleHook) { h.HeartbeatTimeout = d }
}

func global(d time.Duration) func(*cloud.LifecycleHook) {
	return func(h *cloud.LifecycleHook) { h.GlobalTimeout = d }
}

func result(r cloud.LifecycleResult) func(*cloud.LifecycleHook) {
	return func(h *cloud.LifecycleHook) { h.DefaultResult = r }
}

func launching(h *cloud.LifecycleHook) { h.Transition = "autoscaling:EC2_INSTANCE_LAUNCHING" }

const (
	drainerARN   = "arn:aws:sqs:us-east-1:123456789012:drainer"
	elsewhereARN = "arn:aws:sqs:us-east-1:123456789012:elsewhere"
	drainerURL   = "https://sqs.us-east-1.amazonaws.com/123456789012/drainer"
)

func TestHookFindings(t *testing.T) {
	const (
		mine        = "OK group g hook drainer: drainer's termination hook, heartbeat timeout 15m (drainer heartbeats every 7m; a drain may hold an instance up to 25h, the global timeout), default result CONTINUE"
		notifies    = "OK group g hook drainer: notifies queue drainer"
		create      = " | drainer setup --cluster demo\nor drainer's hook on this group alone, as setup makes it:\naws autoscaling put-lifecycle-hook --auto-scaling-group-name g --lifecycle-hook-name drainer --lifecycle-transition autoscaling:EC2_INSTANCE_TERMINATING --heartbeat-timeout 900 --default-result CONTINUE --notification-metadata drainer:setup=drainer"
		ruleMissing = "\nthe hook has no notification target: its lifecycle actions reach queue drainer through the EventBridge rule drainer-lifecycle-actions, missing too (drainer setup makes it):\naws events put-rule --name drainer-lifecycle-actions "
	)
	queued := hookContext{owned: []string{"drainer"}, queue: "drainer", lifecycleRule: routeNo,
		fix: fixer{Conventions: SetupConventions, clusters: []string{"demo"}, queue: "drainer", queueARN: drainerARN, hook: "drainer"}}
	with := func(change func(*hookContext)) hookContext { hc := queued; change(&hc); return hc }
	routed := with(func(hc *hookContext) { hc.lifecycleRule = routeYes })
	unread := with(func(hc *hookContext) { hc.lifecycleRule = routeUnknown })
	noQueue := hookContext{owned: []string{"drainer"}, fix: fixer{Conventions: SetupConventions, clusters: []string{"demo"}, queue: "drainer", hook: "drainer"}}
	for _, c := range []struct {
		name  string
		hooks []cloud.LifecycleHook
		hc    hookContext
		want  []string
		// unwanted is text no finding's message or advice may hold.
		unwanted string
	}{
		{"no hook", nil, queued,
			[]string{"FAIL group g: no termination lifecycle hook: its instances are terminated without being drained" + create + ruleMissing}, "ROLE_ARN"},
		{"no hook, lifecycle actions routed by a rule: the hook alone", nil, routed,
			[]string{"FAIL group g: no termination lifecycle hook" + create}, "put-rule"},
		{"no hook, drainer owning another name", nil, with(func(hc *hookContext) { hc.owned = []string{"team-drain", "drainer"}; hc.fix.hook = "team-drain" }),
			[]string{"FAIL group g: no termination lifecycle hook | drainer setup --cluster demo --hook team-drain\nor drainer's hook on this group alone, as setup makes it:\naws autoscaling put-lifecycle-hook --auto-scaling-group-name g --lifecycle-hook-name team-drain "}, ""},
		{"a launch hook only", []cloud.LifecycleHook{hook("drainer", drainerARN, launching)}, queued,
			[]string{"FAIL group g: no termination lifecycle hook"}, ""},
		{"drainer's hook to the queue", []cloud.LifecycleHook{hook("drainer", drainerARN)}, queued,
			[]string{mine, notifies}, ""},
		{"no queue configured: the hook alone", []cloud.LifecycleHook{hook("drainer", elsewhereARN)}, noQueue,
			[]string{mine}, ""},
		{"a launch hook beside drainer's", []cloud.LifecycleHook{hook("warmup", "", launching), hook("drainer", drainerARN)}, queued,
			[]string{mine, notifies}, "warmup"},
		{"drainer's hook delivered through EventBridge", []cloud.LifecycleHook{hook("drainer", "")}, routed,
			[]string{mine, `OK group g hook drainer: an EventBridge rule sends its "EC2 Instance-terminate Lifecycle Action" events to queue drainer`}, ""},
		{"no target and the rules unread", []cloud.LifecycleHook{hook("drainer", "")}, unread,
			[]string{mine, "WARN group g hook drainer: notifies -, and the EventBridge rules to queue drainer could not be read | drainer setup --cluster demo   # makes the lifecycle rule, if it is missing"}, "ARN_OF"},
		{"no target and no rule", []cloud.LifecycleHook{hook("drainer", "")}, queued,
			[]string{mine, `FAIL group g hook drainer: its lifecycle actions never reach queue drainer (it notifies -, and no enabled EventBridge rule sends "EC2 Instance-terminate Lifecycle Action" there): drainer never hears of its terminations | drainer setup --cluster demo` + "\n" + `or the lifecycle rule drainer-lifecycle-actions alone, which sends every group's lifecycle actions to the queue, as setup makes it (the queue's policy must let EventBridge send from it):` + "\n" + `aws events put-rule --name drainer-lifecycle-actions `}, "ROLE_ARN"},
		{"drainer's hook to another queue, no rule", []cloud.LifecycleHook{hook("drainer", elsewhereARN)}, queued,
			[]string{mine, "FAIL group g hook drainer: its lifecycle actions never reach queue drainer (it notifies " + elsewhereARN}, ""},
		{"drainer's hook to another queue, a rule to drainer's", []cloud.LifecycleHook{hook("drainer", elsewhereARN)}, routed,
			[]string{mine, "OK group g hook drainer: an EventBridge rule sends"}, ""},
		{"only another team's hook: drainer's own is to make, theirs is left alone", []cloud.LifecycleHook{hook("their-hook", elsewhereARN)}, queued,
			[]string{"OK group g hook their-hook: another team's hook, default result CONTINUE: drainer leaves it alone",
				"FAIL group g: no termination hook drainer owns (their-hook; drainer owns drainer): drainer completes no lifecycle action here" + create},
			"--lifecycle-hook-name their-hook"},
		{"another team's hook with ABANDON beside drainer's: a warning, no advice", []cloud.LifecycleHook{
			hook("theirs", "arn:aws:sns:us-east-1:123456789012:topic", heartbeat(time.Hour), result(cloud.LifecycleAbandon)),
			hook("drainer", drainerARN),
		}, queued, []string{
			"WARN group g hook theirs: another team's hook (heartbeat timeout 1h) with default result ABANDON: should one of its lifecycle actions time out or be abandoned, Auto Scaling terminates the instance at once and skips every other termination hook, drainer's among them | -",
			mine, notifies}, "--lifecycle-hook-name theirs"},
		{"another team's short heartbeat cannot hurt a drain", []cloud.LifecycleHook{hook("theirs", "", heartbeat(time.Minute)), hook("drainer", drainerARN)}, queued,
			[]string{"OK group g hook theirs: another team's hook, default result CONTINUE", mine, notifies}, "--lifecycle-hook-name theirs"},
		{"ECS's managed draining hook beside drainer's", []cloud.LifecycleHook{hook(ecsManagedHook, ""), hook("drainer", drainerARN)}, queued,
			[]string{"OK group g hook ecs-managed-draining-termination-hook: ECS's managed draining hook", mine, notifies}, ""},
		{"ECS's managed draining hook alone, even when named drainer's", []cloud.LifecycleHook{hook(ecsManagedHook, "")}, with(func(hc *hookContext) { hc.owned = []string{ecsManagedHook} }),
			[]string{"OK group g hook ecs-managed-draining-termination-hook: ECS's managed draining hook",
				"FAIL group g: no termination hook drainer owns (ecs-managed-draining-termination-hook; drainer owns ecs-managed-draining-termination-hook)"}, ""},
		{"two hooks drainer owns, both judged", []cloud.LifecycleHook{hook("a", drainerARN), hook("b", "", heartbeat(time.Minute))},
			with(func(hc *hookContext) { hc.owned = []string{"a", "b"} }),
			[]string{"OK group g hook a: drainer's termination hook", "OK group g hook a: notifies queue drainer",
				"WARN group g hook b: drainer's hook: heartbeat timeout 1m is short", "FAIL group g hook b: its lifecycle actions never reach queue drainer"}, ""},
		{"short heartbeat", []cloud.LifecycleHook{hook("drainer", drainerARN, heartbeat(2*time.Minute))}, noQueue,
			[]string{"WARN group g hook drainer: drainer's hook: heartbeat timeout 2m is short: drainer heartbeats every 1m, so an outage (AWS, or drainer restarting) longer than that lets the instance go with its tasks, and drains end by the global timeout, 3h20m | --lifecycle-hook-name drainer --lifecycle-transition autoscaling:EC2_INSTANCE_TERMINATING --heartbeat-timeout 900"}, "(15 min"},
		{"heartbeat just under 5 min", []cloud.LifecycleHook{hook("drainer", drainerARN, heartbeat(5*time.Minute-time.Second))}, noQueue,
			[]string{"WARN group g hook drainer: drainer's hook: heartbeat timeout 4m is short"}, ""},
		{"heartbeat of 5 min is enough", []cloud.LifecycleHook{hook("drainer", drainerARN, heartbeat(5*time.Minute))}, noQueue,
			[]string{"OK group g hook drainer: drainer's termination hook, heartbeat timeout 5m (drainer heartbeats every 2m; a drain may hold an instance up to 8h20m, the global timeout), default result CONTINUE"}, ""},
		{"heartbeat of 30 min: the 48 h cap", []cloud.LifecycleHook{hook("drainer", drainerARN, heartbeat(30*time.Minute))}, noQueue,
			[]string{"OK group g hook drainer: drainer's termination hook, heartbeat timeout 30m (drainer heartbeats every 15m; a drain may hold an instance up to 2d, the global timeout)"}, ""},
		{"heartbeat unset", []cloud.LifecycleHook{hook("drainer", drainerARN, heartbeat(0))}, noQueue,
			[]string{"OK group g hook drainer: drainer's termination hook, default result CONTINUE (heartbeat timeout not reported"}, ""},
		{"heartbeat at the maximum, global timeout given", []cloud.LifecycleHook{hook("drainer", drainerARN, heartbeat(7200*time.Second), global(48*time.Hour))}, queued,
			[]string{"WARN group g hook drainer: drainer's hook: heartbeat timeout 7200 s (the maximum) with a global timeout of 2d: should drainer stop, an instance waits up to 2h before its hook times out, and a drain may hold it up to 2d | autoscaling:EC2_INSTANCE_TERMINATING --heartbeat-timeout 900",
				notifies}, ""},
		{"heartbeat at the maximum, global timeout derived (48 h cap)", []cloud.LifecycleHook{hook("drainer", drainerARN, heartbeat(7200*time.Second))}, noQueue,
			[]string{"WARN group g hook drainer: drainer's hook: heartbeat timeout 7200 s (the maximum) with a global timeout of 2d"}, ""},
		{"heartbeat at the maximum, shorter global timeout", []cloud.LifecycleHook{hook("drainer", drainerARN, heartbeat(7200*time.Second), global(10*time.Hour))}, noQueue,
			[]string{"WARN group g hook drainer: drainer's hook: heartbeat timeout 7200 s (the maximum) with a global timeout of 10h: should drainer stop, an instance waits up to 2h before its hook times out, and a drain may hold it up to 10h"}, ""},
		{"drainer's hook with ABANDON: CONTINUE, and why", []cloud.LifecycleHook{hook("drainer", drainerARN, result(cloud.LifecycleAbandon))}, queued,
			[]string{"OK group g hook drainer: default result ABANDON",
				"WARN group g hook drainer: drainer's hook has default result ABANDON: should one of its lifecycle actions time out (drainer stopped, AWS out of reach), Auto Scaling terminates the instance at once and skips the group's other termination hooks, ECS's managed draining hook and other teams' among them; CONTINUE, the default result of ECS's own draining hook, terminates the instance just the same once every hook is done, and never cuts another's work short | aws autoscaling put-lifecycle-hook --auto-scaling-group-name g --lifecycle-hook-name drainer --lifecycle-transition autoscaling:EC2_INSTANCE_TERMINATING --heartbeat-timeout 900 --default-result CONTINUE --notification-target-arn " + drainerARN,
				notifies}, ""},
		{"no default result reported", []cloud.LifecycleHook{hook("drainer", drainerARN, result(""))}, noQueue,
			[]string{"OK group g hook drainer: drainer's termination hook, heartbeat timeout 15m (drainer heartbeats every 7m; a drain may hold an instance up to 25h, the global timeout), default result -"}, ""},
		{"everything wrong with drainer's hook", []cloud.LifecycleHook{hook("drainer", "", heartbeat(7200*time.Second), result(cloud.LifecycleAbandon))}, queued,
			[]string{"WARN group g hook drainer: drainer's hook: heartbeat timeout 7200 s (the maximum)",
				"WARN group g hook drainer: drainer's hook has default result ABANDON",
				"FAIL group g hook drainer: its lifecycle actions never reach queue drainer (it notifies -"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := hookFindings("g", c.hooks, c.hc)
			expect(t, got, c.want)
			for _, f := range got {
				if c.unwanted != "" && (strings.Contains(f.Message, c.unwanted) || strings.Contains(f.Advice, c.unwanted)) {
					t.Errorf("finding %s: %s (advice %q) holds %q", f.Subject, f.Message, f.Advice, c.unwanted)
				}
			}
		})
	}
}

// TestNoAdviceForOtherHooks: whatever another team's hooks look like,
// doctor never advises changing them.
func TestNoAdviceForOtherHooks(t *testing.T) {
	var hooks []cloud.LifecycleHook
	for _, hb := range []time.Duration{0, time.Minute, 15 * time.Minute, 7200 * time.Second} {
		for _, r := range []cloud.LifecycleResult{"", cloud.LifecycleContinue, cloud.LifecycleAbandon} {
			for _, target := range []string{"", elsewhereARN, drainerARN} {
				hooks = append(hooks, hook(fmt.Sprintf("theirs-%v-%s-%d", hb, r, len(target)), target, heartbeat(hb), result(r)))
			}
		}
	}
	for _, rule := range []route{routeUnknown, routeYes, routeNo} {
		for _, f := range hookFindings("g", hooks, hookContext{owned: []string{"drainer"}, queue: "drainer", lifecycleRule: rule}) {
			if f.Subject.Kind == KindHook && f.Advice != "" {
				t.Errorf("advice for another team's hook %s: %q", f.Subject, f.Advice)
			}
			if f.Advice != "" && strings.Contains(f.Advice, "theirs-") {
				t.Errorf("advice naming another team's hook: %s: %q", f.Subject, f.Advice)
			}
		}
	}
}

func TestClusterFindings(t *testing.T) {
	cis := func(n int) []cloud.ContainerInstance { return make([]cloud.ContainerInstance, n) }
	for _, c := range []struct {
		name     string
		clusters []Cluster
		want     []string
	}{
		{"none", nil, nil},
		{"groups through instances and capacity providers", []Cluster{{Name: "demo", ContainerInstances: cis(3), Groups: []string{"a", "b"}}},
			[]string{"OK cluster demo: 3 container instance(s), Auto Scaling group(s) a, b"}},
		{"a capacity provider and no instance yet", []Cluster{{Name: "demo", Groups: []string{"a"}}},
			[]string{"OK cluster demo: 0 container instance(s), Auto Scaling group(s) a"}},
		{"no group", []Cluster{{Name: "empty", ContainerInstances: cis(1)}},
			[]string{"WARN cluster empty: no Auto Scaling group found (no capacity provider, no launch template or configuration whose user data sets ECS_CLUSTER to it, no container instance in a group): nothing for drainer to guard | check the cluster name, or attach an Auto Scaling group capacity provider to the cluster"}},
		{"two clusters in order", []Cluster{{Name: "a", Groups: []string{"g"}}, {Name: "b"}},
			[]string{"OK cluster a:", "WARN cluster b:"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			expect(t, clusterFindings(c.clusters), c.want)
		})
	}
}

func TestStaleGroupFindings(t *testing.T) {
	for _, c := range []struct {
		name     string
		clusters []Cluster
		groups   []cloud.Group
		want     []string
	}{
		{"every group known", []Cluster{{Name: "demo", Groups: []string{"a", "b"}}}, []cloud.Group{{Name: "a"}, {Name: "b"}}, nil},
		{"no group at all", []Cluster{{Name: "demo"}}, nil, nil},
		{"one gone", []Cluster{{Name: "demo", Groups: []string{"a", "gone"}}}, []cloud.Group{{Name: "a"}},
			[]string{"WARN group gone: named by cluster(s) demo but Auto Scaling does not know it | remove the stale capacity provider, or recreate the group"}},
		{"named by two clusters, sorted by group", []Cluster{{Name: "c1", Groups: []string{"y", "x"}}, {Name: "c2", Groups: []string{"x"}}}, nil,
			[]string{"WARN group x: named by cluster(s) c1, c2 but", "WARN group y: named by cluster(s) c1 but"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			expect(t, staleGroupFindings(c.clusters, c.groups), c.want)
		})
	}
}

func TestRuleFindings(t *testing.T) {
	spot := cloud.Rule{Name: "spot", State: "ENABLED", EventPattern: `{"source":["aws.ec2"],"detail-type":["EC2 Spot Instance Interruption Warning"]}`}
	tasks := cloud.Rule{Name: "tasks", State: "ENABLED", EventPattern: `{"source":["aws.ecs"],"detail-type":["ECS Task State Change"]}`}
	both := cloud.Rule{Name: "both", State: "ENABLED", EventPattern: `{"detail-type":["EC2 Spot Instance Interruption Warning","ECS Task State Change"]}`}
	off := func(r cloud.Rule) cloud.Rule { r.State = "DISABLED"; return r }
	const (
		spotOK    = `OK EventBridge rules: "EC2 Spot Instance Interruption Warning" reaches the queue`
		tasksOK   = `OK EventBridge rules: "ECS Task State Change" reaches the queue`
		spotWarn  = `WARN EventBridge rules: no enabled rule sends "EC2 Spot Instance Interruption Warning" to the queue: Spot instances get their two minutes only through a lifecycle hook, if the group has one | drainer setup --cluster demo --cluster 'two words'` + "\n" + `or this rule alone, as setup makes it (the queue's policy must let EventBridge send from it):` + "\n" + `aws events put-rule --name drainer-spot --event-pattern '{"detail-type":["EC2 Spot Instance Interruption Warning","EC2 Instance Rebalance Recommendation"],"source":["aws.ec2"]}' --description 'Spot interruption warnings and rebalance recommendations' --tags Key=drainer:setup,Value=drainer && aws events put-targets --rule drainer-spot --targets Id=drainer-queue,Arn=` + drainerARN
		tasksWarn = `WARN EventBridge rules: no enabled rule sends "ECS Task State Change" to the queue: a drain notices a task stopping only at its fallback poll (2 min), not at once | aws events put-rule --name drainer-tasks-stopped --event-pattern '{"detail":{"clusterArn":["arn:aws:ecs:us-east-1:123456789012:cluster/demo","arn:aws:ecs:us-east-1:123456789012:cluster/two words"],"lastStatus":["STOPPED"]},"detail-type":["ECS Task State Change"],"source":["aws.ecs"]}' --description `
	)
	for _, c := range []struct {
		name  string
		arn   string
		rules []cloud.Rule
		err   error
		want  []string
	}{
		{"queue ARN unknown", "", []cloud.Rule{spot}, nil,
			[]string{"WARN EventBridge rules: cannot tell the queue's ARN (no termination hook notifies it): its rules were not checked | -"}},
		{"rules unreadable", drainerARN, nil, errors.New("AccessDeniedException: not allowed"),
			[]string{"WARN EventBridge rules: could not list the rules: AccessDeniedException: not allowed | -"}},
		{"no rule", drainerARN, nil, nil, []string{spotWarn, tasksWarn}},
		{"one rule each", drainerARN, []cloud.Rule{spot, tasks}, nil, []string{spotOK, tasksOK}},
		{"one rule for both", drainerARN, []cloud.Rule{both}, nil, []string{spotOK, tasksOK}},
		{"Spot only", drainerARN, []cloud.Rule{spot}, nil, []string{spotOK, tasksWarn}},
		{"task rule disabled", drainerARN, []cloud.Rule{spot, off(tasks)}, nil, []string{spotOK, tasksWarn}},
		{"a disabled and an enabled rule for the same events", drainerARN, []cloud.Rule{off(both), spot, tasks}, nil, []string{spotOK, tasksOK}},
	} {
		t.Run(c.name, func(t *testing.T) {
			expect(t, ruleFindings(c.arn, c.rules, c.err, fixer{Conventions: SetupConventions, clusters: []string{"demo", "two words"}, queue: "drainer", queueARN: c.arn, hook: "drainer"}), c.want)
		})
	}
}

func TestLifetimeFindings(t *testing.T) {
	day := 24 * time.Hour
	inst := func(id string, protected bool) cloud.GroupInstance {
		return cloud.GroupInstance{InstanceID: id, LifecycleState: cloud.LifecycleInService, ProtectedFromScaleIn: protected}
	}
	group := func(name string, lifetime time.Duration, ins ...cloud.GroupInstance) cloud.Group {
		return cloud.Group{Name: name, MaxInstanceLifetime: lifetime, DesiredCapacity: len(ins), Instances: ins}
	}
	const none = "OK maximum lifetime: no instance is kept past its group's maximum instance lifetime by scale-in protection"
	for _, c := range []struct {
		name     string
		groups   []cloud.Group
		launched map[string]time.Time
		want     []string
	}{
		{"no group", nil, nil, nil},
		{"no group sets a lifetime", []cloud.Group{group("g", 0, inst("i-old", true))}, map[string]time.Time{"i-old": t0.Add(-30 * day)}, nil},
		{"a lifetime, no protected instance", []cloud.Group{group("g", day, inst("i-a", false))}, nil, []string{none}},
		{"protected and young", []cloud.Group{group("g", day, inst("i-a", true))}, map[string]time.Time{"i-a": t0.Add(-time.Hour)}, []string{none}},
		{"protected and exactly at the lifetime", []cloud.Group{group("g", day, inst("i-a", true))}, map[string]time.Time{"i-a": t0.Add(-day)}, []string{none}},
		{"protected and past it", []cloud.Group{group("g", day, inst("i-old", true))}, map[string]time.Time{"i-old": t0.Add(-25 * time.Hour)},
			[]string{"WARN instance i-old: protected from scale-in in group g and 25h old, past the group's maximum instance lifetime 24h: Auto Scaling will not replace it | drainer drain i-old\n(or let drainer's scan remove protection from empty instances: a capacity provider with managed termination protection, or drainer run --protect)"}},
		{"past it but not protected: Auto Scaling replaces it", []cloud.Group{group("g", day, inst("i-old", false))}, map[string]time.Time{"i-old": t0.Add(-30 * day)}, []string{none}},
		{"launch time unknown (EC2 no longer knows it)", []cloud.Group{group("g", day, inst("i-gone", true))}, nil, []string{none}},
		{"traps of two groups, oldest first", []cloud.Group{
			group("a", day, inst("i-a1", true), inst("i-a2", true)),
			group("b", 2*day, inst("i-b1", true)),
			group("c", 0, inst("i-c1", true)),
		}, map[string]time.Time{"i-a1": t0.Add(-26 * time.Hour), "i-a2": t0.Add(-time.Hour), "i-b1": t0.Add(-10 * day), "i-c1": t0.Add(-100 * day)},
			[]string{"WARN instance i-b1: in group b and 10d old, past the group's maximum instance lifetime 2d",
				"WARN instance i-a1: in group a and 26h old, past the group's maximum instance lifetime 24h"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := lifetimeFindings(c.groups, c.launched, t0)
			expect(t, got, c.want)
			for _, f := range got {
				if f.Subject.Kind == KindInstance && f.Subject.Group == "" {
					t.Errorf("trap %s names no group", f.Subject)
				}
			}
		})
	}
}

func TestServiceFindings(t *testing.T) {
	svc := func(name string, minHealthy, max int) cloud.Service {
		return cloud.Service{Name: name, MinimumHealthyPercent: minHealthy, MaximumPercent: max}
	}
	daemon := svc("log-agent", 100, 100)
	daemon.Daemon = true
	for _, c := range []struct {
		name     string
		services []cloud.Service
		want     []string
	}{
		{"no service seen", nil, nil},
		{"100/100", []cloud.Service{svc("web", 100, 100)},
			[]string{"WARN service demo/web: minimumHealthyPercent 100 and maximumPercent 100: ECS can neither stop a task first nor start its replacement first, so its tasks never leave a draining instance until the hard deadline stops them | aws ecs update-service --cluster demo --service web --deployment-configuration minimumHealthyPercent=100,maximumPercent=200"}},
		{"100/200 starts the replacement first", []cloud.Service{svc("api", 100, 200)},
			[]string{"OK cluster demo: no service at 100/100 among the 1 with tasks on its instances"}},
		{"50/100 stops a task first", []cloud.Service{svc("api", 50, 100)},
			[]string{"OK cluster demo: no service at 100/100 among the 1"}},
		{"0/100", []cloud.Service{svc("batch", 0, 100)},
			[]string{"OK cluster demo: no service at 100/100 among the 1"}},
		{"a daemon at 100/100 is stopped last anyway", []cloud.Service{daemon, svc("api", 50, 200)},
			[]string{"OK cluster demo: no service at 100/100 among the 2"}},
		{"two stuck, one fine: the stuck ones only", []cloud.Service{svc("a", 100, 100), svc("b", 50, 200), svc("c", 100, 100)},
			[]string{"WARN service demo/a:", "WARN service demo/c:"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			expect(t, serviceFindings("demo", c.services), c.want)
		})
	}
}

// cleanSetup is a setup with nothing to fix: one cluster, one group with
// drainer's hook to its queue, both rules, a lifetime nobody is past and a
// service that can drain.
func cleanSetup() Setup {
	return Setup{
		Clusters: []Cluster{{Name: "demo", ContainerInstances: make([]cloud.ContainerInstance, 2), Groups: []string{"asg"},
			Services: []cloud.Service{{Name: "web", MinimumHealthyPercent: 100, MaximumPercent: 200}}}},
		Groups: []cloud.Group{{Name: "asg", MaxInstanceLifetime: 7 * 24 * time.Hour,
			Instances: []cloud.GroupInstance{{InstanceID: "i-1", ProtectedFromScaleIn: true, LifecycleState: cloud.LifecycleInService}}}},
		Hooks: map[string][]cloud.LifecycleHook{"asg": {{Name: "drainer", Group: "asg", Transition: cloud.LifecycleTransitionTerminating,
			HeartbeatTimeout: 15 * time.Minute, DefaultResult: cloud.LifecycleContinue, NotificationTarget: drainerARN}}},
		Rules: []cloud.Rule{{Name: "drainer", State: "ENABLED",
			EventPattern: `{"detail-type":["EC2 Spot Instance Interruption Warning","ECS Task State Change"]}`}},
		Launched: map[string]time.Time{"i-1": t0.Add(-24 * time.Hour)},
		Queue:    Queue{URL: drainerURL, ARN: drainerARN},
		Read:     ReadAll,
	}
}

func TestDecide(t *testing.T) {
	clean := []string{
		"OK cluster demo: 2 container instance(s), Auto Scaling group(s) asg",
		"OK queue " + drainerURL + ": exists and may be read: " + drainerARN,
		"OK group asg hook drainer: drainer's termination hook, heartbeat timeout 15m",
		"OK group asg hook drainer: notifies queue drainer",
		`OK EventBridge rules: "EC2 Spot Instance Interruption Warning" reaches the queue`,
		`OK EventBridge rules: "ECS Task State Change" reaches the queue`,
		"OK maximum lifetime: no instance is kept",
		"OK cluster demo: no service at 100/100 among the 1",
	}
	gone := fmt.Errorf("read the attributes of %s: QueueDoesNotExist: %w", drainerURL, cloud.ErrNotFound)
	for _, c := range []struct {
		name   string
		change func(*Setup)
		cfg    Config
		want   []string
	}{
		{"clean", nil, Config{Queue: drainerURL}, clean},
		{"clean, without a queue: no queue, target or rule finding", nil, Config{},
			[]string{clean[0], clean[2], clean[6], clean[7]}},
		{"clean, the queue by name", nil, Config{Queue: "drainer"},
			append([]string{clean[0], "OK queue drainer: exists"}, clean[2:]...)},
		{"clean, the queue by ARN", nil, Config{Queue: drainerARN},
			append([]string{clean[0], "OK queue " + drainerARN + ": exists"}, clean[2:]...)},
		{"clean, the emulator's queue URL with a trailing slash", nil, Config{Queue: "http://127.0.0.1:4566/123456789012/drainer/"},
			append([]string{clean[0], "OK queue http://127.0.0.1:4566/123456789012/drainer/: exists"}, clean[2:]...)},
		{"nothing read", func(s *Setup) { s.Read = ReadNothing }, Config{Queue: drainerURL}, nil},
		{"only the clusters read", func(s *Setup) { s.Read = ReadClusters }, Config{Queue: drainerURL}, clean[:1]},
		{"up to the groups", func(s *Setup) { s.Read = ReadGroups }, Config{Queue: drainerURL}, clean[:6]},
		{"up to the launches", func(s *Setup) { s.Read = ReadLaunches }, Config{Queue: drainerURL}, clean[:7]},
		{"no cluster in the region: that alone, even with a queue", func(s *Setup) { *s = Setup{Read: ReadAll} }, Config{Queue: drainerURL},
			[]string{"FAIL region: no ECS cluster: nothing to drain | create the ECS cluster, or point --region/--endpoint-url where it is"}},
		{"a group gone, after the rules", func(s *Setup) { s.Clusters[0].Groups = []string{"asg", "old"} }, Config{Queue: drainerURL},
			append(append([]string{"OK cluster demo: 2 container instance(s), Auto Scaling group(s) asg, old"}, clean[1:6]...),
				"WARN group old: named by cluster(s) demo but Auto Scaling does not know it", clean[6], clean[7])},
		{"the queue missing: a FAIL saying what to do, the hooks still judged by its name", func(s *Setup) {
			s.Queue = Queue{Err: &intake.QueueError{Queue: drainerURL, Problem: "no such queue in Region us-east-1, or drainer's role may not see it", Err: gone}}
		}, Config{Queue: drainerURL},
			append([]string{clean[0], "FAIL queue " + drainerURL + ": no such queue in Region us-east-1, or drainer's role may not see it | drainer setup --cluster demo   # creates it, with its dead-letter queue and the policy letting EventBridge send to it\nor correct --queue-url and --region"}, clean[2:]...)},
		{"the queue unreadable: no command to give", func(s *Setup) {
			s.Queue = Queue{Err: &intake.QueueError{Queue: drainerURL, Problem: "drainer may not read it", Err: cloud.ErrAccessDenied}}
		}, Config{Queue: drainerURL},
			append([]string{clean[0], "FAIL queue " + drainerURL + ": drainer may not read it | -"}, clean[2:]...)},
		{"queue named by ARN though no hook notifies it: its rules are still judged", func(s *Setup) {
			s.Hooks["asg"][0].NotificationTarget = elsewhereARN
			s.Queue = Queue{}
		}, Config{Queue: drainerARN},
			[]string{clean[0], "OK queue " + drainerARN + ":", clean[2], "FAIL group asg hook drainer: its lifecycle actions never reach queue drainer", clean[4], clean[5], clean[6], clean[7]}},
		{"queue unread and named by URL, no hook notifies it: the rules cannot be judged", func(s *Setup) {
			s.Hooks["asg"][0].NotificationTarget = elsewhereARN
			s.Queue, s.Rules = Queue{Err: errors.New("dial tcp: refused")}, nil
		}, Config{Queue: drainerURL},
			[]string{clean[0], "FAIL queue " + drainerURL + ": dial tcp: refused | -", clean[2], "WARN group asg hook drainer: notifies " + elsewhereARN + ", and the EventBridge rules to queue drainer could not be read",
				"WARN EventBridge rules: cannot tell the queue's ARN | -", clean[6], clean[7]}},
		{"drainer's hook delivered by a rule, as drainer setup makes it", func(s *Setup) {
			s.Hooks["asg"][0].NotificationTarget = ""
			s.Rules = append(s.Rules, cloud.Rule{Name: "drainer-lifecycle", State: "ENABLED", EventPattern: `{"source":["aws.autoscaling"],"detail-type":["EC2 Instance-terminate Lifecycle Action"]}`})
		}, Config{Queue: drainerURL},
			[]string{clean[0], clean[1], clean[2], `OK group asg hook drainer: an EventBridge rule sends its "EC2 Instance-terminate Lifecycle Action" events to queue drainer`, clean[4], clean[5], clean[6], clean[7]}},
		{"the hook is another team's: drainer owns another name", nil, Config{Queue: drainerURL, Hooks: []string{"team-drain"}},
			[]string{clean[0], clean[1], "OK group asg hook drainer: another team's hook, default result CONTINUE", "FAIL group asg: no termination hook drainer owns (drainer; drainer owns team-drain) | --lifecycle-hook-name team-drain ",
				clean[4], clean[5], clean[6], clean[7]}},
		{"a trap", func(s *Setup) { s.Launched["i-1"] = t0.Add(-8 * 24 * time.Hour) }, Config{Queue: drainerURL},
			append(append([]string{}, clean[:6]...), "WARN instance i-1: protected from scale-in in group asg and 8d old, past the group's maximum instance lifetime 7d", clean[7])},
		{"services of two clusters, in cluster order", func(s *Setup) {
			s.Clusters = append(s.Clusters, Cluster{Name: "other", Groups: []string{"asg"}, Services: []cloud.Service{{Name: "web", MinimumHealthyPercent: 100, MaximumPercent: 100}}})
		}, Config{Queue: drainerURL}, append(append([]string{clean[0], "OK cluster other: 0 container instance(s), Auto Scaling group(s) asg"}, clean[1:]...), "WARN service other/web:")},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := cleanSetup()
			if c.change != nil {
				c.change(&s)
			}
			c.cfg.Setup = SetupConventions
			expect(t, Decide(s, c.cfg, t0), c.want)
		})
	}
}

func TestFailed(t *testing.T) {
	for _, c := range []struct {
		sevs []Severity
		want bool
	}{
		{nil, false},
		{[]Severity{OK, Warn}, false},
		{[]Severity{OK, Fail, Warn}, true},
	} {
		var fs []Finding
		for _, s := range c.sevs {
			fs = append(fs, Finding{Severity: s})
		}
		if got := Failed(fs); got != c.want {
			t.Errorf("Failed(%v) = %v, want %v", c.sevs, got, c.want)
		}
	}
}

func TestSubjectString(t *testing.T) {
	for _, c := range []struct {
		s    Subject
		want string
	}{
		{Subject{Kind: KindRegion}, "region"},
		{Subject{Kind: KindCluster, Name: "demo"}, "cluster demo"},
		{Subject{Kind: KindGroup, Name: "asg"}, "group asg"},
		{Subject{Kind: KindHook, Group: "asg", Name: "drainer"}, "group asg hook drainer"},
		{Subject{Kind: KindService, Cluster: "demo", Name: "web"}, "service demo/web"},
		{Subject{Kind: KindInstance, Name: "i-0abc", Group: "asg"}, "instance i-0abc"},
		{Subject{Kind: KindLifetime}, "maximum lifetime"},
		{Subject{Kind: KindRules}, "EventBridge rules"},
	} {
		if got := c.s.String(); got != c.want {
			t.Errorf("%+v.String() = %q, want %q", c.s, got, c.want)
		}
	}
}

// TestClusterFindingsUndrainedGroups: a group whose capacity provider has
// managed draining off is not drained (drainer follows the provider), and
// doctor says so, with the provider's fix; a group of a provider with
// managed draining on draws no such warning.
func TestClusterFindingsUndrainedGroups(t *testing.T) {
	got := clusterFindings([]Cluster{{Name: "web", Groups: []string{"a", "b"}, Undrained: map[string]string{"b": "b-cp"}}})
	var warned []string
	for _, f := range got {
		if f.Severity == Warn {
			warned = append(warned, f.Subject.Name)
			if !strings.Contains(f.Message, "managed draining off") || !strings.Contains(f.Advice, "--name b-cp") || !strings.Contains(f.Advice, "managedDraining=ENABLED") {
				t.Errorf("finding %+v: want the provider named, and its fix", f)
			}
		}
	}
	if !slices.Equal(warned, []string{"b"}) {
		t.Errorf("warned about %v, want only group b", warned)
	}
}
