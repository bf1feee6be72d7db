package ec2

import (
	"strings"
	"testing"
	"time"
)

// fleet launches a mixed set of instances and returns them in launch order:
// 0 a/m5.large/on-demand/web, 1 b/c5.large/spot/web, 2 a/c5.large/spot/api,
// 3 b/m5.large/on-demand (terminated), 4 c/t3.micro pending.
func fleet(t *testing.T, w *world) []*Instance {
	t.Helper()
	web := []Tag{{"aws:autoscaling:groupName", "web-asg"}}
	api := []Tag{{"aws:autoscaling:groupName", "api-asg"}, {"team", "api"}}
	var out []*Instance
	for _, spec := range []LaunchSpec{
		{InstanceType: "m5.large", AZ: "us-east-1a", Tags: web},
		{InstanceType: "c5.large", AZ: "us-east-1b", Market: "spot", Tags: web},
		{InstanceType: "c5.large", AZ: "us-east-1a", Market: "spot", Tags: api},
		{InstanceType: "m5.large", AZ: "us-east-1b"},
	} {
		out = append(out, w.launch(spec))
	}
	w.c.RunFor(time.Minute)
	w.do(func() { _ = w.svc.Terminate(out[3].ID, "") })
	w.c.RunFor(time.Minute)
	out = append(out, w.launch(LaunchSpec{InstanceType: "t3.micro", AZ: "us-east-1c"}))
	return out
}

func describeIDs(t *testing.T, w *world, in DescribeInstancesInput) (ids []string, next string) {
	t.Helper()
	var out *DescribeInstancesOutput
	var err error
	w.do(func() { out, err = w.svc.DescribeInstances(in) })
	if err != nil {
		t.Fatalf("DescribeInstances(%+v): %v", in, err)
	}
	for _, r := range out.Reservations {
		if r.OwnerId != "123456789012" || !strings.HasPrefix(r.ReservationId, "r-") {
			t.Fatalf("reservation %+v", r)
		}
		for _, i := range r.Instances {
			ids = append(ids, i.InstanceId)
		}
	}
	return ids, out.NextToken
}

func TestDescribeInstancesFilters(t *testing.T) {
	w := newWorld(t, Options{})
	f := fleet(t, w)
	pick := func(idx ...int) string {
		var s []string
		for _, i := range idx {
			s = append(s, f[i].ID)
		}
		return strings.Join(s, ",")
	}
	for _, tc := range []struct {
		name    string
		filters []Filter
		ids     []string
		want    string
	}{
		{"none", nil, nil, pick(0, 1, 2, 3, 4)},
		{"running", []Filter{{"instance-state-name", []string{"running"}}}, nil, pick(0, 1, 2)},
		{"running or pending", []Filter{{"instance-state-name", []string{"running", "pending"}}}, nil, pick(0, 1, 2, 4)},
		{"terminated code", []Filter{{"instance-state-code", []string{"48"}}}, nil, pick(3)},
		{"zone", []Filter{{"availability-zone", []string{"us-east-1a"}}}, nil, pick(0, 2)},
		{"type wildcard", []Filter{{"instance-type", []string{"c5.*"}}}, nil, pick(1, 2)},
		{"spot", []Filter{{"instance-lifecycle", []string{"spot"}}}, nil, pick(1, 2)},
		{"group tag", []Filter{{"tag:aws:autoscaling:groupName", []string{"web-asg"}}}, nil, pick(0, 1)},
		{"tag key", []Filter{{"tag-key", []string{"team"}}}, nil, pick(2)},
		{"tag value", []Filter{{"tag-value", []string{"api*"}}}, nil, pick(2)},
		{"and of filters", []Filter{{"tag:aws:autoscaling:groupName", []string{"web-asg"}}, {"instance-lifecycle", []string{"spot"}}}, nil, pick(1)},
		{"instance id", []Filter{{"instance-id", []string{f[4].ID}}}, nil, pick(4)},
		{"ids in launch order", nil, []string{f[2].ID, f[0].ID, f[2].ID}, pick(0, 2)},
		{"ids and filter", []Filter{{"instance-state-name", []string{"running"}}}, []string{f[3].ID, f[1].ID}, pick(1)},
		{"no match", []Filter{{"instance-type", []string{"m7g.large"}}}, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ids, next := describeIDs(t, w, DescribeInstancesInput{InstanceIds: tc.ids, Filters: tc.filters})
			if got := strings.Join(ids, ","); got != tc.want || next != "" {
				t.Fatalf("got %s (next %q), want %s", got, next, tc.want)
			}
		})
	}
}

