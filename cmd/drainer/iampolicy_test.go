package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/drainer-dev/drainer/iampolicy"
)

// TestIAMPolicy: `drainer iam-policy` prints the policy of the mode as JSON
// on stdout, says on stderr what is "*", and refuses bad input with why.
func TestIAMPolicy(t *testing.T) {
	for _, tc := range []struct {
		name         string
		args         []string
		code         int
		stdout       []string       // each in stdout
		stderr       []string       // each in stderr
		quiet        bool           // nothing on stderr: everything is named
		policyOfMode iampolicy.Mode // stdout is this mode's policy
	}{
		{name: "run, nothing named", args: nil, policyOfMode: iampolicy.Run,
			stdout: []string{`"Version": "2012-10-17"`, `"arn:aws:ecs:*:*:cluster/*"`, `"events:ListRules"`},
			stderr: []string{`"*" for no Region (--region)`, "no cluster (--cluster)", "no group (--group, --group-prefix)", "no queue (--queue)"}},
		{name: "lambda, everything named", policyOfMode: iampolicy.Lambda,
			args: []string{"--mode", "lambda", "--queue", "arn:aws:sqs:eu-west-1:123456789012:drainer", "--cluster", "prod",
				"--group-prefix", "ecs-", "--function", "drainer"},
			stdout: []string{`"arn:aws:sqs:eu-west-1:123456789012:drainer"`, `"arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/drainer"`,
				`"arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:*:autoScalingGroupName/ecs-*"`},
			quiet: true},
		{name: "setup", args: []string{"--mode", "setup", "--region", "us-east-1", "--account", "123456789012", "--queue", "drainer",
			"--cluster", "prod", "--group", "web"}, policyOfMode: iampolicy.Setup,
			stdout: []string{`"autoscaling:PutLifecycleHook"`, `"arn:aws:sqs:us-east-1:123456789012:drainer*"`}, quiet: true},
		{name: "list", args: []string{"--list", "--mode", "run"},
			stdout: []string{"autoscaling:DescribeScalingActivities", "events:ListTargetsByRule   ", "ec2:DescribeInstanceAttribute"}},
		{name: "bad mode", args: []string{"--mode", "dev"}, code: 2, stderr: []string{`unknown mode "dev": want one of run, lambda, setup`}},
		{name: "wildcard group", args: []string{"--group", "web-*"}, code: 2, stderr: []string{"IAM wildcards", "--group-prefix"}},
		{name: "bad account", args: []string{"--account", "12345"}, code: 2, stderr: []string{`account "12345": want a 12-digit AWS account id`}},
		{name: "Regions disagree", args: []string{"--region", "us-east-1", "--queue", "arn:aws:sqs:eu-west-1:123456789012:q"}, code: 2,
			stderr: []string{"Region us-east-1 and eu-west-1: name one"}},
		{name: "stray argument", args: []string{"run"}, code: 2, stderr: []string{`unexpected argument "run"`}},
		{name: "help", args: []string{"-h"}, code: 0, stderr: []string{"Usage: drainer iam-policy", "-group-prefix"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), append([]string{"iam-policy"}, tc.args...), &out, &errb)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tc.code, errb.String())
			}
			for _, w := range tc.stdout {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tc.stderr {
				if !strings.Contains(errb.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, errb.String())
				}
			}
			if tc.quiet && errb.Len() > 0 {
				t.Errorf("stderr %q, want nothing: everything is named", errb.String())
			}
			if tc.policyOfMode == "" {
				return
			}
			var doc iampolicy.Document
			dec := json.NewDecoder(&out)
			dec.DisallowUnknownFields()
			if err := dec.Decode(&doc); err != nil {
				t.Fatalf("stdout is not a policy document: %v", err)
			}
			got := map[string]bool{}
			for _, s := range doc.Statement {
				for _, a := range s.Action {
					got[a] = true
				}
			}
			for _, p := range iampolicy.Permissions(tc.policyOfMode) {
				if !got[p.Action] {
					t.Errorf("the %s policy lacks %s", tc.policyOfMode, p.Action)
				}
				delete(got, p.Action)
			}
			if len(got) > 0 {
				t.Errorf("the %s policy has more: %v", tc.policyOfMode, got)
			}
		})
	}
}
