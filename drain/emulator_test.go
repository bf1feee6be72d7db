package drain_test

import (
	"testing"
	"time"

	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/scenario"
	"github.com/drainer-dev/drainer/sim"
)

// newWorld builds the world of a scenario given in YAML.
func newWorld(t *testing.T, yaml string) *emulator.World {
	t.Helper()
	sc, err := scenario.ParseYAML([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	run, err := scenario.NewWorld(sc, emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return run.World
}

// newClient is drainer's AWS client of w, through the SDK and the
// emulator's wire protocols, on w's clock, with no rate limit, no
// coalescing (the tests call from their own goroutine, which no batch
// window could wait on) and retries a few milliseconds of virtual time
// apart.
func newClient(w *emulator.World) *cloudaws.Client {
	cfg, opts := sim.ClientOptions(w, "drainer", 1)
	fast := cloudaws.Limit{Rate: 1e9, Burst: 1 << 30}
	opts.Limits = cloudaws.Limits{ECS: fast, AutoScaling: fast, EC2: fast, SQS: fast, Events: fast}
	opts.BatchWindow = -1
	opts.MaxBackoff = 5 * time.Millisecond
	return cloudaws.NewFromConfig(cfg, opts)
}

// runDrains drives rec's drains on w's virtual time until they are over,
// looking at most looks times: a drain stuck retrying exhausts the bound
// and fails the test.
func runDrains(t *testing.T, w *emulator.World, rec *drain.Reconciler, looks int) {
	t.Helper()
	for range looks {
		rec.RunDue(t.Context())
		next, ok := rec.Next()
		if !ok {
			break
		}
		w.Clock.RunUntil(next)
	}
	if ds := rec.Drains(); len(ds) != 0 {
		t.Fatalf("drains still under way: %+v", ds)
	}
}
