package autoscaling

import (
	"strings"
	"testing"
	"time"
)

// Twenty instances launched together all expire together: at most 10 %
// of capacity (two) is on its way out at once, counting instances a hook
// still holds, and the rest wait their turn.
func TestMaximumInstanceLifetimeAtMostTenPercent(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 30, 20, func(in *CreateAutoScalingGroupInput) { in.MaxInstanceLifetime = i32(86400) })
	w.hook("web", "drain", TransitionTerminating, 7200, "CONTINUE")
	w.run(24*time.Hour + 10*time.Minute)
	held := w.inState("web", StateTerminatingWait)
	if len(held) != 2 {
		t.Fatalf("Terminating:Wait = %d, want 2 (10%% of 20): states %v", len(held), w.states("web"))
	}
	// The hook holds them: nothing more starts however long it takes.
	w.run(time.Hour)
	if got := w.inState("web", StateTerminatingWait); len(got) != 2 || len(w.fleet.terminated) != 0 {
		t.Fatalf("after an hour: waiting %v, terminated %v", got, w.fleet.terminated)
	}
	for _, id := range held {
		if err := w.complete("web", "drain", id, "CONTINUE"); err != nil {
			t.Fatal(err)
		}
	}
	w.run(2 * time.Minute)
	if got := w.inState("web", StateTerminatingWait); len(got) != 2 {
		t.Fatalf("next pair: waiting %v, want 2", got)
	}
}

func TestScaleInWithEveryInstanceProtectedIsRecorded(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 10, 3, func(in *CreateAutoScalingGroupInput) { in.NewInstancesProtectedFromScaleIn = bptr(true) })
	w.run(time.Minute)
	w.setDesired("web", 1)
	w.run(time.Minute)
	if len(w.inState("web", StateInService)) != 3 || w.desc("web").DesiredCapacity != 1 {
		t.Fatalf("states %v desired %d: a protected group keeps its instances and the lower desired", w.states("web"), w.desc("web").DesiredCapacity)
	}
	var found []Activity
	for _, a := range w.activities("web") {
		if a.Description == protectedScaleInText {
			found = append(found, a)
		}
	}
	if len(found) != 1 || !strings.Contains(found[0].Cause, "from 3 to 1") {
		t.Fatalf("activities %+v, want one %q", found, protectedScaleInText)
	}
	// Removing protection from one lets the scale in go on.
	id := w.inState("web", StateInService)[0]
	w.do(func() {
		_, _ = w.svc.SetInstanceProtection(SetInstanceProtectionInput{AutoScalingGroupName: "web", InstanceIds: []string{id}, ProtectedFromScaleIn: bptr(false)})
	})
	w.run(time.Second)
	if !w.wasTerminated(id) {
		t.Fatalf("unprotected %s not terminated; terminated %v", id, w.fleet.terminated)
	}
}

func TestInstanceRefreshRangeReplacesMinAndMaxTogether(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 20, 10)
	w.run(time.Minute)
	w.do(func() {
		_, err := w.svc.StartInstanceRefresh(StartInstanceRefreshInput{AutoScalingGroupName: "web",
			Preferences: &RefreshPreferences{MinHealthyPercentage: i32(80), MaxHealthyPercentage: i32(110), InstanceWarmup: i32(0)}})
		if err != nil {
			t.Error(err)
		}
	})
	w.run(time.Second)
	// 80 % of 10 stays in service: two terminate at once; 110 %: one more
	// launches before its old instance goes. Eleven at most, never below 8
	// InService.
	s := w.states("web")
	if len(w.fleet.terminated) != 2 || s[StateInService] != 8 || s[StatePending] != 3 {
		t.Fatalf("first batch: terminated %v, states %v", w.fleet.terminated, s)
	}
	minInService, maxRunning := 10, 0
	for i := 0; i < 60; i++ {
		w.run(10 * time.Second)
		s := w.states("web")
		minInService = min(minInService, s[StateInService])
		maxRunning = max(maxRunning, s[StateInService]+s[StatePending])
	}
	if minInService < 8 || maxRunning > 11 {
		t.Fatalf("InService fell to %d or running rose to %d: outside 80–110 %%", minInService, maxRunning)
	}
	w.run(time.Hour)
	if r := w.refreshes("web")[0]; r.Status != RefreshSuccessful || len(w.instances("web")) != 10 {
		t.Fatalf("refresh %s with %d instances", r.Status, len(w.instances("web")))
	}
}

