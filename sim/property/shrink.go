package property

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/emulator/scenario"
)

// DefaultShrinkRuns bounds the runs Shrink makes unless told otherwise.
const DefaultShrinkRuns = 300

// Shrink reduces a failing scenario to a smaller one that still fails:
// it tries, one at a time, to remove a cluster (with everything in it), a
// group, the hosts in no group, a service, a job, a timeline step, the
// faults or one of them, a drainer setting, a hook, a rule, and to lower a
// count or drop an option (Spot, capacity provider, load balancer,
// deployment limits, a message's forgery), keeping each change that
// leaves a valid scenario for which fails still reports true, until no
// change does or maxRuns runs were made (0: DefaultShrinkRuns); a change
// that leaves a world drainer is not expected to handle (Reasonable) is not
// tried. It returns
// the smallest scenario found and the number of runs it made. sc is not
// changed.
//
// fails is typically "the run still breaks the same rule": see
// FailsLike.
func Shrink(sc *scenario.Scenario, fails func(*scenario.Scenario) bool, maxRuns int) (*scenario.Scenario, int) {
	if maxRuns <= 0 {
		maxRuns = DefaultShrinkRuns
	}
	cur, runs := clone(sc), 0
	for {
		progressed := false
		for _, e := range edits(cur) {
			cand := clone(cur)
			if !e(cand) {
				continue
			}
			pruneFamilies(cand)
			if cand.Validate() != nil || Reasonable(cand) != nil {
				continue
			}
			if runs >= maxRuns {
				return cur, runs
			}
			runs++
			if fails(cand) {
				cur, progressed = cand, true
				break
			}
		}
		if !progressed {
			return cur, runs
		}
	}
}

// FailsLike returns the predicate Shrink needs to keep a scenario failing
// the way key names (a Result key: "rule 4", "crash", "hang"), running
// each candidate with run.
func FailsLike(key string, run func(*scenario.Scenario) Result) func(*scenario.Scenario) bool {
	return func(sc *scenario.Scenario) bool { return run(sc).Has(key) }
}

// clone deep-copies sc through its JSON form, the form scenario files
// have.
func clone(sc *scenario.Scenario) *scenario.Scenario {
	b, err := json.Marshal(sc)
	if err != nil {
		panic(fmt.Sprintf("property: scenario %s does not marshal: %v", sc.Name, err))
	}
	var out scenario.Scenario
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("property: scenario %s does not unmarshal: %v", sc.Name, err))
	}
	return &out
}

// edit changes a scenario in place; it reports false when it does not
// apply.
type edit func(*scenario.Scenario) bool

