package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/drainer-dev/drainer/iampolicy"
)

const iamPolicyUsage = `Usage: drainer iam-policy [--mode run|lambda|setup] [--cluster NAME]... [--group NAME]...
       [--group-prefix PREFIX]... [--queue ARN|NAME] [--account ID] [--region R] [--event-bus NAME]
       [--function NAME] [--list]

Prints the least-privilege IAM policy drainer needs, as the JSON document IAM accepts: for
'drainer run' and 'drainer doctor' (run), drainer as a Lambda function (lambda: its execution
role, the SQS event source mapping's reads included), or 'drainer setup' (setup). Actions go on
the clusters, groups, queue, account and Region named; each part left unnamed is "*", and
stderr says so. --list prints the actions instead, with what each is for.
`

// runIAMPolicy is `drainer iam-policy`.
func runIAMPolicy(_ context.Context, args []string, stdout, stderr io.Writer) int {
	var t iampolicy.Target
	mode, list := iampolicy.Run, false
	fs := newFlagSet("drainer iam-policy", iamPolicyUsage, stderr)
	fs.Func("mode", "what the policy is for: run, lambda or setup (default run)", func(s string) (err error) {
		mode, err = iampolicy.ParseMode(s)
		return err
	})
	fs.Func("cluster", "ECS cluster drainer serves, by name or ARN; repeat for several", t.AddCluster)
	fs.Func("group", "Auto Scaling group drainer acts in, by name or ARN; repeat for several", t.AddGroup)
	fs.Func("group-prefix", "prefix of the names of more Auto Scaling groups; repeat for several", t.AddGroupPrefix)
	fs.Func("queue", "drainer's SQS queue: its ARN (which names its account and Region too), URL or name", t.SetQueue)
	fs.Func("account", "12-digit AWS account id of the resources", t.SetAccount)
	fs.Func("region", "AWS Region of the resources, e.g. us-east-1", t.SetRegion)
	fs.StringVar(&t.EventBus, "event-bus", "", "EventBridge bus drain events go to, by name or ARN (default the default bus)")
	fs.StringVar(&t.Function, "function", "", "name of drainer's Lambda function (--mode lambda: its logs)")
	fs.BoolVar(&list, "list", false, "print the actions, what each is narrowed to and what it is for, not the policy")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if err := t.Check(); err != nil {
		return usageError(fs, "%s", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	if list {
		ps := iampolicy.Permissions(mode)
		width := 0
		for _, p := range ps {
			width = max(width, len(p.Action))
		}
		for _, p := range ps {
			fmt.Fprintf(stdout, "%-*s  %-20s %s\n", width, p.Action, p.Resource, p.Why)
		}
		return 0
	}
	doc := iampolicy.Policy(mode, t)
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		fmt.Fprintf(stderr, "drainer iam-policy: %v\n", err)
		return 1
	}
	for _, why := range t.Unscoped(mode) {
		fmt.Fprintf(stderr, "drainer iam-policy: \"*\" for %s\n", why)
	}
	if n := doc.Size(); n > iampolicy.ManagedPolicyMaxSize {
		fmt.Fprintf(stderr, "drainer iam-policy: the policy has %d characters, more than a managed policy's %d (an inline role policy may have %d): name group prefixes rather than groups\n",
			n, iampolicy.ManagedPolicyMaxSize, iampolicy.InlineRolePolicyMaxSize)
	}
	return 0
}
