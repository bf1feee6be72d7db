package autoscaling

import (
	"strings"
	"testing"
	"time"
)

func (w *world) refreshes(name string) []InstanceRefresh {
	var out *DescribeInstanceRefreshesOutput
	w.do(func() {
		out, _ = w.svc.DescribeInstanceRefreshes(DescribeInstanceRefreshesInput{AutoScalingGroupName: name})
	})
	return out.InstanceRefreshes
}

func TestInstanceRefreshInBatchesWaitingOnHooks(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 10, 4, func(in *CreateAutoScalingGroupInput) { in.DefaultInstanceWarmup = i32(60) })
	w.hook("web", "drain", TransitionTerminating, 600, "ABANDON")
	w.run(time.Minute)
	old := map[string]bool{}
	for _, id := range w.fleet.ids {
		old[id] = true
	}
	var out *StartInstanceRefreshOutput
	var err error
	w.do(func() {
		out, err = w.svc.StartInstanceRefresh(StartInstanceRefreshInput{AutoScalingGroupName: "web",
			DesiredConfiguration: &DesiredConfiguration{LaunchTemplate: &LaunchTemplateSpecification{LaunchTemplateName: "ecs", Version: "2"}},
			Preferences:          &RefreshPreferences{MinHealthyPercentage: i32(75)}})
	})
	if err != nil || !uuidRE.MatchString(out.InstanceRefreshId) {
		t.Fatalf("StartInstanceRefresh = %v, %v", out, err)
	}
	w.do(func() {
		_, err = w.svc.StartInstanceRefresh(StartInstanceRefreshInput{AutoScalingGroupName: "web"})
	})
	if codeOf(err) != "InstanceRefreshInProgress" {
		t.Fatalf("second refresh = %v", err)
	}

	// 75% of 4 must stay healthy: one instance at a time, each held by the hook.
	for batch := 1; batch <= 4; batch++ {
		w.run(time.Second)
		held := w.inState("web", StateTerminatingWait)
		if len(held) != 1 || !old[held[0]] {
			t.Fatalf("batch %d: Terminating:Wait = %v (states %v)", batch, held, w.states("web"))
		}
		r := w.refreshes("web")[0]
		if r.Status != RefreshInProgress || r.PercentageComplete != int32((batch-1)*25) || r.InstancesToUpdate != int32(5-batch) {
			t.Fatalf("batch %d: refresh = %s %d%% to update %d", batch, r.Status, r.PercentageComplete, r.InstancesToUpdate)
		}
		// The batch waits as long as the hook holds the instance.
		w.run(5 * time.Minute)
		if got := w.inState("web", StateTerminatingWait); len(got) != 1 || got[0] != held[0] {
			t.Fatalf("batch %d moved on while the hook held %s: %v", batch, held[0], got)
		}
		if err := w.complete("web", "drain", held[0], "CONTINUE"); err != nil {
			t.Fatal(err)
		}
		// The next batch waits for the old instance to be terminated.
		w.run(stopDelay - time.Second)
		if len(w.inState("web", StateTerminatingWait)) != 0 {
			t.Fatalf("batch %d: next batch started before the old instance terminated", batch)
		}
		w.run(time.Second)
		if w.state("web", held[0]) != "absent" {
			t.Fatalf("batch %d: old instance still present", batch)
		}
	}
	w.run(time.Second)
	r := w.refreshes("web")[0]
	if r.Status != RefreshSuccessful || r.PercentageComplete != 100 || r.InstancesToUpdate != 0 || r.EndTime == nil {
		t.Fatalf("refresh = %+v", r)
	}
	for _, in := range w.instances("web") {
		if old[in.InstanceId] || in.LaunchTemplate.Version != "1" {
			// the fake fleet resolves every version to "1"
			t.Fatalf("instance %+v survived the refresh", in)
		}
	}
	if lt := w.desc("web").LaunchTemplate; lt.Version != "2" {
		t.Fatalf("group template after refresh = %+v, want version 2", lt)
	}
	for _, req := range w.fleet.launched[4:] {
		if req.Version != "2" {
			t.Fatalf("replacement launched from version %s", req.Version)
		}
	}
	if len(w.instances("web")) != 4 {
		t.Fatalf("%d instances after refresh, want 4", len(w.instances("web")))
	}
	var refreshCause bool
	for _, a := range w.activities("web") {
		refreshCause = refreshCause || strings.Contains(a.Cause, "in response to an instance refresh")
	}
	if !refreshCause {
		t.Fatal("no activity caused by the instance refresh")
	}
}

