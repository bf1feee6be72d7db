// Package sim runs drainer in the emulated world on one virtual clock,
// deterministically and as fast as events allow: the scenario's world,
// and drainer assembled exactly as `drainer run` assembles it (package
// assembly) — its production AWS client (aws-sdk-go-v2) talking to the
// world's wire front in process, the reconciler, the periodic scans, the
// long-polling queue consumer and the event publisher — each running as a
// goroutine of the world's clock, with the invariants of DESIGN.md §7
// checked after every event. It also plays a scenario with ECS's own
// managed instance draining in drainer's place (ECSRun, PlayECS), and
// both ways side by side (Compare).
//
// The goroutine that builds a Harness owns the world's clock: it moves
// time (RunFor, RunUntil), and only between those calls, when every part
// of drainer waits, may it read the world and drainer's state. Anything
// that calls drainer or AWS runs through Do.
package sim

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/drainer-dev/drainer/assembly"
	"github.com/drainer-dev/drainer/clock"
	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
	"github.com/drainer-dev/drainer/controller"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/front"
	"github.com/drainer-dev/drainer/emulator/scenario"
	"github.com/drainer-dev/drainer/intake"
	"github.com/drainer-dev/drainer/invariant"
	"github.com/drainer-dev/drainer/scan"
)

// Caller is the name drainer's calls carry in the world's call log (the
// access key id of its credentials).
const Caller = "drainer"

// Options configure a Harness.
type Options struct {
	// Queue is the scenario queue drainer reads (lifecycle notifications,
	// routed events); "" reads none.
	Queue string
	// Settings are drainer's settings; nil means the scenario's `drainer:`
	// settings over assembly.DefaultSettings.
	Settings *assembly.Settings
	Logger   *slog.Logger
	// Checker, when set, keeps checking with an existing checker (a
	// drainer restarted in the same world, or a second one beside it).
	Checker *invariant.Checker
}

// Harness is a world with drainer running in it.
type Harness struct {
	World   *emulator.World
	Run     *scenario.Run
	Drainer *assembly.Drainer
	// Cloud, Reconciler and Controller are the Drainer's.
	Cloud      *cloudaws.Client
	Reconciler *drain.Reconciler
	Controller *controller.Controller
	Checker    *invariant.Checker
	// Events are the drain events drainer emitted, in order.
	Events []drain.Event
	// Handled counts queue messages by outcome: "handled", "skipped",
	// "failed".
	Handled map[string]int
	// Scans are the periodic scans' passes, in order.
	Scans []Scan

	log  *slog.Logger
	ctx  context.Context
	stop context.CancelFunc
	// mu orders drain events: live (drainer dev) an operator's drain
	// through the API emits them beside drainer's own goroutines.
	mu        sync.Mutex
	listeners []func(drain.Event)
}

// OnDrainEvent adds f to what sees each drain event as it happens, after
// those added before it. Add them before the clock moves.
func (h *Harness) OnDrainEvent(f func(drain.Event)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.listeners = append(h.listeners, f)
}

// SweepInterval is how long, under settings, a network interface that an
// ECS task left available may stay after its instance went: the sweep's
// age (scan.SweepAge) and two scan intervals, or two minutes when the
// scans are off.
func SweepInterval(s assembly.Settings) time.Duration {
	if s.ScanInterval <= 0 {
		return 2 * time.Minute
	}
	// Seen available at most a scan interval after it became so, and
	// deleted at the first pass SweepAge after that; a pass may itself
	// take up to an interval under throttling.
	return scan.SweepAge(s.ScanInterval) + 2*s.ScanInterval
}

// Scan is one pass of the periodic scans: what it found and did, or why
// it failed.
type Scan struct {
	Report controller.ScanReport
	Err    error
}

// New builds the scenario's world and starts drainer in it.
func New(sc *scenario.Scenario, opts Options) (*Harness, error) {
	run, err := scenario.NewWorld(sc, emulator.Config{})
	if err != nil {
		return nil, err
	}
	return Attach(run, opts)
}

