package drain_test

import (
	"testing"
	"time"

	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
)

// TestRunDueAheadSendsTheHeartbeatsDueBeforeTheNextRound: a caller that
// comes back only every couple of minutes (drainer's Lambda mode) must
// send a heartbeat before it is due when the next round may come too late
// for it. RunDue sends it only once due; RunDueAhead as soon as it falls
// due within the horizon, and Auto Scaling extends the action from then.
func TestRunDueAheadSendsTheHeartbeatsDueBeforeTheNextRound(t *testing.T) {
	w := newWorld(t, `
name: rounds
clusters: [{name: demo}]
taskDefinitions:
  - {family: web, cpu: 256, memory: 512, start: 20s, healthy: 30s, stop: 5s}
groups:
  - name: demo-asg
    cluster: demo
    min: 0
    max: 3
    desired: 2
    hooks:
      - {name: drainer, heartbeatTimeout: 10m, defaultResult: CONTINUE}
services:
  # 100/100: ECS can move nothing, so the drain goes on.
  - {name: web, cluster: demo, taskDefinition: web, desired: 2, minHealthyPercent: 100, maxPercent: 100}
`)
	w.Clock.RunFor(5 * time.Minute)
	c := newClient(w)
	ctx := t.Context()
	cis, err := c.ListContainerInstances(ctx, "demo", cloud.ContainerInstanceActive)
	if err != nil || len(cis) != 2 {
		t.Fatalf("container instances %+v, %v", cis, err)
	}
	id := cis[0].EC2InstanceID
	if err := c.TerminateGroupInstance(ctx, id, false); err != nil {
		t.Fatal(err)
	}
	action := func() autoscaling.LifecycleAction {
		t.Helper()
		var as []autoscaling.LifecycleAction
		w.Do(func() { as = w.AutoScaling.LifecycleActions(id) })
		if len(as) != 1 {
			t.Fatalf("lifecycle actions of %s: %+v, want drainer's one", id, as)
		}
		return as[0]
	}
	a := action()
	rec := drain.NewReconciler(drain.Config{Cloud: c, Clock: w.Clock, Clusters: []string{"demo"}})
	if err := rec.Start(ctx, id, drain.Trigger{Reason: drain.ReasonLifecycle, At: a.Start, Group: "demo-asg", Hook: "drainer", Token: a.Token}); err != nil {
		t.Fatal(err)
	}
	// The action started now: its first heartbeat is due at half the
	// timeout less up to a fifth of it (Start spreads the heartbeats of
	// actions taken up together), 3 to 5 minutes from now: beyond a
	// horizon of 2m30s.
	const ahead = 2*time.Minute + 30*time.Second
	if looks := rec.RunDueAhead(ctx, ahead); looks != 1 {
		t.Fatalf("first round made %d looks, want the drain's first", looks)
	}
	if got := action().HeartbeatExpiry; !got.Equal(a.HeartbeatExpiry) {
		t.Fatalf("heartbeat expiry %v after the first round, want %v: nothing was due within %v", got, a.HeartbeatExpiry, ahead)
	}
	w.Clock.RunFor(2*time.Minute + 50*time.Second) // due in 10s to 2m10s
	rec.RunDue(ctx)
	if got := action().HeartbeatExpiry; !got.Equal(a.HeartbeatExpiry) {
		t.Fatalf("RunDue sent a heartbeat not due yet: expiry %v", got)
	}
	rec.RunDueAhead(ctx, ahead)
	if got, want := action().HeartbeatExpiry, w.Now().Add(10*time.Minute); !got.Equal(want) {
		t.Fatalf("heartbeat expiry %v after a round with the heartbeat due within %v, want %v (extended now)", got, ahead, want)
	}
	// Sent: the next is due half the timeout from now, beyond the horizon.
	w.Clock.RunFor(time.Minute)
	before := action().HeartbeatExpiry
	rec.RunDueAhead(ctx, ahead)
	if got := action().HeartbeatExpiry; !got.Equal(before) {
		t.Fatalf("a round a minute later sent another heartbeat: expiry %v, was %v", got, before)
	}
}
