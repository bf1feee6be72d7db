package sim

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/awsid"
	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/ec2"
	"github.com/drainer-dev/drainer/emulator/ecs"
	"github.com/drainer-dev/drainer/emulator/fault"
	"github.com/drainer-dev/drainer/emulator/scenario"
	"github.com/drainer-dev/drainer/invariant"
)

// Outcome is how a drain ended, as far as the run saw it. Only some
// outcomes have every figure: see DrainFigures.
type Outcome string

// The outcomes of a drain.
const (
	// OutcomeReleased: drainer released the instance (completed its
	// lifecycle action, or terminated it) once its tasks had stopped.
	OutcomeReleased Outcome = "released"
	// OutcomeOverdue: drainer released the instance at the drain's hard
	// deadline with tasks still running on it.
	OutcomeOverdue Outcome = "overdue"
	// OutcomeCutShort: the instance went (a Spot interruption, an
	// operator, EC2) before drainer released it.
	OutcomeCutShort Outcome = "cut short"
	// OutcomeUnfinished: the drain was still under way when the run ended.
	OutcomeUnfinished Outcome = "unfinished"
)

// DrainFigures are one drain's numbers. A figure that does not apply to
// the drain's outcome is zero, never a guess: the ratio and the overhead
// say whether they were measured (Ratio, Measured).
type DrainFigures struct {
	InstanceID string
	Reason     drain.Reason
	Outcome    Outcome
	// Why says, for every outcome but OutcomeReleased, what ended the
	// drain, or that it had not ended.
	Why     string `json:",omitempty"`
	Started time.Time
	// Released is when drainer completed the lifecycle action or
	// terminated the instance; zero when it did not (cut short,
	// unfinished).
	Released time.Time `json:",omitzero"`
	// Ended is when the drain ended: its release, or, cut short, when the
	// instance went; zero while unfinished. Drain is Ended − Started (zero
	// while unfinished).
	Ended time.Time `json:",omitzero"`
	Drain time.Duration
	// Floor is the time the work itself takes (DESIGN.md §8): for the
	// tasks on the instance when the drain started, their replacements
	// started and healthy plus their own stop, standalone tasks' remaining
	// run, then the daemon tasks' stop. Stuck is set when a service cannot
	// move at all (100/100) and the floor is the graceful deadline.
	Floor time.Duration
	Stuck bool
	// Moved is the service tasks on the instance when the drain started:
	// ECS moved them elsewhere (or they were stopped at the deadline, or
	// lost with the instance: see Outcome).
	Moved int
	// Lost is, cut short, the tasks still running when the instance went.
	Lost int `json:",omitempty"`
	// Overhead is drainer's own time from the moment the instance had no
	// task left (its last task STOPPED, or the start of the drain when
	// none was left by then) to the release. It is measured for
	// OutcomeReleased only (see Measured), zero otherwise.
	Overhead time.Duration
	// Calls is the ECS, Auto Scaling and EC2 calls drainer made for this
	// drain from its start (the take-up's verifying heartbeat comes just
	// before) until drainer was done with it, its periodic scans' aside:
	// each call made while n drains were under way counts 1/n to each
	// (queue reads and the events drainer publishes to EventBridge are
	// counted apart, see Report). ScanCalls is its share, counted the same
	// way, of the calls the scans made meanwhile (their calls name the
	// priority "background", Call.Part): the scans run whether drains run
	// or not.
	Calls     int
	ScanCalls int
	// Emptied is when the last task on the instance reached STOPPED (the
	// drain's start if none was left by then), however it stopped: moved,
	// finished, stopped by the drainer or lost with the host; zero while
	// a task is left there (see TimeToEmpty).
	Emptied time.Time `json:",omitzero"`
	// StandaloneStopped is the standalone tasks on the instance when the
	// drain started that did not finish by themselves: stopped by drainer
	// (at their deadline, or at once under --standalone=stop), by an
	// operator, or with their host.
	StandaloneStopped int `json:",omitempty"`
}

// TimeToEmpty is Emptied − Started, and whether it is measured: once no
// task is left on the instance.
func (f DrainFigures) TimeToEmpty() (time.Duration, bool) {
	if f.Emptied.IsZero() {
		return 0, false
	}
	return nonNegative(f.Emptied.Sub(f.Started)), true
}

// Ratio is drain time over floor, and whether it is measured: only for a
// drain drainer released (overdue or not), that was not stuck, on an
// instance that had work on it (Floor > 0; with none there is nothing to
// compare with, and the overhead tells the drain's time).
func (f DrainFigures) Ratio() (float64, bool) {
	if !f.Finished() || f.Stuck || f.Floor <= 0 {
		return 0, false
	}
	return float64(f.Drain) / float64(f.Floor), true
}

