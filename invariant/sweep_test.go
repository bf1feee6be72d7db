package invariant

import (
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/ec2"
)

// awsvpcHosts: web runs in awsvpc mode, one network interface per task; no
// hooks, so a direct EC2 termination ends an instance outside drainer.
const awsvpcHosts = `
name: awsvpc
seed: 6
clusters: [{name: c}]
taskDefinitions:
  - {family: web, cpu: 256, memory: 512, networkMode: awsvpc}
groups:
  - {name: g, cluster: c, min: 0, max: 3, desired: 2}
services:
  - {name: web, cluster: c, taskDefinition: web, desired: 4}
`

// terminateDirectly ends a busy instance through EC2, as an operator at
// the console would, and returns it with the interfaces its tasks held.
func terminateDirectly(t *testing.T, w *emulator.World) (string, []string) {
	t.Helper()
	victim := busyMember(t, w, "g")
	var enis []string
	w.Do(func() {
		for _, eni := range w.EC2.NetworkInterfaces() {
			if eni.InstanceID == victim {
				enis = append(enis, eni.ID)
			}
		}
	})
	if len(enis) == 0 {
		t.Fatal("the victim's tasks hold no network interface")
	}
	call(t, w, "operator", w.EC2.TerminateInstances, ec2.TerminateInstancesInput{InstanceIds: []string{victim}})
	return victim, enis
}

// terminatedAt waits until an instance is terminated and returns when.
func terminatedAt(t *testing.T, w *emulator.World, id string) time.Time {
	t.Helper()
	for range 120 {
		var state ec2.State
		w.Do(func() {
			if inst, ok := w.EC2.Instance(id); ok {
				state = inst.State
			}
		})
		if state == ec2.StateTerminated {
			return w.Now()
		}
		w.Clock.RunFor(time.Second)
	}
	t.Fatalf("%s not terminated after 2 minutes", id)
	return time.Time{}
}

func TestRule6LeftoversOfAnInstanceEndedOutsideDrainer(t *testing.T) {
	w, c := build(t, awsvpcHosts, Options{SweepInterval: 5 * time.Minute})
	victim, enis := terminateDirectly(t, w)
	gone := terminatedAt(t, w, victim)
	w.Clock.RunUntil(gone.Add(5*time.Minute - time.Second))
	look(w)
	wantExactly(t, c.Violations()) // still within the sweep interval
	w.Clock.RunUntil(gone.Add(5 * time.Minute))
	look(w)
	vs := c.Violations()
	wantExactly(t, vs, 6)
	if len(vs) != len(enis) {
		t.Fatalf("violations:\n%s\nwant one per interface of %v", rules(vs), enis)
	}
	for i, v := range vs {
		if v.Instance != enis[i] || !strings.Contains(v.What, victim) {
			t.Errorf("violation %d = %s, want interface %s of %s", i, v, enis[i], victim)
		}
	}
	w.Clock.RunFor(10 * time.Minute)
	if got := len(c.Violations()); got != len(enis) {
		t.Fatalf("%d violations after 10 more minutes, want each interface reported once (%d)", got, len(enis))
	}
}

func TestRule6NotBrokenWhenTheSweepDeletesThemInTime(t *testing.T) {
	w, c := build(t, awsvpcHosts, Options{})
	victim, enis := terminateDirectly(t, w)
	gone := terminatedAt(t, w, victim)
	w.Clock.RunUntil(gone.Add(time.Minute))
	for _, id := range enis {
		call(t, w, drainerCaller, w.EC2.DeleteNetworkInterface, ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: id})
	}
	w.Clock.RunFor(10 * time.Minute)
	look(w)
	wantExactly(t, c.Violations())
	wantExactly(t, c.Final())
}

func TestRule6LeavesOtherClustersLeftoversAlone(t *testing.T) {
	w, c := build(t, awsvpcHosts, Options{Clusters: []string{"elsewhere"}})
	victim, _ := terminateDirectly(t, w)
	terminatedAt(t, w, victim)
	w.Clock.RunFor(10 * time.Minute)
	look(w)
	wantExactly(t, c.Violations())
	// Final still reports every interface left available.
	wantExactly(t, c.Final(), 6)
}
