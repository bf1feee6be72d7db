package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/drain"
)

// runConfig is `drainer run`'s configuration: flags, each with an
// environment variable as its default.
type runConfig struct {
	queueURL         string
	noQueue          bool
	clusters         []string
	listen           string
	standalone       drain.Standalone
	drainOnRebalance bool
	fallbackPoll     time.Duration
	region           string
	endpoint         string
	eventBus         string
	logFormat        string
	preset           string
	uiListen         string
	scanInterval     time.Duration
	idleAfter        time.Duration
	maxLifetime      time.Duration
	budget           drain.Budget
	protectDefault   bool
	drainDefault     bool
	standaloneSet    bool
}

// listFlag is a repeatable flag; its environment default is
// comma-separated and replaced (not extended) by the first flag given.
type listFlag struct {
	vals []string
	set  bool
}

func (l *listFlag) String() string { return strings.Join(l.vals, ",") }
func (l *listFlag) Set(s string) error {
	if !l.set {
		l.vals, l.set = nil, true
	}
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			l.vals = append(l.vals, v)
		}
	}
	return nil
}

// parseRunFlags reads `drainer run`'s flags; the error says what is wrong
// (and is flag.ErrHelp for -h).
func parseRunFlags(args []string, stderr io.Writer) (runConfig, error) {
	fs := flag.NewFlagSet("drainer run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c runConfig
	clusters := &listFlag{}
	if v := envOr("DRAINER_CLUSTERS", ""); v != "" {
		clusters.Set(v)
		clusters.set = false
	}
	fs.StringVar(&c.queueURL, "queue-url", envOr("DRAINER_QUEUE_URL", ""), "URL (or name) of the SQS queue lifecycle notifications and EC2/ECS events arrive on (env DRAINER_QUEUE_URL)")
	fs.BoolVar(&c.noQueue, "no-queue", envBool("DRAINER_NO_QUEUE"), "read no queue: drains come only from the HTTP API and recorded drains (env DRAINER_NO_QUEUE)")
	fs.Var(clusters, "cluster", "ECS cluster to serve; repeat for several (env DRAINER_CLUSTERS, comma-separated; default every cluster)")
	fs.StringVar(&c.listen, "listen", envOr("DRAINER_LISTEN", "127.0.0.1:8081"), "address of the HTTP API, /metrics and /healthz (env DRAINER_LISTEN)")
	standalone := fs.String("standalone", envOr("DRAINER_STANDALONE", string(drain.StandaloneStopAtDeadline)), "standalone tasks on a draining instance: wait, stop-at-deadline or stop (env DRAINER_STANDALONE)")
	fs.BoolVar(&c.drainOnRebalance, "drain-on-rebalance", envBool("DRAINER_DRAIN_ON_REBALANCE"), "drain instances that get an EC2 rebalance recommendation (env DRAINER_DRAIN_ON_REBALANCE)")
	poll := fs.String("fallback-poll", envOr("DRAINER_FALLBACK_POLL", drain.DefaultPolicy().FallbackPoll.String()), "longest time between two looks at a drain when no event wakes it (env DRAINER_FALLBACK_POLL)")
	fs.StringVar(&c.region, "region", "", "AWS region (default: AWS_REGION or the shared configuration)")
	fs.StringVar(&c.endpoint, "endpoint-url", "", "AWS endpoint for every service, e.g. http://127.0.0.1:4566 for `drainer emulator` (default: AWS_ENDPOINT_URL, else AWS)")
	fs.StringVar(&c.eventBus, "event-bus", envOr("DRAINER_EVENT_BUS", ""), "EventBridge bus drain events are published on (env DRAINER_EVENT_BUS; default the default bus)")
	fs.StringVar(&c.uiListen, "ui-listen", envOr("DRAINER_UI_LISTEN", ""), "serve the dashboard on this address, e.g. 127.0.0.1:8080 (env DRAINER_UI_LISTEN; default off)")
	fs.StringVar(&c.preset, "preset", envOr("DRAINER_PRESET", "default"), "policy preset: default (drainer's) or ecs-managed (AWS's own managed draining: 48 h, standalone tasks left to finish, no hard stop before the hook's timeout) (env DRAINER_PRESET)")
	scan := fs.String("scan-interval", envOr("DRAINER_SCAN_INTERVAL", "1m"), "time between periodic scans (protection, idle, time-to-live, recorded drains); 0 turns them off (env DRAINER_SCAN_INTERVAL)")
	idle := fs.String("idle-after", envOr("DRAINER_IDLE_AFTER", "0"), "reclaim instances with no non-daemon task for this long, in groups above their minimum; 0 = never (env DRAINER_IDLE_AFTER)")
	lifetime := fs.String("max-lifetime", envOr("DRAINER_MAX_LIFETIME", "0"), "replace instances older than this (time-to-live); 0 = never (env DRAINER_MAX_LIFETIME)")
	budget := fs.String("budget", envOr("DRAINER_BUDGET", "1"), "disruption budget per group for voluntary drains (idle, TTL, rebalance): a count such as 2 or a share such as 10% (env DRAINER_BUDGET)")
	fs.BoolVar(&c.protectDefault, "protect", envBool("DRAINER_PROTECT"), "keep scale-in protection on busy instances in groups without an ECS capacity provider (env DRAINER_PROTECT)")
	fs.BoolVar(&c.drainDefault, "drain-without-provider", envOr("DRAINER_DRAIN_WITHOUT_PROVIDER", "true") != "false", "drain terminating instances of groups without an ECS capacity provider (env DRAINER_DRAIN_WITHOUT_PROVIDER)")
	fs.StringVar(&c.logFormat, "log-format", envOr("DRAINER_LOG_FORMAT", ""), "log format: text or json (env DRAINER_LOG_FORMAT; default text on a terminal, json otherwise)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: drainer run --queue-url URL [--cluster NAME]... [flags]\n\nRuns the controller: drains ECS container instances before Auto Scaling, Spot or an\noperator takes them away. Region, credentials and endpoint come from the standard AWS\nconfiguration (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL, ...).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	c.clusters = clusters.vals
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "standalone" {
			c.standaloneSet = true
		}
	})
	if _, ok := lookupEnv("DRAINER_STANDALONE"); ok {
		c.standaloneSet = true
	}
	var err error
	for _, d := range []struct {
		name string
		src  string
		dst  *time.Duration
	}{{"--scan-interval", *scan, &c.scanInterval}, {"--idle-after", *idle, &c.idleAfter}, {"--max-lifetime", *lifetime, &c.maxLifetime}} {
		if *d.dst, err = time.ParseDuration(d.src); err != nil || *d.dst < 0 {
			return c, fmt.Errorf("%s %q: want a duration such as 30m (0 turns it off)", d.name, d.src)
		}
	}
	if c.budget, err = drain.ParseBudget(*budget); err != nil {
		return c, fmt.Errorf("--budget: %w", err)
	}
	switch c.preset {
	case "default", "ecs-managed":
	default:
		return c, fmt.Errorf("--preset %q: want default or ecs-managed", c.preset)
	}
	if c.standalone, err = drain.ParseStandalone(*standalone); err != nil {
		return c, fmt.Errorf("--standalone: %w", err)
	}
	if c.fallbackPoll, err = time.ParseDuration(*poll); err != nil || c.fallbackPoll <= 0 {
		return c, fmt.Errorf("--fallback-poll %q: want a positive duration such as 2m", *poll)
	}
	switch c.logFormat {
	case "", "text", "json":
	default:
		return c, fmt.Errorf("--log-format %q: want text or json", c.logFormat)
	}
	switch {
	case c.queueURL == "" && !c.noQueue:
		return c, errors.New("--queue-url (or DRAINER_QUEUE_URL) is required: the SQS queue the lifecycle hooks and EventBridge rules send to; --no-queue runs without one")
	case c.queueURL != "" && c.noQueue:
		return c, errors.New("--queue-url and --no-queue contradict each other")
	}
	return c, nil
}

// envBool reads a boolean environment variable; unset or unreadable is false.
func envBool(key string) bool {
	b, _ := strconv.ParseBool(envOr(key, "false"))
	return b
}

// newRunLogger logs in the format asked for, else as newLogger decides.
func newRunLogger(w io.Writer, format string) *slog.Logger {
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, nil))
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return newLogger(w)
}
