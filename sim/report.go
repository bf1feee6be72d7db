package sim

import (
	"fmt"
	"io"
	"math"
	"sort"
	"time"

	"github.com/drainer-dev/drainer/awsid"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator/ecs"
	"github.com/drainer-dev/drainer/invariant"
)

// DrainFigures are one drained instance's numbers.
type DrainFigures struct {
	InstanceID string
	Reason     drain.Reason
	Started    time.Time
	// Released is when drainer completed the lifecycle action or
	// terminated the instance; Drain is Released − Started.
	Released time.Time
	Drain    time.Duration
	// Floor is the time the work itself takes (DESIGN.md §8): for the
	// tasks on the instance when the drain started, their replacements
	// started and healthy plus their own stop, standalone tasks' remaining
	// run, then the daemon tasks' stop. Stuck is set when a service cannot
	// move at all (100/100) and the floor is the graceful deadline.
	Floor time.Duration
	Stuck bool
	// Moved is the service tasks on the instance when the drain started:
	// ECS moved them elsewhere (or they were stopped at the deadline).
	Moved int
	// Overhead is drainer's own time between the last task on the instance
	// reaching STOPPED and the release.
	Overhead time.Duration
	// Calls is the ECS, Auto Scaling, EC2 and EventBridge calls drainer made
	// for this drain: each call made while n drains were under way counts
	// 1/n to each (queue reads are counted apart, see Report).
	Calls int
}

// Ratio is drain time over floor.
func (f DrainFigures) Ratio() float64 {
	if f.Floor <= 0 {
		return 1
	}
	return float64(f.Drain) / float64(f.Floor)
}

// Report is what a simulated run measured.
type Report struct {
	Scenario   string
	Drains     []DrainFigures
	Violations []invariant.Violation
	// Calls is every API call drainer made in the run; CallsByOp splits
	// them by service:operation. QueueCalls are the SQS calls among them:
	// reading the event stream, which grows with the cluster's activity, not
	// with the drains, so they are not shared out to the drains.
	Calls      int
	QueueCalls int
	CallsByOp  map[string]int
	Wall       time.Duration
	Virtual    time.Duration
}

// Recorder collects the figures of a run as it happens.
type Recorder struct {
	h       *Harness
	policy  drain.Policy
	byID    map[string]*DrainFigures
	order   []string
	lastOff map[string]time.Time // container instance ARN → last task STOPPED
	ciOf    map[string]string    // instance → container instance ARN
}

// Record starts recording h's drains (call before running).
func Record(h *Harness, policy drain.Policy) *Recorder {
	if policy.FallbackPoll == 0 {
		policy = drain.DefaultPolicy()
	}
	r := &Recorder{h: h, policy: policy, byID: map[string]*DrainFigures{}, lastOff: map[string]time.Time{}, ciOf: map[string]string{}}
	h.World.ECS.OnTaskChange(func(t *ecs.Task, fromLast, _ string) {
		if t.LastStatus == ecs.StatusStopped && fromLast != ecs.StatusStopped && t.ContainerInstanceArn != "" {
			r.lastOff[t.ContainerInstanceArn] = h.World.Env.Now()
		}
	})
	prev := h.OnDrainEvent
	h.OnDrainEvent = func(ev drain.Event) {
		if prev != nil {
			prev(ev)
		}
		r.event(ev)
	}
	return r
}

func (r *Recorder) event(ev drain.Event) {
	switch ev.Type {
	case drain.EventStarted:
		f := &DrainFigures{InstanceID: ev.InstanceID, Reason: ev.Reason, Started: ev.Time}
		r.h.World.Do(func() { f.Floor, f.Stuck, f.Moved, r.ciOf[ev.InstanceID] = r.floor(ev.InstanceID, ev.Time) })
		r.byID[ev.InstanceID] = f
		r.order = append(r.order, ev.InstanceID)
	case drain.EventReleased:
		f := r.byID[ev.InstanceID]
		if f == nil || !f.Released.IsZero() {
			return
		}
		f.Released = ev.Time
		f.Drain = ev.Time.Sub(f.Started)
		if off, ok := r.lastOff[r.ciOf[ev.InstanceID]]; ok && !off.After(ev.Time) {
			f.Overhead = ev.Time.Sub(off)
		}
	}
}

