package sim

import (
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/assembly"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator/scenario"
)

// ECS's managed termination protection on a group drainer drains: a
// capacity provider with managed termination protection and managed
// draining on (drainer drains the groups whose provider says so, beside
// ECS's own hook), web's two tasks on two of four instances, a scale-in
// to two. ECS protects the busy instances itself
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-termination-protection.html),
// so Auto Scaling can only pick the two that run just the daemon; drainer
// drains what it picks through its hook. With drainer's scans off the
// protection is ECS's alone; with them on both keep the same protection
// and the outcome is the same.
func TestECSProtectionKeepsBusyInstancesDrainerDrainsThePicked(t *testing.T) {
	for _, tc := range []struct {
		name  string
		scans bool
	}{{"ECS alone protects", false}, {"ECS and drainer's scan protect", true}} {
		t.Run(tc.name, func(t *testing.T) {
			sc, err := scenario.ParseYAML([]byte(strings.NewReplacer("MTP", "true", "MD", "true").Replace(matrix)))
			if err != nil {
				t.Fatal(err)
			}
			two := 2
			sc.Timeline = []scenario.Step{{At: at(10 * time.Minute), Action: scenario.ActionSetDesired, Group: "prod-asg", Count: &two}}
			s := assembly.DefaultSettings()
			if !tc.scans {
				s.ScanInterval = 0
			}
			h, err := New(sc, Options{Queue: "drainer", Settings: &s})
			if err != nil {
				t.Fatal(err)
			}
			start := h.World.Now()
			h.RunUntil(start.Add(9*time.Minute+30*time.Second), nil)
			busy := busyInstances(h)
			if len(busy) != 2 {
				t.Fatalf("busy instances before the scale-in: %v, want 2", busy)
			}
			for id, p := range groupProtection(h) {
				if p != busy[id] {
					t.Errorf("before the scale-in %s protected=%v, busy=%v: want protected exactly when busy", id, p, busy[id])
				}
			}
			drainerCalls := callsBy(h, "autoscaling", "SetInstanceProtection")
			if !tc.scans && drainerCalls != 0 {
				t.Fatalf("drainer's scans are off, yet drainer made %d SetInstanceProtection calls", drainerCalls)
			}

			h.RunUntil(start.Add(90*time.Minute), nil)
			checkClean(t, h)
			states := groupStates(h)
			for id := range busy {
				if states[id] != "InService" {
					t.Errorf("busy instance %s is %q after the scale-in, want kept InService by ECS's protection", id, states[id])
				}
			}
			if left := inServiceIDs(h); len(left) != 2 {
				t.Fatalf("group after the scale-in: %v, want 2 InService", states)
			}
			done := events(h, drain.EventCompleted)
			if len(done) != 2 {
				t.Fatalf("drains completed: %d, want the 2 instances the scale-in picked", len(done))
			}
			for _, ev := range done {
				if busy[ev.InstanceID] {
					t.Errorf("drained busy instance %s, want only the empty ones picked", ev.InstanceID)
				}
				if ev.Reason != drain.ReasonLifecycle || ev.Overdue {
					t.Errorf("drain %+v, want a lifecycle drain in time", ev)
				}
				if s, still := states[ev.InstanceID]; still {
					t.Errorf("drained %s is still in the group (%s), want gone", ev.InstanceID, s)
				}
			}
			if got := h.World.ECS.HealthyCount("prod", "web"); got != 2 {
				t.Errorf("web healthy at the end = %d, want 2", got)
			}
		})
	}
}
