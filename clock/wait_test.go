package clock

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// trace collects what the clock's goroutines did, with the virtual time.
type trace struct {
	mu  sync.Mutex
	v   *Virtual
	got []string
}

func (tr *trace) add(format string, args ...any) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.got = append(tr.got, fmt.Sprintf("%v %s", tr.v.Now().Sub(epoch), fmt.Sprintf(format, args...)))
}

func TestGoroutinesSleepOnVirtualTime(t *testing.T) {
	v := NewVirtual(epoch)
	tr := &trace{v: v}
	ctx := context.Background()
	for _, d := range []time.Duration{3 * time.Second, time.Second, 2 * time.Second} {
		Go(ctx, v, func(ctx context.Context) {
			tr.add("start %v", d)
			if err := Sleep(ctx, v, d); err != nil {
				t.Error(err)
			}
			tr.add("woke %v", d)
		})
	}
	v.RunFor(time.Minute)
	want := []string{"0s start 3s", "0s start 1s", "0s start 2s", "1s woke 1s", "2s woke 2s", "3s woke 3s"}
	if !slices.Equal(tr.got, want) {
		t.Fatalf("got %q\nwant %q", tr.got, want)
	}
	if n := v.Goroutines(); n != 0 {
		t.Fatalf("%d goroutines left, want 0", n)
	}
}

// TestTimeWaitsForEveryGoroutine: a goroutine that does a lot at one
// instant (no wait) keeps the clock from moving until it waits again.
func TestTimeWaitsForEveryGoroutine(t *testing.T) {
	v := NewVirtual(epoch)
	ctx := context.Background()
	fired := false
	v.AfterFunc(time.Second, func() { fired = true })
	var sawFired []bool
	Go(ctx, v, func(ctx context.Context) {
		for range 3 {
			sum := 0
			for i := range 1_000_000 {
				sum += i
			}
			_ = sum
			sawFired = append(sawFired, fired)
		}
		Sleep(ctx, v, 2*time.Second)
		sawFired = append(sawFired, fired)
	})
	v.RunFor(time.Minute)
	if want := []bool{false, false, false, true}; !slices.Equal(sawFired, want) {
		t.Fatalf("goroutine saw the 1s event as %v, want %v", sawFired, want)
	}
}

func TestSignalWakesOrTimesOut(t *testing.T) {
	v := NewVirtual(epoch)
	tr := &trace{v: v}
	ctx := context.Background()
	s := NewSignal(v)
	Go(ctx, v, func(ctx context.Context) {
		for range 3 {
			notified, err := s.Wait(ctx, v.Now().Add(10*time.Second))
			tr.add("notified=%v err=%v", notified, err)
		}
	})
	v.AfterFunc(4*time.Second, s.Notify)
	// Two marks before the next wait wake it once.
	v.AfterFunc(5*time.Second, func() { s.Notify(); s.Notify() })
	v.RunFor(time.Minute)
	want := []string{"4s notified=true err=<nil>", "5s notified=true err=<nil>", "15s notified=false err=<nil>"}
	if !slices.Equal(tr.got, want) {
		t.Fatalf("got %q\nwant %q", tr.got, want)
	}
}

// TestMutexHolderWaitsOnTheClock: the holder of a Mutex sleeps; another
// goroutine waiting for the lock does not stop time, and gets the lock
// when the holder lets go.
func TestMutexHolderWaitsOnTheClock(t *testing.T) {
	v := NewVirtual(epoch)
	tr := &trace{v: v}
	ctx := context.Background()
	var mu Mutex
	for _, name := range []string{"a", "b", "c"} {
		Go(ctx, v, func(ctx context.Context) {
			if err := mu.Lock(ctx); err != nil {
				t.Error(err)
				return
			}
			tr.add("%s locked", name)
			Sleep(ctx, v, 5*time.Second)
			mu.Unlock()
		})
	}
	v.RunFor(time.Minute)
	want := []string{"0s a locked", "5s b locked", "10s c locked"}
	if !slices.Equal(tr.got, want) {
		t.Fatalf("got %q\nwant %q", tr.got, want)
	}
	if !mu.TryLock() {
		t.Fatal("lock still held after every goroutine unlocked")
	}
}

