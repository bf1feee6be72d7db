package ec2

import (
	"testing"
	"time"
)

// TestTenThousandInstances checks the world's size target stays cheap:
// 10,000 instances with 7 task interfaces each, then a filtered describe.
func TestTenThousandInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("scale test")
	}
	w := newWorld(t, Options{})
	ids := make([]string, 0, 10000)
	w.do(func() {
		for i := 0; i < 10000; i++ {
			inst, err := w.svc.Launch(LaunchSpec{InstanceType: "m5.4xlarge", AZ: "us-east-1" + string(rune('a'+i%3))})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, inst.ID)
		}
	})
	w.c.RunFor(time.Minute)
	w.do(func() {
		for _, id := range ids {
			for j := 0; j < 7; j++ {
				if _, err := w.svc.AttachNetworkInterface(id, "task"); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, id := range ids[:5000] {
			_ = w.svc.Terminate(id, "")
		}
	})
	w.c.RunFor(2 * time.Hour)
	var out *DescribeNetworkInterfacesOutput
	var dout *DescribeInstancesOutput
	w.do(func() {
		out, _ = w.svc.DescribeNetworkInterfaces(DescribeNetworkInterfacesInput{Filters: []Filter{{"status", []string{"available"}}}})
		dout, _ = w.svc.DescribeInstances(DescribeInstancesInput{Filters: []Filter{{"instance-state-name", []string{"running"}}}})
	})
	if len(out.NetworkInterfaces) != 35000 || len(dout.Reservations) != 5000 || len(w.svc.Instances()) != 5000 {
		t.Fatalf("%d leaked interfaces, %d running, %d known", len(out.NetworkInterfaces), len(dout.Reservations), len(w.svc.Instances()))
	}
}
