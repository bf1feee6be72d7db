package drain

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/due"
)

// Event is one step of a drain, for the audit trail, metrics, logs and the
// dashboard (published to EventBridge with source "drainer" by the caller).
type Event struct {
	Type       string // EventStarted, EventPhaseChanged, EventCompleted, EventReleased, EventTaskStopped
	Time       time.Time
	InstanceID string
	Cluster    string
	Reason     Reason
	Phase      Phase
	Detail     string
	// Overdue is set on EventReleased and EventCompleted when the hard
	// deadline forced the instance out with tasks still there.
	Overdue bool
	// Tasks counts tasks by class ("service", "standalone", "daemon"):
	// on EventTasksLost, the tasks lost with the agent.
	Tasks map[string]int `json:",omitempty"`
}

// The drain event types (EventBridge detail-types).
const (
	EventStarted      = "Drain Started"
	EventPhaseChanged = "Drain Phase Changed"
	EventTaskStopped  = "Drain Task Stopped"
	EventCompleted    = "Drain Completed"
	EventReleased     = "Instance Released"
	// EventTasksLost: the instance's ECS agent stayed disconnected, so its
	// container instance was deregistered with force; Detail counts the
	// tasks lost by class.
	EventTasksLost = "Drain Tasks Lost"
)

// Config configures a Reconciler.
type Config struct {
	Cloud  cloud.Cloud
	Clock  clock.Clock
	Policy Policy
	// Clusters are the clusters served; empty means every cluster.
	Clusters []string
	// Decrement says, per reason, whether terminating a drained instance
	// through Auto Scaling also lowers the group's desired capacity: yes for
	// idle reclamation (the group shrinks), no for time-to-live (the
	// instance is replaced).
	Decrement map[Reason]bool
	Logger    *slog.Logger
	// OnEvent receives every drain event (synchronously; keep it quick).
	OnEvent func(Event)
	// Parallel is how many drains are looked at (and heartbeats sent) at
	// once; 0 means DefaultParallel. Looks made together share calls when
	// the cloud client coalesces them (DescribeContainerInstances and
	// DescribeTasks a hundred at a time, and so on).
	Parallel int
	// Seed seeds the jitter of retries; 0 takes one from the clock (a
	// virtual clock's fixed start makes simulations repeatable).
	Seed uint64
	// Hooks are the termination lifecycle hooks drainer owns (empty:
	// DefaultHook). A drain heartbeats and completes the actions of these
	// only; a record naming another hook (another drainer's) is left
	// alone.
	Hooks []string
}

// DefaultParallel is Config.Parallel's default: enough for a thousand
// drains' looks to share a few batched calls per instant.
const DefaultParallel = 64

// DefaultDecrement is the Decrement of DESIGN.md §3.
func DefaultDecrement() map[Reason]bool {
	return map[Reason]bool{ReasonIdle: true}
}

// Reconciler runs every drain: one per instance, level-triggered and
// idempotent. Start begins or joins a drain; RunDue looks at every drain
// that is due; Run does so for ever, waking at each drain's next time.
//
// Its methods are safe for concurrent use. A drain is looked at by one
// goroutine at a time (its lock is a clock.Mutex, held across the drain's
// API calls); Drains and Next never wait for a drain being looked at.
type Reconciler struct {
	cfg Config
	log *slog.Logger

	mu     sync.Mutex             // never held across a wait or an API call
	drains map[string]*drainState // by EC2 instance id
	due    due.Queue[*drainState] // next looks
	beats  due.Queue[*beat]       // next heartbeats
	wake   *clock.Signal
	// beating counts the heartbeats beatsDue sent on goroutines of their
	// own that have not returned yet (RunDueAhead waits for them).
	beating clock.Group
	hooks   map[string][]cloud.LifecycleHook // by group
	// hooksAsking holds DescribeLifecycleHooks to one at a time, so that
	// the thousand messages of one scale-in ask about their group once,
	// not each before the first answer is kept. It waits on the clock.
	hooksAsking clock.Mutex

	randMu sync.Mutex
	rand   *rand.Rand

	located map[string]Location // by EC2 instance id, from the last scan
}

