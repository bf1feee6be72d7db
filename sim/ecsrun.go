package sim

import (
	"time"

	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/ec2"
	"github.com/drainer-dev/drainer/emulator/ecs"
	"github.com/drainer-dev/drainer/emulator/scenario"
	"github.com/drainer-dev/drainer/invariant"
)

// ECSRules are the rules of DESIGN.md §7 that judge ECS's managed
// instance draining when it drains alone (invariant.Options.InEvents):
//
//  1. ECS completes its hook's action only once no non-daemon task is
//     left on the instance, unless the action's global timeout (48 h, the
//     hard deadline of its drains) has come;
//  2. daemon tasks on a DRAINING instance stop only after every other
//     task there;
//  3. the tasks ECS stops on a DRAINING instance never leave a service
//     below ceil(desired × minimumHealthyPercent / 100) healthy tasks;
//  7. no non-daemon task stops because its host went away after ECS let
//     the instance go, before the global timeout.
//
// The others are drainer's: rule 4 (a hook's action never times out) is
// counted as Report.HookTimeouts instead, for ECS documents its wait to
// end at 48 h, which is its hook's global timeout; rule 5 is about
// drainer's records surviving a restart; rule 6 about drainer's own
// sweep of network interfaces; rule 8 about drainer's calls.
//
// Source: "Safely stop Amazon ECS workloads running on EC2 instances",
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-instance-draining.html.
var ECSRules = []int{1, 2, 3, 7}

// ecsCaller is the name the checker of an ECS run takes for the owner of
// ECS's hook: nobody's calls carry it (ECS acts inside the world).
const ecsCaller = "ecs.amazonaws.com"

// ECSRun is a scenario's world drained by ECS's managed instance draining
// alone (scenario.ECSManaged): no drainer runs. It follows each instance
// ECS's hook holds as a drain — started when the instance enters
// Terminating:Wait, released when ECS completes its action (or the
// action times out), completed when the instance is terminated — and
// measures them as a Harness's drains are measured.
//
// The goroutine that builds an ECSRun owns the world's clock.
type ECSRun struct {
	World *emulator.World
	Run   *scenario.Run
	// Checker judges ECS as the owner of its hook, acting in events.
	Checker *invariant.Checker

	rec *Recorder
	// waiting are instances that entered Terminating:Wait in this event;
	// held those ECS's hook holds, with its action as last seen; going
	// those it let go, until they are terminated.
	waiting []string
	held    map[string]autoscaling.LifecycleAction
	going   map[string]bool
	// leftWith counts the tasks not STOPPED on instances that left
	// Terminating:Wait in this event, at that moment; leftRunning the
	// hosts that stopped running in this event.
	leftWith    map[string]int
	leftRunning map[string]bool
}

// NewECSRun builds the world of sc with ECS's managed draining in the
// place of drainer, whose hooks (drainerHooks) it removes, and starts
// following ECS's drains.
func NewECSRun(sc *scenario.Scenario, drainerHooks []string) (*ECSRun, error) {
	managed, err := scenario.ECSManaged(*sc, drainerHooks)
	if err != nil {
		return nil, err
	}
	run, err := scenario.NewWorld(&managed, emulator.Config{})
	if err != nil {
		return nil, err
	}
	w := run.World
	e := &ECSRun{World: w, Run: run, held: map[string]autoscaling.LifecycleAction{}, going: map[string]bool{},
		leftWith: map[string]int{}, leftRunning: map[string]bool{}}
	e.Checker = invariant.WatchWith(w, invariant.Options{
		OwnedHooks: []string{ecs.ManagedDrainingHook}, Caller: ecsCaller, InEvents: true,
	})
	e.rec = newRecorder(w, e.Checker, drain.DefaultPolicy(), PartyECS, ECSRules)
	w.Do(func() {
		w.AutoScaling.OnLifecycleChange(e.lifecycleChanged)
		w.EC2.OnStateChange(func(inst *ec2.Instance, from ec2.State) {
			if from == ec2.StateRunning && inst.State != ec2.StateRunning {
				e.leftRunning[inst.ID] = true
			}
		})
	})
	w.OnEvent(e.afterEvent)
	return e, nil
}

// RunUntil runs the world until done reports true (checked between
// events) or the clock reaches limit, and reports whether done was met.
// A nil done runs to limit.
func (e *ECSRun) RunUntil(limit time.Time, done func() bool) bool {
	return runUntil(e.World, limit, done)
}

// Report is what the run measured so far: ECS's drains, judged by
// ECSRules.
func (e *ECSRun) Report(name string, wall, virtual time.Duration) Report {
	return e.rec.Finish(name, wall, virtual)
}

