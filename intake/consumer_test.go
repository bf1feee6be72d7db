package intake

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/drainer-dev/drainer/clock"
)

// The consumer tests run the consumer as a goroutine of a virtual clock
// (clock.Go): time moves only when the test moves it, and only once every
// goroutine of the consumer waits on the clock, so nothing sleeps on the
// wall clock. They also run in a synctest bubble, which would report any
// goroutine left blocked outside the clock.

var epoch = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// counts is a Metrics that keeps counts.
type counts struct {
	mu                               sync.Mutex
	handled, failed                  map[Kind]int
	skipped                          map[string]int
	receiveErrs, deleteErrs, extErrs int
}

func newCounts() *counts {
	return &counts{handled: map[Kind]int{}, failed: map[Kind]int{}, skipped: map[string]int{}}
}

func (c *counts) metrics() Metrics {
	inc := func(f func()) { c.mu.Lock(); f(); c.mu.Unlock() }
	return Metrics{
		Handled:      func(k Kind) { inc(func() { c.handled[k]++ }) },
		Failed:       func(k Kind) { inc(func() { c.failed[k]++ }) },
		Skipped:      func(r string) { inc(func() { c.skipped[r]++ }) },
		ReceiveError: func() { inc(func() { c.receiveErrs++ }) },
		DeleteError:  func() { inc(func() { c.deleteErrs++ }) },
		ExtendError:  func() { inc(func() { c.extErrs++ }) },
	}
}

func (c *counts) get(f func(c *counts) int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return f(c)
}

// harness is a consumer running on a fake queue and a virtual clock.
type harness struct {
	t      *testing.T
	clock  *clock.Virtual
	q      *fakeQueue
	counts *counts
	cancel context.CancelFunc
	done   chan struct{}
}

// start runs a consumer with handler h, after prep has set the queue up;
// call it inside synctest.Test.
func start(t *testing.T, opts Options, h Handler, prep ...func(q *fakeQueue)) *harness {
	v := clock.NewVirtual(epoch)
	hs := &harness{t: t, clock: v, q: newFakeQueue(v), counts: newCounts(), done: make(chan struct{})}
	for _, f := range prep {
		f(hs.q)
	}
	opts.Clock = v
	opts.Metrics = hs.counts.metrics()
	opts.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := NewConsumer(hs.q, h, opts)
	ctx, cancel := context.WithCancel(t.Context())
	hs.cancel = cancel
	clock.Go(ctx, v, func(ctx context.Context) {
		defer close(hs.done)
		if err := c.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	t.Cleanup(hs.stop)
	return hs
}

// runFor moves the virtual clock d forward, one event at a time, the
// consumer's goroutines acting on each before the next.
func (h *harness) runFor(d time.Duration) {
	h.clock.RunFor(d)
}

// stop cancels the consumer and checks that Run returns without the clock
// moving.
func (h *harness) stop() {
	h.cancel()
	h.clock.Settle()
	select {
	case <-h.done:
	default:
		h.t.Fatal("Run did not return once its context ended")
	}
	if n := h.clock.Goroutines(); n != 0 {
		h.t.Fatalf("%d of the consumer's goroutines still run after Run returned", n)
	}
}

func (h *harness) elapsed() time.Duration { return h.clock.Now().Sub(epoch) }

// recorder is a handler that records what it was given and when.
type recorder struct {
	mu      sync.Mutex
	notices []Notice
	at      []time.Duration
	clock   *clock.Virtual
	result  func(ctx context.Context, n Notice, call int) error
}

func (r *recorder) handle(ctx context.Context, n Notice) error {
	r.mu.Lock()
	r.notices = append(r.notices, n)
	r.at = append(r.at, r.clock.Now().Sub(epoch))
	call := len(r.notices)
	r.mu.Unlock()
	if r.result == nil {
		return nil
	}
	return r.result(ctx, n, call)
}

func (r *recorder) notice(i int) Notice {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.notices[i]
}

func (r *recorder) when(i int) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if i >= len(r.at) {
		return -1
	}
	return r.at[i]
}

func (r *recorder) calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.notices)
}