// drainState is one drain. The fields from instanceID to done belong to
// whoever holds mu; entry and view belong to the Reconciler's mu.
type drainState struct {
	mu         clock.Mutex // held while the drain is being started or looked at
	instanceID string
	cluster    string
	ciARN      string
	record     Record
	phase      Phase
	releasedAt time.Time
	tasksLeft  map[string]int
	// overdue is set when the drain was released with tasks still there
	// (its hard deadline came): the completion reports it, though the
	// look that completes the drain no longer sees those tasks.
	overdue bool
	enis    map[string]bool
	done    bool
	// awaiting: a lifecycle action holds the instance but its ECS agent
	// has not registered; launched is when the instance launched.
	awaiting bool
	launched time.Time
	// completed: the lifecycle action drainer holds was completed (or
	// found gone); the instance may still wait on another team's hook.
	completed bool
	// agentDown is when the ECS agent was first seen disconnected (zero
	// while connected). lost: drainer deregistered the container
	// instance with force because the agent stayed away; lostServices
	// are the services whose tasks were on it then, which ECS replaces.
	agentDown    time.Time
	lost         bool
	lostServices []string
	// failures counts the looks that failed in a row (their retries back
	// off).
	failures int
	// tasks are the instance's tasks as last read, by ARN; listed: the
	// instance's tasks were listed once DRAINING (observeTasks).
	tasks  map[string]Task
	listed bool
	// agentStop is the ECS agent's container stop timeout on the instance
	// (agentStopTimeout); 0 until read.
	agentStop time.Duration
	// tasksAt is the container instance's record version
	// (cloud.ContainerInstance.Version) when its live tasks were last
	// read; 0: not known.
	tasksAt int64

	entry *due.Entry[*drainState] // its next look; nil when none is queued
	view  *Status                 // what Drains shows; nil until recorded
	beats []*beat                 // its actions' heartbeats, the recorded one first
}

// NewReconciler returns a Reconciler with no drains.
func NewReconciler(cfg Config) *Reconciler {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Policy.FallbackPoll == 0 {
		cfg.Policy = DefaultPolicy()
	}
	if cfg.Decrement == nil {
		cfg.Decrement = DefaultDecrement()
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = DefaultParallel
	}
	seed := cfg.Seed
	if seed == 0 {
		seed = uint64(cfg.Clock.Now().UnixNano())
	}
	return &Reconciler{
		cfg:    cfg,
		log:    log,
		drains: map[string]*drainState{},
		wake:   clock.NewSignal(cfg.Clock),
		hooks:  map[string][]cloud.LifecycleHook{},
		rand:   rand.New(rand.NewPCG(seed, seed>>1|1)),
	}
}

// ErrNotContainerInstance means the EC2 instance is not registered in any
// cluster drainer serves: there is nothing on it to drain.
var ErrNotContainerInstance = errors.New("not a container instance of a served cluster")

// ErrOtherDrainer means the instance is being drained under a lifecycle
// hook drainer does not own (another drainer's, by its record): drainer
// leaves it alone.
var ErrOtherDrainer = errors.New("drained under a hook drainer does not own")

