package scan

import (
	"time"

	"github.com/drainer-dev/drainer/cloud"
)

// known is what the scanner knows of one container instance: its record
// as last read, in which cluster and when, and whether a non-daemon task
// ran on it as last told (busyKnown false: never told).
type known struct {
	cluster   string
	ci        cloud.ContainerInstance
	readAt    time.Time
	busy      bool
	busyKnown bool
}

// inventory is what the scanner knows of the served clusters' container
// instances, by EC2 instance id, built page by page across passes: an
// instance stays in it from its last read until a listing of its cluster
// from the first page to the last no longer holds it (deregistered).
type inventory struct {
	byID map[string]known
	// seen holds, per cluster whose listing is under way, the instances
	// read since the listing's first page.
	seen map[string]map[string]bool
}

func newInventory() inventory {
	return inventory{byID: map[string]known{}, seen: map[string]map[string]bool{}}
}

// merge records container instances of cluster read at at, by a page of
// its listing or afresh by ARN: each replaces what was known of its EC2
// instance, keeping the last busy answer while it is the same container
// instance (same ARN); an INACTIVE one (deregistered) is forgotten. Each
// counts as seen by the cluster's listing under way, if any.
func (v *inventory) merge(cluster string, cis []cloud.ContainerInstance, at time.Time) {
	for _, ci := range cis {
		id := ci.EC2InstanceID
		if id == "" {
			continue
		}
		if ci.Status == cloud.ContainerInstanceInactive {
			delete(v.byID, id)
			continue
		}
		k := known{cluster: cluster, ci: ci, readAt: at}
		if prev, ok := v.byID[id]; ok && prev.ci.ARN == ci.ARN {
			k.busy, k.busyKnown = prev.busy, prev.busyKnown
		}
		v.byID[id] = k
		if s := v.seen[cluster]; s != nil {
			s[id] = true
		}
	}
}

// listed records a page of cluster's listing: first says it is the
// listing's first page, which starts the listing anew.
func (v *inventory) listed(cluster string, first bool, page []cloud.ContainerInstance, at time.Time) {
	if first || v.seen[cluster] == nil {
		v.seen[cluster] = map[string]bool{}
	}
	v.merge(cluster, page, at)
}

// complete ends cluster's listing, its last page read: the instances of
// cluster it did not see are forgotten (deregistered since, or listed
// elsewhere), and returned.
func (v *inventory) complete(cluster string) (dropped []string) {
	seen := v.seen[cluster]
	for id, k := range v.byID {
		if k.cluster == cluster && !seen[id] {
			delete(v.byID, id)
			dropped = append(dropped, id)
		}
	}
	delete(v.seen, cluster)
	return dropped
}

// restart forgets what cluster's listing under way saw: a page failed, and
// the listing starts again from its first page.
func (v *inventory) restart(cluster string) { delete(v.seen, cluster) }

// retain forgets the instances and listings of the clusters not in
// clusters (no longer served, or gone).
func (v *inventory) retain(clusters []string) {
	keep := make(map[string]bool, len(clusters))
	for _, cl := range clusters {
		keep[cl] = true
	}
	for id, k := range v.byID {
		if !keep[k.cluster] {
			delete(v.byID, id)
		}
	}
	for cl := range v.seen {
		if !keep[cl] {
			delete(v.seen, cl)
		}
	}
}

// forget drops an instance found deregistered.
func (v *inventory) forget(id string) { delete(v.byID, id) }

// tell records whether a non-daemon task runs on id, as told now.
func (v *inventory) tell(id string, busy bool) {
	if k, ok := v.byID[id]; ok {
		k.busy, k.busyKnown = busy, true
		v.byID[id] = k
	}
}
