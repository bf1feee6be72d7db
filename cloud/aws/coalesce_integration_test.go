package aws_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/cloud"
	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/fault"
)

// bigWorld: one cluster of 300 instances, nothing running on them.
const bigWorld = `
name: big
seed: 3
clusters: [{name: big}]
groups:
  - name: big-asg
    cluster: big
    instanceType: m5.large
    min: 0
    max: 300
    desired: 300
`

// coalescing is a client of w that coalesces within the default window.
func coalescing(t *testing.T, w *emulator.World) *cloudaws.Client {
	return client(t, w, cloudaws.Options{BatchWindow: 10 * time.Millisecond})
}

// together runs n callers of f at the same virtual instant, each on its
// own goroutine of w's clock, and waits for all of them.
func together(t *testing.T, w *emulator.World, n int, f func(ctx context.Context, i int)) {
	t.Helper()
	if !w.Clock.Call(ctxT(t), w.Now().Add(time.Hour), func(ctx context.Context) {
		var g clock.Group
		for i := range n {
			g.Go(ctx, w.Clock, func(ctx context.Context) { f(ctx, i) })
		}
		if err := g.Wait(ctx); err != nil {
			t.Error(err)
		}
	}) {
		t.Fatal("the callers did not end within a virtual hour")
	}
}

func bigFleet(t *testing.T) (*emulator.World, []cloud.ContainerInstance) {
	t.Helper()
	w := world(t, bigWorld)
	w.Clock.RunFor(5 * time.Minute)
	cis, err := client(t, w, cloudaws.Options{}).ListContainerInstances(ctxT(t), "big", "")
	noErr(t, err)
	if len(cis) != 300 {
		t.Fatalf("%d container instances registered, want 300", len(cis))
	}
	return w, cis
}

// TestConcurrentDescribesShareCalls: 300 drains each describing its own
// container instance at the same instant cost three calls of a hundred,
// and each drain gets its own instance.
func TestConcurrentDescribesShareCalls(t *testing.T) {
	w, cis := bigFleet(t)
	c := coalescing(t, w)
	before := count(w, "ecs", "DescribeContainerInstances")
	got := make([][]cloud.ContainerInstance, len(cis))
	together(t, w, len(cis), func(ctx context.Context, i int) {
		var err error
		got[i], err = c.DescribeContainerInstances(ctx, "big", []string{cis[i].ARN})
		if err != nil {
			t.Error(err)
		}
	})
	if n := count(w, "ecs", "DescribeContainerInstances") - before; n > 3 {
		t.Errorf("300 concurrent single describes made %d calls, want at most 3", n)
	}
	for i, g := range got {
		if len(g) != 1 || g[0].ARN != cis[i].ARN || g[0].EC2InstanceID != cis[i].EC2InstanceID {
			t.Fatalf("caller %d got %+v, want its own instance %s", i, g, cis[i].ARN)
		}
	}
}

// TestDescribesBehindTheRateLimitShareCalls: 300 drains describing their
// container instances one after the other, 50 ms apart, behind a rate
// limit of one call a second: each call carries every instance asked for
// while it waited for its token, so they cost about one call a second (16
// or so over the 15 seconds), not 300 calls and five minutes.
func TestDescribesBehindTheRateLimitShareCalls(t *testing.T) {
	w, cis := bigFleet(t)
	fast := cloudaws.Limit{Rate: 1e6, Burst: 1e6}
	c := client(t, w, cloudaws.Options{BatchWindow: 10 * time.Millisecond, Limits: cloudaws.Limits{
		ECS: cloudaws.Limit{Rate: 1, Burst: 1}, AutoScaling: fast, EC2: fast, SQS: fast, Events: fast,
	}})
	before := count(w, "ecs", "DescribeContainerInstances")
	start := w.Now()
	var last time.Time
	got := make([][]cloud.ContainerInstance, len(cis))
	together(t, w, len(cis), func(ctx context.Context, i int) {
		noErr(t, clock.Sleep(ctx, w.Clock, time.Duration(i)*50*time.Millisecond))
		var err error
		if got[i], err = c.DescribeContainerInstances(ctx, "big", []string{cis[i].ARN}); err != nil {
			t.Error(err)
		}
		if now := w.Now(); now.After(last) {
			last = now
		}
	})
	if n := count(w, "ecs", "DescribeContainerInstances") - before; n > 20 {
		t.Errorf("300 describes 50 ms apart behind 1 call/s made %d calls, want about one a second (≤ 20)", n)
	}
	if took := last.Sub(start); took > 20*time.Second {
		t.Errorf("the last describe returned %v after the first was asked, want within about 16 s", took)
	}
	for i, g := range got {
		if len(g) != 1 || g[0].ARN != cis[i].ARN {
			t.Fatalf("caller %d got %+v, want its own instance %s", i, g, cis[i].ARN)
		}
	}
}

