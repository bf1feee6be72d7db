package emulator_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/scenario"
)

func pct(v int) *int { return &v }

func sec(d time.Duration) scenario.Duration { return scenario.Duration(d) }

// bigCluster is 10,000 m5.xlarge container instances in ten groups running
// 18 services of 5,000 tasks and a daemon: 100,000 tasks.
func bigCluster() *scenario.Scenario {
	sc := &scenario.Scenario{
		Name:     "10k-instances",
		Seed:     1,
		Clusters: []scenario.Cluster{{Name: "big"}},
		TaskDefinitions: []scenario.TaskDefinition{
			{Family: "svc", CPU: 256, Memory: 1024},
			{Family: "agent", CPU: 64, Memory: 128},
		},
		Services: []scenario.Service{{Name: "agent", Cluster: "big", TaskDefinition: "agent", Daemon: true}},
	}
	for g := range 10 {
		sc.Groups = append(sc.Groups, scenario.Group{
			Name: fmt.Sprintf("big-%d", g), Cluster: "big", InstanceType: "m5.xlarge", Min: 0, Max: 1000, Desired: 1000,
		})
	}
	for s := range 18 {
		sc.Services = append(sc.Services, scenario.Service{
			Name: fmt.Sprintf("svc-%02d", s), Cluster: "big", TaskDefinition: "svc", Desired: 5000,
		})
	}
	return sc
}

// BenchmarkBuild10kInstances100kTasks builds the big cluster and runs it
// until every task is placed and running.
func BenchmarkBuild10kInstances100kTasks(b *testing.B) {
	for b.Loop() {
		run, err := scenario.NewWorld(bigCluster(), emulator.Config{})
		if err != nil {
			b.Fatal(err)
		}
		w := run.World
		w.Clock.RunFor(10 * time.Minute)
		b.StopTimer()
		running := countRunning(w, "big")
		if running != 100_000 {
			b.Fatalf("%d tasks running, want 100000", running)
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MiB")
		b.ReportMetric(float64(w.Clock.Fired()), "events")
		runtime.KeepAlive(w)
		b.StartTimer()
	}
}

func countRunning(w *emulator.World, cluster string) (n int) {
	w.Do(func() {
		for _, t := range w.ECS.Tasks(cluster) {
			if t.LastStatus == "RUNNING" {
				n++
			}
		}
	})
	return n
}

// dayOfChurn is a 1,000-instance cluster with ten services, a daemon,
// standalone batch jobs every minute, and one instance refresh at noon.
func dayOfChurn() *scenario.Scenario {
	sc := &scenario.Scenario{
		Name:     "24h-1000-instances",
		Seed:     1,
		Clusters: []scenario.Cluster{{Name: "prod"}},
		TaskDefinitions: []scenario.TaskDefinition{
			{Family: "web", CPU: 512, Memory: 1024, Healthy: sec(30 * time.Second), Stop: sec(5 * time.Second)},
			{Family: "agent", CPU: 64, Memory: 128},
			{Family: "batch", CPU: 256, Memory: 512, Run: sec(10 * time.Minute)},
		},
		Services: []scenario.Service{{Name: "agent", Cluster: "prod", TaskDefinition: "agent", Daemon: true}},
	}
	for g := range 2 {
		sc.Groups = append(sc.Groups, scenario.Group{
			Name: fmt.Sprintf("prod-%d", g), Cluster: "prod", InstanceType: "m5.xlarge", Min: 500, Max: 600, Desired: 500,
		})
	}
	for s := range 10 {
		sc.Services = append(sc.Services, scenario.Service{
			Name: fmt.Sprintf("web-%d", s), Cluster: "prod", TaskDefinition: "web", Desired: 500,
			MinHealthyPercent: pct(50), MaxPercent: pct(200), LoadBalanced: true,
		})
	}
	for j := range 5 {
		sc.Jobs = append(sc.Jobs, scenario.Job{
			Name: fmt.Sprintf("batch-%d", j), Cluster: "prod", TaskDefinition: "batch", Count: 10,
			At: sec(5*time.Minute + time.Duration(j)*10*time.Second), Every: sec(time.Minute),
		})
	}
	sc.Timeline = []scenario.Step{
		{At: sec(12 * time.Hour), Action: scenario.ActionInstanceRefresh, Group: "prod-0", MinHealthyPercentage: pct(90), Warmup: sec(time.Minute)},
	}
	return sc
}

// Benchmark24HoursOf1000Instances simulates a day of the churning cluster.
func Benchmark24HoursOf1000Instances(b *testing.B) {
	for b.Loop() {
		run, err := scenario.NewWorld(dayOfChurn(), emulator.Config{})
		if err != nil {
			b.Fatal(err)
		}
		w := run.World
		w.Clock.RunFor(24 * time.Hour)
		b.StopTimer()
		if errs := run.Errors(); len(errs) > 0 {
			b.Fatalf("scenario errors: %+v", errs[0])
		}
		_, changes := w.Trace()
		b.ReportMetric(float64(w.Clock.Fired()), "events")
		b.ReportMetric(float64(changes), "changes")
		b.StartTimer()
	}
}