func TestInstanceRefreshWaitsForWarmup(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 10, 2)
	w.run(time.Minute)
	w.do(func() {
		_, err := w.svc.StartInstanceRefresh(StartInstanceRefreshInput{AutoScalingGroupName: "web",
			Preferences: &RefreshPreferences{MinHealthyPercentage: i32(50), InstanceWarmup: i32(300)}})
		if err != nil {
			t.Error(err)
		}
	})
	w.run(time.Second)
	if len(w.fleet.terminated) != 1 {
		t.Fatalf("first batch terminated %v, want one instance", w.fleet.terminated)
	}
	// The replacement is InService at +41 s and warmed up at +341 s.
	w.run(5 * time.Minute)
	if len(w.fleet.terminated) != 1 {
		t.Fatalf("second batch started during the warm-up: %v", w.fleet.terminated)
	}
	w.run(time.Minute)
	if len(w.fleet.terminated) != 2 {
		t.Fatalf("second batch did not start after the warm-up: %v", w.fleet.terminated)
	}
	w.run(10 * time.Minute)
	if r := w.refreshes("web")[0]; r.Status != RefreshSuccessful {
		t.Fatalf("refresh %s", r.Status)
	}
}

func TestInstanceRefreshLaunchBeforeTerminate(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 10, 2)
	w.run(time.Minute)
	w.do(func() {
		_, err := w.svc.StartInstanceRefresh(StartInstanceRefreshInput{AutoScalingGroupName: "web",
			Preferences: &RefreshPreferences{MinHealthyPercentage: i32(100), MaxHealthyPercentage: i32(150), InstanceWarmup: i32(0)}})
		if err != nil {
			t.Error(err)
		}
	})
	w.run(time.Second)
	// One new instance launches while both old ones stay InService.
	if s := w.states("web"); s[StateInService] != 2 || s[StatePending] != 1 || len(w.fleet.terminated) != 0 {
		t.Fatalf("states %v, terminated %v", s, w.fleet.terminated)
	}
	w.run(10 * time.Minute)
	r := w.refreshes("web")[0]
	if r.Status != RefreshSuccessful || len(w.fleet.terminated) != 2 || len(w.instances("web")) != 2 {
		t.Fatalf("refresh %s, terminated %v, %d instances", r.Status, w.fleet.terminated, len(w.instances("web")))
	}
}

func TestInstanceRefreshCancelAndSkipMatching(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 10, 3)
	w.hook("web", "drain", TransitionTerminating, 600, "CONTINUE")
	w.run(time.Minute)
	var err error
	w.do(func() { _, err = w.svc.CancelInstanceRefresh(CancelInstanceRefreshInput{AutoScalingGroupName: "web"}) })
	if codeOf(err) != "ActiveInstanceRefreshNotFound" {
		t.Fatalf("cancel without refresh = %v", err)
	}
	w.do(func() { _, err = w.svc.StartInstanceRefresh(StartInstanceRefreshInput{AutoScalingGroupName: "web"}) })
	if err != nil {
		t.Fatal(err)
	}
	w.run(time.Second)
	held := w.inState("web", StateTerminatingWait)
	if len(held) != 1 {
		t.Fatalf("held %v", held)
	}
	w.do(func() { _, err = w.svc.CancelInstanceRefresh(CancelInstanceRefreshInput{AutoScalingGroupName: "web"}) })
	if err != nil {
		t.Fatal(err)
	}
	if r := w.refreshes("web")[0]; r.Status != RefreshCancelling {
		t.Fatalf("status %s, want Cancelling while the batch finishes", r.Status)
	}
	_ = w.complete("web", "drain", held[0], "CONTINUE")
	w.run(time.Hour)
	if r := w.refreshes("web")[0]; r.Status != RefreshCancelled || len(w.fleet.terminated) != 1 {
		t.Fatalf("status %s, terminated %v", r.Status, w.fleet.terminated)
	}

	// SkipMatching: every instance already runs the desired template.
	w.do(func() {
		_, err = w.svc.StartInstanceRefresh(StartInstanceRefreshInput{AutoScalingGroupName: "web",
			DesiredConfiguration: &DesiredConfiguration{LaunchTemplate: &LaunchTemplateSpecification{LaunchTemplateName: "ecs", Version: "1"}},
			Preferences:          &RefreshPreferences{SkipMatching: bptr(true)}})
	})
	if err != nil {
		t.Fatal(err)
	}
	w.run(time.Second)
	if r := w.refreshes("web")[0]; r.Status != RefreshSuccessful || len(w.fleet.terminated) != 1 {
		t.Fatalf("skip-matching refresh %s, terminated %v", r.Status, w.fleet.terminated)
	}
}

