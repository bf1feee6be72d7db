package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/drainer-dev/drainer/assembly"
	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
	"github.com/drainer-dev/drainer/setup"
)

// setupOptions are `drainer setup`'s flags.
type setupOptions struct {
	region, endpoint string
	want             setup.Want
	dryRun           bool
}

const setupUsage = `Usage: drainer setup --cluster NAME... [--queue NAME] [--hook NAME] [--heartbeat D] [--dry-run] [--delete]
                     [--pattern-limit N] [--region R] [--endpoint-url URL]

Creates what drainer needs, or updates it, and nothing else: the SQS queue with a dead-letter
queue and a policy letting drainer's EventBridge rules send to it; those rules, narrowed to the
clusters; and a termination lifecycle hook (CONTINUE, through EventBridge) on every Auto Scaling
group whose instances join the clusters. Prints the plan first (create, update, keep or delete, and
why); a second run keeps everything. Refuses to touch a queue, rule or hook of drainer's names that
it did not create. --delete removes what it created; --dry-run changes nothing. The ECS rules name
every cluster's ARN, so one queue serves as many as fit EventBridge's event pattern size (2048
characters, about 30 clusters of 12-character names): serve more with a second setup of its own
--queue.
`

func parseSetup(args []string, stderr io.Writer) (o setupOptions, code int, ok bool) {
	fs := newFlagSet("drainer setup", setupUsage, stderr)
	awsFlags(fs, &o.region, &o.endpoint)
	var served assembly.Settings
	fs.Func("cluster", "ECS cluster drainer serves; repeat for several (env DRAINER_CLUSTERS, comma-separated)", func(v string) error {
		return served.Set("cluster", v)
	})
	fs.StringVar(&o.want.Queue, "queue", setup.DefaultQueue, "name of drainer's SQS queue; its dead-letter queue and rules are named after it")
	fs.StringVar(&o.want.Hook, "hook", assembly.DefaultSettings().Hooks[0], "name of drainer's lifecycle hook on each group (give 'drainer run' the same --hook)")
	fs.DurationVar(&o.want.Heartbeat, "heartbeat", setup.DefaultHeartbeat, "heartbeat timeout of drainer's hooks, 30s to 2h (drainer heartbeats at half of it)")
	fs.IntVar(&o.want.PatternLimit, "pattern-limit", setup.DefaultPatternLimit, fmt.Sprintf("EventBridge's event pattern size quota in this account and Region, in characters (%d unless raised, %d at most): the ECS rules name every cluster, so it bounds the clusters of one queue", setup.DefaultPatternLimit, setup.MaxPatternLimit))
	fs.BoolVar(&o.dryRun, "dry-run", false, "print the plan and change nothing")
	fs.BoolVar(&o.want.Delete, "delete", false, "remove what setup created: drainer's hooks on the clusters' groups, its rules, queue and dead-letter queue")
	if code, ok := parse(fs, args); !ok {
		return o, code, false
	}
	if served.Clusters == nil {
		served.Set("cluster", envOr("DRAINER_CLUSTERS", ""))
	}
	o.want.Clusters = served.Clusters
	// An empty name given is a mistake, not a request for the default
	// (drainer run refuses --hook "" too).
	if strings.TrimSpace(o.want.Hook) == "" || strings.TrimSpace(o.want.Queue) == "" {
		return o, usageError(fs, "--hook and --queue need a name"), false
	}
	if err := o.want.Validate(); err != nil {
		return o, usageError(fs, "%s", strings.ReplaceAll(err.Error(), "\n", "; ")), false
	}
	return o, 0, true
}

// runSetup is `drainer setup`: observe, plan, print the plan, apply it.
func runSetup(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, code, ok := parseSetup(args, stderr)
	if !ok {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "drainer setup: %s\n", strings.ReplaceAll(err.Error(), "\n", "\ndrainer setup: "))
		return 1
	}
	cfg, err := cloudaws.LoadConfig(ctx, o.region)
	if err != nil {
		fmt.Fprintf(stderr, "drainer setup: %v\n%s", err, awsHint)
		return 1
	}
	client := cloudaws.NewFromConfig(cfg, cloudaws.Options{Endpoint: o.endpoint})
	observed, err := setup.Observe(ctx, client, o.want)
	if err != nil {
		fmt.Fprintf(stderr, "drainer setup: %v\n%s", err, awsHint)
		return 1
	}
	steps, err := setup.Plan(observed, o.want)
	if err != nil {
		return fail(err)
	}
	w := o.want.WithDefaults()
	fmt.Fprintf(stdout, "Plan for cluster(s) %s (queue %s, hook %s):\n", strings.Join(w.Clusters, ", "), w.Queue, w.Hook)
	if clusters, hooks := setup.Serves(observed, w); !w.Delete && (len(clusters) > len(observed.Clusters) || len(hooks) > 1) {
		fmt.Fprintf(stdout, "(an earlier setup's rules serve more, which this one keeps: cluster(s) %s, hook(s) %s)\n", strings.Join(clusters, ", "), strings.Join(hooks, ", "))
	}
	printSteps(stdout, steps)
	if o.dryRun {
		fmt.Fprintln(stdout, "\nDry run: nothing changed.")
		return 0
	}
	res, err := setup.Apply(ctx, client, steps, nil)
	fmt.Fprintf(stdout, "\n%d created, %d updated, %d deleted.\n", res.Created, res.Updated, res.Deleted)
	if err != nil {
		return fail(err)
	}
	if url := res.QueueURLs[w.Queue]; url != "" && !w.Delete {
		served := servedFlags(setup.Serves(observed, w))
		fmt.Fprintf(stdout, "Next: drainer run --queue-url %s%s\n      drainer doctor --queue-url %s%s\n", url, served, url, served)
	}
	return 0
}

// servedFlags are the --cluster and --hook flags of `drainer run` and
// `drainer doctor` for what setup's rules serve (setup.Serves): every
// cluster, and every hook unless drainer's default alone.
func servedFlags(clusters, hooks []string) string {
	var b strings.Builder
	for _, c := range clusters {
		b.WriteString(" --cluster " + c)
	}
	if !slices.Equal(hooks, assembly.DefaultSettings().Hooks) {
		for _, h := range hooks {
			b.WriteString(" --hook " + h)
		}
	}
	return b.String()
}

// printSteps prints a plan, one step a line: action, kind, resource, why.
func printSteps(w io.Writer, steps []setup.Step) {
	if len(steps) == 0 {
		fmt.Fprintln(w, "  nothing to do")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, s := range steps {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", s.Action, s.Kind, s.Resource(), s.Why)
	}
	tw.Flush()
}
