package batch

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/drainer-dev/drainer/clock"
)

var t0 = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

// sent is one call a Func received.
type sent struct {
	at    time.Duration // after t0
	key   string
	items []string
	value any // of ctxKey in the call's context
}

type ctxKey struct{}

// recorder is a Func answering "r:" + item for every item but those in
// missing, after latency on the clock, failing with err when set.
type recorder struct {
	clk     *clock.Virtual
	latency time.Duration
	missing map[string]bool
	err     error

	mu    sync.Mutex
	calls []sent
	ended []error // the call's context error once it returned
}

func (r *recorder) f(ctx context.Context, key string, items []string) (map[string]string, error) {
	r.mu.Lock()
	r.calls = append(r.calls, sent{r.clk.Now().Sub(t0), key, slices.Clone(items), ctx.Value(ctxKey{})})
	r.mu.Unlock()
	if r.latency > 0 {
		if err := clock.Sleep(ctx, r.clk, r.latency); err != nil {
			r.mu.Lock()
			r.ended = append(r.ended, err)
			r.mu.Unlock()
			return nil, err
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	out := map[string]string{}
	for _, it := range items {
		if !r.missing[it] {
			out[it] = "r:" + it
		}
	}
	return out, nil
}

func (r *recorder) sent() []sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

// answer is what one Do returned.
type answer struct {
	res map[string]string
	err error
	at  time.Duration
}

// ask starts a caller of b on v's clock that waits delay, then asks for
// items under key; its answer lands in *got.
func ask(ctx context.Context, v *clock.Virtual, b *Batcher[string, string, string], delay time.Duration, key string, items []string, got *answer) {
	clock.Go(ctx, v, func(ctx context.Context) {
		if err := clock.Sleep(ctx, v, delay); err != nil {
			got.err = err
			return
		}
		got.res, got.err = b.Do(ctx, key, items)
		got.at = v.Now().Sub(t0)
	})
}

func TestWindowCoalescesCallersThenClosesTheBatch(t *testing.T) {
	v := clock.NewVirtual(t0)
	r := &recorder{clk: v}
	b := New(v, Options{Max: 100}, r.f)
	ctx := t.Context()
	var a1, a2, a3, other answer
	ask(ctx, v, b, 0, "c1", []string{"a"}, &a1)
	ask(ctx, v, b, 5*time.Millisecond, "c1", []string{"b", "a"}, &a2)
	ask(ctx, v, b, 15*time.Millisecond, "c1", []string{"c"}, &a3)
	ask(ctx, v, b, 0, "c2", []string{"a"}, &other) // another key: its own call
	v.RunFor(time.Second)

	want := []sent{
		{10 * time.Millisecond, "c1", []string{"a", "b"}, nil},
		{10 * time.Millisecond, "c2", []string{"a"}, nil},
		{25 * time.Millisecond, "c1", []string{"c"}, nil},
	}
	if got := r.sent(); !reflect.DeepEqual(got, want) {
		t.Fatalf("calls:\n got %+v\nwant %+v", got, want)
	}
	for name, tc := range map[string]struct {
		got  answer
		want map[string]string
		at   time.Duration
	}{
		"first":     {a1, map[string]string{"a": "r:a"}, 10 * time.Millisecond},
		"second":    {a2, map[string]string{"a": "r:a", "b": "r:b"}, 10 * time.Millisecond},
		"third":     {a3, map[string]string{"c": "r:c"}, 25 * time.Millisecond},
		"other key": {other, map[string]string{"a": "r:a"}, 10 * time.Millisecond},
	} {
		if tc.got.err != nil || !reflect.DeepEqual(tc.got.res, tc.want) || tc.got.at != tc.at {
			t.Errorf("%s caller: %v %v at %v, want %v at %v", name, tc.got.res, tc.got.err, tc.got.at, tc.want, tc.at)
		}
	}
	if s := b.Stats(); s != (Stats{Requests: 4, Calls: 3, Items: 4}) {
		t.Errorf("stats = %+v", s)
	}
}

func TestFullBatchGoesAtOnce(t *testing.T) {
	v := clock.NewVirtual(t0)
	r := &recorder{clk: v}
	b := New(v, Options{Max: 3, Window: time.Hour}, r.f)
	ctx := t.Context()
	answers := make([]answer, 4)
	for i := range answers {
		ask(ctx, v, b, 0, "c", []string{fmt.Sprint(i)}, &answers[i])
	}
	v.RunFor(2 * time.Hour)
	want := []sent{
		{0, "c", []string{"0", "1", "2"}, nil}, // full: no window
		{time.Hour, "c", []string{"3"}, nil},   // alone: the whole window
	}
	if got := r.sent(); !reflect.DeepEqual(got, want) {
		t.Fatalf("calls:\n got %+v\nwant %+v", got, want)
	}
	for i, a := range answers[:3] {
		if a.at != 0 || a.res[fmt.Sprint(i)] != "r:"+fmt.Sprint(i) || len(a.res) != 1 {
			t.Errorf("caller %d: %v %v at %v", i, a.res, a.err, a.at)
		}
	}
}

func TestCallerWithMoreThanMaxItemsSpansCalls(t *testing.T) {
	v := clock.NewVirtual(t0)
	r := &recorder{clk: v, missing: map[string]bool{"d": true}}
	b := New(v, Options{Max: 3}, r.f)
	var a answer
	ask(t.Context(), v, b, 0, "c", []string{"a", "b", "a", "c", "d"}, &a)
	v.RunFor(time.Second)
	want := []sent{{0, "c", []string{"a", "b", "c"}, nil}, {10 * time.Millisecond, "c", []string{"d"}, nil}}
	if got := r.sent(); !reflect.DeepEqual(got, want) {
		t.Fatalf("calls:\n got %+v\nwant %+v", got, want)
	}
	// "d" is missing from the answer: missing from the caller's.
	if want := map[string]string{"a": "r:a", "b": "r:b", "c": "r:c"}; a.err != nil || !reflect.DeepEqual(a.res, want) {
		t.Fatalf("answer %v %v, want %v", a.res, a.err, want)
	}
}

func TestErrorFansOutToEveryCallerOfTheCall(t *testing.T) {
	v := clock.NewVirtual(t0)
	boom := errors.New("boom")
	r := &recorder{clk: v, err: boom}
	b := New(v, Options{Max: 10}, r.f)
	var a1, a2 answer
	ask(t.Context(), v, b, 0, "c", []string{"a"}, &a1)
	ask(t.Context(), v, b, time.Millisecond, "c", []string{"b"}, &a2)
	v.RunFor(time.Second)
	if len(r.sent()) != 1 {
		t.Fatalf("%d calls, want one shared", len(r.sent()))
	}
	for i, a := range []answer{a1, a2} {
		if !errors.Is(a.err, boom) || len(a.res) != 0 {
			t.Errorf("caller %d: %v %v, want the call's error", i, a.res, a.err)
		}
	}
}

func TestCancelledCallerLeavesOthersServed(t *testing.T) {
	v := clock.NewVirtual(t0)
	r := &recorder{clk: v, latency: 50 * time.Millisecond}
	b := New(v, Options{Max: 10}, r.f)
	quitting, cancel := context.WithCancel(t.Context())
	var gone, stays answer
	ask(quitting, v, b, 0, "c", []string{"a"}, &gone)
	ask(t.Context(), v, b, 0, "c", []string{"b"}, &stays)
	v.RunFor(20 * time.Millisecond) // the call is in flight
	cancel()
	v.RunFor(time.Second)
	if !errors.Is(gone.err, context.Canceled) {
		t.Errorf("cancelled caller: %v %v", gone.res, gone.err)
	}
	if stays.err != nil || stays.res["b"] != "r:b" || stays.at != 60*time.Millisecond {
		t.Errorf("other caller: %v %v at %v, want its result at 60ms", stays.res, stays.err, stays.at)
	}
	if len(r.ended) != 0 {
		t.Errorf("the shared call was cancelled: %v", r.ended)
	}
}

func TestCallNobodyWaitsForIsDroppedOrCancelled(t *testing.T) {
	v := clock.NewVirtual(t0)
	r := &recorder{clk: v, latency: 50 * time.Millisecond}
	b := New(v, Options{Max: 10}, r.f)

	// Every caller leaves before the window ends: no call at all.
	early, cancelEarly := context.WithCancel(t.Context())
	var a answer
	ask(early, v, b, 0, "c", []string{"a"}, &a)
	v.RunFor(5 * time.Millisecond)
	cancelEarly()
	v.RunFor(time.Second)
	if n := len(r.sent()); n != 0 || !errors.Is(a.err, context.Canceled) {
		t.Fatalf("%d calls after the only caller left, answer %v", n, a.err)
	}
	if v.Goroutines() != 0 {
		t.Fatalf("%d goroutines left running", v.Goroutines())
	}

	// Every caller leaves while the call is in flight: it is cancelled.
	late, cancelLate := context.WithCancel(t.Context())
	ask(late, v, b, 0, "c", []string{"a"}, &a)
	v.RunFor(20 * time.Millisecond)
	cancelLate()
	v.RunFor(time.Second)
	if len(r.sent()) != 1 || len(r.ended) != 1 || !errors.Is(r.ended[0], context.Canceled) {
		t.Fatalf("calls %v, ended %v: want one call, cancelled", r.sent(), r.ended)
	}
}

func TestLeadChoosesTheCallsValues(t *testing.T) {
	v := clock.NewVirtual(t0)
	r := &recorder{clk: v}
	rank := func(ctx context.Context) int { n, _ := ctx.Value(ctxKey{}).(int); return n }
	b := New(v, Options{Max: 10, Lead: func(a, b context.Context) bool { return rank(a) > rank(b) }}, r.f)
	var a1, a2, a3 answer
	ask(context.WithValue(t.Context(), ctxKey{}, 1), v, b, 0, "c", []string{"a"}, &a1)
	ask(context.WithValue(t.Context(), ctxKey{}, 3), v, b, 0, "c", []string{"b"}, &a2)
	ask(context.WithValue(t.Context(), ctxKey{}, 2), v, b, 0, "c", []string{"c"}, &a3)
	v.RunFor(time.Second)
	if got := r.sent(); len(got) != 1 || got[0].value != 3 {
		t.Fatalf("calls %+v, want one carrying the leading caller's value 3", got)
	}

	// Without Lead, the first caller's.
	r2 := &recorder{clk: v}
	first := New(v, Options{Max: 10}, r2.f)
	ask(context.WithValue(t.Context(), ctxKey{}, 1), v, first, 0, "c", []string{"a"}, &a1)
	ask(context.WithValue(t.Context(), ctxKey{}, 3), v, first, 0, "c", []string{"b"}, &a2)
	v.RunFor(time.Second)
	if got := r2.sent(); len(got) != 1 || got[0].value != 1 {
		t.Fatalf("calls %+v, want one carrying the first caller's value 1", got)
	}
}

// TestCallWaitsOnItsOwnGoroutine: a Func that waits on the clock parks the
// goroutine making the call, never a caller's, so virtual time keeps
// moving and the callers are woken once, with the answer.
func TestCallWaitsOnItsOwnGoroutine(t *testing.T) {
	v := clock.NewVirtual(t0)
	r := &recorder{clk: v, latency: time.Minute}
	b := New(v, Options{Max: 10}, r.f)
	var a answer
	if !v.Call(t.Context(), t0.Add(time.Hour), func(ctx context.Context) {
		a.res, a.err = b.Do(ctx, "c", []string{"a"})
	}) {
		t.Fatal("Do did not return within a virtual hour")
	}
	if a.err != nil || a.res["a"] != "r:a" || v.Now().Sub(t0) != time.Minute+DefaultWindow {
		t.Fatalf("answer %v %v at %v", a.res, a.err, v.Now().Sub(t0))
	}
}

func TestNegativeWindowCallsAtOnceInTheCaller(t *testing.T) {
	v := clock.NewVirtual(t0) // nothing moves it
	r := &recorder{clk: v, missing: map[string]bool{"b": true}}
	b := New(v, Options{Max: 2, Window: -1}, r.f)
	ctx := context.WithValue(t.Context(), ctxKey{}, 7)
	res, err := b.Do(ctx, "c", []string{"a", "b", "c"})
	if want := map[string]string{"a": "r:a", "c": "r:c"}; err != nil || !reflect.DeepEqual(res, want) {
		t.Fatalf("Do = %v %v, want %v", res, err, want)
	}
	want := []sent{{0, "c", []string{"a", "b"}, 7}, {0, "c", []string{"c"}, 7}}
	if got := r.sent(); !reflect.DeepEqual(got, want) {
		t.Fatalf("calls:\n got %+v\nwant %+v", got, want)
	}
}

func TestNoItemsNoCall(t *testing.T) {
	v := clock.NewVirtual(t0)
	r := &recorder{clk: v}
	b := New(v, Options{Max: 2}, r.f)
	res, err := b.Do(t.Context(), "c", nil)
	if err != nil || res == nil || len(res) != 0 || len(r.sent()) != 0 {
		t.Fatalf("Do(nil) = %v %v with %d calls", res, err, len(r.sent()))
	}
}

func TestNewRefusesNoMax(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("New with Max 0 did not panic")
		}
	}()
	New(clock.NewVirtual(t0), Options{}, (&recorder{}).f)
}