// Start begins a drain of instanceID for trigger t, or joins it to the
// drain already under way (earliest deadlines win). It returns once the
// drain is recorded durably on the container instance, so the caller may
// then acknowledge the trigger (delete its queue message); by then the
// container instance is also set DRAINING and the lifecycle actions of
// drainer's hooks holding it are heartbeated, without waiting for the
// drain's first look. A container
// instance with no room left for custom attributes (cloud.ErrAttributeLimit)
// gets a warning and an EventNotRecorded instead, and the drain runs from
// memory: it does not survive a restart of drainer.
//
// An instance that is not a container instance of a served cluster has
// nothing to drain, yet: a lifecycle action holding it starts a drain that
// waits for its ECS agent to register (PhaseAwaiting), until the
// instance's registration grace ends; other triggers get
// ErrNotContainerInstance. The caller checks that the lifecycle action is
// drainer's (an owned hook, pending) before it calls Start.
func (r *Reconciler) Start(ctx context.Context, instanceID string, t Trigger) error {
	if !t.Reason.Valid() {
		return fmt.Errorf("drain %s: unknown reason %q", instanceID, t.Reason)
	}
	if t.At.IsZero() {
		t.At = r.cfg.Clock.Now()
	}
	said := t.At
	// Hold the drain from before reading its record: two triggers for one
	// instance (a Spot warning and its lifecycle action, handled at once)
	// must merge, not both start and overwrite each other.
	d := r.drainFor(instanceID)
	if err := d.mu.Lock(ctx); err != nil {
		r.forget(d)
		return fmt.Errorf("drain %s: %w", instanceID, err)
	}
	defer d.mu.Unlock()
	defer func() {
		// A drain that could not be recorded does not exist: leave no
		// empty entry behind for listings and budgets to count.
		if d.record.Reason == "" {
			r.forget(d)
		}
	}()
	cluster, ci, err := r.findContainerInstance(ctx, instanceID)
	// A drain already under way whose container instance is gone (drainer
	// deregistered it) only learns of the lifecycle action.
	known := d.record.Reason != "" && !d.done && (d.ciARN != "" || d.awaiting)
	awaiting := errors.Is(err, ErrNotContainerInstance) && t.Hook != ""
	if err != nil && !awaiting {
		return fmt.Errorf("drain %s: %w", instanceID, err)
	}
	if !ci.RegisteredAt.IsZero() && t.At.Before(ci.RegisteredAt) {
		// Nothing ends an instance before it registered: a time inside
		// the hook's window yet earlier than that is stale or forged.
		r.log.Warn("trigger time before the instance registered: the drain counts from now", "instance", instanceID, "reason", t.Reason, "said", t.At.Format(time.RFC3339))
		t.At = r.cfg.Clock.Now()
	}
	rec := r.plan(ctx, instanceID, t)
	if t.Beat.IsZero() && t.Reason == ReasonLifecycle && t.Hook != "" && rec.Started.Equal(said) {
		// The action's start, as its message says and found plausible:
		// its hook's heartbeat timeout counts from there, so the first
		// heartbeat is due half of it later (at once for an old message).
		// A time not trusted leaves Beat zero: a heartbeat at once.
		t.Beat = said
	}
	if awaiting && known && !d.awaiting {
		d.record, d.completed = Merge(d.record, rec), false
		r.show(d)
		r.schedule(d, r.cfg.Clock.Now())
		return nil
	}
	if awaiting {
		// Not registered yet is not "nothing to drain": the agent may
		// register while the hook holds the instance, and ECS would place
		// tasks there. Watch it, in memory, until it registers or its
		// registration grace ends.
		return r.await(d, rec)
	}
	existing, perr := ParseRecord(ci.Attributes)
	if d.record.Reason != "" && !d.done {
		// The drain in memory is at least as fresh as what was read.
		existing, perr = d.record, nil
	} else if perr == nil && existing.Held() && !r.Owns(existing.Hook) {
		// Another drainer's drain (a hook drainer does not own): a
		// voluntary trigger leaves it alone; an action of drainer's own
		// hook holds the instance too, and starts drainer's drain.
		if t.Hook == "" {
			return fmt.Errorf("drain %s: %w (hook %s)", instanceID, ErrOtherDrainer, existing.Hook)
		}
		r.log.Warn("drain record of a hook drainer does not own replaced by its own hook's", "instance", instanceID, "hook", existing.Hook, "own", t.Hook)
		perr = ErrNoRecord
	}
	if perr == nil {
		if existing, err = r.withGroup(ctx, instanceID, existing); err != nil {
			return fmt.Errorf("drain %s: %w", instanceID, err)
		}
	}
	started := true
	var unrecorded error
	switch {
	case perr == nil:
		rec = Merge(existing, rec)
		started = false
	case !errors.Is(perr, ErrNoRecord):
		r.log.Warn("damaged drain record replaced", "instance", instanceID, "error", perr)
	}
	if started || rec != existing {
		attrs, err := rec.Attributes()
		if err != nil {
			return fmt.Errorf("drain %s: %w", instanceID, err)
		}
		if err := r.cfg.Cloud.PutAttributes(ctx, cluster, ci.ARN, attrs); errors.Is(err, cloud.ErrAttributeLimit) {
			unrecorded = err
		} else if err != nil {
			return fmt.Errorf("drain %s: record the drain: %w", instanceID, err)
		}
	}
	d.cluster, d.ciARN, d.record, d.done = cluster, ci.ARN, rec, false
	if t.Hook != "" {
		d.completed = false // a lifecycle action, pending as the caller checked
	}
	r.show(d)
	if started {
		r.emit(Event{Type: EventStarted, Time: r.cfg.Clock.Now(), InstanceID: instanceID, Cluster: cluster, Reason: rec.Reason, Phase: PhaseGraceful,
			Detail: fmt.Sprintf("graceful until %s, hard deadline %s", rec.GracefulUntil.Format(time.RFC3339), rec.Deadline.Format(time.RFC3339))})
	}
	if unrecorded != nil {
		r.notRecorded(d, unrecorded)
	}
	if rec.Held() && !d.completed {
		// Heartbeats begin now, not at the first look, which may wait
		// behind a thousand others for AWS's rate limits.
		if actions, timeouts, err := r.heldBy(ctx, d); err == nil {
			r.keepAlive(d, actions, timeouts, t.Hook, t.Beat)
		}
	}
	if ci.Status == cloud.ContainerInstanceActive {
		// So does DRAINING: ECS starts moving the service tasks at once.
		// A refusal is the first look's to retry.
		if failures, err := r.cfg.Cloud.DrainContainerInstances(ctx, cluster, []string{ci.ARN}); err != nil || len(failures) > 0 {
			r.log.Warn("drain: DRAINING not set at the start; the first look retries", "instance", instanceID, "error", err, "failures", failures)
		}
	}
	r.schedule(d, r.cfg.Clock.Now())
	return nil
}

