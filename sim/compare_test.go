package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/ecs"
	"github.com/drainer-dev/drainer/emulator/scenario"
)

// pinnedScenario is the committed comparison scenario: instance A, scaled
// in at 15 min, runs a 12 h standalone report and a 100/100 service.
const pinnedScenario = "testdata/standalone-and-pinned.yaml"

// The figures pinnedScenario determines.
const (
	scaleInAt = 15 * time.Minute
	// drainerGlobal is the global timeout of drainer's hook (5 min
	// heartbeats: 100 × 5 min); ecsGlobal that of ECS's (1 h heartbeats:
	// capped at 48 h).
	drainerGlobal = 500 * time.Minute
	ecsGlobal     = 48 * time.Hour
	reportRun     = 12 * time.Hour
)

func loadPinned(t *testing.T) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Load(pinnedScenario)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// The side by side shows what AWS documents: ECS's managed draining waits
// for the standalone task (it runs to its end) and holds the instance for
// the pinned service until its hook's global timeout, 48 h, then lets it
// go with the task still there; drainer stops both at its deadline, before
// its own hook's global timeout. Both keep the invariants that judge them.
func TestCompareStandaloneAndPinned(t *testing.T) {
	sc := loadPinned(t)
	c, err := Compare(context.Background(), sc, PlayOptions{Queue: "drainer", For: 50 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	c.WriteText(&text)
	t.Log("\n" + text.String())

	for _, rep := range []Report{c.Drainer, c.ECS} {
		for _, v := range rep.Violations {
			t.Errorf("%s: %v", rep.Party, v)
		}
		if len(rep.Drains) != 1 || !rep.Drains[0].Finished() {
			t.Fatalf("%s: drains %+v, want the scale-in's one, finished", rep.Party, rep.Drains)
		}
		if rep.Virtual != 50*time.Hour || rep.Scenario != sc.Name {
			t.Errorf("%s: played %v of %s", rep.Party, rep.Virtual, rep.Scenario)
		}
	}
	d, e := c.Drainer.Drains[0], c.ECS.Drains[0]

	// drainer: the report is stopped at its deadline, pinned too, and the
	// instance released before the hook's global timeout.
	if c.Drainer.Party != PartyDrainer || c.Drainer.Rules != nil {
		t.Errorf("drainer's run: party %q, rules %v", c.Drainer.Party, c.Drainer.Rules)
	}
	if d.Outcome != OutcomeReleased || d.StandaloneStopped != 1 || d.Drain >= drainerGlobal || d.Drain < reportRun/2 {
		t.Errorf("drainer's drain %+v: want released with the report stopped, after the graceful phase and before %v", d, drainerGlobal)
	}
	if empty, ok := d.TimeToEmpty(); !ok || empty > d.Drain {
		t.Errorf("drainer's time to empty %v (%v), want measured, within the drain", empty, ok)
	}
	if c.Drainer.HookTimeouts != 0 || c.Drainer.Calls == 0 {
		t.Errorf("drainer's run: %d hook timeouts, %d calls", c.Drainer.HookTimeouts, c.Drainer.Calls)
	}

	// ECS: the report finishes by itself; the instance is let go at the
	// hook's global timeout with pinned still there.
	if c.ECS.Party != PartyECS || !slices.Equal(c.ECS.Rules, ECSRules) {
		t.Errorf("ECS's run: party %q, rules %v", c.ECS.Party, c.ECS.Rules)
	}
	if e.Outcome != OutcomeOverdue || e.StandaloneStopped != 0 || e.Drain != ecsGlobal {
		t.Errorf("ECS's drain %+v: want let go with tasks at its hook's global timeout %v, the report not stopped", e, ecsGlobal)
	}
	if empty, ok := e.TimeToEmpty(); !ok || empty < ecsGlobal {
		t.Errorf("ECS's time to empty %v (%v), want at least %v", empty, ok, ecsGlobal)
	}
	if c.ECS.HookTimeouts != 1 || c.ECS.Calls != 0 {
		t.Errorf("ECS's run: %d hook timeouts (want 1), %d calls (want 0)", c.ECS.HookTimeouts, c.ECS.Calls)
	}
	if dm, em := d.Moved, e.Moved; dm != em || dm != 3 {
		t.Errorf("service tasks on A at the start: drainer's %d, ECS's %d; want web's 2 and pinned", dm, em)
	}

	for _, want := range []string{
		"drained by drainer, and by ECS's managed instance draining",
		"hook timeouts                        0                          1",
		"standalone tasks stopped unfinished  1                          0",
		"invariant violations                 0 (rules 1-8)              0 (rules 1, 2, 3, 7)",
		"(ECS's managed instance draining, no drainer): 1 drain",
		"let go at its hook's global timeout with tasks still running",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("comparison does not say %q", want)
		}
	}
}

// What ECS does in the same world, task by task: the report task runs its
// 12 h and exits by itself on the DRAINING instance, pinned stays until
// the instance goes at 48 h, and nothing stops web before its replacement.
func TestECSManagedDrainingWaitsForTheStandaloneTask(t *testing.T) {
	e, err := NewECSRun(loadPinned(t), []string{"drainer"})
	if err != nil {
		t.Fatal(err)
	}
	w := e.World
	type seen struct {
		family, instance, code string
		stopped                time.Time
	}
	tasks := map[string]*seen{}
	var draining time.Time
	var drained string
	w.Do(func() {
		w.ECS.OnTaskChange(func(tk *ecs.Task, fromLast, _ string) {
			s := tasks[tk.TaskArn]
			if s == nil {
				s = &seen{family: family(tk.TaskDefinitionArn)}
				if ci := tk.ContainerInstance(); ci != nil {
					s.instance = ci.Ec2InstanceId
				}
				tasks[tk.TaskArn] = s
			}
			if tk.LastStatus == ecs.StatusStopped && fromLast != ecs.StatusStopped {
				s.stopped, s.code = w.Now(), tk.StopCode
			}
		})
	})
	w.OnEvent(func() {
		if !draining.IsZero() {
			return
		}
		for _, name := range w.ECS.ClusterNames() {
			for _, ci := range w.ECS.ContainerInstances(name) {
				if ci.Status == "DRAINING" {
					draining, drained = w.Now(), ci.Ec2InstanceId
				}
			}
		}
	})
	start := w.Now()
	e.RunUntil(start.Add(50*time.Hour), nil)
	rep := e.Report("standalone-and-pinned", 0, 50*time.Hour)
	for _, v := range rep.Violations {
		t.Error(v)
	}
	if d := draining.Sub(start); d < scaleInAt || d > scaleInAt+10*time.Second {
		t.Fatalf("an instance DRAINING %v into the run, want just after the scale-in at %v", d, scaleInAt)
	}
	byFamily := map[string]*seen{}
	for _, s := range tasks {
		if s.instance == drained && s.family != "web" {
			byFamily[s.family] = s
		}
	}
	report, pinned := byFamily["report"], byFamily["pinned"]
	if report == nil || pinned == nil {
		t.Fatalf("tasks on the drained instance %s: %+v; want the report and pinned there", drained, byFamily)
	}
	if report.code != stopCodeExited || report.stopped.Sub(start) < reportRun {
		t.Errorf("report stopped %v into the run (%s), want by itself after its %v", report.stopped.Sub(start), report.code, reportRun)
	}
	if at := pinned.stopped.Sub(draining); pinned.code != "TerminationNotice" || at < ecsGlobal-time.Minute || at > ecsGlobal+time.Minute {
		t.Errorf("pinned stopped %v after DRAINING (%s), want with its host at the hook's global timeout, %v", at, pinned.code, ecsGlobal)
	}
	if got := w.ECS.HealthyCount("prod", "web"); got != 2 {
		t.Errorf("web healthy at the end: %d, want 2", got)
	}
}

// On a scale-in where every service can move, ECS's managed draining and
// drainer both release every instance once empty, none faster than the
// work allows; ECS makes no call from the account.
func TestCompareScaleIn(t *testing.T) {
	if testing.Short() {
		t.Skip("plays 50 instances twice")
	}
	sc, err := scenario.Load("testdata/scale-in-10-of-50.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Compare(context.Background(), sc, PlayOptions{Queue: "drainer", For: 3 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for _, rep := range []Report{c.Drainer, c.ECS} {
		checkReport(t, rep, 10)
		if s := rep.Summarize(); s.Empty.N != 10 || s.Ratio.N != 10 {
			t.Errorf("%s: time to empty over %d drains, ratio over %d; want every one", rep.Party, s.Empty.N, s.Ratio.N)
		}
	}
	if c.ECS.Calls != 0 || c.ECS.HookTimeouts != 0 || c.Drainer.HookTimeouts != 0 {
		t.Errorf("ECS made %d calls; hook timeouts %d (ECS), %d (drainer)", c.ECS.Calls, c.ECS.HookTimeouts, c.Drainer.HookTimeouts)
	}
	js, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Scenario     string
		Drainer, ECS struct {
			Party   string
			Summary Summary
		}
	}
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if back.Scenario != sc.Name || back.Drainer.Party != PartyDrainer || back.ECS.Party != PartyECS || back.ECS.Summary.Released != 10 {
		t.Errorf("JSON reads back as %+v", back)
	}
}