// TestOnTheWallClock runs the production path, clock.Real and plain
// goroutines, in a synctest bubble (whose time is fake): fifty concurrent
// callers share one call made a window after the first asked.
func TestOnTheWallClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		var mu sync.Mutex
		var calls [][]string
		var at time.Duration
		b := New(clock.Real{}, Options{Max: 100}, func(_ context.Context, _ string, items []string) (map[string]string, error) {
			mu.Lock()
			defer mu.Unlock()
			calls = append(calls, slices.Clone(items))
			at = time.Since(start)
			return map[string]string{items[0]: "first"}, nil
		})
		var wg sync.WaitGroup
		got := make([]map[string]string, 50)
		for i := range got {
			wg.Go(func() {
				res, err := b.Do(t.Context(), "c", []string{fmt.Sprint(i % 10)})
				if err != nil {
					t.Error(err)
				}
				got[i] = res
			})
		}
		wg.Wait()
		if len(calls) != 1 || len(calls[0]) != 10 || at != DefaultWindow {
			t.Fatalf("calls %v at %v, want one of 10 items after %v", calls, at, DefaultWindow)
		}
		for i, res := range got {
			if want := fmt.Sprint(i % 10); (res[want] == "first") != (want == calls[0][0]) || len(res) > 1 {
				t.Errorf("caller %d got %v", i, res)
			}
		}
	})
}

