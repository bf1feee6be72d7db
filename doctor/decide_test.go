package doctor

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/cloud"
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
		head, msg, _ := strings.Cut(w, ":")
		msg = strings.TrimPrefix(msg, " ")
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
	const okHook = "OK group g hook drainer: termination hook, heartbeat timeout 15m, default result CONTINUE"
	const notifies = "OK group g: a termination hook notifies queue drainer"
	for _, c := range []struct {
		name  string
		hooks []cloud.LifecycleHook
		queue string
		want  []string
	}{
		{"no hook", nil, drainerURL,
			[]string{"FAIL group g: no termination lifecycle hook: its instances are terminated without being drained | --auto-scaling-group-name g --lifecycle-hook-name drainer --lifecycle-transition autoscaling:EC2_INSTANCE_TERMINATING --heartbeat-timeout 900 --default-result CONTINUE"}},
		{"a launch hook only", []cloud.LifecycleHook{hook("warmup", drainerARN, launching)}, drainerURL,
			[]string{"FAIL group g: no termination lifecycle hook"}},
		{"clean, queue by URL", []cloud.LifecycleHook{hook("drainer", drainerARN)}, drainerURL,
			[]string{okHook, notifies}},
		{"clean, queue by name", []cloud.LifecycleHook{hook("drainer", drainerARN)}, "drainer",
			[]string{okHook, notifies}},
		{"clean, queue by ARN", []cloud.LifecycleHook{hook("drainer", drainerARN)}, drainerARN,
			[]string{okHook, notifies}},
		{"clean, the emulator's queue URL with a trailing slash", []cloud.LifecycleHook{hook("drainer", drainerARN)}, "http://127.0.0.1:4566/123456789012/drainer/",
			[]string{okHook, notifies}},
		{"no queue configured: the hooks alone", []cloud.LifecycleHook{hook("drainer", elsewhereARN)}, "",
			[]string{okHook}},
		{"a launch hook beside the termination hook", []cloud.LifecycleHook{hook("warmup", "", launching), hook("drainer", drainerARN)}, "drainer",
			[]string{okHook, notifies}},
		{"only a hook of another team, to another queue", []cloud.LifecycleHook{hook("their-hook", elsewhereARN)}, "drainer",
			[]string{"OK group g hook their-hook: heartbeat timeout 15m",
				"FAIL group g: no termination hook notifies queue drainer (their-hook→" + elsewhereARN + "): drainer never hears of its terminations | --lifecycle-hook-name their-hook --lifecycle-transition autoscaling:EC2_INSTANCE_TERMINATING --notification-target-arn ARN_OF_drainer"}},
		{"another team's hook beside drainer's", []cloud.LifecycleHook{
			hook("theirs", "arn:aws:sns:us-east-1:123456789012:topic", heartbeat(time.Hour), result(cloud.LifecycleAbandon)),
			hook("drainer", drainerARN),
		}, "drainer", []string{
			"OK group g hook theirs: termination hook, heartbeat timeout 1h, default result ABANDON",
			"WARN group g hook theirs: default result ABANDON: a drain that times out skips the group's other termination hooks | --lifecycle-hook-name theirs --default-result CONTINUE",
			okHook, notifies}},
		{"short heartbeat", []cloud.LifecycleHook{hook("h", drainerARN, heartbeat(2*time.Minute))}, "",
			[]string{"WARN group g hook h: heartbeat timeout 2m is short: one late heartbeat and the instance goes with its tasks | --lifecycle-hook-name h --heartbeat-timeout 900 (15 min"}},
		{"heartbeat just under 5 min", []cloud.LifecycleHook{hook("h", drainerARN, heartbeat(5*time.Minute-time.Second))}, "",
			[]string{"WARN group g hook h: heartbeat timeout 4m is short"}},
		{"heartbeat of 5 min is enough", []cloud.LifecycleHook{hook("h", drainerARN, heartbeat(5*time.Minute))}, "",
			[]string{"OK group g hook h: termination hook, heartbeat timeout 5m, default result CONTINUE"}},
		{"heartbeat unset", []cloud.LifecycleHook{hook("h", drainerARN, heartbeat(0))}, "",
			[]string{"OK group g hook h: termination hook, heartbeat timeout 0s"}},
		{"heartbeat at the maximum, global timeout given", []cloud.LifecycleHook{hook("h", drainerARN, heartbeat(7200*time.Second), global(48*time.Hour))}, "drainer",
			[]string{"WARN group g hook h: heartbeat timeout 7200 s (the maximum) with a global timeout of 2d: should drainer stop, an instance waits up to 2h before its hook times out, and a drain may hold it up to 2d | --heartbeat-timeout 900 (drainer heartbeats",
				notifies}},
		{"heartbeat at the maximum, global timeout derived (48 h cap)", []cloud.LifecycleHook{hook("h", drainerARN, heartbeat(7200*time.Second))}, "",
			[]string{"WARN group g hook h: heartbeat timeout 7200 s (the maximum) with a global timeout of 2d"}},
		{"heartbeat at the maximum, shorter global timeout", []cloud.LifecycleHook{hook("h", drainerARN, heartbeat(7200*time.Second), global(10*time.Hour))}, "",
			[]string{"WARN group g hook h: heartbeat timeout 7200 s (the maximum) with a global timeout of 10h: should drainer stop, an instance waits up to 2h before its hook times out, and a drain may hold it up to 10h"}},
		{"default result ABANDON", []cloud.LifecycleHook{hook("drainer", drainerARN, result(cloud.LifecycleAbandon))}, "drainer",
			[]string{"OK group g hook drainer: default result ABANDON",
				"WARN group g hook drainer: default result ABANDON | --auto-scaling-group-name g --lifecycle-hook-name drainer --default-result CONTINUE",
				notifies}},
		{"no default result", []cloud.LifecycleHook{hook("h", drainerARN, result(""))}, "",
			[]string{"OK group g hook h: termination hook, heartbeat timeout 15m, default result -"}},
		{"no notification target, no queue", []cloud.LifecycleHook{hook("h", "")}, "",
			[]string{"OK group g hook h: heartbeat timeout 15m",
				`WARN group g hook h: no notification target: drainer hears of the termination only if an EventBridge rule sends "EC2 Instance-terminate Lifecycle Action" to its queue | --lifecycle-hook-name h --notification-target-arn QUEUE_ARN --role-arn ROLE_ARN`}},
		{"no notification target, with the queue", []cloud.LifecycleHook{hook("h", "")}, drainerURL,
			[]string{"OK group g hook h: heartbeat timeout 15m",
				"WARN group g hook h: no notification target",
				"FAIL group g: no termination hook notifies queue drainer (h→-)"}},
		{"everything wrong with one hook", []cloud.LifecycleHook{hook("h", "", heartbeat(7200*time.Second), result(cloud.LifecycleAbandon))}, "drainer",
			[]string{"WARN group g hook h: heartbeat timeout 7200 s (the maximum)",
				"WARN group g hook h: default result ABANDON",
				"WARN group g hook h: no notification target",
				"FAIL group g: no termination hook notifies queue drainer (h→-) | --lifecycle-hook-name h"}},
		{"two hooks, neither to the queue: the first is the one to fix", []cloud.LifecycleHook{hook("a", elsewhereARN), hook("b", "")}, "drainer",
			[]string{"OK group g hook a:", "OK group g hook b:", "WARN group g hook b: no notification target",
				"FAIL group g: no termination hook notifies queue drainer (a→" + elsewhereARN + ", b→-) | --lifecycle-hook-name a "}},
	} {
		t.Run(c.name, func(t *testing.T) {
			expect(t, hookFindings("g", c.hooks, c.queue), c.want)
		})
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
			[]string{"WARN cluster empty: no Auto Scaling group found (no capacity provider, no container instance in a group): nothing for drainer to guard | attach an Auto Scaling group capacity provider"}},
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
		spotWarn  = `WARN EventBridge rules: no enabled rule sends "EC2 Spot Instance Interruption Warning" to the queue: Spot instances get their two minutes only through a lifecycle hook, if the group has one | aws events put-rule --name drainer-spot --event-pattern '{"detail-type":["EC2 Spot Instance Interruption Warning","EC2 Instance Rebalance Recommendation"],"source":["aws.ec2"]}' && aws events put-targets --rule drainer-spot --targets Id=drainer,Arn=` + drainerARN
		tasksWarn = `WARN EventBridge rules: no enabled rule sends "ECS Task State Change" to the queue: a drain notices a task stopping only at its fallback poll (2 min), not at once | aws events put-rule --name drainer-tasks-stopped --event-pattern '{"detail":{"lastStatus":["STOPPED"]},"detail-type":["ECS Task State Change"],"source":["aws.ecs"]}' && aws events put-targets --rule drainer-tasks-stopped --targets Id=drainer,Arn=` + drainerARN
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
			expect(t, ruleFindings(c.arn, c.rules, c.err), c.want)
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
			[]string{"WARN instance i-old: protected from scale-in in group g and 25h old, past the group's maximum instance lifetime 24h: Auto Scaling will not replace it | let drainer's scan remove protection from empty instances (a capacity provider with managed termination protection, or 'drainer run --protect'), or replace it: drainer drain i-old"}},
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
		Read:     ReadAll,
	}
}

