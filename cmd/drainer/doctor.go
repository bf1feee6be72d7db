package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/duration"
	"github.com/drainer-dev/drainer/scan"
)

// severity of a doctor finding.
type severity string

const (
	sevOK   severity = "OK"
	sevWarn severity = "WARN"
	sevFail severity = "FAIL"
)

// finding is one thing doctor found: what it is about, what it says, and
// a one-line fix (none for OK).
type finding struct {
	Sev     severity
	Subject string // "group demo-asg", "service demo/web", "cluster demo"
	Message string
	Fix     string
}

// doctorCloud is what doctor reads: the cloud interface as it is.
type doctorCloud interface {
	cloud.ECS
	cloud.AutoScaling
	cloud.EC2
	cloud.Events
}

type doctorConfig struct {
	clusters []string
	queueURL string
}

// Heartbeat timeouts doctor finds too short or as long as Auto Scaling allows.
const (
	minSensibleHeartbeat = 5 * time.Minute
	maxHeartbeat         = 7200 * time.Second
)

// runDoctor is `drainer doctor`: checks a setup against AWS (or the
// emulator) and prints findings; exit 1 when one is FAIL.
func runDoctor(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("drainer doctor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var rc runConfig
	clusters := &listFlag{}
	if v := envOr("DRAINER_CLUSTERS", ""); v != "" {
		clusters.Set(v)
		clusters.set = false
	}
	fs.StringVar(&rc.region, "region", "", "AWS region (default: AWS_REGION or the shared configuration)")
	fs.StringVar(&rc.endpoint, "endpoint-url", "", "AWS endpoint for every service, e.g. http://127.0.0.1:4566 for `drainer emulator` (default: AWS_ENDPOINT_URL, else AWS)")
	fs.Var(clusters, "cluster", "ECS cluster drainer serves; repeat for several (env DRAINER_CLUSTERS, comma-separated; default every cluster)")
	queue := fs.String("queue-url", envOr("DRAINER_QUEUE_URL", ""), "URL (or name) of drainer's SQS queue: the termination hooks must notify it (env DRAINER_QUEUE_URL)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: drainer doctor [--region R] [--endpoint-url URL] [--cluster NAME]... [--queue-url URL]\n\nChecks a setup against AWS: a termination lifecycle hook on every Auto Scaling group of the\nclusters, with a sensible heartbeat timeout and default result, notifying drainer's queue;\ninstances protected past their group's maximum lifetime; services at 100/100 that can never\ndrain. Prints OK / WARN / FAIL with a fix for each; exits 1 when something FAILs.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return 2
	}
	client, err := newAWSClient(ctx, rc, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n%s", fs.Name(), err, awsHint)
		return 1
	}
	findings, err := doctor(ctx, client, doctorConfig{clusters: clusters.vals, queueURL: *queue}, wallNow())
	printFindings(stdout, findings)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n%s", fs.Name(), err, awsHint)
		return 1
	}
	for _, f := range findings {
		if f.Sev == sevFail {
			return 1
		}
	}
	return 0
}

func printFindings(w io.Writer, fs []finding) {
	counts := map[severity]int{}
	for _, f := range fs {
		counts[f.Sev]++
		fmt.Fprintf(w, "%-4s  %s: %s\n", f.Sev, f.Subject, f.Message)
		if f.Fix != "" {
			fmt.Fprintf(w, "      fix: %s\n", f.Fix)
		}
	}
	fmt.Fprintf(w, "\n%d FAIL, %d WARN, %d OK\n", counts[sevFail], counts[sevWarn], counts[sevOK])
}

