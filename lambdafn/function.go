// Package lambdafn is drainer as an AWS Lambda function: the controller
// `drainer run` assembles (package assembly), driven by invocations
// instead of running for ever.
//
// One handler serves two kinds of event (Classify):
//   - a batch of drainer's queue from the queue's SQS event source: each
//     message goes to the same intake and controller as `drainer run`'s
//     queue consumer (assembly.Drainer.Deliver), and the batch is answered
//     with a partial batch response, so that only the messages whose
//     handling failed come back
//     (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html),
//     after a short backoff rather than the queue's visibility timeout
//     (see retry.go); then the work due by now (the first looks of the
//     drains just started);
//   - the scheduled rule's event, every minute: one round of the
//     time-driven work — the drains recorded on the served clusters'
//     container instances resumed, heartbeats (see the timing notes in
//     timing.go), deadlines and fallback looks due, the periodic scans,
//     and the take-up of the lifecycle actions of drainer's hooks that no
//     message brought which the scans found (see DefaultTakeUpGrace).
//
// A drain's state is on its container instance, in drainer's ECS
// attributes, as for `drainer run`: a process kept between invocations
// saves calls (hooks known, heartbeats remembered, tasks already read),
// and a fresh one does the same work from the attributes. Every
// invocation's work ends before its deadline (Budget).
//
// The function never sends itself a message. The AWS blog's design
// re-published its own SNS message to wait for tasks; Lambda's recursive
// loop detection stops such a loop after about 16 invocations
// (https://docs.aws.amazon.com/lambda/latest/dg/invocation-recursion.html),
// leaving a long drain's instance to its hook's timeout. Here time moves
// the rounds, and a message is only ever retried by its own queue.
package lambdafn

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/drainer-dev/drainer/assembly"
	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/intake"
	"github.com/drainer-dev/drainer/scan"
)

// Options configure a Function.
type Options struct {
	// Drainer is what drainer is assembled from, as for `drainer run`
	// (Settings, AWS, Client, Clock, EventBus, Logger, and the hooks
	// tests use). Its Queue is not read: the SQS event source reads the
	// queue. Its HookMargin, when zero, is HookMargin(Period).
	Drainer assembly.Options
	// Period is the period of the scheduled rule that invokes the
	// function (default DefaultPeriod).
	Period time.Duration
	// Reserve is the time an invocation keeps free before its deadline
	// (default DefaultReserve).
	Reserve time.Duration
	// TakeUpGrace is how long after its scan a round waits before it
	// takes up the lifecycle actions no message brought that the scan
	// found (default DefaultTakeUpGrace; at most MaxTakeUpGrace(Period,
	// Reserve)). A shorter grace takes them up sooner, and is likelier to
	// act before a message on its way is handled in another execution
	// environment.
	TakeUpGrace time.Duration
}

// Function is drainer's Lambda function. Its Handle serves the
// invocations one at a time, as Lambda sends them to one execution
// environment.
type Function struct {
	d     *assembly.Drainer
	opts  Options
	log   *slog.Logger
	clock clock.Clock
	calls *callCounts

	mu       clock.Mutex // one invocation at a time
	lastScan time.Time   // when this process last ran the scans
	warned   map[string]bool
}

// New assembles the function from opts. It makes no call: every
// invocation reads what it needs.
func New(opts Options) (*Function, error) {
	if opts.Period <= 0 {
		opts.Period = DefaultPeriod
	}
	if opts.Reserve <= 0 {
		opts.Reserve = DefaultReserve
	}
	if opts.Reserve >= opts.Period {
		return nil, fmt.Errorf("lambda function: reserve %v leaves no time to work in a period of %v", opts.Reserve, opts.Period)
	}
	if opts.TakeUpGrace <= 0 {
		opts.TakeUpGrace = DefaultTakeUpGrace
	}
	if most := MaxTakeUpGrace(opts.Period, opts.Reserve); opts.TakeUpGrace > most {
		return nil, fmt.Errorf("lambda function: take-up grace %v leaves a round no %v to take up lost lifecycle actions in a period of %v less the reserve %v: want at most %v", opts.TakeUpGrace, TakeUpWork, opts.Period, opts.Reserve, most)
	}
	ao := opts.Drainer
	ao.Queue = "" // the event source mapping reads the queue
	if ao.HookMargin <= 0 {
		ao.HookMargin = HookMargin(opts.Period)
	}
	if ao.Clock == nil {
		ao.Clock = clock.Real{}
	}
	if ao.Logger == nil {
		ao.Logger = slog.New(slog.DiscardHandler)
	}
	calls := &callCounts{}
	onCall := ao.OnCall
	ao.OnCall = func(service, op string, err error) {
		calls.add(service, op)
		if onCall != nil {
			onCall(service, op, err)
		}
	}
	d, err := assembly.New(ao)
	if err != nil {
		return nil, fmt.Errorf("lambda function: %w", err)
	}
	return &Function{d: d, opts: opts, log: ao.Logger, clock: ao.Clock, calls: calls, warned: map[string]bool{}}, nil
}