func TestDecide(t *testing.T) {
	clean := []string{
		"OK cluster demo: 2 container instance(s), Auto Scaling group(s) asg",
		"OK group asg hook drainer: termination hook, heartbeat timeout 15m, default result CONTINUE",
		"OK group asg: a termination hook notifies queue drainer",
		`OK EventBridge rules: "EC2 Spot Instance Interruption Warning" reaches the queue`,
		`OK EventBridge rules: "ECS Task State Change" reaches the queue`,
		"OK maximum lifetime: no instance is kept",
		"OK cluster demo: no service at 100/100 among the 1",
	}
	for _, c := range []struct {
		name   string
		change func(*Setup)
		queue  string
		want   []string
	}{
		{"clean", nil, drainerURL, clean},
		{"clean, without a queue: no queue or rule finding", nil, "",
			[]string{clean[0], clean[1], clean[5], clean[6]}},
		{"nothing read", func(s *Setup) { s.Read = ReadNothing }, drainerURL, nil},
		{"only the clusters read", func(s *Setup) { s.Read = ReadClusters }, drainerURL, clean[:1]},
		{"up to the groups", func(s *Setup) { s.Read = ReadGroups }, drainerURL, clean[:5]},
		{"up to the launches", func(s *Setup) { s.Read = ReadLaunches }, drainerURL, clean[:6]},
		{"no cluster in the region: that alone, even with a queue", func(s *Setup) { *s = Setup{Read: ReadAll} }, drainerURL,
			[]string{"FAIL region: no ECS cluster: nothing to drain | create the ECS cluster, or point --region/--endpoint-url where it is"}},
		{"a group gone, after the rules", func(s *Setup) { s.Clusters[0].Groups = []string{"asg", "old"} }, drainerURL,
			append(append([]string{"OK cluster demo: 2 container instance(s), Auto Scaling group(s) asg, old"}, clean[1:5]...),
				"WARN group old: named by cluster(s) demo but Auto Scaling does not know it", clean[5], clean[6])},
		{"queue named by ARN though no hook notifies it: its rules are still judged", func(s *Setup) { s.Hooks["asg"][0].NotificationTarget = elsewhereARN }, drainerARN,
			[]string{clean[0], "OK group asg hook drainer:", "FAIL group asg: no termination hook notifies queue drainer", clean[3], clean[4], clean[5], clean[6]}},
		{"queue named by URL and no hook notifies it: the rules cannot be judged", func(s *Setup) { s.Hooks["asg"][0].NotificationTarget = elsewhereARN }, drainerURL,
			[]string{clean[0], "OK group asg hook drainer:", "FAIL group asg: no termination hook notifies queue drainer",
				"WARN EventBridge rules: cannot tell the queue's ARN | -", clean[5], clean[6]}},
		{"a trap", func(s *Setup) { s.Launched["i-1"] = t0.Add(-8 * 24 * time.Hour) }, drainerURL,
			append(append([]string{}, clean[:5]...), "WARN instance i-1: protected from scale-in in group asg and 8d old, past the group's maximum instance lifetime 7d", clean[6])},
		{"services of two clusters, in cluster order", func(s *Setup) {
			s.Clusters = append(s.Clusters, Cluster{Name: "other", Groups: []string{"asg"}, Services: []cloud.Service{{Name: "web", MinimumHealthyPercent: 100, MaximumPercent: 100}}})
		}, drainerURL, append(append([]string{clean[0], "OK cluster other: 0 container instance(s), Auto Scaling group(s) asg"}, clean[1:]...), "WARN service other/web:")},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := cleanSetup()
			if c.change != nil {
				c.change(&s)
			}
			expect(t, Decide(s, Config{Queue: c.queue}, t0), c.want)
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
