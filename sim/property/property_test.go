package property

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/emulator/scenario"
)

// How to run the suite:
//
//	go test ./sim/property                          the bounded set (seeds 1–boundedSeeds)
//	DRAINER_PROPERTY_SEEDS=2000 go test ./sim/property -run TestSeeds -v -timeout 0
//	                                                seeds 1–2000 (also 500-900 or 3,8,11), a summary line
//	DRAINER_PROPERTY_SEED=8 go test ./sim/property -run TestReplay -v
//	                                                one seed, told as it happens, shrunk if it fails
//	DRAINER_PROPERTY_SCENARIO=FILE go test ./sim/property -run TestReplay -v
//	                                                a scenario file (a shrunk seed), told the same way
//
// The flags -seeds and -seed do what the variables do. Other variables:
// DRAINER_PROPERTY_SHRINK (failing seeds shrunk per failure kind, default
// 1), DRAINER_PROPERTY_OUT (a directory the shrunk scenarios are written
// to), DRAINER_PROPERTY_WORKERS (worker processes, default GOMAXPROCS),
// DRAINER_PROPERTY_LOG (the level of drainer's logs a replay shows,
// default warn).
var (
	seedsFlag = flag.String("seeds", "", "property seeds to run: N (1–N), A-B or a comma-separated list (env DRAINER_PROPERTY_SEEDS)")
	seedFlag  = flag.String("seed", "", "property seed to replay verbosely (env DRAINER_PROPERTY_SEED)")
)

// boundedSeeds is the range `go test` runs (seeds 1–boundedSeeds): about
// 40 s of wall time on an idle 2-core machine.
const boundedSeeds = 90

// workerEnv makes the test binary a worker of the Pool (Serve).
const workerEnv = "DRAINER_PROPERTY_WORKER"

func TestMain(m *testing.M) {
	switch os.Getenv(workerEnv) {
	case "":
		os.Exit(m.Run())
	case "crash":
		// A worker that dies of a panic on its first request, for the
		// Pool's own test.
		_, _ = bufio.NewReader(os.Stdin).ReadBytes('\n')
		panic("a synthetic crash")
	case "hang":
		// A worker that reads its first request, says so on file 3 and
		// never answers, for the Pool's own test.
		in := bufio.NewReader(os.Stdin)
		_, _ = in.ReadBytes('\n')
		_, _ = os.NewFile(3, "ready").Write([]byte{1})
		_, _ = io.Copy(io.Discard, in)
		os.Exit(0)
	default:
		if err := Serve(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		os.Exit(0)
	}
}

// newPool returns a pool of workers that are this test binary, in mode
// (see TestMain).
func newPool(t *testing.T, mode string, workers int) *Pool {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	p := &Pool{Workers: workers, Command: func() *exec.Cmd {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), workerEnv+"="+mode)
		return cmd
	}}
	t.Cleanup(p.Close)
	return p
}

// testContext ends a minute before the test's deadline, so that a run
// that never returns is reported as a hang with its seed rather than as
// the test binary's timeout.
func testContext(t *testing.T) context.Context {
	ctx := t.Context()
	if d, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadlineCause(ctx, d.Add(-time.Minute), fmt.Errorf("the test's deadline is a minute away"))
		t.Cleanup(cancel)
	}
	return ctx
}

func setting(flagValue *string, env string) string {
	if *flagValue != "" {
		return *flagValue
	}
	return os.Getenv(env)
}

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a count", name, v)
	}
	return n
}

// parseSeeds reads "N" (1–N), "A-B" or "a,b,c".
func parseSeeds(s string) ([]uint64, error) {
	bad := fmt.Errorf("seeds %q: want N, A-B or a comma-separated list", s)
	if a, b, ok := strings.Cut(s, "-"); ok {
		lo, err1 := strconv.ParseUint(strings.TrimSpace(a), 10, 64)
		hi, err2 := strconv.ParseUint(strings.TrimSpace(b), 10, 64)
		if err1 != nil || err2 != nil || hi < lo {
			return nil, bad
		}
		return seedRange(lo, hi), nil
	}
	if strings.Contains(s, ",") {
		var out []uint64
		for _, part := range strings.Split(s, ",") {
			n, err := strconv.ParseUint(strings.TrimSpace(part), 10, 64)
			if err != nil {
				return nil, bad
			}
			out = append(out, n)
		}
		return out, nil
	}
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	if err != nil || n == 0 {
		return nil, bad
	}
	return seedRange(1, n), nil
}

func seedRange(lo, hi uint64) []uint64 {
	out := make([]uint64, 0, hi-lo+1)
	for s := lo; s <= hi; s++ {
		out = append(out, s)
	}
	return out
}

// TestSeeds runs the bounded set of seeds, or the seeds asked for, and
// fails with every seed that breaks an invariant, crashes or hangs, the
// first of each kind shrunk and printed as a scenario file.
func TestSeeds(t *testing.T) {
	spec := setting(seedsFlag, "DRAINER_PROPERTY_SEEDS")
	var seeds []uint64
	bulk := spec != ""
	if bulk {
		var err error
		if seeds, err = parseSeeds(spec); err != nil {
			t.Fatal(err)
		}
	} else {
		seeds = seedRange(1, boundedSeeds)
		if testing.Short() {
			seeds = seeds[:20]
		}
	}
	pool := newPool(t, "serve", envInt(t, "DRAINER_PROPERTY_WORKERS", runtime.GOMAXPROCS(0)))
	ctx := testContext(t)
	reqs := make([]Request, len(seeds))
	for i, s := range seeds {
		reqs[i] = Request{Seed: s}
	}
	var sum Summary
	results := make([]Result, len(seeds))
	ran := make([]bool, len(seeds))
	start := time.Now()
	if err := pool.Run(ctx, reqs, func(i int, r Result) {
		results[i], ran[i] = r, true
		sum.Add(r)
	}); err != nil {
		t.Errorf("stopped early: %v (%d of %d seeds ran)", context.Cause(ctx), sum.Seeds, len(seeds))
	}
	sum.Wall = time.Since(start)
	t.Log(sum.String())

	shrinkPerKey := envInt(t, "DRAINER_PROPERTY_SHRINK", 1)
	shrunk := map[string]int{}
	for i, r := range results {
		if !ran[i] || !r.Failed() {
			continue
		}
		t.Errorf("%s", describe(r))
		// Shrink the first kinds of failure seen, each up to
		// shrinkPerKey times.
		for _, key := range r.Keys() {
			if shrunk[key] < shrinkPerKey {
				shrunk[key]++
				shrinkAndPrint(t, ctx, pool, Generate(r.Seed), key)
				break
			}
		}
	}
	if t.Failed() || bulk {
		t.Logf("failing seeds by kind:\n%s", sum.FailingSeeds())
	}
}

