package drain

import (
	"reflect"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func held() Record {
	return Record{Reason: ReasonLifecycle, Started: t0, GracefulUntil: t0.Add(time.Hour), Deadline: t0.Add(time.Hour + 5*time.Minute),
		Group: "web-asg", Hook: "drain-hook", Token: "tok"}
}

func unheld(reason Reason) Record {
	r := held()
	r.Reason, r.Group, r.Hook, r.Token = reason, "", "", ""
	return r
}

func task(arn string, class Class, last, desired string) Task {
	return Task{ARN: arn, Class: class, LastStatus: last, DesiredStatus: desired, StopTimeout: 30 * time.Second}
}

var (
	svcRunning  = task("svc", ClassService, "RUNNING", "RUNNING")
	svcStopping = task("svc", ClassService, "STOPPING", "STOPPED")
	svcStopped  = task("svc", ClassService, "STOPPED", "STOPPED")
	jobRunning  = task("job", ClassStandalone, "RUNNING", "RUNNING")
	jobStopped  = task("job", ClassStandalone, "STOPPED", "STOPPED")
	daemon      = task("daemon", ClassDaemon, "RUNNING", "RUNNING")
	daemonGone  = task("daemon", ClassDaemon, "STOPPED", "STOPPED")
)

func stopOf(arn string) Action { return Action{Kind: ActStopTask, Task: arn} }

func TestDecide(t *testing.T) {
	p := DefaultPolicy()
	wait, stopNow := p, p
	wait.Standalone, stopNow.Standalone = StandaloneWait, StandaloneStop

	tests := []struct {
		name    string
		policy  Policy
		obs     Observation
		phase   Phase
		actions []Action // Reason is not compared
		next    time.Duration
		overdue bool
	}{
		{
			name: "a new drain sets DRAINING first",
			obs: Observation{Now: t0, Record: held(), Host: HostRunning, Status: "ACTIVE", Tasks: []Task{svcRunning, daemon},
				ActionPending: true},
			phase:   PhaseGraceful,
			actions: []Action{{Kind: ActSetDraining}},
			next:    time.Second, // once DRAINING has taken effect
		},
		{
			name: "until DRAINING takes effect the tasks are not final: a daemon alone is not stopped",
			obs: Observation{Now: t0, Record: held(), Host: HostRunning, Status: "ACTIVE", Tasks: []Task{daemon},
				ActionPending: true},
			phase:   PhaseGraceful,
			actions: []Action{{Kind: ActSetDraining}},
			next:    time.Second,
		},
		{
			name:    "until DRAINING takes effect an empty instance is not released",
			obs:     Observation{Now: t0, Record: unheld(ReasonSpot), Host: HostRunning, Status: "ACTIVE"},
			phase:   PhaseGraceful,
			actions: []Action{{Kind: ActSetDraining}},
			next:    time.Second,
		},
		{
			name:  "service tasks are ECS's to move in the graceful phase",
			obs:   Observation{Now: t0.Add(10 * time.Minute), Record: held(), Host: HostRunning, Status: "DRAINING", Tasks: []Task{svcRunning}, ActionPending: true},
			phase: PhaseGraceful,
			next:  12 * time.Minute,
		},
		{
			name:  "standalone task before its stop time is left alone until then",
			obs:   Observation{Now: t0.Add(59 * time.Minute), Record: unheld(ReasonOperator), Host: HostRunning, Status: "DRAINING", Tasks: []Task{jobRunning}},
			phase: PhaseGraceful,
			next:  59*time.Minute + 30*time.Second, // GracefulUntil minus its 30 s stop timeout
		},
		{
			name:    "standalone task stopped at the deadline minus its stop timeout",
			obs:     Observation{Now: t0.Add(59*time.Minute + 30*time.Second), Record: unheld(ReasonOperator), Host: HostRunning, Status: "DRAINING", Tasks: []Task{jobRunning}},
			phase:   PhaseGraceful,
			actions: []Action{stopOf("job")},
			next:    60 * time.Minute,
		},
		{
			name:   "standalone policy wait lets it run to the end of the graceful phase",
			policy: wait,
			obs:    Observation{Now: t0.Add(59*time.Minute + 50*time.Second), Record: unheld(ReasonOperator), Host: HostRunning, Status: "DRAINING", Tasks: []Task{jobRunning}},
			phase:  PhaseGraceful,
			next:   60 * time.Minute,
		},
		{
			name:    "standalone policy stop stops it at once",
			policy:  stopNow,
			obs:     Observation{Now: t0, Record: unheld(ReasonOperator), Host: HostRunning, Status: "DRAINING", Tasks: []Task{jobRunning, svcRunning}},
			phase:   PhaseGraceful,
			actions: []Action{stopOf("job")},
			next:    2 * time.Minute,
		},
		{
			name:  "daemon tasks wait while anything else runs",
			obs:   Observation{Now: t0, Record: unheld(ReasonOperator), Host: HostRunning, Status: "DRAINING", Tasks: []Task{svcStopped, jobRunning, daemon}},
			phase: PhaseGraceful,
			next:  2 * time.Minute,
		},
		{
			name:    "daemon tasks stop once everything else is STOPPED",
			obs:     Observation{Now: t0, Record: unheld(ReasonOperator), Host: HostRunning, Status: "DRAINING", Tasks: []Task{svcStopped, jobStopped, daemon}},
			phase:   PhaseGraceful,
			actions: []Action{stopOf("daemon")},
			next:    2 * time.Minute,
		},
		{
			name:  "a task asked to stop is not gone until observed STOPPED",
			obs:   Observation{Now: t0, Record: held(), Host: HostRunning, Status: "DRAINING", Tasks: []Task{svcStopping, daemon}, ActionPending: true},
			phase: PhaseGraceful,
			next:  2 * time.Minute,
		},
		{
			name:    "the hard phase stops what is left, daemon last",
			obs:     Observation{Now: t0.Add(time.Hour), Record: held(), Host: HostRunning, Status: "DRAINING", Tasks: []Task{svcRunning, jobRunning, daemon}, ActionPending: true},
			phase:   PhaseHard,
			actions: []Action{stopOf("svc"), stopOf("job")},
			next:    62 * time.Minute,
		},
		{
			name:    "a forced drain stops service tasks as soon as DRAINING has taken effect",
			obs:     Observation{Now: t0.Add(time.Second), Record: Record{Reason: ReasonForced, Started: t0, GracefulUntil: t0, Deadline: t0.Add(time.Minute)}, Host: HostRunning, Status: "DRAINING", Tasks: []Task{svcRunning, daemon}},
			phase:   PhaseHard,
			actions: []Action{stopOf("svc")},
			next:    time.Minute,
		},
		{
			name:    "a forced drain skips the graceful phase",
			obs:     Observation{Now: t0, Record: Record{Reason: ReasonForced, Started: t0, GracefulUntil: t0, Deadline: t0.Add(time.Minute)}, Host: HostRunning, Status: "ACTIVE", Tasks: []Task{svcRunning, daemon}},
			phase:   PhaseHard,
			actions: []Action{{Kind: ActSetDraining}},
			next:    time.Second,
		},
		{
			name:    "empty: CONTINUE the lifecycle action, then deregister; wait for the host to go",
			obs:     Observation{Now: t0.Add(20 * time.Minute), Record: held(), Host: HostRunning, Status: "DRAINING", Tasks: []Task{svcStopped, daemonGone}, ActionPending: true},
			phase:   PhaseReleasing,
			actions: []Action{{Kind: ActCompleteLifecycle}, {Kind: ActDeregister}},
			next:    20*time.Minute + 15*time.Second,
		},
		{
			name:    "empty without a lifecycle action: terminate the instance",
			obs:     Observation{Now: t0.Add(20 * time.Minute), Record: unheld(ReasonIdle), Host: HostRunning, Status: "DRAINING"},
			phase:   PhaseReleasing,
			actions: []Action{{Kind: ActTerminate}, {Kind: ActDeregister}},
			next:    20*time.Minute + 15*time.Second,
		},
		{
			name:    "hard deadline with a task stuck: force it out",
			obs:     Observation{Now: t0.Add(65 * time.Minute), Record: held(), Host: HostRunning, Status: "DRAINING", Tasks: []Task{svcStopping}, ActionPending: true},
			phase:   PhaseReleasing,
			actions: []Action{{Kind: ActDeregister, Force: true}, {Kind: ActCompleteLifecycle}},
			next:    65*time.Minute + 15*time.Second,
			overdue: true,
		},
		{
			name:    "the action already gone (another drainer, a timeout): nothing to complete, nothing to terminate",
			obs:     Observation{Now: t0.Add(20 * time.Minute), Record: held(), Host: HostRunning, Status: "DRAINING", ActionPending: false},
			phase:   PhaseReleasing,
			actions: []Action{{Kind: ActDeregister}},
			next:    20*time.Minute + 15*time.Second,
		},
		{
			name:    "already deregistered: release without deregistering again",
			obs:     Observation{Now: t0.Add(20 * time.Minute), Record: held(), Host: HostRunning, Status: "INACTIVE", ActionPending: true},
			phase:   PhaseReleasing,
			actions: []Action{{Kind: ActCompleteLifecycle}},
			next:    20*time.Minute + 15*time.Second,
		},
		{
			name:  "released, the host still running: wait for it to go",
			obs:   Observation{Now: t0.Add(21 * time.Minute), Record: held(), Host: HostRunning, Status: "INACTIVE", ReleasedAt: t0.Add(20 * time.Minute)},
			phase: PhaseReleasing,
			next:  21*time.Minute + 15*time.Second,
		},
		{
			name:    "released long ago and the host stays: clean up anyway",
			obs:     Observation{Now: t0.Add(31 * time.Minute), Record: held(), Host: HostRunning, Status: "INACTIVE", ReleasedAt: t0.Add(20 * time.Minute)},
			phase:   PhaseDone,
			actions: []Action{{Kind: ActCleanup}},
		},
		{
			name:    "the host went with drainer's action still pending: complete it, then clean up",
			obs:     Observation{Now: t0.Add(2 * time.Minute), Record: held(), Host: HostTerminated, Status: "DRAINING", Tasks: []Task{svcRunning}, ActionPending: true},
			phase:   PhaseDone,
			actions: []Action{{Kind: ActCompleteLifecycle}, {Kind: ActCleanup}},
		},
		{
			name:    "the host is already going: only clean up after it",
			obs:     Observation{Now: t0.Add(2 * time.Minute), Record: unheld(ReasonSpot), Host: HostShuttingDown, Status: "DRAINING", Tasks: []Task{svcRunning}},
			phase:   PhaseDone,
			actions: []Action{{Kind: ActCleanup}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pol := tt.policy
			if pol.FallbackPoll == 0 {
				pol = p
			}
			d := pol.Decide(tt.obs)
			var got []Action
			for _, a := range d.Actions {
				a.Reason = ""
				got = append(got, a)
			}
			if d.Phase != tt.phase {
				t.Errorf("phase = %s, want %s", d.Phase, tt.phase)
			}
			if !reflect.DeepEqual(got, tt.actions) {
				t.Errorf("actions = %+v\n want %+v", got, tt.actions)
			}
			var next time.Duration
			if !d.Next.IsZero() {
				next = d.Next.Sub(t0)
			}
			if next != tt.next {
				t.Errorf("next = +%v, want +%v", next, tt.next)
			}
			if d.Overdue != tt.overdue {
				t.Errorf("overdue = %v, want %v", d.Overdue, tt.overdue)
			}
			for _, a := range d.Actions {
				if a.Kind == ActStopTask && a.Reason == "" {
					t.Errorf("stop of %s carries no reason for ECS", a.Task)
				}
			}
		})
	}
}

// TestDecideNeverStopsServiceTasksBeforeTheDeadline checks invariant 3 of
// DESIGN.md over many moments of the graceful phase.
func TestDecideNeverStopsServiceTasksBeforeTheDeadline(t *testing.T) {
	p := DefaultPolicy()
	r := held()
	for now := r.Started; now.Before(r.GracefulUntil); now = now.Add(37 * time.Second) {
		d := p.Decide(Observation{Now: now, Record: r, Host: HostRunning, Status: "DRAINING", Tasks: []Task{svcRunning, jobRunning, daemon}, ActionPending: true})
		for _, a := range d.Actions {
			if a.Kind == ActStopTask && (a.Task == "svc" || a.Task == "daemon") {
				t.Fatalf("at +%v drainer stopped %s in the graceful phase", now.Sub(t0), a.Task)
			}
			if a.Kind == ActCompleteLifecycle || a.Kind == ActTerminate || a.Kind == ActDeregister {
				t.Fatalf("at +%v drainer released an instance with tasks running", now.Sub(t0))
			}
		}
		if !d.Next.After(now) {
			t.Fatalf("at +%v the next look (%v) is not in the future", now.Sub(t0), d.Next)
		}
	}
}

// TestDecideForALostAgent: an agent that stays disconnected past its grace
// has its container instance deregistered with force; drainer then waits
// for ECS to bring the services back elsewhere, or for the graceful phase
// to end, before it releases the instance.
func TestDecideForALostAgent(t *testing.T) {
	p := DefaultPolicy()
	grace := p.AgentGrace
	tests := []struct {
		name    string
		obs     Observation
		phase   Phase
		actions []Action
		next    time.Duration // after the observation
	}{
		{
			name:  "disconnected within its grace: look again when the grace ends",
			obs:   Observation{Now: t0.Add(10 * time.Minute), Record: held(), Host: HostRunning, Status: "DRAINING", Tasks: []Task{svcRunning}, ActionPending: true, AgentDownSince: t0.Add(10*time.Minute - grace + time.Minute)},
			phase: PhaseGraceful,
			next:  time.Minute, // sooner than the fallback poll
		},
		{
			name:    "disconnected past its grace: deregister with force",
			obs:     Observation{Now: t0.Add(9*time.Minute + grace), Record: held(), Host: HostRunning, Status: "DRAINING", Tasks: []Task{svcRunning}, ActionPending: true, AgentDownSince: t0.Add(9 * time.Minute)},
			phase:   PhaseGraceful,
			actions: []Action{{Kind: ActDeregister, Force: true, AgentLost: true}},
		},
		{
			name:  "deregistered, services not back: wait",
			obs:   Observation{Now: t0.Add(20 * time.Minute), Record: held(), Host: HostRunning, AgentLost: true, ActionPending: true},
			phase: PhaseHard,
			next:  p.ReleasePoll,
		},
		{
			name:    "deregistered, services back: release",
			obs:     Observation{Now: t0.Add(20 * time.Minute), Record: held(), Host: HostRunning, AgentLost: true, ServicesBack: true, ActionPending: true},
			phase:   PhaseReleasing,
			actions: []Action{{Kind: ActCompleteLifecycle}},
			next:    p.ReleasePoll,
		},
		{
			name:    "deregistered, services not back, graceful phase over: release, tasks lost",
			obs:     Observation{Now: t0.Add(time.Hour), Record: held(), Host: HostRunning, AgentLost: true, ActionPending: true},
			phase:   PhaseReleasing,
			actions: []Action{{Kind: ActCompleteLifecycle}},
			next:    p.ReleasePoll,
		},
		{
			name:    "deregistered, no hook holds it: terminate once the services are back",
			obs:     Observation{Now: t0.Add(20 * time.Minute), Record: unheld(ReasonOperator), Host: HostRunning, AgentLost: true, ServicesBack: true},
			phase:   PhaseReleasing,
			actions: []Action{{Kind: ActTerminate}},
			next:    p.ReleasePoll,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := p.Decide(tt.obs)
			if d.Phase != tt.phase {
				t.Errorf("phase = %s, want %s", d.Phase, tt.phase)
			}
			if !reflect.DeepEqual(d.Actions, tt.actions) {
				t.Errorf("actions = %+v, want %+v", d.Actions, tt.actions)
			}
			var next time.Duration
			if !d.Next.IsZero() {
				next = d.Next.Sub(tt.obs.Now)
			}
			if next != tt.next {
				t.Errorf("next = +%v, want +%v", next, tt.next)
			}
		})
	}
}
