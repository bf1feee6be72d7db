package scan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/drain"
)

// fakeCloud is a world of one cluster "prod" behind one group "prod-asg",
// answering the scan's calls from its fields and counting them.
type fakeCloud struct {
	cis      []cloud.ContainerInstance
	groups   []cloud.Group
	tasks    map[string][]cloud.Task // by container instance ARN
	tasksErr map[string]error
	launch   map[string]time.Time // t0 when missing
	// protectErr fails every SetInstanceProtection call.
	protectErr error
	groupsErr  error
	// pageSize is the listing's page size (100 when 0); listErr fails the
	// page of "cluster/token".
	pageSize int
	listErr  map[string]error

	// described are the ARNs DescribeContainerInstances was asked for;
	// tokens the tokens of the pages asked for; launchAsked the ids of
	// each DescribeInstances.
	described   []string
	tokens      []string
	launchAsked [][]string

	calls      map[string]int
	protection []ProtectionBatch
	// enis are the available task interfaces; deleted those removed.
	enis    []string
	deleted []string
}

func (f *fakeCloud) count(op string) {
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[op]++
}

func (f *fakeCloud) ListClusters(context.Context) ([]string, error) {
	f.count("ListClusters")
	return []string{"prod"}, nil
}

// ListContainerInstancesPage pages f.cis by pageSize (100 when 0): the
// token is the index of the page's first instance.
func (f *fakeCloud) ListContainerInstancesPage(_ context.Context, cluster string, _ cloud.ContainerInstanceStatus, token string) ([]cloud.ContainerInstance, string, error) {
	f.count("ListContainerInstances")
	f.tokens = append(f.tokens, token)
	if err := f.listErr[cluster+"/"+token]; err != nil {
		return nil, "", err
	}
	if cluster != "prod" {
		return nil, "", nil
	}
	size := f.pageSize
	if size == 0 {
		size = 100
	}
	from := 0
	if token != "" {
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 || n > len(f.cis) {
			return nil, "", fmt.Errorf("token %q: InvalidParameterException", token)
		}
		from = n
	}
	to := min(from+size, len(f.cis))
	next := ""
	if to < len(f.cis) {
		next = strconv.Itoa(to)
	}
	return slices.Clone(f.cis[from:to]), next, nil
}

// DescribeContainerInstances describes those of f.cis asked for, by ARN.
func (f *fakeCloud) DescribeContainerInstances(_ context.Context, cluster string, arns []string) ([]cloud.ContainerInstance, error) {
	f.count("DescribeContainerInstances")
	f.described = append(f.described, arns...)
	if cluster != "prod" {
		return nil, nil
	}
	var out []cloud.ContainerInstance
	for _, arn := range arns {
		for _, ci := range f.cis {
			if ci.ARN == arn {
				out = append(out, ci)
			}
		}
	}
	return out, nil
}

func (f *fakeCloud) TasksOn(_ context.Context, _, arn string) ([]cloud.Task, error) {
	f.count("TasksOn")
	return f.tasks[arn], f.tasksErr[arn]
}

func (f *fakeCloud) DescribeGroups(context.Context, []string) ([]cloud.Group, error) {
	f.count("DescribeGroups")
	return f.groups, f.groupsErr
}

func (f *fakeCloud) SetInstanceProtection(_ context.Context, group string, ids []string, on bool) error {
	f.count("SetInstanceProtection")
	if f.protectErr != nil {
		return f.protectErr
	}
	f.protection = append(f.protection, ProtectionBatch{Group: group, Protect: on, InstanceIDs: slices.Clone(ids)})
	return nil
}

func (f *fakeCloud) AvailableNetworkInterfaces(_ context.Context, q cloud.NetworkInterfaceQuery) ([]cloud.NetworkInterface, error) {
	f.count("DescribeNetworkInterfaces")
	if d := q.Filters["description"]; len(d) != 1 || d[0] != TaskInterfaceDescription {
		return nil, fmt.Errorf("the sweep asked for interfaces %v, want only ECS tasks' (%s)", q.Filters, TaskInterfaceDescription)
	}
	var out []cloud.NetworkInterface
	for _, id := range f.enis {
		if !slices.Contains(f.deleted, id) {
			out = append(out, cloud.NetworkInterface{ID: id, Status: "available"})
		}
	}
	return out, nil
}