func TestInstanceRefreshCheckpoints(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 20, 4)
	w.run(time.Minute)
	w.do(func() {
		_, err := w.svc.StartInstanceRefresh(StartInstanceRefreshInput{AutoScalingGroupName: "web",
			Preferences: &RefreshPreferences{MinHealthyPercentage: i32(50), InstanceWarmup: i32(0),
				CheckpointPercentages: []int32{25, 100}, CheckpointDelay: i32(600)}})
		if err != nil {
			t.Error(err)
		}
	})
	w.run(time.Second)
	// 50 % could replace two at once, but the first checkpoint is at 25 %.
	if len(w.fleet.terminated) != 1 {
		t.Fatalf("first batch terminated %v, want one (the 25%% checkpoint)", w.fleet.terminated)
	}
	w.run(5 * time.Minute)
	r := w.refreshes("web")[0]
	if len(w.fleet.terminated) != 1 || r.PercentageComplete != 25 || !strings.Contains(r.StatusReason, "checkpoint") {
		t.Fatalf("at the checkpoint: terminated %v, refresh %d%% %q", w.fleet.terminated, r.PercentageComplete, r.StatusReason)
	}
	w.run(10 * time.Minute)
	if len(w.fleet.terminated) < 3 {
		t.Fatalf("after the checkpoint delay: terminated %v", w.fleet.terminated)
	}
	w.run(time.Hour)
	if r := w.refreshes("web")[0]; r.Status != RefreshSuccessful || len(w.fleet.terminated) != 4 {
		t.Fatalf("refresh %s, terminated %v", r.Status, w.fleet.terminated)
	}
	var err error
	w.do(func() {
		_, err = w.svc.StartInstanceRefresh(StartInstanceRefreshInput{AutoScalingGroupName: "web",
			Preferences: &RefreshPreferences{CheckpointPercentages: []int32{50, 20}}})
	})
	if codeOf(err) != "ValidationError" {
		t.Fatalf("descending checkpoints = %v", err)
	}
}

func TestInstanceRefreshProtectedAndStandbyModes(t *testing.T) {
	for _, tc := range []struct {
		protected, standby string
		wantTerminated     int // of the 3 old instances
		wantStatus         string
	}{
		{"Ignore", "Ignore", 1, RefreshSuccessful},
		{"Refresh", "Terminate", 3, RefreshSuccessful},
		{"Ignore", "Wait", 1, RefreshFailed},
	} {
		t.Run(tc.protected+"/"+tc.standby, func(t *testing.T) {
			w := newWorld(t)
			w.group("web", 0, 10, 3)
			w.run(time.Minute)
			ids := append([]string(nil), w.fleet.ids...)
			w.do(func() {
				_, _ = w.svc.SetInstanceProtection(SetInstanceProtectionInput{AutoScalingGroupName: "web", InstanceIds: ids[:1], ProtectedFromScaleIn: bptr(true)})
				_, err := w.svc.EnterStandby(EnterStandbyInput{AutoScalingGroupName: "web", InstanceIds: ids[1:2], ShouldDecrementDesiredCapacity: bptr(true)})
				if err != nil {
					t.Error(err)
				}
			})
			if got := w.state("web", ids[1]); got != StateStandby {
				t.Fatalf("standby instance %s", got)
			}
			w.do(func() {
				_, err := w.svc.StartInstanceRefresh(StartInstanceRefreshInput{AutoScalingGroupName: "web",
					Preferences: &RefreshPreferences{MinHealthyPercentage: i32(0), InstanceWarmup: i32(0),
						ScaleInProtectedInstances: tc.protected, StandbyInstances: tc.standby}})
				if err != nil {
					t.Error(err)
				}
			})
			w.run(2 * time.Hour)
			n := 0
			for _, id := range ids {
				if w.wasTerminated(id) {
					n++
				}
			}
			if r := w.refreshes("web")[0]; r.Status != tc.wantStatus || n != tc.wantTerminated {
				t.Fatalf("refresh %s %q, %d old instances terminated; want %s, %d", r.Status, r.StatusReason, n, tc.wantStatus, tc.wantTerminated)
			}
		})
	}
}

func TestStandbyRoundTrip(t *testing.T) {
	w := newWorld(t)
	w.group("web", 1, 3, 2)
	w.run(time.Minute)
	id := w.fleet.ids[0]
	var err error
	w.do(func() {
		_, err = w.svc.EnterStandby(EnterStandbyInput{AutoScalingGroupName: "web", InstanceIds: []string{id}, ShouldDecrementDesiredCapacity: bptr(false)})
	})
	if err != nil {
		t.Fatal(err)
	}
	w.run(time.Minute)
	// Without decrement the group replaces the Standby instance.
	if w.state("web", id) != StateStandby || len(w.inState("web", StateInService)) != 2 || w.desc("web").DesiredCapacity != 2 {
		t.Fatalf("states %v desired %d", w.states("web"), w.desc("web").DesiredCapacity)
	}
	w.do(func() {
		_, err = w.svc.ExitStandby(ExitStandbyInput{AutoScalingGroupName: "web", InstanceIds: []string{id}})
	})
	if err != nil {
		t.Fatal(err)
	}
	if w.state("web", id) != StateInService || w.desc("web").DesiredCapacity != 3 {
		t.Fatalf("after ExitStandby: %s, desired %d", w.state("web", id), w.desc("web").DesiredCapacity)
	}
	w.do(func() {
		_, err = w.svc.ExitStandby(ExitStandbyInput{AutoScalingGroupName: "web", InstanceIds: []string{id}})
	})
	if codeOf(err) != "ValidationError" {
		t.Fatalf("ExitStandby of an InService instance = %v", err)
	}
}
