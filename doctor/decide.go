package doctor

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/awsid"
	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/duration"
	"github.com/drainer-dev/drainer/intake"
	"github.com/drainer-dev/drainer/scan"
)

// Heartbeat timeouts doctor finds too short, and the longest Auto Scaling
// allows (HeartbeatTimeout is 30 to 7200 s; the global timeout is the
// smaller of 48 h and 100 × HeartbeatTimeout).
// https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutLifecycleHook.html
// https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_LifecycleHook.html
const (
	minSensibleHeartbeat = 5 * time.Minute
	maxHeartbeat         = 7200 * time.Second
	maxGlobalTimeout     = 48 * time.Hour
)

// Decide judges a setup: the clusters and their groups, the termination
// hooks of each group, the rules feeding drainer's queue (when cfg.Queue is
// set), groups named but gone, instances kept past their group's maximum
// lifetime at now, and services at 100/100 — in that order, each part only
// when s.Read covers what it needs.
func Decide(s Setup, cfg Config, now time.Time) []Finding {
	if s.Read < ReadClusters {
		return nil
	}
	if len(s.Clusters) == 0 {
		return []Finding{{Severity: Fail, Subject: Subject{Kind: KindRegion},
			Message: "no ECS cluster: nothing to drain",
			Advice:  "create the ECS cluster, or point --region/--endpoint-url where it is"}}
	}
	out := clusterFindings(s.Clusters)
	if s.Read < ReadGroups {
		return out
	}
	for _, g := range s.Groups {
		out = append(out, hookFindings(g.Name, s.Hooks[g.Name], cfg.Queue)...)
	}
	if cfg.Queue != "" {
		out = append(out, ruleFindings(queueARN(cfg.Queue, s.Groups, s.Hooks), s.Rules, s.RulesErr)...)
	}
	out = append(out, staleGroupFindings(s.Clusters, s.Groups)...)
	if s.Read < ReadLaunches {
		return out
	}
	out = append(out, lifetimeFindings(s.Groups, s.Launched, now)...)
	if s.Read < ReadAll {
		return out
	}
	for _, c := range s.Clusters {
		out = append(out, serviceFindings(c.Name, c.Services)...)
	}
	return out
}

// clusterFindings says, for each cluster, which Auto Scaling groups drainer
// guards there, or that there are none.
func clusterFindings(clusters []Cluster) []Finding {
	var out []Finding
	for _, c := range clusters {
		subject := Subject{Kind: KindCluster, Name: c.Name}
		if len(c.Groups) == 0 {
			out = append(out, Finding{Severity: Warn, Subject: subject,
				Message: "no Auto Scaling group found (no capacity provider, no container instance in a group): nothing for drainer to guard",
				Advice:  "attach an Auto Scaling group capacity provider, or check the cluster name"})
			continue
		}
		out = append(out, Finding{Severity: OK, Subject: subject,
			Message: fmt.Sprintf("%d container instance(s), Auto Scaling group(s) %s", len(c.ContainerInstances), strings.Join(c.Groups, ", "))})
	}
	return out
}

// staleGroupFindings warns of the groups a cluster names (through a
// capacity provider) that Auto Scaling does not know, by name.
func staleGroupFindings(clusters []Cluster, groups []cloud.Group) []Finding {
	known := map[string]bool{}
	for _, g := range groups {
		known[g.Name] = true
	}
	namedBy := map[string][]string{}
	for _, c := range clusters {
		for _, g := range c.Groups {
			if !known[g] {
				namedBy[g] = append(namedBy[g], c.Name)
			}
		}
	}
	var out []Finding
	for _, g := range slices.Sorted(maps.Keys(namedBy)) {
		out = append(out, Finding{Severity: Warn, Subject: Subject{Kind: KindGroup, Name: g},
			Message: fmt.Sprintf("named by cluster(s) %s but Auto Scaling does not know it", strings.Join(namedBy[g], ", ")),
			Advice:  "remove the stale capacity provider, or recreate the group"})
	}
	return out
}