// startRecording starts a consumer whose handler is a recorder.
func startRecording(t *testing.T, opts Options, result func(ctx context.Context, n Notice, call int) error, prep ...func(q *fakeQueue)) (*harness, *recorder) {
	r := &recorder{result: result}
	h := start(t, opts, r.handle, prep...)
	r.clock = h.clock
	return h, r
}

func TestConsumerHandlesThenDeletes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, r := startRecording(t, Options{}, nil)
		ids := h.q.add(readSample(t, "lifecycle-direct.json"))
		h.runFor(time.Second)
		if r.calls() != 1 || !reflect.DeepEqual(r.notice(0), directAction) {
			t.Fatalf("handler got %#v", r.notices)
		}
		if !h.q.deleted(ids[0]) {
			t.Fatal("handled message not deleted")
		}
		if got := h.counts.get(func(c *counts) int { return c.handled[KindLifecycleAction] }); got != 1 {
			t.Fatalf("handled count %d", got)
		}
		rc := h.q.callsOf("receive")[0]
		if rc.max != 10 || rc.wait != 20*time.Second || rc.timeout != time.Minute {
			t.Fatalf("receive asked max %d wait %v visibility %v; want 10, 20s, 1m", rc.max, rc.wait, rc.timeout)
		}
	})
}

func TestConsumerExtendsVisibilityWhileHandlerRuns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := newGate()
		h, _ := startRecording(t, Options{}, func(ctx context.Context, _ Notice, _ int) error { release.wait(ctx); return nil })
		ids := h.q.add(readSample(t, "spot-interruption.json"))
		h.runFor(5 * time.Minute)
		ext := h.q.callsOf("extend")
		if len(ext) != 10 {
			t.Fatalf("%d extensions in 5 min, want one every 30 s: %+v", len(ext), ext)
		}
		for i, c := range ext {
			if want := time.Duration(i+1) * 30 * time.Second; c.at != want || c.timeout != time.Minute || c.handles[0] != ids[0]+"#1" {
				t.Fatalf("extension %d = %+v, want at %v for 1m", i, c, want)
			}
		}
		if h.q.deleted(ids[0]) || h.q.receives(ids[0]) != 1 {
			t.Fatalf("while the handler runs: deleted %v, received %d times", h.q.deleted(ids[0]), h.q.receives(ids[0]))
		}
		release.open()
		h.runFor(time.Second)
		if !h.q.deleted(ids[0]) {
			t.Fatal("not deleted once the handler succeeded")
		}
		h.runFor(5 * time.Minute)
		if n := len(h.q.callsOf("extend")); n != 10 {
			t.Fatalf("extensions went on after the handler returned: %d", n)
		}
	})
}

func TestConsumerHandlerErrorLeavesMessage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, r := startRecording(t, Options{}, func(_ context.Context, _ Notice, call int) error {
			if call == 1 {
				return errors.New("ECS throttled")
			}
			return nil
		})
		ids := h.q.add(readSample(t, "lifecycle-eventbridge.json"))
		h.runFor(30 * time.Second)
		if h.q.deleted(ids[0]) || r.calls() != 1 {
			t.Fatalf("after a failure: deleted %v, %d calls", h.q.deleted(ids[0]), r.calls())
		}
		if got := h.counts.get(func(c *counts) int { return c.failed[KindLifecycleAction] }); got != 1 {
			t.Fatalf("failed count %d", got)
		}
		// The message comes back when its visibility timeout lapses.
		h.runFor(time.Minute)
		if r.calls() != 2 || r.when(1) != time.Minute || h.q.receives(ids[0]) != 2 || !h.q.deleted(ids[0]) {
			t.Fatalf("retry: second call at %v, received %d times, deleted %v", r.when(1), h.q.receives(ids[0]), h.q.deleted(ids[0]))
		}
	})
}

func TestConsumerHandlerPanicIsAFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, r := startRecording(t, Options{}, func(_ context.Context, n Notice, _ int) error {
			if n.Kind() == KindRebalanceRecommendation {
				panic("bug")
			}
			return nil
		})
		ids := h.q.add(readSample(t, "rebalance-recommendation.json"))
		h.runFor(time.Second)
		more := h.q.add(readSample(t, "instance-state-change.json"))
		h.runFor(time.Second)
		if h.q.deleted(ids[0]) || !h.q.deleted(more[0]) || r.calls() != 2 {
			t.Fatalf("after a panic: deleted %v/%v, %d calls", h.q.deleted(ids[0]), h.q.deleted(more[0]), r.calls())
		}
		if got := h.counts.get(func(c *counts) int { return c.failed[KindRebalanceRecommendation] }); got != 1 {
			t.Fatalf("failed count %d", got)
		}
	})
}