func TestDescribeInstancesShape(t *testing.T) {
	w := newWorld(t, Options{})
	f := fleet(t, w)
	var out *DescribeInstancesOutput
	w.do(func() {
		out, _ = w.svc.DescribeInstances(DescribeInstancesInput{InstanceIds: []string{f[1].ID, f[3].ID, f[4].ID}})
	})
	spot, term, pend := out.Reservations[0].Instances[0], out.Reservations[1].Instances[0], out.Reservations[2].Instances[0]
	if spot.State != (InstanceState{16, StateRunning}) || spot.InstanceLifecycle != "spot" || spot.StateReason != nil ||
		spot.Placement.AvailabilityZone != "us-east-1b" || spot.InstanceType != "c5.large" || spot.ImageId != DefaultImageID ||
		spot.PrivateIpAddress == "" || !strings.HasSuffix(spot.PrivateDnsName, ".ec2.internal") ||
		!spot.LaunchTime.Equal(epoch) || len(spot.Tags) != 1 {
		t.Fatalf("running spot instance = %+v", spot)
	}
	if term.State != (InstanceState{48, StateTerminated}) || term.InstanceLifecycle != "" ||
		term.StateReason == nil || term.StateReason.Code != "Client.UserInitiatedShutdown" ||
		term.StateTransitionReason != "User initiated (2026-11-22 10:01:00 GMT)" {
		t.Fatalf("terminated instance = %+v", term)
	}
	if pend.State != (InstanceState{0, StatePending}) || pend.StateReason == nil || pend.StateReason.Code != "pending" {
		t.Fatalf("pending instance = %+v", pend)
	}
}

func TestDescribeInstancesPaginates(t *testing.T) {
	w := newWorld(t, Options{})
	var all []string
	for i := 0; i < 12; i++ {
		all = append(all, w.launch(LaunchSpec{InstanceType: "t3.small", AZ: "us-east-1a"}).ID)
	}
	var pages [][]string
	tok := ""
	for {
		ids, next := describeIDs(t, w, DescribeInstancesInput{MaxResults: i32(5), NextToken: tok})
		pages = append(pages, ids)
		if next == "" {
			break
		}
		tok = next
		if len(pages) == 2 {
			// An instance launched mid-listing shows up on a later page,
			// and one forgotten mid-listing shifts nothing.
			all = append(all, w.launch(LaunchSpec{InstanceType: "t3.small", AZ: "us-east-1a"}).ID)
		}
	}
	if len(pages) != 3 || len(pages[0]) != 5 || len(pages[1]) != 5 || len(pages[2]) != 3 {
		t.Fatalf("page sizes %d pages: %v", len(pages), pages)
	}
	var got []string
	for _, p := range pages {
		got = append(got, p...)
	}
	if strings.Join(got, ",") != strings.Join(all, ",") {
		t.Fatalf("paged %v\nwant   %v", got, all)
	}
	// Filtered pages count matching instances only.
	ids, next := describeIDs(t, w, DescribeInstancesInput{MaxResults: i32(5),
		Filters: []Filter{{"instance-id", []string{all[1], all[7], all[12]}}}})
	if len(ids) != 3 || next != "" {
		t.Fatalf("filtered page = %v next %q", ids, next)
	}
}

