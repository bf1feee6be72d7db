package property

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/drainer-dev/drainer/assembly"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/scenario"
	"github.com/drainer-dev/drainer/invariant"
	"github.com/drainer-dev/drainer/sim"
)

// Bounds of one run, all in virtual time or virtual events.
const (
	// DefaultMaxEvents is how many virtual events a run may fire before it
	// counts as a hang: far more than the longest generated story needs.
	DefaultMaxEvents = 500_000
	// minHorizon is how long after its timeline's last step a story may
	// run; a hook drainer owns with a longer global timeout stretches it
	// to that timeout plus an hour, up to maxHorizon.
	minHorizon = 3 * time.Hour
	maxHorizon = 18 * time.Hour
	// settleAfter is how long after the last step the run goes on before
	// it may end at rest.
	settleAfter = 20 * time.Minute
	// tail is how long the world must stay at rest before the run ends,
	// so that leftovers are due for the sweep and Final judges a world
	// that had time to clean up.
	tail = 15 * time.Minute
	// stuckAfter is how long past its hard deadline a drain may still run
	// at the end before it counts as a hang.
	stuckAfter = 30 * time.Minute
)

// Options tune a run.
type Options struct {
	// MaxEvents bounds the virtual events of the run; 0 means
	// DefaultMaxEvents.
	MaxEvents uint64
	// Logger receives drainer's logs (nil: none), each with its virtual
	// time (attribute "virtual").
	Logger *slog.Logger
	// Story, when set, is told the story as it happens (the scenario's
	// steps and drainer's drain events, with their virtual times).
	Story func(line string)
}

// Result is what one run found.
type Result struct {
	Seed uint64 `json:"seed"`
	Name string `json:"name"`
	// Violations are the invariants broken during the run and at its end
	// (invariant.Checker's Violations then Final).
	Violations []invariant.Violation `json:"violations,omitempty"`
	// Crash is a panic (with its stack), in the world or in drainer, or
	// one drainer recovered from and logged.
	Crash string `json:"crash,omitempty"`
	// Hang says why the run did not end: more virtual events than the
	// bound, or a drain still running long after its hard deadline.
	Hang string `json:"hang,omitempty"`
	// Setup is why the world or drainer could not be built: an invalid
	// scenario or settings.
	Setup string `json:"setup,omitempty"`
	// Unsettled, when the run ended before the world came to rest for
	// reasons that are no failure (a drain still within its deadlines),
	// says what was still going on.
	Unsettled string `json:"unsettled,omitempty"`

	Events  uint64        `json:"events"`
	Virtual time.Duration `json:"virtual"`
	Wall    time.Duration `json:"wall"`
	Drains  int           `json:"drains"`
	// Drained are the instances drainer recorded a drain on.
	Drained    []string `json:"drained,omitempty"`
	StepErrors int      `json:"stepErrors"`
}

// Failed reports whether the run found anything wrong.
func (r Result) Failed() bool { return len(r.Keys()) > 0 }