// floor computes the work on an instance at the start of its drain. It
// runs under the world lock.
func (r *Recorder) floor(instanceID string, now time.Time) (time.Duration, bool, int, string) {
	w := r.h.World
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

// Finish closes the recording: drains in start order, with drainer's API
// calls attributed to the drains under way when each was made (a call
// while n drains run counts 1/n to each), and the invariants.
func (r *Recorder) Finish(name string, wall time.Duration, virtual time.Duration) Report {
	rep := Report{Scenario: name, CallsByOp: map[string]int{}, Wall: wall, Virtual: virtual}
	for _, id := range r.order {
		if f := r.byID[id]; !f.Released.IsZero() {
			rep.Drains = append(rep.Drains, *f)
		}
	}
	share := make([]float64, len(rep.Drains))
	for _, c := range r.h.World.Calls.All() {
		if c.Caller != Caller {
			continue
		}
		rep.Calls++
		rep.CallsByOp[c.Service+":"+c.Operation]++
		if c.Service == "sqs" {
			rep.QueueCalls++
			continue
		}
		var under []int
		for i, d := range rep.Drains {
			if !c.Time.Before(d.Started) && !c.Time.After(d.Released.Add(r.policy.ReleaseWait)) {
				under = append(under, i)
			}
		}
		for _, i := range under {
			share[i] += 1 / float64(len(under))
		}
	}
	for i := range rep.Drains {
		rep.Drains[i].Calls = int(math.Round(share[i]))
	}
	rep.Violations = append(r.h.Checker.Violations(), r.h.Checker.Final()...)
	return rep
}

// Quantile returns the q-quantile (0–1) of xs (nearest rank).
func Quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

// Summary are the headline figures of a report.
type Summary struct {
	Drains                        int
	RatioMedian, RatioP99         float64
	OverheadMedian, OverheadMax   time.Duration
	CallsPerDrainMedian, CallsMax float64
	Stuck                         int
	TasksMoved                    int
}

// Summarize computes the headline figures.
func (rep Report) Summarize() Summary {
	var ratios, over, calls []float64
	s := Summary{Drains: len(rep.Drains)}
	for _, d := range rep.Drains {
		if d.Stuck {
			s.Stuck++
		} else {
			ratios = append(ratios, d.Ratio())
		}
		over = append(over, float64(d.Overhead))
		calls = append(calls, float64(d.Calls))
		s.TasksMoved += d.Moved
	}
	s.RatioMedian, s.RatioP99 = Quantile(ratios, 0.5), Quantile(ratios, 0.99)
	s.OverheadMedian, s.OverheadMax = time.Duration(Quantile(over, 0.5)), time.Duration(Quantile(over, 1))
	s.CallsPerDrainMedian, s.CallsMax = Quantile(calls, 0.5), Quantile(calls, 1)
	return s
}

// WriteText prints the report for people.
func (rep Report) WriteText(w io.Writer) {
	s := rep.Summarize()
	fmt.Fprintf(w, "scenario %s: %d drains in %s of virtual time (%s wall)\n", rep.Scenario, s.Drains, rep.Virtual.Round(time.Second), rep.Wall.Round(time.Millisecond))
	fmt.Fprintf(w, "  service tasks moved off the drained instances: %d\n", s.TasksMoved)
	fmt.Fprintf(w, "  drain time / floor:      median %.3f, p99 %.3f", s.RatioMedian, s.RatioP99)
	if s.Stuck > 0 {
		fmt.Fprintf(w, " (%d stuck drains left out)", s.Stuck)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  overhead after the last task STOPPED: median %s, max %s (virtual time)\n", s.OverheadMedian, s.OverheadMax)
	fmt.Fprintf(w, "  API calls per drained instance (ECS, Auto Scaling, EC2): median %.0f, max %.0f\n", s.CallsPerDrainMedian, s.CallsMax)
	fmt.Fprintf(w, "  all calls: %d, of which %d reading the queue's event stream\n", rep.Calls, rep.QueueCalls)
	fmt.Fprintf(w, "  invariants: %d violations\n", len(rep.Violations))
	fmt.Fprintf(w, "  %-20s %-12s %6s %10s %10s %7s %9s %6s\n", "instance", "reason", "moved", "drain", "floor", "ratio", "overhead", "calls")
	for _, d := range rep.Drains {
		fmt.Fprintf(w, "  %-20s %-12s %6d %10s %10s %7.3f %9s %6d\n", d.InstanceID, d.Reason, d.Moved, d.Drain.Round(time.Second), d.Floor.Round(time.Second), d.Ratio(), d.Overhead, d.Calls)
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