// Finished reports whether drainer released the instance: OutcomeReleased
// or OutcomeOverdue. The drain time, calls and moved tasks of such a drain
// are whole; those of a drain cut short or unfinished are not.
func (f DrainFigures) Finished() bool {
	return f.Outcome == OutcomeReleased || f.Outcome == OutcomeOverdue
}

// Measured reports whether Overhead is: for OutcomeReleased only (with
// tasks still running at the release, or no release, there is no "after
// the last task stopped").
func (f DrainFigures) Measured() bool { return f.Outcome == OutcomeReleased }

// Report is what a simulated run measured. Its JSON form (MarshalJSON)
// carries the Summary too; durations are in nanoseconds.
type Report struct {
	Scenario string
	// Party is who drained: PartyDrainer, or PartyECS for a run with ECS's
	// managed instance draining and no drainer (PlayECS).
	Party string
	// Drains are every drain of the run in start order, whatever its
	// outcome.
	Drains []DrainFigures
	// Violations are the broken invariants of DESIGN.md §7 among Rules;
	// Rules nil means every rule (ECSRules for PartyECS). HookTimeouts
	// counts the lifecycle actions of the drainer's own hooks (drainer's
	// --hook, or ECS's managed draining hook) that ended by timing out:
	// rule 4's violations, counted whether rule 4 is judged or not.
	Violations   []invariant.Violation
	Rules        []int `json:",omitempty"`
	HookTimeouts int
	// Calls is every API call drainer made in the run; CallsByOp splits
	// them by service:operation. QueueCalls are the SQS calls among them:
	// reading the event stream, which grows with the cluster's activity, not
	// with the drains, so they are not shared out to the drains.
	Calls      int
	QueueCalls int
	CallsByOp  map[string]int
	// Buckets are the throttling buckets the world's calls drew on (every
	// caller's, as AWS counts them per account): calls, peak calls in one
	// virtual second, and calls throttled. Empty without a throttling
	// profile or a rule with a rate.
	Buckets []fault.BucketStats `json:",omitempty"`
	// FailedSteps are the scenario's timeline steps that failed, in time
	// order, each with its error (scenario.Record.Err): the world refused
	// them (no instance to pick, a task not placed, say), so the run was
	// not the scenario as written, and its figures not what the scenario
	// means to measure. `drainer sim` exits 1 when there is one.
	FailedSteps []scenario.Record `json:",omitempty"`
	Wall        time.Duration
	Virtual     time.Duration
}

// stopCodeExited is the stopCode of a task whose essential container
// exited by itself (Amazon ECS API Reference, Task, stopCode:
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html).
const stopCodeExited = "EssentialContainerExited"

// The parties that drain in a run (Report.Party).
const (
	// PartyDrainer: drainer drains (Play, Record).
	PartyDrainer = "drainer"
	// PartyECS: ECS's managed instance draining drains, with no drainer
	// in the world (PlayECS).
	PartyECS = "ECS"
)

// Recorder collects the figures of a run as it happens.
type Recorder struct {
	w       *emulator.World
	checker *invariant.Checker
	policy  drain.Policy
	// party is who drains (PartyDrainer when ""); rules the §7 rules that
	// judge it (nil: every one).
	party string
	rules []int
	// graceful is, per instance, the end of the drain's graceful phase when
	// no drain record says it (ECS's drains: its hook's global expiry).
	graceful map[string]time.Time
	// standalone maps the standalone tasks live on an instance when its
	// drain started to the instance; stoppedEarly counts, per instance,
	// those that stopped without finishing by themselves.
	standalone   map[string]string
	stoppedEarly map[string]int
	byID         map[string]*drainRun
	order        []string
	// lastOff is when the last task of a container instance (by ARN)
	// reached STOPPED; instanceOf maps the container instances of the
	// drains to their EC2 instances; went is when an EC2 instance started
	// shutting down, lost how many tasks of a drained instance were still
	// running then.
	lastOff    map[string]time.Time
	instanceOf map[string]string
	went       map[string]time.Time
	lost       map[string]int
	// calls are drainer's calls other than the queue's, as runs of calls
	// at one instant, in time order: the drains' shares of them are
	// computed at the end, however many calls the run makes.
	calls, scanCalls []callRun
}

// callRun is n calls made at one instant.
type callRun struct {
	at time.Time
	n  int
}

