package sim

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/scenario"
	"github.com/drainer-dev/drainer/iampolicy"
)

// Every test of the package plays drainer in worlds (the cases of
// testdata/cases, the committed scenarios, the stories): TestMain records
// each API call drainer makes in each of them, and once they have all
// run, fails unless `drainer iam-policy --mode run` allows every one.

// drainerCalls are the calls drainer made in the worlds played so far,
// each once.
var drainerCalls = struct {
	sync.Mutex
	seen map[iampolicy.Call]bool
}{seen: map[iampolicy.Call]bool{}}

// recordCalls records the calls drainer makes in h's world from now on.
func recordCalls(h *Harness) {
	h.World.Do(func() {
		h.World.Calls.OnCall(func(c emulator.Call) {
			if c.Caller != Caller {
				return
			}
			drainerCalls.Lock()
			drainerCalls.seen[iampolicy.Call{Service: c.Service, Operation: c.Operation}] = true
			drainerCalls.Unlock()
		})
	})
}

// recordedCalls returns the calls recorded, sorted.
func recordedCalls() []iampolicy.Call {
	drainerCalls.Lock()
	defer drainerCalls.Unlock()
	out := make([]iampolicy.Call, 0, len(drainerCalls.seen))
	for c := range drainerCalls.seen {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b iampolicy.Call) int {
		return strings.Compare(a.Service+":"+a.Operation, b.Service+":"+b.Operation)
	})
	return out
}

func TestMain(m *testing.M) {
	attached = recordCalls
	code := m.Run()
	calls := recordedCalls()
	if missing := iampolicy.Uncovered(iampolicy.Run, calls); len(missing) > 0 {
		fmt.Printf("--- FAIL: IAM policy: drainer called %s in the worlds played, which the run policy (package iampolicy, `drainer iam-policy`) does not allow\n",
			strings.Join(missing, ", "))
		code = 1
	}
	if code == 0 && testing.Verbose() {
		fmt.Printf("IAM policy: the run policy allows each of the %d operations drainer called in the worlds played\n", len(calls))
	}
	os.Exit(code)
}

// TestDrainerCallsAreRecorded: a world played records drainer's calls,
// and only drainer's (not the scenario's own).
func TestDrainerCallsAreRecorded(t *testing.T) {
	sc, err := scenario.Load(filepath.Join("testdata", "cases", "04-second-hook-via-eventbridge.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(sc, Options{Queue: "drainer"})
	if err != nil {
		t.Fatal(err)
	}
	h.RunFor(sc.End() + time.Hour)
	var scenarioOps []iampolicy.Call
	h.World.Do(func() {
		for _, tot := range h.World.Calls.Totals() {
			if tot.Caller == scenario.Caller {
				scenarioOps = append(scenarioOps, iampolicy.Call{Service: tot.Service, Operation: tot.Operation})
			}
		}
	})
	calls := recordedCalls()
	for _, want := range []iampolicy.Call{
		{Service: "autoscaling", Operation: "CompleteLifecycleAction"},
		{Service: "ecs", Operation: "UpdateContainerInstancesState"},
		{Service: "sqs", Operation: "ReceiveMessage"},
	} {
		if !slices.Contains(calls, want) {
			t.Errorf("drainer's %v is not recorded: %v", want, calls)
		}
	}
	if len(scenarioOps) == 0 {
		t.Fatal("the scenario made no call of its own: nothing shows the record keeps to drainer's")
	}
	// The scenario creates the world's groups; drainer never does.
	created := iampolicy.Call{Service: "autoscaling", Operation: "CreateAutoScalingGroup"}
	if !slices.Contains(scenarioOps, created) || slices.Contains(calls, created) {
		t.Errorf("the scenario's calls %v, drainer's %v: want the scenario's CreateAutoScalingGroup, not recorded as drainer's", scenarioOps, calls)
	}
}
