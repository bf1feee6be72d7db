package drain_test

import (
	"testing"
	"time"

	"github.com/drainer-dev/drainer/drain"
)

// TestStartUsesWhereTheScanSawTheContainerInstance: a drain of an instance
// whose container instance a scan located starts with one
// DescribeContainerInstances, without searching the clusters
// (ListContainerInstances); an instance it did not locate is searched for.
func TestStartUsesWhereTheScanSawTheContainerInstance(t *testing.T) {
	w, c, cis := attributeWorld(t)
	ctx := t.Context()
	rec := drain.NewReconciler(drain.Config{Cloud: c, Clock: w.Clock, Clusters: []string{"demo"}})
	located, searched := cis[0], cis[1]
	rec.Locate(map[string]drain.Location{located.EC2InstanceID: {Cluster: "demo", ContainerInstanceARN: located.ARN}})
	lists := func() int {
		n := 0
		w.Do(func() { n = w.Calls.Count("ecs", "ListContainerInstances", "OK") })
		return n
	}
	before := lists()
	if err := rec.Start(ctx, located.EC2InstanceID, drain.Trigger{Reason: drain.ReasonOperator, Graceful: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if n := lists() - before; n != 0 {
		t.Fatalf("%d ListContainerInstances to start the drain of a located instance, want none", n)
	}
	before = lists()
	if err := rec.Start(ctx, searched.EC2InstanceID, drain.Trigger{Reason: drain.ReasonOperator, Graceful: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if n := lists() - before; n == 0 {
		t.Fatal("the drain of an instance no scan located started without searching for it")
	}
	if ds := rec.Drains(); len(ds) != 2 || ds[0].ContainerInstanceARN == "" || ds[1].ContainerInstanceARN == "" {
		t.Fatalf("drains %+v, want both recorded on their container instances", ds)
	}
}

// TestStartSetsDraining: a drain sets its container instance DRAINING as
// it starts, so that ECS begins moving the service tasks before the
// drain's first look, which may wait its turn for AWS's rate limits.
func TestStartSetsDraining(t *testing.T) {
	w, c, cis := attributeWorld(t)
	ctx := t.Context()
	rec := drain.NewReconciler(drain.Config{Cloud: c, Clock: w.Clock, Clusters: []string{"demo"}})
	if err := rec.Start(ctx, cis[0].EC2InstanceID, drain.Trigger{Reason: drain.ReasonOperator, Graceful: time.Hour}); err != nil {
		t.Fatal(err)
	}
	got, err := c.DescribeContainerInstances(ctx, "demo", []string{cis[0].ARN})
	if err != nil || len(got) != 1 || got[0].Status != "DRAINING" {
		t.Fatalf("after Start, before any look: %+v, %v; want DRAINING", got, err)
	}
}
