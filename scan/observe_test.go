package scan

import (
	"fmt"
	"testing"

	"github.com/drainer-dev/drainer/cloud"
)

func TestCountTells(t *testing.T) {
	for _, tc := range []struct {
		running, pending, daemons int
		busy, known               bool
	}{
		{0, 0, 0, false, true},
		{0, 0, 3, false, true},
		{1, 0, 0, true, true},   // no daemon service known: any task is busy
		{0, 2, 1, true, true},   // pending tasks count
		{2, 0, 2, false, false}, // as many as the daemons: list them
		{1, 0, 2, false, false},
	} {
		ci := cloud.ContainerInstance{RunningTasks: tc.running, PendingTasks: tc.pending}
		if busy, known := countTells(ci, tc.daemons); busy != tc.busy || known != tc.known {
			t.Errorf("%d running + %d pending, %d daemons: busy %v known %v, want %v %v", tc.running, tc.pending, tc.daemons, busy, known, tc.busy, tc.known)
		}
	}
}

func TestClassify(t *testing.T) {
	daemon := cloud.Task{Class: cloud.TaskDaemon, Service: "agent", LastStatus: cloud.TaskRunning}
	stoppedWeb := cloud.Task{Class: cloud.TaskService, Service: "web", LastStatus: cloud.TaskStopped}
	stopping := cloud.Task{Class: cloud.TaskStandalone, LastStatus: cloud.TaskRunning, DesiredStatus: cloud.TaskStopped}
	stoppedDaemon := cloud.Task{Class: cloud.TaskDaemon, Service: "old-agent", LastStatus: cloud.TaskStopped}
	for _, tc := range []struct {
		name    string
		tasks   []cloud.Task
		busy    bool
		daemons string
	}{
		{"none", nil, false, "[]"},
		{"daemon only", []cloud.Task{daemon, stoppedWeb, stoppedDaemon}, false, "[agent]"},
		{"asked to stop is not stopped", []cloud.Task{daemon, stopping}, true, "[agent]"},
	} {
		busy, daemons := classify(tc.tasks)
		if busy != tc.busy || fmt.Sprint(daemons) != tc.daemons {
			t.Errorf("%s: busy %v daemons %v, want %v %s", tc.name, busy, daemons, tc.busy, tc.daemons)
		}
	}
}

func TestDaemonProbesPickTheFewestTasksPerCluster(t *testing.T) {
	at := map[string]known{
		"i-empty": {cluster: "a", ci: cloud.ContainerInstance{ARN: "empty"}},
		"i-3":     {cluster: "a", ci: cloud.ContainerInstance{ARN: "a3", RunningTasks: 3}},
		"i-1":     {cluster: "a", ci: cloud.ContainerInstance{ARN: "a1", RunningTasks: 1}},
		"i-1b":    {cluster: "a", ci: cloud.ContainerInstance{ARN: "a1b", PendingTasks: 1}},
		"i-b":     {cluster: "b", ci: cloud.ContainerInstance{ARN: "b2", RunningTasks: 1, PendingTasks: 1}},
	}
	got := daemonProbes([]string{"i-empty", "i-3", "i-1", "i-1b", "i-b"}, at)
	if len(got) != 2 || got["a"].ARN != "a1" || got["b"].ARN != "b2" {
		t.Fatalf("probes %+v, want a1 (fewest, first on a tie) and b2", got)
	}
}

func TestServedGroupsHoldAContainerInstance(t *testing.T) {
	at := map[string]known{"i-1": {}, "i-2": {}}
	groups := []cloud.Group{
		{Name: "z", Instances: []cloud.GroupInstance{{InstanceID: "i-other"}, {InstanceID: "i-2"}}},
		{Name: "other", Instances: []cloud.GroupInstance{{InstanceID: "i-x"}}},
		{Name: "a", Instances: []cloud.GroupInstance{{InstanceID: "i-1"}}},
	}
	got := served(groups, at)
	if len(got) != 2 || got[0].Name != "a" || got[1].Name != "z" {
		t.Fatalf("served %+v, want a and z, by name", got)
	}
	if ids := members(got, at); fmt.Sprint(ids) != "[i-1 i-2]" {
		t.Fatalf("members %v, want the container instances in group order", ids)
	}
}
