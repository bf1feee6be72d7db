package sim

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/drain"
)

// TestTriggersArrivingTogetherMergeIntoOneDrain: a Spot warning and the
// lifecycle action it causes, handled at the same moment by two handler
// goroutines, make one drain with the Spot deadlines and the lifecycle
// action kept — not two starts overwriting each other.
func TestTriggersArrivingTogetherMergeIntoOneDrain(t *testing.T) {
	for round := range 20 {
		h := story(t, 0)
		h.RunFor(5 * time.Minute)
		id := pickInService(t, h)
		now := h.World.Now()
		triggers := []drain.Trigger{
			{Reason: drain.ReasonSpot, At: now},
			{Reason: drain.ReasonLifecycle, At: now, Group: "prod-asg", Hook: "drainer", Token: "token-1"},
		}
		var wg sync.WaitGroup
		for _, tr := range triggers {
			wg.Go(func() {
				if err := h.Reconciler.Start(context.Background(), id, tr); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n := len(events(h, drain.EventStarted)); n != 1 {
			t.Fatalf("round %d: %d drain starts for one instance, want 1", round, n)
		}
		ds := h.Reconciler.Drains()
		if len(ds) != 1 {
			t.Fatalf("round %d: %d drains", round, len(ds))
		}
		rec := ds[0].Record
		if !rec.Deadline.Equal(now.Add(2*time.Minute)) || rec.Hook != "drainer" || rec.Token != "token-1" {
			t.Fatalf("round %d: merged record %+v: want the Spot deadline and the lifecycle action", round, rec)
		}
	}
}
