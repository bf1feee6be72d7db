package main

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/front"
	"github.com/drainer-dev/drainer/emulator/scenario"
	"github.com/drainer-dev/drainer/sim"
	"github.com/drainer-dev/drainer/web"
)

//go:embed scenarios/demo.yaml
var demoScenario []byte

// devOptions are `drainer dev`'s flags.
type devOptions struct {
	scenario     string
	speed        float64
	manual       bool
	exitWhenDone bool
	listen       string
	uiListen     string
	apiListen    string
	noUI         bool
	settings     *settingFlags
}

const devUsage = `Usage: drainer dev [flags]

Runs the emulated AWS world and drainer together and narrates a story: by default six
instances, a scale-in of two, a Spot interruption and an instance refresh. drainer runs
exactly as 'drainer run' does, on the world's clock; its settings are drainer run's flags.
`

func parseDev(args []string, stderr io.Writer) (o devOptions, code int, ok bool) {
	fs := newFlagSet("drainer dev", devUsage, stderr)
	fs.StringVar(&o.scenario, "scenario", "demo", "the story to play: demo, or a scenario file (.yaml, .yml, .json)")
	fs.Float64Var(&o.speed, "speed", 10, "virtual seconds per wall-clock second; 0 = as fast as events allow, then a report")
	fs.BoolVar(&o.manual, "manual", false, "virtual time moves only when POST /_emulator/clock/advance on the endpoint says so (a story at your own pace)")
	fs.BoolVar(&o.exitWhenDone, "exit-when-done", false, "exit after the story with its report (exit 1 if an invariant broke)")
	fs.StringVar(&o.listen, "listen", "127.0.0.1:4566", "address of the emulated AWS endpoint (live)")
	fs.StringVar(&o.uiListen, "ui-listen", "127.0.0.1:8080", "address of the dashboard (live)")
	fs.BoolVar(&o.noUI, "no-ui", false, "run without the dashboard")
	fs.StringVar(&o.apiListen, "api-listen", "127.0.0.1:8081", "address of drainer's HTTP API, for drainer status and drainer drain (live)")
	o.settings = addSettingFlags(fs, false)
	if code, ok := parse(fs, args); !ok {
		return o, code, false
	}
	if o.speed < 0 {
		return o, usageError(fs, "--speed must be 0 or more (got %v)", o.speed), false
	}
	return o, 0, true
}