func TestInstanceRefreshWaitsForProtectedThenFails(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 10, 1, func(in *CreateAutoScalingGroupInput) { in.NewInstancesProtectedFromScaleIn = bptr(true) })
	w.run(time.Minute)
	w.do(func() { _, _ = w.svc.StartInstanceRefresh(StartInstanceRefreshInput{AutoScalingGroupName: "web"}) })
	w.run(59 * time.Minute)
	if r := w.refreshes("web")[0]; r.Status != RefreshInProgress || len(w.fleet.terminated) != 0 {
		t.Fatalf("refresh %s terminated %v while waiting for protection", r.Status, w.fleet.terminated)
	}
	w.run(2 * time.Minute)
	if r := w.refreshes("web")[0]; r.Status != RefreshFailed || !strings.Contains(r.StatusReason, "protected") {
		t.Fatalf("refresh = %s %q, want Failed after an hour", r.Status, r.StatusReason)
	}
}

func TestMaximumInstanceLifetime(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 10, 3, func(in *CreateAutoScalingGroupInput) { in.MaxInstanceLifetime = i32(86400) })
	w.run(time.Minute)
	ids := w.fleet.ids
	w.do(func() {
		_, _ = w.svc.SetInstanceProtection(SetInstanceProtectionInput{AutoScalingGroupName: "web", InstanceIds: []string{ids[0]}, ProtectedFromScaleIn: bptr(true)})
	})
	w.run(24*time.Hour - 2*time.Minute)
	if len(w.fleet.terminated) != 0 {
		t.Fatalf("replaced before the lifetime: %v", w.fleet.terminated)
	}
	w.run(time.Hour)
	// The two unprotected instances are replaced (one at a time); the
	// protected one is kept past its lifetime.
	if len(w.fleet.terminated) != 2 || w.wasTerminated(ids[0]) {
		t.Fatalf("terminated %v, want %v and %v", w.fleet.terminated, ids[1], ids[2])
	}
	if w.state("web", ids[0]) != StateInService || len(w.inState("web", StateInService)) != 3 {
		t.Fatalf("states %v", w.states("web"))
	}
	var cause bool
	for _, a := range w.activities("web") {
		cause = cause || strings.Contains(a.Cause, "maximum instance lifetime")
	}
	if !cause {
		t.Fatal("no activity caused by the maximum instance lifetime")
	}
}

func TestMaximumInstanceLifetimeOneAtATime(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 10, 3, func(in *CreateAutoScalingGroupInput) { in.MaxInstanceLifetime = i32(86400) })
	w.hook("web", "drain", TransitionTerminating, 7200, "CONTINUE")
	w.run(24*time.Hour + 5*time.Minute)
	if held := w.inState("web", StateTerminatingWait); len(held) != 1 {
		t.Fatalf("Terminating:Wait = %v, want one at a time to keep 90%% in service", held)
	}
}