// plan turns a trigger into its drain's record, its time checked and its
// deadlines bounded by its hook's global timeout.
func (r *Reconciler) plan(ctx context.Context, instanceID string, t Trigger) Record {
	if t.Hook != "" && t.HookGlobalTimeout == 0 {
		if h, err := r.hook(ctx, t.Group, t.Hook); err == nil {
			t.HookGlobalTimeout = h.GlobalTimeout
		} else {
			r.log.Warn("lifecycle hook unknown: deadlines not bounded by its timeout", "instance", instanceID, "hook", t.Hook, "error", err)
		}
	}
	if at := r.cfg.Policy.TriggerTime(t, r.cfg.Clock.Now()); !at.Equal(t.At) {
		if t.Reason == ReasonLifecycle || t.Reason == ReasonSpot {
			// Only these carry a time from a message; the others count
			// from now by design.
			r.log.Warn("trigger time not plausible: the drain counts from now", "instance", instanceID, "reason", t.Reason, "said", t.At.Format(time.RFC3339))
		}
		t.At = at
	}
	return r.cfg.Policy.Plan(t)
}

// await starts (or joins) the drain of an instance a lifecycle action
// holds but whose ECS agent has not registered; the caller holds d.mu.
// Its record stays in memory until the agent registers (there is no
// container instance to keep it on); the scans take it up again after a
// restart.
func (r *Reconciler) await(d *drainState, rec Record) error {
	started := d.record.Reason == "" || d.done
	if !started {
		rec = Merge(d.record, rec)
	}
	d.record, d.awaiting, d.done = rec, true, false
	if started {
		d.phase = PhaseAwaiting
	}
	r.show(d)
	if started {
		r.emit(Event{Type: EventStarted, Time: r.cfg.Clock.Now(), InstanceID: d.instanceID, Reason: rec.Reason, Phase: PhaseAwaiting,
			Detail: fmt.Sprintf("no container instance yet: watching for its ECS agent to register; hard deadline %s", rec.Deadline.Format(time.RFC3339))})
	}
	r.schedule(d, r.cfg.Clock.Now())
	return nil
}

