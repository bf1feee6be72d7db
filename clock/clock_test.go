package clock

import (
	"context"
	"testing"
	"time"
)

var epoch = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

func TestVirtualFiresInTimeThenScheduleOrder(t *testing.T) {
	v := NewVirtual(epoch)
	var got []string
	v.AfterFunc(2*time.Second, func() { got = append(got, "b") })
	v.AfterFunc(time.Second, func() { got = append(got, "a") })
	v.AfterFunc(2*time.Second, func() { got = append(got, "c") })
	stopped := v.AfterFunc(1500*time.Millisecond, func() { got = append(got, "stopped") })
	if !stopped.Stop() {
		t.Fatal("Stop of a pending event reported false")
	}
	if stopped.Stop() {
		t.Fatal("second Stop reported true")
	}
	v.RunFor(10 * time.Second)
	if want := "abc"; join(got) != want {
		t.Fatalf("fired %q, want %q", join(got), want)
	}
	if !v.Now().Equal(epoch.Add(10 * time.Second)) {
		t.Fatalf("Now = %v, want start+10s", v.Now())
	}
}

func TestVirtualRunUntilStopsAtLimit(t *testing.T) {
	v := NewVirtual(epoch)
	fired := 0
	v.AfterFunc(time.Minute, func() { fired++ })
	v.AfterFunc(time.Hour, func() { fired++ })
	v.RunFor(30 * time.Minute)
	if fired != 1 {
		t.Fatalf("fired %d events by 30m, want 1", fired)
	}
	if v.Pending() != 1 {
		t.Fatalf("pending = %d, want 1", v.Pending())
	}
}

func TestVirtualCallbacksMayScheduleMore(t *testing.T) {
	v := NewVirtual(epoch)
	var times []time.Duration
	var tick func()
	tick = func() {
		times = append(times, v.Now().Sub(epoch))
		if len(times) < 3 {
			v.AfterFunc(time.Second, tick)
		}
	}
	v.AfterFunc(0, tick)
	for v.Step() {
	}
	want := []time.Duration{0, time.Second, 2 * time.Second}
	if len(times) != len(want) {
		t.Fatalf("ticks at %v, want %v", times, want)
	}
	for i := range want {
		if times[i] != want[i] {
			t.Fatalf("ticks at %v, want %v", times, want)
		}
	}
}

func TestVirtualRunUntilDone(t *testing.T) {
	v := NewVirtual(epoch)
	n := 0
	for i := 1; i <= 5; i++ {
		v.AfterFunc(time.Duration(i)*time.Second, func() { n++ })
	}
	if !v.RunUntilDone(epoch.Add(time.Hour), func() bool { return n == 3 }) {
		t.Fatal("condition not met")
	}
	if got := v.Now().Sub(epoch); got != 3*time.Second {
		t.Fatalf("stopped at +%v, want +3s", got)
	}
	if v.RunUntilDone(epoch.Add(4500*time.Millisecond), func() bool { return n == 5 }) {
		t.Fatal("condition met before the limit allowed it")
	}
	if got := v.Now().Sub(epoch); got != 4500*time.Millisecond {
		t.Fatalf("clock at +%v, want the limit +4.5s", got)
	}
}

// TestVirtualScaled runs a scaled clock at a high speed; it checks ordering
// and that Now never runs past an event that has not fired, not wall time.
func TestVirtualScaled(t *testing.T) {
	v := NewVirtual(epoch)
	done := make(chan struct{})
	var seen []time.Time
	for i := 1; i <= 3; i++ {
		v.AfterFunc(time.Duration(i)*time.Hour, func() {
			seen = append(seen, v.Now())
			if len(seen) == 3 {
				close(done)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- v.RunScaled(ctx, 1e9) }()
	<-done
	cancel()
	if err := <-errc; err != context.Canceled {
		t.Fatalf("RunScaled returned %v", err)
	}
	for i, at := range seen {
		if want := epoch.Add(time.Duration(i+1) * time.Hour); at.Before(want) {
			t.Fatalf("event %d saw Now=%v, before its own time %v", i, at, want)
		}
	}
	if v.Now().Before(epoch.Add(3 * time.Hour)) {
		t.Fatalf("clock went back after scaled run: %v", v.Now())
	}
}

func join(s []string) string {
	out := ""
	for _, x := range s {
		out += x
	}
	return out
}