func TestHealthReplacement(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 10, 2, func(in *CreateAutoScalingGroupInput) { in.HealthCheckGracePeriod = i32(300) })
	w.hook("web", "drain", TransitionTerminating, 600, "CONTINUE")
	w.run(time.Minute)
	ids := w.fleet.ids
	setHealth := func(id string, respect bool) error {
		var err error
		w.do(func() {
			_, err = w.svc.SetInstanceHealth(SetInstanceHealthInput{InstanceId: id, HealthStatus: "Unhealthy", ShouldRespectGracePeriod: bptr(respect)})
		})
		return err
	}
	// Inside the grace period the report is ignored.
	if err := setHealth(ids[0], true); err != nil {
		t.Fatal(err)
	}
	w.run(time.Second)
	if w.state("web", ids[0]) != StateInService {
		t.Fatal("health report inside the grace period acted on")
	}
	if err := setHealth(ids[0], false); err != nil {
		t.Fatal(err)
	}
	w.run(time.Second)
	if w.state("web", ids[0]) != StateTerminatingWait || len(w.fleet.ids) != 3 {
		t.Fatalf("unhealthy instance %s, launched %d", w.state("web", ids[0]), len(w.fleet.ids))
	}
	for _, in := range w.instances("web") {
		if in.InstanceId == ids[0] && in.HealthStatus != "Unhealthy" {
			t.Fatal("HealthStatus not Unhealthy")
		}
	}
	if a := w.activities("web")[1]; !strings.Contains(a.Cause, "in response to a user health-check") {
		t.Fatalf("cause = %q", a.Cause)
	}

	// EC2 terminating an instance behind Auto Scaling's back is a health
	// check failure: it is replaced.
	w.fleet.kill(ids[1])
	w.run(time.Second)
	if w.state("web", ids[1]) != "absent" || len(w.fleet.ids) != 4 {
		t.Fatalf("killed instance %s, launched %d", w.state("web", ids[1]), len(w.fleet.ids))
	}
	var ec2Cause bool
	for _, a := range w.activities("web") {
		ec2Cause = ec2Cause || strings.Contains(a.Cause, "an EC2 health check indicating it has been terminated or stopped")
	}
	if !ec2Cause {
		t.Fatal("no EC2 health check cause")
	}
}

func TestCapacityRebalance(t *testing.T) {
	w := newWorld(t)
	w.group("spot", 0, 10, 2, func(in *CreateAutoScalingGroupInput) {
		in.CapacityRebalance = bptr(true)
		in.LaunchTemplate = nil
		in.MixedInstancesPolicy = &MixedInstancesPolicy{
			LaunchTemplate:        &LaunchTemplate{LaunchTemplateSpecification: &LaunchTemplateSpecification{LaunchTemplateName: "ecs"}},
			InstancesDistribution: &InstancesDistribution{OnDemandPercentageAboveBaseCapacity: i32(0)},
		}
	})
	w.hook("spot", "drain", TransitionTerminating, 600, "CONTINUE")
	w.run(time.Minute)
	atRisk := w.fleet.ids[0]
	if !w.fleet.spot[atRisk] {
		t.Fatal("instance not launched as Spot")
	}
	w.do(func() { w.svc.RebalanceRecommendation(atRisk) })
	w.run(time.Second)
	// A replacement launches first; the at-risk instance stays InService.
	if len(w.fleet.ids) != 3 || w.state("spot", atRisk) != StateInService {
		t.Fatalf("launched %d, at-risk %s", len(w.fleet.ids), w.state("spot", atRisk))
	}
	w.run(bootDelay)
	// Replacement InService: the at-risk instance goes through the hook.
	if w.state("spot", atRisk) != StateTerminatingWait {
		t.Fatalf("at-risk instance %s after the replacement is InService", w.state("spot", atRisk))
	}
	_ = w.complete("spot", "drain", atRisk, "CONTINUE")
	w.run(time.Minute)
	if len(w.instances("spot")) != 2 || len(w.fleet.ids) != 3 {
		t.Fatalf("%d instances, %d launched", len(w.instances("spot")), len(w.fleet.ids))
	}
	// Without capacity rebalance the recommendation changes nothing.
	w.do(func() {
		_, _ = w.svc.UpdateAutoScalingGroup(UpdateAutoScalingGroupInput{AutoScalingGroupName: "spot", CapacityRebalance: bptr(false)})
		w.svc.RebalanceRecommendation(w.fleet.ids[1])
	})
	w.run(time.Minute)
	if len(w.fleet.ids) != 3 {
		t.Fatal("rebalance acted with capacity rebalance off")
	}
}

