package sim

import (
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/assembly"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/ecs"
)

// yard is the world of the task stories: two instances behind drainer's
// hook (1 m heartbeats, so a 100 m global timeout: the graceful phase ends
// 94 m after the drain starts and the hard deadline 5 m later), an api
// service, a daemon and one long standalone report task (6 h, 20 s to
// stop, a stopTimeout of 60 s). SERVICE is replaced with api's deployment
// limits.
const yard = `
name: task-stories
seed: 31
clusters: [{name: prod}]
queues: [{name: drainer}]
rules:
  - name: to-drainer
    queue: drainer
    pattern:
      source: [aws.ecs]
      detail-type: [ECS Task State Change, ECS Container Instance State Change]
taskDefinitions:
  - {family: api, cpu: 256, memory: 512, start: 15s, stop: 10s}
  - {family: agent, cpu: 64, memory: 128, stop: 5s}
  - {family: report, cpu: 256, memory: 256, run: 6h, stop: 20s, stopTimeout: 60s}
groups:
  - name: prod-asg
    cluster: prod
    instanceType: m5.xlarge
    min: 1
    max: 4
    desired: 2
    hooks: [{name: drainer, heartbeatTimeout: 1m, defaultResult: ABANDON, queue: drainer}]
services:
  - {name: api, cluster: prod, taskDefinition: api, desired: 4, SERVICE}
  - {name: agent, cluster: prod, taskDefinition: agent, daemon: true}
jobs:
  - {cluster: prod, taskDefinition: report, count: 1, at: 2m}
`

// taskSeen is what the world did to one task, in virtual time.
type taskSeen struct {
	arn, family, class, instance string
	askedToStop, stopped         time.Time
	reason                       string
}

// watchTasks records, for every task, when it was asked to stop and when
// it was STOPPED.
func watchTasks(h *Harness) map[string]*taskSeen {
	seen := map[string]*taskSeen{}
	h.World.Do(func() {
		h.World.ECS.OnTaskChange(func(tk *ecs.Task, _, fromDesired string) {
			s := seen[tk.TaskArn]
			if s == nil {
				s = &taskSeen{arn: tk.TaskArn, class: h.World.ECS.TaskClass(tk), family: family(tk.TaskDefinitionArn)}
				if ci := tk.ContainerInstance(); ci != nil {
					s.instance = ci.Ec2InstanceId
				}
				seen[tk.TaskArn] = s
			}
			now := h.World.Env.Now()
			if fromDesired != ecs.StatusStopped && tk.DesiredStatus == ecs.StatusStopped && s.askedToStop.IsZero() {
				s.askedToStop, s.reason = now, tk.StoppedReason
			}
			if tk.LastStatus == ecs.StatusStopped && s.stopped.IsZero() {
				s.stopped = now
			}
		})
	})
	return seen
}

func family(tdARN string) string {
	f := tdARN[strings.LastIndex(tdARN, "/")+1:]
	f, _, _ = strings.Cut(f, ":")
	return f
}

// on returns the tasks seen on an instance.
func on(seen map[string]*taskSeen, instance string) []*taskSeen {
	var out []*taskSeen
	for _, s := range seen {
		if s.instance == instance {
			out = append(out, s)
		}
	}
	return out
}

// hostOf returns the instance running the first live task of family.
func hostOf(t *testing.T, h *Harness, fam string) string {
	t.Helper()
	var id string
	h.World.Do(func() {
		for _, tk := range h.World.ECS.Tasks("prod") {
			if family(tk.TaskDefinitionArn) == fam && tk.LastStatus == ecs.StatusRunning && tk.ContainerInstance() != nil {
				id = tk.ContainerInstance().Ec2InstanceId
				return
			}
		}
	})
	if id == "" {
		t.Fatalf("no running %s task", fam)
	}
	return id
}