func TestCancelEndsEveryWait(t *testing.T) {
	v := NewVirtual(epoch)
	ctx, cancel := context.WithCancel(context.Background())
	var mu Mutex
	mu.Lock(ctx)
	s := NewSignal(v)
	var g Group
	errs := make([]error, 4)
	g.Go(ctx, v, func(ctx context.Context) { errs[0] = Sleep(ctx, v, time.Hour) })
	g.Go(ctx, v, func(ctx context.Context) { _, errs[1] = s.Wait(ctx, time.Time{}) })
	g.Go(ctx, v, func(ctx context.Context) { errs[2] = mu.Lock(ctx) })
	var inner Group
	inner.Go(context.Background(), v, func(ctx context.Context) { Sleep(ctx, v, 2*time.Hour) })
	g.Go(ctx, v, func(ctx context.Context) { errs[3] = inner.Wait(ctx) })
	v.RunFor(time.Minute)
	if n := v.Goroutines(); n != 5 {
		t.Fatalf("%d goroutines waiting, want 5", n)
	}
	cancel()
	v.Settle()
	if n := v.Goroutines(); n != 1 {
		t.Fatalf("%d goroutines left after cancel, want 1 (the one on a live context)", n)
	}
	for i, err := range errs {
		if err != context.Canceled {
			t.Errorf("wait %d returned %v, want context.Canceled", i, err)
		}
	}
	if g.Wait(context.Background()) != nil {
		t.Fatal("group wait failed")
	}
	// The cancelled Lock left the queue: Unlock frees the Mutex.
	mu.Unlock()
	if !mu.TryLock() {
		t.Fatal("Mutex still held after a cancelled waiter left")
	}
	v.RunFor(3 * time.Hour)
	if n := v.Goroutines(); n != 0 {
		t.Fatalf("%d goroutines left, want 0", n)
	}
}

// TestRunsAreReproducible: the same goroutines interleave the same way
// every run.
func TestRunsAreReproducible(t *testing.T) {
	run := func() []string {
		v := NewVirtual(epoch)
		tr := &trace{v: v}
		ctx := context.Background()
		s := NewSignal(v)
		var mu Mutex
		for i := range 5 {
			Go(ctx, v, func(ctx context.Context) {
				for j := range 4 {
					mu.Lock(ctx)
					tr.add("g%d step %d", i, j)
					Sleep(ctx, v, time.Duration(i%3)*time.Second)
					mu.Unlock()
					if i%2 == 0 {
						s.Notify()
					} else {
						s.Wait(ctx, v.Now().Add(time.Second))
					}
				}
			})
		}
		v.RunFor(time.Hour)
		return tr.got
	}
	first := run()
	for range 20 {
		if got := run(); !slices.Equal(got, first) {
			t.Fatalf("runs differ:\n%q\n%q", first, got)
		}
	}
}

// TestGoroutinesUnderRunScaled: the clock's goroutines run while RunScaled
// moves time; ordinary goroutines may notify them.
func TestGoroutinesUnderRunScaled(t *testing.T) {
	v := NewVirtual(epoch)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := NewSignal(v)
	woke := make(chan time.Time, 2)
	Go(ctx, v, func(ctx context.Context) {
		Sleep(ctx, v, time.Hour)
		woke <- v.Now()
		s.Wait(ctx, time.Time{})
		woke <- v.Now()
	})
	errc := make(chan error, 1)
	go func() { errc <- v.RunScaled(ctx, 1e9) }()
	if at := <-woke; at.Before(epoch.Add(time.Hour)) {
		t.Fatalf("woke at %v, before its hour", at)
	}
	s.Notify() // from an ordinary goroutine
	<-woke
	cancel()
	if err := <-errc; err != context.Canceled {
		t.Fatalf("RunScaled returned %v", err)
	}
}