func TestConsumerSkips(t *testing.T) {
	for _, tc := range []struct {
		name, body, reason string
		keep, deleted      bool
	}{
		{"malformed deleted", "not json at all", ReasonNotJSON, false, true},
		{"malformed kept for the DLQ", "not json at all", ReasonNotJSON, true, false},
		{"unknown detail-type deleted", event("aws.ecs", "ECS Deployment State Change", `{}`), ReasonUnknownDetailType, false, true},
		{"test notification deleted", readSample(t, "test-notification-direct.json"), ReasonTestNotification, false, true},
		{"test notification deleted even when keeping", readSample(t, "test-notification-sns.json"), ReasonTestNotification, true, true},
		{"instance notification deleted", readSample(t, "instance-terminate-notification-sns.json"), ReasonInstanceNotification, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h, r := startRecording(t, Options{KeepMalformed: tc.keep}, nil)
				ids := h.q.add(tc.body)
				h.runFor(time.Second)
				if r.calls() != 0 {
					t.Fatalf("handler called with %#v", r.notice(0))
				}
				if h.q.deleted(ids[0]) != tc.deleted {
					t.Fatalf("deleted = %v, want %v", h.q.deleted(ids[0]), tc.deleted)
				}
				if got := h.counts.get(func(c *counts) int { return c.skipped[tc.reason] }); got != 1 {
					t.Fatalf("skipped[%q] = %d", tc.reason, got)
				}
			})
		})
	}
}

func TestConsumerMixedBatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, r := startRecording(t, Options{}, func(_ context.Context, n Notice, _ int) error {
			if n.Kind() == KindRebalanceRecommendation {
				return errors.New("not now")
			}
			return nil
		})
		ids := h.q.add(
			readSample(t, "lifecycle-sns.json"),
			readSample(t, "spot-interruption.json"),
			"<html>502 Bad Gateway</html>",
			readSample(t, "test-notification-direct.json"),
			readSample(t, "rebalance-recommendation.json"),
			readSample(t, "ecs-task-state-change.json"),
		)
		h.runFor(time.Second)
		if n := len(h.q.callsOf("receive")); n != 2 {
			t.Fatalf("%d receives, want one batch then a wait", n)
		}
		for i, want := range []bool{true, true, true, true, false, true} {
			if h.q.deleted(ids[i]) != want {
				t.Errorf("message %d deleted = %v, want %v", i, h.q.deleted(ids[i]), want)
			}
		}
		if r.calls() != 4 {
			t.Fatalf("handler called %d times, want 4", r.calls())
		}
		// Skipped messages go in one delete at once; handled ones share
		// one after the delete window, the failed one is left.
		dels := h.q.callsOf("delete")
		skipped := slices.ContainsFunc(dels, func(c call) bool {
			return c.at == 0 && reflect.DeepEqual(c.handles, []string{ids[2] + "#1", ids[3] + "#1"})
		})
		handled := slices.ContainsFunc(dels, func(c call) bool {
			return c.at == 50*time.Millisecond && reflect.DeepEqual(slices.Sorted(slices.Values(c.handles)), []string{ids[0] + "#1", ids[1] + "#1", ids[5] + "#1"})
		})
		if len(dels) != 2 || !skipped || !handled {
			t.Fatalf("deletes %+v", dels)
		}
		c := h.counts
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.handled[KindLifecycleAction] != 1 || c.handled[KindSpotInterruption] != 1 || c.handled[KindTaskStateChange] != 1 ||
			c.failed[KindRebalanceRecommendation] != 1 || c.skipped[ReasonNotJSON] != 1 || c.skipped[ReasonTestNotification] != 1 {
			t.Fatalf("counts %+v", c)
		}
	})
}

func TestConsumerReceiveErrorsBackOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		throttled := errors.New("AWS.SimpleQueueService.RequestThrottled")
		h, _ := startRecording(t, Options{MaxBackoff: 30 * time.Second}, nil, func(q *fakeQueue) {
			q.receiveErrs = []error{throttled, throttled, throttled, throttled, throttled, throttled, throttled, nil, throttled}
		})
		h.runFor(2 * time.Minute)
		var at []time.Duration
		for _, c := range h.q.callsOf("receive") {
			at = append(at, c.at)
		}
		s := time.Second
		// Backoffs 1, 2, 4, 8, 16, 30 (cap), 30 s; the receive at 91 s
		// succeeds (an empty 20 s poll), which resets the backoff to 1 s.
		want := []time.Duration{0, 1 * s, 3 * s, 7 * s, 15 * s, 31 * s, 61 * s, 91 * s, 111 * s, 112 * s}
		if !reflect.DeepEqual(at, want) {
			t.Fatalf("receives at %v, want %v", at, want)
		}
		if got := h.counts.get(func(c *counts) int { return c.receiveErrs }); got != 8 {
			t.Fatalf("receive errors counted %d, want 8", got)
		}
		ids := h.q.add(readSample(t, "lifecycle-direct.json"))
		h.runFor(time.Second)
		if !h.q.deleted(ids[0]) {
			t.Fatal("consumer did not recover")
		}
	})
}

func TestConsumerDoesNotSpinOnEmptyReceives(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, _ := startRecording(t, Options{}, nil, func(q *fakeQueue) { q.noWait = true })
		h.runFor(10 * time.Second)
		if n := len(h.q.callsOf("receive")); n > 12 {
			t.Fatalf("%d receives in 10 s from a queue that does not wait", n)
		}
	})
}

func TestConsumerStopsPromptly(t *testing.T) {
	t.Run("during a long poll", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			h, _ := startRecording(t, Options{}, nil)
			h.runFor(5 * time.Second)
			h.stop()
		})
	})
	t.Run("during a backoff", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			h, _ := startRecording(t, Options{MinBackoff: time.Hour}, nil, func(q *fakeQueue) {
				q.receiveErrs = []error{errors.New("network down")}
			})
			h.runFor(time.Second)
			h.stop()
			if n := len(h.q.callsOf("receive")); n != 1 {
				t.Fatalf("%d receives", n)
			}
		})
	})
	t.Run("during a handler", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			h := start(t, Options{}, func(ctx context.Context, n Notice) error {
				newGate().wait(ctx) // never opened: until ctx ends
				return ctx.Err()
			})
			ids := h.q.add(readSample(t, "lifecycle-direct.json"))
			h.runFor(time.Second)
			h.stop()
			if h.q.deleted(ids[0]) {
				t.Fatal("a message whose handler was cancelled was deleted")
			}
			if got := h.counts.get(func(c *counts) int { return c.failed[KindLifecycleAction] }); got != 1 {
				t.Fatalf("failed count %d", got)
			}
		})
	})
}

func TestConsumerBoundsHandlersInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var running, most atomic.Int32
		release := newGate()
		releaseAll := release.open
		// A failed assertion must not leave handlers blocked for ever.
		defer releaseAll()
		h := start(t, Options{MaxInFlight: 2}, func(ctx context.Context, n Notice) error {
			now := running.Add(1)
			for {
				m := most.Load()
				if now <= m || most.CompareAndSwap(m, now) {
					break
				}
			}
			release.wait(ctx)
			running.Add(-1)
			return nil
		})
		spot := readSample(t, "spot-interruption.json")
		ids := h.q.add(spot, spot, spot, spot, spot)
		h.runFor(time.Second)
		if got := most.Load(); got != 2 {
			t.Fatalf("%d handlers at once, want 2", got)
		}
		if rc := h.q.callsOf("receive"); len(rc) != 1 || rc[0].max != 2 {
			t.Fatalf("receives %+v: want one asking for the 2 free slots", rc)
		}
		releaseAll()
		h.runFor(time.Second)
		for _, id := range ids {
			if !h.q.deleted(id) {
				t.Fatalf("%s not handled", id)
			}
		}
		for _, rc := range h.q.callsOf("receive") {
			if rc.max > 2 {
				t.Fatalf("a receive asked for %d messages with 2 slots", rc.max)
			}
		}
	})
}

