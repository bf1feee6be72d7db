package sim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/assembly"
	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/scenario"
	"github.com/drainer-dev/drainer/intake"
)

// The benchmark scenarios (testdata/bench, docs/performance.md): each is
// played by one command, written in its header, and measured by
// BenchmarkScenario. The suite only checks that they stay valid and
// faithful to what they claim (TestBenchScenarios): playing the big ones
// takes minutes.

// benchDir holds the benchmark scenarios.
const benchDir = "testdata/bench"

// ECS's default quotas the scenarios keep to: container instances per
// cluster and tasks per service. Source: Amazon Web Services General
// Reference, "Amazon ECS endpoints and quotas"
// (https://docs.aws.amazon.com/general/latest/gr/ecs-service.html), and
// the Amazon ECS Developer Guide, "Handle Amazon ECS service quotas and API
// throttling limits" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/operating-at-scale-service-quotas.html).
const (
	maxInstancesPerCluster = 5000
	maxTasksPerService     = 5000
)

// benchPlay is how a benchmark scenario is played: the flags of the
// command in its header, `#   go run ./cmd/drainer sim --scenario FILE
// [--for D]`.
type benchPlay struct {
	scenario string        // the file, as the command names it (from the repository's root)
	runFor   time.Duration // 0: drainer sim's default, the timeline's end plus 2h
}

// benchCommandPrefix starts the command line of a benchmark's header.
const benchCommandPrefix = "go run ./cmd/drainer sim "

