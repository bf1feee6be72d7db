package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/assembly"
	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
	"github.com/drainer-dev/drainer/doctor"
	"github.com/drainer-dev/drainer/setup"
)

// doctorOptions are `drainer doctor`'s flags.
type doctorOptions struct {
	region, endpoint string
	clusters         []string
	queue            string
	// hooks are the termination hooks drainer owns, as run's --hook.
	hooks []string
	// now is the time lifetimes are judged against (the wall clock's).
	now func() time.Time
}

const doctorUsage = `Usage: drainer doctor [--region R] [--endpoint-url URL] [--cluster NAME]... [--queue-url URL] [--hook NAME]...

Checks a setup against AWS: drainer's queue exists and may be read; a termination lifecycle hook
drainer owns (--hook) on every Auto Scaling group of the clusters (found as setup finds them:
capacity providers, ECS_CLUSTER in launch template or configuration user data, registered
instances), with a heartbeat timeout that
suits drainer's heartbeats, default result CONTINUE, and its lifecycle actions reaching the queue
(notification target or EventBridge rule); EventBridge rules feeding the queue; instances
protected past their group's maximum lifetime; services at 100/100 that can never drain. Other
teams' hooks are left alone: doctor only warns when one can cut a drain short (default result
ABANDON). Prints OK / WARN / FAIL with a fix for each, 'drainer setup' first where it fixes it,
each command on a line of its own; exits 1 when something FAILs.
`

func parseDoctor(args []string, stderr io.Writer) (o doctorOptions, code int, ok bool) {
	fs := newFlagSet("drainer doctor", doctorUsage, stderr)
	awsFlags(fs, &o.region, &o.endpoint)
	var served assembly.Settings
	fs.Func("cluster", "ECS cluster drainer serves; repeat for several (env DRAINER_CLUSTERS, comma-separated; default every cluster)", func(v string) error {
		return served.Set("cluster", v)
	})
	fs.StringVar(&o.queue, "queue-url", envOr("DRAINER_QUEUE_URL", ""), "URL, ARN or name of drainer's SQS queue: the termination hooks must notify it (env DRAINER_QUEUE_URL)")
	fs.Func("hook", "termination lifecycle hook drainer owns, as drainer run's --hook; repeat for several (env DRAINER_HOOKS, comma-separated; default drainer): only these are judged and given fixes", func(v string) error {
		return served.Set("hook", v)
	})
	if code, ok := parse(fs, args); !ok {
		return o, code, false
	}
	if served.Clusters == nil {
		served.Set("cluster", envOr("DRAINER_CLUSTERS", ""))
	}
	if env := envOr("DRAINER_HOOKS", ""); served.Hooks == nil && env != "" {
		if err := served.Set("hook", env); err != nil {
			return o, usageError(fs, "DRAINER_HOOKS: %v", err), false
		}
	}
	o.clusters, o.hooks, o.now = served.Clusters, served.Hooks, time.Now
	return o, 0, true
}

// runDoctor is `drainer doctor`: checks a setup against AWS (or the
// emulator) and prints findings; exit 1 when one is FAIL.
func runDoctor(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, code, ok := parseDoctor(args, stderr)
	if !ok {
		return code
	}
	return checkSetup(ctx, o, stdout, stderr)
}

func checkSetup(ctx context.Context, o doctorOptions, stdout, stderr io.Writer) int {
	cfg, err := cloudaws.LoadConfig(ctx, o.region)
	if err != nil {
		fmt.Fprintf(stderr, "drainer doctor: %v\n%s", err, awsHint)
		return 1
	}
	client := cloudaws.NewFromConfig(cfg, cloudaws.Options{Endpoint: o.endpoint})
	findings, err := doctor.Check(ctx, client, doctor.Config{Clusters: o.clusters, Queue: o.queue, Hooks: o.hooks, Setup: setupConventions}, o.now())
	printFindings(stdout, findings)
	if err != nil {
		fmt.Fprintf(stderr, "drainer doctor: %v\n%s", err, awsHint)
		return 1
	}
	if doctor.Failed(findings) {
		return 1
	}
	return 0
}

// setupConventions are what `drainer setup` makes, for doctor's fixes
// (package doctor cannot import package setup: setup's tests run doctor).
var setupConventions = doctor.Conventions{DefaultQueue: setup.DefaultQueue, Heartbeat: setup.DefaultHeartbeat,
	HookMark: setup.HookMark, OwnerTag: setup.OwnerTag, TargetID: setup.TargetID}

// printFindings prints one line a finding ("WARN  group asg: …") with its
// advice below ("      fix: …", each further line of it indented as far,
// so that every command stands on a line of its own), then the count of
// each severity.
func printFindings(w io.Writer, findings []doctor.Finding) {
	counts := map[doctor.Severity]int{}
	for _, f := range findings {
		counts[f.Severity]++
		fmt.Fprintf(w, "%-4s  %s: %s\n", f.Severity, f.Subject, f.Message)
		if f.Advice != "" {
			fmt.Fprintf(w, "      fix: %s\n", strings.ReplaceAll(f.Advice, "\n", "\n           "))
		}
	}
	fmt.Fprintf(w, "\n%d FAIL, %d WARN, %d OK\n", counts[doctor.Fail], counts[doctor.Warn], counts[doctor.OK])
}