// TestWaitsOnTheRealClock runs the same waits on the real clock inside a
// synctest bubble (its time is fake, so the test never sleeps).
func TestWaitsOnTheRealClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		c := Real{}
		start := time.Now()
		var mu Mutex
		s := NewSignal(c)
		var g Group
		var got []string
		var gotMu sync.Mutex
		add := func(x string) {
			gotMu.Lock()
			defer gotMu.Unlock()
			got = append(got, fmt.Sprintf("%v %s", time.Since(start), x))
		}
		g.Go(ctx, c, func(ctx context.Context) {
			mu.Lock(ctx)
			Sleep(ctx, c, 3*time.Second)
			add("slept")
			mu.Unlock()
			s.Notify()
		})
		synctest.Wait()
		g.Go(ctx, c, func(ctx context.Context) {
			mu.Lock(ctx)
			add("locked")
			mu.Unlock()
		})
		g.Go(ctx, c, func(ctx context.Context) {
			notified, _ := s.Wait(ctx, time.Now().Add(time.Minute))
			add(fmt.Sprint("notified ", notified))
			notified, _ = s.Wait(ctx, time.Now().Add(time.Minute))
			add(fmt.Sprint("notified ", notified))
		})
		g.Wait(ctx)
		slices.Sort(got)
		want := []string{"1m3s notified false", "3s locked", "3s notified true", "3s slept"}
		if !slices.Equal(got, want) {
			t.Fatalf("got %q\nwant %q", got, want)
		}
	})
}

func TestWithTimeoutEndsOnTheClock(t *testing.T) {
	v := NewVirtual(epoch)
	var err error
	var at time.Duration
	Go(context.Background(), v, func(ctx context.Context) {
		ctx, cancel := WithTimeout(ctx, v, 10*time.Second)
		defer cancel()
		err = Sleep(ctx, v, time.Minute)
		at = v.Now().Sub(epoch)
		if context.Cause(ctx) != context.DeadlineExceeded {
			t.Errorf("cause %v, want DeadlineExceeded", context.Cause(ctx))
		}
	})
	v.RunFor(time.Hour)
	if err == nil || at != 10*time.Second {
		t.Fatalf("a minute's sleep bounded to 10 s ended at +%v with %v", at, err)
	}
}

// TestStallIsReported: a goroutine of the clock that waits on something
// the clock cannot see (here a wait whose context is not its own) stops
// virtual time; after a minute the clock says so, with the stacks. The
// minute is the synctest bubble's, not the wall clock's.
func TestStallIsReported(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logged bytes.Buffer
		prev := slog.Default()
		slog.SetDefault(slog.New(slog.NewTextHandler(&logged, nil)))
		defer slog.SetDefault(prev)
		v := NewVirtual(epoch)
		release := make(chan struct{})
		Go(context.Background(), v, func(ctx context.Context) {
			<-release // not a clock wait
		})
		go func() {
			time.Sleep(2 * time.Minute) // the bubble's time
			close(release)
		}()
		v.RunFor(time.Second)
		if !strings.Contains(logged.String(), "without waiting through the clock") || !strings.Contains(logged.String(), "TestStallIsReported") {
			t.Fatalf("no stall warning with the stuck goroutine's stack:\n%.500s", logged.String())
		}
	})
}

func TestJoinableOnlyInsideTheVirtualClocksGoroutines(t *testing.T) {
	ctx := context.Background()
	if !Joinable(ctx, Real{}) {
		t.Fatal("a real clock's goroutines are always joinable")
	}
	v := NewVirtual(epoch)
	if Joinable(ctx, v) {
		t.Fatal("outside the virtual clock's goroutines, waiting for one would hold up its driver")
	}
	var inside bool
	Go(ctx, v, func(ctx context.Context) { inside = Joinable(ctx, v) })
	v.RunFor(time.Second)
	if !inside {
		t.Fatal("a virtual clock's goroutine can wait for others")
	}
}
