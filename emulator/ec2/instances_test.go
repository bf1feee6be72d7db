package ec2

import (
	"encoding/json"
	"fmt"
	"regexp"
	"testing"
	"time"
)

func TestLaunchRunsAfterDelayWithListenersThenEvents(t *testing.T) {
	w := newWorld(t, Options{})
	var log []string
	w.svc.OnStateChange(func(inst *Instance, from State) {
		log = append(log, fmt.Sprintf("first %s->%s events=%d", from, inst.State, len(w.rec.Events)))
	})
	w.svc.OnStateChange(func(inst *Instance, from State) {
		log = append(log, fmt.Sprintf("second %s->%s", from, inst.State))
	})

	inst := w.launch(LaunchSpec{InstanceType: "m5.large", AZ: "us-east-1b", Market: "spot",
		Tags: []Tag{{"aws:autoscaling:groupName", "web-asg"}}})

	if !regexp.MustCompile(`^i-[0-9a-f]{17}$`).MatchString(inst.ID) {
		t.Fatalf("instance id %q has the wrong shape", inst.ID)
	}
	if inst.State != StatePending || !inst.Spot || inst.AZ != "us-east-1b" || !inst.LaunchTime.Equal(epoch) {
		t.Fatalf("launched instance = %+v", inst)
	}
	if v, ok := inst.Tag("aws:autoscaling:groupName"); !ok || v != "web-asg" {
		t.Fatalf("group tag = %q, %v", v, ok)
	}
	w.c.RunFor(39 * time.Second)
	if inst.State != StatePending {
		t.Fatalf("running %v early", w.since())
	}
	w.c.RunFor(time.Second)
	if inst.State != StateRunning {
		t.Fatalf("state at +40s = %s, want running", inst.State)
	}
	want := []string{
		"first ->pending events=0", "second ->pending",
		"first pending->running events=1", "second pending->running",
	}
	if fmt.Sprint(log) != fmt.Sprint(want) {
		t.Fatalf("listener log = %q, want %q", log, want)
	}
	if len(w.rec.Events) != 2 {
		t.Fatalf("%d events, want 2", len(w.rec.Events))
	}
	ev := w.rec.Events[1]
	b, _ := json.Marshal(ev.Detail)
	if ev.Source != "aws.ec2" || ev.DetailType != "EC2 Instance State-change Notification" ||
		string(b) != `{"instance-id":"`+inst.ID+`","state":"running"}` {
		t.Fatalf("event = %+v detail %s", ev, b)
	}
	if len(ev.Resources) != 1 || ev.Resources[0] != "arn:aws:ec2:us-east-1:123456789012:instance/"+inst.ID {
		t.Fatalf("resources = %v", ev.Resources)
	}
}

func TestTerminateLeavesENIsAvailableThenTerminates(t *testing.T) {
	w := newWorld(t, Options{})
	inst := w.running(LaunchSpec{InstanceType: "m5.xlarge"}) // 4 ENIs: 3 for tasks
	var enis []*NetworkInterface
	w.do(func() {
		for i := 0; i < 2; i++ {
			e, err := w.svc.AttachNetworkInterface(inst.ID, "task")
			if err != nil {
				t.Fatal(err)
			}
			enis = append(enis, e)
		}
	})
	var seenStatus string
	w.svc.OnStateChange(func(i *Instance, from State) {
		if i.State == StateShuttingDown {
			seenStatus = enis[0].Status // interfaces are already detached when listeners run
		}
	})
	w.c.RunFor(time.Minute)
	var err error
	w.do(func() { err = w.svc.Terminate(inst.ID, "") })
	if err != nil {
		t.Fatal(err)
	}
	if inst.State != StateShuttingDown || inst.StateReason != ReasonUserInitiated {
		t.Fatalf("after Terminate: %s %q", inst.State, inst.StateReason)
	}
	if seenStatus != ENIAvailable {
		t.Fatalf("listener saw interface status %q", seenStatus)
	}
	for _, e := range enis {
		if e.Status != ENIAvailable || e.InstanceID != "" {
			t.Fatalf("interface after host death = %+v", e)
		}
	}
	w.do(func() { err = w.svc.Terminate(inst.ID, ReasonSpotTermination) }) // idempotent
	if err != nil || inst.StateReason != ReasonUserInitiated {
		t.Fatalf("second Terminate: %v, reason %q", err, inst.StateReason)
	}
	w.c.RunFor(29 * time.Second)
	if inst.State != StateShuttingDown {
		t.Fatalf("terminated early: %s", inst.State)
	}
	w.c.RunFor(time.Second)
	if inst.State != StateTerminated {
		t.Fatalf("state 30s after Terminate = %s", inst.State)
	}
	var states []string
	for _, ev := range w.rec.Events {
		states = append(states, string(ev.Detail.(StateChangeDetail).State))
	}
	if fmt.Sprint(states) != "[pending running shutting-down terminated]" {
		t.Fatalf("state events = %v", states)
	}
	if got := len(w.svc.NetworkInterfaces()); got != 2 {
		t.Fatalf("%d interfaces left, want the 2 leaked", got)
	}
}