// lifecycleChanged notes, under the world lock, the instances entering
// and leaving Terminating:Wait and those terminated.
func (e *ECSRun) lifecycleChanged(group, id, from, to string) {
	switch {
	case to == autoscaling.StateTerminatingWait:
		e.waiting = append(e.waiting, id)
	case from == autoscaling.StateTerminatingWait:
		e.leftWith[id] = liveTasks(e.World, id)
	}
	if to == autoscaling.StateTerminated && e.going[id] {
		delete(e.going, id)
		e.rec.apply(drain.Event{Type: drain.EventCompleted, Time: e.World.Now(), InstanceID: id, Reason: drain.ReasonLifecycle})
	}
}

// afterEvent runs after every event, under the world lock: it starts the
// drains of instances ECS's hook took on, and tells how the actions that
// ended did.
func (e *ECSRun) afterEvent() {
	w := e.World
	now := w.Now()
	for _, id := range e.waiting {
		for _, a := range w.AutoScaling.LifecycleActions(id) {
			if a.LifecycleHookName != ecs.ManagedDrainingHook || a.LifecycleTransition != autoscaling.TransitionTerminating {
				continue
			}
			if _, ok := e.held[id]; ok {
				break
			}
			e.held[id] = a
			e.going[id] = true
			e.rec.graceful[id] = a.GlobalExpiry
			e.rec.apply(drain.Event{Type: drain.EventStarted, Time: a.Start, InstanceID: id, Reason: drain.ReasonLifecycle, Phase: drain.PhaseGraceful})
		}
	}
	e.waiting = e.waiting[:0]
	for id, last := range e.held {
		if a, ok := pendingAction(w.AutoScaling.LifecycleActions(id), last.Token); ok {
			e.held[id] = a
			continue
		}
		delete(e.held, id)
		live, left := e.leftWith[id]
		if !left {
			live = liveTasks(w, id)
		}
		switch how := releasedBy(now, last, e.leftRunning[id] || hostRuns(w, id), live, left); how {
		case releaseEmpty, releaseTimedOut:
			e.rec.apply(drain.Event{Type: drain.EventReleased, Time: now, InstanceID: id, Reason: drain.ReasonLifecycle,
				Overdue: how == releaseTimedOut && live > 0})
		}
	}
	clear(e.leftWith)
	clear(e.leftRunning)
}

// pendingAction finds the action with token among actions.
func pendingAction(actions []autoscaling.LifecycleAction, token string) (autoscaling.LifecycleAction, bool) {
	for _, a := range actions {
		if a.Token == token {
			return a, true
		}
	}
	return autoscaling.LifecycleAction{}, false
}

// liveTasks counts the tasks not STOPPED on an instance's container
// instance.
func liveTasks(w *emulator.World, id string) int {
	ci := w.ECS.ContainerInstanceByEC2(id)
	if ci == nil {
		return 0
	}
	n := 0
	for _, t := range w.ECS.TasksOn(ci.ContainerInstanceArn) {
		if t.LastStatus != ecs.StatusStopped {
			n++
		}
	}
	return n
}

// hostRuns reports whether an EC2 instance is running.
func hostRuns(w *emulator.World, id string) bool {
	inst, ok := w.EC2.Instance(id)
	return ok && inst.State == ec2.StateRunning
}

// release is how an action of ECS's hook ended (releasedBy).
type release int

// The ends of an action of ECS's hook.
const (
	// releaseNone: the instance went first (a Spot interruption, a
	// termination through EC2, another hook's ABANDON): no release; the
	// drain was cut short.
	releaseNone release = iota
	// releaseEmpty: ECS completed the action, the instance empty.
	releaseEmpty
	// releaseTimedOut: the action reached its heartbeat expiry (for ECS's
	// hook, which ECS keeps alive, its global timeout: 48 h).
	releaseTimedOut
)

// releasedBy decides how an action of ECS's hook that ended at now, last
// seen as last, ended: at or past its heartbeat expiry it timed out;
// before it, while the host ran until this event (ran) and with no task
// left on the instance as it left Terminating:Wait (live, when left says
// it left in this event), ECS completed it — ECS completes only once the
// instance is empty; anything else ended it with the instance.
func releasedBy(now time.Time, last autoscaling.LifecycleAction, ran bool, live int, left bool) release {
	switch {
	case !now.Before(last.HeartbeatExpiry):
		return releaseTimedOut
	case !ran, left && live > 0:
		return releaseNone
	}
	return releaseEmpty
}
