package scan

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/cloud"
)

func ci(id string) cloud.ContainerInstance {
	return cloud.ContainerInstance{ARN: "arn:" + id, EC2InstanceID: id, Status: cloud.ContainerInstanceActive}
}

// op is one thing happening to an inventory: a page of a listing (first
// page or not), its end, a failed page, the clusters still served, an
// instance read afresh by ARN.
type op struct {
	kind    string // "page", "first", "complete", "restart", "retain", "merge"
	cluster string
	ids     []string
}

func TestInventoryMergeAndExpiry(t *testing.T) {
	for _, tc := range []struct {
		name    string
		ops     []op
		want    string // the instances known, by id, with their clusters
		dropped string // what the last complete dropped
	}{
		{
			name: "a listing read over several pages keeps what it saw",
			ops: []op{
				{"first", "a", []string{"i-1", "i-2"}}, {"page", "a", []string{"i-3"}}, {"complete", "a", nil},
			},
			want: "[i-1@a i-2@a i-3@a]", dropped: "[]",
		},
		{
			name: "an instance the next full listing does not hold is forgotten; the others stay in between",
			ops: []op{
				{"first", "a", []string{"i-1", "i-2"}}, {"complete", "a", nil},
				{"first", "a", []string{"i-1"}}, // i-2 still known mid-listing
				{"page", "a", []string{"i-4"}}, {"complete", "a", nil},
			},
			want: "[i-1@a i-4@a]", dropped: "[i-2]",
		},
		{
			name: "a failed page restarts the listing: what it saw proves nothing",
			ops: []op{
				{"first", "a", []string{"i-1", "i-2"}}, {"complete", "a", nil},
				{"first", "a", []string{"i-1"}}, {"restart", "a", nil},
				{"first", "a", []string{"i-2"}}, {"complete", "a", nil},
			},
			want: "[i-2@a]", dropped: "[i-1]",
		},
		{
			name: "a read by ARN during a listing counts as seen by it",
			ops: []op{
				{"first", "a", []string{"i-1", "i-2"}}, {"complete", "a", nil},
				{"first", "a", []string{"i-1"}}, {"merge", "a", []string{"i-2"}}, {"complete", "a", nil},
			},
			want: "[i-1@a i-2@a]", dropped: "[]",
		},
		{
			name: "a listing ends only for its own cluster",
			ops: []op{
				{"first", "a", []string{"i-1"}}, {"first", "b", []string{"i-2"}}, {"complete", "a", nil},
			},
			want: "[i-1@a i-2@b]", dropped: "[]",
		},
		{
			name: "an instance seen in another cluster since is not dropped by its old cluster's listing",
			ops: []op{
				{"first", "a", []string{"i-1"}}, {"first", "b", []string{"i-1"}}, {"complete", "a", nil},
			},
			want: "[i-1@b]", dropped: "[]",
		},
		{
			name: "an empty cluster's listing forgets every instance of it",
			ops: []op{
				{"first", "a", []string{"i-1"}}, {"complete", "a", nil}, {"first", "a", nil}, {"complete", "a", nil},
			},
			want: "[]", dropped: "[i-1]",
		},
		{
			name: "clusters no longer served are forgotten",
			ops: []op{
				{"first", "a", []string{"i-1"}}, {"first", "b", []string{"i-2"}}, {"retain", "", []string{"b"}},
			},
			want: "[i-2@b]", dropped: "[]",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := newInventory()
			var dropped []string
			for _, o := range tc.ops {
				var cis []cloud.ContainerInstance
				for _, id := range o.ids {
					cis = append(cis, ci(id))
				}
				switch o.kind {
				case "first", "page":
					inv.listed(o.cluster, o.kind == "first", cis, t0)
				case "merge":
					inv.merge(o.cluster, cis, t0)
				case "complete":
					dropped = inv.complete(o.cluster)
				case "restart":
					inv.restart(o.cluster)
				case "retain":
					inv.retain(o.ids)
				}
			}
			var got []string
			for _, id := range slices.Sorted(maps.Keys(inv.byID)) {
				got = append(got, id+"@"+inv.byID[id].cluster)
			}
			slices.Sort(dropped)
			if fmt.Sprint(got) != tc.want || fmt.Sprint(dropped) != tc.dropped {
				t.Fatalf("known %v, last dropped %v; want %s and %s", got, dropped, tc.want, tc.dropped)
			}
		})
	}
}

func TestInventoryKeepsBusyAnswersOfTheSameContainerInstance(t *testing.T) {
	inv := newInventory()
	inv.listed("a", true, []cloud.ContainerInstance{ci("i-1"), ci("i-2")}, t0)
	inv.tell("i-1", true)
	inv.tell("i-2", false)
	later := t0.Add(time.Minute)
	again := ci("i-2")
	again.ARN = "arn:re-registered"
	gone := ci("i-1")
	gone.Status = cloud.ContainerInstanceInactive
	inv.listed("a", false, []cloud.ContainerInstance{again}, later)
	if k := inv.byID["i-1"]; !k.busy || !k.busyKnown || !k.readAt.Equal(t0) {
		t.Fatalf("i-1 not read again: %+v, want its answer and read time kept", k)
	}
	if k := inv.byID["i-2"]; k.busyKnown || !k.readAt.Equal(later) {
		t.Fatalf("i-2 registered again as another container instance: %+v, want no answer carried over", k)
	}
	inv.merge("a", []cloud.ContainerInstance{gone}, later)
	if _, ok := inv.byID["i-1"]; ok {
		t.Fatal("an instance read INACTIVE (deregistered) is still known")
	}
}