// Drainer is the drainer the function drives (its reconciler and
// controller), for tests and reports.
func (f *Function) Drainer() *assembly.Drainer { return f.d }

// Report says what an invocation did. A scheduled invocation answers with
// it, and every invocation logs it.
type Report struct {
	Kind Kind `json:"kind"`
	// Messages and Failed count a batch's messages and those reported as
	// failed (they come back after a backoff: Retried).
	Messages int `json:"messages,omitempty"`
	Failed   int `json:"failed,omitempty"`
	// Resumed counts the drains recorded on the container instances that
	// the round loaded; Looks the looks at drains made; Scanned says
	// whether the periodic scans ran; Drains counts the drains in progress
	// this process knows of at the end.
	Resumed int  `json:"resumed"`
	Looks   int  `json:"looks"`
	Scanned bool `json:"scanned"`
	Drains  int  `json:"drains"`
	// TakenUp counts the lifecycle actions of drainer's that no message
	// had brought (an instance in Terminating:Wait with no drain, first
	// found so by the round's scan) whose drain the round started or
	// joined (see Options.TakeUpGrace).
	TakenUp int `json:"takenUp,omitempty"`
	// Retried counts the failed messages of a batch brought back after a
	// short backoff (RetryDelay) rather than the queue's visibility
	// timeout; RetryErrors those whose ChangeMessageVisibility failed
	// (they come back after the visibility timeout).
	Retried     int `json:"retried,omitempty"`
	RetryErrors int `json:"retryErrors,omitempty"`
	// Calls counts the API attempts made, by "service:Operation".
	Calls map[string]int `json:"calls,omitempty"`
	// Warnings and Errors say what the round could not do or found wrong
	// (each also logged); the next round tries again.
	Warnings []string `json:"warnings,omitempty"`
	Errors   []string `json:"errors,omitempty"`
}

// Handle is the function's handler (lambda.Start(f.Handle)): event is the
// invocation's payload, an SQS batch or a scheduled event (Classify). A
// batch is answered with an events.SQSEventResponse listing the messages
// to retry, a scheduled event with the round's Report. It returns an
// error, which makes Lambda retry the whole invocation, only for an event
// it cannot serve or when the invocation leaves it no time to work;
// a panic becomes such an error.
func (f *Function) Handle(ctx context.Context, event json.RawMessage) (out any, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("drainer: invocation failed: %v", r)
			f.log.Error("invocation panicked", "panic", r)
		}
	}()
	kind, err := Classify(event)
	if err != nil {
		f.log.Error("invocation refused", "error", err)
		return nil, err
	}
	if err := f.mu.Lock(ctx); err != nil {
		return nil, fmt.Errorf("drainer: %s invocation: %w", kind, err)
	}
	defer f.mu.Unlock()

	remaining := f.opts.Period
	if deadline, ok := ctx.Deadline(); ok {
		remaining = time.Until(deadline) // Lambda's deadline is on the wall clock
	}
	budget := Budget(remaining, f.opts.Reserve, f.opts.Period)
	if budget <= 0 {
		return nil, fmt.Errorf("drainer: %s invocation has %v left, less than the %v it keeps free: give the function a longer timeout", kind, remaining.Round(time.Millisecond), f.opts.Reserve)
	}
	work, cancel := clock.WithTimeout(ctx, f.clock, budget)
	defer cancel()
	published := f.publishDuring(ctx)
	defer published() // a panic's too
	f.calls.reset()
	start := f.clock.Now()

	var rep Report
	switch kind {
	case KindSQS:
		var ev events.SQSEvent
		if err := json.Unmarshal(event, &ev); err != nil {
			published()
			return nil, fmt.Errorf("drainer: SQS event: %w", err)
		}
		out, rep = f.batch(work, ev, start.Add(budget))
	case KindSchedule:
		rep = f.round(work, start.Add(budget))
		out = &rep
	}
	published()
	rep.Calls = f.calls.take()
	f.log.Info("invocation done", "kind", rep.Kind, "took", f.clock.Now().Sub(start).Round(time.Millisecond).String(), "messages", rep.Messages, "failed", rep.Failed, "retried", rep.Retried, "retryErrors", rep.RetryErrors, "takenUp", rep.TakenUp,
		"resumed", rep.Resumed, "looks", rep.Looks, "scanned", rep.Scanned, "drains", rep.Drains, "calls", rep.Calls, "errors", len(rep.Errors))
	return out, nil
}