func TestTerminateWhilePendingNeverRuns(t *testing.T) {
	w := newWorld(t, Options{})
	inst := w.launch(LaunchSpec{InstanceType: "t3.micro", AZ: "us-east-1a"})
	w.c.RunFor(10 * time.Second)
	w.do(func() { _ = w.svc.Terminate(inst.ID, "") })
	w.c.RunFor(time.Hour)
	for _, ev := range w.rec.Events {
		if ev.Detail.(StateChangeDetail).State == StateRunning {
			t.Fatal("a terminated pending instance became running")
		}
	}
	if inst.State != StateTerminated {
		t.Fatalf("state = %s", inst.State)
	}
}

func TestTerminatedInstancesVanishAfterRetention(t *testing.T) {
	w := newWorld(t, Options{TerminatedRetention: 10 * time.Minute})
	a := w.running(LaunchSpec{})
	b := w.running(LaunchSpec{})
	w.do(func() { _ = w.svc.Terminate(a.ID, "") })
	w.c.RunFor(30*time.Second + 10*time.Minute - time.Second)
	var out *DescribeInstancesOutput
	var err error
	w.do(func() { out, err = w.svc.DescribeInstances(DescribeInstancesInput{InstanceIds: []string{a.ID}}) })
	if err != nil || out.Reservations[0].Instances[0].State.Name != StateTerminated {
		t.Fatalf("terminated instance not visible during retention: %v %+v", err, out)
	}
	w.c.RunFor(time.Second)
	if _, ok := w.svc.Instance(a.ID); ok {
		t.Fatal("instance still known after retention")
	}
	w.do(func() { _, err = w.svc.DescribeInstances(DescribeInstancesInput{InstanceIds: []string{a.ID}}) })
	wantCode(t, err, "InvalidInstanceID.NotFound")
	if got := w.svc.Instances(); len(got) != 1 || got[0] != b {
		t.Fatalf("Instances() = %v, want only %s", got, b.ID)
	}
}

func TestSameSeedLaunchesSameIDs(t *testing.T) {
	run := func() []string {
		w := newWorld(t, Options{})
		var ids []string
		for i := 0; i < 5; i++ {
			inst := w.running(LaunchSpec{})
			w.do(func() {
				e, _ := w.svc.AttachNetworkInterface(inst.ID, "x")
				ids = append(ids, inst.ID, inst.PrivateIP, e.ID, e.PrivateIP)
			})
		}
		return ids
	}
	a, b := run(), run()
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("same seed, different worlds:\n%v\n%v", a, b)
	}
}