// drainRun is a drain as the recorder follows it.
type drainRun struct {
	DrainFigures
	ciARN     string
	phase     drain.Phase
	completed time.Time // when drainer was done with it (EventCompleted)
}

// Record starts recording h's drains (call before running).
func Record(h *Harness, policy drain.Policy) *Recorder {
	r := newRecorder(h.World, h.Checker, policy, PartyDrainer, nil)
	h.OnDrainEvent(r.event)
	return r
}

// newRecorder starts recording the drains of party in w, judged by checker
// on rules (nil: every rule); the drain events come to event (or, under
// the world lock, to apply).
func newRecorder(w *emulator.World, checker *invariant.Checker, policy drain.Policy, party string, rules []int) *Recorder {
	if policy.FallbackPoll == 0 {
		policy = drain.DefaultPolicy()
	}
	r := &Recorder{w: w, checker: checker, policy: policy, party: party, rules: rules, byID: map[string]*drainRun{},
		graceful: map[string]time.Time{}, standalone: map[string]string{}, stoppedEarly: map[string]int{},
		lastOff: map[string]time.Time{}, instanceOf: map[string]string{}, went: map[string]time.Time{}, lost: map[string]int{}}
	w.ECS.OnTaskChange(func(t *ecs.Task, fromLast, _ string) {
		if t.LastStatus != ecs.StatusStopped || fromLast == ecs.StatusStopped || t.ContainerInstanceArn == "" {
			return
		}
		if id, ok := r.standalone[t.TaskArn]; ok {
			delete(r.standalone, t.TaskArn)
			if t.StopCode != stopCodeExited {
				r.stoppedEarly[id]++
			}
		}
		r.lastOff[t.ContainerInstanceArn] = w.Env.Now()
		// ECS stops the tasks of an instance that goes inside the very
		// event of its leaving: a task stopping while its host is already
		// going was lost with it.
		if id, ok := r.instanceOf[t.ContainerInstanceArn]; ok {
			if inst, ok := w.EC2.Instance(id); ok && (inst.State == ec2.StateShuttingDown || inst.State == ec2.StateTerminated) {
				r.lost[id]++
			}
		}
	})
	w.EC2.OnStateChange(func(inst *ec2.Instance, _ ec2.State) {
		if inst.State == ec2.StateShuttingDown || inst.State == ec2.StateTerminated {
			if _, ok := r.went[inst.ID]; !ok {
				r.went[inst.ID] = w.Env.Now()
			}
		}
	})
	w.Calls.OnCall(func(c emulator.Call) {
		if c.Caller != Caller || c.Service == "sqs" || c.Service == "events" {
			return
		}
		runs := &r.calls
		if c.Part == cloud.PriorityBackground.String() {
			runs = &r.scanCalls
		}
		if last := len(*runs) - 1; last >= 0 && (*runs)[last].at.Equal(c.Time) {
			(*runs)[last].n++
			return
		}
		*runs = append(*runs, callRun{at: c.Time, n: 1})
	})
	return r
}

// who names the party in what the report says.
func (r *Recorder) who() string { return cmp.Or(r.party, PartyDrainer) }

// event takes a drain event told outside the world lock (drainer's).
func (r *Recorder) event(ev drain.Event) {
	if ev.Type == drain.EventStarted {
		r.w.Do(func() { r.apply(ev) })
		return
	}
	r.apply(ev)
}

// apply takes a drain event; a start is taken under the world lock (its
// floor reads the world).
func (r *Recorder) apply(ev drain.Event) {
	d := r.byID[ev.InstanceID]
	switch {
	case ev.Type == drain.EventStarted:
		if d != nil {
			return // the same drain told again (a restart resumes it)
		}
		d = &drainRun{DrainFigures: DrainFigures{InstanceID: ev.InstanceID, Reason: ev.Reason, Started: ev.Time}, phase: ev.Phase}
		d.Floor, d.Stuck, d.Moved, d.ciARN = r.floor(ev.InstanceID, ev.Time)
		if d.ciARN != "" {
			r.instanceOf[d.ciARN] = ev.InstanceID
		}
		r.byID[ev.InstanceID] = d
		r.order = append(r.order, ev.InstanceID)
	case d == nil || !d.completed.IsZero():
		// Not a drain of this recording, or one already over.
	case ev.Type == drain.EventPhaseChanged:
		d.phase = ev.Phase
	case ev.Type == drain.EventReleased && d.Released.IsZero():
		d.Released, d.Ended = ev.Time, ev.Time
		d.Drain = nonNegative(ev.Time.Sub(d.Started))
		if ev.Overdue {
			d.Outcome, d.Why = OutcomeOverdue, r.overdueWhy()
			return
		}
		d.Outcome = OutcomeReleased
		empty := d.Started
		if off, ok := r.lastOff[d.ciARN]; ok && off.After(empty) {
			empty = off
		}
		d.Overhead = nonNegative(ev.Time.Sub(empty))
	case ev.Type == drain.EventCompleted:
		d.completed = ev.Time
		if !d.Released.IsZero() {
			return
		}
		// Over without a release: the instance went first.
		d.Outcome, d.Ended = OutcomeCutShort, ev.Time
		if at, ok := r.went[ev.InstanceID]; ok && at.Before(ev.Time) {
			d.Ended = maxTime(at, d.Started)
		}
		d.Drain = d.Ended.Sub(d.Started)
		d.Lost = r.lost[ev.InstanceID]
		d.Why = cutShortWhy(d.Drain, d.Lost, r.who())
	}
}