// parseBenchCommand finds the command in a scenario file's header
// comment and reads its flags: --scenario (required) and --for (optional),
// nothing else.
func parseBenchCommand(text []byte) (benchPlay, error) {
	sc := bufio.NewScanner(bytes.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(strings.TrimLeft(sc.Text(), "#"))
		if !strings.HasPrefix(sc.Text(), "#") || !strings.HasPrefix(line, benchCommandPrefix) {
			continue
		}
		var p benchPlay
		fs := flag.NewFlagSet("drainer sim", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.StringVar(&p.scenario, "scenario", "", "")
		fs.DurationVar(&p.runFor, "for", 0, "")
		if err := fs.Parse(strings.Fields(strings.TrimPrefix(line, benchCommandPrefix))); err != nil {
			return p, fmt.Errorf("command %q: %w", line, err)
		}
		if fs.NArg() > 0 || p.scenario == "" || p.runFor < 0 {
			return p, fmt.Errorf("command %q: want --scenario FILE and at most --for D", line)
		}
		return p, nil
	}
	return benchPlay{}, fmt.Errorf("no %q line in the header", benchCommandPrefix+"--scenario FILE")
}

func TestParseBenchCommand(t *testing.T) {
	for _, tc := range []struct {
		text string
		want benchPlay
		ok   bool
	}{
		{"# x\n#   go run ./cmd/drainer sim --scenario sim/a.yaml\nname: a\n", benchPlay{scenario: "sim/a.yaml"}, true},
		{"#   go run ./cmd/drainer sim --scenario sim/a.yaml --for 10h10m\n", benchPlay{"sim/a.yaml", 10*time.Hour + 10*time.Minute}, true},
		{"name: a\n", benchPlay{}, false},                                        // no command
		{"go run ./cmd/drainer sim --scenario sim/a.yaml\n", benchPlay{}, false}, // not in a comment
		{"#   go run ./cmd/drainer sim --for 1h\n", benchPlay{}, false},          // no scenario
		{"#   go run ./cmd/drainer sim --scenario a.yaml --json\n", benchPlay{}, false},
		{"#   go run ./cmd/drainer sim --scenario a.yaml --for -1h\n", benchPlay{}, false},
		{"#   go run ./cmd/drainer sim --scenario a.yaml extra\n", benchPlay{}, false},
	} {
		got, err := parseBenchCommand([]byte(tc.text))
		if (err == nil) != tc.ok || tc.ok && got != tc.want {
			t.Errorf("%q: got %+v, %v; want %+v (ok %v)", tc.text, got, err, tc.want, tc.ok)
		}
	}
}

// benchFiles lists the benchmark scenarios.
func benchFiles(tb testing.TB) []string {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(benchDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("benchmark scenarios in %s: %v, %v", benchDir, files, err)
	}
	return files
}

// loadBench loads a benchmark scenario and drainer's settings as drainer
// sim does, and how its command plays it.
func loadBench(tb testing.TB, path string) (*scenario.Scenario, assembly.Settings, benchPlay) {
	tb.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	play, err := parseBenchCommand(text)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	sc, settings, err := LoadSettings(path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return sc, settings, play
}

// canonicalPattern is an event pattern as comparable JSON.
func canonicalPattern(tb testing.TB, raw []byte) string {
	tb.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		tb.Fatalf("pattern %s: %v", raw, err)
	}
	b, err := json.Marshal(v) // maps marshal with sorted keys
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// TestBenchScenarios loads and validates every benchmark scenario (no
// play) and checks what the benchmarks claim of them: the command in the
// header plays this very file; AWS's throttling and latency; the
// EventBridge rules drainer recommends, routed to its queue; a termination
// hook drainer owns on every group; ECS's quotas kept.
func TestBenchScenarios(t *testing.T) {
	var recommended []string
	for _, r := range intake.RecommendedRules(nil) {
		recommended = append(recommended, canonicalPattern(t, []byte(r.Pattern)))
	}
	sort.Strings(recommended)
	for _, path := range benchFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			sc, _, play := loadBench(t, path)
			if want := strings.TrimSuffix(filepath.Base(path), ".yaml"); sc.Name != want {
				t.Errorf("name %q, want the file's, %q", sc.Name, want)
			}
			if want := filepath.ToSlash(filepath.Join("sim", path)); play.scenario != want {
				t.Errorf("the header's command plays %s, want %s", play.scenario, want)
			}
			if play.runFor != 0 && play.runFor <= sc.End() {
				t.Errorf("the header's command plays %v, not past the timeline's end %v", play.runFor, sc.End())
			}
			if sc.Faults == nil || sc.Faults.Throttle != "aws" || sc.Faults.Latency != "aws" {
				t.Errorf("faults %+v, want {throttle: aws, latency: aws}", sc.Faults)
			}
			var rules []string
			for _, r := range sc.Rules {
				if r.Queue == "drainer" {
					rules = append(rules, canonicalPattern(t, r.Pattern))
				}
			}
			sort.Strings(rules)
			if !reflect.DeepEqual(rules, recommended) {
				t.Errorf("rules to drainer's queue:\n %s\nwant intake.RecommendedRules:\n %s", strings.Join(rules, "\n "), strings.Join(recommended, "\n "))
			}
			perCluster := map[string]int{}
			for _, g := range sc.Groups {
				perCluster[g.Cluster] += g.Max
				if !slices.ContainsFunc(g.Hooks, func(h scenario.Hook) bool {
					return h.Name == "drainer" && h.Queue == "drainer" && (h.Transition == "" || h.Transition == "terminating")
				}) {
					t.Errorf("group %s: no termination hook drainer notifying queue drainer", g.Name)
				}
			}
			for c, n := range perCluster {
				if n > maxInstancesPerCluster {
					t.Errorf("cluster %s: its groups may reach %d instances, over ECS's %d per cluster", c, n, maxInstancesPerCluster)
				}
			}
			for _, s := range sc.Services {
				if s.Desired > maxTasksPerService {
					t.Errorf("service %s/%s: %d tasks, over ECS's %d per service", s.Cluster, s.Name, s.Desired, maxTasksPerService)
				}
			}
			if len(sc.Timeline) == 0 {
				t.Error("no timeline: nothing to drain")
			}
		})
	}
}

