package property

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/invariant"
)

func TestResultKeys(t *testing.T) {
	r := Result{
		Violations: []invariant.Violation{{Rule: 6}, {Rule: 4}, {Rule: 6}},
		Crash:      "panic: boom",
		Hang:       "more than 10 events",
	}
	if got, want := r.Keys(), []string{"rule 6", "rule 4", "crash", "hang"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Keys = %v, want %v", got, want)
	}
	if !r.Failed() || !r.Has("rule 4") || r.Has("rule 1") || r.Has(KeySetup) {
		t.Fatalf("Failed/Has wrong for %+v", r)
	}
	if (Result{}).Failed() {
		t.Fatal("an empty result failed")
	}
}

func TestSummaryLine(t *testing.T) {
	var s Summary
	s.Add(Result{Seed: 1, Events: 10, Virtual: time.Hour})
	s.Add(Result{Seed: 2, Violations: []invariant.Violation{{Rule: 4}}})
	s.Add(Result{Seed: 3, Violations: []invariant.Violation{{Rule: 6}, {Rule: 4}}})
	s.Add(Result{Seed: 4, Crash: "panic"})
	s.Add(Result{Seed: 5, Hang: "too many events", Unsettled: ""})
	s.Add(Result{Seed: 6, Unsettled: "a drain still runs"})
	s.Wall = 1500 * time.Millisecond
	line := s.String()
	for _, want := range []string{"6 seeds, 2 passed", "rule 4 ×2, rule 6 ×1", "crashes 1", "hangs 1", "setup failures 0", "not at rest at the end 1", "1.5s wall"} {
		if !strings.Contains(line, want) {
			t.Errorf("summary %q lacks %q", line, want)
		}
	}
	if got, want := s.FailingSeeds(), "rule 4: 2 3\nrule 6: 3\ncrash: 4\nhang: 5\n"; got != want {
		t.Errorf("FailingSeeds =\n%s\nwant\n%s", got, want)
	}
}

func TestPoolRunsSeedsInWorkersAsInProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("plays three seeds")
	}
	pool := newPool(t, "serve", 2)
	seeds := []uint64{1, 2, 3}
	reqs := make([]Request, len(seeds))
	for i, s := range seeds {
		reqs[i] = Request{Seed: s}
	}
	got := make([]Result, len(seeds))
	if err := pool.Run(context.Background(), reqs, func(i int, r Result) { got[i] = r }); err != nil {
		t.Fatal(err)
	}
	for i, s := range seeds {
		want := Run(s, Options{})
		if got[i].Seed != s || got[i].Events != want.Events || got[i].Virtual != want.Virtual || !reflect.DeepEqual(got[i].Keys(), want.Keys()) {
			t.Errorf("seed %d in a worker: %d events, %v, %v; in process: %d events, %v, %v",
				s, got[i].Events, got[i].Virtual, got[i].Keys(), want.Events, want.Virtual, want.Keys())
		}
	}
	// A scenario goes through the pipe as well as a seed.
	r := pool.Do(context.Background(), Request{Scenario: Generate(2)})
	if r.Events != got[1].Events {
		t.Errorf("seed 2 as a scenario: %d events, as a seed %d", r.Events, got[1].Events)
	}
}

func TestPoolReportsAWorkerThatDiesAsACrash(t *testing.T) {
	pool := newPool(t, "crash", 1)
	var got []Result
	if err := pool.Run(context.Background(), []Request{{Seed: 7}, {Seed: 8}}, func(_ int, r Result) { got = append(got, r) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d results, want 2 (a new worker after the first died)", len(got))
	}
	for _, r := range got {
		if !r.Has(KeyCrash) || !strings.Contains(r.Crash, "panic: a synthetic crash") {
			t.Errorf("seed %d: crash %q, want the worker's panic", r.Seed, r.Crash)
		}
	}
}

func TestPoolReportsARunStillGoingWhenStoppedAsAHang(t *testing.T) {
	// The worker tells through a pipe when it has read its request, then
	// never answers.
	ready, tell, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer ready.Close()
	pool := newPool(t, "hang", 1)
	command := pool.Command
	pool.Command = func() *exec.Cmd {
		cmd := command()
		cmd.ExtraFiles = []*os.File{tell}
		return cmd
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	stopped := errors.New("the test stopped the run")
	go func() {
		buf := make([]byte, 1)
		_, _ = ready.Read(buf)
		cancel(stopped)
	}()
	var got []Result
	if err := pool.Run(ctx, []Request{{Seed: 9}, {Seed: 10}}, func(_ int, r Result) { got = append(got, r) }); err == nil {
		t.Fatal("Run returned no error when stopped")
	}
	tell.Close()
	if len(got) != 1 || got[0].Seed != 9 || !got[0].Has(KeyHang) || !strings.Contains(got[0].Hang, stopped.Error()) {
		t.Fatalf("results %+v, want seed 9 hung (naming why it stopped) and seed 10 not run", got)
	}
}
