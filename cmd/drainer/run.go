package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/drainer-dev/drainer/api"
	"github.com/drainer-dev/drainer/clock"
	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
	"github.com/drainer-dev/drainer/controller"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/intake"
	"github.com/drainer-dev/drainer/metrics"
	"github.com/drainer-dev/drainer/web"
)

// runController is `drainer run`: the controller against AWS (or any
// endpoint speaking its protocols) until ctx ends.
func runController(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseRunFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "drainer run: %v\n", err)
		return 2
	}
	log := newRunLogger(stderr, cfg.logFormat)
	m := metrics.New()

	client, err := newAWSClient(ctx, cfg, m.OnCall, log)
	if err != nil {
		fmt.Fprintf(stderr, "drainer run: %v\n", err)
		return 1
	}
	pub := newPublisher(client, cfg.eventBus, log, m.EventPublished)
	copts := controller.Options{
		DrainOnRebalance: cfg.drainOnRebalance, Logger: log, Cloud: client, Clusters: cfg.clusters,
		IdleAfter: cfg.idleAfter, MaxLifetime: cfg.maxLifetime, Budget: cfg.budget,
		ProtectDefault: cfg.protectDefault, DrainDefault: controller.Bool(cfg.drainDefault),
	}
	policy, copts, err := controller.Preset(cfg.preset, copts)
	if err != nil {
		fmt.Fprintf(stderr, "drainer run: %v\n", err)
		return 2
	}
	if cfg.standaloneSet || cfg.preset == controller.PresetDefault {
		policy.Standalone = cfg.standalone
	}
	policy.FallbackPoll = cfg.fallbackPoll
	var dash *web.Dashboard // set below when --ui-listen asks for it
	rec := drain.NewReconciler(drain.Config{
		Cloud: client, Policy: policy, Clusters: cfg.clusters, Logger: log,
		OnEvent: func(ev drain.Event) {
			m.OnEvent(ev)
			pub.Publish(ev)
			if dash != nil {
				dash.Publish(ev)
			}
		},
	})

	var queue intake.Queue
	if !cfg.noQueue {
		url, err := resolveQueueURL(ctx, client, cfg.queueURL)
		if err != nil {
			fmt.Fprintf(stderr, "drainer run: %v\n%s", err, awsHint)
			return 1
		}
		queue = sqsQueue{q: client, url: url}
	}
	n, err := rec.Resume(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "drainer run: %v\n%s", err, awsHint)
		return 1
	}

	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		fmt.Fprintf(stderr, "drainer run: listen on %s: %v\n", cfg.listen, err)
		return 1
	}
	if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		log.Warn("serving the drainer API beyond loopback: anyone who reaches this address can drain instances", "addr", ln.Addr().String())
	}
	ctl := controller.New(rec, copts)
	srv := &http.Server{Handler: api.New(ctl, api.Options{Metrics: m.Handler(), Logger: log}), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "drainer controller API on http://%s (clusters %s, %d drain(s) resumed)\n", ln.Addr(), clusterList(cfg.clusters), n)
	if cfg.uiListen != "" {
		uiLn, err := net.Listen("tcp", cfg.uiListen)
		if err != nil {
			ln.Close()
			fmt.Fprintf(stderr, "drainer run: --ui-listen %s: %v\n", cfg.uiListen, err)
			return 1
		}
		src := &awsSource{c: client, rec: rec, clusters: cfg.clusters, clk: clock.Real{}, log: log}
		dash = web.New(src, web.Options{})
		uiSrv := &http.Server{Handler: dash, ReadHeaderTimeout: 10 * time.Second}
		src.refresh(ctx)
		go src.run(ctx)
		go uiSrv.Serve(uiLn)
		go func() {
			<-ctx.Done()
			uiSrv.Close()
		}()
		fmt.Fprintf(stdout, "drainer dashboard on http://%s\n", uiLn.Addr())
	}
	log.Info("drainer running", "api", "http://"+ln.Addr().String(), "queue", cfg.queueURL, "clusters", cfg.clusters, "resumed", n,
		"preset", cfg.preset, "standalone", policy.Standalone, "fallbackPoll", cfg.fallbackPoll, "drainOnRebalance", copts.DrainOnRebalance,
		"scanInterval", cfg.scanInterval, "idleAfter", copts.IdleAfter, "maxLifetime", copts.MaxLifetime, "budget", cfg.budget.String())

	return serveController(ctx, log, srv, ln, rec, queue, pub, ctl, cfg.scanInterval, m)
}

// serveController runs the reconciler, the queue consumer, the publisher
// and the API until ctx ends, then stops them in turn.
func serveController(ctx context.Context, log *slog.Logger, srv *http.Server, ln net.Listener, rec *drain.Reconciler, queue intake.Queue,
	pub *publisher, ctl *controller.Controller, scanEvery time.Duration, m *metrics.Metrics) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { rec.Run(ctx) })
	if scanEvery > 0 {
		wg.Go(func() { ctl.Run(ctx, scanEvery) })
	}
	if queue != nil {
		consumer := intake.NewConsumer(queue, ctl.Handle, intake.Options{Logger: log, Metrics: m.Intake()})
		wg.Go(func() { consumer.Run(ctx) })
	}
	pubCtx, stopPub := context.WithCancel(context.Background())
	go pub.Run(pubCtx)
	serveDone := make(chan error, 1)
	go func() { serveDone <- srv.Serve(ln) }()

	code := 0
	select {
	case <-ctx.Done():
	case err := <-serveDone:
		log.Error("drainer API stopped", "error", err)
		code = 1
	}
	log.Info("stopping drainer")
	shutdown, cancelShutdown := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelShutdown()
	if err := srv.Shutdown(shutdown); err != nil {
		srv.Close()
	}
	cancel()
	wg.Wait()
	// Events of the last steps are still sent, within a few seconds.
	stopPub()
	<-pub.Done()
	return code
}

const awsHint = `Check the AWS configuration: credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE),
the region (--region or AWS_REGION), and the endpoint (--endpoint-url or AWS_ENDPOINT_URL, e.g.
http://127.0.0.1:4566 for 'drainer emulator'; unset for AWS itself).
`

// newAWSClient loads the standard AWS configuration, checks it has a
// region and credentials, and builds drainer's client with onCall feeding
// the metrics.
func newAWSClient(ctx context.Context, c runConfig, onCall func(string, string, error), log *slog.Logger) (*cloudaws.Client, error) {
	var load []func(*config.LoadOptions) error
	if c.region != "" {
		load = append(load, config.WithRegion(c.region))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, fmt.Errorf("load the AWS configuration: %w", err)
	}
	if awsCfg.Region == "" {
		return nil, errors.New("no AWS region: set --region or AWS_REGION (us-east-1 will do for 'drainer emulator')")
	}
	if err := checkCredentials(ctx, awsCfg); err != nil {
		return nil, err
	}
	return cloudaws.NewFromConfig(awsCfg, cloudaws.Options{Endpoint: c.endpoint, OnCall: onCall, Logger: log}), nil
}

func checkCredentials(ctx context.Context, cfg aws.Config) error {
	const what = "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any values will do for 'drainer emulator'), or AWS_PROFILE, or run where an instance or task role provides them"
	if cfg.Credentials == nil {
		return errors.New(what)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return fmt.Errorf("%s (%v)", what, err)
	}
	return nil
}

func clusterList(cs []string) string {
	if len(cs) == 0 {
		return "all"
	}
	return fmt.Sprint(cs)
}
