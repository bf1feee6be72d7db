package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/core"
	"github.com/drainer-dev/drainer/emulator/front"
	"github.com/drainer-dev/drainer/emulator/scenario"
)

// emulatorOptions are `drainer emulator`'s flags.
type emulatorOptions struct {
	listen, scenario string
	speed            float64
	seed             uint64
	manual           bool
	world            emulator.Config
}

const emulatorUsage = `Usage: drainer emulator [flags]

Serves EC2, Auto Scaling, ECS, SQS, SNS and EventBridge on one endpoint over the real AWS
wire protocols, plus an admin API under /_emulator/. Point the AWS SDK or CLI at it with
AWS_ENDPOINT_URL or --endpoint-url; any credentials are accepted. The world is one Region
(--region): requests signed for another are refused.
`

func parseEmulator(args []string, stderr io.Writer) (o emulatorOptions, code int, ok bool) {
	fs := newFlagSet("drainer emulator", emulatorUsage, stderr)
	fs.StringVar(&o.listen, "listen", envOr("DRAINER_EMULATOR_LISTEN", "127.0.0.1:4566"), "address to serve the AWS endpoint on (env DRAINER_EMULATOR_LISTEN)")
	fs.Float64Var(&o.speed, "speed", 1, "virtual seconds per wall-clock second (1 = real time, 60 = a minute a second)")
	fs.StringVar(&o.scenario, "scenario", "", "build the world from this scenario file (.yaml, .yml or .json) and play its timeline")
	fs.Uint64Var(&o.seed, "seed", 0, "random seed (default: the scenario's, else 1)")
	fs.BoolVar(&o.manual, "manual", false, "virtual time moves only when POST /_emulator/clock/advance says so (for scripts and tests); --speed is ignored")
	o.world.Region = envOr("DRAINER_EMULATOR_REGION", core.DefaultRegion)
	fs.Func("region", "the Region the world is in: its ARNs name it, requests signed for another are refused (default "+o.world.Region+", env DRAINER_EMULATOR_REGION)", o.world.SetRegion)
	fs.Func("throttle", "throttle API calls by a profile: aws, the request rates AWS documents per account and Region (default: none)", o.world.SetThrottle)
	if code, ok := parse(fs, args); !ok {
		return o, code, false
	}
	if o.speed <= 0 {
		return o, usageError(fs, "--speed must be greater than 0 (got %v)", o.speed), false
	}
	return o, 0, true
}

// runEmulator serves the emulated world until ctx ends.
func runEmulator(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, code, ok := parseEmulator(args, stderr)
	if !ok {
		return code
	}
	log := newLogger(stderr, "")

	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		fmt.Fprintf(stderr, "drainer emulator: listen on %s: %v\n", o.listen, err)
		return 1
	}
	if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		log.Warn("serving the emulator beyond loopback: anyone who reaches this address can change the world", "addr", ln.Addr().String())
	}
	endpoint := "http://" + ln.Addr().String()

	cfg := o.world
	cfg.SQS.URLBase = endpoint
	if !o.manual {
		// A clock that runs by itself starts at the wall-clock time, so that
		// a drainer living on the wall clock (drainer run) reads the times
		// in its messages and deadlines as now, not as long past. A
		// scenario's own start still wins.
		cfg.Start = time.Now().UTC().Truncate(time.Second)
	}
	w, err := buildWorld(o, cfg, log)
	if err != nil {
		ln.Close()
		fmt.Fprintf(stderr, "drainer emulator: %v\n", err)
		return 1
	}
	pace := fmt.Sprintf("speed %v×", o.speed)
	if o.manual {
		pace = "manual clock: POST /_emulator/clock/advance to move it"
	}
	fmt.Fprintf(stdout, "drainer emulator serving EC2, Auto Scaling, ECS, SQS, SNS and EventBridge in %s on %s (%s)\n", w.Env.Region, endpoint, pace)
	fmt.Fprintf(stdout, "try: aws --endpoint-url %s --region %s ecs list-clusters\n", endpoint, w.Env.Region)

	stopClock := runClock(ctx, w, o.speed, o.manual)
	err = front.Serve(ctx, ln, front.New(w, front.Options{Scaled: !o.manual, Logger: log}))
	stopClock()
	if err != nil {
		log.Error("emulator endpoint stopped", "error", err)
		return 1
	}
	return 0
}

// buildWorld builds the world from the scenario file, if any, logging the
// steps of its timeline as they happen.
func buildWorld(o emulatorOptions, cfg emulator.Config, log *slog.Logger) (*emulator.World, error) {
	if o.scenario == "" {
		cfg.Seed = max(o.seed, 1)
		return emulator.New(cfg), nil
	}
	run, err := scenario.LoadWorld(o.scenario, o.seed, cfg)
	if err != nil {
		return nil, err
	}
	run.OnRecord = func(r scenario.Record) {
		log.Info("scenario: "+r.Detail, "at", r.Time.Format(time.RFC3339), "action", r.Action, "error", r.Err)
	}
	log.Info("world built from scenario", "scenario", run.Scenario.Name, "seed", run.Scenario.Seed)
	return run.World, nil
}

// runClock moves w's clock at speed times real time until ctx ends or
// stop is called, unless it is moved by hand (manual); stop returns once
// the clock has stopped.
func runClock(ctx context.Context, w *emulator.World, speed float64, manual bool) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if !manual {
			w.Clock.RunScaled(ctx, speed)
		}
	}()
	return func() { cancel(); <-done }
}
