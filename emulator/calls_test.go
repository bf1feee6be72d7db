package emulator_test

import (
	"testing"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/ecs"
)

// TestCallLogKeepsTheLastRequest checks that an observer sees the request
// of the call that just happened, refused or not, and nothing for a call
// made without one.
func TestCallLogKeepsTheLastRequest(t *testing.T) {
	w := emulator.New(emulator.Config{})
	var seen []any
	w.OnEvent(func() { seen = append(seen, w.Calls.LastInput()) })

	in := ecs.CreateClusterInput{ClusterName: "prod"}
	if _, err := emulator.Invoke(w, "drainer", w.ECS.CreateCluster, in); err != nil {
		t.Fatal(err)
	}
	done := autoscaling.CompleteLifecycleActionInput{AutoScalingGroupName: "g", LifecycleHookName: "other-team", InstanceId: "i-0123456789abcdef0", LifecycleActionResult: "CONTINUE"}
	if _, err := emulator.Invoke(w, "drainer", w.AutoScaling.CompleteLifecycleAction, done); err == nil {
		t.Fatal("completing an action of an unknown group succeeded")
	}
	if err := w.Call("test", "ecs", "Nothing", func() error { return nil }); err != nil {
		t.Fatal(err)
	}

	if len(seen) != 3 {
		t.Fatalf("observer ran %d times, want once per call (3)", len(seen))
	}
	if got, ok := seen[0].(ecs.CreateClusterInput); !ok || got.ClusterName != "prod" {
		t.Errorf("after CreateCluster LastInput = %#v", seen[0])
	}
	if got, ok := seen[1].(autoscaling.CompleteLifecycleActionInput); !ok || got != done {
		t.Errorf("after a refused CompleteLifecycleAction LastInput = %#v, want the request", seen[1])
	}
	if seen[2] != nil {
		t.Errorf("after a call without a request LastInput = %#v, want nil", seen[2])
	}
}
