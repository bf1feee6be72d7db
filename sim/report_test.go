package sim

import (
	"bytes"
	"encoding/json"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/fault"
	"github.com/drainer-dev/drainer/emulator/scenario"
)

// runReport plays a report scenario to the end of its drains.
func runReport(t *testing.T, path string, drains int, limit time.Duration) Report {
	t.Helper()
	rep := playReport(t, path, emulator.Config{}, drains, limit)
	var buf bytes.Buffer
	rep.WriteText(&buf)
	t.Log("\n" + buf.String())
	return rep
}

// playReport plays a report scenario in a world configured by cfg until
// drains drains have completed (or limit has passed), then ten minutes
// more, and returns its report.
func playReport(t *testing.T, path string, cfg emulator.Config, drains int, limit time.Duration) Report {
	t.Helper()
	sc, err := scenario.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	run, err := scenario.NewWorld(sc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	h, err := Attach(run, Options{Queue: "drainer"})
	if err != nil {
		t.Fatal(err)
	}
	rec := Record(h, drain.DefaultPolicy())
	start := h.World.Now()
	wall := time.Now()
	h.RunUntil(start.Add(limit), func() bool { return len(events(h, drain.EventCompleted)) >= drains })
	h.RunFor(10 * time.Minute)
	return rec.Finish(sc.Name, time.Since(wall), h.World.Now().Sub(start))
}

// checkReport asserts what must hold whatever the figures: every drain
// completed, no invariant broken, no drain faster than its own work (a
// floor computed wrong would show here), and API calls bounded.
func checkReport(t *testing.T, rep Report, drains int) {
	t.Helper()
	if len(rep.Drains) != drains {
		t.Fatalf("%d drains, want %d", len(rep.Drains), drains)
	}
	for _, v := range rep.Violations {
		t.Error(v)
	}
	for _, d := range rep.Drains {
		if d.Outcome != OutcomeReleased {
			t.Errorf("%s: %s (%s), want released", d.InstanceID, d.Outcome, d.Why)
		}
		if r, ok := d.Ratio(); ok && r < 0.999 {
			t.Errorf("%s drained in %v, faster than its floor %v: the floor is wrong", d.InstanceID, d.Drain, d.Floor)
		}
	}
}

func TestReportScaleIn10Of50(t *testing.T) {
	rep := runReport(t, "testdata/scale-in-10-of-50.yaml", 10, 3*time.Hour)
	checkReport(t, rep, 10)
}

func TestReportInstanceRefresh50(t *testing.T) {
	if testing.Short() {
		t.Skip("a refresh of 50 instances in batches")
	}
	rep := runReport(t, "testdata/refresh-50.yaml", 50, 12*time.Hour)
	checkReport(t, rep, 50)
}

// badNumber matches what a report must never print: NaN, an infinity, a
// negative number (a minus sign starting a word: instance ids such as
// i-0abc… are not numbers) or a duration at the end of its range.
var badNumber = regexp.MustCompile(`\bNaN\b|[+-]?Inf\b|(^|[\s:(=\[,])-[0-9]|2562047h|922337203685477580[78]`)

// TestBadNumberCatchesWhatReportsPrintedWrong: the check the report tests
// rely on finds the lies reports used to tell, and not instance ids or
// the dashes of unmeasured figures.
func TestBadNumberCatchesWhatReportsPrintedWrong(t *testing.T) {
	for s, bad := range map[string]bool{
		"drain time / floor:      median NaN, p99 NaN":                                            true,
		"overhead after the last task STOPPED: median -2562047h47m16.85s, max -2562047h47m16.85s": true,
		`{"Overhead":-9223372036854775808}`:                                                       true,
		`{"Overhead":9223372036854775807}`:                                                        true,
		"overhead 2562047h47m16.854775807s":                                                       true,
		`{"Ratio":-1.5}`:                                                                          true,
		"  i-3ff9c77a363d720d0  spot-interruption  cut short       2       2m0s      2m30s       -         -     20": false,
		`{"InstanceID":"i-0123456789abcdef0","Drain":120000000000}`:                                                  false,
	} {
		if got := badNumber.MatchString(s); got != bad {
			t.Errorf("badNumber.MatchString(%q) = %v, want %v", s, got, bad)
		}
	}
}

func assertNoBadNumbers(t *testing.T, what, out string) {
	t.Helper()
	if m := badNumber.FindString(out); m != "" {
		t.Errorf("%s report prints %q:\n%s", what, m, out)
	}
}

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// figures is a drain of each outcome, with what the summary makes of it.
var (
	released = DrainFigures{InstanceID: "i-0000000000000000a", Reason: drain.ReasonLifecycle, Outcome: OutcomeReleased,
		Started: t0, Released: t0.Add(100 * time.Second), Ended: t0.Add(100 * time.Second), Drain: 100 * time.Second,
		Floor: 80 * time.Second, Moved: 3, Overhead: 2 * time.Second, Calls: 20, ScanCalls: 7}
	releasedFast = DrainFigures{InstanceID: "i-0000000000000000b", Reason: drain.ReasonLifecycle, Outcome: OutcomeReleased,
		Started: t0, Released: t0.Add(50 * time.Second), Ended: t0.Add(50 * time.Second), Drain: 50 * time.Second,
		Floor: 50 * time.Second, Moved: 2, Overhead: 500 * time.Millisecond, Calls: 10}
	overdue = DrainFigures{InstanceID: "i-0000000000000000c", Reason: drain.ReasonOperator, Outcome: OutcomeOverdue, Why: "released at its hard deadline with tasks still running",
		Started: t0, Released: t0.Add(time.Hour), Ended: t0.Add(time.Hour), Drain: time.Hour,
		Floor: 30 * time.Minute, Moved: 1, Calls: 40}
	stuck = DrainFigures{InstanceID: "i-0000000000000000d", Reason: drain.ReasonLifecycle, Outcome: OutcomeReleased,
		Started: t0, Released: t0.Add(2 * time.Hour), Ended: t0.Add(2 * time.Hour), Drain: 2 * time.Hour,
		Floor: 2 * time.Hour, Stuck: true, Moved: 4, Overhead: time.Second, Calls: 30}
	noWork = DrainFigures{InstanceID: "i-0000000000000000e", Reason: drain.ReasonIdle, Outcome: OutcomeReleased,
		Started: t0, Released: t0.Add(3 * time.Second), Ended: t0.Add(3 * time.Second), Drain: 3 * time.Second,
		Overhead: 3 * time.Second, Calls: 6}
	cutShort = DrainFigures{InstanceID: "i-0000000000000000f", Reason: drain.ReasonSpot, Outcome: OutcomeCutShort, Why: cutShortWhy(2*time.Minute, 2, PartyDrainer),
		Started: t0, Ended: t0.Add(2 * time.Minute), Drain: 2 * time.Minute, Floor: 150 * time.Second, Moved: 2, Lost: 2, Calls: 9}
	unfinished = DrainFigures{InstanceID: "i-1234567890abcdef0", Reason: drain.ReasonTTL, Outcome: OutcomeUnfinished, Why: "still in its graceful phase when the run ended, 5h0m0s into the drain",
		Started: t0, Floor: time.Hour, Moved: 5, Calls: 70}
)

func TestDrainFigures(t *testing.T) {
	for _, tc := range []struct {
		name               string
		f                  DrainFigures
		ratio              float64
		hasRatio, measured bool
		finished           bool
	}{
		{"released", released, 1.25, true, true, true},
		{"released at its floor", releasedFast, 1, true, true, true},
		{"overdue: a ratio, no overhead", overdue, 2, true, false, true},
		{"stuck: no ratio", stuck, 0, false, true, true},
		{"no work: no ratio", noWork, 0, false, true, true},
		{"cut short", cutShort, 0, false, false, false},
		{"unfinished", unfinished, 0, false, false, false},
		{"zero value", DrainFigures{}, 0, false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, ok := tc.f.Ratio()
			if r != tc.ratio || ok != tc.hasRatio || tc.f.Measured() != tc.measured || tc.f.Finished() != tc.finished {
				t.Errorf("Ratio %v %v, Measured %v, Finished %v; want %v %v, %v, %v", r, ok, tc.f.Measured(), tc.f.Finished(), tc.ratio, tc.hasRatio, tc.measured, tc.finished)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	for _, tc := range []struct {
		name   string
		drains []DrainFigures
		want   Summary
	}{
		{"no drains", nil, Summary{}},
		{"only cut short", []DrainFigures{cutShort}, Summary{Drains: 1, CutShort: 1}},
		{"only unfinished", []DrainFigures{unfinished}, Summary{Drains: 1, Unfinished: 1}},
		{"one released", []DrainFigures{released}, Summary{Drains: 1, Released: 1, TasksMoved: 3,
			Ratio:     Spread[float64]{N: 1, Median: 1.25, P99: 1.25, Max: 1.25},
			Overhead:  Spread[time.Duration]{N: 1, Median: 2 * time.Second, P99: 2 * time.Second, Max: 2 * time.Second},
			Calls:     Spread[int]{N: 1, Median: 20, P99: 20, Max: 20},
			ScanCalls: Spread[int]{N: 1, Median: 7, P99: 7, Max: 7}}},
		{"every outcome", []DrainFigures{released, releasedFast, overdue, stuck, noWork, cutShort, unfinished}, Summary{
			Drains: 7, Released: 4, Overdue: 1, CutShort: 1, Unfinished: 1, Stuck: 1, NoWork: 1,
			TasksMoved: 3 + 2 + 1 + 4, // the drains drainer released, not those cut short or unfinished
			Ratio:      Spread[float64]{N: 3, Median: 1.25, P99: 2, Max: 2},
			Overhead:   Spread[time.Duration]{N: 4, Median: time.Second, P99: 3 * time.Second, Max: 3 * time.Second},
			Calls:      Spread[int]{N: 5, Median: 20, P99: 40, Max: 40},
			ScanCalls:  Spread[int]{N: 5, Median: 0, P99: 7, Max: 7}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Report{Drains: tc.drains}.Summarize()
			if got != tc.want {
				t.Errorf("Summarize = %+v\nwant        %+v", got, tc.want)
			}
		})
	}
}

func TestWriteText(t *testing.T) {
	for _, tc := range []struct {
		name    string
		rep     Report
		want    []string
		notWant []string
	}{
		{"no drains", Report{Scenario: "quiet", Virtual: 30 * time.Minute, Calls: 54, QueueCalls: 54, CallsByOp: map[string]int{"sqs:ReceiveMessage": 54}},
			[]string{"scenario quiet: no drains in 30m0s of virtual time", "all calls: 54", "invariants: 0 violations", "sqs:ReceiveMessage=54"},
			[]string{"median", "drain time / floor", "instance"}},
		{"buckets", Report{Scenario: "throttled", Calls: 7, Buckets: []fault.BucketStats{
			{Name: "ecs:cluster-resource-read", Limit: fault.Limit{Burst: 100, Rate: 20}, Calls: 4210, Throttled: 12, Peak: 104},
			{Name: "rule ec2:*", Limit: fault.Limit{Burst: 3, Rate: 0.5}, Calls: 9, Peak: 2},
		}},
			[]string{
				"  bucket ecs:cluster-resource-read (burst 100, 20/s), every caller: 4210 calls, peak 104/s, 12 throttled\n",
				"  bucket rule ec2:* (burst 3, 0.5/s), every caller: 9 calls, peak 2/s, 0 throttled\n",
			}, nil},
		{"only cut short", Report{Scenario: "spot", Drains: []DrainFigures{cutShort}},
			[]string{
				"scenario spot: 1 drain in 0s of virtual time (0s wall): 1 cut short\n",
				"drain time / floor:      none measured (left out: 1 cut short)\n",
				"overhead after the last task STOPPED (virtual time): none measured (left out: 1 cut short)\n",
				"API calls per released instance (ECS, Auto Scaling, EC2): none measured (left out: 1 cut short)\n",
				"i-0000000000000000f  spot-interruption  cut short       2       2m0s      2m30s       -         -      9      0  the instance went 2m0s into the drain with 2 tasks still running, before drainer released it\n",
			},
			[]string{"median"}},
		{"unfinished", Report{Scenario: "ttl", Drains: []DrainFigures{unfinished}},
			[]string{": 1 unfinished\n", "i-1234567890abcdef0  ttl                unfinished      5          -     1h0m0s       -         -     70      0  still in its graceful phase"},
			[]string{"median"}},
		{"every outcome", Report{Scenario: "mixed", Drains: []DrainFigures{released, releasedFast, overdue, stuck, noWork, cutShort, unfinished}},
			[]string{
				"scenario mixed: 7 drains in 0s of virtual time (0s wall): 4 released, 1 overdue, 1 cut short, 1 unfinished\n",
				"service tasks moved off the released instances: 10\n",
				"drain time / floor:      median 1.250, p99 2.000 over 3 drains (left out: 1 stuck, 1 with no work, 1 cut short, 1 unfinished)\n",
				"overhead after the last task STOPPED (virtual time): median 1s, max 3s over 4 drains (left out: 1 overdue, 1 cut short, 1 unfinished)\n",
				"API calls per released instance (ECS, Auto Scaling, EC2): median 20, max 40 over 5 drains (left out: 1 cut short, 1 unfinished)\n",
				"and its share of the periodic scans' calls meanwhile: median 0, max 7 over 5 drains\n",
				"i-0000000000000000a  lifecycle          released        3      1m40s      1m20s   1.250        2s     20      7\n",
				"i-0000000000000000c  operator           overdue         1     1h0m0s      30m0s   2.000         -     40      0  released at its hard deadline with tasks still running\n",
				"i-0000000000000000d  lifecycle          released        4     2h0m0s     2h0m0s       -        1s     30      0\n",
				"i-0000000000000000e  idle               released        0         3s         0s       -        3s      6      0\n",
			}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			tc.rep.WriteText(&buf)
			out := buf.String()
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("report does not say %q:\n%s", w, out)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(out, w) {
					t.Errorf("report says %q:\n%s", w, out)
				}
			}
			assertNoBadNumbers(t, "text", out)
			js, err := json.Marshal(tc.rep)
			if err != nil {
				t.Fatalf("JSON: %v", err)
			}
			assertNoBadNumbers(t, "JSON", string(js))
			var back struct {
				Drains  []DrainFigures
				Summary Summary
			}
			if err := json.Unmarshal(js, &back); err != nil {
				t.Fatalf("JSON does not read back: %v\n%s", err, js)
			}
			if back.Summary != tc.rep.Summarize() || len(back.Drains) != len(tc.rep.Drains) {
				t.Errorf("JSON carries summary %+v and %d drains, want %+v and %d", back.Summary, len(back.Drains), tc.rep.Summarize(), len(tc.rep.Drains))
			}
		})
	}
}

func TestQuantile(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3}
	for _, tc := range []struct {
		q    float64
		want float64
	}{{0, 1}, {0.2, 1}, {0.5, 3}, {0.99, 5}, {1, 5}, {-1, 1}, {2, 5}, {math.NaN(), 1}, {math.Inf(1), 5}} {
		if got, ok := Quantile(xs, tc.q); !ok || got != tc.want {
			t.Errorf("Quantile(%v, %v) = %v, %v; want %v", xs, tc.q, got, ok, tc.want)
		}
	}
	if got, ok := Quantile([]float64(nil), 0.5); ok || got != 0 {
		t.Errorf("Quantile of nothing = %v, %v; want 0, false", got, ok)
	}
	if got, ok := Quantile([]time.Duration{3 * time.Second, time.Second, 2 * time.Second}, 0.5); !ok || got != 2*time.Second {
		t.Errorf("median of durations = %v, %v", got, ok)
	}
	if xs[0] != 5 {
		t.Errorf("Quantile sorted its input: %v", xs)
	}
}

// TestRecorderOutcomes feeds drain events to a recorder whose drains have
// started (the start needs a world, for the floor) and checks the outcome
// and the figures each end gives.
func TestRecorderOutcomes(t *testing.T) {
	const ci = "arn:aws:ecs:us-east-1:123456789012:container-instance/prod/0a1b2c3d4e5f60718293a4b5c6d7e8f9"
	const id = "i-0123456789abcdef0"
	ev := func(typ string, at time.Duration, overdue bool) drain.Event {
		return drain.Event{Type: typ, Time: t0.Add(at), InstanceID: id, Overdue: overdue}
	}
	for _, tc := range []struct {
		name    string
		lastOff time.Duration // when the instance's last task stopped (0: none recorded)
		went    time.Duration // when the instance went (0: not seen)
		lost    int
		events  []drain.Event
		want    DrainFigures
	}{
		{"released after its last task stopped", 90 * time.Second, 0, 0,
			[]drain.Event{ev(drain.EventReleased, 91*time.Second, false), ev(drain.EventCompleted, 5*time.Minute, false)},
			DrainFigures{Outcome: OutcomeReleased, Released: t0.Add(91 * time.Second), Ended: t0.Add(91 * time.Second), Drain: 91 * time.Second, Overhead: time.Second}},
		{"its last task stopped before the drain began: the overhead counts from the start", -time.Hour, 0, 0,
			[]drain.Event{ev(drain.EventReleased, 2*time.Second, false)},
			DrainFigures{Outcome: OutcomeReleased, Released: t0.Add(2 * time.Second), Ended: t0.Add(2 * time.Second), Drain: 2 * time.Second, Overhead: 2 * time.Second}},
		{"no task ever stopped on it", 0, 0, 0,
			[]drain.Event{ev(drain.EventReleased, 4*time.Second, false)},
			DrainFigures{Outcome: OutcomeReleased, Released: t0.Add(4 * time.Second), Ended: t0.Add(4 * time.Second), Drain: 4 * time.Second, Overhead: 4 * time.Second}},
		{"released at the hard deadline", 0, 0, 0,
			[]drain.Event{ev(drain.EventReleased, time.Hour, true), ev(drain.EventCompleted, time.Hour+time.Minute, false)},
			DrainFigures{Outcome: OutcomeOverdue, Why: "released at its hard deadline with tasks still running", Released: t0.Add(time.Hour), Ended: t0.Add(time.Hour), Drain: time.Hour}},
		{"the instance went with tasks on it", 0, 2 * time.Minute, 3,
			[]drain.Event{ev(drain.EventPhaseChanged, 80*time.Second, false), ev(drain.EventCompleted, 2*time.Minute+15*time.Second, false)},
			DrainFigures{Outcome: OutcomeCutShort, Why: "the instance went 2m0s into the drain with 3 tasks still running, before drainer released it",
				Ended: t0.Add(2 * time.Minute), Drain: 2 * time.Minute, Lost: 3}},
		{"the instance went empty before the release", 0, 30 * time.Second, 0,
			[]drain.Event{ev(drain.EventCompleted, 45*time.Second, false)},
			DrainFigures{Outcome: OutcomeCutShort, Why: "the instance went 30s into the drain, before drainer released it", Ended: t0.Add(30 * time.Second), Drain: 30 * time.Second}},
		{"the instance went unseen", 0, 0, 1,
			[]drain.Event{ev(drain.EventCompleted, 45*time.Second, false)},
			DrainFigures{Outcome: OutcomeCutShort, Why: "the instance went 45s into the drain with 1 task still running, before drainer released it", Ended: t0.Add(45 * time.Second), Drain: 45 * time.Second, Lost: 1}},
		{"a second release is not news", 10 * time.Second, 0, 0,
			[]drain.Event{ev(drain.EventReleased, 11*time.Second, false), ev(drain.EventReleased, 20*time.Second, true)},
			DrainFigures{Outcome: OutcomeReleased, Released: t0.Add(11 * time.Second), Ended: t0.Add(11 * time.Second), Drain: 11 * time.Second, Overhead: time.Second}},
		{"events after the end change nothing", 0, 30 * time.Second, 0,
			[]drain.Event{ev(drain.EventCompleted, 45*time.Second, false), ev(drain.EventReleased, time.Minute, false)},
			DrainFigures{Outcome: OutcomeCutShort, Why: "the instance went 30s into the drain, before drainer released it", Ended: t0.Add(30 * time.Second), Drain: 30 * time.Second}},
		{"still under way", 0, 0, 0,
			[]drain.Event{ev(drain.EventPhaseChanged, time.Minute, false), ev(drain.EventTaskStopped, time.Minute, false)},
			DrainFigures{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Recorder{byID: map[string]*drainRun{}, lastOff: map[string]time.Time{}, instanceOf: map[string]string{ci: id},
				went: map[string]time.Time{}, lost: map[string]int{}}
			r.byID[id] = &drainRun{DrainFigures: DrainFigures{InstanceID: id, Started: t0}, ciARN: ci}
			if tc.lastOff != 0 {
				r.lastOff[ci] = t0.Add(tc.lastOff)
			}
			if tc.went != 0 {
				r.went[id] = t0.Add(tc.went)
			}
			if tc.lost != 0 {
				r.lost[id] = tc.lost
			}
			for _, e := range tc.events {
				r.event(e)
			}
			// An event of an instance not drained in this recording is
			// ignored.
			r.event(drain.Event{Type: drain.EventCompleted, Time: t0, InstanceID: "i-0fffffffffffffff0"})
			got := r.byID[id].DrainFigures
			want := tc.want
			want.InstanceID, want.Started = id, t0
			if got != want {
				t.Errorf("figures\n %+v\nwant\n %+v", got, want)
			}
			if len(r.byID) != 1 {
				t.Errorf("recorder follows %d drains, want 1", len(r.byID))
			}
		})
	}
}

// TestReportFailedSteps: a report lists each failed timeline step, with
// its detail when it has one, and FailedStepsText says which in one line;
// a report without one says nothing of them.
func TestReportFailedSteps(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 1, 10, 0, time.UTC)
	rep := Report{Scenario: "s", Party: PartyDrainer, FailedSteps: []scenario.Record{
		{Time: at, Action: "terminate-instance", Err: "group g has no InService instance"},
		{Time: at.Add(time.Minute), Action: "run-task", Detail: "2 tasks of batch in c", Err: "2 of 2 tasks not placed: RESOURCE:CPU"},
	}}
	var b strings.Builder
	rep.WriteText(&b)
	for _, want := range []string{
		"\n  TIMELINE STEP FAILED at 00:01:10: terminate-instance: group g has no InService instance\n",
		"\n  TIMELINE STEP FAILED at 00:02:10: run-task: 2 tasks of batch in c: 2 of 2 tasks not placed: RESOURCE:CPU\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
	if got, want := rep.FailedStepsText(), "2 timeline steps of scenario s failed, so the run is not the scenario as written: at 00:01:10 terminate-instance (group g has no InService instance); at 00:02:10 run-task (2 of 2 tasks not placed: RESOURCE:CPU)"; got != want {
		t.Errorf("FailedStepsText:\n%s\nwant\n%s", got, want)
	}
	rep.FailedSteps = nil
	b.Reset()
	rep.WriteText(&b)
	if strings.Contains(b.String(), "FAILED") || rep.FailedStepsText() != "" {
		t.Errorf("a report without failed steps speaks of them: %q\n%s", rep.FailedStepsText(), b.String())
	}
}