func (f *fakeCloud) DeleteNetworkInterface(_ context.Context, id string) error {
	f.count("DeleteNetworkInterface")
	f.deleted = append(f.deleted, id)
	return nil
}

func (f *fakeCloud) DescribeInstances(_ context.Context, ids []string) ([]cloud.Instance, error) {
	f.count("DescribeInstances")
	f.launchAsked = append(f.launchAsked, slices.Clone(ids))
	var out []cloud.Instance
	for _, id := range ids {
		lt, ok := f.launch[id]
		if !ok {
			lt = t0
		}
		out = append(out, cloud.Instance{ID: id, LaunchTime: lt})
	}
	return out, nil
}

type fakeStarter struct {
	resumed   int
	resumeErr error
	resumes   int
	startErr  map[string]error
	started   []Start
	drains    []drain.Status
}

func (f *fakeStarter) Resume(context.Context) (int, error) {
	f.resumes++
	return f.resumed, f.resumeErr
}

func (f *fakeStarter) Start(_ context.Context, id string, t drain.Trigger) error {
	if err := f.startErr[id]; err != nil {
		return err
	}
	f.started = append(f.started, Start{InstanceID: id, Trigger: t})
	f.drains = append(f.drains, drain.Status{InstanceID: id})
	return nil
}

func (f *fakeStarter) Drains() []drain.Status { return f.drains }

type fakePolicies struct {
	pol    Policy
	groups []string
}

func (f *fakePolicies) GroupPolicies(_ context.Context, groups []string) (map[string]Policy, error) {
	f.groups = groups
	out := map[string]Policy{}
	for _, g := range groups {
		out[g] = f.pol
	}
	return out, nil
}

var (
	agent = cloud.Task{Class: cloud.TaskDaemon, Service: "agent", LastStatus: cloud.TaskRunning}
	web   = cloud.Task{Class: cloud.TaskService, Service: "web", LastStatus: cloud.TaskRunning}
)

// prod has, in group prod-asg (desired 4, min 1): i-daemon (the agent
// only), i-web (agent and web: 2 tasks), i-busy (3 tasks), i-empty (no
// task). A group "elsewhere" holds no container instance of prod.
func prod() *fakeCloud {
	f := &fakeCloud{tasks: map[string][]cloud.Task{}}
	g := cloud.Group{Name: "prod-asg", DesiredCapacity: 4, MinSize: 1}
	for _, h := range []struct {
		id    string
		tasks []cloud.Task
	}{{"i-daemon", []cloud.Task{agent}}, {"i-web", []cloud.Task{agent, web}}, {"i-busy", []cloud.Task{agent, web, web}}, {"i-empty", nil}} {
		arn := "arn:" + h.id
		f.cis = append(f.cis, cloud.ContainerInstance{ARN: arn, EC2InstanceID: h.id, Status: cloud.ContainerInstanceActive, RunningTasks: len(h.tasks), RegisteredAt: t0})
		f.tasks[arn] = h.tasks
		g.Instances = append(g.Instances, cloud.GroupInstance{InstanceID: h.id, Group: g.Name, LifecycleState: cloud.LifecycleInService})
	}
	f.groups = []cloud.Group{{Name: "elsewhere", Instances: []cloud.GroupInstance{{InstanceID: "i-stranger"}}}, g}
	return f
}

