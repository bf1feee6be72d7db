package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/emulator"
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

// callsBy returns the operations the emulator at endpoint logged from
// caller (the access key id of its credentials), each once.
func callsBy(t *testing.T, endpoint, caller string) []iampolicy.Call {
	t.Helper()
	var answer struct {
		Calls []emulator.Call `json:"calls"`
	}
	if err := json.Unmarshal([]byte(getText(t, endpoint+"/_emulator/calls")), &answer); err != nil {
		t.Fatalf("call log: %v", err)
	}
	var out []iampolicy.Call
	for _, c := range answer.Calls {
		call := iampolicy.Call{Service: c.Service, Operation: c.Operation}
		if c.Caller == caller && !slices.Contains(out, call) {
			out = append(out, call)
		}
	}
	return out
}

// checkCovered fails t unless mode's policy allows each of calls, and
// calls hold each of want (so that the test showed what it means to).
func checkCovered(t *testing.T, who string, mode iampolicy.Mode, calls []iampolicy.Call, want ...string) {
	t.Helper()
	t.Logf("%s called %v", who, calls)
	if missing := iampolicy.Uncovered(mode, calls); len(missing) > 0 {
		t.Errorf("%s called %s, which the %s policy (drainer iam-policy --mode %s) does not allow", who, strings.Join(missing, ", "), mode, mode)
	}
	for _, w := range want {
		service, op, _ := strings.Cut(w, ":")
		if !slices.Contains(calls, iampolicy.Call{Service: service, Operation: op}) {
			t.Errorf("%s made no %s call: %v", who, w, calls)
		}
	}
}

// freeAddress is a loopback address nothing listens on as it returns.
func freeAddress(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestIAMPolicyCoversTheCommands runs drainer doctor, then drainer run
// with its dashboard, an operator's drain and drainer status, through the
// CLI against the emulator, and checks each call they made against the
// policy `drainer iam-policy` prints for them: doctor's against the run
// and the setup policies (doctor runs beside either), run's against the
// run policy.
func TestIAMPolicyCoversTheCommands(t *testing.T) {
	isolateAWS(t)
	ctx := testContext(t)
	endpoint, _ := startEmulator(t, "--manual", "--scenario", "../../doctor/testdata/doctor.yaml")
	advanceEmulator(t, endpoint, 5*time.Minute) // the instances boot and register, the services place their tasks
	var queueURL string
	for _, q := range getSnapshot(t, endpoint).Queues {
		if strings.HasSuffix(q.URL, "/drainer") {
			queueURL = q.URL
		}
	}
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")

	t.Setenv("AWS_ACCESS_KEY_ID", "doctor")
	var out, errb bytes.Buffer
	code := run(ctx, []string{"doctor", "--region", "us-east-1", "--endpoint-url", endpoint, "--queue-url", queueURL, "--cluster", "demo"}, &out, &errb)
	if code != 1 || errb.Len() > 0 {
		t.Fatalf("drainer doctor: exit %d, stderr %q; want 1 (the world's FAILs) and every read answered", code, errb.String())
	}
	doctorCalls := callsBy(t, endpoint, "doctor")
	checkCovered(t, "drainer doctor", iampolicy.Run, doctorCalls, "events:ListRules", "events:ListTargetsByRule", "ecs:DescribeServices")
	checkCovered(t, "drainer doctor", iampolicy.Setup, doctorCalls)

	t.Setenv("AWS_ACCESS_KEY_ID", "drainer-run")
	ui := freeAddress(t)
	apiURL, _, stop := startController(t, "--queue-url", queueURL, "--endpoint-url", endpoint, "--region", "us-east-1",
		"--cluster", "demo", "--hook", "drain-hook", "--ui-listen", ui)
	snap := getSnapshot(t, endpoint)
	var instance string
	for _, ci := range snap.Clusters[0].ContainerInstances {
		if ci.Status == "ACTIVE" {
			instance = ci.EC2InstanceID
		}
	}
	if code := run(ctx, []string{"drain", instance, "--deadline", "10m", "--api", apiURL}, &out, &errb); code != 0 {
		t.Fatalf("drainer drain %s: exit %d, %s", instance, code, errb.String())
	}
	if code := run(ctx, []string{"status", "--api", apiURL}, &out, &errb); code != 0 || !strings.Contains(out.String(), instance) {
		t.Fatalf("drainer status: exit %d, %s%s", code, out.String(), errb.String())
	}
	if page := getText(t, "http://"+ui+"/snapshot"); !strings.Contains(page, "demo") {
		t.Fatalf("the dashboard's snapshot names no cluster demo: %s", page)
	}
	waitFor(ctx, t, "drainer run to set "+instance+" DRAINING and receive from its queue", func() bool {
		calls := callsBy(t, endpoint, "drainer-run")
		return slices.Contains(calls, iampolicy.Call{Service: "ecs", Operation: "UpdateContainerInstancesState"}) &&
			slices.Contains(calls, iampolicy.Call{Service: "sqs", Operation: "ReceiveMessage"})
	})
	advanceEmulator(t, endpoint, time.Minute) // the queue's long polls return
	if c := stop(); c != 0 {
		t.Errorf("drainer run exit code %d after a clean stop, want 0", c)
	}
	checkCovered(t, "drainer run", iampolicy.Run, callsBy(t, endpoint, "drainer-run"),
		"ecs:PutAttributes", "autoscaling:DescribeScalingActivities", "ecs:ListAttributes")
}