func TestDescribeInstancesErrors(t *testing.T) {
	w := newWorld(t, Options{})
	a := w.running(LaunchSpec{})
	for _, tc := range []struct {
		name, code, msg string
		in              DescribeInstancesInput
	}{
		{"unknown id", "InvalidInstanceID.NotFound", "The instance ID 'i-0123456789abcdef0' does not exist",
			DescribeInstancesInput{InstanceIds: []string{a.ID, "i-0123456789abcdef0"}}},
		{"unknown ids", "InvalidInstanceID.NotFound", "The instance IDs 'i-0123456789abcdef0, i-0123456789abcdef1' do not exist",
			DescribeInstancesInput{InstanceIds: []string{"i-0123456789abcdef0", "i-0123456789abcdef1"}}},
		{"malformed id", "InvalidInstanceID.Malformed", `Invalid id: "i-xyz"`,
			DescribeInstancesInput{InstanceIds: []string{"i-0123456789abcdef0", "i-xyz"}}},
		{"max results too small", "InvalidParameterValue", "Value ( 4 ) for parameter maxResults is invalid. Expecting a value greater than 5.",
			DescribeInstancesInput{MaxResults: i32(4)}},
		{"max results too large", "InvalidParameterValue", "",
			DescribeInstancesInput{MaxResults: i32(1001)}},
		{"max results with ids", "InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults",
			DescribeInstancesInput{MaxResults: i32(5), InstanceIds: []string{a.ID}}},
		{"unknown filter", "InvalidParameterValue", "The filter 'colour' is invalid",
			DescribeInstancesInput{Filters: []Filter{{"colour", []string{"red"}}}}},
		{"bad token", "InvalidPaginationToken", "",
			DescribeInstancesInput{NextToken: "not-a-token"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			w.do(func() { _, err = w.svc.DescribeInstances(tc.in) })
			wantCode(t, err, tc.code)
			if tc.msg != "" && !strings.HasSuffix(err.Error(), ": "+tc.msg) {
				t.Fatalf("message %q, want %q", err, tc.msg)
			}
		})
	}
}

func TestTerminateInstances(t *testing.T) {
	w := newWorld(t, Options{})
	a := w.running(LaunchSpec{})
	b := w.running(LaunchSpec{})
	var err error
	w.do(func() {
		_, err = w.svc.TerminateInstances(TerminateInstancesInput{InstanceIds: []string{a.ID, "i-0123456789abcdef0"}})
	})
	wantCode(t, err, "InvalidInstanceID.NotFound")
	if a.State != StateRunning {
		t.Fatal("a failed call terminated an instance")
	}
	w.do(func() { _, err = w.svc.TerminateInstances(TerminateInstancesInput{InstanceIds: []string{"bogus"}}) })
	wantCode(t, err, "InvalidInstanceID.Malformed")
	w.do(func() { _, err = w.svc.TerminateInstances(TerminateInstancesInput{}) })
	wantCode(t, err, "InvalidParameterCombination")

	var out *TerminateInstancesOutput
	w.do(func() {
		out, err = w.svc.TerminateInstances(TerminateInstancesInput{InstanceIds: []string{b.ID, a.ID}})
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{a.ID, b.ID} {
		c := out.TerminatingInstances[i]
		if c.InstanceId != want || c.PreviousState != (InstanceState{16, StateRunning}) || c.CurrentState != (InstanceState{32, StateShuttingDown}) {
			t.Fatalf("change %d = %+v", i, c)
		}
	}
	w.c.RunFor(time.Minute)
	w.do(func() { out, err = w.svc.TerminateInstances(TerminateInstancesInput{InstanceIds: []string{a.ID}}) })
	if c := out.TerminatingInstances[0]; err != nil || c.PreviousState.Name != StateTerminated || c.CurrentState.Name != StateTerminated {
		t.Fatalf("terminating a terminated instance: %v %+v", err, out)
	}
}

func TestDescribedStateReasons(t *testing.T) {
	for _, tc := range []struct {
		reason, code, transition string
	}{
		{"", "Client.UserInitiatedShutdown", "User initiated (2026-11-22 10:00:40 GMT)"},
		{"User initiated (Auto Scaling)", "Client.UserInitiatedShutdown", "User initiated (2026-11-22 10:00:40 GMT)"},
		{"Server.SpotInstanceTermination", "Server.SpotInstanceTermination", ""},
		{"Server.InternalError", "Server.InternalError", ""},
	} {
		t.Run(tc.reason, func(t *testing.T) {
			w := newWorld(t, Options{})
			inst := w.running(LaunchSpec{})
			var out *DescribeInstancesOutput
			w.do(func() {
				_ = w.svc.Terminate(inst.ID, tc.reason)
				out, _ = w.svc.DescribeInstances(DescribeInstancesInput{InstanceIds: []string{inst.ID}})
			})
			d := out.Reservations[0].Instances[0]
			if d.StateReason == nil || d.StateReason.Code != tc.code || d.StateTransitionReason != tc.transition {
				t.Fatalf("described %+v %q", d.StateReason, d.StateTransitionReason)
			}
		})
	}
}
