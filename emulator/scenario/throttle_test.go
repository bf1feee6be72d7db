package scenario

import (
	"fmt"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/ecs"
	"github.com/drainer-dev/drainer/emulator/fault"
)

// TestScenarioSelectsTheAWSProfile: faults {throttle: aws, latency: aws}
// puts the profile and its latency on the world once it is built — the
// build itself, hundreds of calls, is not throttled — and rules of
// faults.api combine with it.
func TestScenarioSelectsTheAWSProfile(t *testing.T) {
	sc, err := ParseYAML([]byte(`name: throttled
clusters: [{name: c}]
taskDefinitions: [{family: f, memory: 128}]
groups: [{name: g, cluster: c, min: 0, max: 120, desired: 120}]
services: [{name: web, cluster: c, taskDefinition: f, desired: 240}]
faults:
  throttle: aws
  latency: aws
  api: [{service: ecs, operation: DescribeClusters, rate: 1, burst: 1}]
`))
	if err != nil {
		t.Fatal(err)
	}
	run, err := NewWorld(sc, emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	w := run.World
	w.Clock.RunFor(10 * time.Minute)
	var throttled int
	var lat time.Duration
	var p *fault.Profile
	w.Do(func() {
		throttled = w.Calls.CountBy("", "", "", "ThrottlingException") + w.Calls.CountBy("", "", "", "Throttling") + w.Calls.CountBy("", "", "", "RequestLimitExceeded")
		lat, p = w.Faults.Latency("ecs", "ListTasks"), w.Faults.Profile()
	})
	if throttled != 0 {
		t.Fatalf("%d calls throttled while the world was built and ran by itself", throttled)
	}
	if p != fault.AWS || lat != 50*time.Millisecond {
		t.Fatalf("profile %v, latency %v: want the aws profile and its 50ms", p, lat)
	}
	// The rule on DescribeClusters: its burst of 1 is spent by the first call.
	codes := ""
	for range 2 {
		_, err := emulator.Invoke(w, "test", w.ECS.DescribeClusters, ecs.DescribeClustersInput{Clusters: []string{"c"}})
		codes += codeOf(err) + ";"
	}
	if codes != ";ThrottlingException;" {
		t.Fatalf("two DescribeClusters against a rule of burst 1 answered %q", codes)
	}
	// The profile: ListTasks shares its bucket of 100 with the other
	// cluster-resource reads.
	n := 0
	for ; n < 200; n++ {
		if _, err := emulator.Invoke(w, "test", w.ECS.ListTasks, ecs.ListTasksInput{Cluster: "c"}); err != nil {
			if codeOf(err) != "ThrottlingException" {
				t.Fatal(err)
			}
			break
		}
	}
	if n != 100 {
		t.Fatalf("%d ListTasks went through at one instant, want the bucket's 100", n)
	}
}

// TestConfigProfileSparesTheBuild: a world made with the aws profile from
// the start (drainer emulator --throttle aws) builds a scenario of 30
// clusters — beyond the burst of 20 of ECS's cluster-modify bucket —
// unthrottled, and keeps the profile after.
func TestConfigProfileSparesTheBuild(t *testing.T) {
	sc := &Scenario{Name: "clusters"}
	for i := range 30 {
		sc.Clusters = append(sc.Clusters, Cluster{Name: fmt.Sprintf("c%02d", i)})
	}
	var cfg emulator.Config
	if err := cfg.SetThrottle("aws"); err != nil {
		t.Fatal(err)
	}
	if err := (&emulator.Config{}).SetThrottle("gcp"); err == nil {
		t.Fatal(`SetThrottle("gcp") accepted an unknown profile`)
	}
	run, err := NewWorld(sc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	w := run.World
	var p *fault.Profile
	var calls int
	w.Do(func() { p, calls = w.Faults.Profile(), w.Calls.Total() })
	if p != fault.AWS || calls == 0 {
		t.Fatalf("profile %v after %d calls building: want the aws profile", p, calls)
	}
}