// describe says how a run failed, in a few lines.
func describe(r Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed %d fails: %s", r.Seed, strings.Join(r.Keys(), ", "))
	for i, v := range r.Violations {
		if i == 8 {
			fmt.Fprintf(&b, "\n  … %d more", len(r.Violations)-i)
			break
		}
		fmt.Fprintf(&b, "\n  %s", v)
	}
	for _, text := range []string{r.Crash, r.Hang, r.Setup} {
		if text != "" {
			fmt.Fprintf(&b, "\n  %s", text)
		}
	}
	return b.String()
}

// shrinkAndPrint shrinks sc, which failed the way key names, to a smaller
// scenario failing the same way and prints it as a scenario file, also
// written to DRAINER_PROPERTY_OUT when set.
func shrinkAndPrint(t *testing.T, ctx context.Context, pool *Pool, sc *scenario.Scenario, key string) {
	t.Helper()
	run := func(c *scenario.Scenario) Result { return pool.Do(ctx, Request{Scenario: c}) }
	small, runs := Shrink(sc, FailsLike(key, run), 0)
	res := run(small)
	text, err := Regression(small, res, sc.Seed, runs)
	if err != nil {
		t.Error(err)
		return
	}
	t.Logf("%s shrunk (%s):\n%s", sc.Name, key, text)
	if dir := os.Getenv("DRAINER_PROPERTY_OUT"); dir != "" {
		name := fmt.Sprintf("%s-%s.yaml", sc.Name, strings.ReplaceAll(key, " ", "-"))
		if err := os.WriteFile(filepath.Join(dir, name), text, 0o644); err != nil {
			t.Error(err)
		}
	}
}

// TestReplay plays one seed (DRAINER_PROPERTY_SEED or -seed) or scenario
// file (DRAINER_PROPERTY_SCENARIO) in this process, telling its story and
// drainer's warnings as they happen, then its result; a failure is shrunk
// and printed.
func TestReplay(t *testing.T) {
	var sc *scenario.Scenario
	switch seed, file := setting(seedFlag, "DRAINER_PROPERTY_SEED"), os.Getenv("DRAINER_PROPERTY_SCENARIO"); {
	case file != "":
		var err error
		if sc, err = scenario.Load(file); err != nil {
			t.Fatal(err)
		}
	case seed != "":
		n, err := strconv.ParseUint(seed, 10, 64)
		if err != nil {
			t.Fatalf("seed %q: %v", seed, err)
		}
		sc = Generate(n)
	default:
		t.Skip("set DRAINER_PROPERTY_SEED=N (or -seed N) or DRAINER_PROPERTY_SCENARIO=FILE to replay a run")
	}
	text, err := Format(sc, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("scenario:\n%s", text)
	level := slog.LevelWarn
	if v := os.Getenv("DRAINER_PROPERTY_LOG"); v != "" {
		if err := level.UnmarshalText([]byte(v)); err != nil {
			t.Fatalf("DRAINER_PROPERTY_LOG=%q: want debug, info, warn or error", v)
		}
	}
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: level}))
	r := RunScenario(sc, Options{Logger: logger, Story: func(line string) { t.Log(line) }})
	t.Logf("%d virtual events, %v virtual, %v wall, %d drains, %d failed steps", r.Events, r.Virtual, r.Wall, r.Drains, r.StepErrors)
	if r.Unsettled != "" {
		t.Log(r.Unsettled)
	}
	if !r.Failed() {
		return
	}
	t.Error(describe(r))
	shrinkAndPrint(t, testContext(t), newPool(t, "serve", 1), sc, r.Keys()[0])
}

// TestRegressions plays the scenario files committed as regression
// stories: each in testdata/regressions must keep every invariant; each in
// testdata/failing is a shrunk failure drainer has today, played and
// reported (a file that passes again belongs in testdata/regressions).
func TestRegressions(t *testing.T) {
	for _, dir := range []string{"regressions", "failing"} {
		files, err := filepath.Glob(filepath.Join("testdata", dir, "*.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range files {
			t.Run(dir+"/"+filepath.Base(file), func(t *testing.T) {
				sc, err := scenario.Load(file)
				if err != nil {
					t.Fatal(err)
				}
				if err := Reasonable(sc); err != nil {
					t.Fatalf("not a world drainer is expected to handle: %v", err)
				}
				r := RunScenario(sc, Options{})
				switch {
				case dir == "regressions" && r.Failed():
					t.Error(describe(r))
				case dir == "failing" && r.Failed():
					t.Logf("still fails (known): %s", strings.Join(r.Keys(), ", "))
				case dir == "failing":
					t.Logf("passes now: move %s to testdata/regressions", file)
				}
			})
		}
	}
}