func TestConsumerRetriesFailedExtensions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := newGate()
		h, _ := startRecording(t, Options{}, func(ctx context.Context, _ Notice, _ int) error { release.wait(ctx); return nil }, func(q *fakeQueue) {
			q.extendErr = errors.New("throttled")
		})
		h.q.add(readSample(t, "lifecycle-direct.json"))
		h.runFor(40 * time.Second)
		h.q.set(func(q *fakeQueue) { q.extendErr = nil })
		h.runFor(40 * time.Second)
		var at []time.Duration
		for _, c := range h.q.callsOf("extend") {
			at = append(at, c.at)
		}
		// Failures at 30 and 36 s are retried every 6 s; the one at 42 s
		// succeeds and the next comes 30 s later.
		want := []time.Duration{30 * time.Second, 36 * time.Second, 42 * time.Second, 72 * time.Second}
		if !reflect.DeepEqual(at, want) {
			t.Fatalf("extensions at %v, want %v", at, want)
		}
		if got := h.counts.get(func(c *counts) int { return c.extErrs }); got != 2 {
			t.Fatalf("extension errors %d", got)
		}
		release.open()
		h.runFor(time.Second)
	})
}

func TestConsumerDeleteFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, r := startRecording(t, Options{}, nil, func(q *fakeQueue) { q.deleteErr = errors.New("network down") })
		ids := h.q.add(readSample(t, "lifecycle-direct.json"))
		h.runFor(time.Second)
		h.q.set(func(q *fakeQueue) { q.deleteErr = nil })
		if got := h.counts.get(func(c *counts) int { return c.deleteErrs }); got != 1 || h.q.deleted(ids[0]) {
			t.Fatalf("delete errors %d, deleted %v", got, h.q.deleted(ids[0]))
		}
		// It comes back and, handled again, is deleted.
		h.runFor(time.Minute)
		if r.calls() != 2 || !h.q.deleted(ids[0]) {
			t.Fatalf("%d calls, deleted %v", r.calls(), h.q.deleted(ids[0]))
		}
	})
}

func TestBackoff(t *testing.T) {
	s := time.Second
	for n, want := range []time.Duration{1 * s, 2 * s, 4 * s, 8 * s, 16 * s, 32 * s, 60 * s, 60 * s} {
		if got := backoff(s, time.Minute, n+1); got != want {
			t.Errorf("backoff(%d) = %v, want %v", n+1, got, want)
		}
	}
	if got := backoff(s, time.Minute, 1000); got != time.Minute {
		t.Errorf("backoff(1000) = %v", got)
	}
}

// partialQueue returns a message and an error together, as a client
// reporting a failed batch might.
type partialQueue struct{ *fakeQueue }

func (q partialQueue) Receive(ctx context.Context, max int, wait, visibility time.Duration) ([]Message, error) {
	msgs, _ := q.fakeQueue.Receive(ctx, max, 0, visibility)
	return msgs, errors.New("partial failure")
}

func TestConsumerReceiveErrorWithMessagesKeepsSlots(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		v := clock.NewVirtual(epoch)
		q := newFakeQueue(v)
		q.add(readSample(t, "lifecycle-direct.json"), readSample(t, "spot-interruption.json"))
		h := &harness{t: t, clock: v, q: q, done: make(chan struct{})}
		c := NewConsumer(partialQueue{q}, func(context.Context, Notice) error { return nil },
			Options{Clock: v, MaxInFlight: 2, MaxBackoff: time.Second, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
		ctx, cancel := context.WithCancel(t.Context())
		h.cancel = cancel
		clock.Go(ctx, v, func(ctx context.Context) { defer close(h.done); _ = c.Run(ctx) })
		h.runFor(30 * time.Second)
		h.stop()
		// One receive a second: slots were never lost to the messages
		// returned with errors.
		if n := len(q.callsOf("receive")); n < 25 {
			t.Fatalf("%d receives in 30 s", n)
		}
	})
}

