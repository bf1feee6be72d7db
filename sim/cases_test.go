package sim

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/scenario"
)

// The failing inputs found in the field (testdata/cases: the shared cases
// 01–08, and variants of the faults that came without a file), each played
// by drainer as `drainer sim` plays it, with DESIGN's invariants checked
// over the whole world after every event, and its own expected outcome.

// playCase plays testdata/cases/name to its end (the timeline plus three
// hours) and fails the test on any broken invariant.
func playCase(t *testing.T, name string) *Harness {
	t.Helper()
	sc, err := scenario.Load(filepath.Join("testdata", "cases", name))
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(sc, Options{Queue: "drainer"})
	if err != nil {
		t.Fatal(err)
	}
	h.RunFor(sc.End() + 3*time.Hour)
	checkClean(t, h)
	return h
}

// callsBy counts drainer's calls of service:op, whatever their outcome.
func callsBy(h *Harness, service, op string) (n int) {
	h.World.Do(func() { n = h.World.Calls.CountBy(Caller, service, op, "") })
	return n
}

func TestCasesAreAllPlayed(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "cases", "*.yaml"))
	if err != nil || len(files) < 12 {
		t.Fatalf("cases %v, %v", files, err)
	}
	src, err := os.ReadFile("cases_test.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !strings.Contains(string(src), `"`+filepath.Base(f)+`"`) {
			t.Errorf("case %s has no test", filepath.Base(f))
		}
	}
}

func TestCaseRegistersDuringTerminatingWait(t *testing.T) {
	h := playCase(t, "01-registers-during-terminating-wait.yaml")
	started := events(h, drain.EventStarted)
	if len(started) != 1 || started[0].Phase != drain.PhaseAwaiting {
		t.Fatalf("drains started %+v, want one waiting for the agent to register", started)
	}
	id := started[0].InstanceID
	if rec, ok := h.Checker.Records()[id]; !ok || !rec.Held() {
		t.Fatalf("the drain was not recorded on the container instance once its agent registered: %+v", h.Checker.Records())
	}
	if n := callsBy(h, "autoscaling", "CompleteLifecycleAction"); n != 1 {
		t.Errorf("%d completions, want drainer's own hook's only", n)
	}
}

func TestCaseOtherClusterAndHook(t *testing.T) {
	h := playCase(t, "02-other-cluster-and-hook.yaml") // drainer: {cluster: a}
	for _, ev := range events(h, drain.EventStarted) {
		if ev.Cluster != "a" && !strings.HasSuffix(ev.Cluster, "/a") {
			t.Errorf("drain in cluster %s, want a only", ev.Cluster)
		}
	}
	if n := callsBy(h, "autoscaling", "CompleteLifecycleAction"); n != 1 {
		t.Errorf("%d completions by drainer, want 1 (ga's scale-in; none of gb's other-team hook)", n)
	}
}

func TestCaseAgentDisconnected(t *testing.T) {
	h := playCase(t, "03-agent-disconnected.yaml")
	done := events(h, drain.EventCompleted)
	lost := events(h, drain.EventTasksLost)
	if len(done) != 1 || len(lost) != 1 {
		t.Fatalf("completed %+v, lost %+v: want one drain, its tasks reported lost", done, lost)
	}
	if took := done[0].Time.Sub(events(h, drain.EventStarted)[0].Time); took > 15*time.Minute {
		t.Errorf("drain took %v, want about the agent grace (5 min), not the hook's 8 h global timeout", took)
	}
}

func TestCaseSecondHookViaEventBridge(t *testing.T) {
	h := playCase(t, "04-second-hook-via-eventbridge.yaml")
	if n := len(events(h, drain.EventCompleted)); n != 1 {
		t.Fatalf("%d drains completed, want 1", n)
	}
	// Rule 8 (checked) forbids touching log-shipper; drainer's own hook was
	// completed (rule 4 would flag its timeout).
	if n := callsBy(h, "autoscaling", "CompleteLifecycleAction"); n != 1 {
		t.Errorf("%d completions by drainer, want its own hook's only", n)
	}
}

func TestCaseHeartbeatsUnderECSThrottling(t *testing.T) {
	h := playCase(t, "05-heartbeats-under-ecs-throttling.yaml")
	if n := len(events(h, drain.EventCompleted)); n != 39 {
		t.Errorf("%d drains completed, want the refresh's 39", n)
	}
}

