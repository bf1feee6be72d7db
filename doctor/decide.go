package doctor

import (
	"errors"
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

// Decide judges a setup: the clusters and their groups, drainer's queue
// (when cfg.Queue is set), the termination hooks of each group (drainer's,
// cfg.Hooks, judged; the others only where they can cut drains short), the
// rules feeding the queue, groups named but gone, instances kept past their
// group's maximum lifetime at now, and services at 100/100 — in that
// order, each part only when s.Read covers what it needs.
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
	arn := s.Queue.ARN
	if arn == "" {
		arn = queueARN(cfg.Queue, s.Groups, s.Hooks)
	}
	hc := hookContext{owned: cfg.owned(), queue: awsid.QueueName(cfg.Queue), fix: newFixer(s.Clusters, cfg, arn)}
	if cfg.Queue != "" {
		out = append(out, queueFinding(cfg.Queue, s.Queue, hc.fix))
		switch {
		case arn == "" || s.RulesErr != nil:
		case routes(s.Rules, lifecycleAction):
			hc.lifecycleRule = routeYes
		default:
			hc.lifecycleRule = routeNo
		}
	}
	for _, g := range s.Groups {
		out = append(out, hookFindings(g.Name, s.Hooks[g.Name], hc)...)
	}
	if cfg.Queue != "" {
		out = append(out, ruleFindings(arn, s.Rules, s.RulesErr, hc.fix)...)
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

// newFixer is the fixer of a setup: the clusters checked, drainer's queue
// (setup's default when none is configured) with its ARN (arn, "" when
// unknown), and the first hook drainer owns.
func newFixer(clusters []Cluster, cfg Config, arn string) fixer {
	f := fixer{Conventions: cfg.Setup, queue: awsid.QueueName(cfg.Queue), queueARN: arn, hook: cfg.owned()[0]}
	if f.queue == "" {
		f.queue = cfg.Setup.DefaultQueue
	}
	for _, c := range clusters {
		f.clusters = append(f.clusters, c.Name)
	}
	return f
}

// clusterFindings says, for each cluster, which Auto Scaling groups drainer
// guards there (Cluster.Groups: found as `drainer setup` finds them), or
// that there are none.
func clusterFindings(clusters []Cluster) []Finding {
	var out []Finding
	for _, c := range clusters {
		subject := Subject{Kind: KindCluster, Name: c.Name}
		if len(c.Groups) == 0 {
			out = append(out, Finding{Severity: Warn, Subject: subject,
				Message: "no Auto Scaling group found (no capacity provider, no launch template or configuration whose user data sets ECS_CLUSTER to it, no container instance in a group): nothing for drainer to guard",
				Advice:  "check the cluster name, or attach an Auto Scaling group capacity provider to the cluster"})
			continue
		}
		out = append(out, Finding{Severity: OK, Subject: subject,
			Message: fmt.Sprintf("%d container instance(s), Auto Scaling group(s) %s", len(c.ContainerInstances), strings.Join(c.Groups, ", "))})
		for _, g := range slices.Sorted(maps.Keys(c.Undrained)) {
			cp := c.Undrained[g]
			out = append(out, Finding{Severity: Warn, Subject: Subject{Kind: KindGroup, Name: g},
				Message: fmt.Sprintf("capacity provider %s has managed draining off: drainer follows it and completes this group's lifecycle actions at once, without draining, so tasks stop with their host (turning ECS's managed draining off does not hand draining to drainer)", cp),
				Advice:  fmt.Sprintf("aws ecs update-capacity-provider --name %s --auto-scaling-group-provider managedDraining=ENABLED", shellWord(cp))})
		}
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

// hookContext is what judging a group's hooks needs beside the hooks.
type hookContext struct {
	// owned are the names of the termination hooks drainer owns
	// (Config.Hooks).
	owned []string
	// queue is drainer's queue's name ("" when none is configured: then
	// no hook is judged on what it notifies).
	queue string
	// lifecycleRule says whether an enabled EventBridge rule sends "EC2
	// Instance-terminate Lifecycle Action" to the queue: routeYes, routeNo,
	// or routeUnknown when the rules could not be read (or no queue is
	// configured).
	lifecycleRule route
	// fix makes the commands of the fixes.
	fix fixer
}

// route is whether something reaches drainer's queue, when known.
type route int

const (
	routeUnknown route = iota
	routeYes
	routeNo
)

// hookFindings judges the termination lifecycle hooks of one group. A
// termination hook drainer owns must exist; each of drainer's hooks is
// judged on its heartbeat timeout (against drainer's heartbeat schedule),
// its default result and, with a queue, whether its lifecycle actions
// reach that queue (its notification target, or an EventBridge rule).
// Every other hook is left alone: ECS's managed draining hook is ECS's;
// another team's is warned of only where it can cut drains short (default
// result ABANDON), and never with advice to change it, since it is not
// drainer's to change.
//
// Auto Scaling runs a group's termination hooks at once and waits for all;
// one that ends ABANDON — completed so, or timed out with that default
// result — terminates the instance at once and skips the hooks still
// waiting ("Amazon EC2 Auto Scaling lifecycle hooks",
// https://docs.aws.amazon.com/autoscaling/ec2/userguide/lifecycle-hooks.html;
// "Complete a lifecycle action in an Auto Scaling group",
// https://docs.aws.amazon.com/autoscaling/ec2/userguide/completing-lifecycle-hooks.html).
func hookFindings(group string, hooks []cloud.LifecycleHook, hc hookContext) []Finding {
	subject := Subject{Kind: KindGroup, Name: group}
	var term, mine []cloud.LifecycleHook
	for _, h := range hooks {
		if h.Transition != cloud.LifecycleTransitionTerminating {
			continue
		}
		term = append(term, h)
		if h.Name != ecsManagedHook && slices.Contains(hc.owned, h.Name) {
			mine = append(mine, h)
		}
	}
	var out []Finding
	for _, h := range term {
		switch {
		case h.Name == ecsManagedHook:
			out = append(out, Finding{Severity: OK, Subject: Subject{Kind: KindHook, Group: group, Name: h.Name},
				Message: "ECS's managed draining hook (capacity provider managedDraining): ECS drains and completes it, drainer leaves it alone"})
		case slices.Contains(hc.owned, h.Name):
			out = append(out, ownHook(group, h, hc)...)
		default:
			out = append(out, otherHook(group, h))
		}
	}
	if len(mine) == 0 {
		what := "no termination lifecycle hook: its instances are terminated without being drained"
		if len(term) > 0 {
			names := make([]string, len(term))
			for i, h := range term {
				names[i] = h.Name
			}
			what = fmt.Sprintf("no termination hook drainer owns (%s; drainer owns %s): drainer completes no lifecycle action here, so nothing holds an instance while it drains",
				strings.Join(names, ", "), strings.Join(hc.owned, ", "))
		}
		out = append(out, Finding{Severity: Fail, Subject: subject, Message: what, Advice: missingHookFix(group, hc)})
	}
	return out
}

// missingHookFix is the fix for a group without a hook drainer owns:
// `drainer setup`, which makes drainer's hook on every group of the
// clusters (with the queue and rules it needs), or the hook on this group
// alone as setup makes it. That hook has no notification target: its
// lifecycle actions reach the queue through the lifecycle rule, which the
// fix says is missing when it is.
func missingHookFix(group string, hc hookContext) string {
	rule := ""
	if hc.lifecycleRule == routeNo {
		rule = fmt.Sprintf("the hook has no notification target: its lifecycle actions reach queue %s through the EventBridge rule %s, missing too (drainer setup makes it):",
			hc.queue, lifecycleRuleName(hc.fix.queue))
	}
	return choices(hc.fix.setupCommand(),
		"or drainer's hook on this group alone, as setup makes it:",
		hc.fix.putHookCommand(group),
		rule, when(rule != "", hc.fix.ruleCommand(lifecycleAction)))
}

// lifecycleRuleName is the name of setup's rule for queue that routes the
// termination lifecycle actions.
func lifecycleRuleName(queue string) string {
	for _, r := range intake.RecommendedRules(nil) {
		if strings.Contains(r.Pattern, `"`+lifecycleAction+`"`) {
			return intake.RuleName(queue, r)
		}
	}
	return ""
}

// when is s when ok, else "".
func when(ok bool, s string) string {
	if ok {
		return s
	}
	return ""
}

// ecsManagedHook is the termination hook ECS puts on the group of a
// capacity provider with managed draining; it is ECS's to configure and
// complete, so its settings are not judged.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-instance-draining.html
const ecsManagedHook = "ecs-managed-draining-termination-hook"

// ownHook judges one termination hook drainer owns: its heartbeat
// timeout against drainer's heartbeat schedule (a heartbeat at half the
// timeout, retries within an eighth of it: drain.NextHeartbeat,
// drain.HeartbeatRetry), its default result, and, with a queue, whether
// its lifecycle actions reach it.
func ownHook(group string, h cloud.LifecycleHook, hc hookContext) []Finding {
	subject := Subject{Kind: KindHook, Group: group, Name: h.Name}
	badHeartbeat := h.HeartbeatTimeout > 0 && (h.HeartbeatTimeout < minSensibleHeartbeat || h.HeartbeatTimeout >= maxHeartbeat)
	// One command puts the whole hook with every fix at once: whichever of
	// the findings' advice is pasted, the hook ends up right.
	put := hc.fix.fixHookCommand(group, h, badHeartbeat)
	global := h.GlobalTimeout
	if global <= 0 {
		global = min(100*h.HeartbeatTimeout, maxGlobalTimeout)
	}
	var out []Finding
	switch {
	case h.HeartbeatTimeout > 0 && h.HeartbeatTimeout < minSensibleHeartbeat:
		out = append(out, Finding{Severity: Warn, Subject: subject,
			Message: fmt.Sprintf("drainer's hook: heartbeat timeout %s is short: drainer heartbeats every %s, so an outage (AWS, or drainer restarting) longer than that lets the instance go with its tasks, and drains end by the global timeout, %s",
				duration.Short(h.HeartbeatTimeout), duration.Short(h.HeartbeatTimeout/2), duration.Short(global)),
			Advice: when(hc.fix.Heartbeat > 0, put)})
	case h.HeartbeatTimeout >= maxHeartbeat:
		out = append(out, Finding{Severity: Warn, Subject: subject,
			Message: fmt.Sprintf("drainer's hook: heartbeat timeout %d s (the maximum) with a global timeout of %s: should drainer stop, an instance waits up to %s before its hook times out, and a drain may hold it up to %s",
				int(h.HeartbeatTimeout/time.Second), duration.Short(global), duration.Short(h.HeartbeatTimeout), duration.Short(global)),
			Advice: when(hc.fix.Heartbeat > 0, put)})
	case h.HeartbeatTimeout <= 0:
		out = append(out, Finding{Severity: OK, Subject: subject,
			Message: fmt.Sprintf("drainer's termination hook, default result %s (heartbeat timeout not reported: Auto Scaling's default is 1h)", dash(string(h.DefaultResult)))})
	default:
		out = append(out, Finding{Severity: OK, Subject: subject,
			Message: fmt.Sprintf("drainer's termination hook, heartbeat timeout %s (drainer heartbeats every %s; a drain may hold an instance up to %s, the global timeout), default result %s",
				duration.Short(h.HeartbeatTimeout), duration.Short(h.HeartbeatTimeout/2), duration.Short(global), dash(string(h.DefaultResult)))})
	}
	if h.DefaultResult == cloud.LifecycleAbandon {
		out = append(out, Finding{Severity: Warn, Subject: subject,
			Message: "drainer's hook has default result ABANDON: should one of its lifecycle actions time out (drainer stopped, AWS out of reach), Auto Scaling terminates the instance at once and skips the group's other termination hooks, ECS's managed draining hook and other teams' among them; CONTINUE, the default result of ECS's own draining hook, terminates the instance just the same once every hook is done, and never cuts another's work short",
			Advice:  put})
	}
	if hc.queue == "" {
		return out
	}
	switch notifies := h.NotificationTarget != "" && awsid.QueueName(h.NotificationTarget) == hc.queue; {
	case notifies:
		out = append(out, Finding{Severity: OK, Subject: subject, Message: "notifies queue " + hc.queue})
	case hc.lifecycleRule == routeYes:
		out = append(out, Finding{Severity: OK, Subject: subject, Message: fmt.Sprintf(`an EventBridge rule sends its "EC2 Instance-terminate Lifecycle Action" events to queue %s`, hc.queue)})
	case hc.lifecycleRule == routeUnknown:
		out = append(out, Finding{Severity: Warn, Subject: subject,
			Message: fmt.Sprintf("notifies %s, and the EventBridge rules to queue %s could not be read: drainer may never hear of its terminations", dash(h.NotificationTarget), hc.queue),
			Advice:  choices(hc.fix.setupCommand() + "   # makes the lifecycle rule, if it is missing")})
	default:
		out = append(out, Finding{Severity: Fail, Subject: subject,
			Message: fmt.Sprintf(`its lifecycle actions never reach queue %s (it notifies %s, and no enabled EventBridge rule sends "EC2 Instance-terminate Lifecycle Action" there): drainer never hears of its terminations`, hc.queue, dash(h.NotificationTarget)),
			Advice: choices(hc.fix.setupCommand(),
				fmt.Sprintf("or the lifecycle rule %s alone, which sends every group's lifecycle actions to the queue, as setup makes it (the queue's policy must let EventBridge send from it):", lifecycleRuleName(hc.fix.queue)),
				hc.fix.ruleCommand(lifecycleAction))})
	}
	return out
}

// otherHook judges a termination hook of another team: drainer never
// changes it and gives no advice about it; it only says when the hook can
// cut drainer's drains short.
func otherHook(group string, h cloud.LifecycleHook) Finding {
	subject := Subject{Kind: KindHook, Group: group, Name: h.Name}
	if h.DefaultResult == cloud.LifecycleAbandon {
		return Finding{Severity: Warn, Subject: subject,
			Message: fmt.Sprintf("another team's hook (heartbeat timeout %s) with default result ABANDON: should one of its lifecycle actions time out or be abandoned, Auto Scaling terminates the instance at once and skips every other termination hook, drainer's among them, cutting a drain short; its owners may set CONTINUE", duration.Short(h.HeartbeatTimeout))}
	}
	return Finding{Severity: OK, Subject: subject,
		Message: fmt.Sprintf("another team's hook, default result %s: drainer leaves it alone, and the group waits for drainer's hook too", dash(string(h.DefaultResult)))}
}

// lifecycleAction is the detail type of Auto Scaling's termination
// lifecycle actions on EventBridge: a hook without a notification target
// reaches drainer through a rule that routes it.
// ("Amazon EC2 Auto Scaling event reference", Scale-in lifecycle action:
// https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-event-reference.html).
const lifecycleAction = "EC2 Instance-terminate Lifecycle Action"

// queueFinding says whether drainer's queue (as configured) exists and may
// be read (intake.CheckQueue's answer, read into q).
func queueFinding(queue string, q Queue, fix fixer) Finding {
	subject := Subject{Kind: KindQueue, Name: queue}
	if q.Err == nil {
		msg := "exists and may be read"
		if q.ARN != "" {
			msg += ": " + q.ARN
		}
		return Finding{Severity: OK, Subject: subject, Message: msg}
	}
	f := Finding{Severity: Fail, Subject: subject, Message: q.Err.Error()}
	var qe *intake.QueueError
	if errors.As(q.Err, &qe) {
		f.Message = qe.Problem
	}
	if errors.Is(q.Err, cloud.ErrNotFound) {
		f.Advice = choices(fix.setupCommand()+"   # creates it, with its dead-letter queue and the policy letting EventBridge send to it",
			"or correct --queue-url and --region")
	}
	return f
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
func ruleFindings(queueARN string, rules []cloud.Rule, listErr error, fix fixer) []Finding {
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
		out = append(out, Finding{Severity: Warn, Subject: subject,
			Message: fmt.Sprintf("no enabled rule sends %q to the queue: %s", want.detailType, want.without),
			Advice: choices(fix.setupCommand(),
				"or this rule alone, as setup makes it (the queue's policy must let EventBridge send from it):",
				fix.ruleCommand(want.detailType))})
	}
	return out
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
			Advice: choices("drainer drain "+id,
				"(or let drainer's scan remove protection from empty instances: a capacity provider with managed termination protection, or drainer run --protect)")})
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
			Advice:  fmt.Sprintf("aws ecs update-service --cluster %s --service %s --deployment-configuration minimumHealthyPercent=100,maximumPercent=200", shellWord(cluster), shellWord(s.Name))})
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
