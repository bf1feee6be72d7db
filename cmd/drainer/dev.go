package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/drainer-dev/drainer/assembly"
	"github.com/drainer-dev/drainer/emulator/front"
	"github.com/drainer-dev/drainer/emulator/scenario"
	"github.com/drainer-dev/drainer/sim"
	"github.com/drainer-dev/drainer/web"
)

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
	fs.Float64Var(&o.speed, "speed", 10, "virtual seconds per wall-clock second; 0 = as fast as events allow, then a report (no dashboard)")
	fs.BoolVar(&o.manual, "manual", false, "virtual time moves only when POST /_emulator/clock/advance on the endpoint says so (a story at your own pace)")
	fs.BoolVar(&o.exitWhenDone, "exit-when-done", false, "exit after the story with its report (exit 1 if an invariant broke)")
	fs.StringVar(&o.listen, "listen", "127.0.0.1:4566", "address of the emulated AWS endpoint (live)")
	fs.StringVar(&o.uiListen, "ui-listen", "127.0.0.1:8080", "address of the dashboard (live)")
	fs.BoolVar(&o.noUI, "no-ui", false, "run without the dashboard")
	fs.StringVar(&o.apiListen, "api-listen", "127.0.0.1:8081", "address of drainer's HTTP API, for drainer status and drainer drain (live)")
	o.settings = addSettingFlags(fs, false)
	if code, ok := o.settings.parse(fs, args); !ok {
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
	sc, settings, err := sim.LoadSettings(o.scenario, o.settings.given)
	if err != nil {
		fmt.Fprintf(stderr, "drainer dev: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "drainer dev: %s — %s\n", sc.Name, sc.Description)
	if o.speed == 0 && !o.manual {
		h, err := sim.New(sc, sim.Options{Queue: "drainer", Settings: &settings, Logger: warnings(stderr)})
		if err != nil {
			fmt.Fprintf(stderr, "drainer dev: %v\n", err)
			return 1
		}
		st := sim.NewStory(h, sc, stdout)
		st.Play(ctx)
		return st.WriteReport(stdout)
	}
	return devLive(ctx, sc, settings, o, stdout, stderr)
}

// devLive serves the world live: at speed times real time (or moved by
// hand with --manual), the emulated AWS endpoint on --listen for the AWS
// CLI, drainer in it with its API and the dashboard. drainer talks to the
// world's front in process, as under drainer sim, so the world's clock
// waits for it at every event.
func devLive(ctx context.Context, sc *scenario.Scenario, settings assembly.Settings, o devOptions, stdout, stderr io.Writer) int {
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "drainer dev: "+format+"\n", a...)
		return 1
	}
	addrs := [][2]string{{"--listen", o.listen}, {"--api-listen", o.apiListen}}
	if !o.noUI {
		addrs = append(addrs, [2]string{"--ui-listen", o.uiListen})
	}
	listeners, err := listen(addrs...)
	if err != nil {
		return fail("%v", err)
	}
	defer func() { // in case drainer dev fails before serving them
		for _, ln := range listeners {
			ln.Close()
		}
	}()
	endpoint := "http://" + listeners[0].Addr().String()
	log := warnings(stderr)
	h, err := sim.Live(sc, settings, endpoint, log)
	if err != nil {
		return fail("%v", err)
	}
	w := h.World
	st := sim.NewStory(h, sc, stdout) // before the clock moves
	speed := o.speed
	if o.manual {
		speed = 0
	}
	var dash *web.Dashboard
	if !o.noUI {
		dash = web.New(sim.Dashboard(w, h.Reconciler.Drains, speed), web.Options{})
		h.OnDrainEvent(dash.Publish)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	handlers := []http.Handler{front.New(w, front.Options{Scaled: !o.manual, Logger: log}), h.Drainer.API()}
	if dash != nil {
		handlers = append(handlers, dash)
	}
	var served sync.WaitGroup
	for i, hd := range handlers {
		served.Go(func() { front.Serve(ctx, listeners[i], hd) })
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

	stopClock := runClock(ctx, w, o.speed, o.manual)
	if o.exitWhenDone {
		st.Wait(ctx)
	} else {
		<-ctx.Done()
	}
	cancel()
	served.Wait()
	stopClock()
	h.Stop()
	return st.WriteReport(stdout)
}
