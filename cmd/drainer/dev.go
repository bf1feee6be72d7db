package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/drainer-dev/drainer/api"
	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
	"github.com/drainer-dev/drainer/controller"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/scenario"
	"github.com/drainer-dev/drainer/intake"
	"github.com/drainer-dev/drainer/invariant"
	"github.com/drainer-dev/drainer/sim"
	"github.com/drainer-dev/drainer/web"
)

//go:embed scenarios/demo.yaml
var demoScenario []byte

// runDev runs the emulated world and drainer in one process and narrates
// what happens: with --speed 0 as fast as events allow (then it reports and
// exits), otherwise at that many times real time, serving the emulator's
// AWS endpoint so that the AWS CLI and drainer's own CLI can act on the
// live world.
func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("drainer dev", flag.ContinueOnError)
	fs.SetOutput(stderr)
	scenarioArg := fs.String("scenario", "demo", "the story to play: demo, or a scenario file (.yaml, .yml, .json)")
	speed := fs.Float64("speed", 10, "virtual seconds per wall-clock second; 0 = as fast as events allow")
	exitWhenDone := fs.Bool("exit-when-done", false, "exit after the story with a summary (exit 1 if an invariant broke)")
	listen := fs.String("listen", "127.0.0.1:4566", "address of the emulated AWS endpoint (with --speed > 0)")
	var ui devUI
	fs.StringVar(&ui.listen, "ui-listen", "127.0.0.1:8080", "address of the dashboard (with --speed > 0)")
	fs.BoolVar(&ui.off, "no-ui", false, "run without the dashboard")
	fs.StringVar(&ui.api, "api-listen", "127.0.0.1:8081", "address of drainer's HTTP API, for drainer drain (with --speed > 0)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: drainer dev [flags]\n\nRuns the emulated AWS world and drainer together and narrates a story: by default six\ninstances, a scale-in of two, a Spot interruption and an instance refresh.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || *speed < 0 {
		fmt.Fprintln(stderr, "drainer dev: --speed must be 0 or more, and dev takes no arguments")
		return 2
	}
	sc, err := loadStory(*scenarioArg)
	if err != nil {
		fmt.Fprintf(stderr, "drainer dev: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "drainer dev: %s — %s\n", sc.Name, sc.Description)
	if *speed == 0 {
		if !ui.off {
			fmt.Fprintln(stdout, "(no dashboard at --speed 0: the story is over in about a second; run with --speed 10 to watch it)")
		}
		return devFullSpeed(ctx, sc, stdout)
	}
	return devLive(ctx, sc, *speed, *listen, ui, *exitWhenDone, stdout, stderr)
}

func loadStory(arg string) (*scenario.Scenario, error) {
	if arg == "demo" {
		return scenario.ParseYAML(demoScenario)
	}
	return scenario.Load(arg)
}

// narrator prints the story as it happens, in plain words.
type narrator struct {
	mu  sync.Mutex
	out io.Writer
	w   *emulator.World
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

// settled reports whether every group is at rest: each instance InService
// and no instance refresh pending or under way.
func settled(w *emulator.World) bool {
	ok := true
	w.Do(func() {
		for _, name := range w.AutoScaling.GroupNames() {
			g, err := w.AutoScaling.DescribeAutoScalingGroups(autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{name}})
			if err != nil || len(g.AutoScalingGroups) == 0 {
				continue
			}
			for _, in := range g.AutoScalingGroups[0].Instances {
				if in.LifecycleState != autoscaling.StateInService {
					ok = false
				}
			}
			r, err := w.AutoScaling.DescribeInstanceRefreshes(autoscaling.DescribeInstanceRefreshesInput{AutoScalingGroupName: name})
			if err != nil {
				continue
			}
			for _, ref := range r.InstanceRefreshes {
				if ref.Status == autoscaling.RefreshPending || ref.Status == autoscaling.RefreshInProgress {
					ok = false
				}
			}
		}
	})
	return ok
}

// devFullSpeed plays the story in virtual time, stepping the world and
// drainer together, then prints the report.
func devFullSpeed(ctx context.Context, sc *scenario.Scenario, stdout io.Writer) int {
	h, err := sim.New(sc, sim.Options{Queue: "drainer"})
	if err != nil {
		fmt.Fprintf(stdout, "drainer dev: %v\n", err)
		return 1
	}
	n := &narrator{out: stdout, w: h.World}
	h.Run.OnRecord = n.record
	rec := sim.Record(h, drain.DefaultPolicy())
	prev := h.OnDrainEvent
	h.OnDrainEvent = func(ev drain.Event) { prev(ev); n.event(ev) }
	start, wall := h.World.Now(), time.Now()
	end := start.Add(sc.End() + 2*time.Minute)
	h.RunUntil(start.Add(sc.End()+6*time.Hour), func() bool {
		return ctx.Err() != nil || (!h.World.Now().Before(end) && len(h.Reconciler.Drains()) == 0 && settled(h.World))
	})
	rep := rec.Finish(sc.Name, time.Since(wall), h.World.Now().Sub(start))
	fmt.Fprintln(stdout)
	rep.WriteText(stdout)
	if len(rep.Violations) > 0 {
		return 1
	}
	return 0
}

// devLive serves the world at speed with drainer running beside it on the
// world's clock, over loopback, through the SDK as in production.
func devLive(ctx context.Context, sc *scenario.Scenario, speed float64, listen string, ui devUI, exitWhenDone bool, stdout, stderr io.Writer) int {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		fmt.Fprintf(stderr, "drainer dev: listen on %s: %v\n", listen, err)
		return 1
	}
	lns, err := ui.listenAll()
	if err != nil {
		ln.Close()
		fmt.Fprintf(stderr, "drainer dev: %v\n", err)
		return 1
	}
	endpoint := "http://" + ln.Addr().String()
	// A live world starts at the wall clock's time, so its times read
	// naturally (a scenario's own start still wins).
	cfg := emulator.Config{Start: time.Now().UTC().Truncate(time.Second)}
	cfg.SQS.URLBase = endpoint
	run, err := scenario.NewWorld(sc, cfg)
	if err != nil {
		ln.Close()
		lns.close()
		fmt.Fprintf(stderr, "drainer dev: %v\n", err)
		return 1
	}
	w := run.World
	n := &narrator{out: stdout, w: w}
	run.OnRecord = n.record
	checker := invariant.Watch(w)
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { w.Clock.RunScaled(ctx, speed) })
	srv := &http.Server{Handler: newFront(w, true, log), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	fmt.Fprintf(stdout, "emulated AWS on %s at %v× real time; try:\n  aws --endpoint-url %s --region us-east-1 autoscaling describe-auto-scaling-groups\n\n", endpoint, speed, endpoint)

	client := cloudaws.NewFromConfig(awssdk.Config{Region: w.Env.Region}, cloudaws.Options{
		Endpoint:    endpoint,
		Credentials: credentials.NewStaticCredentialsProvider("drainer", "dev", ""),
		Clock:       w.Clock,
		Logger:      log,
	})
	var mu sync.Mutex
	inProgress := map[string]bool{}
	completed := 0
	type drained struct {
		id         string
		moved      int
		started    time.Time
		took       time.Duration
		overdue    bool
		reasonText string
	}
	var summary []*drained
	byID := map[string]*drained{}
	var dash *web.Dashboard
	rec := drain.NewReconciler(drain.Config{Cloud: client, Clock: w.Clock, Logger: log, OnEvent: func(ev drain.Event) {
		n.event(ev)
		if dash != nil {
			dash.Publish(ev)
		}
		mu.Lock()
		defer mu.Unlock()
		switch ev.Type {
		case drain.EventStarted:
			inProgress[ev.InstanceID] = true
			d := &drained{id: ev.InstanceID, started: ev.Time, reasonText: string(ev.Reason)}
			// The service tasks on it now are the ones ECS will move.
			w.Do(func() {
				if ci := w.ECS.ContainerInstanceByEC2(ev.InstanceID); ci != nil {
					for _, t := range w.ECS.TasksOn(ci.ContainerInstanceArn) {
						if t.LastStatus != "STOPPED" && w.ECS.TaskClass(t) == "service" {
							d.moved++
						}
					}
				}
			})
			byID[ev.InstanceID] = d
			summary = append(summary, d)
		case drain.EventCompleted:
			delete(inProgress, ev.InstanceID)
			if d := byID[ev.InstanceID]; d != nil {
				d.took, d.overdue = ev.Time.Sub(d.started), ev.Overdue
			}
			completed++
		}
	}})
	ctl := controller.New(rec, controller.Options{Cloud: client, Clock: w.Clock, Logger: log})
	queueURL := endpoint + "/" + w.Env.Account + "/drainer"
	if lns.ui != nil {
		dash = web.New(worldSource{w: w, rec: rec, speed: speed}, web.Options{})
	}
	servers := lns.serve(dash, api.New(ctl, api.Options{Clock: w.Clock, Logger: log}), stdout)
	wg.Go(func() { rec.Run(ctx) })
	wg.Go(func() { ctl.Run(ctx, time.Minute) })
	consumer := intake.NewConsumer(sqsQueue{q: client, url: queueURL}, ctl.Handle, intake.Options{Clock: w.Clock, Logger: log})
	wg.Go(func() { consumer.Run(ctx) })

	// The story is over once its last step has passed and no drain runs.
	end := w.Now().Add(sc.End())
	done := make(chan struct{})
	if exitWhenDone {
		go func() {
			for ctx.Err() == nil {
				select {
				case <-ctx.Done():
					return
				case <-time.After(200 * time.Millisecond):
				}
				mu.Lock()
				idle := len(inProgress) == 0 && completed > 0
				mu.Unlock()
				if idle && !w.Now().Before(end.Add(2*time.Minute)) && settled(w) {
					close(done)
					return
				}
			}
		}()
	}
	select {
	case <-ctx.Done():
	case <-done:
	}
	cancel()
	shutdown, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	srv.Shutdown(shutdown)
	for _, s := range servers {
		s.Shutdown(shutdown)
	}
	wg.Wait()
	mu.Lock()
	fmt.Fprintf(stdout, "\n%d drains completed; %d still in progress.\n", completed, len(inProgress))
	moved := 0
	for _, d := range summary {
		moved += d.moved
		state := d.took.Round(time.Second).String()
		switch {
		case d.took == 0:
			state = "still draining"
		case d.overdue:
			state += " (forced out at its hard deadline)"
		}
		fmt.Fprintf(stdout, "  %s (%s): %d service tasks moved, drained in %s\n", d.id, d.reasonText, d.moved, state)
	}
	fmt.Fprintf(stdout, "%d service tasks moved off drained instances.\n", moved)
	mu.Unlock()
	var violations []invariant.Violation
	w.Do(func() { violations = checker.Violations() })
	for _, v := range violations {
		fmt.Fprintf(stdout, "INVARIANT BROKEN: %s\n", v)
	}
	if len(violations) > 0 {
		return 1
	}
	fmt.Fprintln(stdout, "invariants held.")
	return 0
}