// publishDuring runs the drain events' publisher for the invocation; the
// function it returns (once; later calls do nothing) stops it and waits
// for the events still queued to be sent, so that none waits in a frozen
// process.
func (f *Function) publishDuring(ctx context.Context) (stop func()) {
	pctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var g clock.Group
	g.Go(pctx, f.clock, f.d.Publisher.Run)
	return sync.OnceFunc(func() {
		cancel()
		_ = g.Wait(context.WithoutCancel(ctx))
	})
}

// batch handles a batch of the queue's messages, then the work due by
// now, to end at the latest; the messages that failed come back after a
// short backoff (retry), in the RetryTime it keeps before end.
func (f *Function) batch(ctx context.Context, ev events.SQSEvent, end time.Time) (events.SQSEventResponse, Report) {
	rep := Report{Kind: KindSQS, Messages: len(ev.Records)}
	msgs := make([]intake.Message, len(ev.Records))
	for i, r := range ev.Records {
		msgs[i] = intake.Message{ID: r.MessageId, ReceiptHandle: r.ReceiptHandle, Body: r.Body, ReceiveCount: receiveCount(r)}
	}
	handle, cancel := f.retryWindow(ctx, end)
	defer cancel()
	keep := f.d.Deliver(handle, msgs)
	resp := events.SQSEventResponse{BatchItemFailures: make([]events.SQSBatchItemFailure, 0, len(keep))}
	for _, id := range keep {
		resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: id})
	}
	rep.Failed = len(keep)
	// The drains just started (or woken by the batch's events) get their
	// first look now rather than at the next round. Heartbeats not due
	// yet are the rounds' to send: batches may come many a minute.
	rep.Looks = f.d.Reconciler.RunDueAhead(handle, 0)
	rep.Drains = len(f.d.Reconciler.Drains())
	f.retry(ctx, ev.Records, keep, &rep)
	return resp, rep
}

// receiveCount is a record's ApproximateReceiveCount, which Lambda passes
// as a string (0 when missing or not a number).
func receiveCount(r events.SQSMessage) int {
	n, _ := strconv.Atoi(r.Attributes["ApproximateReceiveCount"])
	return n
}

// round does the time-driven work once, to end at the latest: it resumes
// the recorded drains (those another process started, or all of them in a
// fresh one), sends the heartbeats due before the next round and makes
// the looks due, runs the periodic scans when due, takes up the lifecycle
// actions no message brought that the scans found (takeUp), then the
// work they started.
//
// Its calls: Resume's (per served cluster, one ListAttributes per record
// marker and one DescribeContainerInstances per 100 drains recorded), the
// looks' and heartbeats', and, when the scans are due, one pass
// (scan.Scanner.Pass, bounded by P = --scan-pages: at most 6·P of ECS's
// cluster-resource reads, and at most P take-ups of instances an earlier
// pass of the process found) plus at most P take-ups of the instances the
// pass found first (controller.Controller.TakeUp: one
// DescribeLifecycleHooks, one RecordLifecycleActionHeartbeat per owned
// termination hook, and per drain started one DescribeScalingActivities
// and the start's): at most 2·P take-ups a round in all.
func (f *Function) round(ctx context.Context, end time.Time) Report {
	rep := Report{Kind: KindSchedule}
	fail := func(what string, err error) {
		rep.Errors = append(rep.Errors, what+": "+err.Error())
		f.log.Warn("round: "+what+" failed; the next round tries again", "error", err)
	}
	ahead := Ahead(f.opts.Period)
	n, err := f.d.Reconciler.Resume(ctx)
	rep.Resumed = n
	if err != nil {
		fail("resume recorded drains", err)
	}
	rep.Looks += f.d.Reconciler.RunDueAhead(ctx, ahead)
	if now := f.clock.Now(); ScanDue(f.lastScan, now, f.d.Settings.ScanInterval, f.opts.Period) && ctx.Err() == nil {
		pass, err := f.d.Controller.Pass(ctx)
		if err != nil {
			fail("scan", err)
		} else {
			rep.Scanned, f.lastScan = true, now
		}
		rep.Looks += f.d.Reconciler.RunDueAhead(ctx, ahead)
		if len(pass.Noted) > 0 && err == nil {
			if left := f.takeUp(ctx, pass.Noted, now, end, &rep, fail); left > 0 {
				w := fmt.Sprintf("%d instances in Terminating:Wait with no drain left to the next round's scan (out of time, or beyond the %d a round takes up)", left, f.scanPages())
				f.log.Warn("round: " + w)
				rep.Warnings = append(rep.Warnings, w)
			}
			rep.Looks += f.d.Reconciler.RunDueAhead(ctx, ahead)
		}
	}
	rep.Warnings = append(rep.Warnings, f.checkHooks(ctx)...)
	rep.Drains = len(f.d.Reconciler.Drains())
	if err := ctx.Err(); err != nil {
		fail("round", fmt.Errorf("out of time before the work due was done (the next round goes on): %w", err))
	}
	return rep
}