// registered records the drain of an instance whose agent has just
// registered, as Start does; the caller holds d.mu.
func (r *Reconciler) registered(ctx context.Context, d *drainState, cluster string, ci cloud.ContainerInstance) error {
	attrs, err := d.record.Attributes()
	if err != nil {
		return err
	}
	err = r.cfg.Cloud.PutAttributes(ctx, cluster, ci.ARN, attrs)
	switch {
	case errors.Is(err, cloud.ErrAttributeLimit):
		r.notRecorded(d, err)
	case err != nil:
		return fmt.Errorf("record the drain: %w", err)
	}
	d.cluster, d.ciARN, d.awaiting = cluster, ci.ARN, false
	r.log.Info("drain: the ECS agent registered on a terminating instance: draining it", "instance", d.instanceID, "cluster", cluster)
	return nil
}

// WakeAwaiting makes the drain of instanceID due now if it waits for the
// instance's ECS agent to register (an ECS event said its container
// instance changed).
func (r *Reconciler) WakeAwaiting(instanceID string) {
	r.mu.Lock()
	d := r.drains[instanceID]
	awaiting := d != nil && d.view != nil && d.view.Phase == PhaseAwaiting
	r.mu.Unlock()
	if awaiting {
		r.schedule(d, r.cfg.Clock.Now())
	}
}

