package scenario

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/drainer-dev/drainer/emulator/ec2"
	"github.com/drainer-dev/drainer/emulator/fault"
)

// Validate checks that the scenario is complete and consistent: every name
// it refers to is declared, numbers are in range, actions are known. It
// reports every problem at once.
func (sc *Scenario) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	clusters := set(len(sc.Clusters))
	for i, c := range sc.Clusters {
		if c.Name == "" {
			bad("clusters[%d]: name is required", i)
		}
		clusters.add(c.Name)
	}
	queues := set(len(sc.Queues))
	for _, q := range sc.Queues {
		queues.add(q.Name)
	}
	for i, q := range sc.Queues {
		if q.Name == "" {
			bad("queues[%d]: name is required", i)
		}
		if q.DeadLetterQueue != "" && !queues.has(q.DeadLetterQueue) {
			bad("queue %q: dead-letter queue %q is not declared", q.Name, q.DeadLetterQueue)
		}
		if q.DeadLetterQueue != "" && q.MaxReceiveCount < 1 {
			bad("queue %q: a dead-letter queue needs maxReceiveCount ≥ 1", q.Name)
		}
	}
	for i, r := range sc.Rules {
		if r.Name == "" {
			bad("rules[%d]: name is required", i)
		}
		var obj map[string]any
		if err := json.Unmarshal(r.Pattern, &obj); err != nil {
			bad("rule %q: pattern must be a JSON object: %v", r.Name, err)
		}
		if !queues.has(r.Queue) {
			bad("rule %q: queue %q is not declared", r.Name, r.Queue)
		}
	}
	families := set(len(sc.TaskDefinitions))
	for i, td := range sc.TaskDefinitions {
		if td.Family == "" {
			bad("taskDefinitions[%d]: family is required", i)
		}
		if td.Memory <= 0 {
			bad("task definition %q: memory (MiB) is required", td.Family)
		}
		switch td.NetworkMode {
		case "", "bridge", "awsvpc", "host":
		default:
			bad("task definition %q: networkMode %q is not bridge, awsvpc or host", td.Family, td.NetworkMode)
		}
		families.add(td.Family)
	}
	groups := set(len(sc.Groups))
	for i, g := range sc.Groups {
		if g.Name == "" {
			bad("groups[%d]: name is required", i)
		}
		groups.add(g.Name)
		if !clusters.has(g.Cluster) {
			bad("group %q: cluster %q is not declared", g.Name, g.Cluster)
		}
		if g.Min < 0 || g.Max < g.Min || g.Desired < g.Min || g.Desired > g.Max {
			bad("group %q: need 0 ≤ min ≤ desired ≤ max (got %d, %d, %d)", g.Name, g.Min, g.Desired, g.Max)
		}
		if g.SpotPercent < 0 || g.SpotPercent > 100 {
			bad("group %q: spotPercent %d is not 0–100", g.Name, g.SpotPercent)
		}
		for _, h := range g.Hooks {
			if h.Name == "" {
				bad("group %q: a hook needs a name", g.Name)
			}
			if h.Transition != "" && h.Transition != "terminating" && h.Transition != "launching" {
				bad("group %q hook %q: transition %q is not terminating or launching", g.Name, h.Name, h.Transition)
			}
			if h.Queue != "" && !queues.has(h.Queue) {
				bad("group %q hook %q: queue %q is not declared", g.Name, h.Name, h.Queue)
			}
		}
		if cp := g.CapacityProvider; cp != nil && cp.ECSProtects != nil && !cp.ManagedTerminationProtection {
			bad("group %q capacity provider %q: ecsProtects needs managedTerminationProtection", g.Name, cp.Name)
		}
	}
	for i, s := range sc.Services {
		if s.Name == "" {
			bad("services[%d]: name is required", i)
		}
		if !clusters.has(s.Cluster) {
			bad("service %q: cluster %q is not declared", s.Name, s.Cluster)
		}
		if !families.has(s.TaskDefinition) {
			bad("service %q: task definition %q is not declared", s.Name, s.TaskDefinition)
		}
		if s.Daemon && s.Desired != 0 {
			bad("service %q: a daemon service takes no desired count", s.Name)
		}
	}
	for i, j := range sc.Jobs {
		if !clusters.has(j.Cluster) {
			bad("jobs[%d]: cluster %q is not declared", i, j.Cluster)
		}
		if !families.has(j.TaskDefinition) {
			bad("jobs[%d]: task definition %q is not declared", i, j.TaskDefinition)
		}
		if j.Count < 0 || j.Count > 10 {
			bad("jobs[%d]: count %d is not 1–10 (RunTask's limit)", i, j.Count)
		}
		if j.Every < 0 {
			bad("jobs[%d]: every must not be negative", i)
		}
	}
	if f := sc.Faults; f != nil {
		if f.Throttle != "" {
			if _, err := fault.LookupProfile(f.Throttle); err != nil {
				bad("faults: throttle: %v", err)
			}
		}
		if f.Latency != "" {
			if _, err := fault.ParseLatency(f.Latency); err != nil {
				bad("faults: %v", err)
			}
		}
		for _, p := range []struct {
			name string
			v    float64
		}{{"stuckStoppingRate", f.StuckStoppingRate}, {"leakENIRate", f.LeakENIRate}} {
			if p.v < 0 || p.v > 1 {
				bad("faults: %s %v is not a probability", p.name, p.v)
			}
		}
		for _, q := range sortedNames(f.Queues) {
			qf := f.Queues[q]
			if !queues.has(q) {
				bad("faults: queue %q is not declared", q)
			}
			if qf.DuplicateRate < 0 || qf.DuplicateRate > 1 || qf.DelayRate < 0 || qf.DelayRate > 1 {
				bad("faults: queue %q rates must be probabilities", q)
			}
		}
	}
	sets := set(len(sc.Instances))
	for i, is := range sc.Instances {
		where := fmt.Sprintf("instances[%d]", i)
		if is.Name != "" {
			where = fmt.Sprintf("instances %q", is.Name)
			if sets.has(is.Name) {
				bad("%s: name is used twice", where)
			}
			sets.add(is.Name)
		}
		if !clusters.has(is.Cluster) {
			bad("%s: cluster %q is not declared", where, is.Cluster)
		}
		if is.InstanceType != "" {
			if _, ok := ec2.LookupType(is.InstanceType); !ok {
				bad("%s: instanceType %q is not an instance type the emulator knows", where, is.InstanceType)
			}
		}
		if is.Count < 0 || is.Count > MaxInstanceSet {
			bad("%s: count %d is not 1–%d", where, is.Count, MaxInstanceSet)
		}
	}
	terminationHook := set(len(sc.Groups))
	for _, g := range sc.Groups {
		for _, h := range g.Hooks {
			if h.Transition == "" || h.Transition == "terminating" {
				terminationHook.add(g.Name)
			}
		}
	}
	refs := stepRefs{clusters: clusters, families: families, groups: groups, queues: queues, sets: sets, terminationHook: terminationHook}
	for i, st := range sc.Timeline {
		errs = append(errs, refs.check(i, st)...)
	}
	return errors.Join(errs...)
}

