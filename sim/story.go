package sim

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/drainer-dev/drainer/assembly"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/scenario"
)

// Story is a scenario played with drainer, told as it happens and
// measured: what `drainer dev` shows. It is over once its timeline has
// passed (plus two minutes), no drain runs and every group is at rest.
type Story struct {
	h         *Harness
	sc        *scenario.Scenario
	rec       *Recorder
	start     time.Time
	end       time.Time
	wallStart time.Time
}

// NewStory starts telling h's story to out (nil: silently) and measuring
// it. Call it before the clock moves.
func NewStory(h *Harness, sc *scenario.Scenario, out io.Writer) *Story {
	s := &Story{h: h, sc: sc, rec: Record(h, h.Drainer.Policy), start: h.World.Now(), wallStart: time.Now()}
	s.end = s.start.Add(sc.End() + 2*time.Minute)
	if out != nil {
		n := &narrator{out: out}
		h.Run.OnRecord = n.record
		h.OnDrainEvent(n.event)
	}
	return s
}

// Over reports whether the story is over. Call it from the goroutine that
// moves the clock, between events.
func (s *Story) Over() bool {
	return !s.h.World.Now().Before(s.end) && len(s.h.Reconciler.Drains()) == 0 && Settled(s.h.World)
}

// Play moves the clock until the story is over (for at most six hours past
// its timeline) or ctx ends.
func (s *Story) Play(ctx context.Context) {
	s.h.RunUntil(s.start.Add(s.sc.End()+6*time.Hour), func() bool { return ctx.Err() != nil || s.Over() })
}

// Wait waits, while another goroutine moves the clock (RunScaled, the
// emulator's admin API), until the story is over or ctx ends; it looks
// once a virtual minute, on the clock's own goroutine.
func (s *Story) Wait(ctx context.Context) {
	done := make(chan struct{})
	var once sync.Once
	var check func()
	check = func() {
		if s.Over() {
			once.Do(func() { close(done) })
			return
		}
		s.h.World.Clock.AfterFunc(time.Minute, check)
	}
	s.h.World.Clock.AfterFunc(time.Minute, check)
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// Report is what the story measured so far.
func (s *Story) Report() Report {
	rep := s.rec.Finish(s.sc.Name, time.Since(s.wallStart), s.h.World.Now().Sub(s.start))
	rep.FailedSteps = s.h.Run.Errors()
	return rep
}

// WriteReport writes the report after a blank line and returns the exit
// code of drainer dev and sim: 0 when every invariant held, else 1.
func (s *Story) WriteReport(w io.Writer) (code int) {
	rep := s.Report()
	fmt.Fprintln(w)
	rep.WriteText(w)
	if len(rep.Violations) > 0 {
		return 1
	}
	return 0
}

// narrator tells a story in plain words, one line a step, with the
// virtual time.
type narrator struct {
	mu  sync.Mutex
	out io.Writer
}

func (n *narrator) say(at time.Time, format string, args ...any) {
	n.mu.Lock()
	defer n.mu.Unlock()
	fmt.Fprintf(n.out, "  %s  %s\n", at.Format("15:04:05"), fmt.Sprintf(format, args...))
}

func (n *narrator) record(r scenario.Record) {
	if r.Err != "" {
		n.say(r.Time, "story step failed: %s: %s", r.Detail, r.Err)
		return
	}
	n.say(r.Time, "%s", r.Detail)
}

func (n *narrator) event(ev drain.Event) {
	switch ev.Type {
	case drain.EventStarted:
		n.say(ev.Time, "drainer starts draining %s (%s): %s", ev.InstanceID, ev.Reason, ev.Detail)
	case drain.EventPhaseChanged:
		n.say(ev.Time, "drain of %s: %s phase", ev.InstanceID, ev.Phase)
	case drain.EventTaskStopped:
		n.say(ev.Time, "drainer stops a task on %s: %s", ev.InstanceID, ev.Detail[strings.LastIndex(ev.Detail, ": ")+2:])
	case drain.EventReleased:
		n.say(ev.Time, "%s released: %s", ev.InstanceID, ev.Detail)
	case drain.EventCompleted:
		overdue := ""
		if ev.Overdue {
			overdue = " (forced out at its hard deadline)"
		}
		n.say(ev.Time, "drain of %s complete: %s%s", ev.InstanceID, ev.Detail, overdue)
	}
}

//go:embed stories/demo.yaml
var demo []byte

// LoadScenario loads the scenario named name: "demo" (the story drainer
// dev tells by default: a scale-in, a Spot interruption and an instance
// refresh), or a scenario file.
func LoadScenario(name string) (*scenario.Scenario, error) {
	if name == "demo" {
		return scenario.ParseYAML(demo)
	}
	return scenario.Load(name)
}

// LoadSettings loads the scenario named name (see LoadScenario) and the
// settings drainer plays it with: the defaults, the scenario's `drainer:`
// block, then given (name → value, as drainer's flags give them).
func LoadSettings(name string, given map[string]string) (*scenario.Scenario, assembly.Settings, error) {
	sc, err := LoadScenario(name)
	if err != nil {
		return nil, assembly.Settings{}, err
	}
	s, err := Settings(sc)
	if err != nil {
		return nil, s, err
	}
	return sc, s, s.Apply(given)
}

// Live builds sc's world for a live run (drainer dev): starting at the wall
// clock's time unless the scenario says otherwise, so its times read
// naturally, its queue URLs on endpoint, where the caller serves the
// world's front; and drainer in it, reading the "drainer" queue, logging
// to log.
func Live(sc *scenario.Scenario, settings assembly.Settings, endpoint string, log *slog.Logger) (*Harness, error) {
	cfg := emulator.Config{Start: time.Now().UTC().Truncate(time.Second)}
	cfg.SQS.URLBase = endpoint
	run, err := scenario.NewWorld(sc, cfg)
	if err != nil {
		return nil, err
	}
	return Attach(run, Options{Queue: "drainer", Settings: &settings, Logger: log})
}