func TestPassCostsWhatScanDocuments(t *testing.T) {
	f := prod()
	pol := &fakePolicies{pol: Policy{Protect: true, Drain: true}}
	s := NewScanner(f, &fakeStarter{}, pol, Options{Clock: clock.NewVirtual(t0)})
	rep, err := s.Pass(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// The probe lists i-daemon (fewest tasks above zero) and learns the
	// agent; that listing also tells i-daemon (1 task, 1 daemon known)
	// idle; i-web and i-busy (more tasks than daemons) and i-empty need no
	// listing.
	want := map[string]int{"ListClusters": 1, "ListContainerInstances": 1, "DescribeGroups": 1, "TasksOn": 1, "SetInstanceProtection": 1}
	if fmt.Sprint(f.calls) != fmt.Sprint(want) {
		t.Fatalf("calls %v, want %v (no DescribeInstances without a time-to-live)", f.calls, want)
	}
	if rep.TasksListed != 0 || rep.Groups != 1 || rep.Instances != 4 || rep.Protected != 2 || rep.ProtectionCalls != 1 {
		t.Fatalf("report %+v", rep)
	}
	if got := f.protection; len(got) != 1 || fmt.Sprint(got[0].InstanceIDs) != "[i-busy i-web]" {
		t.Fatalf("protection calls %+v, want i-busy and i-web protected", got)
	}
	if fmt.Sprint(pol.groups) != "[prod-asg]" || rep.Policies["prod-asg"] != pol.pol {
		t.Fatalf("policies read for %v, reported %v", pol.groups, rep.Policies)
	}

	// A second pass lists no instance whose record did not change (its
	// version), not even the daemon probe; once i-daemon's record changes,
	// it is listed again.
	before := f.calls["TasksOn"]
	if rep, err = s.Pass(t.Context()); err != nil {
		t.Fatal(err)
	}
	if f.calls["TasksOn"]-before != 0 || rep.TasksListed != 0 {
		t.Fatalf("%d TasksOn on an unchanged cluster (report lists %d), want none", f.calls["TasksOn"]-before, rep.TasksListed)
	}
	f.cis[0].Version++
	before = f.calls["TasksOn"]
	if _, err = s.Pass(t.Context()); err != nil {
		t.Fatal(err)
	}
	if f.calls["TasksOn"]-before != 1 {
		t.Fatalf("%d TasksOn after i-daemon's record changed, want it listed again, once", f.calls["TasksOn"]-before)
	}

	// With a time-to-live: one DescribeInstances for the launch times.
	f = prod()
	s = NewScanner(f, &fakeStarter{}, pol, Options{Config: Config{MaxLifetime: 7 * day}, Clusters: []string{"prod"}})
	if _, err := s.Pass(t.Context()); err != nil {
		t.Fatal(err)
	}
	if f.calls["DescribeInstances"] != 1 || f.calls["ListClusters"] != 0 {
		t.Fatalf("calls %v, want one DescribeInstances and no ListClusters (clusters given)", f.calls)
	}
}

func TestPassStartsTimeToLiveThenIdleDrains(t *testing.T) {
	f := prod()
	f.launch = map[string]time.Time{"i-busy": t0.Add(-8 * day)}
	st := &fakeStarter{}
	v := clock.NewVirtual(t0)
	s := NewScanner(f, st, &fakePolicies{pol: Policy{Drain: true}}, Options{Config: Config{MaxLifetime: 7 * day, IdleAfter: 10 * time.Minute, Budget: drain.Budget{Count: 2}}, Clock: v})
	rep, err := s.Pass(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rep.TTLStarted, rep.IdleStarted) != "[i-busy] []" {
		t.Fatalf("first pass started ttl %v idle %v, want i-busy's time-to-live drain only", rep.TTLStarted, rep.IdleStarted)
	}
	v.RunFor(10 * time.Minute)
	rep, err = s.Pass(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// Desired 4, min 1, budget 2 with i-busy draining: one idle drain,
	// the other idle instance held.
	if fmt.Sprint(rep.IdleStarted) != "[i-daemon]" || fmt.Sprint(rep.HeldByBudget) != "[i-empty]" {
		t.Fatalf("second pass started idle %v held %v, want i-daemon started (oldest by id on a tie) and i-empty held", rep.IdleStarted, rep.HeldByBudget)
	}
	want := []Start{
		{InstanceID: "i-busy", Trigger: drain.Trigger{Reason: drain.ReasonTTL, At: t0, Group: "prod-asg"}},
		{InstanceID: "i-daemon", Trigger: drain.Trigger{Reason: drain.ReasonIdle, At: t0.Add(10 * time.Minute), Group: "prod-asg"}},
	}
	if !slices.Equal(st.started, want) {
		t.Fatalf("started %+v, want %+v", st.started, want)
	}
}

func TestPassResumesOnceAndFailsWithoutActing(t *testing.T) {
	f := prod()
	st := &fakeStarter{resumed: 3, resumeErr: errors.New("throttled")}
	s := NewScanner(f, st, &fakePolicies{pol: Policy{Protect: true}}, Options{})
	if _, err := s.Pass(t.Context()); err == nil || f.calls["ListContainerInstances"] != 0 {
		t.Fatalf("pass after a failed resume: %v, calls %v; want an error and nothing read", err, f.calls)
	}
	st.resumeErr = nil
	if rep, err := s.Pass(t.Context()); err != nil || rep.Resumed != 3 {
		t.Fatalf("second pass: resumed %d, %v; want 3", rep.Resumed, err)
	}
	if rep, err := s.Pass(t.Context()); err != nil || rep.Resumed != 0 || st.resumes != 2 {
		t.Fatalf("third pass: resumed %d (%d calls), %v; want no second resume", rep.Resumed, st.resumes, err)
	}

	f.groupsErr = errors.New("throttled")
	f.protection = nil
	if _, err := s.Pass(t.Context()); err == nil || len(f.protection) != 0 {
		t.Fatalf("pass that could not read the groups: %v, protection %+v; want an error and no action", err, f.protection)
	}
	if _, err := NewScanner(nil, st, &fakePolicies{}, Options{}).Pass(t.Context()); err == nil {
		t.Fatal("a scanner without a cloud passed")
	}
}

func TestPassCountsWhatFailed(t *testing.T) {
	f := prod()
	f.tasksErr = map[string]error{"arn:i-daemon": errors.New("throttled")}
	f.protectErr = errors.New("ResourceContention")
	st := &fakeStarter{startErr: map[string]error{"i-empty": errors.New("throttled")}}
	s := NewScanner(f, st, &fakePolicies{pol: Policy{Protect: true, Drain: true}},
		Options{Config: Config{IdleAfter: time.Nanosecond, Budget: drain.Budget{Percent: 100}}, Clock: clock.NewVirtual(t0)})
	s.idleSince = map[string]time.Time{"i-daemon": t0.Add(-time.Hour), "i-empty": t0.Add(-time.Hour)}
	// The agent is known from a pass before: i-daemon's one task must be
	// listed to tell.
	s.daemons["prod"] = map[string]bool{"agent": true}
	rep, err := s.Pass(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// i-daemon's tasks could not be listed: busy, so neither reclaimed nor
	// left unprotected; i-empty's drain did not start.
	if rep.ProtectionErrors != 1 || rep.Protected != 0 || rep.Failures != 1 || len(rep.IdleStarted) != 0 || len(st.started) != 0 {
		t.Fatalf("report %+v, started %+v", rep, st.started)
	}
	if _, idle := s.idleSince["i-daemon"]; idle {
		t.Fatal("an instance whose tasks could not be listed is remembered idle")
	}
}

func TestRunPassesEveryIntervalOnItsClock(t *testing.T) {
	f := prod()
	v := clock.NewVirtual(t0)
	var passes []time.Duration
	s := NewScanner(f, &fakeStarter{}, &fakePolicies{}, Options{Clock: v, OnPass: func(Report, error) { passes = append(passes, v.Now().Sub(t0)) }})
	if err := s.Run(t.Context(), 0); err == nil {
		t.Fatal("Run with no interval")
	}
	ctx, cancel := context.WithCancel(t.Context())
	var runErr error
	clock.Go(ctx, v, func(ctx context.Context) { runErr = s.Run(ctx, time.Minute) })
	v.Settle()
	if n := f.calls["DescribeGroups"]; n != 1 {
		t.Fatalf("%d passes at start, want 1", n)
	}
	v.RunFor(59 * time.Second)
	if n := f.calls["DescribeGroups"]; n != 1 {
		t.Fatalf("%d passes before the interval, want 1", n)
	}
	v.RunFor(time.Second)
	if n := f.calls["DescribeGroups"]; n != 2 {
		t.Fatalf("%d passes after one interval, want 2", n)
	}
	if want := []time.Duration{0, time.Minute}; !slices.Equal(passes, want) {
		t.Fatalf("OnPass told of passes at %v, want %v", passes, want)
	}
	cancel()
	v.Settle()
	if !errors.Is(runErr, context.Canceled) || v.Goroutines() != 0 {
		t.Fatalf("Run returned %v (%d goroutines left), want context.Canceled", runErr, v.Goroutines())
	}
}
