package autoscaling

import (
	"strings"
	"testing"
	"time"
)

func TestScaleInHeldInTerminatingWaitUntilComplete(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 6, 3)
	w.hook("web", "drain", TransitionTerminating, 300, "CONTINUE")
	w.run(time.Minute)
	if got := w.states("web")[StateInService]; got != 3 {
		t.Fatalf("InService = %d, want 3", got)
	}

	w.setDesired("web", 2)
	w.run(time.Second)
	held := w.inState("web", StateTerminatingWait)
	if len(held) != 1 {
		t.Fatalf("Terminating:Wait = %v, want one instance", held)
	}
	id := held[0]
	acts := w.actions(id)
	if len(acts) != 1 || acts[0].LifecycleHookName != "drain" || acts[0].Token == "" {
		t.Fatalf("actions = %+v", acts)
	}
	if !acts[0].Start.Equal(t0.Add(time.Minute)) {
		t.Fatalf("action started at %v, want at the scale-in %v", acts[0].Start, t0.Add(time.Minute))
	}
	if want := acts[0].Start.Add(300 * time.Second); !acts[0].HeartbeatExpiry.Equal(want) {
		t.Fatalf("heartbeat expiry %v, want %v", acts[0].HeartbeatExpiry, want)
	}
	if want := acts[0].Start.Add(30000 * time.Second); !acts[0].GlobalExpiry.Equal(want) {
		t.Fatalf("global expiry %v, want %v", acts[0].GlobalExpiry, want)
	}

	// Held for as long as the hook allows, and not terminated meanwhile.
	w.run(4 * time.Minute)
	if w.state("web", id) != StateTerminatingWait || w.wasTerminated(id) {
		t.Fatalf("instance left Terminating:Wait before the action completed (state %s)", w.state("web", id))
	}
	if len(w.inState("web", StateInService)) != 2 || len(w.fleet.ids) != 3 {
		t.Fatalf("scale-in launched a replacement or lost capacity: %v, launched %d", w.states("web"), len(w.fleet.ids))
	}
	// The activity waits mid lifecycle action.
	if a := w.activities("web")[0]; a.StatusCode != ActivityMidLifecycleAction || a.Description != "Terminating EC2 instance: "+id {
		t.Fatalf("newest activity = %+v", a)
	}

	if err := w.complete("web", "drain", id, "CONTINUE"); err != nil {
		t.Fatalf("CompleteLifecycleAction: %v", err)
	}
	if !w.wasTerminated(id) || w.state("web", id) != StateTerminatingProceed {
		t.Fatalf("after CONTINUE: terminated=%v state=%s", w.wasTerminated(id), w.state("web", id))
	}
	w.run(stopDelay)
	if w.state("web", id) != "absent" {
		t.Fatalf("instance still in the group after EC2 terminated it")
	}
	if _, ok := w.svc.GroupOf(id); ok {
		t.Fatal("GroupOf still knows the terminated instance")
	}
	a := w.activities("web")[0]
	if a.StatusCode != ActivitySuccessful || a.EndTime == nil || a.Progress != 100 {
		t.Fatalf("termination activity = %+v", a)
	}
	wantLog := []string{id + " InService→Terminating", id + " Terminating→Terminating:Wait",
		id + " Terminating:Wait→Terminating:Proceed", id + " Terminating:Proceed→Terminated"}
	var got []string
	for _, l := range w.log {
		if strings.HasPrefix(l, id) && !strings.Contains(l, "Pending") && !strings.HasSuffix(l, "→InService") {
			got = append(got, l)
		}
	}
	if strings.Join(got, ",") != strings.Join(wantLog, ",") {
		t.Fatalf("transitions = %v, want %v", got, wantLog)
	}
	// Completing again is the documented "already done" answer.
	err := w.complete("web", "drain", id, "CONTINUE")
	if codeOf(err) != "ValidationError" || !strings.Contains(err.Error(), "No active Lifecycle Action found with instance ID "+id) {
		t.Fatalf("second complete = %v", err)
	}
}

func TestHeartbeatsExtendTheHook(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 3, 1)
	w.hook("web", "drain", TransitionTerminating, 60, "ABANDON")
	w.run(time.Minute)
	w.setDesired("web", 0)
	w.run(time.Second)
	id := w.inState("web", StateTerminatingWait)[0]

	// Heartbeat every 50 s for 10 minutes: the 60 s timeout never fires.
	for i := 0; i < 12; i++ {
		w.run(50 * time.Second)
		if err := w.heartbeat("web", "drain", id); err != nil {
			t.Fatalf("heartbeat %d: %v", i, err)
		}
		if got := w.actions(id)[0].HeartbeatExpiry; !got.Equal(w.clock.Now().Add(60 * time.Second)) {
			t.Fatalf("heartbeat expiry %v not restarted from now %v", got, w.clock.Now())
		}
	}
	if w.state("web", id) != StateTerminatingWait {
		t.Fatalf("state %s after heartbeats, want Terminating:Wait", w.state("web", id))
	}
	// Stop heartbeating: the default result applies 60 s after the last one.
	w.run(59 * time.Second)
	if w.wasTerminated(id) {
		t.Fatal("terminated before the heartbeat timeout")
	}
	w.run(time.Second)
	if !w.wasTerminated(id) {
		t.Fatal("not terminated at the heartbeat timeout")
	}
}

