package scan_test

import (
	"context"
	"slices"
	"testing"
	"time"

	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/ecs"
	"github.com/drainer-dev/drainer/emulator/scenario"
	"github.com/drainer-dev/drainer/scan"
	"github.com/drainer-dev/drainer/sim"
)

// bigWorld: one cluster of 2,000 container instances (20 pages of
// ListContainerInstances) in one group whose minimum leaves room for one
// idle drain.
const bigWorld = `
name: big
seed: 5
clusters: [{name: big}]
taskDefinitions:
  - {family: job, cpu: 256, memory: 512}
groups:
  - {name: big-asg, cluster: big, instanceType: m5.large, min: 1999, max: 2000, desired: 2000}
`

// client is drainer's AWS client of w for caller, through the SDK and the
// emulator's wire protocols, with no rate limit and no coalescing (the
// test calls from its own goroutine).
func client(w *emulator.World, caller string) *cloudaws.Client {
	cfg, opts := sim.ClientOptions(w, caller, 1)
	fast := cloudaws.Limit{Rate: 1e9, Burst: 1 << 30}
	opts.Limits = cloudaws.Limits{ECS: fast, AutoScaling: fast, EC2: fast, SQS: fast, Events: fast}
	opts.BatchWindow = -1
	opts.MaxBackoff = 5 * time.Millisecond
	return cloudaws.NewFromConfig(cfg, opts)
}

type drains struct{}

func (drains) GroupPolicies(_ context.Context, groups []string) (map[string]scan.Policy, error) {
	out := map[string]scan.Policy{}
	for _, g := range groups {
		out[g] = scan.Policy{Drain: true}
	}
	return out, nil
}

// TestPassOverABigClusterIsBounded: over 2,000 container instances, every
// pass makes at most its bound of ECS cluster-resource reads (10 pages:
// 10 ListContainerInstances, 20 DescribeContainerInstances, 10 task
// listings), and the only idle instance, on the listing's last page, is
// reclaimed once idle long enough, read afresh first (it was read by the
// pass before).
func TestPassOverABigClusterIsBounded(t *testing.T) {
	sc, err := scenario.ParseYAML([]byte(bigWorld))
	if err != nil {
		t.Fatal(err)
	}
	run, err := scenario.NewWorld(sc, emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	w := run.World
	w.Clock.RunFor(5 * time.Minute)
	ctx := t.Context()
	rc := client(w, "drainer")
	all, err := rc.ListContainerInstances(ctx, "big", "")
	if err != nil || len(all) != 2000 {
		t.Fatalf("%d container instances, %v; want 2,000", len(all), err)
	}
	// A task on every instance but one, on the listing's last page.
	idle := all[1950].EC2InstanceID
	var busy []string
	for _, ci := range all {
		if ci.EC2InstanceID != idle {
			busy = append(busy, ci.ARN)
		}
	}
	w.Do(func() {
		for b := range slices.Chunk(busy, 10) {
			if _, err = w.ECS.StartTask(ecs.StartTaskInput{Cluster: "big", TaskDefinition: "job", ContainerInstances: b}); err != nil {
				return
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	w.Clock.RunFor(time.Minute)

	rec := drain.NewReconciler(drain.Config{Cloud: rc, Clock: w.Clock, Clusters: []string{"big"}})
	// Passes alternate between the listing's two halves: the idle instance
	// is read at odd passes (first at the second, 1m after the start), and
	// comes due at 5m30s, at an even pass that must read it afresh.
	const idleAfter = 4*time.Minute + 30*time.Second
	s := scan.NewScanner(client(w, "scanner"), rec, drains{}, scan.Options{
		Config:   scan.Config{IdleAfter: idleAfter, Budget: drain.Budget{Count: 1}},
		Clusters: []string{"big"}, Clock: w.Clock, Locate: rec.Locate,
	})
	reads := func() (lists, describes, tasks int) {
		w.Do(func() {
			lists = w.Calls.CountBy("scanner", "ecs", "ListContainerInstances", "")
			describes = w.Calls.CountBy("scanner", "ecs", "DescribeContainerInstances", "")
			tasks = w.Calls.CountBy("scanner", "ecs", "ListTasks", "") + w.Calls.CountBy("scanner", "ecs", "DescribeTasks", "")
		})
		return
	}
	start := w.Now()
	var firstSeen, startedAt time.Time
	for i := 0; i < 12 && startedAt.IsZero(); i++ {
		l0, d0, t0 := reads()
		rep, err := s.Pass(ctx)
		if err != nil {
			t.Fatal(err)
		}
		l1, d1, t1 := reads()
		if l1-l0 > scan.DefaultPages || d1-d0 > 2*scan.DefaultPages || t1-t0 > 3*scan.DefaultPages {
			t.Fatalf("pass %d: %d ListContainerInstances, %d DescribeContainerInstances, %d ListTasks+DescribeTasks; want at most 10, 20, 30", i, l1-l0, d1-d0, t1-t0)
		}
		if firstSeen.IsZero() && rep.Instances == 2000 {
			firstSeen = w.Now()
		}
		if len(rep.IdleStarted) > 0 {
			if !slices.Equal(rep.IdleStarted, []string{idle}) || rep.Verified == 0 {
				t.Fatalf("pass %d started %v, verified %d; want %s, read afresh", i, rep.IdleStarted, rep.Verified, idle)
			}
			startedAt = w.Now()
		}
		w.Clock.RunFor(time.Minute)
	}
	if firstSeen.Sub(start) != time.Minute {
		t.Fatalf("every instance known %v after the first pass, want 1m (2 passes of 10 pages)", firstSeen.Sub(start))
	}
	if startedAt.IsZero() || startedAt.Sub(firstSeen) < idleAfter || startedAt.Sub(firstSeen) > idleAfter+time.Minute {
		t.Fatalf("idle drain started at %v, first seen at %v: want within a pass after %v", startedAt, firstSeen, idleAfter)
	}
	if ds := rec.Drains(); len(ds) != 1 || ds[0].InstanceID != idle {
		t.Fatalf("drains %+v, want the idle instance's", ds)
	}
}