// doctor runs every check. An error means AWS could not be read at all
// (credentials, region, endpoint, a cluster that does not exist); the
// findings so far are returned with it.
func doctor(ctx context.Context, c doctorCloud, cfg doctorConfig, now time.Time) ([]finding, error) {
	var out []finding
	add := func(sev severity, subject, fix, format string, args ...any) {
		out = append(out, finding{Sev: sev, Subject: subject, Message: fmt.Sprintf(format, args...), Fix: fix})
	}
	clusters := cfg.clusters
	if len(clusters) == 0 {
		arns, err := c.ListClusters(ctx)
		if err != nil {
			return out, fmt.Errorf("list the ECS clusters: %w", err)
		}
		for _, a := range arns {
			clusters = append(clusters, shortName(a, "cluster/"))
		}
		if len(clusters) == 0 {
			add(sevFail, "region", "create the ECS cluster, or point --region/--endpoint-url where it is", "no ECS cluster: nothing to drain")
			return out, nil
		}
	}
	sort.Strings(clusters)

	// The groups of the clusters: through their capacity providers, and
	// through the groups their container instances belong to.
	groupClusters := map[string][]string{}
	containerInstances := map[string][]cloud.ContainerInstance{}
	for _, cl := range clusters {
		subject := "cluster " + cl
		cps, err := c.CapacityProviders(ctx, cl)
		if err != nil {
			return out, fmt.Errorf("cluster %s: capacity providers: %w", cl, err)
		}
		names := map[string]bool{}
		for _, cp := range cps {
			if g := shortName(cp.AutoScalingGroupARN, "autoScalingGroupName/"); g != "" {
				names[g] = true
			}
		}
		cis, err := c.ListContainerInstances(ctx, cl, "")
		if err != nil {
			return out, fmt.Errorf("cluster %s: container instances: %w", cl, err)
		}
		containerInstances[cl] = cis
		var ids []string
		for _, ci := range cis {
			if ci.EC2InstanceID != "" {
				ids = append(ids, ci.EC2InstanceID)
			}
		}
		if len(ids) > 0 {
			gis, err := c.DescribeGroupInstances(ctx, ids)
			if err != nil {
				return out, fmt.Errorf("cluster %s: Auto Scaling instances: %w", cl, err)
			}
			for _, gi := range gis {
				names[gi.Group] = true
			}
		}
		if len(names) == 0 {
			add(sevWarn, subject, "attach an Auto Scaling group capacity provider, or check the cluster name", "no Auto Scaling group found (no capacity provider, no container instance in a group): nothing for drainer to guard")
			continue
		}
		add(sevOK, subject, "", "%d container instance(s), Auto Scaling group(s) %s", len(cis), strings.Join(sortedSet(names), ", "))
		for g := range names {
			groupClusters[g] = append(groupClusters[g], cl)
		}
	}

	names := make([]string, 0, len(groupClusters))
	for g := range groupClusters {
		names = append(names, g)
	}
	sort.Strings(names)
	var groups []cloud.Group
	if len(names) > 0 {
		var err error
		if groups, err = c.DescribeGroups(ctx, names); err != nil {
			return out, fmt.Errorf("describe the Auto Scaling groups: %w", err)
		}
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i].Name < groups[j].Name })
	found := map[string]bool{}
	var hooksSeen []cloud.LifecycleHook
	for _, g := range groups {
		found[g.Name] = true
		hooks, err := c.LifecycleHooks(ctx, g.Name)
		if err != nil {
			return out, fmt.Errorf("group %s: lifecycle hooks: %w", g.Name, err)
		}
		hooksSeen = append(hooksSeen, hooks...)
		out = append(out, checkHooks(g.Name, hooks, cfg.queueURL)...)
	}
	if cfg.queueURL != "" {
		out = append(out, checkRules(ctx, c, queueARN(cfg.queueURL, hooksSeen))...)
	}
	for _, n := range names {
		if !found[n] {
			add(sevWarn, "group "+n, "remove the stale capacity provider, or recreate the group", "named by cluster(s) %s but Auto Scaling does not know it", strings.Join(groupClusters[n], ", "))
		}
	}

	// Instances protected past their group's maximum lifetime.
	traps, err := lifetimeTraps(ctx, c, groups, now)
	if err != nil {
		return out, err
	}
	for _, tr := range traps {
		add(sevWarn, "instance "+tr.Instance.ID,
			fmt.Sprintf("let drainer's scan remove protection from empty instances (a capacity provider with managed termination protection, or 'drainer run --protect'), or replace it: drainer drain %s", tr.Instance.ID),
			"protected from scale-in in group %s and %s old, past the group's maximum instance lifetime %s: Auto Scaling will not replace it", tr.Instance.Group, duration.Short(tr.Age), duration.Short(tr.Lifetime))
	}
	withLifetime := false
	for _, g := range groups {
		withLifetime = withLifetime || g.MaxInstanceLifetime > 0
	}
	if withLifetime && len(traps) == 0 {
		add(sevOK, "maximum lifetime", "", "no instance is kept past its group's maximum instance lifetime by scale-in protection")
	}

	// Services at 100/100. The cloud interface has no ListServices: the
	// services are those with a task on the clusters' container instances
	// (a service with no task running is not seen).
	for _, cl := range clusters {
		f, err := checkServices(ctx, c, cl, containerInstances[cl])
		if err != nil {
			return out, err
		}
		out = append(out, f...)
	}
	return out, nil
}

