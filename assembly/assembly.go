// Package assembly puts drainer together from its parts — the cloud client
// (aws-sdk-go-v2), the clock, the reconciler, the controller with its
// periodic scans, the queue consumer, the EventBridge publisher, the
// metrics and the HTTP API — from one Options, the same way for every way
// drainer runs. `drainer run` gives it the wall clock and AWS; `drainer
// dev` and `drainer sim` give it the emulated world's clock and the SDK
// pointed at the emulator, so what a simulation measures is what
// production does.
//
// Every part runs as a goroutine of the clock (clock.Go): on the wall
// clock they are ordinary goroutines; on a virtual clock they run on
// virtual time, the consumer's long poll included, and the clock's owner
// moves time.
package assembly

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"

	"github.com/drainer-dev/drainer/api"
	"github.com/drainer-dev/drainer/clock"
	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
	"github.com/drainer-dev/drainer/controller"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/intake"
	"github.com/drainer-dev/drainer/metrics"
	"github.com/drainer-dev/drainer/publish"
)

// Options are everything drainer is built from. Settings, AWS and Clock
// are what differ between run, dev and sim; the rest is optional.
type Options struct {
	Settings Settings
	// AWS is the SDK configuration (region, credentials, endpoint
	// resolution) and Client the client's own options over it; Clock,
	// OnCall and Logger in Client are filled in here.
	AWS    awssdk.Config
	Client cloudaws.Options
	// Clock drives every part (default the wall clock).
	Clock clock.Clock
	// Queue is the SQS queue lifecycle notifications and events arrive on,
	// by URL or name; "" reads no queue (drains then come only from the
	// API, the scans and recorded drains).
	Queue string
	// EventBus is where drain events are published ("" the default bus).
	EventBus string
	// Metrics collects drainer's metrics (default a new set).
	Metrics *metrics.Metrics
	Logger  *slog.Logger
	// OnEvent, when set, also receives every drain event (the dashboard,
	// a narrator, a simulation's recorder), synchronously.
	OnEvent func(drain.Event)
	// OnCall, when set, also sees every API attempt (see cloudaws.Options).
	OnCall func(service, operation string, err error)
	// OnScan, when set, is told what each periodic scan found and did.
	OnScan func(controller.ScanReport, error)
	// Intake tunes the queue consumer (and Deliver); its Clock and Logger
	// are set here and its Metrics run after drainer's own.
	Intake intake.Options
	// Healthz and Readyz, when set, answer the API's /healthz and /readyz
	// (api.Options); `drainer run` gives a health.Tracker's.
	Healthz, Readyz http.Handler
	// HookMargin, when above zero, replaces how long before its hook's
	// global timeout a lifecycle action is completed at the latest
	// (drain.Policy.HookMargin, 1 minute by default): a drainer whose looks
	// may come late (the Lambda mode's, once a minute) keeps a wider one.
	HookMargin time.Duration
}

// Drainer is drainer assembled.
type Drainer struct {
	Settings   Settings
	Policy     drain.Policy
	Cloud      *cloudaws.Client
	Clock      clock.Clock
	Reconciler *drain.Reconciler
	Controller *controller.Controller
	Publisher  *publish.Publisher
	Metrics    *metrics.Metrics

	opts     Options
	log      *slog.Logger
	queueURL string
	parts    clock.Group
}

// New builds drainer from opts. It makes no call: Prepare does.
func New(opts Options) (*Drainer, error) {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Metrics == nil {
		opts.Metrics = metrics.New()
	}
	policy, copts, err := opts.Settings.policies()
	if err != nil {
		return nil, err
	}
	if opts.HookMargin > 0 {
		policy.HookMargin = opts.HookMargin
	}
	d := &Drainer{Settings: opts.Settings, Policy: policy, Clock: opts.Clock, Metrics: opts.Metrics, opts: opts, log: opts.Logger}

	co := opts.Client
	co.Clock, co.Logger = opts.Clock, opts.Logger
	if co.Share == 0 {
		co.Share = opts.Settings.APIShare
	}
	co.OnCall = func(service, op string, err error) {
		d.Metrics.OnCall(service, op, err)
		if opts.OnCall != nil {
			opts.OnCall(service, op, err)
		}
	}
	d.Cloud = cloudaws.NewFromConfig(opts.AWS, co)

	d.Publisher = publish.New(publish.Options{Events: d.Cloud, Bus: opts.EventBus, Clock: opts.Clock, Logger: opts.Logger, Count: d.Metrics.EventPublished})
	d.Reconciler = drain.NewReconciler(drain.Config{
		Cloud: d.Cloud, Clock: opts.Clock, Policy: policy, Clusters: opts.Settings.Clusters, Hooks: opts.Settings.Hooks, Logger: opts.Logger,
		OnEvent: func(ev drain.Event) {
			d.Metrics.OnEvent(ev)
			d.Publisher.Publish(ev)
			if opts.OnEvent != nil {
				opts.OnEvent(ev)
			}
		},
	})
	copts.Cloud, copts.Clock, copts.Logger, copts.OnScan = d.Cloud, opts.Clock, opts.Logger, opts.OnScan
	copts.OnIgnored = d.Metrics.NoticeIgnored
	d.Controller = controller.New(d.Reconciler, copts)
	d.Controller.SetScanPages(opts.Settings.ScanPages)
	return d, nil
}

