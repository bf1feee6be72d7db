package emulator

import (
	"testing"
	"time"
)

// TestCallCountsStayExactBeyondTheLog logs 250,000 calls of two callers
// into a log that keeps 100,000: the log drops the oldest, the counts by
// operation, by caller and the totals stay exact, and OnCall sees every
// call.
func TestCallCountsStayExactBeyondTheLog(t *testing.T) {
	l := newCallLog(0)
	observed := 0
	l.OnCall(func(Call) { observed++ })
	at := DefaultStart
	for i := range 250_000 {
		c := Call{Time: at.Add(time.Duration(i) * time.Millisecond), Caller: "drainer", Service: "ecs", Operation: "DescribeTasks", Outcome: "OK"}
		switch {
		case i%5 == 0:
			c.Caller, c.Service, c.Operation = "scenario", "autoscaling", "SetDesiredCapacity"
		case i%7 == 0:
			c.Outcome = "ThrottlingException"
		}
		l.add(c, nil)
	}
	if kept := len(l.All()); kept > 100_000 || kept < 50_000 {
		t.Fatalf("the log keeps %d calls, want the most recent, at most 100,000", kept)
	}
	if last, _ := l.Last(); last.Seq != 250_000 || l.Total() != 250_000 || observed != 250_000 {
		t.Fatalf("last seq %d, total %d, observed %d; want 250,000 each", last.Seq, l.Total(), observed)
	}
	// Of 250,000: 50,000 are i%5 == 0; of the others, i%7 == 0 and
	// i%5 != 0 is 35,715 − 7,143 = 28,572.
	for _, tc := range []struct {
		got, want int
		what      string
	}{
		{l.Count("ecs", "DescribeTasks", ""), 200_000, "ecs:DescribeTasks"},
		{l.Count("ecs", "DescribeTasks", "ThrottlingException"), 28_572, "throttled DescribeTasks"},
		{l.CountBy("drainer", "", "", ""), 200_000, "drainer's calls"},
		{l.CountBy("drainer", "ecs", "DescribeTasks", "OK"), 171_428, "drainer's DescribeTasks answered"},
		{l.CountBy("scenario", "autoscaling", "", ""), 50_000, "the scenario's Auto Scaling calls"},
		{l.CountBy("", "", "", ""), 250_000, "every call"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %d, want %d", tc.what, tc.got, tc.want)
		}
	}
	sum := 0
	for _, tot := range l.Totals() {
		sum += tot.N
	}
	if n := len(l.Totals()); n != 3 || sum != 250_000 {
		t.Errorf("totals: %d rows summing to %d, want 3 summing to 250,000: %+v", n, sum, l.Totals())
	}
}
