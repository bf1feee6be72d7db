package scenario

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
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
	for i, st := range sc.Timeline {
		where := fmt.Sprintf("timeline[%d] (%s)", i, st.Action)
		if !actions[st.Action] {
			bad("%s: unknown action %q", where, st.Action)
			continue
		}
		if st.At < 0 {
			bad("%s: at must not be negative", where)
		}
		switch st.Action {
		case ActionUpdateService:
			if !clusters.has(st.Cluster) || st.Service == "" {
				bad("%s: needs a declared cluster and a service", where)
			}
			if st.TaskDefinition != "" && !families.has(st.TaskDefinition) {
				bad("%s: task definition %q is not declared", where, st.TaskDefinition)
			}
		case ActionRunTask:
			if !clusters.has(st.Cluster) || !families.has(st.TaskDefinition) {
				bad("%s: needs a declared cluster and task definition", where)
			}
		default:
			if !groups.has(st.Group) {
				bad("%s: group %q is not declared", where, st.Group)
			}
		}
		if st.Action == ActionSetDesired && st.Count == nil {
			bad("%s: needs a count", where)
		}
		if st.Instance != "" {
			if _, err := strconv.Atoi(st.Instance); err != nil && st.Instance != "oldest" && st.Instance != "newest" && !isInstanceID(st.Instance) {
				bad("%s: instance %q is not oldest, newest, an index or an instance id", where, st.Instance)
			}
		}
	}
	return errors.Join(errs...)
}

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