// hookFindings judges the lifecycle hooks of one group: a termination hook
// must exist; each termination hook's heartbeat timeout, default result and
// notification target are checked; and when queue (drainer's queue: URL,
// ARN or name) is set, one termination hook must notify it. A hook is
// matched to the queue by the queue's name.
//
// ABANDON on termination still terminates, but skips the group's remaining
// hooks (DESIGN.md §4).
// https://docs.aws.amazon.com/autoscaling/ec2/userguide/lifecycle-hooks.html
func hookFindings(group string, hooks []cloud.LifecycleHook, queue string) []Finding {
	subject := Subject{Kind: KindGroup, Name: group}
	var term []cloud.LifecycleHook
	for _, h := range hooks {
		if h.Transition == cloud.LifecycleTransitionTerminating {
			term = append(term, h)
		}
	}
	if len(term) == 0 {
		return []Finding{{Severity: Fail, Subject: subject,
			Message: "no termination lifecycle hook: its instances are terminated without being drained",
			Advice:  fmt.Sprintf("aws autoscaling put-lifecycle-hook --auto-scaling-group-name %s --lifecycle-hook-name drainer --lifecycle-transition autoscaling:EC2_INSTANCE_TERMINATING --heartbeat-timeout 900 --default-result CONTINUE --notification-target-arn QUEUE_ARN --role-arn ROLE_ARN", group)}}
	}
	var out []Finding
	name := awsid.QueueName(queue)
	notifies := false
	for _, h := range term {
		if h.Name == ecsManagedHook {
			out = append(out, Finding{Severity: OK, Subject: Subject{Kind: KindHook, Group: group, Name: h.Name},
				Message: "ECS's managed draining hook (capacity provider managedDraining): ECS drains and completes it, drainer leaves it alone"})
			continue
		}
		out = append(out, oneHook(group, h)...)
		if h.NotificationTarget != "" && name != "" && awsid.QueueName(h.NotificationTarget) == name {
			notifies = true
		}
	}
	switch {
	case name == "":
	case notifies:
		out = append(out, Finding{Severity: OK, Subject: subject, Message: "a termination hook notifies queue " + name})
	default:
		var targets []string
		for _, h := range term {
			targets = append(targets, h.Name+"→"+dash(h.NotificationTarget))
		}
		out = append(out, Finding{Severity: Fail, Subject: subject,
			Message: fmt.Sprintf("no termination hook notifies queue %s (%s): drainer never hears of its terminations", name, strings.Join(targets, ", ")),
			Advice:  fmt.Sprintf("aws autoscaling put-lifecycle-hook --auto-scaling-group-name %s --lifecycle-hook-name %s --lifecycle-transition autoscaling:EC2_INSTANCE_TERMINATING --notification-target-arn ARN_OF_%s --role-arn ROLE_ARN", group, term[0].Name, name)})
	}
	return out
}

// ecsManagedHook is the termination hook ECS puts on the group of a
// capacity provider with managed draining; it is ECS's to configure and
// complete, so its settings are not judged.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-instance-draining.html
const ecsManagedHook = "ecs-managed-draining-termination-hook"

