package property

import (
	"reflect"
	"testing"

	"github.com/drainer-dev/drainer/emulator/scenario"
	"github.com/drainer-dev/drainer/invariant"
)

// hasRefreshOfA100100Cluster is a synthetic failure: the scenario starts an
// instance refresh of a group whose cluster runs a 100/100 service.
func hasRefreshOfA100100Cluster(sc *scenario.Scenario) bool {
	clusters := map[string]bool{}
	for _, s := range sc.Services {
		if s.MinHealthyPercent != nil && *s.MinHealthyPercent == 100 && s.MaxPercent != nil && *s.MaxPercent == 100 {
			clusters[s.Cluster] = true
		}
	}
	for _, st := range sc.Timeline {
		if st.Action != scenario.ActionInstanceRefresh {
			continue
		}
		for _, g := range sc.Groups {
			if g.Name == st.Group && clusters[g.Cluster] {
				return true
			}
		}
	}
	return false
}

func TestShrinkFindsTheMinimalFailingWorld(t *testing.T) {
	var seed uint64
	var sc *scenario.Scenario
	for seed = 1; ; seed++ {
		sc = Generate(seed)
		// A big one: several clusters, faults and a long timeline.
		if hasRefreshOfA100100Cluster(sc) && len(sc.Clusters) > 1 && sc.Faults != nil && len(sc.Timeline) > 3 {
			break
		}
	}
	before := mustJSON(t, sc)
	calls := 0
	small, runs := Shrink(sc, func(c *scenario.Scenario) bool {
		calls++
		if err := c.Validate(); err != nil {
			t.Fatalf("the predicate was given an invalid scenario: %v", err)
		}
		if err := Reasonable(c); err != nil {
			t.Fatalf("the predicate was given an unreasonable world: %v", err)
		}
		return hasRefreshOfA100100Cluster(c)
	}, 0)
	if mustJSON(t, sc) != before {
		t.Fatal("Shrink changed the scenario it was given")
	}
	if runs != calls || runs == 0 || runs > DefaultShrinkRuns {
		t.Fatalf("Shrink reported %d runs, made %d (limit %d)", runs, calls, DefaultShrinkRuns)
	}
	if !hasRefreshOfA100100Cluster(small) {
		t.Fatal("the shrunk scenario no longer fails")
	}
	text, _ := Format(small, "")
	t.Logf("seed %d shrunk in %d runs to:\n%s", seed, runs, text)
	// What is left is what the failure needs: one cluster, one group, one
	// service at 100/100 and the refresh, nothing else.
	if len(small.Clusters) != 1 || len(small.Groups) != 1 || len(small.Services) != 1 || len(small.Timeline) != 1 {
		t.Errorf("shrunk to %d clusters, %d groups, %d services, %d steps; want 1 of each",
			len(small.Clusters), len(small.Groups), len(small.Services), len(small.Timeline))
	}
	if small.Faults != nil || len(small.Jobs) > 0 || len(small.Instances) > 0 || len(small.Drainer) > 0 {
		t.Errorf("shrunk scenario keeps faults %+v, jobs %v, hosts %v, settings %v", small.Faults, small.Jobs, small.Instances, small.Drainer)
	}
	if g := small.Groups[0]; g.Desired > 0 || g.Max > 0 || g.CapacityProvider != nil || g.SpotPercent > 0 {
		t.Errorf("shrunk group %+v: want no instances and no options", g)
	}
	if s := small.Services[0]; s.Desired > 1 || s.LoadBalanced {
		t.Errorf("shrunk service %+v: want at most one task and no load balancer", s)
	}
	if len(small.TaskDefinitions) != 1 {
		t.Errorf("shrunk scenario keeps task definitions %+v, want only the service's", small.TaskDefinitions)
	}
}

func TestShrinkKeepsDrainersHookNotified(t *testing.T) {
	// Remove anything, but the hook drainer owns must still tell it: a
	// predicate that holds for every world would otherwise shrink away
	// the queue and rules it needs.
	for seed := uint64(1); seed <= 20; seed++ {
		small, _ := Shrink(Generate(seed), func(*scenario.Scenario) bool { return true }, 0)
		if err := Reasonable(small); err != nil {
			t.Fatalf("seed %d shrunk to an unreasonable world: %v", seed, err)
		}
	}
}

func TestShrinkStopsAtItsBudget(t *testing.T) {
	sc := Generate(3)
	calls := 0
	_, runs := Shrink(sc, func(*scenario.Scenario) bool { calls++; return false }, 5)
	if runs != 5 || calls != 5 {
		t.Fatalf("runs %d, calls %d, want 5", runs, calls)
	}
}

func TestShrinkOfAPassingPredicateIsTheScenario(t *testing.T) {
	sc := Generate(4)
	small, _ := Shrink(sc, func(*scenario.Scenario) bool { return false }, 0)
	if !reflect.DeepEqual(mustJSON(t, small), mustJSON(t, sc)) {
		t.Fatal("nothing failed, yet the scenario changed")
	}
}

func TestFailsLikeKeepsTheSameRule(t *testing.T) {
	results := map[string]Result{
		"rule 4": {Violations: []invariant.Violation{{Rule: 4}}},
		"rule 6": {Violations: []invariant.Violation{{Rule: 6}, {Rule: 6}}},
		"crash":  {Crash: "panic: x"},
		"none":   {},
	}
	for name, r := range results {
		fails := FailsLike("rule 4", func(*scenario.Scenario) Result { return r })
		if got := fails(nil); got != (name == "rule 4") {
			t.Errorf("FailsLike(rule 4) on %s = %v", name, got)
		}
	}
}