// TestConcurrentLookupsShareCalls: the Auto Scaling and EC2 lookups of
// many drains at once go 50 and 200 a call; an unknown instance fails only
// the caller that named it.
func TestConcurrentLookupsShareCalls(t *testing.T) {
	w, cis := bigFleet(t)
	c := coalescing(t, w)
	asBefore, ec2Before := count(w, "autoscaling", "DescribeAutoScalingInstances"), count(w, "ec2", "DescribeInstances")
	groups := make([][]cloud.GroupInstance, len(cis))
	insts := make([][]cloud.Instance, len(cis)+1)
	errs := make([]error, len(cis)+1)
	together(t, w, len(cis)+1, func(ctx context.Context, i int) {
		if i == len(cis) { // a drain of an instance EC2 has forgotten
			insts[i], errs[i] = c.DescribeInstances(ctx, []string{unknownInstance})
			return
		}
		id := cis[i].EC2InstanceID
		var err error
		if groups[i], err = c.DescribeGroupInstances(ctx, []string{id}); err != nil {
			t.Error(err)
		}
		insts[i], errs[i] = c.DescribeInstances(ctx, []string{id})
	})
	if n := count(w, "autoscaling", "DescribeAutoScalingInstances") - asBefore; n != 6 {
		t.Errorf("300 concurrent group lookups made %d calls, want 6 of 50", n)
	}
	if n := count(w, "ec2", "DescribeInstances") - ec2Before; n != 2 {
		t.Errorf("301 concurrent instance lookups made %d calls, want 2 (200 filter values each)", n)
	}
	for i, ci := range cis {
		if len(groups[i]) != 1 || groups[i][0].InstanceID != ci.EC2InstanceID || groups[i][0].Group != "big-asg" {
			t.Fatalf("caller %d: group instances %+v", i, groups[i])
		}
		if errs[i] != nil || len(insts[i]) != 1 || insts[i][0].ID != ci.EC2InstanceID {
			t.Fatalf("caller %d: instances %+v, %v", i, insts[i], errs[i])
		}
	}
	if last := len(cis); !errors.Is(errs[last], cloud.ErrNotFound) || len(insts[last]) != 0 {
		t.Fatalf("unknown instance: %+v, %v; want ErrNotFound", insts[last], errs[last])
	}
}

// TestConcurrentDrainsShareCalls: 25 drains setting their instance
// DRAINING at once cost three calls of ten; the one naming an instance ECS
// does not know alone gets its MISSING failure.
func TestConcurrentDrainsShareCalls(t *testing.T) {
	w, cis := bigFleet(t)
	c := coalescing(t, w)
	before := count(w, "ecs", "UpdateContainerInstancesState")
	failures := make([][]cloud.Failure, 25)
	together(t, w, 25, func(ctx context.Context, i int) {
		arn := cis[i].ARN
		if i == 24 {
			arn = unknownCI(cis[0])
		}
		var err error
		if failures[i], err = c.DrainContainerInstances(ctx, "big", []string{arn}); err != nil {
			t.Error(err)
		}
	})
	if n := count(w, "ecs", "UpdateContainerInstancesState") - before; n != 3 {
		t.Errorf("25 concurrent drains made %d calls, want 3", n)
	}
	for i, f := range failures[:24] {
		if len(f) != 0 {
			t.Errorf("caller %d: failures %+v", i, f)
		}
	}
	if f := failures[24]; len(f) != 1 || f[0].ID != unknownCI(cis[0]) || f[0].Code != "MISSING" {
		t.Errorf("unknown instance: failures %+v, want its MISSING", f)
	}
	draining, err := client(t, w, cloudaws.Options{}).ListContainerInstances(ctxT(t), "big", cloud.ContainerInstanceDraining)
	noErr(t, err)
	if len(draining) != 24 {
		t.Errorf("%d instances DRAINING, want 24", len(draining))
	}
}