func TestDefaultResultAppliedOnHeartbeatTimeout(t *testing.T) {
	for _, tc := range []struct {
		transition, result string
		wantState          string // state of the first instance once its hook times out
	}{
		{TransitionTerminating, "CONTINUE", StateTerminatingProceed},
		{TransitionTerminating, "ABANDON", StateTerminatingProceed},
		{TransitionLaunching, "CONTINUE", StateInService},
		{TransitionLaunching, "ABANDON", StateTerminatingProceed},
	} {
		t.Run(tc.transition+"/"+tc.result, func(t *testing.T) {
			w := newWorld(t)
			desired := int32(1)
			if tc.transition == TransitionLaunching {
				desired = 0
			}
			w.group("web", 0, 3, desired)
			w.hook("web", "h", tc.transition, 120, tc.result)
			w.run(time.Minute)
			if tc.transition == TransitionTerminating {
				w.setDesired("web", 0)
			} else {
				w.setDesired("web", 1)
			}
			w.run(bootDelay + time.Second)
			wait := StateTerminatingWait
			if tc.transition == TransitionLaunching {
				wait = StatePendingWait
			}
			ids := w.inState("web", wait)
			if len(ids) != 1 {
				t.Fatalf("%s = %v (states %v)", wait, ids, w.states("web"))
			}
			id := ids[0]
			w.clock.RunUntil(w.actions(id)[0].Start.Add(119 * time.Second))
			if w.state("web", id) != wait {
				t.Fatalf("left %s before the timeout", wait)
			}
			w.run(time.Second)
			if got := w.state("web", id); got != tc.wantState {
				t.Fatalf("after timeout state = %s, want %s", got, tc.wantState)
			}
			if len(w.actions(id)) != 0 {
				t.Fatal("actions left after the default result")
			}
			if tc.transition == TransitionLaunching && tc.result == "ABANDON" {
				// The abandoned launch is replaced and its activity failed.
				w.run(time.Second)
				if len(w.fleet.ids) != 2 {
					t.Fatalf("launched %d instances, want a replacement", len(w.fleet.ids))
				}
				var failed bool
				for _, a := range w.activities("web") {
					if a.StatusCode == ActivityFailed && strings.Contains(a.StatusMessage, "ABANDON") {
						failed = true
					}
				}
				if !failed {
					t.Fatal("no failed launch activity for the abandoned launch")
				}
			}
		})
	}
}

func TestGlobalTimeoutReachedDespiteHeartbeats(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 3, 1)
	w.hook("web", "drain", TransitionTerminating, 30, "CONTINUE") // global timeout 3000 s
	var hooks *DescribeLifecycleHooksOutput
	w.do(func() {
		hooks, _ = w.svc.DescribeLifecycleHooks(DescribeLifecycleHooksInput{AutoScalingGroupName: "web"})
	})
	if h := hooks.LifecycleHooks[0]; h.GlobalTimeout != 3000 || h.HeartbeatTimeout != 30 || h.DefaultResult != "CONTINUE" {
		t.Fatalf("hook = %+v", h)
	}
	w.run(time.Minute)
	w.setDesired("web", 0)
	w.run(time.Second)
	id := w.inState("web", StateTerminatingWait)[0]
	start := w.actions(id)[0].Start
	for w.clock.Now().Add(20 * time.Second).Before(start.Add(3000 * time.Second)) {
		w.run(20 * time.Second)
		if err := w.heartbeat("web", "drain", id); err != nil {
			t.Fatalf("heartbeat at +%v: %v", w.clock.Now().Sub(start), err)
		}
	}
	// The heartbeat could not push the expiry past the global timeout.
	if got := w.actions(id)[0].HeartbeatExpiry; !got.Equal(start.Add(3000 * time.Second)) {
		t.Fatalf("heartbeat expiry = +%v, want capped at +3000s", got.Sub(start))
	}
	w.run(start.Add(3000 * time.Second).Sub(w.clock.Now()))
	if !w.wasTerminated(id) {
		t.Fatalf("still %s at the global timeout", w.state("web", id))
	}
	if err := w.heartbeat("web", "drain", id); codeOf(err) != "ValidationError" {
		t.Fatalf("heartbeat after the global timeout = %v", err)
	}
}