// spotGroup makes an all-Spot group of n with drainer's termination hook.
func (w *world) spotGroup(name string, n int32, rebalance bool) {
	w.t.Helper()
	w.group(name, 0, 10, n, func(in *CreateAutoScalingGroupInput) {
		in.CapacityRebalance = bptr(rebalance)
		in.LaunchTemplate = nil
		in.MixedInstancesPolicy = &MixedInstancesPolicy{
			LaunchTemplate:        &LaunchTemplate{LaunchTemplateSpecification: &LaunchTemplateSpecification{LaunchTemplateName: "ecs"}},
			InstancesDistribution: &InstancesDistribution{OnDemandPercentageAboveBaseCapacity: i32(0)},
		}
	})
	w.hook(name, "drain", TransitionTerminating, 3600, "CONTINUE")
}

// interrupt warns of a Spot interruption in two minutes and has EC2
// terminate the instance then; it returns the deadline.
func (w *world) interrupt(id string) time.Time {
	deadline := w.clock.Now().Add(2 * time.Minute)
	w.do(func() { w.svc.SpotInterruption(id, deadline) })
	w.env.At(deadline, func() { w.fleet.kill(id) })
	return deadline
}

func TestSpotInterruptionWithoutRebalanceWaitsForEC2(t *testing.T) {
	w := newWorld(t)
	w.spotGroup("web", 2, false)
	w.run(time.Minute)
	id := w.fleet.ids[0]
	deadline := w.interrupt(id)
	w.run(119 * time.Second)
	// No lifecycle action and no replacement before EC2 interrupts it.
	if w.state("web", id) != StateInService || len(w.actions(id)) != 0 || len(w.fleet.ids) != 2 {
		t.Fatalf("1s before the interruption: %s, %d actions, %d launched", w.state("web", id), len(w.actions(id)), len(w.fleet.ids))
	}
	w.clock.RunUntil(deadline)
	w.run(time.Second)
	// The failed health check replaces it; the hook has nothing to hold.
	if w.state("web", id) != "absent" || len(w.fleet.ids) != 3 {
		t.Fatalf("after the interruption: %s, launched %d", w.state("web", id), len(w.fleet.ids))
	}
	var ec2Cause bool
	for _, a := range w.activities("web") {
		ec2Cause = ec2Cause || strings.Contains(a.Cause, "EC2 health check")
	}
	if !ec2Cause {
		t.Fatal("no health-check activity for the interrupted instance")
	}
	w.run(time.Minute)
	if len(w.inState("web", StateInService)) != 2 {
		t.Fatalf("states %v", w.states("web"))
	}
}

func TestSpotInterruptionWithRebalanceRunsTheHookAtTheNotice(t *testing.T) {
	w := newWorld(t)
	w.spotGroup("web", 2, true)
	w.run(time.Minute)
	id := w.fleet.ids[0]
	deadline := w.interrupt(id)
	w.run(time.Second)
	if w.state("web", id) != StateTerminatingWait || len(w.actions(id)) != 1 {
		t.Fatalf("interrupted instance %s with %d actions, want Terminating:Wait at the notice", w.state("web", id), len(w.actions(id)))
	}
	if len(w.fleet.ids) != 3 {
		t.Fatalf("launched %d, want a replacement at once", len(w.fleet.ids))
	}
	// Nobody completes the action: EC2 terminates the instance at the
	// deadline anyway, and the action ends with it.
	w.clock.RunUntil(deadline)
	if w.state("web", id) != "absent" || len(w.actions(id)) != 0 {
		t.Fatalf("after the deadline: %s, %d actions", w.state("web", id), len(w.actions(id)))
	}
	if err := w.complete("web", "drain", id, "CONTINUE"); codeOf(err) != "ValidationError" {
		t.Fatalf("completing after the interruption = %v", err)
	}
	w.run(time.Minute)
	if len(w.inState("web", StateInService)) != 2 || len(w.fleet.ids) != 3 {
		t.Fatalf("states %v, launched %d", w.states("web"), len(w.fleet.ids))
	}
}

