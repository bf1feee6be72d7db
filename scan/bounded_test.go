package scan

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/drain"
)

// fleet is cluster prod of n container instances i-000… with tasks tasks
// each, in group prod-asg (desired n, min 0), listed pageSize a page.
func fleet(n, tasks, pageSize int) *fakeCloud {
	f := &fakeCloud{tasks: map[string][]cloud.Task{}, pageSize: pageSize}
	g := cloud.Group{Name: "prod-asg", DesiredCapacity: n}
	for i := range n {
		id := fmt.Sprintf("i-%03d", i)
		f.cis = append(f.cis, cloud.ContainerInstance{ARN: "arn:" + id, EC2InstanceID: id, Status: cloud.ContainerInstanceActive, RunningTasks: tasks, RegisteredAt: t0})
		g.Instances = append(g.Instances, cloud.GroupInstance{InstanceID: id, Group: g.Name, LifecycleState: cloud.LifecycleInService})
	}
	f.groups = []cloud.Group{g}
	return f
}

// pass runs one pass at the clock's time and fails the test on error.
func pass(t *testing.T, s *Scanner) Report {
	t.Helper()
	rep, err := s.Pass(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func (f *fakeCloud) remove(id string) {
	f.cis = slices.DeleteFunc(f.cis, func(ci cloud.ContainerInstance) bool { return ci.EC2InstanceID == id })
}

// TestPassReadsABoundedNumberOfPages: 25 container instances listed 5 a
// page, 2 pages a pass: each pass makes 2 ListContainerInstances, the
// scanner knows every instance after 3 passes (a full listing), tells the
// reconciler where each is, and forgets an instance the next full listing
// no longer holds, not before.
func TestPassReadsABoundedNumberOfPages(t *testing.T) {
	f := fleet(25, 0, 5)
	var located map[string]drain.Location
	v := clock.NewVirtual(t0)
	s := NewScanner(f, &fakeStarter{}, &fakePolicies{}, Options{Pages: 2, Clock: v, Locate: func(m map[string]drain.Location) { located = m }})
	var known []int
	for range 3 {
		before := f.calls["ListContainerInstances"]
		rep := pass(t, s)
		if n := f.calls["ListContainerInstances"] - before; n > 2 || rep.Pages != n {
			t.Fatalf("%d pages read in a pass (report: %d), want at most 2", n, rep.Pages)
		}
		known = append(known, rep.Instances)
		v.RunFor(time.Minute)
	}
	if !slices.Equal(known, []int{10, 20, 25}) || len(located) != 25 {
		t.Fatalf("instances known after each pass %v, located %d; want 10, 20, 25 and all 25 located", known, len(located))
	}
	if want := []string{"", "5", "10", "15", "20"}; !slices.Equal(f.tokens, want) {
		t.Fatalf("pages asked %v, want %v", f.tokens, want)
	}
	if got := located["i-024"]; got.Cluster != "prod" || got.ContainerInstanceARN != "arn:i-024" {
		t.Fatalf("i-024 located at %+v", got)
	}

	f.remove("i-003") // deregistered
	for i := range 3 {
		if _, ok := located["i-003"]; !ok {
			t.Fatalf("i-003 forgotten after %d passes of the listing that finds it gone, want after the listing's last page", i)
		}
		pass(t, s)
		v.RunFor(time.Minute)
	}
	if _, ok := located["i-003"]; ok || len(located) != 24 {
		t.Fatalf("after a full listing without it, i-003 is still located (%d located)", len(located))
	}
	if calls := f.calls["DescribeContainerInstances"]; calls != 0 {
		t.Fatalf("%d DescribeContainerInstances with nothing to act on, want none", calls)
	}
}

// TestPassReadsAgainBeforeActing: idle reclamation of instances known only
// from an earlier pass reads them afresh first: one still idle is
// reclaimed, one that got a task since is not, one deregistered since is
// forgotten.
func TestPassReadsAgainBeforeActing(t *testing.T) {
	f := fleet(6, 0, 2)
	st := &fakeStarter{}
	v := clock.NewVirtual(t0)
	s := NewScanner(f, st, &fakePolicies{pol: Policy{Drain: true}},
		Options{Config: Config{IdleAfter: 10 * time.Minute, Budget: drain.Budget{Percent: 100}}, Pages: 1, Clock: v})
	for range 3 { // one full listing: i-000/001, i-002/003, i-004/005
		pass(t, s)
		v.RunFor(time.Minute)
	}
	if len(st.started) != 0 || len(f.described) != 0 {
		t.Fatalf("started %+v, described %v before anything was idle long enough", st.started, f.described)
	}
	// Since then i-002 got a task; i-003 was deregistered.
	f.cis[2].RunningTasks, f.cis[2].Version = 1, 1
	f.remove("i-003")
	v.RunFor(10 * time.Minute)
	rep := pass(t, s) // reads i-000/001; the others are known from before
	var started []string
	for _, x := range st.started {
		started = append(started, x.InstanceID)
	}
	slices.Sort(started)
	if fmt.Sprint(started) != "[i-000 i-001 i-004 i-005]" {
		t.Fatalf("started %v, want the idle ones, read afresh (i-002 got a task, i-003 is gone)", started)
	}
	if want := []string{"arn:i-002", "arn:i-003", "arn:i-004", "arn:i-005"}; !slices.Equal(f.described, want) {
		t.Fatalf("read afresh %v, want %v in one call", f.described, want)
	}
	if rep.Verified != 4 || rep.Deferred != 0 || f.calls["DescribeContainerInstances"] != 1 {
		t.Fatalf("report verified %d deferred %d, %d DescribeContainerInstances; want 4, 0, 1", rep.Verified, rep.Deferred, f.calls["DescribeContainerInstances"])
	}
	if _, ok := s.idleSince["i-002"]; ok {
		t.Fatal("i-002 got a task, yet its idle time is kept")
	}
	if _, ok := s.inv.byID["i-003"]; ok {
		t.Fatal("i-003 read afresh as gone, yet known")
	}
}

// TestPassVerifiesWithinItsBound: a pass reads afresh at most Pages
// DescribeContainerInstances of 100 before acting; the instances beyond
// wait for a later pass.
func TestPassVerifiesWithinItsBound(t *testing.T) {
	f := fleet(250, 0, 100)
	st := &fakeStarter{}
	v := clock.NewVirtual(t0)
	s := NewScanner(f, st, &fakePolicies{pol: Policy{Drain: true}},
		Options{Config: Config{IdleAfter: 10 * time.Minute, Budget: drain.Budget{Percent: 100}}, Pages: 1, Clock: v})
	for range 3 {
		pass(t, s)
	}
	v.RunFor(10 * time.Minute)
	rep := pass(t, s) // reads i-000…099; 150 known from before
	if rep.Verified != 100 || rep.Deferred != 50 || f.calls["DescribeContainerInstances"] != 1 || len(st.started) != 200 {
		t.Fatalf("verified %d, deferred %d in %d DescribeContainerInstances, %d started; want 100, 50, 1, 200",
			rep.Verified, rep.Deferred, f.calls["DescribeContainerInstances"], len(st.started))
	}
}

// TestPassRestartsAFailedListing: a page that fails is counted, the pass
// goes on with what it knows, and the cluster's listing starts again from
// its first page at the next pass.
func TestPassRestartsAFailedListing(t *testing.T) {
	f := fleet(6, 0, 2)
	f.listErr = map[string]error{"prod/2": errors.New("InvalidParameterException: Invalid nextToken.")}
	s := NewScanner(f, &fakeStarter{}, &fakePolicies{}, Options{Pages: 3, Clock: clock.NewVirtual(t0)})
	rep := pass(t, s)
	if rep.PageErrors != 1 || rep.Pages != 2 || rep.Instances != 2 {
		t.Fatalf("report %+v, want 2 pages read, 1 failed, 2 instances known", rep)
	}
	delete(f.listErr, "prod/2")
	rep = pass(t, s)
	if want := []string{"", "2", "", "2", "4"}; !slices.Equal(f.tokens, want) || rep.Instances != 6 {
		t.Fatalf("pages asked %v (%d known), want %v, all known", f.tokens, rep.Instances, want)
	}
}

// TestPassKeepsLaunchTimes: a launch time is read once per instance.
func TestPassKeepsLaunchTimes(t *testing.T) {
	f := fleet(3, 1, 100)
	s := NewScanner(f, &fakeStarter{}, &fakePolicies{}, Options{Config: Config{MaxLifetime: 7 * day}, Clock: clock.NewVirtual(t0)})
	pass(t, s)
	pass(t, s)
	f.cis = append(f.cis, cloud.ContainerInstance{ARN: "arn:i-new", EC2InstanceID: "i-new", Status: cloud.ContainerInstanceActive, RegisteredAt: t0})
	f.groups[0].Instances = append(f.groups[0].Instances, cloud.GroupInstance{InstanceID: "i-new", Group: "prod-asg", LifecycleState: cloud.LifecycleInService})
	pass(t, s)
	if got := fmt.Sprint(f.launchAsked); got != "[[i-000 i-001 i-002] [i-new]]" {
		t.Fatalf("DescribeInstances asked for %s, want every instance once", got)
	}
}

// TestPassListsTasksWithinItsBound: instances whose task count cannot tell
// are listed at most Pages a pass; the others wait, untouched, for a later
// pass.
func TestPassListsTasksWithinItsBound(t *testing.T) {
	f := fleet(5, 1, 100) // one task each: the agent, once it is known
	for _, ci := range f.cis {
		f.tasks[ci.ARN] = []cloud.Task{agent}
	}
	for i := range f.groups[0].Instances {
		f.groups[0].Instances[i].ProtectedFromScaleIn = true
	}
	s := NewScanner(f, &fakeStarter{}, &fakePolicies{pol: Policy{Protect: true}}, Options{Pages: 2, Clock: clock.NewVirtual(t0)})
	s.daemons["prod"] = map[string]bool{"agent": true}
	var unprotected []int
	for range 3 {
		before := f.calls["TasksOn"]
		rep := pass(t, s)
		if n := f.calls["TasksOn"] - before; n > 2 {
			t.Fatalf("%d TasksOn in a pass, want at most 2", n)
		}
		unprotected = append(unprotected, rep.Unprotected)
	}
	// The first pass's probe tells i-000 idle, its second listing i-001;
	// each pass after tells two more. (The fake group keeps them protected:
	// each pass unprotects every instance told idle so far.)
	if !slices.Equal(unprotected, []int{2, 4, 5}) {
		t.Fatalf("unprotected per pass %v, want 2, 4, 5: only instances told idle", unprotected)
	}
}