// checkHooks judges the lifecycle hooks of one group.
func checkHooks(group string, hooks []cloud.LifecycleHook, queueURL string) []finding {
	subject := "group " + group
	var term []cloud.LifecycleHook
	for _, h := range hooks {
		if h.Transition == cloud.LifecycleTransitionTerminating {
			term = append(term, h)
		}
	}
	if len(term) == 0 {
		return []finding{{Sev: sevFail, Subject: subject,
			Message: "no termination lifecycle hook: its instances are terminated without being drained",
			Fix:     fmt.Sprintf("aws autoscaling put-lifecycle-hook --auto-scaling-group-name %s --lifecycle-hook-name drainer --lifecycle-transition autoscaling:EC2_INSTANCE_TERMINATING --heartbeat-timeout 900 --default-result CONTINUE --notification-target-arn QUEUE_ARN --role-arn ROLE_ARN", group)}}
	}
	var out []finding
	queueName := queueNameOf(queueURL)
	notifiesQueue := false
	for _, h := range term {
		hs := fmt.Sprintf("%s hook %s", subject, h.Name)
		switch {
		case h.HeartbeatTimeout > 0 && h.HeartbeatTimeout < minSensibleHeartbeat:
			out = append(out, finding{Sev: sevWarn, Subject: hs,
				Message: fmt.Sprintf("heartbeat timeout %s is short: one late heartbeat and the instance goes with its tasks", duration.Short(h.HeartbeatTimeout)),
				Fix:     fmt.Sprintf("aws autoscaling put-lifecycle-hook --auto-scaling-group-name %s --lifecycle-hook-name %s --heartbeat-timeout 900 (15 min; drainer heartbeats at half of it)", group, h.Name)})
		case h.HeartbeatTimeout >= maxHeartbeat:
			global := h.GlobalTimeout
			if global <= 0 {
				global = min(100*h.HeartbeatTimeout, 48*time.Hour)
			}
			out = append(out, finding{Sev: sevWarn, Subject: hs,
				Message: fmt.Sprintf("heartbeat timeout %d s (the maximum) with a global timeout of %s: should drainer stop, an instance waits up to %s before its hook times out, and a drain may hold it up to %s", int(h.HeartbeatTimeout/time.Second), duration.Short(global), duration.Short(h.HeartbeatTimeout), duration.Short(global)),
				Fix:     fmt.Sprintf("aws autoscaling put-lifecycle-hook --auto-scaling-group-name %s --lifecycle-hook-name %s --heartbeat-timeout 900 (drainer heartbeats; a long timeout only delays recovery)", group, h.Name)})
		default:
			out = append(out, finding{Sev: sevOK, Subject: hs, Message: fmt.Sprintf("termination hook, heartbeat timeout %s, default result %s", duration.Short(h.HeartbeatTimeout), dash(string(h.DefaultResult)))})
		}
		if h.DefaultResult == cloud.LifecycleAbandon {
			out = append(out, finding{Sev: sevWarn, Subject: hs,
				Message: "default result ABANDON: a drain that times out skips the group's other termination hooks",
				Fix:     fmt.Sprintf("aws autoscaling put-lifecycle-hook --auto-scaling-group-name %s --lifecycle-hook-name %s --default-result CONTINUE", group, h.Name)})
		}
		if h.NotificationTarget == "" {
			out = append(out, finding{Sev: sevWarn, Subject: hs,
				Message: "no notification target: drainer hears of the termination only if an EventBridge rule sends \"EC2 Instance-terminate Lifecycle Action\" to its queue",
				Fix:     fmt.Sprintf("aws autoscaling put-lifecycle-hook --auto-scaling-group-name %s --lifecycle-hook-name %s --notification-target-arn QUEUE_ARN --role-arn ROLE_ARN", group, h.Name)})
			continue
		}
		if queueName != "" && queueNameOf(h.NotificationTarget) == queueName {
			notifiesQueue = true
		}
	}
	if queueName != "" {
		if notifiesQueue {
			out = append(out, finding{Sev: sevOK, Subject: subject, Message: "a termination hook notifies queue " + queueName})
		} else {
			var targets []string
			for _, h := range term {
				targets = append(targets, h.Name+"→"+dash(h.NotificationTarget))
			}
			out = append(out, finding{Sev: sevFail, Subject: subject,
				Message: fmt.Sprintf("no termination hook notifies queue %s (%s): drainer never hears of its terminations", queueName, strings.Join(targets, ", ")),
				Fix:     fmt.Sprintf("aws autoscaling put-lifecycle-hook --auto-scaling-group-name %s --lifecycle-hook-name %s --lifecycle-transition autoscaling:EC2_INSTANCE_TERMINATING --notification-target-arn ARN_OF_%s --role-arn ROLE_ARN", group, term[0].Name, queueName)})
		}
	}
	return out
}

