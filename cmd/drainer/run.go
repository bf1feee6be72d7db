package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"

	"github.com/drainer-dev/drainer/assembly"
	"github.com/drainer-dev/drainer/clock"
	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/health"
	"github.com/drainer-dev/drainer/intake"
	"github.com/drainer-dev/drainer/web"
)

// healthClock is the clock drainer run judges its health on: the wall
// clock's, which tests replace with a virtual one to pass
// --unhealthy-after without waiting for it.
var healthClock clock.Clock = clock.Real{}

// runOptions are `drainer run`'s flags, each with a DRAINER_… environment
// variable as its default.
type runOptions struct {
	settings  assembly.Settings
	queueURL  string
	noQueue   bool
	listen    string
	uiListen  string
	region    string
	endpoint  string
	eventBus  string
	logFormat string
}

const runUsage = `Usage: drainer run --queue-url URL|ARN|NAME [--cluster NAME]... [flags]

Runs the controller: drains ECS container instances before Auto Scaling, Spot or an
operator takes them away. Region, credentials and endpoint come from the standard AWS
configuration (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL, ...). It stops at start when
the queue does not exist or cannot be read. Every AWS call attempt is bounded (45 s for
AWS to start answering, 2 min in all) and retried, so a hung connection never stalls it.
/healthz answers 503 once the queue or AWS has been unreachable for --unhealthy-after;
/readyz answers 200 once the queue has been read and the recorded drains adopted, which
is done before the API serves.
`

// parseRun reads `drainer run`'s flags over its environment; code is the
// exit code when ok is false.
func parseRun(args []string, stderr io.Writer) (o runOptions, code int, ok bool) {
	fs := newFlagSet("drainer run", runUsage, stderr)
	fs.StringVar(&o.queueURL, "queue-url", envOr("DRAINER_QUEUE_URL", ""), "URL, ARN or name of the SQS queue lifecycle notifications and EC2/ECS events arrive on; drainer stops at start when it does not exist or cannot be read (env DRAINER_QUEUE_URL)")
	noQueue, _ := strconv.ParseBool(envOr("DRAINER_NO_QUEUE", "false"))
	fs.BoolVar(&o.noQueue, "no-queue", noQueue, "read no queue: drains come only from the HTTP API, the scans and recorded drains (env DRAINER_NO_QUEUE)")
	fs.StringVar(&o.listen, "listen", envOr("DRAINER_LISTEN", "127.0.0.1:8081"), "address of the HTTP API, /metrics, /healthz and /readyz (env DRAINER_LISTEN; in a container, 0.0.0.0:8081 for probes from outside it)")
	fs.StringVar(&o.uiListen, "ui-listen", envOr("DRAINER_UI_LISTEN", ""), "serve the dashboard on this address, e.g. 127.0.0.1:8080 (env DRAINER_UI_LISTEN; default off)")
	awsFlags(fs, &o.region, &o.endpoint)
	fs.StringVar(&o.eventBus, "event-bus", envOr("DRAINER_EVENT_BUS", ""), "EventBridge bus drain events are published on (env DRAINER_EVENT_BUS; default the default bus)")
	fs.StringVar(&o.logFormat, "log-format", envOr("DRAINER_LOG_FORMAT", ""), "log format: text or json (env DRAINER_LOG_FORMAT; default text on a terminal, json otherwise)")
	sf := addSettingFlags(fs, true)
	if code, ok := sf.parse(fs, args); !ok {
		return o, code, false
	}
	var err error
	o.settings, err = assembly.FromEnv(os.LookupEnv)
	if err == nil {
		err = o.settings.Apply(sf.given)
	}
	switch {
	case err != nil:
		return o, usageError(fs, "%v", err), false
	case o.logFormat != "" && o.logFormat != "text" && o.logFormat != "json":
		return o, usageError(fs, "--log-format %q: want text or json", o.logFormat), false
	case o.queueURL == "" && !o.noQueue:
		return o, usageError(fs, "--queue-url (or DRAINER_QUEUE_URL) is required: the SQS queue the lifecycle hooks and EventBridge rules send to; --no-queue runs without one"), false
	case o.queueURL != "" && o.noQueue:
		return o, usageError(fs, "--queue-url and --no-queue contradict each other"), false
	}
	return o, 0, true
}