// terminate has Auto Scaling terminate an instance (keeping the desired
// capacity), as an operator or a scale-in would: drainer's hook holds it.
func terminate(t *testing.T, h *Harness, id string) time.Time {
	t.Helper()
	if _, err := emulator.Invoke(h.World, "ops", h.World.AutoScaling.TerminateInstanceInAutoScalingGroup, autoscaling.TerminateInstanceInAutoScalingGroupInput{
		InstanceId: id, ShouldDecrementDesiredCapacity: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	return h.World.Now()
}

// drainOnce runs the story until the one drain completes and returns its
// record and completion.
func drainOnce(t *testing.T, h *Harness, id string, limit time.Duration) (drain.Record, drain.Event) {
	t.Helper()
	if !h.RunUntil(h.World.Now().Add(limit), func() bool { return len(events(h, drain.EventCompleted)) == 1 }) {
		t.Fatalf("drain of %s not completed within %v: %+v", id, limit, h.Events)
	}
	done := events(h, drain.EventCompleted)[0]
	if done.InstanceID != id {
		t.Fatalf("drained %s, want %s", done.InstanceID, id)
	}
	h.RunFor(10 * time.Minute)
	checkClean(t, h)
	return h.Checker.Records()[id], done
}

// daemonsLast checks the daemon tasks of the instance were asked to stop
// only once every other task there was STOPPED.
func daemonsLast(t *testing.T, seen map[string]*taskSeen, id string) {
	t.Helper()
	var lastOther time.Time
	daemons := 0
	for _, s := range on(seen, id) {
		if s.class != "daemon" {
			if s.stopped.IsZero() {
				t.Errorf("%s task %s on %s never STOPPED", s.class, s.arn, id)
			}
			if s.stopped.After(lastOther) {
				lastOther = s.stopped
			}
		}
	}
	for _, s := range on(seen, id) {
		if s.class == "daemon" {
			daemons++
			if s.askedToStop.Before(lastOther) {
				t.Errorf("daemon %s asked to stop at %v, before the last other task STOPPED at %v", s.arn, s.askedToStop, lastOther)
			}
		}
	}
	if daemons == 0 {
		t.Errorf("no daemon task on %s: the story proves nothing", id)
	}
}

func yardWith(t *testing.T, service string, standalone drain.Standalone) *Harness {
	t.Helper()
	s := assembly.DefaultSettings()
	s.Standalone = standalone
	return world(t, strings.Replace(yard, "SERVICE", service, 1), "", Options{Settings: &s})
}

func report(t *testing.T, seen map[string]*taskSeen, id string) *taskSeen {
	t.Helper()
	for _, s := range on(seen, id) {
		if s.family == "report" {
			return s
		}
	}
	t.Fatalf("no report task seen on %s", id)
	return nil
}

// soon reports whether got is want or up to a second after it: drainer's
// AWS calls take some virtual time (the client gathers concurrent reads
// for a few milliseconds before it sends them), so what drainer does at
// an instant lands a little after it.
func soon(got, want time.Time) bool {
	d := got.Sub(want)
	return d >= 0 && d <= 2*time.Second
}

func TestStandaloneWaitRunsUntilTheGracefulDeadline(t *testing.T) {
	h := yardWith(t, "minHealthyPercent: 50, maxPercent: 200", drain.StandaloneWait)
	seen := watchTasks(h)
	h.RunFor(10 * time.Minute)
	id := hostOf(t, h, "report")
	terminate(t, h, id)
	rec, done := drainOnce(t, h, id, 3*time.Hour)

	r := report(t, seen, id)
	if !soon(r.askedToStop, rec.GracefulUntil) || !strings.Contains(r.reason, "hard deadline") {
		t.Errorf("report asked to stop at %v (%q), want at the graceful deadline %v by the hard phase", r.askedToStop, r.reason, rec.GracefulUntil)
	}
	// It takes its 20 s to stop; then the daemon (5 s); then the release.
	if want := rec.GracefulUntil.Add(25 * time.Second); done.Overdue || done.Time.Before(want) || !done.Time.Before(rec.Deadline) {
		t.Errorf("completed at %v (overdue %v), want from %v and before the hard deadline %v", done.Time, done.Overdue, want, rec.Deadline)
	}
	daemonsLast(t, seen, id)
}

func TestStandaloneStopAtDeadlineFinishesInsideTheGracefulPhase(t *testing.T) {
	h := yardWith(t, "minHealthyPercent: 50, maxPercent: 200", drain.StandaloneStopAtDeadline)
	seen := watchTasks(h)
	h.RunFor(10 * time.Minute)
	id := hostOf(t, h, "report")
	terminate(t, h, id)
	rec, done := drainOnce(t, h, id, 3*time.Hour)

	r := report(t, seen, id)
	if want := rec.GracefulUntil.Add(-60 * time.Second); !soon(r.askedToStop, want) {
		t.Errorf("report asked to stop at %v, want at the graceful deadline less its 60 s stopTimeout (%v)", r.askedToStop, want)
	}
	if r.stopped.After(rec.GracefulUntil) || done.Overdue || done.Time.After(rec.GracefulUntil) {
		t.Errorf("report STOPPED at %v, drain completed at %v: want both inside the graceful phase (until %v)", r.stopped, done.Time, rec.GracefulUntil)
	}
	for _, ev := range events(h, drain.EventPhaseChanged) {
		if ev.Phase == drain.PhaseHard {
			t.Errorf("drain reached the hard phase at %v", ev.Time)
		}
	}
	daemonsLast(t, seen, id)
}

// TestStandaloneStopAtDeadlineCountsTheAgentsStopTimeout: the report task
// sets no stopTimeout of its own, and the group's user data sets the ECS
// agent's to 2 minutes (ECS_CONTAINER_STOP_TIMEOUT): drainer reads it from
// the instance's user data (one DescribeInstanceAttribute) and asks the
// task to stop 2 minutes before the graceful deadline, not 30 s.
func TestStandaloneStopAtDeadlineCountsTheAgentsStopTimeout(t *testing.T) {
	text := strings.Replace(yard, "SERVICE", "minHealthyPercent: 50, maxPercent: 200", 1)
	text = strings.Replace(text, "stop: 20s, stopTimeout: 60s}", "stop: 100s}", 1)
	text = strings.Replace(text, "    desired: 2\n", "    desired: 2\n    agentStopTimeout: 2m\n", 1)
	st := assembly.DefaultSettings()
	st.Standalone = drain.StandaloneStopAtDeadline
	h := world(t, text, "", Options{Settings: &st})
	seen := watchTasks(h)
	h.RunFor(10 * time.Minute)
	id := hostOf(t, h, "report")
	terminate(t, h, id)
	rec, done := drainOnce(t, h, id, 3*time.Hour)

	r := report(t, seen, id)
	if want := rec.GracefulUntil.Add(-2 * time.Minute); !soon(r.askedToStop, want) {
		t.Errorf("report asked to stop at %v, want at the graceful deadline less the agent's 2 min (%v)", r.askedToStop, want)
	}
	// It takes 100 s to stop, more than the agent's default 30 s: counted
	// with the default, it would run past the graceful deadline.
	if r.stopped.After(rec.GracefulUntil) || done.Overdue {
		t.Errorf("report STOPPED at %v (drain overdue %v): want inside the graceful phase (until %v)", r.stopped, done.Overdue, rec.GracefulUntil)
	}
	if n := callsBy(h, "ec2", "DescribeInstanceAttribute"); n != 1 {
		t.Errorf("%d DescribeInstanceAttribute calls, want one (the user data, read once)", n)
	}
	daemonsLast(t, seen, id)
}

func TestStandaloneStopStopsAtOnce(t *testing.T) {
	h := yardWith(t, "minHealthyPercent: 50, maxPercent: 200", drain.StandaloneStop)
	seen := watchTasks(h)
	h.RunFor(10 * time.Minute)
	id := hostOf(t, h, "report")
	asked := terminate(t, h, id)
	_, done := drainOnce(t, h, id, 3*time.Hour)

	r := report(t, seen, id)
	// At the drain's start, once DRAINING has taken effect (a second).
	if r.askedToStop.Sub(asked) > 2*time.Second || !strings.Contains(r.reason, "by policy") {
		t.Errorf("report asked to stop at %v (%q), want at the drain's start %v", r.askedToStop, r.reason, asked)
	}
	// api (50/200) moves in one wave: 15 s start, 10 s stop; report 20 s;
	// then the daemon 5 s.
	if took := done.Time.Sub(asked); done.Overdue || took > 2*time.Minute {
		t.Errorf("drain took %v (overdue %v), want under 2 m", took, done.Overdue)
	}
	daemonsLast(t, seen, id)
}

func TestDaemonTasksStopLastWhenDrainerStopsTheRest(t *testing.T) {
	// api at 100/100 cannot move: at the graceful deadline drainer stops
	// api and report itself, and the daemon only once they are STOPPED.
	h := yardWith(t, "minHealthyPercent: 100, maxPercent: 100", drain.StandaloneWait)
	seen := watchTasks(h)
	h.RunFor(10 * time.Minute)
	id := hostOf(t, h, "report")
	terminate(t, h, id)
	rec, done := drainOnce(t, h, id, 3*time.Hour)
	daemonsLast(t, seen, id)
	var daemon *taskSeen
	for _, s := range on(seen, id) {
		switch {
		case s.class == "daemon":
			daemon = s
		case !soon(s.askedToStop, rec.GracefulUntil) || !strings.HasPrefix(s.reason, "drainer:"):
			t.Errorf("%s task asked to stop at %v (%q), want by drainer at the graceful deadline %v", s.family, s.askedToStop, s.reason, rec.GracefulUntil)
		}
	}
	// report takes longest to stop (20 s): the daemon goes right after.
	if want := rec.GracefulUntil.Add(20 * time.Second); daemon == nil || !soon(daemon.askedToStop, want) {
		t.Errorf("daemon %+v, want asked to stop at %v", daemon, want)
	}
	if done.Overdue || !done.Time.Before(rec.Deadline) {
		t.Errorf("completed %+v, want in time before %v", done, rec.Deadline)
	}
}

// TestDisconnectedAgentIsDeregisteredAfterItsGrace: nothing on a host
// whose ECS agent is gone can stop. After the agent grace drainer
// deregisters the container instance with force, so that ECS places its
// api tasks elsewhere, reports the tasks lost, and releases the host once
// api is back at its desired count — long before the hard deadline.
func TestDisconnectedAgentIsDeregisteredAfterItsGrace(t *testing.T) {
	h := yardWith(t, "minHealthyPercent: 50, maxPercent: 200", drain.StandaloneStop)
	h.RunFor(10 * time.Minute)
	id := hostOf(t, h, "report")
	h.World.Do(func() {
		if err := h.World.ECS.DisconnectAgent(id); err != nil {
			t.Fatal(err)
		}
	})
	asked := terminate(t, h, id)
	rec, done := drainOnce(t, h, id, 3*time.Hour)

	lost := events(h, drain.EventTasksLost)
	if len(lost) != 1 || !soon(lost[0].Time, asked.Add(5*time.Minute)) || lost[0].Tasks["standalone"] != 1 || lost[0].Tasks["daemon"] != 1 {
		t.Fatalf("tasks lost %+v, want one report 5 min (the agent grace) into the drain, with the report task and the daemon", lost)
	}
	if n := h.World.Calls.Count("ecs", "DeregisterContainerInstance", "OK"); n != 1 {
		t.Errorf("%d DeregisterContainerInstance calls, want 1 (forced, at the end of the grace)", n)
	}
	released := events(h, drain.EventReleased)
	if len(released) != 1 || released[0].Time.Before(lost[0].Time) || !released[0].Time.Before(rec.GracefulUntil) {
		t.Errorf("released %+v, want once api is back elsewhere, after the deregistration and before the graceful deadline %v", released, rec.GracefulUntil)
	}
	if done.Time.Sub(asked) > 10*time.Minute {
		t.Errorf("drain took %v, want about the agent grace", done.Time.Sub(asked))
	}
	if got := h.World.ECS.HealthyCount("prod", "api"); got != 4 {
		t.Errorf("api healthy at the end: %d, want 4", got)
	}
}

func TestTaskStuckInStoppingIsReleasedAtTheHardDeadline(t *testing.T) {
	h := yardWith(t, "minHealthyPercent: 50, maxPercent: 200", drain.StandaloneStop)
	seen := watchTasks(h)
	h.RunFor(10 * time.Minute)
	id := hostOf(t, h, "report")
	var stuck string
	h.World.Do(func() {
		for _, tk := range h.World.ECS.TasksOn(h.World.ECS.ContainerInstanceByEC2(id).ContainerInstanceArn) {
			if h.World.ECS.TaskClass(tk) == "service" && tk.LastStatus == ecs.StatusRunning {
				stuck = tk.TaskArn
				if err := h.World.ECS.StickInStopping(stuck); err != nil {
					t.Fatal(err)
				}
				return
			}
		}
	})
	if stuck == "" {
		t.Fatal("no api task on the instance to stick")
	}
	terminate(t, h, id)
	rec, done := drainOnce(t, h, id, 3*time.Hour)

	s := seen[stuck]
	if s.askedToStop.IsZero() || !s.askedToStop.Before(rec.GracefulUntil) {
		t.Errorf("stuck api task asked to stop at %v, want by ECS in the graceful phase", s.askedToStop)
	}
	released := events(h, drain.EventReleased)
	// At the deadline, not before; after it by no more than the paced
	// calls of the release.
	if len(released) != 1 || released[0].Time.Before(rec.Deadline) || released[0].Time.After(rec.Deadline.Add(time.Second)) || !done.Overdue {
		t.Errorf("released %+v, completed %+v: want released at the hard deadline %v and marked overdue", released, done, rec.Deadline)
	}
}