// stepRefs are the names a timeline step may refer to.
type stepRefs struct {
	clusters, families, groups, queues, sets names
	terminationHook                          names // groups with a termination hook
}

// check validates one timeline step; every error names the step.
func (r stepRefs) check(i int, st Step) []error {
	var errs []error
	where := fmt.Sprintf("timeline[%d] (%s)", i, st.Action)
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", where, fmt.Sprintf(format, args...)))
	}
	if !actions[st.Action] {
		return []error{fmt.Errorf("%s: unknown action %q", where, st.Action)}
	}
	if st.At < 0 {
		bad("at must not be negative")
	}
	explicit := isInstanceID(st.Instance)
	switch st.Action {
	case ActionUpdateService:
		if !r.clusters.has(st.Cluster) || st.Service == "" {
			bad("needs a declared cluster and a service")
		}
		if st.TaskDefinition != "" && !r.families.has(st.TaskDefinition) {
			bad("task definition %q is not declared", st.TaskDefinition)
		}
	case ActionRunTask:
		if !r.clusters.has(st.Cluster) || !r.families.has(st.TaskDefinition) {
			bad("needs a declared cluster and task definition")
		}
	case ActionSetDesired, ActionInstanceRefresh:
		r.group(st.Group, bad)
	case ActionTerminate, ActionSetUnhealthy:
		if st.Instances != "" {
			bad("acts through Auto Scaling: pick the instance with group, not instances")
		}
		if st.Group != "" || !explicit {
			r.group(st.Group, bad)
		}
	case ActionSendMessage:
		r.message(st, bad)
	default: // actions on any EC2 instance
		r.source(st, bad)
	}
	if st.Action == ActionSetDesired && st.Count == nil {
		bad("needs a count")
	}
	if st.Count != nil && *st.Count < 0 {
		bad("count %d is negative", *st.Count)
	}
	if st.Instance != "" {
		if _, err := strconv.Atoi(st.Instance); err != nil && st.Instance != "oldest" && st.Instance != "newest" &&
			st.Instance != SelectWaiting && !explicit {
			bad("instance %q is not oldest, newest, waiting, an index or an instance id", st.Instance)
		}
		if st.Instance == SelectWaiting && st.Instances != "" {
			bad("instance waiting picks from a group's Terminating:Wait instances, not from instances %q", st.Instances)
		}
	}
	switch st.ScaleInProtectedInstances {
	case "", "Refresh", "Ignore", "Wait":
		if st.ScaleInProtectedInstances != "" && st.Action != ActionInstanceRefresh {
			bad("scaleInProtectedInstances applies to instance-refresh only")
		}
	default:
		bad("scaleInProtectedInstances %q is not Refresh, Ignore or Wait", st.ScaleInProtectedInstances)
	}
	if st.Action != ActionSendMessage {
		for _, f := range []struct {
			name string
			set  bool
		}{{"queue", st.Queue != ""}, {"body", st.Body != ""}, {"template", st.Template != ""}, {"hook", st.Hook != ""},
			{"token", st.Token != ""}, {"timeOffset", st.TimeOffset != 0}, {"duplicate", st.Duplicate != 0}} {
			if f.set {
				bad("%s applies to send-message only", f.name)
			}
		}
	}
	return errs
}