func TestRebalanceKeepsProtectedInstancesUntilTheInterruption(t *testing.T) {
	w := newWorld(t)
	w.spotGroup("web", 2, true)
	w.run(time.Minute)
	id := w.fleet.ids[0]
	w.do(func() {
		_, _ = w.svc.SetInstanceProtection(SetInstanceProtectionInput{AutoScalingGroupName: "web", InstanceIds: []string{id}, ProtectedFromScaleIn: bptr(true)})
		w.svc.RebalanceRecommendation(id)
	})
	w.run(5 * time.Minute)
	if w.state("web", id) != StateInService || len(w.fleet.ids) != 2 {
		t.Fatalf("after the recommendation: %s, launched %d; a protected instance is not rebalanced", w.state("web", id), len(w.fleet.ids))
	}
	deadline := w.interrupt(id)
	w.run(time.Minute)
	if w.state("web", id) != StateInService || len(w.actions(id)) != 0 {
		t.Fatalf("after the notice: %s with %d actions, want it kept until the interruption", w.state("web", id), len(w.actions(id)))
	}
	w.clock.RunUntil(deadline)
	w.run(time.Minute)
	if w.state("web", id) != "absent" || len(w.fleet.ids) != 3 {
		t.Fatalf("after the interruption: %s, launched %d", w.state("web", id), len(w.fleet.ids))
	}
}

func TestInterruptionDuringARebalanceReplacement(t *testing.T) {
	w := newWorld(t)
	w.spotGroup("web", 2, true)
	w.run(time.Minute)
	id := w.fleet.ids[0]
	w.do(func() { w.svc.RebalanceRecommendation(id) })
	w.run(time.Second)
	if len(w.fleet.ids) != 3 || w.state("web", id) != StateInService {
		t.Fatalf("after the recommendation: launched %d, at-risk %s", len(w.fleet.ids), w.state("web", id))
	}
	// The notice comes before the replacement is in service: the hook
	// runs now, and no second replacement launches.
	w.interrupt(id)
	w.run(time.Second)
	if w.state("web", id) != StateTerminatingWait || len(w.fleet.ids) != 3 {
		t.Fatalf("after the notice: %s, launched %d", w.state("web", id), len(w.fleet.ids))
	}
	w.run(5 * time.Minute)
	if len(w.inState("web", StateInService)) != 2 || len(w.fleet.ids) != 3 {
		t.Fatalf("states %v, launched %d", w.states("web"), len(w.fleet.ids))
	}
}

func TestSpotInterruptionWithoutHooksLeavesTheInstanceToEC2(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 10, 2)
	w.run(time.Minute)
	id := w.fleet.ids[0]
	deadline := w.clock.Now().Add(2 * time.Minute)
	w.do(func() { w.svc.SpotInterruption(id, deadline) })
	w.env.At(deadline, func() { w.fleet.kill(id) })
	w.run(119 * time.Second)
	if got := w.state("web", id); got != StateInService {
		t.Fatalf("1s before the interruption the instance is %s, want InService", got)
	}
	if len(w.fleet.ids) != 2 {
		t.Fatalf("launched %d before the interruption, want no replacement yet", len(w.fleet.ids))
	}
	w.clock.RunUntil(deadline)
	w.run(time.Minute)
	if w.state("web", id) != "absent" || len(w.inState("web", StateInService)) != 2 || len(w.fleet.ids) != 3 {
		t.Fatalf("after the interruption: %s, states %v, launched %d", w.state("web", id), w.states("web"), len(w.fleet.ids))
	}
}