func TestReleasedBy(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	pending := autoscaling.LifecycleAction{HeartbeatExpiry: now.Add(30 * time.Minute)}
	expired := autoscaling.LifecycleAction{HeartbeatExpiry: now}
	for _, tc := range []struct {
		name string
		last autoscaling.LifecycleAction
		ran  bool
		live int
		left bool
		want release
	}{
		{"ECS completed it, the instance empty, and it left the wait", pending, true, 0, true, releaseEmpty},
		{"ECS completed it while another hook still holds the instance", pending, true, 0, false, releaseEmpty},
		{"the action reached its expiry with tasks left", expired, true, 3, true, releaseTimedOut},
		{"the action reached its expiry, the instance empty", expired, true, 0, true, releaseTimedOut},
		{"past its expiry, the host already gone", expired, false, 0, false, releaseTimedOut},
		{"the host went first (Spot, EC2)", pending, false, 0, false, releaseNone},
		{"another hook's ABANDON took it with tasks on it", pending, true, 2, true, releaseNone},
	} {
		if got := releasedBy(now, tc.last, tc.ran, tc.live, tc.left); got != tc.want {
			t.Errorf("%s: releasedBy = %d, want %d", tc.name, got, tc.want)
		}
	}
}

// A scenario without a group cannot be played with ECS's managed
// draining; the error says why.
func TestPlayECSWithoutAGroup(t *testing.T) {
	sc, err := scenario.ParseYAML([]byte("name: hosts\nclusters: [{name: c}]\ninstances: [{name: h, cluster: c, count: 2}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := PlayECS(context.Background(), sc, PlayOptions{}); err == nil || !strings.Contains(err.Error(), "no Auto Scaling group") {
		t.Errorf("PlayECS: %v, want an error naming the missing group", err)
	}
	if _, err := Compare(context.Background(), sc, PlayOptions{For: time.Minute}); err == nil || !strings.Contains(err.Error(), "play with ECS's managed draining") {
		t.Errorf("Compare: %v", err)
	}
}