func TestLaunchErrors(t *testing.T) {
	w := newWorld(t, Options{})
	w.do(func() {
		_, err := w.svc.CreateLaunchTemplate(CreateLaunchTemplateInput{
			LaunchTemplateName: "no-image", LaunchTemplateData: &RequestLaunchTemplateData{InstanceType: "m5.large"}})
		if err != nil {
			t.Fatal(err)
		}
	})
	for _, tc := range []struct {
		name string
		spec LaunchSpec
		code string
	}{
		{"no AZ", LaunchSpec{InstanceType: "m5.large"}, "InvalidParameterValue"},
		{"AZ of another region", LaunchSpec{InstanceType: "m5.large", AZ: "eu-west-1a"}, "InvalidParameterValue"},
		{"unknown type", LaunchSpec{InstanceType: "m5.huge", AZ: "us-east-1a"}, "InvalidParameterValue"},
		{"no type", LaunchSpec{AZ: "us-east-1a"}, "MissingParameter"},
		{"bad market", LaunchSpec{InstanceType: "m5.large", AZ: "us-east-1a", Market: "reserved"}, "InvalidParameterValue"},
		{"unknown template", LaunchSpec{LaunchTemplateName: "nope", AZ: "us-east-1a"}, "InvalidLaunchTemplateName.NotFoundException"},
		{"unknown template id", LaunchSpec{LaunchTemplateID: "lt-0123456789abcdef0", AZ: "us-east-1a"}, "InvalidLaunchTemplateId.NotFound"},
		{"malformed template id", LaunchSpec{LaunchTemplateID: "lt-xyz", AZ: "us-east-1a"}, "InvalidLaunchTemplateId.Malformed"},
		{"template without image", LaunchSpec{LaunchTemplateName: "no-image", AZ: "us-east-1a"}, "MissingParameter"},
		{"missing version", LaunchSpec{LaunchTemplateName: "no-image", Version: "7", AZ: "us-east-1a"}, "InvalidLaunchTemplateId.VersionNotFound"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			w.do(func() { _, err = w.svc.Launch(tc.spec) })
			wantCode(t, err, tc.code)
		})
	}
	if n := len(w.svc.Instances()); n != 0 {
		t.Fatalf("failed launches left %d instances", n)
	}
}

func TestSeamErrorsForUnknownInstances(t *testing.T) {
	w := newWorld(t, Options{})
	w.do(func() {
		wantCode(t, w.svc.Terminate("i-0123456789abcdef0", ""), "InvalidInstanceID.NotFound")
		wantCode(t, w.svc.Terminate("web-1", ""), "InvalidInstanceID.Malformed")
		_, err := w.svc.AttachNetworkInterface("i-0123456789abcdef0", "x")
		wantCode(t, err, "InvalidInstanceID.NotFound")
	})
}

func TestLookupType(t *testing.T) {
	for _, tc := range []struct {
		name            string
		vcpu, mem, enis int
	}{
		{"t3.micro", 2, 1024, 2},
		{"m5.large", 2, 8192, 3},
		{"m6i.4xlarge", 16, 65536, 8},
		{"c5.xlarge", 4, 8192, 4},
		{"r5.2xlarge", 8, 65536, 4},
		{"m7g.large", 2, 8192, 3},
		// Families beyond the common ones, with AWS's published figures.
		{"m7i.48xlarge", 192, 786432, 15},
		{"c7gn.16xlarge", 64, 131072, 15},
		{"x2iedn.32xlarge", 128, 4194304, 15},
		{"t4g.nano", 2, 512, 2},
		{"i4i.metal", 128, 1048576, 15},
		{"p5.48xlarge", 192, 2097152, 64},
		{"m8g.large", 2, 8192, 3},
		{"hpc7a.96xlarge", 192, 786432, 15}, // no published ENI limit: the emulator's default
	} {
		it, ok := LookupType(tc.name)
		if !ok || it.VCPU != tc.vcpu || it.MemoryMiB != tc.mem || it.MaxENIs != tc.enis {
			t.Errorf("LookupType(%s) = %+v, %v", tc.name, it, ok)
		}
	}
	if _, ok := LookupType("m5.huge"); ok {
		t.Error("unknown type found")
	}
}

// A listener that reacts to "running" by terminating the instance (Auto
// Scaling replacing an unhealthy instance, say) must not make events or
// later listeners see the changes out of order.
func TestListenerTriggeredChangesKeepOrder(t *testing.T) {
	w := newWorld(t, Options{})
	var log []string
	w.svc.OnStateChange(func(inst *Instance, from State) {
		if inst.State == StateRunning {
			if err := w.svc.Terminate(inst.ID, ""); err != nil {
				t.Error(err)
			}
		}
	})
	w.svc.OnStateChange(func(inst *Instance, from State) {
		log = append(log, fmt.Sprintf("%s->%s", from, inst.State))
	})
	w.launch(LaunchSpec{InstanceType: "m5.large", AZ: "us-east-1a"})
	w.c.RunFor(5 * time.Minute)
	var events []string
	for _, ev := range w.rec.Events {
		events = append(events, string(ev.Detail.(StateChangeDetail).State))
	}
	if got := fmt.Sprint(log); got != "[->pending pending->running running->shutting-down shutting-down->terminated]" {
		t.Fatalf("listener saw %s", got)
	}
	if got := fmt.Sprint(events); got != "[pending running shutting-down terminated]" {
		t.Fatalf("events %s", got)
	}
}