// lifetimeTraps finds the protected instances past their group's maximum
// lifetime, reading launch times from EC2.
func lifetimeTraps(ctx context.Context, c doctorCloud, groups []cloud.Group, now time.Time) ([]scan.Trap, error) {
	byGroup := map[string]scan.Group{}
	var ids []string
	for _, g := range groups {
		if g.MaxInstanceLifetime <= 0 {
			continue
		}
		byGroup[g.Name] = scan.Group{Name: g.Name, Desired: g.DesiredCapacity, Min: g.MinSize, MaxLifetime: g.MaxInstanceLifetime}
		for _, in := range g.Instances {
			if in.ProtectedFromScaleIn {
				ids = append(ids, in.InstanceID)
			}
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	launched := map[string]time.Time{}
	for len(ids) > 0 {
		n := min(len(ids), 100)
		ins, err := c.DescribeInstances(ctx, ids[:n])
		if err != nil && !errors.Is(err, cloud.ErrNotFound) {
			return nil, fmt.Errorf("describe EC2 instances: %w", err)
		}
		for _, in := range ins {
			launched[in.ID] = in.LaunchTime
		}
		ids = ids[n:]
	}
	var all []scan.Instance
	for _, g := range groups {
		if _, ok := byGroup[g.Name]; !ok {
			continue
		}
		for _, in := range g.Instances {
			lt, ok := launched[in.InstanceID]
			if !ok || !in.ProtectedFromScaleIn {
				continue
			}
			all = append(all, scan.Instance{ID: in.InstanceID, Group: g.Name, LaunchTime: lt,
				InService: in.LifecycleState == cloud.LifecycleInService, Protected: true})
		}
	}
	return scan.LifetimeTraps(all, byGroup, now), nil
}

// checkServices finds the services of cluster at 100/100 among those with
// a task on its container instances.
func checkServices(ctx context.Context, c doctorCloud, cluster string, cis []cloud.ContainerInstance) ([]finding, error) {
	names := map[string]bool{}
	for _, ci := range cis {
		if ci.RunningTasks+ci.PendingTasks == 0 {
			continue
		}
		tasks, err := c.TasksOn(ctx, cluster, ci.ARN)
		if err != nil {
			return nil, fmt.Errorf("cluster %s: tasks on %s: %w", cluster, ci.EC2InstanceID, err)
		}
		for _, t := range tasks {
			if t.Service != "" && !t.Stopped() {
				names[t.Service] = true
			}
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	list := sortedSet(names)
	var svcs []cloud.Service
	for len(list) > 0 {
		n := min(len(list), 10) // DescribeServices takes ten at a time
		s, err := c.DescribeServices(ctx, cluster, list[:n])
		if err != nil {
			return nil, fmt.Errorf("cluster %s: describe services: %w", cluster, err)
		}
		svcs = append(svcs, s...)
		list = list[n:]
	}
	sort.Slice(svcs, func(i, j int) bool { return svcs[i].Name < svcs[j].Name })
	var out []finding
	stuck := 0
	for _, s := range svcs {
		if s.Daemon {
			continue
		}
		if s.MinimumHealthyPercent >= 100 && s.MaximumPercent <= 100 {
			stuck++
			out = append(out, finding{Sev: sevWarn, Subject: "service " + cluster + "/" + s.Name,
				Message: fmt.Sprintf("minimumHealthyPercent %d and maximumPercent %d: ECS can neither stop a task first nor start its replacement first, so its tasks never leave a draining instance until the hard deadline stops them", s.MinimumHealthyPercent, s.MaximumPercent),
				Fix:     fmt.Sprintf("aws ecs update-service --cluster %s --service %s --deployment-configuration minimumHealthyPercent=100,maximumPercent=200", cluster, s.Name)})
		}
	}
	if stuck == 0 {
		out = append(out, finding{Sev: sevOK, Subject: "cluster " + cluster, Message: fmt.Sprintf("no service at 100/100 among the %d with tasks on its instances", len(svcs))})
	}
	return out, nil
}

// shortName is what follows marker in an ARN ("cluster/", or
// "autoScalingGroupName/"), or s itself when marker is not in it.
func shortName(s, marker string) string {
	if i := strings.LastIndex(s, marker); i >= 0 {
		return s[i+len(marker):]
	}
	return s
}

// queueNameOf is the queue's name in a queue URL
// (https://sqs.R.amazonaws.com/ACCOUNT/NAME), an SQS ARN
// (arn:aws:sqs:R:ACCOUNT:NAME) or a bare name.
func queueNameOf(s string) string {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	if s == "" {
		return ""
	}
	if strings.HasPrefix(s, "arn:") {
		return s[strings.LastIndex(s, ":")+1:]
	}
	return s[strings.LastIndex(s, "/")+1:]
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// queueARN finds the ARN of drainer's queue among the hooks' notification
// targets ("" when no hook names it: the rules cannot be checked then).
func queueARN(queueURL string, hooks []cloud.LifecycleHook) string {
	name := queueNameOf(queueURL)
	for _, h := range hooks {
		if strings.HasPrefix(h.NotificationTarget, "arn:aws:sqs:") && queueNameOf(h.NotificationTarget) == name {
			return h.NotificationTarget
		}
	}
	return ""
}

// checkRules judges the EventBridge rules feeding drainer's queue: Spot
// warnings (else Spot instances are drained only through their hook, if
// at all) and ECS task changes (else a drain notices a task stopping only at
// its fallback poll).
func checkRules(ctx context.Context, c cloud.Events, arn string) []finding {
	const subject = "EventBridge rules"
	if arn == "" {
		return []finding{{Sev: sevWarn, Subject: subject, Message: "cannot tell the queue's ARN (no termination hook notifies it): its rules were not checked"}}
	}
	rules, err := c.RulesTargeting(ctx, arn)
	if err != nil {
		return []finding{{Sev: sevWarn, Subject: subject, Message: "could not list the rules: " + err.Error()}}
	}
	routes := func(detailType string) bool {
		for _, r := range rules {
			if r.State == "ENABLED" && strings.Contains(r.EventPattern, detailType) {
				return true
			}
		}
		return false
	}
	var out []finding
	for _, want := range []struct{ detailType, source, without string }{
		{"EC2 Spot Instance Interruption Warning", "aws.ec2", "Spot instances get their two minutes only through a lifecycle hook, if the group has one"},
		{"ECS Task State Change", "aws.ecs", "a drain notices a task stopping only at its fallback poll (2 min), not at once"},
	} {
		if routes(want.detailType) {
			out = append(out, finding{Sev: sevOK, Subject: subject, Message: fmt.Sprintf("%q reaches the queue", want.detailType)})
			continue
		}
		out = append(out, finding{Sev: sevWarn, Subject: subject,
			Message: fmt.Sprintf("no enabled rule sends %q to the queue: %s", want.detailType, want.without),
			Fix: fmt.Sprintf(`aws events put-rule --name drainer-%s --event-pattern '{"source":["%s"],"detail-type":["%s"]}' && aws events put-targets --rule drainer-%s --targets Id=drainer,Arn=%s`,
				strings.TrimPrefix(want.source, "aws."), want.source, want.detailType, strings.TrimPrefix(want.source, "aws."), arn)})
	}
	return out
}
