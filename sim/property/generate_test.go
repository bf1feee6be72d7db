package property

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/emulator/scenario"
	"github.com/drainer-dev/drainer/sim"
)

// generatorSeeds is how many seeds the generator's own tests draw.
const generatorSeeds = 600

func TestGenerateMakesValidReasonableWorlds(t *testing.T) {
	for seed := range uint64(generatorSeeds) {
		sc := Generate(seed)
		if err := sc.Validate(); err != nil {
			t.Fatalf("seed %d: invalid scenario: %v", seed, err)
		}
		if _, err := sim.Settings(sc); err != nil {
			t.Fatalf("seed %d: drainer settings: %v", seed, err)
		}
		if err := Reasonable(sc); err != nil {
			t.Fatalf("seed %d: not a world drainer is expected to handle: %v", seed, err)
		}
	}
}

func TestGenerateIsDeterministicPerSeed(t *testing.T) {
	seen := map[string]uint64{}
	for seed := range uint64(100) {
		a, b := mustJSON(t, Generate(seed)), mustJSON(t, Generate(seed))
		if a != b {
			t.Fatalf("seed %d gives two scenarios:\n%s\n%s", seed, a, b)
		}
		// The name and description carry the seed: compare the worlds.
		world := strings.ReplaceAll(a, fmt.Sprint(seed), "SEED")
		if other, dup := seen[world]; dup {
			t.Fatalf("seeds %d and %d give the same world", other, seed)
		}
		seen[world] = seed
	}
}

func mustJSON(t *testing.T, sc *scenario.Scenario) string {
	t.Helper()
	b, err := json.Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestGenerateCoversEveryDimension draws many seeds and checks that each
// dimension the suite promises (Dimensions: cluster counts, hooks of other
// teams, every deployment-limit shape, daemons, jobs, Spot, capacity
// providers in each setting, every timeline action, every fault and
// forged-message kind, each drainer setting) appears in a good share of
// them.
func TestGenerateCoversEveryDimension(t *testing.T) {
	count := map[string]int{}
	for seed := range uint64(generatorSeeds) {
		for _, f := range Features(Generate(seed)) {
			count[f]++
		}
	}
	const minShare = 0.03
	var table []string
	for _, d := range Dimensions {
		share := float64(count[d]) / generatorSeeds
		table = append(table, fmt.Sprintf("%-36s %5.1f%%", d, 100*share))
		if share < minShare {
			t.Errorf("dimension %s in %d of %d seeds (%.1f%%), want at least %.0f%%", d, count[d], generatorSeeds, 100*share, 100*minShare)
		}
	}
	for f := range count {
		if !slices.Contains(Dimensions, f) {
			t.Errorf("Features names %q, which Dimensions does not list", f)
		}
	}
	t.Logf("share of seeds with each dimension:\n%s", strings.Join(table, "\n"))
}

// TestGenerateKeepsWorldsSmall: a seed must play in well under a second.
func TestGenerateKeepsWorldsSmall(t *testing.T) {
	for seed := range uint64(generatorSeeds) {
		sc := Generate(seed)
		if n := len(sc.Clusters); n < 1 || n > 3 {
			t.Fatalf("seed %d: %d clusters", seed, n)
		}
		if n := len(sc.Groups); n < len(sc.Clusters) || n > 4 {
			t.Fatalf("seed %d: %d groups for %d clusters", seed, n, len(sc.Clusters))
		}
		for _, g := range sc.Groups {
			if g.Max > 8 || g.Desired > g.Max || g.Min > g.Desired {
				t.Fatalf("seed %d: group %s sized %d ≤ %d ≤ %d", seed, g.Name, g.Min, g.Desired, g.Max)
			}
		}
		if n := len(sc.Services); n > 4*len(sc.Clusters) {
			t.Fatalf("seed %d: %d services", seed, n)
		}
		if n := len(sc.Timeline); n < 2 || n > 14 {
			t.Fatalf("seed %d: %d timeline steps", seed, n)
		}
		if end := sc.End(); end > 2*time.Hour {
			t.Fatalf("seed %d: timeline ends at %v", seed, end)
		}
	}
}

func TestFeaturesNameWhatAScenarioHas(t *testing.T) {
	sc, err := scenario.ParseYAML([]byte(`
name: features
clusters: [{name: a}, {name: b}]
queues: [{name: drainer}]
taskDefinitions: [{family: web, memory: 512, networkMode: awsvpc}]
groups:
  - name: g
    cluster: a
    min: 1
    max: 2
    desired: 1
    spotPercent: 100
    hooks:
      - {name: drainer, heartbeatTimeout: 2m, queue: drainer}
      - {name: log-shipper, queue: drainer, defaultResult: ABANDON}
    capacityProvider: {name: cp, managedTerminationProtection: true}
services:
  - {name: web, cluster: a, taskDefinition: web, desired: 2, minHealthyPercent: 100, maxPercent: 100}
timeline:
  - {at: 5m, action: send-message, queue: drainer, template: lifecycle, group: g, token: wrong, timeOffset: -192h, duplicate: 2}
drainer: {cluster: a}
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"action:send-message", "clusters:2", "hook:abandon", "hook:other-on-drainer-queue", "hook:other-team", "hook:owned",
		"limits:100/100", "message:duplicate", "message:stale-time", "message:wrong-token", "provider:protection-only",
		"routing:direct", "serves:some-clusters", "service:awsvpc", "setting:cluster", "spot:all"}
	got := Features(sc)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Features =\n%v\nwant\n%v", got, want)
	}
}

func TestReasonableRefusesWhatDrainerCannotHandle(t *testing.T) {
	base := `
name: r
clusters: [{name: a}]
queues: [{name: drainer}]
groups: [{name: g, cluster: a, min: 1, max: 2, desired: 1, hooks: [HOOK]}]
`
	for _, c := range []struct {
		name, hook, extra string
		ok                bool
	}{
		{"notified directly", "{name: drainer, heartbeatTimeout: 1m, queue: drainer}", "", true},
		{"notified through EventBridge", "{name: drainer, heartbeatTimeout: 5m}",
			"rules: [{name: r, queue: drainer, pattern: {source: [aws.autoscaling], detail-type: [EC2 Instance-terminate Lifecycle Action]}}]\n", true},
		{"another team's hook tells nobody", "{name: backup, heartbeatTimeout: 30s}", "", true},
		{"an unserved cluster's hook tells nobody", "{name: drainer, heartbeatTimeout: 30s}", "drainer: {cluster: b}\n", true},
		{"drainer's hook tells nobody", "{name: drainer, heartbeatTimeout: 5m}", "", false},
		{"drainer's hook times out in 30s", "{name: drainer, heartbeatTimeout: 30s, queue: drainer}", "", false},
		{"messages later than the heartbeat", "{name: drainer, heartbeatTimeout: 1m, queue: drainer}",
			"faults: {queues: {drainer: {delayRate: 0.5, maxDelay: 2m}}}\n", false},
		{"scans off", "{name: drainer, heartbeatTimeout: 1m, queue: drainer}", "drainer: {scan-interval: 0s}\n", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			sc, err := scenario.ParseYAML([]byte(strings.Replace(base, "HOOK", c.hook, 1) + c.extra))
			if err != nil {
				t.Fatal(err)
			}
			if err := Reasonable(sc); (err == nil) != c.ok {
				t.Errorf("Reasonable = %v, want ok %v", err, c.ok)
			}
		})
	}
}