// Resume loads every drain recorded on the container instances of the
// served clusters, after a restart or beside another drainer: their
// deadlines are the recorded ones.
func (r *Reconciler) Resume(ctx context.Context) (int, error) {
	clusters, err := r.clusters(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, cluster := range clusters {
		var arns []string
		for _, name := range RecordMarkers {
			targets, err := r.cfg.Cloud.ListAttributeTargets(ctx, cluster, name)
			if err != nil {
				return n, fmt.Errorf("resume drains in %s: %w", cluster, err)
			}
			for _, t := range targets {
				arns = append(arns, t.ContainerInstanceARN)
			}
		}
		slices.Sort(arns)
		arns = slices.Compact(arns)
		if len(arns) == 0 {
			continue
		}
		cis, err := r.cfg.Cloud.DescribeContainerInstances(ctx, cluster, arns)
		if err != nil {
			return n, fmt.Errorf("resume drains in %s: %w", cluster, err)
		}
		recs, err := r.recorded(ctx, cis)
		if err != nil {
			return n, fmt.Errorf("resume drains in %s: %w", cluster, err)
		}
		for _, ci := range cis {
			rec, ok := recs[ci.ARN]
			if !ok {
				continue
			}
			if rec.Held() && !r.Owns(rec.Hook) {
				r.log.Info("drain record of a hook drainer does not own left alone", "instance", ci.EC2InstanceID, "hook", rec.Hook)
				continue
			}
			d := r.drainFor(ci.EC2InstanceID)
			if err := d.mu.Lock(ctx); err != nil {
				return n, fmt.Errorf("resume drains in %s: %w", cluster, err)
			}
			d.cluster, d.ciARN, d.record, d.done = cluster, ci.ARN, rec, false
			r.show(d)
			d.mu.Unlock()
			r.schedule(d, r.cfg.Clock.Now())
			n++
		}
	}
	return n, nil
}

// Wake makes the drain of instanceID due now (an event said something
// changed there); it does nothing for instances not being drained.
func (r *Reconciler) Wake(instanceID string) {
	r.mu.Lock()
	d := r.drains[instanceID]
	r.mu.Unlock()
	if d != nil {
		r.schedule(d, r.cfg.Clock.Now())
	}
}

// WakeContainerInstance is Wake by container instance ARN (ECS events name
// the container instance, not the EC2 instance).
func (r *Reconciler) WakeContainerInstance(arn string) {
	r.mu.Lock()
	var d *drainState
	for _, x := range r.drains {
		if x.view != nil && x.view.ContainerInstanceARN == arn {
			d = x
			break
		}
	}
	r.mu.Unlock()
	if d != nil {
		r.schedule(d, r.cfg.Clock.Now())
	}
}

// Next returns when the earliest look or heartbeat is due, and false when
// none is.
func (r *Reconciler) Next() (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var at time.Time
	if e, ok := r.due.Peek(); ok {
		at = e.At()
	}
	if e, ok := r.beats.Peek(); ok && (at.IsZero() || e.At().Before(at)) {
		at = e.At()
	}
	return at, !at.IsZero()
}

// RunDue starts sending every heartbeat due by now and looks at every
// drain due by now, Config.Parallel at a time, until nothing more is due;
// it returns how many looks it made. Heartbeats go on goroutines of their
// own (beatsDue): a thousand of them due at once wait for Auto Scaling's
// tokens, and the looks, which read ECS, must not wait behind them. Tests
// and simulations drive the reconciler with it on a virtual clock; Run
// calls it in production.
func (r *Reconciler) RunDue(ctx context.Context) int {
	n := 0
	for ctx.Err() == nil {
		r.beatsDue(ctx)
		now := r.cfg.Clock.Now()
		var jobs []func(context.Context)
		r.mu.Lock()
		for _, d := range popDue(&r.due, now) {
			d.entry = nil
			jobs = append(jobs, func(ctx context.Context) { r.look(ctx, d) })
			n++
		}
		r.mu.Unlock()
		if len(jobs) == 0 {
			return n
		}
		r.runAll(ctx, jobs)
	}
	return n
}

// beatsDue starts sending the heartbeats due by now, each on its own
// goroutine of the clock: the look that follows does not wait for them
// (a heartbeat may wait for its token in Auto Scaling's bucket).
func (r *Reconciler) beatsDue(ctx context.Context) {
	r.mu.Lock()
	beats := popDue(&r.beats, r.cfg.Clock.Now())
	for _, b := range beats {
		b.entry = nil
	}
	r.mu.Unlock()
	for _, b := range beats {
		r.beating.Go(ctx, r.cfg.Clock, func(ctx context.Context) { r.heartbeat(ctx, b) })
	}
}

// popDue removes and returns the values of q due by now, earliest first;
// the caller holds r.mu.
func popDue[T any](q *due.Queue[T], now time.Time) []T {
	var out []T
	for {
		e, ok := q.Peek()
		if !ok || e.At().After(now) {
			return out
		}
		q.Pop()
		out = append(out, e.Value)
	}
}

// runAll runs jobs, Config.Parallel at a time, and returns once all have.
func (r *Reconciler) runAll(ctx context.Context, jobs []func(context.Context)) {
	if len(jobs) == 1 || !clock.Joinable(ctx, r.cfg.Clock) {
		for _, job := range jobs {
			job(ctx)
		}
		return
	}
	var (
		mu   sync.Mutex
		next int
		g    clock.Group
	)
	for range min(r.cfg.Parallel, len(jobs)) {
		g.Go(ctx, r.cfg.Clock, func(ctx context.Context) {
			for {
				// A heartbeat that fell due while this round's looks ran
				// goes before the next look: it must not wait for the
				// whole round, however slow AWS makes its reads.
				r.beatsDue(ctx)
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= len(jobs) {
					return
				}
				jobs[i](ctx)
			}
		})
	}
	_ = g.Wait(context.WithoutCancel(ctx)) // the jobs end with ctx
}

// look looks at one drain and schedules its next look: a failed look is
// retried with backoff (level-triggered: the next look reads the world
// afresh).
func (r *Reconciler) look(ctx context.Context, d *drainState) {
	next, err := r.reconcile(ctx, d)
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		r.log.Warn("drain step failed; retrying", "instance", d.instanceID, "at", next, "error", err)
	}
	if !next.IsZero() {
		r.schedule(d, next)
	}
}

// Run looks at drains as they come due until ctx ends, waiting on the
// clock in between (start it with clock.Go).
func (r *Reconciler) Run(ctx context.Context) error {
	for {
		r.RunDue(ctx)
		next, _ := r.Next() // zero: no drain, wait for Start or Wake
		if _, err := r.wake.Wait(ctx, next); err != nil {
			return err
		}
	}
}

// Status is a drain in progress, for status tables and the dashboard.
type Status struct {
	InstanceID           string
	Cluster              string
	ContainerInstanceARN string
	Record               Record
	Phase                Phase
	LastHeartbeat        time.Time
	Next                 time.Time
	// TasksLeft counts the tasks not yet STOPPED on the instance at the
	// last look, by class ("service", "daemon", "standalone").
	TasksLeft map[string]int
}