// edits lists the changes Shrink tries on sc, biggest first.
func edits(sc *scenario.Scenario) []edit {
	var es []edit
	add := func(e edit) { es = append(es, e) }
	for _, c := range sc.Clusters {
		add(func(s *scenario.Scenario) bool { return removeCluster(s, c.Name) })
	}
	for _, g := range sc.Groups {
		add(func(s *scenario.Scenario) bool { return removeGroup(s, g.Name) })
	}
	for i := range sc.Instances {
		add(func(s *scenario.Scenario) bool { return removeInstanceSet(s, i) })
	}
	for _, sv := range sc.Services {
		add(func(s *scenario.Scenario) bool { return removeService(s, sv.Cluster, sv.Name) })
	}
	for i := range sc.Jobs {
		add(func(s *scenario.Scenario) bool { s.Jobs = slices.Delete(s.Jobs, i, i+1); return true })
	}
	if sc.Faults != nil {
		add(func(s *scenario.Scenario) bool { s.Faults = nil; return true })
	}
	for i := range sc.Timeline {
		add(func(s *scenario.Scenario) bool { s.Timeline = slices.Delete(s.Timeline, i, i+1); return true })
	}
	for _, name := range sortedKeys(sc.Drainer) {
		add(func(s *scenario.Scenario) bool { delete(s.Drainer, name); return true })
	}
	for gi, g := range sc.Groups {
		for hi := range g.Hooks {
			add(func(s *scenario.Scenario) bool {
				s.Groups[gi].Hooks = slices.Delete(s.Groups[gi].Hooks, hi, hi+1)
				return true
			})
		}
	}
	for i := range sc.Rules {
		add(func(s *scenario.Scenario) bool { s.Rules = slices.Delete(s.Rules, i, i+1); return true })
	}
	for i, q := range sc.Queues {
		if q.Name != Queue {
			add(func(s *scenario.Scenario) bool { s.Queues = slices.Delete(s.Queues, i, i+1); return true })
		}
	}
	es = append(es, faultEdits(sc)...)
	es = append(es, countEdits(sc)...)
	es = append(es, optionEdits(sc)...)
	return es
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// removeCluster removes a cluster and everything in it: its groups, hosts,
// services, jobs and the steps that name them; drainer then serves the
// clusters it served but that one (not applicable when it served only
// that one).
func removeCluster(s *scenario.Scenario, name string) bool {
	if len(s.Clusters) < 2 {
		return false
	}
	if v, ok := s.Drainer["cluster"]; ok {
		served := slices.DeleteFunc(splitList(string(v)), func(c string) bool { return c == name })
		if len(served) == 0 {
			return false
		}
		s.Drainer["cluster"] = scenario.Setting(strings.Join(served, ","))
	}
	s.Clusters = slices.DeleteFunc(s.Clusters, func(c scenario.Cluster) bool { return c.Name == name })
	for _, g := range slices.Clone(s.Groups) {
		if g.Cluster == name {
			removeGroup(s, g.Name)
		}
	}
	for i := len(s.Instances) - 1; i >= 0; i-- {
		if s.Instances[i].Cluster == name {
			removeInstanceSet(s, i)
		}
	}
	s.Services = slices.DeleteFunc(s.Services, func(sv scenario.Service) bool { return sv.Cluster == name })
	s.Jobs = slices.DeleteFunc(s.Jobs, func(j scenario.Job) bool { return j.Cluster == name })
	s.Timeline = slices.DeleteFunc(s.Timeline, func(st scenario.Step) bool { return st.Cluster == name })
	return true
}

// removeGroup removes a group and the steps that name it.
func removeGroup(s *scenario.Scenario, name string) bool {
	if len(s.Groups) < 2 && len(s.Instances) == 0 {
		return false
	}
	s.Groups = slices.DeleteFunc(s.Groups, func(g scenario.Group) bool { return g.Name == name })
	s.Timeline = slices.DeleteFunc(s.Timeline, func(st scenario.Step) bool { return st.Group == name })
	return true
}

// removeInstanceSet removes the hosts of s.Instances[i] and the steps that
// pick from them.
func removeInstanceSet(s *scenario.Scenario, i int) bool {
	name := s.Instances[i].Name
	s.Instances = slices.Delete(s.Instances, i, i+1)
	if name != "" {
		s.Timeline = slices.DeleteFunc(s.Timeline, func(st scenario.Step) bool { return st.Instances == name })
	}
	return true
}

// removeService removes a service and the steps that update it.
func removeService(s *scenario.Scenario, cluster, name string) bool {
	s.Services = slices.DeleteFunc(s.Services, func(sv scenario.Service) bool { return sv.Cluster == cluster && sv.Name == name })
	s.Timeline = slices.DeleteFunc(s.Timeline, func(st scenario.Step) bool { return st.Cluster == cluster && st.Service == name })
	return true
}

// faultEdits remove one fault at a time.
func faultEdits(sc *scenario.Scenario) []edit {
	f := sc.Faults
	if f == nil {
		return nil
	}
	var es []edit
	for i := range f.API {
		es = append(es, func(s *scenario.Scenario) bool { s.Faults.API = slices.Delete(s.Faults.API, i, i+1); return true })
	}
	if f.StuckStoppingRate > 0 {
		es = append(es, func(s *scenario.Scenario) bool { s.Faults.StuckStoppingRate = 0; return true })
	}
	if f.LeakENIRate > 0 {
		es = append(es, func(s *scenario.Scenario) bool { s.Faults.LeakENIRate = 0; return true })
	}
	for _, q := range sortedKeys(f.Queues) {
		qf := f.Queues[q]
		es = append(es, func(s *scenario.Scenario) bool { delete(s.Faults.Queues, q); return true })
		if qf.DuplicateRate > 0 && qf.DelayRate > 0 {
			es = append(es, func(s *scenario.Scenario) bool {
				v := s.Faults.Queues[q]
				v.DuplicateRate = 0
				s.Faults.Queues[q] = v
				return true
			}, func(s *scenario.Scenario) bool {
				v := s.Faults.Queues[q]
				v.DelayRate, v.MaxDelay = 0, 0
				s.Faults.Queues[q] = v
				return true
			})
		}
	}
	return es
}

// countEdits lower counts: group sizes, service and job counts, hosts,
// duplicated messages.
func countEdits(sc *scenario.Scenario) []edit {
	var es []edit
	for i, g := range sc.Groups {
		if g.Max > g.Desired {
			es = append(es, func(s *scenario.Scenario) bool { s.Groups[i].Max = s.Groups[i].Desired; return true })
		}
		if g.Desired > 0 {
			es = append(es, func(s *scenario.Scenario) bool {
				gr := &s.Groups[i]
				gr.Desired--
				gr.Min = min(gr.Min, gr.Desired)
				for _, st := range s.Timeline {
					if st.Group == gr.Name && st.Count != nil && st.Action == scenario.ActionSetDesired {
						*st.Count = min(*st.Count, gr.Max)
					}
				}
				return true
			})
		}
		if g.Min > 0 {
			es = append(es, func(s *scenario.Scenario) bool { s.Groups[i].Min--; return true })
		}
	}
	for i, sv := range sc.Services {
		if sv.Desired > 1 {
			es = append(es, func(s *scenario.Scenario) bool { s.Services[i].Desired /= 2; return true },
				func(s *scenario.Scenario) bool { s.Services[i].Desired--; return true })
		}
	}
	for i, j := range sc.Jobs {
		if j.Count > 1 {
			es = append(es, func(s *scenario.Scenario) bool { s.Jobs[i].Count--; return true })
		}
		if j.Every > 0 {
			es = append(es, func(s *scenario.Scenario) bool { s.Jobs[i].Every = 0; return true })
		}
	}
	for i, is := range sc.Instances {
		if is.Count > 1 {
			es = append(es, func(s *scenario.Scenario) bool { s.Instances[i].Count--; return true })
		}
	}
	for i, st := range sc.Timeline {
		if st.Duplicate > 1 {
			es = append(es, func(s *scenario.Scenario) bool { s.Timeline[i].Duplicate = 0; return true })
		}
		if st.Count != nil && *st.Count > 1 && st.Action != scenario.ActionSetDesired {
			es = append(es, func(s *scenario.Scenario) bool { *s.Timeline[i].Count--; return true })
		}
	}
	return es
}

// optionEdits drop options, one at a time.
func optionEdits(sc *scenario.Scenario) []edit {
	var es []edit
	opt := func(on bool, e edit) {
		if on {
			es = append(es, e)
		}
	}
	for i, g := range sc.Groups {
		gr := func(s *scenario.Scenario) *scenario.Group { return &s.Groups[i] }
		opt(g.CapacityProvider != nil, func(s *scenario.Scenario) bool { gr(s).CapacityProvider = nil; return true })
		opt(g.SpotPercent > 0, func(s *scenario.Scenario) bool { gr(s).SpotPercent = 0; return true })
		opt(g.CapacityRebalance, func(s *scenario.Scenario) bool { gr(s).CapacityRebalance = false; return true })
		opt(g.SpotDraining, func(s *scenario.Scenario) bool { gr(s).SpotDraining = false; return true })
		opt(g.ProtectNewInstances, func(s *scenario.Scenario) bool { gr(s).ProtectNewInstances = false; return true })
		opt(g.InstanceType != "", func(s *scenario.Scenario) bool { gr(s).InstanceType = ""; return true })
		if cp := g.CapacityProvider; cp != nil {
			opt(cp.ManagedTerminationProtection, func(s *scenario.Scenario) bool {
				gr(s).CapacityProvider.ManagedTerminationProtection = false
				return true
			})
			opt(cp.ManagedDraining, func(s *scenario.Scenario) bool { gr(s).CapacityProvider.ManagedDraining = false; return true })
		}
	}
	for i, sv := range sc.Services {
		opt(sv.LoadBalanced, func(s *scenario.Scenario) bool { s.Services[i].LoadBalanced = false; return true })
		opt(sv.MinHealthyPercent != nil || sv.MaxPercent != nil, func(s *scenario.Scenario) bool {
			s.Services[i].MinHealthyPercent, s.Services[i].MaxPercent = nil, nil
			return true
		})
	}
	for i, td := range sc.TaskDefinitions {
		opt(td.NetworkMode != "", func(s *scenario.Scenario) bool { s.TaskDefinitions[i].NetworkMode = ""; return true })
	}
	for gi, g := range sc.Groups {
		for hi, h := range g.Hooks {
			opt(h.Queue != "", func(s *scenario.Scenario) bool { s.Groups[gi].Hooks[hi].Queue = ""; return true })
		}
	}
	for i, q := range sc.Queues {
		opt(q.VisibilityTimeout != 0, func(s *scenario.Scenario) bool { s.Queues[i].VisibilityTimeout = 0; return true })
	}
	// The whole timeline earlier: a shorter story to play.
	first := time.Duration(-1)
	for _, st := range sc.Timeline {
		if first < 0 || st.At.D() < first {
			first = st.At.D()
		}
	}
	if first > 5*time.Minute {
		es = append(es, func(s *scenario.Scenario) bool {
			shift := first - 5*time.Minute
			for i := range s.Timeline {
				s.Timeline[i].At = scenario.Duration(s.Timeline[i].At.D() - shift)
			}
			return true
		})
	}
	for i, is := range sc.Instances {
		opt(is.Spot, func(s *scenario.Scenario) bool { s.Instances[i].Spot = false; return true })
	}
	for i, st := range sc.Timeline {
		step := func(s *scenario.Scenario) *scenario.Step { return &s.Timeline[i] }
		opt(st.Token != "", func(s *scenario.Scenario) bool { step(s).Token = ""; return true })
		opt(st.TimeOffset != 0, func(s *scenario.Scenario) bool { step(s).TimeOffset = 0; return true })
		opt(st.Hook != "", func(s *scenario.Scenario) bool { step(s).Hook = ""; return true })
		opt(st.ScaleInProtectedInstances != "", func(s *scenario.Scenario) bool { step(s).ScaleInProtectedInstances = ""; return true })
		opt(st.Decrement, func(s *scenario.Scenario) bool { step(s).Decrement = false; return true })
	}
	return es
}
