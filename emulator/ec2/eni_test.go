package ec2

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestAttachNetworkInterfaceRespectsTypeLimit(t *testing.T) {
	w := newWorld(t, Options{})
	inst := w.running(LaunchSpec{InstanceType: "m5.large"}) // 3 ENIs: the primary and 2 tasks
	w.c.RunFor(time.Minute)
	var enis []*NetworkInterface
	var err error
	w.do(func() {
		for i := 0; i < 2; i++ {
			e, err := w.svc.AttachNetworkInterface(inst.ID, "arn:aws:ecs:us-east-1:123456789012:attachment/x")
			if err != nil {
				t.Fatalf("attach %d: %v", i, err)
			}
			enis = append(enis, e)
		}
		_, err = w.svc.AttachNetworkInterface(inst.ID, "third")
	})
	wantCode(t, err, "AttachmentLimitExceeded")
	e := enis[0]
	if !regexp.MustCompile(`^eni-[0-9a-f]{17}$`).MatchString(e.ID) || e.Status != ENIInUse || e.InstanceID != inst.ID ||
		e.AZ != inst.AZ || e.PrivateIP == "" || e.PrivateIP == inst.PrivateIP || !e.CreatedAt.Equal(epoch.Add(100*time.Second)) {
		t.Fatalf("interface = %+v", e)
	}
	// Detaching frees the slot.
	w.do(func() {
		w.svc.DetachNetworkInterface(enis[0].ID, false)
		_, err = w.svc.AttachNetworkInterface(inst.ID, "third")
	})
	if err != nil {
		t.Fatalf("attach after detach: %v", err)
	}
	if n := len(w.svc.NetworkInterfaces()); n != 2 {
		t.Fatalf("%d interfaces, want 2 (the detached one deleted)", n)
	}
}

func TestAttachToDyingInstanceFails(t *testing.T) {
	w := newWorld(t, Options{})
	inst := w.running(LaunchSpec{})
	var err error
	w.do(func() {
		_ = w.svc.Terminate(inst.ID, "")
		_, err = w.svc.AttachNetworkInterface(inst.ID, "late")
	})
	wantCode(t, err, "IncorrectInstanceState")
}

func TestDetachWithLeakLeavesInterfaceAvailableUntilDeleted(t *testing.T) {
	w := newWorld(t, Options{})
	inst := w.running(LaunchSpec{InstanceType: "m5.xlarge"})
	var leaked, kept *NetworkInterface
	w.do(func() {
		leaked, _ = w.svc.AttachNetworkInterface(inst.ID, "leaky task")
		kept, _ = w.svc.AttachNetworkInterface(inst.ID, "healthy task")
		w.svc.DetachNetworkInterface(leaked.ID, true)
		w.svc.DetachNetworkInterface(leaked.ID, false) // already detached: stays leaked
		w.svc.DetachNetworkInterface("eni-0123456789abcdef0", false)
	})
	if leaked.Status != ENIAvailable || leaked.InstanceID != "" {
		t.Fatalf("leaked interface = %+v", leaked)
	}
	var err error
	w.do(func() {
		_, err = w.svc.DeleteNetworkInterface(DeleteNetworkInterfaceInput{NetworkInterfaceId: kept.ID})
	})
	wantCode(t, err, "InvalidParameterValue")
	if !strings.Contains(err.Error(), "Network interface '"+kept.ID+"' is currently in use.") {
		t.Fatalf("message = %v", err)
	}
	w.do(func() {
		_, err = w.svc.DeleteNetworkInterface(DeleteNetworkInterfaceInput{NetworkInterfaceId: leaked.ID})
	})
	if err != nil {
		t.Fatal(err)
	}
	w.do(func() {
		_, err = w.svc.DeleteNetworkInterface(DeleteNetworkInterfaceInput{NetworkInterfaceId: leaked.ID})
	})
	wantCode(t, err, "InvalidNetworkInterfaceID.NotFound")
	w.do(func() {
		_, err = w.svc.DeleteNetworkInterface(DeleteNetworkInterfaceInput{NetworkInterfaceId: "eni-nope"})
	})
	wantCode(t, err, "InvalidNetworkInterfaceID.Malformed")
	w.do(func() { _, err = w.svc.DeleteNetworkInterface(DeleteNetworkInterfaceInput{}) })
	wantCode(t, err, "MissingParameter")
	if all := w.svc.NetworkInterfaces(); len(all) != 1 || all[0] != kept {
		t.Fatalf("interfaces = %v", all)
	}
}

