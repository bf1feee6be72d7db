package property

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/drainer-dev/drainer/emulator/scenario"
	"github.com/drainer-dev/drainer/sim"
)

// minOwnedHeartbeat is the shortest heartbeat timeout of a hook drainer
// owns in a world it is expected to handle.
const minOwnedHeartbeat = time.Minute

// Reasonable reports why sc is not a world drainer is expected to handle,
// or nil. A valid scenario may still ask the impossible: a hook drainer
// owns that tells nobody, or that times out before its notice can arrive.
// In a reasonable world, for the groups of the clusters drainer serves:
//   - every termination hook drainer owns notifies drainer's queue
//     (Queue), directly or through an EventBridge rule routing Auto
//     Scaling's lifecycle events there, and has a heartbeat timeout of at
//     least a minute;
//   - messages to drainer's queue are delayed by at most a quarter of the
//     shortest such heartbeat timeout;
//
// and drainer runs its periodic scans (they sweep leftovers) and drains
// groups without a capacity provider (its default). Generate makes only
// reasonable worlds, and Shrink keeps them so.
func Reasonable(sc *scenario.Scenario) error {
	s, err := sim.Settings(sc)
	if err != nil {
		return err
	}
	var errs []error
	if s.ScanInterval <= 0 {
		errs = append(errs, errors.New("the periodic scans are off"))
	}
	if !s.DrainWithoutProvider {
		errs = append(errs, errors.New("groups without a capacity provider are not drained"))
	}
	viaRule := lifecycleRule(sc)
	shortest := time.Duration(0)
	for _, g := range sc.Groups {
		if len(s.Clusters) > 0 && !slices.Contains(s.Clusters, g.Cluster) {
			continue
		}
		for _, h := range g.Hooks {
			if h.Transition == "launching" || !slices.Contains(s.Hooks, h.Name) {
				continue
			}
			hb := h.HeartbeatTimeout.D()
			if hb == 0 {
				hb = time.Hour // AWS's default
			}
			if hb < minOwnedHeartbeat {
				errs = append(errs, fmt.Errorf("group %s: hook %s times out after %v, under %v", g.Name, h.Name, hb, minOwnedHeartbeat))
			}
			if h.Queue != Queue && !viaRule {
				errs = append(errs, fmt.Errorf("group %s: hook %s tells drainer nothing (no queue %s, no EventBridge rule for lifecycle actions)", g.Name, h.Name, Queue))
			}
			if shortest == 0 || hb < shortest {
				shortest = hb
			}
		}
	}
	if f := sc.Faults; f != nil && shortest > 0 {
		if qf, ok := f.Queues[Queue]; ok && qf.DelayRate > 0 && qf.MaxDelay.D() > shortest/4 {
			errs = append(errs, fmt.Errorf("messages to %s are delayed up to %v, over a quarter of a heartbeat timeout of %v", Queue, qf.MaxDelay.D(), shortest))
		}
	}
	return errors.Join(errs...)
}

// lifecycleRule reports whether an EventBridge rule routes Auto Scaling's
// termination lifecycle events to drainer's queue.
func lifecycleRule(sc *scenario.Scenario) bool {
	for _, r := range sc.Rules {
		if r.Queue != Queue {
			continue
		}
		var p struct {
			Source     []string `json:"source"`
			DetailType []string `json:"detail-type"`
		}
		if json.Unmarshal(r.Pattern, &p) == nil && slices.Contains(p.Source, "aws.autoscaling") &&
			slices.Contains(p.DetailType, "EC2 Instance-terminate Lifecycle Action") {
			return true
		}
	}
	return false
}