// gate is an Options.Gate that lets one call through every period of the
// clock (a rate limit of one call a period), marking the context it lets
// through.
type gate struct {
	clk    *clock.Virtual
	period time.Duration
	mu     clock.Mutex
	next   time.Time
}

func (g *gate) wait(ctx context.Context) (context.Context, error) {
	if err := g.mu.Lock(ctx); err != nil {
		return nil, err
	}
	defer g.mu.Unlock()
	if d := g.next.Sub(g.clk.Now()); d > 0 {
		if err := clock.Sleep(ctx, g.clk, d); err != nil {
			return nil, err
		}
	}
	g.next = g.clk.Now().Add(g.period)
	return context.WithValue(ctx, ctxKey{}, "gated"), nil
}

// TestItemsJoinWhileTheGateWaits: behind a rate limit of one call a
// second, the items asked for while a batch waits at its gate go in that
// batch, not in calls of their own, and the call carries the gate's
// context.
func TestItemsJoinWhileTheGateWaits(t *testing.T) {
	v := clock.NewVirtual(t0)
	r := &recorder{clk: v}
	g := &gate{clk: v, period: time.Second}
	b := New(v, Options{Max: 3, Gate: g.wait}, r.f)
	ctx := t.Context()
	var a [6]answer
	// The first batch goes at 10 ms; the next waits at the gate until
	// 1 s 10 ms, and every item asked for meanwhile joins it, up to 3;
	// the sixth item opens a third batch.
	for i, at := range []time.Duration{0, 100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond, 400 * time.Millisecond, 500 * time.Millisecond} {
		ask(ctx, v, b, at, "c", []string{fmt.Sprint(i)}, &a[i])
	}
	v.RunFor(10 * time.Second)
	want := []sent{
		{10 * time.Millisecond, "c", []string{"0"}, "gated"},
		{1010 * time.Millisecond, "c", []string{"1", "2", "3"}, "gated"},
		{2010 * time.Millisecond, "c", []string{"4", "5"}, "gated"},
	}
	if got := r.sent(); !reflect.DeepEqual(got, want) {
		t.Fatalf("calls:\n got %+v\nwant %+v", got, want)
	}
	for i, got := range a {
		if k := fmt.Sprint(i); got.err != nil || got.res[k] != "r:"+k {
			t.Errorf("caller %d: %v %v", i, got.res, got.err)
		}
	}
}