// oneHook judges one termination hook of group on its own: its
// heartbeat timeout, its default result and whether it notifies anything.
func oneHook(group string, h cloud.LifecycleHook) []Finding {
	subject := Subject{Kind: KindHook, Group: group, Name: h.Name}
	put := fmt.Sprintf("aws autoscaling put-lifecycle-hook --auto-scaling-group-name %s --lifecycle-hook-name %s", group, h.Name)
	var out []Finding
	switch {
	case h.HeartbeatTimeout > 0 && h.HeartbeatTimeout < minSensibleHeartbeat:
		out = append(out, Finding{Severity: Warn, Subject: subject,
			Message: fmt.Sprintf("heartbeat timeout %s is short: one late heartbeat and the instance goes with its tasks", duration.Short(h.HeartbeatTimeout)),
			Advice:  put + " --heartbeat-timeout 900 (15 min; drainer heartbeats at half of it)"})
	case h.HeartbeatTimeout >= maxHeartbeat:
		global := h.GlobalTimeout
		if global <= 0 {
			global = min(100*h.HeartbeatTimeout, maxGlobalTimeout)
		}
		out = append(out, Finding{Severity: Warn, Subject: subject,
			Message: fmt.Sprintf("heartbeat timeout %d s (the maximum) with a global timeout of %s: should drainer stop, an instance waits up to %s before its hook times out, and a drain may hold it up to %s",
				int(h.HeartbeatTimeout/time.Second), duration.Short(global), duration.Short(h.HeartbeatTimeout), duration.Short(global)),
			Advice: put + " --heartbeat-timeout 900 (drainer heartbeats; a long timeout only delays recovery)"})
	default:
		out = append(out, Finding{Severity: OK, Subject: subject,
			Message: fmt.Sprintf("termination hook, heartbeat timeout %s, default result %s", duration.Short(h.HeartbeatTimeout), dash(string(h.DefaultResult)))})
	}
	if h.DefaultResult == cloud.LifecycleAbandon {
		out = append(out, Finding{Severity: Warn, Subject: subject,
			Message: "default result ABANDON: a drain that times out skips the group's other termination hooks",
			Advice:  put + " --default-result CONTINUE"})
	}
	if h.NotificationTarget == "" {
		out = append(out, Finding{Severity: Warn, Subject: subject,
			Message: "no notification target: drainer hears of the termination only if an EventBridge rule sends \"EC2 Instance-terminate Lifecycle Action\" to its queue",
			Advice:  put + " --notification-target-arn QUEUE_ARN --role-arn ROLE_ARN"})
	}
	return out
}

// The events drainer's queue should receive through EventBridge rules, with
// what is lost without them.
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html
var wantedEvents = []struct{ detailType, source, without string }{
	{"EC2 Spot Instance Interruption Warning", "aws.ec2", "Spot instances get their two minutes only through a lifecycle hook, if the group has one"},
	{"ECS Task State Change", "aws.ecs", "a drain notices a task stopping only at its fallback poll (2 min), not at once"},
}

// ruleFindings judges the EventBridge rules feeding drainer's queue (ARN
// queueARN; "" when it could not be told): an enabled rule must route Spot
// interruption warnings (else Spot instances are drained only through their
// hook, if at all) and ECS task state changes (else a drain notices a task
// stopping only at its fallback poll). listErr is why the rules could not be
// listed. A rule routes a detail type when its pattern names it.
func ruleFindings(queueARN string, rules []cloud.Rule, listErr error) []Finding {
	subject := Subject{Kind: KindRules}
	if queueARN == "" {
		return []Finding{{Severity: Warn, Subject: subject, Message: "cannot tell the queue's ARN (no termination hook notifies it): its rules were not checked"}}
	}
	if listErr != nil {
		return []Finding{{Severity: Warn, Subject: subject, Message: "could not list the rules: " + listErr.Error()}}
	}
	var out []Finding
	for _, want := range wantedEvents {
		if routes(rules, want.detailType) {
			out = append(out, Finding{Severity: OK, Subject: subject, Message: fmt.Sprintf("%q reaches the queue", want.detailType)})
			continue
		}
		rule := recommendedRule(want.detailType)
		out = append(out, Finding{Severity: Warn, Subject: subject,
			Message: fmt.Sprintf("no enabled rule sends %q to the queue: %s", want.detailType, want.without),
			Advice: fmt.Sprintf(`aws events put-rule --name %s --event-pattern '%s' && aws events put-targets --rule %s --targets Id=drainer,Arn=%s`,
				rule.Name, rule.Pattern, rule.Name, queueARN)})
	}
	return out
}

// recommendedRule is the rule drainer recommends (intake.RecommendedRules)
// that routes detailType.
func recommendedRule(detailType string) intake.Rule {
	for _, r := range intake.RecommendedRules(nil) {
		if strings.Contains(r.Pattern, `"`+detailType+`"`) {
			return r
		}
	}
	panic("doctor: no recommended rule routes " + detailType) // wantedEvents names only routed types
}

