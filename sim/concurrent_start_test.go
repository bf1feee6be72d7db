package sim

import (
	"context"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator/fault"
)

// TestTriggersArrivingTogetherMergeIntoOneDrain: a Spot warning and the
// lifecycle action it causes, handled at the same moment by two handler
// goroutines, make one drain with the Spot deadlines and the lifecycle
// action kept — not two starts overwriting each other. With latency on
// ECS the first start is still waiting on its calls, holding the drain,
// when the second arrives.
func TestTriggersArrivingTogetherMergeIntoOneDrain(t *testing.T) {
	for _, latency := range []time.Duration{0, 300 * time.Millisecond} {
		t.Run(latency.String(), func(t *testing.T) {
			h := story(t, 0)
			h.RunFor(5 * time.Minute)
			if latency > 0 {
				h.World.Do(func() {
					if err := h.World.Faults.Set(fault.Rule{Service: "ecs", Operation: "*", Latency: latency}); err != nil {
						t.Fatal(err)
					}
				})
			}
			id := pickInService(t, h)
			now := h.World.Now()
			triggers := []drain.Trigger{
				{Reason: drain.ReasonSpot, At: now},
				{Reason: drain.ReasonLifecycle, At: now, Group: "prod-asg", Hook: "drainer", Token: "token-1"},
			}
			var g clock.Group
			ctx := context.Background()
			for _, tr := range triggers {
				g.Go(ctx, h.World.Clock, func(ctx context.Context) {
					if err := h.Reconciler.Start(ctx, id, tr); err != nil {
						t.Error(err)
					}
				})
			}
			if err := h.Do(g.Wait); err != nil {
				t.Fatal(err)
			}
			if n := len(events(h, drain.EventStarted)); n != 1 {
				t.Fatalf("%d drain starts for one instance, want 1", n)
			}
			ds := h.Reconciler.Drains()
			if len(ds) != 1 {
				t.Fatalf("%d drains", len(ds))
			}
			rec := ds[0].Record
			if !rec.Deadline.Equal(now.Add(2*time.Minute)) || rec.Hook != "drainer" || rec.Token != "token-1" {
				t.Fatalf("merged record %+v: want the Spot deadline and the lifecycle action", rec)
			}
		})
	}
}
