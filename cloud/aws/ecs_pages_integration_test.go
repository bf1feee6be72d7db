package aws_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/cloud"
	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
)

// pagesWorld: 250 container instances in one cluster, more than two
// pages of ListContainerInstances.
const pagesWorld = `
name: pages
seed: 11
clusters: [{name: big}]
groups:
  - {name: big-asg, cluster: big, instanceType: m5.large, min: 0, max: 250, desired: 250}
`

// TestListContainerInstancesPage: a listing page by page (100, 100, 50)
// costs one ListContainerInstances and one DescribeContainerInstances a
// page and finds what the whole listing finds; a token ECS refuses and
// an unknown cluster fail as cloud.ECS documents.
func TestListContainerInstancesPage(t *testing.T) {
	w := world(t, pagesWorld)
	w.Clock.RunFor(5 * time.Minute)
	c := client(t, w, cloudaws.Options{})
	ctx := ctxT(t)

	lists, describes := count(w, "ecs", "ListContainerInstances"), count(w, "ecs", "DescribeContainerInstances")
	var got []string
	var sizes []int
	token := ""
	for {
		page, next, err := c.ListContainerInstancesPage(ctx, "big", "", token)
		noErr(t, err)
		sizes = append(sizes, len(page))
		for _, ci := range page {
			if ci.EC2InstanceID == "" || ci.Status != cloud.ContainerInstanceActive {
				t.Fatalf("page holds %+v, want described ACTIVE container instances", ci)
			}
			got = append(got, ci.ARN)
		}
		if next == "" {
			break
		}
		if len(sizes) > 3 {
			t.Fatalf("more than 3 pages for 250 instances: %v", sizes)
		}
		token = next
	}
	if !slices.Equal(sizes, []int{100, 100, 50}) {
		t.Fatalf("pages of %v, want 100, 100, 50", sizes)
	}
	if n, m := count(w, "ecs", "ListContainerInstances")-lists, count(w, "ecs", "DescribeContainerInstances")-describes; n != 3 || m != 3 {
		t.Fatalf("%d ListContainerInstances and %d DescribeContainerInstances for 3 pages, want 3 and 3", n, m)
	}
	all, err := c.ListContainerInstances(ctx, "big", "")
	noErr(t, err)
	want := make([]string, len(all))
	for i, ci := range all {
		want[i] = ci.ARN
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("the pages hold %d instances, the whole listing %d: want the same", len(got), len(want))
	}

	// A status selects as ListContainerInstances does.
	if page, next, err := c.ListContainerInstancesPage(ctx, "big", cloud.ContainerInstanceDraining, ""); err != nil || len(page) != 0 || next != "" {
		t.Fatalf("DRAINING page: %d instances, next %q, %v; want none", len(page), next, err)
	}
	if _, _, err := c.ListContainerInstancesPage(ctx, "big", "", "not-a-token"); err == nil || errors.Is(err, cloud.ErrNotFound) || apiCode(err) != "InvalidParameterException" {
		t.Fatalf("made-up token: %v, want a plain InvalidParameterException", err)
	}
	if _, _, err := c.ListContainerInstancesPage(ctx, "nope", "", ""); !errors.Is(err, cloud.ErrNotFound) {
		t.Fatalf("unknown cluster: %v, want ErrNotFound", err)
	}
}