// BenchmarkScenario plays each benchmark scenario as its command does
// (drainer sim: drainer assembled as drainer run, on the world's virtual
// clock) and reports its figures as metrics, for docs/performance.md:
//
//	go test ./sim -run '^$' -bench 'Scenario/held-10h' -benchtime 1x -v
//	go test ./sim -run '^$' -bench 'Scenario/scale-in-1000' -benchtime 1x -cpuprofile cpu.out
//
// Metrics: drains started and released; hook-timeouts (lifecycle actions
// of drainer's hook that timed out: invariant 4, whether drainer started
// their drain or never got to it) and violations; drain time over floor
// (median, p99); calls per released drain (median, max); the highest
// peak calls in one second of a throttling bucket over its rate
// (peak/rate); and drainer's ECS, Auto Scaling and EC2 calls in the 2nd
// and 10th hour after the first drain started (calls-h2, calls-h10), when
// the play lasts that long; the calls a minute of the scans once no drain
// is under way (quiet-calls/min). With -v it logs the report and, by operation,
// the calls of the first drain (up to its release, then in the wait for
// its instance to go, which the report counts in its share) and of those
// hours.
func BenchmarkScenario(b *testing.B) {
	for _, path := range benchFiles(b) {
		b.Run(strings.TrimSuffix(filepath.Base(path), ".yaml"), func(b *testing.B) {
			var res benchResult
			for b.Loop() {
				res = playBench(b, path)
			}
			res.report(b)
		})
	}
}

// benchResult is what one play of a benchmark scenario measured.
type benchResult struct {
	rep Report
	end time.Time // the world's time when the play ended
	// releaseWait is how long drainer waits for a released instance to go
	// (drain.Policy.ReleaseWait): the report counts it in a drain's calls.
	releaseWait time.Duration
	// calls are drainer's calls other than the queue's, in time order.
	calls []benchCall
}

// benchCall is one of drainer's calls: when, its service:operation, and
// whether the periodic scans made it.
type benchCall struct {
	at   time.Time
	op   string
	scan bool
}

// playBench plays the scenario at path as its command does.
func playBench(b *testing.B, path string) benchResult {
	b.Helper()
	sc, settings, play := loadBench(b, path)
	run, err := scenario.NewWorld(sc, emulator.Config{})
	if err != nil {
		b.Fatal(err)
	}
	var res benchResult
	run.World.Calls.OnCall(func(c emulator.Call) {
		if c.Caller == Caller && c.Service != "sqs" {
			res.calls = append(res.calls, benchCall{c.Time, c.Service + ":" + c.Operation, c.Part == cloud.PriorityBackground.String()})
		}
	})
	h, err := Attach(run, Options{Queue: "drainer", Settings: &settings})
	if err != nil {
		b.Fatal(err)
	}
	rec := Record(h, h.Drainer.Policy)
	d := play.runFor
	if d <= 0 {
		d = sc.End() + 2*time.Hour
	}
	start, wall := h.World.Now(), time.Now()
	h.RunUntil(start.Add(d), nil)
	res.rep = rec.Finish(sc.Name, time.Since(wall), h.World.Now().Sub(start))
	res.end, res.releaseWait = h.World.Now(), h.Drainer.Policy.ReleaseWait
	h.Stop() // no call is logged after this: res.calls is whole
	return res
}

// window returns drainer's calls (other than the queue's) made in [from,
// to), by operation, and their number; scans is how many of them the
// periodic scans made (named "scan:" in ops).
func (r benchResult) window(from, to time.Time) (ops map[string]int, n, scans int) {
	i, _ := slices.BinarySearchFunc(r.calls, from, func(c benchCall, t time.Time) int { return c.at.Compare(t) })
	ops = map[string]int{}
	for _, c := range r.calls[i:] {
		if !c.at.Before(to) {
			break
		}
		if c.scan {
			ops["scan:"+c.op]++
			scans++
		} else {
			ops[c.op]++
		}
		n++
	}
	return ops, n, scans
}