// runDev runs the emulated world and drainer in one process and narrates
// what happens: with --speed 0 as fast as events allow (then it reports and
// exits), otherwise live at that many times real time (or --manual),
// serving the emulator's AWS endpoint, drainer's API and the dashboard.
func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, code, ok := parseDev(args, stderr)
	if !ok {
		return code
	}
	sc, settings, err := loadSettings(o.scenario, o.settings)
	if err != nil {
		fmt.Fprintf(stderr, "drainer dev: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "drainer dev: %s — %s\n", sc.Name, sc.Description)
	n := &narrator{out: stdout}
	if o.speed == 0 && !o.manual {
		if !o.noUI {
			fmt.Fprintln(stdout, "(no dashboard at --speed 0: the story is over in about a second; run with --speed 10 to watch it)")
		}
		h, err := sim.New(sc, sim.Options{Queue: "drainer", Settings: &settings})
		if err != nil {
			fmt.Fprintf(stderr, "drainer dev: %v\n", err)
			return 1
		}
		return story(ctx, h, sc, n, stdout, false, true)
	}
	return devLive(ctx, sc, o, n, stdout, stderr, func(run *scenario.Run) (*sim.Harness, error) {
		return sim.Attach(run, sim.Options{Queue: "drainer", Settings: &settings})
	})
}

// story plays sc with h and prints its report; it returns the exit code.
// The story is over once its timeline has passed, no drain runs and every
// group is at rest. With live false, story moves the clock itself until
// then; with live true, another goroutine moves it (RunScaled, or the
// admin API), and story waits until the story is over (when exitWhenDone)
// or until ctx ends.
func story(ctx context.Context, h *sim.Harness, sc *scenario.Scenario, n *narrator, stdout io.Writer, live, exitWhenDone bool) int {
	h.Run.OnRecord = n.record
	rec := sim.Record(h, h.Drainer.Policy)
	prev := h.OnDrainEvent
	h.OnDrainEvent = func(ev drain.Event) {
		if prev != nil {
			prev(ev)
		}
		n.event(ev)
	}
	start, wall := h.World.Now(), time.Now()
	end := start.Add(sc.End() + 2*time.Minute)
	over := func() bool {
		return !h.World.Now().Before(end) && len(h.Reconciler.Drains()) == 0 && sim.Settled(h.World)
	}
	switch {
	case !live:
		h.RunUntil(start.Add(sc.End()+6*time.Hour), func() bool { return ctx.Err() != nil || over() })
	case !exitWhenDone:
		<-ctx.Done()
	default:
		// Another goroutine moves the clock; the check runs on it, once a
		// virtual minute, between events.
		done := make(chan struct{})
		var once sync.Once
		var check func()
		check = func() {
			if over() {
				once.Do(func() { close(done) })
				return
			}
			h.World.Clock.AfterFunc(time.Minute, check)
		}
		h.World.Clock.AfterFunc(time.Minute, check)
		select {
		case <-done:
		case <-ctx.Done():
		}
	}
	rep := rec.Finish(sc.Name, time.Since(wall), h.World.Now().Sub(start))
	fmt.Fprintln(stdout)
	rep.WriteText(stdout)
	if len(rep.Violations) > 0 {
		return 1
	}
	return 0
}

// devLive serves the world live: at speed times real time (or moved by
// hand with --manual), the emulated AWS endpoint on --listen for the AWS
// CLI, drainer in it (attach) with its API and the dashboard.
func devLive(ctx context.Context, sc *scenario.Scenario, o devOptions, n *narrator, stdout, stderr io.Writer, attach func(*scenario.Run) (*sim.Harness, error)) int {
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "drainer dev: "+format+"\n", a...)
		return 1
	}
	var listeners []net.Listener
	closeAll := func() {
		for _, ln := range listeners {
			ln.Close()
		}
	}
	for _, addr := range []struct{ flag, addr string }{{"--listen", o.listen}, {"--api-listen", o.apiListen}, {"--ui-listen", o.uiListen}} {
		if addr.flag == "--ui-listen" && o.noUI {
			continue
		}
		ln, err := net.Listen("tcp", addr.addr)
		if err != nil {
			closeAll()
			return fail("listen on %s (%s): %v", addr.addr, addr.flag, err)
		}
		listeners = append(listeners, ln)
	}
	endpoint := "http://" + listeners[0].Addr().String()
	// A live world starts at the wall clock's time, so its times read
	// naturally (a scenario's own start still wins).
	cfg := emulator.Config{Start: time.Now().UTC().Truncate(time.Second)}
	cfg.SQS.URLBase = endpoint
	run, err := scenario.NewWorld(sc, cfg)
	if err != nil {
		closeAll()
		return fail("%v", err)
	}
	h, err := attach(run)
	if err != nil {
		closeAll()
		return fail("%v", err)
	}
	w := h.World
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	speed := o.speed
	if o.manual {
		speed = 0
	}
	var dash *web.Dashboard
	if !o.noUI {
		dash = web.New(sim.Dashboard(w, h.Reconciler.Drains, speed), web.Options{})
		prev := h.OnDrainEvent
		h.OnDrainEvent = func(ev drain.Event) {
			if prev != nil {
				prev(ev)
			}
			dash.Publish(ev)
		}
	}
	handlers := []http.Handler{front.New(w, front.Options{Scaled: !o.manual, Logger: log}), h.Drainer.API()}
	if dash != nil {
		handlers = append(handlers, dash)
	}
	var servers []*http.Server
	for i, hd := range handlers {
		srv := &http.Server{Handler: hd, ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(listeners[i])
		servers = append(servers, srv)
	}
	pace := fmt.Sprintf("%v× real time", o.speed)
	if o.manual {
		pace = "a manual clock: POST /_emulator/clock/advance {\"duration\":\"1m\"} to move it"
	}
	fmt.Fprintf(stdout, "emulated AWS on %s at %s; try:\n  aws --endpoint-url %s --region us-east-1 autoscaling describe-auto-scaling-groups\n", endpoint, pace, endpoint)
	apiURL := "http://" + listeners[1].Addr().String()
	fmt.Fprintf(stdout, "drainer's API on %s; try:\n  DRAINER_API=%s drainer status\n", apiURL, apiURL)
	if dash != nil {
		fmt.Fprintf(stdout, "dashboard on http://%s/\n", listeners[2].Addr())
	}
	fmt.Fprintln(stdout)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	clockDone := make(chan struct{})
	go func() {
		defer close(clockDone)
		if !o.manual {
			w.Clock.RunScaled(ctx, o.speed)
		}
	}()
	code := story(ctx, h, sc, n, stdout, true, o.exitWhenDone)
	cancel()
	shutdown, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	for _, srv := range servers {
		srv.Shutdown(shutdown)
	}
	<-clockDone
	return code
}

// narrator prints the story as it happens, in plain words.
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