// Settings are the settings a drainer plays sc with unless told
// otherwise: the scenario's `drainer:` block over the defaults.
func Settings(sc *scenario.Scenario) (assembly.Settings, error) {
	s := assembly.DefaultSettings()
	if err := s.Apply(sc.DrainerSettings()); err != nil {
		return s, fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	return s, nil
}

// ClientOptions are the options of a drainer client talking to w in
// process, as caller, on w's clock. Its calls may wait on that clock (rate
// limits, retries): make them from goroutines of the clock (clock.Go, or
// w.Clock.Call from the goroutine that owns it).
func ClientOptions(w *emulator.World, caller string, seed uint64) (awssdk.Config, cloudaws.Options) {
	return awssdk.Config{Region: w.Env.Region}, cloudaws.Options{
		Endpoint:    "http://emulator.local",
		HTTPClient:  &http.Client{Transport: front.Transport(front.New(w))},
		Credentials: credentials.NewStaticCredentialsProvider(caller, "sim", ""),
		JitterSeed:  seed,
		Clock:       w.Clock,
	}
}

// attached, when set, sees each Harness Attach starts, before drainer
// makes a call: the package's tests record there every call drainer makes
// in every world they play, to check each against its IAM policy.
var attached func(*Harness)

// Attach starts drainer in a world already built (a second drainer beside
// a first, or one restarted after a crash).
func Attach(run *scenario.Run, opts Options) (*Harness, error) {
	w := run.World
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	settings := opts.Settings
	if settings == nil {
		s, err := Settings(run.Scenario)
		if err != nil {
			return nil, err
		}
		settings = &s
	}
	h := &Harness{World: w, Run: run, Handled: map[string]int{}, log: log, Checker: opts.Checker}
	if attached != nil {
		attached(h)
	}
	seed := run.Scenario.Seed | 1
	cfg, client := ClientOptions(w, Caller, seed)
	d, err := assembly.New(assembly.Options{
		Settings: *settings,
		AWS:      cfg,
		Client:   client,
		Clock:    w.Clock,
		Queue:    opts.Queue,
		Logger:   log,
		OnEvent:  h.event,
		OnScan:   func(rep controller.ScanReport, err error) { h.Scans = append(h.Scans, Scan{rep, err}) },
		Intake: intake.Options{Metrics: intake.Metrics{
			Handled: func(intake.Kind) { h.Handled["handled"]++ },
			Failed:  func(intake.Kind) { h.Handled["failed"]++ },
			Skipped: func(string) { h.Handled["skipped"]++ },
		}},
	})
	if err != nil {
		return nil, err
	}
	h.Drainer, h.Cloud, h.Reconciler, h.Controller = d, d.Cloud, d.Reconciler, d.Controller
	if h.Checker == nil {
		h.Checker = invariant.WatchWith(w, invariant.Options{
			OwnedHooks: settings.Hooks, Clusters: settings.Clusters, Caller: Caller,
			SweepInterval: SweepInterval(*settings),
			// DESIGN.md §3: a group whose capacity provider turns managed
			// draining off lets its instances go undrained.
			RespectDrainingOff: true,
		})
	}
	h.ctx, h.stop = context.WithCancel(context.Background())
	if err := h.Do(func(ctx context.Context) error {
		_, err := d.Prepare(ctx)
		return err
	}); err != nil {
		return nil, fmt.Errorf("start drainer: %w", err)
	}
	if err := d.Start(h.ctx); err != nil {
		return nil, err
	}
	w.Clock.Settle()
	return h, nil
}

func (h *Harness) event(ev drain.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.Events = append(h.Events, ev)
	for _, f := range h.listeners {
		f(ev)
	}
}

// doLimit bounds the virtual time Do lets pass.
const doLimit = 24 * time.Hour

// Do runs f as a goroutine of the world's clock, as drainer's own parts
// run, and moves time until f returns (for at most a virtual day). Tests
// call drainer and AWS through it: from the goroutine that owns the clock
// a call that waits (a rate limit, a lock held by a drain being looked at)
// would wait for ever.
func (h *Harness) Do(f func(ctx context.Context) error) error {
	var err error
	if !h.World.Clock.Call(h.ctx, h.World.Now().Add(doLimit), func(ctx context.Context) { err = f(ctx) }) {
		return fmt.Errorf("sim: a call did not return within a virtual %v", doLimit)
	}
	return err
}

// Start starts or joins a drain through the reconciler, as the API does.
func (h *Harness) Start(instanceID string, t drain.Trigger) error {
	return h.Do(func(ctx context.Context) error { return h.Reconciler.Start(ctx, instanceID, t) })
}

// Resume loads the drains recorded in the world (after a restart).
func (h *Harness) Resume() (n int, err error) {
	err = h.Do(func(ctx context.Context) (err error) {
		n, err = h.Reconciler.Resume(ctx)
		return err
	})
	return n, err
}

// RunFor runs the world and drainer for d of virtual time.
func (h *Harness) RunFor(d time.Duration) { h.World.Clock.RunFor(d) }

// RunUntil runs until done reports true (checked whenever drainer and the
// world are at rest, before each event) or the clock reaches limit, and
// reports whether done was met. A nil done runs to limit.
func (h *Harness) RunUntil(limit time.Time, done func() bool) bool {
	return runUntil(h.World, limit, done)
}

// runUntil runs w until done reports true (checked between events) or
// the clock reaches limit, and reports whether done was met; a nil done
// runs to limit.
func runUntil(w *emulator.World, limit time.Time, done func() bool) bool {
	if done == nil {
		w.Clock.RunUntil(limit)
		return false
	}
	return w.Clock.RunUntilDone(limit, done)
}

// Stop stops this drainer (as a crash would: its goroutines end, what it
// recorded stays in the world) and returns once every part has returned.
func (h *Harness) Stop() {
	h.stop()
	h.World.Clock.Settle()
}

// RunTogether runs one world with several drainers in it (harnesses
// attached to the same scenario run, reading the same queue) until done
// reports true or the clock reaches limit, and reports whether done was
// met. Every resync, each drainer also resumes the drains recorded in the
// cluster, as a drainer beside others does to learn of drains it did not
// start; zero disables it.
func RunTogether(limit time.Time, resync time.Duration, done func() bool, hs ...*Harness) bool {
	w := hs[0].World
	ctx, cancel := context.WithCancel(context.Background())
	defer func() {
		cancel()
		w.Clock.Settle()
	}()
	if resync > 0 {
		for _, h := range hs {
			clock.Go(ctx, w.Clock, func(ctx context.Context) {
				for clock.Sleep(ctx, w.Clock, resync) == nil {
					if _, err := h.Reconciler.Resume(ctx); err != nil && ctx.Err() == nil {
						h.log.Warn("resume failed", "error", err)
					}
				}
			})
		}
	}
	return hs[0].RunUntil(limit, done)
}
