package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/emulator"
)

// TestSharesMatchCountingEachCall: the sweep that shares calls among
// drains gives what counting each call against every drain gives (a call
// while n drains are under way, both ends of a drain included, counts 1/n
// to each), on random windows and calls.
func TestSharesMatchCountingEachCall(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	t0 := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	for round := range 200 {
		n := rng.IntN(6)
		starts, until := make([]time.Time, n), make([]time.Time, n)
		for i := range n {
			s := rng.IntN(100)
			starts[i], until[i] = at(s), at(s+rng.IntN(60))
		}
		var calls []callRun
		for s := 0; s < 180; s += 1 + rng.IntN(4) {
			calls = append(calls, callRun{at: at(s), n: 1 + rng.IntN(5)})
		}
		want := make([]float64, n)
		for _, c := range calls {
			var under []int
			for i := range n {
				if !c.at.Before(starts[i]) && !c.at.After(until[i]) {
					under = append(under, i)
				}
			}
			for _, i := range under {
				want[i] += float64(c.n) / float64(len(under))
			}
		}
		got := shares(calls, starts, until)
		for i := range n {
			if math.Abs(got[i]-want[i]) > 1e-9 {
				t.Fatalf("round %d: drain %d [%v, %v] gets %v calls, want %v", round, i, starts[i].Sub(t0), until[i].Sub(t0), got[i], want[i])
			}
		}
	}
}

// TestReportCountsBeyondTheCallLog plays the same scale-in with the call
// log keeping 200 calls and with it keeping them all: the report's call
// counts, by operation and by drain, are the same, so they do not come
// from the calls the log keeps.
func TestReportCountsBeyondTheCallLog(t *testing.T) {
	if testing.Short() {
		t.Skip("plays a scale-in of 10 of 50 instances twice")
	}
	play := func(limit int) Report {
		return playReport(t, "testdata/scale-in-10-of-50.yaml", emulator.Config{CallLogLimit: limit}, 10, 3*time.Hour)
	}
	short, whole := play(200), play(10_000_000)
	if whole.Calls <= 200 {
		t.Fatalf("the run made %d calls: too few to overflow a log of 200", whole.Calls)
	}
	if short.Calls != whole.Calls || short.QueueCalls != whole.QueueCalls {
		t.Errorf("with a short log: %d calls (%d on the queue), with a whole one %d (%d)", short.Calls, short.QueueCalls, whole.Calls, whole.QueueCalls)
	}
	for op, n := range whole.CallsByOp {
		if short.CallsByOp[op] != n {
			t.Errorf("%s: %d calls with a short log, %d with a whole one", op, short.CallsByOp[op], n)
		}
	}
	perDrain := func(rep Report) (out []int) {
		for _, d := range rep.Drains {
			out = append(out, d.Calls)
		}
		return out
	}
	if a, b := perDrain(short), perDrain(whole); !slices.Equal(a, b) || len(a) != 10 {
		t.Errorf("calls by drain: %v with a short log, %v with a whole one", a, b)
	}
}