func TestDescribeNetworkInterfaces(t *testing.T) {
	w := newWorld(t, Options{})
	a := w.running(LaunchSpec{InstanceType: "m5.4xlarge", AZ: "us-east-1a"})
	b := w.running(LaunchSpec{InstanceType: "m5.4xlarge", AZ: "us-east-1b"})
	var onA, onB []*NetworkInterface
	w.do(func() {
		for i := 0; i < 4; i++ {
			e, _ := w.svc.AttachNetworkInterface(a.ID, "task-a")
			onA = append(onA, e)
			e, _ = w.svc.AttachNetworkInterface(b.ID, "task-b")
			onB = append(onB, e)
		}
		_ = w.svc.Terminate(b.ID, "")
	})
	describe := func(in DescribeNetworkInterfacesInput) ([]NetworkInterfaceInfo, string) {
		t.Helper()
		var out *DescribeNetworkInterfacesOutput
		var err error
		w.do(func() { out, err = w.svc.DescribeNetworkInterfaces(in) })
		if err != nil {
			t.Fatalf("%+v: %v", in, err)
		}
		return out.NetworkInterfaces, out.NextToken
	}
	for _, tc := range []struct {
		name    string
		filters []Filter
		want    int
	}{
		{"all", nil, 8},
		{"available", []Filter{{"status", []string{"available"}}}, 4},
		{"on a", []Filter{{"attachment.instance-id", []string{a.ID}}}, 4},
		{"zone b", []Filter{{"availability-zone", []string{"us-east-1b"}}}, 4},
		{"description", []Filter{{"description", []string{"task-*"}}, {"status", []string{"in-use"}}}, 4},
		{"attached", []Filter{{"attachment.status", []string{"attached"}}}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, _ := describe(DescribeNetworkInterfacesInput{Filters: tc.filters}); len(got) != tc.want {
				t.Fatalf("%d interfaces, want %d", len(got), tc.want)
			}
		})
	}
	got, _ := describe(DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{onB[0].ID, onA[0].ID}})
	in, out := got[0], got[1]
	if in.NetworkInterfaceId != onA[0].ID || in.Status != "in-use" || in.Attachment == nil ||
		in.Attachment.InstanceId != a.ID || in.Attachment.Status != "attached" || in.Attachment.DeviceIndex != 1 ||
		!strings.HasPrefix(in.Attachment.AttachmentId, "eni-attach-") || in.InterfaceType != "interface" || in.Description != "task-a" {
		t.Fatalf("attached interface = %+v (%+v)", in, in.Attachment)
	}
	if out.Status != "available" || out.Attachment != nil || out.AvailabilityZone != "us-east-1b" {
		t.Fatalf("leaked interface = %+v", out)
	}
	var ids []string
	tok := ""
	for pages := 0; ; pages++ {
		page, next := describe(DescribeNetworkInterfacesInput{MaxResults: i32(5), NextToken: tok})
		for _, e := range page {
			ids = append(ids, e.NetworkInterfaceId)
		}
		if next == "" {
			if pages != 1 {
				t.Fatalf("%d pages, want 2", pages+1)
			}
			break
		}
		tok = next
	}
	if len(ids) != 8 || ids[0] != onA[0].ID || ids[1] != onB[0].ID {
		t.Fatalf("paged ids = %v", ids)
	}
	for _, tc := range []struct {
		name, code string
		in         DescribeNetworkInterfacesInput
	}{
		{"unknown", "InvalidNetworkInterfaceID.NotFound", DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{"eni-0123456789abcdef0"}}},
		{"malformed", "InvalidNetworkInterfaceID.Malformed", DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{"i-0123456789abcdef0"}}},
		{"max results", "InvalidParameterValue", DescribeNetworkInterfacesInput{MaxResults: i32(2)}},
		{"max results with ids", "InvalidParameterCombination", DescribeNetworkInterfacesInput{MaxResults: i32(5), NetworkInterfaceIds: []string{onA[0].ID}}},
		{"filter", "InvalidParameterValue", DescribeNetworkInterfacesInput{Filters: []Filter{{"tag:Name", []string{"x"}}}}},
		{"token", "InvalidPaginationToken", DescribeNetworkInterfacesInput{NextToken: "zzz"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			w.do(func() { _, err = w.svc.DescribeNetworkInterfaces(tc.in) })
			wantCode(t, err, tc.code)
		})
	}
}

// Deleting most interfaces compacts the bookkeeping without losing order or
// breaking a listing in progress.
func TestManyDeletedInterfacesKeepListingsRight(t *testing.T) {
	w := newWorld(t, Options{})
	var insts []*Instance
	for i := 0; i < 40; i++ {
		insts = append(insts, w.launch(LaunchSpec{InstanceType: "m5.4xlarge", AZ: "us-east-1a"}))
	}
	w.c.RunFor(time.Minute)
	var keep []string
	var tok string
	w.do(func() {
		for _, inst := range insts {
			for j := 0; j < 7; j++ {
				e, err := w.svc.AttachNetworkInterface(inst.ID, "t")
				if err != nil {
					t.Fatal(err)
				}
				if j == 0 {
					keep = append(keep, e.ID)
				}
			}
		}
		out, _ := w.svc.DescribeNetworkInterfaces(DescribeNetworkInterfacesInput{MaxResults: i32(10)})
		tok = out.NextToken
		for _, e := range w.svc.NetworkInterfaces() {
			if !contains(keep, e.ID) {
				w.svc.DetachNetworkInterface(e.ID, false)
			}
		}
	})
	if n := len(w.svc.eniOrder); n >= 280 {
		t.Fatalf("no compaction: %d records kept for 40 interfaces", n)
	}
	all := w.svc.NetworkInterfaces()
	if len(all) != 40 {
		t.Fatalf("%d interfaces left, want 40", len(all))
	}
	for i, e := range all {
		if e.ID != keep[i] {
			t.Fatalf("interface %d = %s, want %s", i, e.ID, keep[i])
		}
	}
	var rest *DescribeNetworkInterfacesOutput
	w.do(func() {
		rest, _ = w.svc.DescribeNetworkInterfaces(DescribeNetworkInterfacesInput{MaxResults: i32(1000), NextToken: tok})
	})
	// The first page held 7 interfaces of the first instance and 3 of the second.
	if len(rest.NetworkInterfaces) != 38 || rest.NetworkInterfaces[0].NetworkInterfaceId != keep[2] {
		t.Fatalf("page after compaction has %d interfaces", len(rest.NetworkInterfaces))
	}
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}
