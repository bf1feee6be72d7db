package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/front"
	"github.com/drainer-dev/drainer/emulator/scenario"
)

// emulatorOptions are `drainer emulator`'s flags.
type emulatorOptions struct {
	listen   string
	speed    float64
	scenario string
	seed     uint64
	manual   bool
}

const emulatorUsage = `Usage: drainer emulator [flags]

Serves EC2, Auto Scaling, ECS, SQS and EventBridge on one endpoint over the real AWS
wire protocols, plus an admin API under /_emulator/. Point the AWS SDK or CLI at it with
AWS_ENDPOINT_URL or --endpoint-url; any credentials and region are accepted.
`

func parseEmulator(args []string, stderr io.Writer) (o emulatorOptions, code int, ok bool) {
	fs := newFlagSet("drainer emulator", emulatorUsage, stderr)
	fs.StringVar(&o.listen, "listen", envOr("DRAINER_EMULATOR_LISTEN", "127.0.0.1:4566"), "address to serve the AWS endpoint on (env DRAINER_EMULATOR_LISTEN)")
	fs.Float64Var(&o.speed, "speed", 1, "virtual seconds per wall-clock second (1 = real time, 60 = a minute a second)")
	fs.StringVar(&o.scenario, "scenario", "", "build the world from this scenario file (.yaml, .yml or .json) and play its timeline")
	fs.Uint64Var(&o.seed, "seed", 0, "random seed (default: the scenario's, else 1)")
	fs.BoolVar(&o.manual, "manual", false, "virtual time moves only when POST /_emulator/clock/advance says so (for scripts and tests); --speed is ignored")
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
	log := newLogger(stderr)

	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		fmt.Fprintf(stderr, "drainer emulator: listen on %s: %v\n", o.listen, err)
		return 1
	}
	if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		log.Warn("serving the emulator beyond loopback: anyone who reaches this address can change the world", "addr", ln.Addr().String())
	}
	endpoint := "http://" + ln.Addr().String()

	cfg := emulator.Config{Seed: 1}
	cfg.SQS.URLBase = endpoint
	if !o.manual {
		// A clock that runs by itself starts at the wall-clock time, so that
		// a drainer living on the wall clock (drainer run) reads the times
		// in its messages and deadlines as now, not as long past. A
		// scenario's own start still wins.
		cfg.Start = time.Now().UTC().Truncate(time.Second)
	}
	var w *emulator.World
	if o.scenario != "" {
		sc, err := scenario.Load(o.scenario)
		if err != nil {
			ln.Close()
			fmt.Fprintf(stderr, "drainer emulator: %v\n", err)
			return 1
		}
		if o.seed != 0 {
			sc.Seed = o.seed
		}
		run, err := scenario.NewWorld(sc, cfg)
		if err != nil {
			ln.Close()
			fmt.Fprintf(stderr, "drainer emulator: %v\n", err)
			return 1
		}
		run.OnRecord = func(r scenario.Record) {
			if r.Err != "" {
				log.Error("scenario step failed", "at", r.Time.Format(time.RFC3339), "action", r.Action, "detail", r.Detail, "error", r.Err)
				return
			}
			log.Info("scenario: "+r.Detail, "at", r.Time.Format(time.RFC3339))
		}
		w = run.World
		log.Info("world built from scenario", "scenario", sc.Name, "seed", sc.Seed)
	} else {
		if o.seed != 0 {
			cfg.Seed = o.seed
		}
		w = emulator.New(cfg)
	}

	pace := fmt.Sprintf("speed %v×", o.speed)
	if o.manual {
		pace = "manual clock: POST /_emulator/clock/advance to move it"
	}
	fmt.Fprintf(stdout, "drainer emulator serving EC2, Auto Scaling, ECS, SQS and EventBridge on %s (%s)\n", endpoint, pace)
	fmt.Fprintf(stdout, "try: aws --endpoint-url %s --region us-east-1 ecs list-clusters\n", endpoint)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	clockDone := make(chan error, 1)
	if o.manual {
		go func() { <-ctx.Done(); clockDone <- nil }()
	} else {
		go func() { clockDone <- w.Clock.RunScaled(ctx, o.speed) }()
	}

	srv := &http.Server{Handler: front.New(w, front.Options{Scaled: !o.manual, Logger: log}), ReadHeaderTimeout: 10 * time.Second}
	serveDone := make(chan error, 1)
	go func() { serveDone <- srv.Serve(ln) }()

	select {
	case <-ctx.Done():
	case err := <-serveDone:
		log.Error("emulator endpoint stopped", "error", err)
		cancel()
		<-clockDone
		return 1
	}
	log.Info("stopping the emulator")
	shutdown, cancelShutdown := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelShutdown()
	if err := srv.Shutdown(shutdown); err != nil {
		srv.Close()
	}
	<-clockDone
	return 0
}