// TestConcurrentRecordsShareCalls: 25 drains recording themselves at once
// (two attributes each) cost five calls of ten attributes; an instance
// already holding ECS's ten custom attributes fails only its own caller,
// with ErrAttributeLimit, and every other record is written.
func TestConcurrentRecordsShareCalls(t *testing.T) {
	w, cis := bigFleet(t)
	c := coalescing(t, w)
	full := map[string]string{}
	for i := range 10 {
		full[fmt.Sprintf("team.attr%d", i)] = "x"
	}
	noErr(t, client(t, w, cloudaws.Options{}).PutAttributes(ctxT(t), "big", cis[24].ARN, full))
	before := count(w, "ecs", "PutAttributes")
	errs := make([]error, 25)
	together(t, w, 25, func(ctx context.Context, i int) {
		errs[i] = c.PutAttributes(ctx, "big", cis[i].ARN, map[string]string{"drainer.drain": fmt.Sprint("record-", i), "drainer.hook": "h"})
	})
	// Five shared calls; the one carrying the full instance is refused and
	// its five sets are written one by one.
	if n := count(w, "ecs", "PutAttributes") - before; n != 5+5 {
		t.Errorf("25 concurrent records made %d calls, want 5 shared and 5 after the refused one", n)
	}
	for i, err := range errs[:24] {
		if err != nil {
			t.Errorf("record %d: %v", i, err)
		}
	}
	if !errors.Is(errs[24], cloud.ErrAttributeLimit) {
		t.Errorf("record on the full instance: %v, want ErrAttributeLimit", errs[24])
	}
	got, err := client(t, w, cloudaws.Options{}).DescribeContainerInstances(ctxT(t), "big", []string{cis[3].ARN})
	noErr(t, err)
	if len(got) != 1 || got[0].Attributes["drainer.drain"] != "record-3" || got[0].Attributes["drainer.hook"] != "h" {
		t.Errorf("record 3 reads back %+v", got)
	}
}

// TestTasksOfManyDrainsShareCalls: the tasks of every drain are described
// in shared calls, and the facts behind their classification (services,
// task definitions) are looked up once however many drains miss them
// together.
func TestTasksOfManyDrainsShareCalls(t *testing.T) {
	w := world(t, demoWorld)
	w.Clock.RunFor(4 * time.Minute)
	lister := client(t, w, cloudaws.Options{})
	cis, err := lister.ListContainerInstances(ctxT(t), "demo", "")
	noErr(t, err)
	var arns [][]string
	for _, ci := range cis {
		a, err := lister.ListTasks(ctxT(t), "demo", ci.ARN, cloud.DesiredRunning)
		noErr(t, err)
		arns = append(arns, a)
	}
	c := coalescing(t, w)
	ops := []string{"DescribeTasks", "DescribeServices", "DescribeTaskDefinition"}
	before := map[string]int{}
	for _, op := range ops {
		before[op] = count(w, "ecs", op)
	}
	got := make([][]cloud.Task, len(cis))
	together(t, w, len(cis), func(ctx context.Context, i int) {
		var err error
		unknownTask := strings.Replace(unknownCI(cis[0]), "container-instance", "task", 1)
		if got[i], err = c.DescribeTasks(ctx, "demo", append(slices.Clone(arns[i]), unknownTask)); err != nil {
			t.Error(err)
		}
	})
	// web, log-agent: one DescribeServices; web, log-agent, batch: three
	// task definitions, one call each.
	for op, want := range map[string]int{"DescribeTasks": 1, "DescribeServices": 1, "DescribeTaskDefinition": 3} {
		if n := count(w, "ecs", op) - before[op]; n != want {
			t.Errorf("%d drains describing their tasks made %d %s calls, want %d", len(cis), n, op, want)
		}
	}
	for i, tasks := range got {
		var gotARNs []string
		for _, task := range tasks {
			gotARNs = append(gotARNs, task.ARN)
			if task.ContainerInstanceARN != cis[i].ARN || task.Class == "" || task.StopTimeout == 0 {
				t.Errorf("caller %d: task %+v", i, task)
			}
		}
		// The task ECS does not know is left out; the order is the one asked.
		if !slices.Equal(gotARNs, arns[i]) {
			t.Errorf("caller %d: tasks %v, want %v", i, gotARNs, arns[i])
		}
	}
}