// TestCallersLeavingAtTheGateCancelIt: a batch whose callers all leave
// while it waits at its gate makes no call, and the next caller gets a
// batch of its own.
func TestCallersLeavingAtTheGateCancelIt(t *testing.T) {
	v := clock.NewVirtual(t0)
	r := &recorder{clk: v}
	g := &gate{clk: v, period: time.Second}
	b := New(v, Options{Max: 10, Gate: g.wait}, r.f)
	ctx := t.Context()
	var first, leaver, later answer
	ask(ctx, v, b, 0, "c", []string{"a"}, &first)
	short, cancel := context.WithCancel(ctx)
	ask(short, v, b, 100*time.Millisecond, "c", []string{"b"}, &leaver)
	clock.Go(ctx, v, func(ctx context.Context) {
		_ = clock.Sleep(ctx, v, 500*time.Millisecond)
		cancel()
	})
	ask(ctx, v, b, 600*time.Millisecond, "c", []string{"c"}, &later)
	v.RunFor(10 * time.Second)
	if !errors.Is(leaver.err, context.Canceled) {
		t.Errorf("the caller that left got %v %v", leaver.res, leaver.err)
	}
	if later.err != nil || later.res["c"] != "r:c" {
		t.Errorf("the later caller got %v %v", later.res, later.err)
	}
	for _, c := range r.sent() {
		if slices.Contains(c.items, "b") {
			t.Errorf("a call carried the item of the caller that left: %+v", c)
		}
	}
}
