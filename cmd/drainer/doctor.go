package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/drainer-dev/drainer/doctor"
)

// wallNow is the clock doctor judges ages against; tests set it.
var wallNow = time.Now

// runDoctor is `drainer doctor`: checks a setup against AWS (or the
// emulator) and prints findings; exit 1 when one is FAIL.
func runDoctor(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("drainer doctor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var rc runConfig
	clusters := &listFlag{}
	if v := envOr("DRAINER_CLUSTERS", ""); v != "" {
		clusters.Set(v)
		clusters.set = false
	}
	fs.StringVar(&rc.region, "region", "", "AWS region (default: AWS_REGION or the shared configuration)")
	fs.StringVar(&rc.endpoint, "endpoint-url", "", "AWS endpoint for every service, e.g. http://127.0.0.1:4566 for `drainer emulator` (default: AWS_ENDPOINT_URL, else AWS)")
	fs.Var(clusters, "cluster", "ECS cluster drainer serves; repeat for several (env DRAINER_CLUSTERS, comma-separated; default every cluster)")
	queue := fs.String("queue-url", envOr("DRAINER_QUEUE_URL", ""), "URL (or name) of drainer's SQS queue: the termination hooks must notify it (env DRAINER_QUEUE_URL)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: drainer doctor [--region R] [--endpoint-url URL] [--cluster NAME]... [--queue-url URL]\n\nChecks a setup against AWS: a termination lifecycle hook on every Auto Scaling group of the\nclusters, with a sensible heartbeat timeout and default result, notifying drainer's queue;\nEventBridge rules feeding that queue; instances protected past their group's maximum lifetime;\nservices at 100/100 that can never drain. Prints OK / WARN / FAIL with a fix for each; exits 1\nwhen something FAILs.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return 2
	}
	client, err := newAWSClient(ctx, rc, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n%s", fs.Name(), err, awsHint)
		return 1
	}
	findings, err := doctor.Check(ctx, client, doctor.Config{Clusters: clusters.vals, Queue: *queue}, wallNow())
	printFindings(stdout, findings)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n%s", fs.Name(), err, awsHint)
		return 1
	}
	if doctor.Failed(findings) {
		return 1
	}
	return 0
}

// printFindings prints one line a finding ("WARN  group asg: …") with its
// advice on the next ("      fix: …"), then the count of each severity.
func printFindings(w io.Writer, findings []doctor.Finding) {
	counts := map[doctor.Severity]int{}
	for _, f := range findings {
		counts[f.Severity]++
		fmt.Fprintf(w, "%-4s  %s: %s\n", f.Severity, f.Subject, f.Message)
		if f.Advice != "" {
			fmt.Fprintf(w, "      fix: %s\n", f.Advice)
		}
	}
	fmt.Fprintf(w, "\n%d FAIL, %d WARN, %d OK\n", counts[doctor.Fail], counts[doctor.Warn], counts[doctor.OK])
}