// report reports the play's figures as the benchmark's metrics, and with
// -v logs the report and the calls of the first drain by operation.
func (r benchResult) report(b *testing.B) {
	s := r.rep.Summarize()
	timeouts := 0
	for _, v := range r.rep.Violations {
		if v.Rule == 4 {
			timeouts++
		}
	}
	b.ReportMetric(float64(s.Drains), "drains")
	b.ReportMetric(float64(s.Released), "released")
	b.ReportMetric(float64(timeouts), "hook-timeouts")
	b.ReportMetric(float64(len(r.rep.Violations)), "violations")
	if s.Ratio.N > 0 {
		b.ReportMetric(s.Ratio.Median, "ratio-median")
		b.ReportMetric(s.Ratio.P99, "ratio-p99")
	}
	if s.Calls.N > 0 {
		b.ReportMetric(float64(s.Calls.Median), "calls/drain-median")
		b.ReportMetric(float64(s.Calls.Max), "calls/drain-max")
		b.ReportMetric(float64(s.ScanCalls.Median), "scan-calls/drain-median")
	}
	peak := 0.0
	for _, bk := range r.rep.Buckets {
		if bk.Rate > 0 {
			peak = max(peak, float64(bk.Peak)/bk.Rate)
		}
	}
	b.ReportMetric(peak, "peak/rate")
	var buf bytes.Buffer
	if len(r.rep.Drains) > 0 {
		// The first drain's calls, by every part of drainer (its scans
		// too): up to and with its release, then in the wait for its
		// instance to go, which the report counts in its share.
		d := r.rep.Drains[0]
		end := r.end // unfinished: to the end of the play
		if d.Finished() {
			end = d.Released.Add(time.Nanosecond)
		}
		ops, n, scans := r.window(d.Started, end)
		fmt.Fprintf(&buf, "  the first drain (%s, %v): %d calls by every part of drainer, %d of them the scans':%s\n", d.Outcome, end.Sub(d.Started).Round(time.Second), n, scans, opsText(ops))
		if d.Finished() {
			ops, n, scans := r.window(end, end.Add(r.releaseWait))
			fmt.Fprintf(&buf, "  then the %v after its release: %d calls, %d of them the scans':%s\n", r.releaseWait, n, scans, opsText(ops))
		}
		for _, h := range []int{2, 10} {
			from := d.Started.Add(time.Duration(h-1) * time.Hour)
			if from.Add(time.Hour).After(end) {
				continue
			}
			ops, n, scans := r.window(from, from.Add(time.Hour))
			b.ReportMetric(float64(n-scans), fmt.Sprintf("own-calls-h%d", h))
			b.ReportMetric(float64(scans), fmt.Sprintf("scan-calls-h%d", h))
			fmt.Fprintf(&buf, "  its hour %d: %d calls of its own, and the scans' %d:%s\n", h, n-scans, scans, opsText(ops))
		}
	}
	// With no drain under way, drainer's calls are its scans' (and the
	// queue's, not counted here): their cost per minute as the world
	// grows, from the end of the last drain's share to the end of the play.
	quiet := time.Time{}
	for _, d := range r.rep.Drains {
		switch {
		case !d.Finished():
			quiet = r.end // a drain still under way (or cut short): no quiet time measured
		case d.Released.Add(r.releaseWait).After(quiet):
			quiet = d.Released.Add(r.releaseWait)
		}
	}
	if len(r.rep.Drains) > 0 && r.end.Sub(quiet) >= 10*time.Minute {
		ops, n, _ := r.window(quiet, r.end)
		perMin := float64(n) / r.end.Sub(quiet).Minutes()
		b.ReportMetric(perMin, "quiet-calls/min")
		fmt.Fprintf(&buf, "  with no drain under way (the last %v): %.1f calls a minute:%s\n", r.end.Sub(quiet).Round(time.Second), perMin, opsText(ops))
	}
	if testing.Verbose() {
		r.rep.WriteText(&buf)
		b.Log("\n" + buf.String())
	}
}

// opsText lists calls by operation, sorted (" ecs:ListTasks=60 …").
func opsText(ops map[string]int) string {
	var out strings.Builder
	for _, op := range slices.Sorted(maps.Keys(ops)) {
		fmt.Fprintf(&out, " %s=%d", op, ops[op])
	}
	return out.String()
}