// overdueWhy says why a drain was released with tasks on the instance.
func (r *Recorder) overdueWhy() string {
	if r.who() == PartyECS {
		return "let go at its hook's global timeout with tasks still running"
	}
	return "released at its hard deadline with tasks still running"
}

// cutShortWhy says why a drain ended without a release by who.
func cutShortWhy(after time.Duration, lost int, who string) string {
	when := "the instance went " + after.Round(time.Second).String() + " into the drain"
	switch lost {
	case 0:
		return when + ", before " + who + " released it"
	case 1:
		return when + " with 1 task still running, before " + who + " released it"
	default:
		return fmt.Sprintf("%s with %d tasks still running, before %s released it", when, lost, who)
	}
}

func nonNegative(d time.Duration) time.Duration { return max(d, 0) }

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// floor computes the work on an instance at the start of its drain. It
// runs under the world lock.
func (r *Recorder) floor(instanceID string, now time.Time) (time.Duration, bool, int, string) {
	w := r.w
	ci := w.ECS.ContainerInstanceByEC2(instanceID)
	if ci == nil {
		return 0, false, 0, ""
	}
	moved := 0
	// The record is on the container instance already (the reconciler
	// writes it before it tells of the start, and must not be called back
	// here: it tells holding the drain's lock).
	attrs := map[string]string{}
	for _, a := range ci.Attributes {
		if a.Value != nil {
			attrs[a.Name] = *a.Value
		}
	}
	rec, _ := drain.ParseRecord(attrs)
	if until, ok := r.graceful[instanceID]; ok {
		rec.GracefulUntil = until
	}
	var work, daemon time.Duration
	stuck := false
	perService := map[*ecs.ECSService]int{}
	// The emulator's ARNs are of the new format, which names the cluster.
	cluster, _ := awsid.ClusterOf(ci.ContainerInstanceArn)
	for _, t := range w.ECS.TasksOn(ci.ContainerInstanceArn) {
		if t.LastStatus == ecs.StatusStopped || t.DesiredStatus != ecs.StatusRunning {
			continue
		}
		wk := w.ECS.TaskWork(t)
		switch w.ECS.TaskClass(t) {
		case "daemon":
			daemon = max(daemon, wk.Leave())
		case "standalone":
			r.standalone[t.TaskArn] = instanceID
			if wk.Run > 0 && !t.StartedAt.IsZero() {
				left := t.StartedAt.Add(wk.Run).Sub(now) + wk.Deprovision
				if !rec.GracefulUntil.IsZero() && now.Add(left).After(rec.GracefulUntil) {
					left = rec.GracefulUntil.Sub(now) // stopped at the deadline by policy
				}
				work = max(work, left)
			} else if !rec.GracefulUntil.IsZero() {
				work = max(work, rec.GracefulUntil.Sub(now))
			}
		case "service":
			svc := w.ECS.Service(cluster, t.ServiceName())
			if svc == nil {
				continue
			}
			perService[svc]++
			moved++
			desired := int(svc.DesiredCount)
			minPct, maxPct := 100, 200
			if dc := svc.DeploymentConfiguration; dc != nil {
				if dc.MinimumHealthyPercent != nil {
					minPct = int(*dc.MinimumHealthyPercent)
				}
				if dc.MaximumPercent != nil {
					maxPct = int(*dc.MaximumPercent)
				}
			}
			minHealthy := (desired*minPct + 99) / 100
			surge := desired*maxPct/100 - desired
			canStop := desired - minHealthy
			var f time.Duration
			switch {
			case perService[svc] <= canStop:
				f = wk.Leave() // may stop before its replacement is healthy
			case surge > 0:
				f = wk.Replace() + wk.Leave()
			default:
				stuck = true
				if !rec.GracefulUntil.IsZero() {
					f = rec.GracefulUntil.Sub(now) + wk.Leave()
				}
			}
			work = max(work, f)
		}
	}
	return work + daemon, stuck, moved, ci.ContainerInstanceArn
}