// Prepare resolves the queue (a name or an ARN through GetQueueUrl) and
// reads it once (intake.CheckQueue), then resumes the drains recorded on
// the served clusters' container instances. Its errors say what to check
// (an *intake.QueueError when the queue does not exist or may not be
// read); run reports them and stops.
func (d *Drainer) Prepare(ctx context.Context) (resumed int, err error) {
	if d.opts.Queue != "" {
		if d.queueURL, _, err = intake.CheckQueue(ctx, d.Cloud, d.opts.Queue, cmp.Or(d.opts.Client.Region, d.opts.AWS.Region)); err != nil {
			return 0, err
		}
	}
	n, err := d.Reconciler.Resume(ctx)
	if err != nil {
		return n, fmt.Errorf("resume recorded drains: %w", err)
	}
	return n, nil
}

// QueueURL is the queue read, once Prepare has resolved it.
func (d *Drainer) QueueURL() string { return d.queueURL }

// Start runs every part as a goroutine of the clock until ctx ends: the
// reconciler, the periodic scans (unless ScanInterval is 0), the queue
// consumer (with a queue) and the publisher. Wait waits for them.
func (d *Drainer) Start(ctx context.Context) error {
	if d.opts.Queue != "" && d.queueURL == "" {
		return errors.New("start drainer: Prepare has not resolved the queue")
	}
	d.parts.Go(ctx, d.Clock, func(ctx context.Context) { d.Reconciler.Run(ctx) })
	if d.Settings.ScanInterval > 0 {
		d.parts.Go(ctx, d.Clock, func(ctx context.Context) { d.Controller.Run(ctx, d.Settings.ScanInterval) })
	}
	if d.queueURL != "" {
		consumer := intake.NewConsumer(intake.SQS{Queue: d.Cloud, URL: d.queueURL}, d.Controller.Handle, d.intakeOptions())
		d.parts.Go(ctx, d.Clock, func(ctx context.Context) { consumer.Run(ctx) })
	}
	// The publisher outlives ctx a little: it sends the events of the last
	// steps before returning.
	d.parts.Go(ctx, d.Clock, d.Publisher.Run)
	return nil
}

// intakeOptions are the queue consumer's options: Options.Intake on
// drainer's clock and logger, counted in drainer's metrics first.
func (d *Drainer) intakeOptions() intake.Options {
	io := d.opts.Intake
	io.Clock, io.Logger = d.Clock, d.log
	io.Metrics = d.Metrics.Intake().And(io.Metrics)
	return io
}

// Deliver hands a batch of queue messages received by someone else (an
// AWS Lambda SQS event source) to the controller, as the queue consumer
// of Start hands those it receives (intake.HandleBatch, with
// Options.Intake), and returns the IDs of the messages to keep: those
// whose handling failed, to be received again after their visibility
// timeout. The others' effects are durable, or there was nothing to do.
// Start need not run; on a virtual clock, call it from a goroutine of the
// clock.
func (d *Drainer) Deliver(ctx context.Context, msgs []intake.Message) (keep []string) {
	return intake.HandleBatch(ctx, msgs, d.Controller.Handle, d.intakeOptions())
}

// Wait returns once every part started by Start has returned (after its
// ctx ended), or with ctx's error.
func (d *Drainer) Wait(ctx context.Context) error { return d.parts.Wait(ctx) }

// API is drainer's HTTP API (drains, operator drains, forced
// deregistrations), with /metrics, /healthz and /readyz.
func (d *Drainer) API() http.Handler {
	return api.New(d.Controller, api.Options{Metrics: d.Metrics.Handler(), Healthz: d.opts.Healthz, Readyz: d.opts.Readyz, Clock: d.Clock, Logger: d.log})
}

// Serve runs drainer until ctx ends: its parts (Start), its API on api,
// and ui (the dashboard) on uiLn when both are given. Then it shuts the
// servers down, lets requests in flight finish, and waits for the parts
// (the publisher sends the last events), each bounded by a few seconds.
// It returns an error when a server fails before ctx ends.
func (d *Drainer) Serve(ctx context.Context, api net.Listener, uiLn net.Listener, ui http.Handler) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := d.Start(ctx); err != nil {
		return err
	}
	servers := []*http.Server{{Handler: d.API(), ReadHeaderTimeout: 10 * time.Second}}
	listeners := []net.Listener{api}
	if uiLn != nil && ui != nil {
		servers = append(servers, &http.Server{Handler: ui, ReadHeaderTimeout: 10 * time.Second})
		listeners = append(listeners, uiLn)
	}
	failed := make(chan error, len(servers))
	for i, srv := range servers {
		go func() {
			if err := srv.Serve(listeners[i]); !errors.Is(err, http.ErrServerClosed) {
				failed <- fmt.Errorf("serve on %s: %w", listeners[i].Addr(), err)
			}
		}()
	}
	var err error
	select {
	case <-ctx.Done():
	case err = <-failed:
	}
	d.log.Info("stopping drainer")
	shutdown, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	for _, srv := range servers {
		if serr := srv.Shutdown(shutdown); serr != nil {
			srv.Close()
		}
	}
	cancel()
	d.Wait(shutdown)
	return err
}