// takeUp takes up the instances the round's scan, at found, noted in
// Terminating:Wait with no drain (scan.Report.Noted): a pass takes up only
// those an earlier pass of the same process found so, and a Lambda
// execution environment may not live to the next pass, or have made none
// before. The round first waits its take-up grace (Options.TakeUpGrace)
// after the scan, so that a message on its way (handled in another
// execution environment) has recorded its drain, which the take-up then
// joins; then it takes up at most the scans' pages (--scan-pages) of them,
// through the controller (controller.Controller.TakeUp), if TakeUpWork is
// left before end. It returns how many it left to the next round.
func (f *Function) takeUp(ctx context.Context, noted []scan.WaitingInstance, found, end time.Time, rep *Report, fail func(string, error)) (left int) {
	if n := f.scanPages(); len(noted) > n {
		left, noted = len(noted)-n, noted[:n]
	}
	at := found.Add(f.opts.TakeUpGrace)
	if now := f.clock.Now(); now.After(at) {
		at = now
	}
	if end.Sub(at) < TakeUpWork {
		return left + len(noted)
	}
	if err := clock.SleepUntil(ctx, f.clock, at); err != nil {
		return left + len(noted)
	}
	for i, w := range noted {
		if ctx.Err() != nil {
			return left + len(noted) - i
		}
		if f.d.Reconciler.Draining(w.InstanceID) {
			continue
		}
		if err := f.d.Controller.TakeUp(ctx, w.Group, w.InstanceID); err != nil {
			fail("take up a lifecycle action no message brought", err)
			continue
		}
		if f.d.Reconciler.Draining(w.InstanceID) {
			rep.TakenUp++
		}
	}
	return left
}

// scanPages is how many pages of container instances a scan reads, and
// so how many instances a round takes up beyond its scan's.
func (f *Function) scanPages() int {
	if n := f.d.Settings.ScanPages; n > 0 {
		return n
	}
	return scan.DefaultPages
}

// checkHooks warns, once per process, of each hook holding a drain whose
// heartbeat timeout is too short for rounds every period
// (MinHeartbeatTimeout): its actions would time out between rounds.
func (f *Function) checkHooks(ctx context.Context) []string {
	var out []string
	seen := map[string]bool{}
	for _, st := range f.d.Reconciler.Drains() {
		group, name := st.Record.Group, st.Record.Hook
		key := group + "\x00" + name
		if name == "" || group == "" || seen[key] || f.warned[key] {
			continue
		}
		seen[key] = true
		h, err := f.d.Reconciler.Hook(ctx, group, name)
		if err != nil {
			continue // the looks report what they could not read
		}
		if least := MinHeartbeatTimeout(f.opts.Period); h.HeartbeatTimeout > 0 && h.HeartbeatTimeout < least {
			f.warned[key] = true
			w := fmt.Sprintf("lifecycle hook %s of group %s has a heartbeat timeout of %v: rounds every %v keep alive only hooks of %v or more; raise it (PutLifecycleHook --heartbeat-timeout)",
				name, group, h.HeartbeatTimeout, f.opts.Period, least)
			f.log.Warn(w)
			out = append(out, w)
		}
	}
	slices.Sort(out)
	return out
}
