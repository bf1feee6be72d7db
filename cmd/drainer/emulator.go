package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/scenario"
)

// runEmulator serves the emulated world until ctx ends.
func runEmulator(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("drainer emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", envOr("DRAINER_EMULATOR_LISTEN", "127.0.0.1:4566"), "address to serve the AWS endpoint on (env DRAINER_EMULATOR_LISTEN)")
	speed := fs.Float64("speed", 1, "virtual seconds per wall-clock second (1 = real time, 60 = a minute a second)")
	scenarioFile := fs.String("scenario", "", "build the world from this scenario file (.yaml, .yml or .json) and play its timeline")
	seed := fs.Uint64("seed", 0, "random seed (default: the scenario's, else 1)")
	manual := fs.Bool("manual", false, "virtual time moves only when POST /_emulator/clock/advance says so (for scripts and tests); --speed is ignored")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: drainer emulator [flags]\n\nServes EC2, Auto Scaling, ECS, SQS and EventBridge on one endpoint over the real AWS\nwire protocols, plus an admin API under /_emulator/. Point the AWS SDK or CLI at it with\nAWS_ENDPOINT_URL or --endpoint-url; any credentials and region are accepted.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "drainer emulator: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *speed <= 0 {
		fmt.Fprintf(stderr, "drainer emulator: --speed must be greater than 0 (got %v)\n", *speed)
		return 2
	}
	log := newLogger(stderr)

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "drainer emulator: listen on %s: %v\n", *listen, err)
		return 1
	}
	if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		log.Warn("serving the emulator beyond loopback: anyone who reaches this address can change the world", "addr", ln.Addr().String())
	}
	endpoint := "http://" + ln.Addr().String()

	cfg := emulator.Config{Seed: 1}
	cfg.SQS.URLBase = endpoint
	if !*manual {
		// A clock that runs by itself starts at the wall-clock time, so that
		// a drainer living on the wall clock (drainer run) reads the times
		// in its messages and deadlines as now, not as long past. A
		// scenario's own start still wins.
		cfg.Start = time.Now().UTC().Truncate(time.Second)
	}
	var w *emulator.World
	if *scenarioFile != "" {
		sc, err := scenario.Load(*scenarioFile)
		if err != nil {
			ln.Close()
			fmt.Fprintf(stderr, "drainer emulator: %v\n", err)
			return 1
		}
		if *seed != 0 {
			sc.Seed = *seed
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
		if *seed != 0 {
			cfg.Seed = *seed
		}
		w = emulator.New(cfg)
	}

	pace := fmt.Sprintf("speed %v×", *speed)
	if *manual {
		pace = "manual clock: POST /_emulator/clock/advance to move it"
	}
	fmt.Fprintf(stdout, "drainer emulator serving EC2, Auto Scaling, ECS, SQS and EventBridge on %s (%s)\n", endpoint, pace)
	fmt.Fprintf(stdout, "try: aws --endpoint-url %s --region us-east-1 ecs list-clusters\n", endpoint)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	clockDone := make(chan error, 1)
	if *manual {
		go func() { <-ctx.Done(); clockDone <- nil }()
	} else {
		go func() { clockDone <- w.Clock.RunScaled(ctx, *speed) }()
	}

	srv := &http.Server{Handler: newFront(w, !*manual, log), ReadHeaderTimeout: 10 * time.Second}
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

func envOr(key, def string) string {
	if v, ok := lookupEnv(key); ok && v != "" {
		return v
	}
	return def
}
