package ec2

import (
	"encoding/json"
	"testing"
	"time"
)

func TestSpotInterruptionTerminatesExactly120sAfterWarning(t *testing.T) {
	w := newWorld(t, Options{})
	inst := w.running(LaunchSpec{Market: "spot"})
	w.c.RunFor(5 * time.Minute)
	warnedAt := w.c.Now()

	var order []string
	var gotAt time.Time
	w.svc.OnSpotInterruption(func(i *Instance, at time.Time) {
		order = append(order, "listener")
		gotAt = at
		if n := len(w.rec.Events); n != 2 {
			t.Errorf("listener ran after the event was emitted (%d events)", n)
		}
	})
	var terminatedAt time.Time
	w.svc.OnStateChange(func(i *Instance, from State) {
		if i.State == StateShuttingDown {
			terminatedAt = w.c.Now()
		}
	})
	var err error
	w.do(func() { err = w.svc.InterruptSpot(inst.ID) })
	if err != nil {
		t.Fatal(err)
	}
	if !gotAt.Equal(warnedAt.Add(120*time.Second)) || len(order) != 1 {
		t.Fatalf("listener got terminateAt %v (calls %d), want warning+120s", gotAt, len(order))
	}
	ev := w.rec.Events[len(w.rec.Events)-1]
	b, _ := json.Marshal(ev.Detail)
	if ev.DetailType != "EC2 Spot Instance Interruption Warning" ||
		string(b) != `{"instance-id":"`+inst.ID+`","instance-action":"terminate"}` {
		t.Fatalf("warning event = %s %s", ev.DetailType, b)
	}
	if at, ok := w.svc.InterruptionTime(inst.ID); !ok || !at.Equal(gotAt) {
		t.Fatalf("InterruptionTime = %v, %v", at, ok)
	}
	w.do(func() { err = w.svc.InterruptSpot(inst.ID) })
	wantCode(t, err, "IncorrectInstanceState")

	w.c.RunFor(119 * time.Second)
	if inst.State != StateRunning {
		t.Fatalf("state 119s after warning = %s", inst.State)
	}
	w.c.RunFor(time.Second)
	if inst.State != StateShuttingDown || !terminatedAt.Equal(warnedAt.Add(120*time.Second)) {
		t.Fatalf("state %s, shutting down at %v; want exactly warning+120s", inst.State, terminatedAt)
	}
	if inst.StateReason != ReasonSpotTermination {
		t.Fatalf("reason = %q", inst.StateReason)
	}
	var out *DescribeInstancesOutput
	w.do(func() { out, _ = w.svc.DescribeInstances(DescribeInstancesInput{InstanceIds: []string{inst.ID}}) })
	d := out.Reservations[0].Instances[0]
	if d.StateReason == nil || d.StateReason.Code != "Server.SpotInstanceTermination" || d.InstanceLifecycle != "spot" {
		t.Fatalf("described = %+v", d)
	}
}

func TestSpotInterruptionOfAlreadyTerminatingInstanceIsHarmless(t *testing.T) {
	w := newWorld(t, Options{})
	inst := w.running(LaunchSpec{Market: "spot"})
	w.do(func() {
		if err := w.svc.InterruptSpot(inst.ID); err != nil {
			t.Fatal(err)
		}
	})
	w.c.RunFor(time.Minute)
	w.do(func() { _ = w.svc.Terminate(inst.ID, "") }) // Auto Scaling got there first
	w.c.RunFor(5 * time.Minute)
	if inst.State != StateTerminated || inst.StateReason != ReasonUserInitiated {
		t.Fatalf("state %s reason %q", inst.State, inst.StateReason)
	}
}

func TestRebalanceRecommendation(t *testing.T) {
	w := newWorld(t, Options{})
	inst := w.running(LaunchSpec{Market: "spot"})
	calls := 0
	w.svc.OnRebalanceRecommendation(func(i *Instance) {
		if i != inst || len(w.rec.Events) != 2 {
			t.Errorf("listener got %v with %d events", i.ID, len(w.rec.Events))
		}
		calls++
	})
	var err error
	w.do(func() { err = w.svc.RecommendRebalance(inst.ID) })
	if err != nil || calls != 1 {
		t.Fatalf("err %v, calls %d", err, calls)
	}
	ev := w.rec.Events[2]
	b, _ := json.Marshal(ev.Detail)
	if ev.DetailType != "EC2 Instance Rebalance Recommendation" || string(b) != `{"instance-id":"`+inst.ID+`"}` {
		t.Fatalf("event = %s %s", ev.DetailType, b)
	}
	w.c.RunFor(time.Hour)
	if inst.State != StateRunning {
		t.Fatal("a rebalance recommendation terminated the instance")
	}
}

func TestSpotSeamsRejectWhatAWSWouldNeverWarn(t *testing.T) {
	w := newWorld(t, Options{})
	onDemand := w.running(LaunchSpec{})
	pending := w.launch(LaunchSpec{InstanceType: "m5.large", AZ: "us-east-1a", Market: "spot"})
	for _, tc := range []struct {
		name, id, code string
	}{
		{"on-demand", onDemand.ID, "UnsupportedOperation"},
		{"pending spot", pending.ID, "IncorrectInstanceState"},
		{"unknown", "i-0123456789abcdef0", "InvalidInstanceID.NotFound"},
		{"malformed", "spot-1", "InvalidInstanceID.Malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e1, e2 error
			w.do(func() { e1, e2 = w.svc.InterruptSpot(tc.id), w.svc.RecommendRebalance(tc.id) })
			wantCode(t, e1, tc.code)
			wantCode(t, e2, tc.code)
		})
	}
	if n := len(w.rec.Events); n != 3 { // pending, running, pending
		t.Fatalf("%d events, want only the 3 state changes", n)
	}
}

func TestSpotWarningAndRebalanceEventsAreTheOnesPublished(t *testing.T) {
	w := newWorld(t, Options{})
	inst := w.running(LaunchSpec{Market: "spot"})
	var err error
	w.do(func() { err = w.svc.RecommendRebalance(inst.ID) })
	if err != nil {
		t.Fatal(err)
	}
	w.do(func() { err = w.svc.InterruptSpot(inst.ID) })
	if err != nil {
		t.Fatal(err)
	}
	n := len(w.rec.Events)
	published := w.rec.Events[n-2:]
	built := []any{w.svc.RebalanceEvent(inst.ID), w.svc.SpotWarningEvent(inst.ID)}
	for i := range built {
		a, _ := json.Marshal(published[i])
		b, _ := json.Marshal(built[i])
		if string(a) != string(b) {
			t.Errorf("built %s, published %s", b, a)
		}
	}
	// An event about an instance EC2 does not know is built all the same.
	ev := w.svc.SpotWarningEvent("i-0123456789abcdef0")
	if ev.Resources[0] != "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0" {
		t.Fatalf("resources = %v", ev.Resources)
	}
}