// TestHeartbeatGoesBeforeQueuedScans: with Auto Scaling paced at one call a
// second, a heartbeat sent after five background scans are queued goes
// first; a normal call goes before the scans too, after the heartbeat.
func TestHeartbeatGoesBeforeQueuedScans(t *testing.T) {
	w := world(t, demoWorld)
	w.Clock.RunFor(time.Minute)
	fast := cloudaws.Limit{Rate: 1e6, Burst: 1e6}
	c := client(t, w, cloudaws.Options{Limits: cloudaws.Limits{
		ECS: fast, EC2: fast, SQS: fast, Events: fast, AutoScaling: cloudaws.Limit{Rate: 1, Burst: 1},
	}})
	start := len(allCalls(w))
	if !w.Clock.Call(ctxT(t), w.Now().Add(time.Hour), func(ctx context.Context) {
		var g clock.Group
		scan := cloud.WithPriority(ctx, cloud.PriorityBackground)
		for range 5 {
			g.Go(scan, w.Clock, func(ctx context.Context) { _, _ = c.DescribeGroups(ctx, nil) })
		}
		noErr(t, clock.Sleep(ctx, w.Clock, 100*time.Millisecond)) // the scans wait in line
		g.Go(ctx, w.Clock, func(ctx context.Context) { _, _ = c.LifecycleHooks(ctx, "demo-asg") })
		g.Go(ctx, w.Clock, func(ctx context.Context) {
			// No marker: a heartbeat is urgent by itself.
			_ = c.RecordLifecycleActionHeartbeat(ctx, cloud.LifecycleAction{Group: "demo-asg", Hook: "drain-hook", InstanceID: unknownInstance})
		})
		noErr(t, g.Wait(ctx))
	}) {
		t.Fatal("calls did not end within a virtual hour")
	}
	var order []string
	for _, call := range allCalls(w)[start:] {
		order = append(order, call.Operation+"/"+call.Part)
	}
	// Each call names its priority in its User-Agent, which the
	// emulator's call log reads (as CloudTrail's userAgent would show it).
	want := []string{"DescribeAutoScalingGroups/background", "RecordLifecycleActionHeartbeat/heartbeat", "DescribeLifecycleHooks/normal",
		"DescribeAutoScalingGroups/background", "DescribeAutoScalingGroups/background", "DescribeAutoScalingGroups/background", "DescribeAutoScalingGroups/background"}
	if !slices.Equal(order, want) {
		t.Fatalf("calls in order %v, want %v", order, want)
	}
	for _, s := range c.Pacing() {
		if s.Bucket == "autoscaling" && (s.Calls != 7 || s.Waited != 6 || s.Waiting != 0) {
			t.Errorf("autoscaling bucket %+v, want 7 calls of which 6 waited", s)
		}
	}
}

// TestThrottledBucketSlowsDownAndRecovers: AWS throttling DescribeClusters
// below drainer's paced rate halves the client's bucket; all calls still
// get through, and a minute later the bucket is back to its rate.
func TestThrottledBucketSlowsDownAndRecovers(t *testing.T) {
	w := world(t, demoWorld)
	// AWS gives the account 2 a second, burst 2; drainer paces the cluster
	// read bucket at half of 20 a second.
	noErr(t, w.Faults.Set(fault.Rule{Service: "ecs", Operation: "DescribeClusters", Rate: 2, Burst: 2}))
	// ECS paced per AWS bucket (no override), the rest unlimited.
	fast := cloudaws.Limit{Rate: 1e6, Burst: 1e6}
	c := client(t, w, cloudaws.Options{Limits: cloudaws.Limits{AutoScaling: fast, EC2: fast, SQS: fast, Events: fast},
		MaxAttempts: 20, MaxBackoff: time.Second, JitterSeed: 3})
	start := w.Now()
	together(t, w, 30, func(ctx context.Context, _ int) {
		// DescribeClusters (then DescribeCapacityProviders), in the same
		// bucket as ListClusters, whose answers the client reuses.
		if _, err := c.CapacityProviders(ctx, "demo"); err != nil {
			t.Error(err)
		}
	})
	stats := bucketStats(c, "ecs:cluster-read")
	if stats.Throttles == 0 || stats.Rate >= stats.BaseRate || stats.BaseRate != 10 {
		t.Fatalf("after throttles: %+v, want throttles and a rate below 10", stats)
	}
	var ok, throttled int
	w.Do(func() {
		ok = w.Calls.Count("ecs", "DescribeClusters", "OK")
		throttled = w.Calls.Count("ecs", "DescribeClusters", "ThrottlingException")
	})
	if ok != 30 || throttled != int(stats.Throttles) {
		t.Fatalf("world saw %d OK, %d throttled; the bucket counted %d throttles", ok, throttled, stats.Throttles)
	}
	// Slowed down, the client was throttled on a small part of its calls.
	if throttled > 30 {
		t.Errorf("%d throttled attempts for 30 calls: the client kept hammering", throttled)
	}
	t.Logf("30 calls took %v, %d throttled", w.Now().Sub(start), throttled)
	w.Clock.RunFor(time.Minute)
	if s := bucketStats(c, "ecs:cluster-read"); s.Rate != s.BaseRate {
		t.Fatalf("a minute later: rate %v, want back to %v", s.Rate, s.BaseRate)
	}
}

// unknownCI is an ARN of ci's cluster that names no container instance.
func unknownCI(ci cloud.ContainerInstance) string {
	return ci.ARN[:strings.LastIndex(ci.ARN, "/")+1] + "00000000000000000000000000000000"
}

func bucketStats(c *cloudaws.Client, name string) cloudaws.BucketStats {
	for _, s := range c.Pacing() {
		if s.Bucket == name {
			return s
		}
	}
	return cloudaws.BucketStats{}
}

func allCalls(w *emulator.World) (calls []emulator.Call) {
	w.Do(func() { calls = w.Calls.All() })
	return calls
}