// runController is `drainer run`: the controller against AWS (or any
// endpoint speaking its protocols) until ctx ends.
func runController(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, code, ok := parseRun(args, stderr)
	if !ok {
		return code
	}
	log := newLogger(stderr, o.logFormat)
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "drainer run: "+format+"\n", a...)
		return 1
	}
	cfg, err := cloudaws.LoadConfig(ctx, o.region)
	if err != nil {
		return fail("%v", err)
	}
	// /healthz answers 503 once the queue or AWS has been out of reach
	// for --unhealthy-after; /readyz 200 once the queue has been read
	// (Prepare's check) and the recorded drains adopted.
	tracker := health.New(health.Options{Clock: healthClock, UnhealthyAfter: o.settings.UnhealthyAfter, Queue: !o.noQueue, Answered: cloudaws.Answered})
	var dash *web.Dashboard // set below with --ui-listen
	d, err := assembly.New(assembly.Options{
		Settings: o.settings, AWS: cfg, Client: cloudaws.Options{Endpoint: o.endpoint},
		Queue: o.queueURL, EventBus: o.eventBus, Logger: log,
		OnEvent: func(ev drain.Event) {
			if dash != nil {
				dash.Publish(ev)
			}
		},
		OnCall:  tracker.OnCall,
		Healthz: tracker.Healthz(), Readyz: tracker.Readyz(),
	})
	if err != nil {
		return fail("%v", err)
	}
	n, err := d.Prepare(ctx)
	var queueErr *intake.QueueError
	switch {
	case errors.As(err, &queueErr):
		// The queue does not exist or may not be read: the line says what
		// to do; retrying would only hide it.
		return fail("%v", err)
	case err != nil:
		return fail("%v\n%s", err, awsHint)
	}
	tracker.Adopted()

	addrs := [][2]string{{"--listen", o.listen}}
	if o.uiListen != "" {
		addrs = append(addrs, [2]string{"--ui-listen", o.uiListen})
	}
	lns, err := listen(addrs...)
	if err != nil {
		return fail("%v", err)
	}
	ln := lns[0]
	if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		log.Warn("serving the drainer API beyond loopback: anyone who reaches this address can drain instances", "addr", ln.Addr().String())
	}
	fmt.Fprintf(stdout, "drainer controller API on http://%s (clusters %s, %d drain(s) resumed)\n", ln.Addr(), cmp.Or(o.settings.Value("cluster"), "all"), n)
	var uiLn net.Listener
	var ui http.Handler
	if len(lns) > 1 {
		src := web.NewCloudSource(d.Cloud, d.Reconciler.Drains, o.settings.Clusters, clock.Real{}, log)
		src.Refresh(ctx)
		go src.Run(ctx)
		dash = web.New(src, web.Options{})
		uiLn, ui = lns[1], dash
		fmt.Fprintf(stdout, "drainer dashboard on http://%s\n", uiLn.Addr())
	}
	log.Info("drainer running", append([]any{"api", "http://" + ln.Addr().String(), "queue", d.QueueURL(), "resumed", n}, o.settings.LogAttrs()...)...)
	if err := d.Serve(ctx, ln, uiLn, ui); err != nil {
		log.Error("drainer stopped", "error", err)
		return 1
	}
	return 0
}

const awsHint = `Check the AWS configuration: credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE),
the region (--region or AWS_REGION), and the endpoint (--endpoint-url or AWS_ENDPOINT_URL, e.g.
http://127.0.0.1:4566 for 'drainer emulator'; unset for AWS itself).
`