// Drains returns the drains in progress, by instance id, as of the end of
// their last step (a drain being looked at shows its previous state).
func (r *Reconciler) Drains() []Status {
	r.mu.Lock()
	out := make([]Status, 0, len(r.drains))
	for _, d := range r.drains {
		if d.view == nil {
			continue
		}
		st := *d.view
		st.TasksLeft = copyCounts(st.TasksLeft)
		if d.entry != nil {
			st.Next = d.entry.At()
		}
		out = append(out, st)
	}
	r.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].InstanceID < out[j].InstanceID })
	return out
}

// show publishes the drain's state for Drains; the caller holds d.mu.
func (r *Reconciler) show(d *drainState) {
	st := &Status{InstanceID: d.instanceID, Cluster: d.cluster, ContainerInstanceARN: d.ciARN, Record: d.record, Phase: d.phase,
		TasksLeft: copyCounts(d.tasksLeft)}
	r.mu.Lock()
	st.LastHeartbeat = r.lastBeatLocked(d)
	if d.done {
		st = nil
	}
	d.view = st
	r.mu.Unlock()
}

func (r *Reconciler) drainFor(instanceID string) *drainState {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := r.drains[instanceID]
	if d == nil {
		d = &drainState{instanceID: instanceID, enis: map[string]bool{}, phase: PhaseGraceful}
		r.drains[instanceID] = d
	}
	return d
}

// forget drops a drain that never got recorded.
func (r *Reconciler) forget(d *drainState) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.drains[d.instanceID] == d && d.entry == nil && d.view == nil {
		delete(r.drains, d.instanceID)
	}
}

// schedule makes the drain's next look at at, unless one is queued sooner.
func (r *Reconciler) schedule(d *drainState, at time.Time) {
	r.mu.Lock()
	switch {
	case d.entry == nil:
		d.entry = r.due.Push(at, d)
	case at.Before(d.entry.At()):
		r.due.Move(d.entry, at)
	default:
		r.mu.Unlock()
		return
	}
	r.mu.Unlock()
	r.wake.Notify()
}

func (r *Reconciler) emit(ev Event) {
	r.log.Info("drain: "+strings.ToLower(ev.Type), "instance", ev.InstanceID, "cluster", ev.Cluster, "reason", ev.Reason, "phase", ev.Phase, "detail", ev.Detail)
	if r.cfg.OnEvent != nil {
		r.cfg.OnEvent(ev)
	}
}

func (r *Reconciler) clusters(ctx context.Context) ([]string, error) {
	if len(r.cfg.Clusters) > 0 {
		return r.cfg.Clusters, nil
	}
	cs, err := r.cfg.Cloud.ListClusters(ctx)
	if err != nil {
		return nil, err // the client says "list clusters: …"
	}
	return cs, nil
}

// Location is where an EC2 instance's container instance was last seen:
// its cluster and ARN.
type Location struct {
	Cluster              string
	ContainerInstanceARN string
}

// Locate replaces what the reconciler knows of where instances'
// container instances are (by EC2 instance id), as a scan of the served
// clusters found them: a drain then starts with one batched
// DescribeContainerInstances instead of a search of every cluster.
func (r *Reconciler) Locate(at map[string]Location) {
	r.mu.Lock()
	r.located = at
	r.mu.Unlock()
}

// findContainerInstance finds the container instance of instanceID in the
// served clusters: where a scan last saw it, else by a search of each.
func (r *Reconciler) findContainerInstance(ctx context.Context, instanceID string) (string, cloud.ContainerInstance, error) {
	r.mu.Lock()
	loc, known := r.located[instanceID]
	r.mu.Unlock()
	if known {
		cis, err := r.cfg.Cloud.DescribeContainerInstances(ctx, loc.Cluster, []string{loc.ContainerInstanceARN})
		if err != nil && !errors.Is(err, cloud.ErrNotFound) {
			return "", cloud.ContainerInstance{}, fmt.Errorf("describe container instance in %s: %w", loc.Cluster, err)
		}
		if len(cis) == 1 && cis[0].EC2InstanceID == instanceID && cis[0].Status != cloud.ContainerInstanceInactive {
			return loc.Cluster, cis[0], nil
		}
		// Gone or deregistered since the scan: search.
	}
	clusters, err := r.clusters(ctx)
	if err != nil {
		return "", cloud.ContainerInstance{}, err
	}
	for _, cluster := range clusters {
		ci, err := r.cfg.Cloud.FindContainerInstance(ctx, cluster, instanceID)
		if errors.Is(err, cloud.ErrNotFound) {
			continue
		}
		if err != nil {
			return "", cloud.ContainerInstance{}, fmt.Errorf("find container instance in %s: %w", cluster, err)
		}
		if ci.Status == cloud.ContainerInstanceInactive {
			continue
		}
		return cluster, ci, nil
	}
	return "", cloud.ContainerInstance{}, ErrNotContainerInstance
}

