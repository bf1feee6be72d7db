package autoscaling

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/emulator/core"
)

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

const (
	bootDelay = 40 * time.Second // pending → running
	stopDelay = 30 * time.Second // shutting-down → terminated
	queueARN  = "arn:aws:sqs:us-east-1:123456789012:drain"
)

// fakeFleet is a tiny EC2: instances run bootDelay after launch and are
// gone stopDelay after termination, reported back through the service.
type fakeFleet struct {
	env        *core.Env
	svc        *Service
	launched   []LaunchRequest
	ids        []string
	terminated []string          // order of Terminate calls
	gone       map[string]bool   // EC2 reported terminated
	spot       map[string]bool   // launched as Spot
	failNext   int               // fail this many launches
	alive      map[string]string // id → AZ, while not terminated
}

func (f *fakeFleet) Launch(req LaunchRequest) (LaunchedInstance, error) {
	if f.failNext > 0 {
		f.failNext--
		return LaunchedInstance{}, errors.New("InsufficientInstanceCapacity: no capacity")
	}
	id := f.env.ID("i-", 17)
	f.launched = append(f.launched, req)
	f.ids = append(f.ids, id)
	f.alive[id] = req.AZ
	spot := req.Market == "spot"
	f.spot[id] = spot
	f.env.After(bootDelay, func() {
		if _, ok := f.alive[id]; ok {
			f.svc.InstanceRunning(id)
		}
	})
	itype := req.InstanceType
	if itype == "" {
		itype = "m5.large"
	}
	return LaunchedInstance{ID: id, AZ: req.AZ, InstanceType: itype, LaunchTemplateVersion: "1", Spot: spot}, nil
}

func (f *fakeFleet) Terminate(id string) error {
	if _, ok := f.alive[id]; !ok {
		return fmt.Errorf("InvalidInstanceID.NotFound: %s", id)
	}
	f.terminated = append(f.terminated, id)
	f.env.After(stopDelay, func() { f.kill(id) })
	return nil
}

// kill is EC2 terminating the instance (by request or on its own).
func (f *fakeFleet) kill(id string) {
	if _, ok := f.alive[id]; !ok {
		return
	}
	delete(f.alive, id)
	f.gone[id] = true
	f.svc.InstanceTerminated(id)
}

type world struct {
	t     *testing.T
	clock *clock.Virtual
	env   *core.Env
	svc   *Service
	fleet *fakeFleet
	rec   *core.Recorder
	log   []string // "id from→to"
}

func newWorld(t *testing.T) *world {
	t.Helper()
	c := clock.NewVirtual(t0)
	env := core.NewEnv(c, core.Options{Seed: 1})
	rec := &core.Recorder{}
	f := &fakeFleet{env: env, gone: map[string]bool{}, spot: map[string]bool{}, alive: map[string]string{}}
	svc := New(env, Options{Fleet: f, Queues: rec, Events: rec})
	f.svc = svc
	w := &world{t: t, clock: c, env: env, svc: svc, fleet: f, rec: rec}
	svc.OnLifecycleChange(func(g, id, from, to string) { w.log = append(w.log, id+" "+from+"→"+to) })
	return w
}

// do runs f under the world lock, as the wire front would.
func (w *world) do(f func()) { w.env.Do(f) }

func (w *world) run(d time.Duration) { w.clock.RunFor(d) }

func i32(v int32) *int32 { return &v }
func bptr(v bool) *bool  { return &v }

// group creates a group with the given sizes over zones a, b, c.
func (w *world) group(name string, minSize, maxSize, desired int32, mod ...func(*CreateAutoScalingGroupInput)) {
	w.t.Helper()
	in := CreateAutoScalingGroupInput{
		AutoScalingGroupName: name,
		LaunchTemplate:       &LaunchTemplateSpecification{LaunchTemplateName: "ecs", Version: "$Latest"},
		MinSize:              i32(minSize), MaxSize: i32(maxSize), DesiredCapacity: i32(desired),
		AvailabilityZones: []string{"us-east-1a", "us-east-1b", "us-east-1c"},
	}
	for _, m := range mod {
		m(&in)
	}
	var err error
	w.do(func() { _, err = w.svc.CreateAutoScalingGroup(in) })
	if err != nil {
		w.t.Fatalf("CreateAutoScalingGroup: %v", err)
	}
}