// Finish closes the recording: every drain in start order with its
// outcome (a drain neither released nor cut short by the end of the run is
// unfinished), drainer's API calls attributed to the drains under way when
// each was made (a call while n drains run counts 1/n to each), and the
// invariants.
func (r *Recorder) Finish(name string, wall time.Duration, virtual time.Duration) Report {
	rep := Report{Scenario: name, Party: r.who(), Rules: r.rules, CallsByOp: map[string]int{}, Wall: wall, Virtual: virtual}
	w := r.w
	now := w.Now()
	// until is the end of each drain's share of the calls: when drainer
	// was done with it (the instance gone and cleaned up after), else the
	// release and the longest wait for the instance to go, or drainer's
	// last look at a drain cut short; an unfinished drain takes its share
	// to the end.
	var until []time.Time
	for _, id := range r.order {
		d := r.byID[id]
		f := d.DrainFigures
		switch {
		case f.Finished() && !d.completed.IsZero():
			until = append(until, d.completed)
		case f.Finished():
			until = append(until, f.Released.Add(r.policy.ReleaseWait))
		case f.Outcome == OutcomeCutShort:
			until = append(until, d.completed)
		default:
			f.Outcome = OutcomeUnfinished
			f.Why = r.unfinishedWhy(d.phase, nonNegative(now.Sub(f.Started)))
			until = append(until, now)
		}
		rep.Drains = append(rep.Drains, f)
	}
	w.Do(func() {
		for i, id := range r.order {
			d := r.byID[id]
			rep.Drains[i].StandaloneStopped = r.stoppedEarly[id]
			if d.ciARN != "" && r.emptied(d.ciARN) {
				rep.Drains[i].Emptied = maxTime(r.lastOff[d.ciARN], d.Started)
			}
		}
		for _, t := range w.Calls.Totals() {
			if t.Caller != Caller {
				continue
			}
			rep.Calls += t.N
			rep.CallsByOp[t.Service+":"+t.Operation] += t.N
			if t.Service == "sqs" {
				rep.QueueCalls += t.N
			}
		}
		rep.Buckets = w.Faults.Buckets()
	})
	starts := make([]time.Time, len(rep.Drains))
	for i, d := range rep.Drains {
		starts[i] = d.Started
	}
	// Shares are sums of fractions; a hair is added so that an exact half
	// rounds up whatever the floating-point order.
	for i, share := range shares(r.calls, starts, until) {
		rep.Drains[i].Calls = int(math.Round(share + 1e-9))
	}
	for i, share := range shares(r.scanCalls, starts, until) {
		rep.Drains[i].ScanCalls = int(math.Round(share + 1e-9))
	}
	for _, v := range append(r.checker.Violations(), r.checker.Final()...) {
		if v.Rule == 4 {
			rep.HookTimeouts++
		}
		if r.rules == nil || slices.Contains(r.rules, v.Rule) {
			rep.Violations = append(rep.Violations, v)
		}
	}
	return rep
}

// unfinishedWhy says where a drain still under way was when the run
// ended.
func (r *Recorder) unfinishedWhy(phase drain.Phase, into time.Duration) string {
	if r.who() == PartyECS {
		return fmt.Sprintf("still DRAINING when the run ended, %s into the drain (ECS holds an instance up to its hook's global timeout, 48 h)", into.Round(time.Second))
	}
	return fmt.Sprintf("still in its %s phase when the run ended, %s into the drain", phase, into.Round(time.Second))
}

// emptied reports whether no task is left on a container instance (every
// one STOPPED). It runs under the world lock.
func (r *Recorder) emptied(ciARN string) bool {
	for _, t := range r.w.ECS.TasksOn(ciARN) {
		if t.LastStatus != ecs.StatusStopped {
			return false
		}
	}
	return true
}