func TestTwoHooksContinueThenAbandon(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 3, 1)
	w.hook("web", "drain", TransitionTerminating, 600, "CONTINUE")
	w.hook("web", "logs", TransitionTerminating, 600, "CONTINUE")
	w.hook("web", "audit", TransitionTerminating, 600, "CONTINUE")
	w.run(time.Minute)
	w.setDesired("web", 0)
	w.run(time.Second)
	id := w.inState("web", StateTerminatingWait)[0]
	if n := len(w.actions(id)); n != 3 {
		t.Fatalf("%d actions, want one per hook", n)
	}
	// CONTINUE from one hook leaves the instance waiting for the others.
	if err := w.complete("web", "drain", id, "CONTINUE"); err != nil {
		t.Fatal(err)
	}
	if w.state("web", id) != StateTerminatingWait || len(w.actions(id)) != 2 {
		t.Fatalf("after one CONTINUE: state %s, %d actions", w.state("web", id), len(w.actions(id)))
	}
	// ABANDON from another ends the wait at once: the third hook is skipped.
	if err := w.complete("web", "logs", id, "ABANDON"); err != nil {
		t.Fatal(err)
	}
	if !w.wasTerminated(id) || len(w.actions(id)) != 0 {
		t.Fatalf("after ABANDON: terminated=%v actions=%d", w.wasTerminated(id), len(w.actions(id)))
	}
	if err := w.complete("web", "audit", id, "CONTINUE"); codeOf(err) != "ValidationError" {
		t.Fatalf("completing the skipped hook = %v, want ValidationError", err)
	}
}

func TestCompleteByToken(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 3, 1)
	w.hook("web", "drain", TransitionTerminating, 600, "ABANDON")
	w.run(time.Minute)
	w.setDesired("web", 0)
	w.run(time.Second)
	id := w.inState("web", StateTerminatingWait)[0]
	token := w.actions(id)[0].Token
	complete := func(group, hook, tok string) error {
		var err error
		w.do(func() {
			_, err = w.svc.CompleteLifecycleAction(CompleteLifecycleActionInput{AutoScalingGroupName: group,
				LifecycleHookName: hook, LifecycleActionToken: tok, LifecycleActionResult: "CONTINUE"})
		})
		return err
	}
	for _, tc := range []struct{ group, hook, token string }{
		{"web", "other", token}, {"other", "drain", token}, {"web", "drain", "00000000-0000-4000-8000-000000000000"},
	} {
		err := complete(tc.group, tc.hook, tc.token)
		if codeOf(err) != "ValidationError" || !strings.Contains(err.Error(), "No active Lifecycle Action found with token "+tc.token) {
			t.Fatalf("complete(%v) = %v", tc, err)
		}
	}
	if err := complete("web", "drain", token); err != nil {
		t.Fatal(err)
	}
	if !w.wasTerminated(id) {
		t.Fatal("not terminated after completing by token")
	}
}

func TestLaunchHookHoldsPendingWait(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 3, 0)
	w.hook("web", "boot", TransitionLaunching, 600, "ABANDON")
	w.setDesired("web", 2)
	w.run(bootDelay + time.Second)
	ids := w.inState("web", StatePendingWait)
	if len(ids) != 2 {
		t.Fatalf("Pending:Wait = %v", ids)
	}
	if err := w.complete("web", "boot", ids[0], "CONTINUE"); err != nil {
		t.Fatal(err)
	}
	if w.state("web", ids[0]) != StateInService {
		t.Fatalf("state %s after CONTINUE, want InService", w.state("web", ids[0]))
	}
	if !strings.Contains(strings.Join(w.log, ","), ids[0]+" Pending:Wait→Pending:Proceed,"+ids[0]+" Pending:Proceed→InService") {
		t.Fatalf("launch transitions missing: %v", w.log)
	}
	// ABANDON terminates the instance, and a replacement launches.
	if err := w.complete("web", "boot", ids[1], "ABANDON"); err != nil {
		t.Fatal(err)
	}
	if !w.wasTerminated(ids[1]) {
		t.Fatal("abandoned launch not terminated")
	}
	w.run(time.Second)
	if len(w.fleet.ids) != 3 {
		t.Fatalf("launched %d, want a replacement for the abandoned instance", len(w.fleet.ids))
	}
}

func TestTerminatingHookNotUsedOnLaunchAndViceVersa(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 3, 1)
	w.hook("web", "boot", TransitionLaunching, 600, "CONTINUE")
	w.run(bootDelay)
	id := w.inState("web", StatePendingWait)[0]
	for _, a := range w.actions(id) {
		if a.LifecycleTransition != TransitionLaunching {
			t.Fatalf("action of transition %s on launch", a.LifecycleTransition)
		}
	}
	if err := w.complete("web", "boot", id, "CONTINUE"); err != nil {
		t.Fatal(err)
	}
	w.setDesired("web", 0)
	w.run(time.Second)
	if !w.wasTerminated(id) {
		t.Fatal("a launch hook held a terminating instance")
	}
}