func (w *world) hook(groupName, name, transition string, heartbeat int32, result string) {
	w.t.Helper()
	var err error
	w.do(func() {
		_, err = w.svc.PutLifecycleHook(PutLifecycleHookInput{AutoScalingGroupName: groupName, LifecycleHookName: name,
			LifecycleTransition: transition, HeartbeatTimeout: i32(heartbeat), DefaultResult: result, NotificationTargetARN: queueARN})
	})
	if err != nil {
		w.t.Fatalf("PutLifecycleHook: %v", err)
	}
}

// instances returns the group's instances as described.
func (w *world) instances(name string) []Instance {
	w.t.Helper()
	var out *DescribeAutoScalingGroupsOutput
	var err error
	w.do(func() {
		out, err = w.svc.DescribeAutoScalingGroups(DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{name}})
	})
	if err != nil || len(out.AutoScalingGroups) != 1 {
		w.t.Fatalf("DescribeAutoScalingGroups(%s) = %v, %v", name, out, err)
	}
	return out.AutoScalingGroups[0].Instances
}

func (w *world) desc(name string) AutoScalingGroup {
	w.t.Helper()
	var out *DescribeAutoScalingGroupsOutput
	w.do(func() {
		out, _ = w.svc.DescribeAutoScalingGroups(DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{name}})
	})
	return out.AutoScalingGroups[0]
}

// states counts instances by lifecycle state.
func (w *world) states(name string) map[string]int {
	m := map[string]int{}
	for _, in := range w.instances(name) {
		m[in.LifecycleState]++
	}
	return m
}

func (w *world) state(name, id string) string {
	for _, in := range w.instances(name) {
		if in.InstanceId == id {
			return in.LifecycleState
		}
	}
	return "absent"
}

func (w *world) setDesired(name string, d int32) {
	w.t.Helper()
	var err error
	w.do(func() {
		_, err = w.svc.SetDesiredCapacity(SetDesiredCapacityInput{AutoScalingGroupName: name, DesiredCapacity: i32(d)})
	})
	if err != nil {
		w.t.Fatalf("SetDesiredCapacity: %v", err)
	}
}

func (w *world) complete(groupName, hookName, id, result string) error {
	var err error
	w.do(func() {
		_, err = w.svc.CompleteLifecycleAction(CompleteLifecycleActionInput{AutoScalingGroupName: groupName,
			LifecycleHookName: hookName, InstanceId: id, LifecycleActionResult: result})
	})
	return err
}

func (w *world) heartbeat(groupName, hookName, id string) error {
	var err error
	w.do(func() {
		_, err = w.svc.RecordLifecycleActionHeartbeat(RecordLifecycleActionHeartbeatInput{AutoScalingGroupName: groupName,
			LifecycleHookName: hookName, InstanceId: id})
	})
	return err
}

// waiting returns the ids of instances in the given state.
func (w *world) inState(name, state string) []string {
	var ids []string
	for _, in := range w.instances(name) {
		if in.LifecycleState == state {
			ids = append(ids, in.InstanceId)
		}
	}
	return ids
}

func (w *world) actions(id string) []LifecycleAction {
	var out []LifecycleAction
	w.do(func() { out = w.svc.LifecycleActions(id) })
	return out
}

func (w *world) activities(name string) []Activity {
	var out *DescribeScalingActivitiesOutput
	w.do(func() {
		out, _ = w.svc.DescribeScalingActivities(DescribeScalingActivitiesInput{AutoScalingGroupName: name})
	})
	return out.Activities
}

func (w *world) wasTerminated(id string) bool {
	for _, x := range w.fleet.terminated {
		if x == id {
			return true
		}
	}
	return false
}

func codeOf(err error) string { return core.CodeOf(err) }