// group checks that a step names a declared group.
func (r stepRefs) group(name string, bad func(string, ...any)) {
	if !r.groups.has(name) {
		bad("group %q is not declared", name)
	}
}

// source checks where a step on any EC2 instance takes its instance from:
// a group, an instance set, or an instance id.
func (r stepRefs) source(st Step, bad func(string, ...any)) {
	switch {
	case st.Group != "" && st.Instances != "":
		bad("names both group %q and instances %q: pick one", st.Group, st.Instances)
	case st.Instances != "":
		if !r.sets.has(st.Instances) {
			bad("instances %q is not declared", st.Instances)
		}
	case st.Group != "" || !isInstanceID(st.Instance):
		r.group(st.Group, bad)
	}
}

// message checks a send-message step.
func (r stepRefs) message(st Step, bad func(string, ...any)) {
	if !r.queues.has(st.Queue) {
		bad("queue %q is not declared", st.Queue)
	}
	if st.Duplicate < 0 || st.Duplicate > MaxDuplicate {
		bad("duplicate %d is not 0–%d", st.Duplicate, MaxDuplicate)
	}
	switch {
	case st.Template == "" && st.Body == "":
		bad("needs a body or a template (%s)", strings.Join(sortedNames(templates), ", "))
		return
	case st.Template != "" && st.Body != "":
		bad("has both a body and a template: pick one")
		return
	case st.Body != "":
		if len(st.Body) > maxBody {
			bad("body is %d bytes, over SQS's %d", len(st.Body), maxBody)
		}
		for _, f := range []struct {
			name string
			set  bool
		}{{"hook", st.Hook != ""}, {"token", st.Token != ""}, {"timeOffset", st.TimeOffset != 0}, {"instance", st.Instance != ""},
			{"group", st.Group != ""}, {"instances", st.Instances != ""}} {
			if f.set {
				bad("%s applies to a template, not to a literal body", f.name)
			}
		}
		return
	case !templates[st.Template]:
		bad("template %q is not one of %s", st.Template, strings.Join(sortedNames(templates), ", "))
		return
	}
	lifecycle := st.Template == TemplateLifecycle || st.Template == TemplateLifecycleEventBridge
	if !lifecycle {
		if st.Hook != "" || st.Token != "" {
			bad("hook and token apply to the lifecycle templates only")
		}
		r.source(st, bad)
		return
	}
	if st.Token != "" && st.Token != TokenWrong {
		bad("token %q is not %q (a token Auto Scaling never issued) or empty (the pending action's)", st.Token, TokenWrong)
	}
	switch {
	case st.Instances != "":
		if !r.sets.has(st.Instances) {
			bad("instances %q is not declared", st.Instances)
		}
		r.group(st.Group, bad) // the group the message names
	case st.Group != "" || !isInstanceID(st.Instance):
		r.group(st.Group, bad)
	}
	if st.Hook == "" && r.groups.has(st.Group) && !r.terminationHook.has(st.Group) {
		bad("group %q has no termination hook: name the message's hook", st.Group)
	}
}

// maxBody is SQS's largest message body (256 KiB).
const maxBody = 262_144

func sortedNames[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func isInstanceID(s string) bool { return len(s) > 2 && s[:2] == "i-" }

type names map[string]bool

func set(n int) names             { return make(names, n) }
func (s names) add(name string)   { s[name] = true }
func (s names) has(n string) bool { return s[n] }