// Keys names each kind of failure the run found, once: "rule N" for each
// invariant broken (in the order first broken), then "crash", "hang",
// "setup".
func (r Result) Keys() []string {
	var keys []string
	for _, v := range r.Violations {
		if k := RuleKey(v.Rule); !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	for _, k := range []struct {
		name string
		on   bool
	}{{KeyCrash, r.Crash != ""}, {KeyHang, r.Hang != ""}, {KeySetup, r.Setup != ""}} {
		if k.on {
			keys = append(keys, k.name)
		}
	}
	return keys
}

// Has reports whether the run failed in the way key names.
func (r Result) Has(key string) bool { return slices.Contains(r.Keys(), key) }

// The failure keys other than broken invariants.
const (
	KeyCrash = "crash"
	KeyHang  = "hang"
	KeySetup = "setup"
)

// RuleKey is the failure key of invariant rule n.
func RuleKey(n int) string { return "rule " + strconv.Itoa(n) }

// Run plays the scenario of seed (Generate) and reports what it found.
func Run(seed uint64, o Options) Result { return RunScenario(Generate(seed), o) }

// RunScenario plays sc with drainer, assembled exactly as `drainer run`
// assembles it (sim.New: drainer's settings are the scenario's `drainer:`
// block over the defaults; it reads the queue named Queue), checking every
// invariant after every event. The run goes on until the world has stayed
// at rest for a quarter of an hour after the timeline (no drain in
// progress, every group's instances InService, no instance refresh
// running), so that the end state Final judges had time to settle; or,
// three hours after the last step, until a moment no drain is due to act
// within the hour (then a quarter of an hour more); at most until the horizon (Horizon: the
// longest global timeout of drainer's hooks plus an hour, for drains that
// legitimately last that long) and for at most Options.MaxEvents virtual
// events. Ended before it came to rest, the run does not count against
// rule 6's end state an instance still draining or on its way out. A panic on the goroutine that moves the clock (the world's
// events, the scenario's steps) is recovered and reported; a panic on one
// of drainer's own goroutines ends the process (Pool reports those).
func RunScenario(sc *scenario.Scenario, o Options) (res Result) {
	res = Result{Seed: sc.Seed, Name: sc.Name}
	wall := time.Now()
	defer func() { res.Wall = time.Since(wall) }()
	defer func() {
		if p := recover(); p != nil {
			res.Crash = fmt.Sprintf("panic: %v\n\n%s", p, debug.Stack())
		}
	}()
	if err := sc.Validate(); err != nil {
		res.Setup = err.Error()
		return res
	}
	settings, err := sim.Settings(sc)
	if err != nil {
		res.Setup = err.Error()
		return res
	}
	logs, clock := &panicLog{}, &virtualTime{}
	logger := slog.New(logs)
	if o.Logger != nil {
		logger = slog.New(fanout{logs, stamped{o.Logger.Handler(), clock}})
	}
	h, err := sim.New(sc, sim.Options{Queue: Queue, Settings: &settings, Logger: logger})
	if err != nil {
		res.Setup = err.Error()
		return res
	}
	clock.set(h.World.Now)
	if o.Story != nil {
		tell(h, o.Story)
	}
	maxEvents := o.MaxEvents
	if maxEvents == 0 {
		maxEvents = DefaultMaxEvents
	}
	c := h.World.Clock
	start, fired := h.World.Now(), c.Fired()
	minEnd := start.Add(sc.End() + settleAfter)
	quietAfter := start.Add(sc.End() + minHorizon)
	horizon := start.Add(sc.End() + Horizon(sc, settings))
	var lastLook, restSince time.Time
	tooMany, over, quiet := false, false, false
	h.RunUntil(horizon, func() bool {
		if tooMany = c.Fired()-fired > maxEvents; tooMany {
			return true
		}
		now := h.World.Now()
		if now.Before(minEnd) || now.Sub(lastLook) < time.Minute {
			return false
		}
		lastLook = now
		drains := h.Reconciler.Drains()
		switch {
		case len(drains) > 0 || !sim.Settled(h.World):
			restSince = time.Time{}
		case restSince.IsZero():
			restSince = now
		}
		over = !restSince.IsZero() && now.Sub(restSince) >= tail
		// A world that never rests (instances replaced at their
		// time-to-live, one after another; a drain patiently waiting for
		// ECS) ends three hours after its timeline, at a moment when no
		// drain is due to act within the hour.
		quiet = !now.Before(quietAfter) && !slices.ContainsFunc(drains, func(d drain.Status) bool {
			return d.Phase != drain.PhaseGraceful || d.Record.GracefulUntil.Before(now.Add(time.Hour))
		})
		return over || quiet
	})
	if quiet && !over && !tooMany {
		h.RunUntil(h.World.Now().Add(tail), func() bool {
			tooMany = c.Fired()-fired > maxEvents
			return tooMany
		})
	}
	now := h.World.Now()
	res.Events, res.Virtual = c.Fired()-fired, now.Sub(start)
	res.StepErrors = len(h.Run.Errors())
	for _, ev := range h.Events {
		if ev.Type == drain.EventStarted {
			res.Drains++
		}
	}
	res.Violations = h.Checker.Violations()
	res.Drained = h.Checker.Drained()
	drains := h.Reconciler.Drains()
	for _, v := range h.Checker.Final() {
		// At the horizon, an instance still being drained, or still
		// held by a hook on its way out, has not left yet: not a leak.
		if !over && (slices.ContainsFunc(drains, func(d drain.Status) bool { return d.InstanceID == v.Instance }) ||
			terminating(h.World, v.Instance)) {
			continue
		}
		res.Violations = append(res.Violations, v)
	}
	switch {
	case tooMany:
		res.Hang = fmt.Sprintf("more than %d virtual events in %v of virtual time (%d events pending; drains in progress: %s)",
			maxEvents, res.Virtual, c.Pending(), describeDrains(drains, now))
	case !over:
		var stuck []drain.Status
		for _, d := range drains {
			if !d.Record.Deadline.IsZero() && now.Sub(d.Record.Deadline) > stuckAfter {
				stuck = append(stuck, d)
			}
		}
		if len(stuck) > 0 {
			res.Hang = fmt.Sprintf("at the horizon (%v after the start) %d drain(s) still in progress more than %v after their hard deadline: %s",
				res.Virtual, len(stuck), stuckAfter, describeDrains(stuck, now))
		} else {
			res.Unsettled = fmt.Sprintf("not at rest when the run ended (%v after the start); drains in progress: %s", res.Virtual, describeDrains(drains, now))
		}
	}
	if p := logs.first(); p != "" && res.Crash == "" {
		res.Crash = "drainer recovered from a panic: " + p
	}
	h.Stop()
	return res
}

// terminating reports whether Auto Scaling is terminating instance id
// (Terminating, Terminating:Wait, Terminating:Proceed).
func terminating(w *emulator.World, id string) bool {
	var out *autoscaling.DescribeAutoScalingInstancesOutput
	w.Do(func() {
		out, _ = w.AutoScaling.DescribeAutoScalingInstances(autoscaling.DescribeAutoScalingInstancesInput{InstanceIds: []string{id}})
	})
	return out != nil && len(out.AutoScalingInstances) == 1 &&
		strings.HasPrefix(out.AutoScalingInstances[0].LifecycleState, "Terminating")
}

// Horizon is how long after its timeline's last step a run of sc may go
// on: three hours, or the longest global timeout of a hook drainer owns
// (min(48 h, 100 × its heartbeat timeout), AWS's rule) plus an hour, at
// most eighteen hours.
func Horizon(sc *scenario.Scenario, s assembly.Settings) time.Duration {
	d := minHorizon
	for _, g := range sc.Groups {
		for _, hk := range g.Hooks {
			if hk.Transition == "launching" || !slices.Contains(s.Hooks, hk.Name) {
				continue
			}
			hb := hk.HeartbeatTimeout.D()
			if hb <= 0 {
				hb = time.Hour
			}
			d = max(d, min(48*time.Hour, 100*hb)+time.Hour)
		}
	}
	return min(d, maxHorizon)
}

func describeDrains(ds []drain.Status, now time.Time) string {
	if len(ds) == 0 {
		return "none"
	}
	parts := make([]string, 0, len(ds))
	for _, d := range ds {
		left := make([]string, 0, len(d.TasksLeft))
		for class, n := range d.TasksLeft {
			left = append(left, fmt.Sprintf("%d %s", n, class))
		}
		sort.Strings(left)
		parts = append(parts, fmt.Sprintf("%s (%s, %s, hard deadline %s, tasks left: %s)", d.InstanceID, d.Record.Reason, d.Phase,
			relative(d.Record.Deadline, now), strings.Join(left, ", ")))
	}
	return strings.Join(parts, "; ")
}

func relative(t, now time.Time) string {
	if t.IsZero() {
		return "none"
	}
	if t.After(now) {
		return "in " + t.Sub(now).String()
	}
	return now.Sub(t).String() + " ago"
}

// tell tells the story of h's run to say, one line per scenario step and
// drain event, with the virtual time.
func tell(h *sim.Harness, say func(string)) {
	line := func(at time.Time, s string) { say(at.Format("15:04:05") + "  " + s) }
	h.Run.OnRecord = func(r scenario.Record) {
		if r.Err != "" {
			line(r.Time, "step "+r.Action+" failed: "+r.Err)
			return
		}
		line(r.Time, r.Detail)
	}
	h.OnDrainEvent(func(ev drain.Event) {
		s := fmt.Sprintf("drain %s of %s (%s)", ev.Type, ev.InstanceID, ev.Reason)
		if ev.Phase != "" {
			s += " phase " + string(ev.Phase)
		}
		if ev.Detail != "" {
			s += ": " + ev.Detail
		}
		line(ev.Time, s)
	})
}

// panicLog is a slog handler that keeps the first log record mentioning a
// panic: drainer recovers from panics in its message handlers and logs
// them, and a panic on input is a bug however it is caught.
type panicLog struct {
	mu    sync.Mutex
	attrs []slog.Attr
	root  *panicLog
	seen  string
}

func (p *panicLog) base() *panicLog {
	if p.root != nil {
		return p.root
	}
	return p
}

// Enabled: drainer logs a recovered panic as a warning or an error.
func (p *panicLog) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (p *panicLog) Handle(_ context.Context, r slog.Record) error {
	text := r.Message
	r.Attrs(func(a slog.Attr) bool {
		text += " " + a.String()
		return true
	})
	for _, a := range p.attrs {
		text += " " + a.String()
	}
	if strings.Contains(text, "panicked") {
		b := p.base()
		b.mu.Lock()
		if b.seen == "" {
			b.seen = text
		}
		b.mu.Unlock()
	}
	return nil
}

func (p *panicLog) WithAttrs(as []slog.Attr) slog.Handler {
	return &panicLog{root: p.base(), attrs: append(slices.Clone(p.attrs), as...)}
}

func (p *panicLog) WithGroup(string) slog.Handler { return p }

func (p *panicLog) first() string {
	b := p.base()
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.seen
}

// fanout sends each record to two handlers.
type fanout struct{ a, b slog.Handler }

func (f fanout) Enabled(ctx context.Context, l slog.Level) bool {
	return f.a.Enabled(ctx, l) || f.b.Enabled(ctx, l)
}

func (f fanout) Handle(ctx context.Context, r slog.Record) error {
	if f.a.Enabled(ctx, r.Level) {
		_ = f.a.Handle(ctx, r.Clone())
	}
	if f.b.Enabled(ctx, r.Level) {
		return f.b.Handle(ctx, r)
	}
	return nil
}

func (f fanout) WithAttrs(as []slog.Attr) slog.Handler {
	return fanout{f.a.WithAttrs(as), f.b.WithAttrs(as)}
}

func (f fanout) WithGroup(name string) slog.Handler {
	return fanout{f.a.WithGroup(name), f.b.WithGroup(name)}
}

// virtualTime is the world's clock, once there is a world.
type virtualTime struct {
	mu  sync.Mutex
	now func() time.Time
}

func (v *virtualTime) set(now func() time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.now = now
}

func (v *virtualTime) get() (time.Time, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.now == nil {
		return time.Time{}, false
	}
	return v.now(), true
}

// stamped adds the virtual time to each record: a log read beside the
// story needs the world's time, not the wall clock's.
type stamped struct {
	h     slog.Handler
	clock *virtualTime
}

func (s stamped) Enabled(ctx context.Context, l slog.Level) bool { return s.h.Enabled(ctx, l) }

func (s stamped) Handle(ctx context.Context, r slog.Record) error {
	if now, ok := s.clock.get(); ok {
		r = r.Clone()
		r.AddAttrs(slog.String("virtual", now.Format("15:04:05.000")))
	}
	return s.h.Handle(ctx, r)
}

func (s stamped) WithAttrs(as []slog.Attr) slog.Handler { return stamped{s.h.WithAttrs(as), s.clock} }

func (s stamped) WithGroup(name string) slog.Handler { return stamped{s.h.WithGroup(name), s.clock} }
