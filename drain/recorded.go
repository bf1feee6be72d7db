package drain

import (
	"context"
	"fmt"

	"github.com/drainer-dev/drainer/cloud"
)

// recorded reads the drains recorded on cis, by container instance ARN,
// each held one with its group read back from Auto Scaling (one
// DescribeAutoScalingInstances call for them all; an instance in no group
// keeps an empty group: no lifecycle action is left to complete). Damaged
// records are logged and left out.
func (r *Reconciler) recorded(ctx context.Context, cis []cloud.ContainerInstance) (map[string]Record, error) {
	out := map[string]Record{}
	var lookup []string
	for _, ci := range cis {
		rec, err := ParseRecord(ci.Attributes)
		if err != nil {
			r.log.Warn("cannot resume a drain", "containerInstance", ci.ARN, "instance", ci.EC2InstanceID, "error", err)
			continue
		}
		out[ci.ARN] = rec
		if rec.Held() && rec.Group == "" {
			lookup = append(lookup, ci.EC2InstanceID)
		}
	}
	if len(lookup) == 0 {
		return out, nil
	}
	groups, err := r.groupsOf(ctx, lookup)
	if err != nil {
		return nil, err
	}
	for _, ci := range cis {
		if rec, ok := out[ci.ARN]; ok && rec.Held() && rec.Group == "" {
			rec.Group = groups[ci.EC2InstanceID]
			out[ci.ARN] = rec
		}
	}
	return out, nil
}

// withGroup returns rec with its group read back from Auto Scaling when a
// lifecycle action holds the instance and the group is not known (a
// record read from the container instance).
func (r *Reconciler) withGroup(ctx context.Context, instanceID string, rec Record) (Record, error) {
	if !rec.Held() || rec.Group != "" {
		return rec, nil
	}
	groups, err := r.groupsOf(ctx, []string{instanceID})
	if err != nil {
		return rec, err
	}
	rec.Group = groups[instanceID]
	return rec, nil
}

// groupsOf maps EC2 instance ids to their Auto Scaling group; instances in
// no group are left out.
func (r *Reconciler) groupsOf(ctx context.Context, instanceIDs []string) (map[string]string, error) {
	gis, err := r.cfg.Cloud.DescribeGroupInstances(ctx, instanceIDs)
	if err != nil {
		return nil, fmt.Errorf("read the Auto Scaling group of recorded drains: %w", err)
	}
	out := make(map[string]string, len(gis))
	for _, gi := range gis {
		out[gi.InstanceID] = gi.Group
	}
	return out, nil
}

// notRecorded tells that a drain could not be recorded because its
// container instance has no room left for custom attributes: a warning
// and an EventNotRecorded (counted by metrics, published to EventBridge);
// the drain goes on from memory.
// The caller holds d.mu.
func (r *Reconciler) notRecorded(d *drainState, err error) {
	r.log.Warn("drain not recorded: the container instance carries too many custom attributes; the drain runs from memory and will not survive a restart of drainer",
		"instance", d.instanceID, "cluster", d.cluster, "containerInstance", d.ciARN, "error", err)
	r.emit(Event{Type: EventNotRecorded, Time: r.cfg.Clock.Now(), InstanceID: d.instanceID, Cluster: d.cluster, Reason: d.record.Reason, Phase: d.phase,
		Detail: "the container instance carries the 10 custom attributes ECS allows: the drain runs from memory and will not survive a restart of drainer; delete some of its attributes to make room"})
}