// shares splits calls among windows [starts[i], until[i]] (both ends
// included): a call made while n windows are open counts 1/n to each, and
// nothing when none is. calls are in time order. It costs
// O((calls + windows) log windows): a running sum g of each instant's
// calls over the windows open then gives each window g at its close less
// g at its open.
func shares(calls []callRun, starts, until []time.Time) []float64 {
	n := len(starts)
	out := make([]float64, n)
	byStart, byEnd := make([]int, n), make([]int, n)
	for i := range n {
		byStart[i], byEnd[i] = i, i
	}
	sort.SliceStable(byStart, func(a, b int) bool { return starts[byStart[a]].Before(starts[byStart[b]]) })
	sort.SliceStable(byEnd, func(a, b int) bool { return until[byEnd[a]].Before(until[byEnd[b]]) })
	const (
		waiting = iota
		open
		closed
	)
	state := make([]int, n)
	base := make([]float64, n)
	g, opened, s, e := 0.0, 0, 0, 0
	for _, c := range calls {
		for ; s < n && !starts[byStart[s]].After(c.at); s++ {
			if i := byStart[s]; state[i] == waiting && !until[i].Before(c.at) {
				state[i], base[i] = open, g
				opened++
			}
		}
		for ; e < n && until[byEnd[e]].Before(c.at); e++ {
			i := byEnd[e]
			if state[i] == open {
				out[i] = g - base[i]
				opened--
			}
			state[i] = closed
		}
		if opened > 0 {
			g += float64(c.n) / float64(opened)
		}
	}
	for i := range n {
		if state[i] == open {
			out[i] = g - base[i]
		}
	}
	return out
}