func TestCaseHeartbeatsBehindARoundOfLooks(t *testing.T) {
	sc, err := scenario.Load(filepath.Join("testdata", "cases", "14-heartbeats-behind-a-round-of-looks.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(sc, Options{Queue: "drainer"})
	if err != nil {
		t.Fatal(err)
	}
	// The 300 messages of the one group arrive together: whether the group
	// serves drainer's cluster is asked once (a filtered
	// ListContainerInstances), not by every handler before the first
	// answer is kept. The scans list pages of their own in the background.
	// The group's hooks are described once too, not by every handler.
	asks, hookReads := 0, 0
	h.World.Do(func() {
		h.World.Calls.OnCall(func(c emulator.Call) {
			if c.Caller == Caller && c.Operation == "ListContainerInstances" && c.Part != cloud.PriorityBackground.String() {
				asks++
			}
			if c.Caller == Caller && c.Operation == "DescribeLifecycleHooks" && c.Part != cloud.PriorityBackground.String() {
				hookReads++
			}
		})
	})
	h.RunFor(sc.End() + 3*time.Hour)
	checkClean(t, h) // every invariant, after every event
	if n := len(events(h, drain.EventCompleted)); n != 300 {
		t.Errorf("%d drains completed, want the scale-in's 300", n)
	}
	if asks > 3 {
		t.Errorf("%d filtered ListContainerInstances outside the scans: the group's 300 messages asked whether it serves drainer's cluster more than once each few minutes", asks)
	}
	if hookReads > 1 {
		t.Errorf("%d DescribeLifecycleHooks outside the scans: the group's 300 messages described its hooks more than once", hookReads)
	}
}

func TestCaseForgedSecondMessage(t *testing.T) {
	h := playCase(t, "15-forged-second-message.yaml")
	started := events(h, drain.EventStarted)
	if len(started) != 1 {
		t.Fatalf("drains %+v", started)
	}
	rec := h.Checker.Records()[started[0].InstanceID]
	if !soon(started[0].Time, rec.Started) || rec.Token == "wrong" {
		t.Errorf("record %+v: want the drain as its real message started it at %v, not rewritten by the forged one", rec, started[0].Time)
	}
	for _, ev := range events(h, drain.EventTaskStopped) {
		t.Errorf("task stopped by drainer: %+v (the batch jobs finish inside the graceful phase)", ev)
	}
}

func TestCaseLatencyFault(t *testing.T) {
	// The run ends: a latency fault waits on the world's clock, which moves.
	h := playCase(t, "06-latency-fault.yaml")
	if n := len(events(h, drain.EventCompleted)); n != 1 {
		t.Errorf("%d drains completed, want 1", n)
	}
}

func TestCaseDaemonOnlyHostsLoseProtection(t *testing.T) {
	h := playCase(t, "07-daemon-only-hosts-lose-protection.yaml")
	if n := len(events(h, drain.EventCompleted)); n != 2 {
		t.Errorf("%d drains completed, want the scale-in's 2 (daemon-only hosts, unprotected by the scans)", n)
	}
	if n := callsBy(h, "autoscaling", "SetInstanceProtection"); n == 0 {
		t.Error("no SetInstanceProtection call: the scans did not run")
	}
}

func TestCaseRefreshProtectedInstances(t *testing.T) {
	h := playCase(t, "08-refresh-protected-instances.yaml")
	if n := len(events(h, drain.EventCompleted)); n != 3 {
		t.Errorf("%d drains completed, want the 3 protected hosts the second refresh replaced", n)
	}
	var statuses []string
	h.World.Do(func() {
		out, err := h.World.AutoScaling.DescribeInstanceRefreshes(autoscaling.DescribeInstanceRefreshesInput{AutoScalingGroupName: "g"})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range out.InstanceRefreshes {
			statuses = append(statuses, r.Status)
		}
	})
	if strings.Join(statuses, ",") != "Successful,Failed" && strings.Join(statuses, ",") != "Failed,Successful" {
		t.Errorf("refreshes %v, want the Wait one failed and the Refresh one successful", statuses)
	}
}

func TestCaseWrongToken(t *testing.T) {
	// The forged message comes before a scan takes the action up (a scan
	// does so only at the second pass that finds it uncovered): the drain
	// records the forged token, Auto Scaling refuses it at the completion,
	// and drainer completes the action by instance id.
	h := playCase(t, "09-wrong-token.yaml")
	wrongTokenCompleted(t, h, 1)
}

// TestCaseWrongTokenAfterTheScan: the same forged message, three minutes
// late: the scans have taken the action up by instance id by then, and the
// message costs nothing (the action kept alive, or no longer waiting): its
// token is never used.
func TestCaseWrongTokenAfterTheScan(t *testing.T) {
	sc, err := scenario.Load(filepath.Join("testdata", "cases", "09-wrong-token.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range sc.Timeline {
		if sc.Timeline[i].Action == scenario.ActionSendMessage {
			sc.Timeline[i].At += scenario.Duration(3 * time.Minute)
		}
	}
	h, err := New(sc, Options{Queue: "drainer"})
	if err != nil {
		t.Fatal(err)
	}
	h.RunFor(sc.End() + 3*time.Hour)
	checkClean(t, h)
	wrongTokenCompleted(t, h, 0)
}

// wrongTokenCompleted checks that case 09's one drain completed, its
// action completed once, after refused completions with the forged token.
func wrongTokenCompleted(t *testing.T, h *Harness, refusedWant int) {
	t.Helper()
	if n := len(events(h, drain.EventCompleted)); n != 1 {
		t.Fatalf("%d drains completed, want 1", n)
	}
	var ok, refused int
	h.World.Do(func() {
		ok = h.World.Calls.CountBy(Caller, "autoscaling", "CompleteLifecycleAction", "OK")
		refused = h.World.Calls.CountBy(Caller, "autoscaling", "CompleteLifecycleAction", "") - ok
	})
	if ok != 1 || refused != refusedWant {
		t.Errorf("completions: %d OK, %d refused; want %d refused (the forged token), then the action completed by instance id", ok, refused, refusedWant)
	}
}

func TestCaseStaleMessage(t *testing.T) {
	countedFromNow(t, "10-stale-message.yaml", "hard deadline")
}

func TestCaseStaleButPlausibleMessage(t *testing.T) {
	// Inside the hook's window, yet before the instance registered: not
	// the action's start either.
	countedFromNow(t, "13-stale-but-plausible-message.yaml", "standalone", "hard deadline")
}

// countedFromNow plays a case whose one drain must count from when drainer
// heard of it, with its graceful phase, and stop no task for a reason
// naming one of stopped.
func countedFromNow(t *testing.T, file string, stopped ...string) {
	t.Helper()
	h := playCase(t, file)
	started := events(h, drain.EventStarted)
	if len(started) != 1 {
		t.Fatalf("drains %+v", started)
	}
	rec := h.Checker.Records()[started[0].InstanceID]
	if !soon(started[0].Time, rec.Started) || rec.GracefulUntil.Sub(rec.Started) < time.Hour {
		t.Errorf("record %+v: want the drain counted from when drainer heard of it (%v), with its graceful phase", rec, started[0].Time)
	}
	// The action's start is not known either: it is heartbeated as the
	// drain starts (by the take-up, or at once after it), not half a
	// heartbeat timeout after a time drainer distrusts.
	var first time.Time
	h.World.Do(func() {
		for _, c := range h.World.Calls.All() {
			if c.Caller == Caller && c.Operation == "RecordLifecycleActionHeartbeat" && c.Outcome == "OK" && !c.Time.Before(started[0].Time.Add(-5*time.Second)) {
				first = c.Time
				break
			}
		}
	})
	if first.IsZero() || first.Sub(started[0].Time) > 5*time.Second {
		t.Errorf("first heartbeat at %v, want as the drain started at %v", first, started[0].Time)
	}
	for _, ev := range events(h, drain.EventTaskStopped) {
		for _, why := range stopped {
			if strings.Contains(ev.Detail, why) {
				t.Errorf("task stopped before it could finish (%s): %+v", why, ev)
			}
		}
	}
}

func TestCaseFutureMessage(t *testing.T) {
	h := playCase(t, "11-future-message.yaml")
	started := events(h, drain.EventStarted)
	if len(started) != 1 {
		t.Fatalf("drains %+v", started)
	}
	rec := h.Checker.Records()[started[0].InstanceID]
	if rec.Started.After(started[0].Time) {
		t.Errorf("the drain starts at %v, in the future of %v", rec.Started, started[0].Time)
	}
	for _, ev := range events(h, drain.EventCompleted) {
		if strings.Contains(ev.Detail, "drained in -") {
			t.Errorf("negative duration: %s", ev.Detail)
		}
	}
}

func TestCaseEC2TerminatedLeftovers(t *testing.T) {
	h := playCase(t, "12-ec2-terminated-leftovers.yaml")
	if n := callsBy(h, "ec2", "DeleteNetworkInterface"); n == 0 {
		t.Error("the sweep deleted no network interface")
	}
	if n := len(events(h, drain.EventStarted)); n != 0 {
		t.Errorf("%d drains: the instance went outside drainer, no hook held it", n)
	}
}

// TestCaseNewGroupRegistersDuringWait plays case 16 with drainer serving
// every cluster (it lists them by ARN, the user data names c) and serving
// c by name (--cluster c).
func TestCaseNewGroupRegistersDuringWait(t *testing.T) {
	for _, cluster := range []string{"", "c"} {
		t.Run("cluster="+cluster, func(t *testing.T) {
			h, tasks, terminated := playNewGroup(t, cluster)
			started := events(h, drain.EventStarted)
			if len(started) != 1 || started[0].InstanceID != terminated.Instance {
				t.Fatalf("drains started %+v, want one of %s, terminated at %v", started, terminated.Instance, terminated.Time)
			}
			id := started[0].InstanceID
			if started[0].Phase != drain.PhaseAwaiting {
				t.Errorf("the drain started in phase %s, want waiting for the agent to register", started[0].Phase)
			}
			// The lifecycle message arrives within seconds of the
			// termination; a scan would take the action up only at its
			// second pass to find it.
			if late := started[0].Time.Sub(terminated.Time); late > 15*time.Second {
				t.Errorf("the drain started %v after the termination, want from its lifecycle message (the group serves c through its launch template's user data)", late)
			}
			for _, s := range h.Scans {
				for _, w := range s.Report.Noted {
					if w.InstanceID == id {
						t.Errorf("a scan found %s in Terminating:Wait with no drain: the lifecycle message was not taken up", id)
					}
				}
			}
			if rec, ok := h.Checker.Records()[id]; !ok || !rec.Held() {
				t.Errorf("the drain was not recorded on the container instance once its agent registered: %+v", h.Checker.Records())
			}
			if n := len(events(h, drain.EventCompleted)); n != 1 {
				t.Errorf("%d drains completed, want 1", n)
			}
			// ECS places the service's tasks on the instance as its agent
			// registers, unless it is DRAINING by then: each it placed
			// stopped before drainer let the instance go (rule 7 checks
			// the same from the host's end).
			released := events(h, drain.EventReleased)
			if len(released) != 1 {
				t.Fatalf("released %+v, want the one drained instance", released)
			}
			for _, tk := range tasks {
				if tk.instance == id && (tk.stopped.IsZero() || tk.stopped.After(released[0].Time)) {
					t.Errorf("task %s on %s stopped at %v, after drainer released it at %v", tk.arn, id, tk.stopped, released[0].Time)
				}
			}
		})
	}
}

// TestCaseNewGroupOfAnotherCluster: case 16 with drainer serving another
// cluster, x: the group's user data names c, so it serves none of
// drainer's clusters and its lifecycle message is not drainer's (the
// invariants' rule 8 forbids touching its action), though drainer read
// that user data to know.
func TestCaseNewGroupOfAnotherCluster(t *testing.T) {
	h, _, _ := playNewGroup(t, "x")
	if started := events(h, drain.EventStarted); len(started) != 0 {
		t.Errorf("drains started %+v, want none: the group's instances join c", started)
	}
	if n := callsBy(h, "ec2", "DescribeLaunchTemplateVersions"); n == 0 {
		t.Error("drainer never read the group's launch template: the message was not asked about")
	}
	for _, op := range []string{"RecordLifecycleActionHeartbeat", "CompleteLifecycleAction"} {
		if n := callsBy(h, "autoscaling", op); n != 0 {
			t.Errorf("%d %s by drainer, want none", n, op)
		}
	}
}

// playNewGroup plays case 16 with drainer serving cluster ("" for every
// cluster; a cluster the case does not have is added, empty), watching the
// tasks, and returns what happened, the tasks seen and the termination's
// record.
func playNewGroup(t *testing.T, cluster string) (*Harness, map[string]*taskSeen, scenario.Record) {
	t.Helper()
	sc, err := scenario.Load(filepath.Join("testdata", "cases", "16-new-group-registers-during-wait.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if cluster != "" {
		sc.Drainer = map[string]scenario.Setting{"cluster": scenario.Setting(cluster)}
		if !slices.ContainsFunc(sc.Clusters, func(c scenario.Cluster) bool { return c.Name == cluster }) {
			sc.Clusters = append(sc.Clusters, scenario.Cluster{Name: cluster})
		}
	}
	h, err := New(sc, Options{Queue: "drainer"})
	if err != nil {
		t.Fatal(err)
	}
	tasks := watchTasks(h)
	h.RunFor(sc.End() + 3*time.Hour)
	checkClean(t, h) // every invariant: rule 4, no hook timeout; rule 7, no task dies with its host
	if errs := h.Run.Errors(); len(errs) > 0 {
		t.Fatalf("the story's steps failed: %+v", errs)
	}
	var terminated scenario.Record
	for _, r := range h.Run.Records() {
		if r.Action == scenario.ActionTerminate {
			terminated = r
		}
	}
	return h, tasks, terminated
}
