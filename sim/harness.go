// Package sim runs drainer against the emulated world on one virtual
// clock, deterministically and as fast as events allow: the scenario
// world, drainer's production AWS client (aws-sdk-go-v2) talking to the
// world's wire front in process, the reconciler and the controller, and
// the invariants of DESIGN.md §7 checked after every event.
package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/drainer-dev/drainer/cloud"
	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
	"github.com/drainer-dev/drainer/controller"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/front"
	"github.com/drainer-dev/drainer/emulator/scenario"
	"github.com/drainer-dev/drainer/emulator/sqs"
	"github.com/drainer-dev/drainer/intake"
	"github.com/drainer-dev/drainer/invariant"
)

// Caller is the name drainer's calls carry in the world's call log (the
// access key id of its credentials).
const Caller = "drainer"

// Options configure a Harness.
type Options struct {
	// Queue is the scenario queue drainer reads (lifecycle notifications,
	// routed events).
	Queue      string
	Policy     drain.Policy
	Controller controller.Options
	Clusters   []string
	Logger     *slog.Logger
	// Checker, when set, keeps checking with an existing checker (a
	// drainer restarted in the same world).
	Checker *invariant.Checker
}

// Harness is a world with drainer running in it.
type Harness struct {
	World      *emulator.World
	Run        *scenario.Run
	Cloud      *cloudaws.Client
	Reconciler *drain.Reconciler
	Controller *controller.Controller
	Checker    *invariant.Checker
	// Events are the drain events drainer emitted, in order.
	Events []drain.Event
	// Handled counts queue messages by outcome: "handled", "skipped",
	// "failed".
	Handled map[string]int
	// OnDrainEvent, when set, sees each drain event as it happens (outside
	// the world lock).
	OnDrainEvent func(drain.Event)

	queueURL string
	log      *slog.Logger
}

// New builds the scenario's world and starts drainer in it.
func New(sc *scenario.Scenario, opts Options) (*Harness, error) {
	run, err := scenario.NewWorld(sc, emulator.Config{})
	if err != nil {
		return nil, err
	}
	return Attach(run, opts)
}

// Attach starts drainer in a world already built (a second drainer beside
// a first, or one restarted after a crash).
func Attach(run *scenario.Run, opts Options) (*Harness, error) {
	w := run.World
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Harness{World: w, Run: run, Handled: map[string]int{}, log: log, Checker: opts.Checker}
	if opts.Queue != "" {
		out, err := w.SQS.GetQueueUrl(sqs.GetQueueUrlInput{QueueName: opts.Queue})
		if err != nil {
			return nil, fmt.Errorf("drainer queue %s: %w", opts.Queue, err)
		}
		h.queueURL = out.QueueUrl
	}
	unlimited := cloudaws.Limit{Rate: 1e9, Burst: 1 << 30}
	h.Cloud = cloudaws.NewFromConfig(awssdk.Config{Region: w.Env.Region}, cloudaws.Options{
		Endpoint:    "http://emulator.local",
		HTTPClient:  &http.Client{Transport: front.Transport(front.New(w))},
		Credentials: credentials.NewStaticCredentialsProvider(Caller, "sim", ""),
		// The harness moves the clock itself, between drainer's steps: a
		// client-side wait on it would never end. Throttling is exercised
		// through the emulator's faults instead.
		Limits:      cloudaws.Limits{ECS: unlimited, AutoScaling: unlimited, EC2: unlimited, SQS: unlimited, Events: unlimited},
		MaxAttempts: 1,
		Clock:       w.Clock,
		Logger:      log,
	})
	policy := opts.Policy
	if policy.FallbackPoll == 0 {
		policy = drain.DefaultPolicy()
	}
	h.Reconciler = drain.NewReconciler(drain.Config{
		Cloud:    h.Cloud,
		Clock:    w.Clock,
		Policy:   policy,
		Clusters: opts.Clusters,
		Logger:   log,
		OnEvent: func(ev drain.Event) {
			h.Events = append(h.Events, ev)
			if h.OnDrainEvent != nil {
				h.OnDrainEvent(ev)
			}
		},
	})
	h.Controller = controller.New(h.Reconciler, opts.Controller)
	if h.Checker == nil {
		h.Checker = invariant.Watch(w)
	}
	return h, nil
}

// Resume loads the drains recorded in the world (after a restart).
func (h *Harness) Resume() (int, error) { return h.Reconciler.Resume(context.Background()) }

// RunFor runs the world and drainer for d of virtual time.
func (h *Harness) RunFor(d time.Duration) { h.RunUntil(h.World.Now().Add(d), nil) }

// RunUntil runs until done reports true (checked after every step) or the
// clock reaches limit, and reports whether done was met.
func (h *Harness) RunUntil(limit time.Time, done func() bool) bool {
	ctx := context.Background()
	w := h.World
	for {
		h.settle(ctx)
		if done != nil && done() {
			return true
		}
		tw, okw := w.Clock.Next()
		tr, okr := h.Reconciler.Next()
		switch {
		case okr && (!okw || !tr.After(tw)) && !tr.After(limit):
			w.Clock.RunUntil(tr)
		case okw && !tw.After(limit):
			w.Clock.Step()
		default:
			w.Clock.RunUntil(limit)
			h.settle(ctx)
			return done != nil && done()
		}
	}
}

// settle lets drainer act on everything due at the current instant: queue
// messages that are visible (as a long poll would return them at once) and
// drains that are due.
func (h *Harness) settle(ctx context.Context) {
	for {
		n := h.deliver(ctx) + h.Reconciler.RunDue(ctx)
		if n == 0 {
			return
		}
	}
}

func (h *Harness) deliver(ctx context.Context) int {
	if h.queueURL == "" {
		return 0
	}
	var visible int
	h.World.Do(func() { visible, _, _ = h.World.SQS.Depth(h.queueURL) })
	if visible == 0 {
		return 0
	}
	msgs, err := h.Cloud.ReceiveMessages(ctx, h.queueURL, cloud.ReceiveOptions{Max: 10, Visibility: time.Minute})
	if err != nil {
		h.log.Warn("receive failed", "error", err)
		return 0
	}
	var done []string
	for _, m := range msgs {
		n, err := intake.Parse(m.Body)
		switch {
		case errors.Is(err, intake.ErrSkip):
			h.Handled["skipped"]++
			done = append(done, m.ReceiptHandle)
		case err != nil:
			h.Handled["failed"]++
		default:
			if err := h.Controller.Handle(ctx, n); err != nil {
				h.log.Warn("notice not handled; it will come back", "error", err)
				h.Handled["failed"]++
				continue
			}
			h.Handled["handled"]++
			done = append(done, m.ReceiptHandle)
		}
	}
	if len(done) > 0 {
		if _, err := h.Cloud.DeleteMessages(ctx, h.queueURL, done); err != nil {
			h.log.Warn("delete failed", "error", err)
		}
	}
	return len(msgs)
}