// groupHooks returns the lifecycle hooks of group (one
// DescribeLifecycleHooks, then cached: hooks rarely change, and a hook
// learned wrong costs at most a refused heartbeat).
func (r *Reconciler) groupHooks(ctx context.Context, group string) ([]cloud.LifecycleHook, error) {
	cached := func() ([]cloud.LifecycleHook, bool) {
		r.mu.Lock()
		defer r.mu.Unlock()
		hs, ok := r.hooks[group]
		return hs, ok
	}
	if hs, ok := cached(); ok {
		return hs, nil
	}
	if err := r.hooksAsking.Lock(ctx); err != nil {
		return nil, err
	}
	defer r.hooksAsking.Unlock()
	if hs, ok := cached(); ok {
		return hs, nil // asked while this one waited
	}
	hs, err := r.cfg.Cloud.LifecycleHooks(ctx, group)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.hooks[group] = hs
	r.mu.Unlock()
	return hs, nil
}

// Hook returns the lifecycle hook name of group, as Auto Scaling
// described it when the Reconciler first needed the group's hooks (one
// DescribeLifecycleHooks per group); an error wrapping cloud.ErrNotFound
// when the group has no such hook, or the error of the call.
func (r *Reconciler) Hook(ctx context.Context, group, name string) (cloud.LifecycleHook, error) {
	return r.hook(ctx, group, name)
}

func (r *Reconciler) hook(ctx context.Context, group, name string) (cloud.LifecycleHook, error) {
	hs, err := r.groupHooks(ctx, group)
	if err != nil {
		return cloud.LifecycleHook{}, err
	}
	for _, h := range hs {
		if h.Name == name {
			return h, nil
		}
	}
	return cloud.LifecycleHook{}, fmt.Errorf("hook %s of group %s: %w", name, group, cloud.ErrNotFound)
}

// Draining reports whether a drain of instanceID is under way (one Drains
// would list).
func (r *Reconciler) Draining(instanceID string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := r.drains[instanceID]
	return d != nil && d.view != nil
}

// Owns reports whether hook is one of the termination hooks drainer owns
// (Config.Hooks).
func (r *Reconciler) Owns(hook string) bool {
	if len(r.cfg.Hooks) == 0 {
		return hook == DefaultHook
	}
	return slices.Contains(r.cfg.Hooks, hook)
}

// heldBy returns the lifecycle actions holding the drain's instance that
// drainer keeps alive and completes, with their hooks' heartbeat
// timeouts: the recorded one first, then one by instance id for each
// other termination hook drainer owns on the group (Auto Scaling runs
// every hook of the group at once).
func (r *Reconciler) heldBy(ctx context.Context, d *drainState) ([]cloud.LifecycleAction, []time.Duration, error) {
	hs, err := r.groupHooks(ctx, d.record.Group)
	if err != nil {
		return nil, nil, err
	}
	actions, timeouts := []cloud.LifecycleAction{r.action(d)}, []time.Duration{0}
	for _, h := range hs {
		switch {
		case h.Name == d.record.Hook:
			timeouts[0] = h.HeartbeatTimeout
		case h.Transition == cloud.LifecycleTransitionTerminating && r.Owns(h.Name):
			actions = append(actions, cloud.LifecycleAction{Group: d.record.Group, Hook: h.Name, InstanceID: d.instanceID})
			timeouts = append(timeouts, h.HeartbeatTimeout)
		}
	}
	return actions, timeouts, nil
}

func copyCounts(m map[string]int) map[string]int {
	if m == nil {
		return nil
	}
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