// Quantile returns the q-quantile (q from 0 to 1; outside, the nearest
// end) of xs by nearest rank, and false when xs is empty: there is no
// quantile of nothing.
func Quantile[T cmp.Ordered](xs []T, q float64) (T, bool) {
	if len(xs) == 0 {
		var zero T
		return zero, false
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := 0
	if q > 0 { // false for NaN too
		i = int(math.Ceil(min(q, 1)*float64(len(s)))) - 1
	}
	return s[max(0, min(i, len(s)-1))], true
}

// Spread is the median, 99th percentile (nearest rank) and largest of N
// figures. With N == 0 there were none to measure and the others are zero.
type Spread[T cmp.Ordered] struct {
	N                int
	Median, P99, Max T
}

func spreadOf[T cmp.Ordered](xs []T) Spread[T] {
	s := Spread[T]{N: len(xs)}
	s.Median, _ = Quantile(xs, 0.5)
	s.P99, _ = Quantile(xs, 0.99)
	s.Max, _ = Quantile(xs, 1)
	return s
}

// Summary are the headline figures of a report.
type Summary struct {
	// Drains counts every drain of the run; Released, Overdue, CutShort
	// and Unfinished split them by outcome.
	Drains, Released, Overdue, CutShort, Unfinished int
	// Stuck counts the drains drainer released that had a service unable
	// to move (100/100), NoWork those of an instance with no work on it
	// (floor 0): neither has a ratio.
	Stuck, NoWork int
	// TasksMoved is the service tasks on the instances drainer released.
	TasksMoved int
	// Ratio is drain time over floor (DrainFigures.Ratio), Overhead
	// drainer's overhead (OutcomeReleased only), Calls the own calls of
	// each drain drainer released and ScanCalls their shares of the scans'
	// (DrainFigures).
	Ratio     Spread[float64]
	Overhead  Spread[time.Duration]
	Calls     Spread[int]
	ScanCalls Spread[int]
	// Empty is the time to empty (DrainFigures.TimeToEmpty) of the drains
	// released (overdue or not) whose instance has no task left;
	// StandaloneStopped sums DrainFigures.StandaloneStopped over every
	// drain.
	Empty             Spread[time.Duration]
	StandaloneStopped int
}

// Summarize computes the headline figures. Drains cut short or
// unfinished are counted but left out of every spread: their figures are
// not whole.
func (rep Report) Summarize() Summary {
	var ratios []float64
	var over []time.Duration
	var calls, scanCalls []int
	var empty []time.Duration
	s := Summary{Drains: len(rep.Drains)}
	for _, d := range rep.Drains {
		s.StandaloneStopped += d.StandaloneStopped
		switch d.Outcome {
		case OutcomeReleased:
			s.Released++
		case OutcomeOverdue:
			s.Overdue++
		case OutcomeCutShort:
			s.CutShort++
		default:
			s.Unfinished++
		}
		if !d.Finished() {
			continue
		}
		switch ratio, ok := d.Ratio(); {
		case ok:
			ratios = append(ratios, ratio)
		case d.Stuck:
			s.Stuck++
		default:
			s.NoWork++
		}
		if d.Measured() {
			over = append(over, d.Overhead)
		}
		if e, ok := d.TimeToEmpty(); ok {
			empty = append(empty, e)
		}
		calls = append(calls, d.Calls)
		scanCalls = append(scanCalls, d.ScanCalls)
		s.TasksMoved += d.Moved
	}
	s.Ratio, s.Overhead, s.Calls, s.ScanCalls = spreadOf(ratios), spreadOf(over), spreadOf(calls), spreadOf(scanCalls)
	s.Empty = spreadOf(empty)
	return s
}

// MarshalJSON writes the report with its Summary.
func (rep Report) MarshalJSON() ([]byte, error) {
	type plain Report // without this method
	return json.Marshal(struct {
		plain
		Summary Summary
	}{plain(rep), rep.Summarize()})
}

// failedStep is a failed timeline step for people: "TIMELINE STEP FAILED
// at 00:01:10: terminate-instance: DETAIL: ERROR" (virtual time; no
// DETAIL when the step said none).
func failedStep(r scenario.Record) string {
	what := r.Action
	if r.Detail != "" {
		what += ": " + r.Detail
	}
	return fmt.Sprintf("TIMELINE STEP FAILED at %s: %s: %s", r.Time.Format("15:04:05"), what, r.Err)
}

// FailedStepsText says, in one line, which timeline steps of a run
// failed (Report.FailedSteps); "" when none did.
func (rep Report) FailedStepsText() string {
	if len(rep.FailedSteps) == 0 {
		return ""
	}
	var each []string
	for _, st := range rep.FailedSteps {
		each = append(each, fmt.Sprintf("at %s %s (%s)", st.Time.Format("15:04:05"), st.Action, st.Err))
	}
	return fmt.Sprintf("%s of scenario %s failed, so the run is not the scenario as written: %s",
		plural(len(rep.FailedSteps), "timeline step"), rep.Scenario, strings.Join(each, "; "))
}

// WriteText prints the report for people. A figure nothing measured is
// said so ("none measured", "-"), never printed as a number.
func (rep Report) WriteText(w io.Writer) {
	s := rep.Summarize()
	name := rep.Scenario
	if rep.Party == PartyECS {
		name += " (ECS's managed instance draining, no drainer)"
	}
	if s.Drains == 0 {
		fmt.Fprintf(w, "scenario %s: no drains in %s of virtual time (%s wall)\n", name, rep.Virtual.Round(time.Second), rep.Wall.Round(time.Millisecond))
	} else {
		fmt.Fprintf(w, "scenario %s: %s in %s of virtual time (%s wall): %s\n", name, plural(s.Drains, "drain"), rep.Virtual.Round(time.Second), rep.Wall.Round(time.Millisecond), outcomes(s))
		fmt.Fprintf(w, "  service tasks moved off the released instances: %d\n", s.TasksMoved)
		fmt.Fprintf(w, "  drain time / floor:      %s%s\n",
			spreadText(s.Ratio, "median %.3f, p99 %.3f", s.Ratio.Median, s.Ratio.P99),
			leftOut(s, tally{s.Stuck, "stuck"}, tally{s.NoWork, "with no work"}))
		fmt.Fprintf(w, "  time to empty:           %s%s\n",
			spreadText(s.Empty, "median %s, p99 %s", s.Empty.Median.Round(time.Second), s.Empty.P99.Round(time.Second)),
			leftOut(s, tally{s.Released + s.Overdue - s.Empty.N, "with tasks left"}))
		fmt.Fprintf(w, "  standalone tasks stopped before they finished: %d\n", s.StandaloneStopped)
		fmt.Fprintf(w, "  overhead after the last task STOPPED (virtual time): %s%s\n",
			// Virtual time is exact to the nanosecond; people read tens of
			// milliseconds.
			spreadText(s.Overhead, "median %s, max %s", s.Overhead.Median.Round(10*time.Millisecond), s.Overhead.Max.Round(10*time.Millisecond)),
			leftOut(s, tally{s.Overdue, string(OutcomeOverdue)}))
		fmt.Fprintf(w, "  API calls per released instance (ECS, Auto Scaling, EC2): %s%s\n",
			spreadText(s.Calls, "median %d, max %d", s.Calls.Median, s.Calls.Max),
			leftOut(s))
		fmt.Fprintf(w, "    and its share of the periodic scans' calls meanwhile: %s\n",
			spreadText(s.ScanCalls, "median %d, max %d", s.ScanCalls.Median, s.ScanCalls.Max))
	}
	for _, st := range rep.FailedSteps {
		fmt.Fprintf(w, "  %s\n", failedStep(st))
	}
	fmt.Fprintf(w, "  all calls: %d, of which %d reading the queue's event stream%s\n", rep.Calls, rep.QueueCalls, ecsCallsNote(rep.Party))
	for _, b := range rep.Buckets {
		fmt.Fprintf(w, "  bucket %s (burst %d, %g/s), every caller: %d calls, peak %d/s, %d throttled\n", b.Name, b.Burst, b.Rate, b.Calls, b.Peak, b.Throttled)
	}
	fmt.Fprintf(w, "  lifecycle actions of %s hook timed out: %d\n", hookOf(rep.Party), rep.HookTimeouts)
	fmt.Fprintf(w, "  invariants%s: %d violations\n", rulesText(rep.Rules), len(rep.Violations))
	if s.Drains > 0 {
		fmt.Fprintf(w, "  %-20s %-18s %-10s %6s %10s %10s %7s %9s %6s %6s\n", "instance", "reason", "outcome", "moved", "drain", "floor", "ratio", "overhead", "calls", "scans")
		for _, d := range rep.Drains {
			drainTime, ratio, overhead := "-", "-", "-"
			if !d.Ended.IsZero() {
				drainTime = d.Drain.Round(time.Second).String()
			}
			if r, ok := d.Ratio(); ok {
				ratio = fmt.Sprintf("%.3f", r)
			}
			if d.Measured() {
				overhead = d.Overhead.Round(10 * time.Millisecond).String()
			}
			line := fmt.Sprintf("  %-20s %-18s %-10s %6d %10s %10s %7s %9s %6d %6d", d.InstanceID, d.Reason, d.Outcome, d.Moved, drainTime, d.Floor.Round(time.Second), ratio, overhead, d.Calls, d.ScanCalls)
			if d.Why != "" {
				line += "  " + d.Why
			}
			fmt.Fprintln(w, line)
		}
	}
	ops := make([]string, 0, len(rep.CallsByOp))
	for op := range rep.CallsByOp {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	fmt.Fprintf(w, "  calls by operation:")
	for _, op := range ops {
		fmt.Fprintf(w, " %s=%d", op, rep.CallsByOp[op])
	}
	fmt.Fprintln(w)
	for _, v := range rep.Violations {
		fmt.Fprintf(w, "  VIOLATION %s\n", v)
	}
}

// ecsCallsNote says, for a run drained by ECS, why it made no call.
func ecsCallsNote(party string) string {
	if party == PartyECS {
		return " (ECS's managed draining acts inside AWS: it makes none from the account)"
	}
	return ""
}

// hookOf names the hook whose timeouts a report counts.
func hookOf(party string) string {
	if party == PartyECS {
		return "ECS's managed draining"
	}
	return "drainer's"
}

// rulesText names the rules judged, "" for every one.
func rulesText(rules []int) string {
	if rules == nil {
		return ""
	}
	parts := make([]string, len(rules))
	for i, r := range rules {
		parts[i] = strconv.Itoa(r)
	}
	return " (rules " + strings.Join(parts, ", ") + ")"
}

// spreadText formats a spread's figures, or says none was measured.
func spreadText[T cmp.Ordered](s Spread[T], format string, args ...any) string {
	if s.N == 0 {
		return "none measured"
	}
	return fmt.Sprintf(format, args...) + " over " + plural(s.N, "drain")
}

// tally is a count of drains of one kind.
type tally struct {
	n    int
	what string
}

// list says the non-zero tallies ("1 stuck, 2 cut short").
func list(ts ...tally) string {
	var parts []string
	for _, t := range ts {
		if t.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", t.n, t.what))
		}
	}
	return strings.Join(parts, ", ")
}

// leftOut says which drains a figure leaves out: those cut short or
// unfinished always, and the kinds given.
func leftOut(s Summary, kinds ...tally) string {
	l := list(append(kinds, tally{s.CutShort, string(OutcomeCutShort)}, tally{s.Unfinished, string(OutcomeUnfinished)})...)
	if l == "" {
		return ""
	}
	return " (left out: " + l + ")"
}

// outcomes says how many drains ended which way.
func outcomes(s Summary) string {
	return list(tally{s.Released, string(OutcomeReleased)}, tally{s.Overdue, string(OutcomeOverdue)},
		tally{s.CutShort, string(OutcomeCutShort)}, tally{s.Unfinished, string(OutcomeUnfinished)})
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