func TestOptionsDefaults(t *testing.T) {
	o := Options{}.withDefaults()
	if o.Batch != 10 || o.Wait != 20*time.Second || o.Visibility != time.Minute || o.MaxInFlight != 64 ||
		o.MinBackoff != time.Second || o.MaxBackoff != time.Minute || o.Clock == nil || o.Logger == nil {
		t.Fatalf("defaults %+v", o)
	}
	o = Options{Batch: 50, Wait: time.Minute, Visibility: time.Millisecond, MinBackoff: 2 * time.Minute}.withDefaults()
	if o.Batch != 10 || o.Wait != 20*time.Second || o.Visibility != 2*time.Second || o.MaxBackoff != 2*time.Minute {
		t.Fatalf("clamped %+v", o)
	}
}

// gate holds the handlers that wait on it until it is opened; they wait
// through the clock, as everything run by a virtual clock must.
type gate struct {
	mu      sync.Mutex
	opened  bool
	waiters []*clock.Signal
}

func newGate() *gate { return &gate{} }

func (g *gate) wait(ctx context.Context) {
	g.mu.Lock()
	if g.opened {
		g.mu.Unlock()
		return
	}
	s := clock.NewSignal(clock.Real{})
	g.waiters = append(g.waiters, s)
	g.mu.Unlock()
	s.Wait(ctx, time.Time{})
}

func (g *gate) open() {
	g.mu.Lock()
	g.opened = true
	ws := g.waiters
	g.waiters = nil
	g.mu.Unlock()
	for _, s := range ws {
		s.Notify()
	}
}

func TestConsumerDeletesHandledMessagesTenACall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, r := startRecording(t, Options{MaxInFlight: 50}, nil)
		var bodies []string
		for range 25 {
			bodies = append(bodies, readSample(t, "lifecycle-direct.json"))
		}
		ids := h.q.add(bodies...)
		h.runFor(time.Second)
		if r.calls() != 25 {
			t.Fatalf("handler called %d times, want 25", r.calls())
		}
		for _, id := range ids {
			if !h.q.deleted(id) {
				t.Fatalf("message %s not deleted", id)
			}
		}
		var sizes []int
		for _, c := range h.q.callsOf("delete") {
			sizes = append(sizes, len(c.handles))
		}
		if len(sizes) != 3 || slices.Max(sizes) > 10 {
			t.Fatalf("deletes of %v messages, want 25 in three calls of at most ten", sizes)
		}
	})
}

func TestConsumerPollsMoreWhileThereIsABacklog(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var v *clock.Virtual // set before any message arrives
		h, r := startRecording(t, Options{MaxInFlight: 100, MaxPollers: 3}, func(ctx context.Context, _ Notice, _ int) error {
			return clock.Sleep(ctx, v, time.Second) // a handler that takes a second
		})
		v = h.clock
		h.q.set(func(q *fakeQueue) { q.latency = 100 * time.Millisecond })
		var bodies []string
		for range 80 {
			bodies = append(bodies, readSample(t, "lifecycle-direct.json"))
		}
		h.q.add(bodies...)
		h.runFor(time.Minute)
		if r.calls() != 80 {
			t.Fatalf("handler called %d times, want 80", r.calls())
		}
		// While receives come back full, more polls run (at most three at
		// once): a receive taking 100 ms, eight full ones take less than
		// the 800 ms one poll would. Once the backlog is gone, one poll is
		// left, long-polling.
		var starts []time.Duration
		late := 0
		for _, c := range h.q.callsOf("receive") {
			starts = append(starts, c.at)
			if c.at > 30*time.Second {
				late++
			}
		}
		concurrent := 0
		for _, a := range starts {
			n := 0
			for _, b := range starts {
				if b >= a && b < a+100*time.Millisecond {
					n++
				}
			}
			concurrent = max(concurrent, n)
		}
		if concurrent < 2 || concurrent > 3 {
			t.Fatalf("at most %d receives at once (starts %v), want more than one poll and at most 3 on a backlog", concurrent, starts)
		}
		if last := r.when(79); last >= 800*time.Millisecond {
			t.Fatalf("the backlog's last message handled at %s, want sooner than one poll could", last)
		}
		if late > 2 {
			t.Fatalf("%d receives in the last 30 s of an idle queue, want one poll left (20 s long polls)", late)
		}
	})
}