// routes reports whether an enabled rule's pattern names detailType.
func routes(rules []cloud.Rule, detailType string) bool {
	for _, r := range rules {
		if r.State == "ENABLED" && strings.Contains(r.EventPattern, detailType) {
			return true
		}
	}
	return false
}

// lifetimeFindings warns of each instance protected from scale-in and older
// than its group's maximum instance lifetime at now (launch times from
// launched): Auto Scaling does not replace it. When some group sets a
// maximum lifetime and no instance is trapped, it says so.
// https://docs.aws.amazon.com/autoscaling/ec2/userguide/asg-max-instance-lifetime.html
func lifetimeFindings(groups []cloud.Group, launched map[string]time.Time, now time.Time) []Finding {
	byGroup := map[string]scan.Group{}
	var instances []scan.Instance
	for _, g := range groups {
		if g.MaxInstanceLifetime <= 0 {
			continue
		}
		byGroup[g.Name] = scan.Group{Name: g.Name, Desired: g.DesiredCapacity, Min: g.MinSize, MaxLifetime: g.MaxInstanceLifetime}
		for _, in := range g.Instances {
			lt, ok := launched[in.InstanceID]
			if !ok || !in.ProtectedFromScaleIn {
				continue
			}
			instances = append(instances, scan.Instance{ID: in.InstanceID, Group: g.Name, LaunchTime: lt,
				InService: in.LifecycleState == cloud.LifecycleInService, Protected: true})
		}
	}
	if len(byGroup) == 0 {
		return nil
	}
	traps := scan.LifetimeTraps(instances, byGroup, now)
	if len(traps) == 0 {
		return []Finding{{Severity: OK, Subject: Subject{Kind: KindLifetime}, Message: "no instance is kept past its group's maximum instance lifetime by scale-in protection"}}
	}
	var out []Finding
	for _, tr := range traps {
		id := tr.Instance.ID
		out = append(out, Finding{Severity: Warn, Subject: Subject{Kind: KindInstance, Name: id, Group: tr.Instance.Group},
			Message: fmt.Sprintf("protected from scale-in in group %s and %s old, past the group's maximum instance lifetime %s: Auto Scaling will not replace it",
				tr.Instance.Group, duration.Short(tr.Age), duration.Short(tr.Lifetime)),
			Advice: fmt.Sprintf("let drainer's scan remove protection from empty instances (a capacity provider with managed termination protection, or 'drainer run --protect'), or replace it: drainer drain %s", id)})
	}
	return out
}

// serviceFindings warns of each service of cluster (daemons aside) at
// minimumHealthyPercent 100 and maximumPercent 100: ECS may neither stop a
// task before its replacement runs nor start the replacement first, so
// its tasks never leave a draining instance. With none, and some services
// seen, it says so.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/container-instance-draining.html
func serviceFindings(cluster string, services []cloud.Service) []Finding {
	if len(services) == 0 {
		return nil
	}
	var out []Finding
	for _, s := range services {
		if s.Daemon || s.MinimumHealthyPercent < 100 || s.MaximumPercent > 100 {
			continue
		}
		out = append(out, Finding{Severity: Warn, Subject: Subject{Kind: KindService, Cluster: cluster, Name: s.Name},
			Message: fmt.Sprintf("minimumHealthyPercent %d and maximumPercent %d: ECS can neither stop a task first nor start its replacement first, so its tasks never leave a draining instance until the hard deadline stops them", s.MinimumHealthyPercent, s.MaximumPercent),
			Advice:  fmt.Sprintf("aws ecs update-service --cluster %s --service %s --deployment-configuration minimumHealthyPercent=100,maximumPercent=200", cluster, s.Name)})
	}
	if len(out) == 0 {
		out = append(out, Finding{Severity: OK, Subject: Subject{Kind: KindCluster, Name: cluster},
			Message: fmt.Sprintf("no service at 100/100 among the %d with tasks on its instances", len(services))})
	}
	return out
}

// dash is s, or "-" when s is empty.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
