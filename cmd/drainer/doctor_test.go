package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/doctor"
)

// advanceEmulator moves a --manual emulator's clock.
func advanceEmulator(t *testing.T, endpoint string, d time.Duration) {
	t.Helper()
	resp, err := http.Post(endpoint+"/_emulator/clock/advance", "application/json", strings.NewReader(`{"duration":"`+d.String()+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("advance the clock: %s", resp.Status)
	}
}

// emulatorStart is the virtual time a scenario without start begins at.
var emulatorStart = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

// TestDoctorEmulator runs `drainer doctor` against `drainer emulator` on
// package doctor's test world (its findings are checked there): the flags
// and their environment variables reach the checks, the findings print one
// a line with their fix below, and a FAIL exits 1.
func TestDoctorEmulator(t *testing.T) {
	isolateAWS(t)
	endpoint, _ := startEmulator(t, "--manual", "--scenario", "../../doctor/testdata/doctor.yaml")
	advanceEmulator(t, endpoint, 5*time.Minute) // the instances boot and register, the services place their tasks
	t.Setenv("AWS_ACCESS_KEY_ID", "x")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "x")
	t.Setenv("AWS_MAX_ATTEMPTS", "1") // a failed call fails the test
	for _, c := range []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"flags", nil, []string{"--queue-url", endpoint + "/123456789012/drainer", "--cluster", "demo", "--hook", "drain-hook"}},
		{"environment", map[string]string{"DRAINER_QUEUE_URL": "drainer", "DRAINER_CLUSTERS": "demo", "DRAINER_HOOKS": "drain-hook"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			var out, errb bytes.Buffer
			o, code, ok := parseDoctor(append([]string{"--region", "us-east-1", "--endpoint-url", endpoint}, c.args...), &errb)
			if !ok {
				t.Fatalf("flags: exit %d, %s", code, errb.String())
			}
			// doctor judges lifetimes against the wall clock: here, the world's.
			o.now = func() time.Time { return emulatorStart.Add(5 * time.Minute) }
			code = checkSetup(context.Background(), o, &out, &errb)
			if code != 1 || errb.Len() > 0 {
				t.Errorf("exit %d, stderr %q; want 1 (a group without a hook is a FAIL) and nothing", code, errb.String())
			}
			for _, want := range []string{
				"OK    cluster demo: 4 container instance(s), Auto Scaling group(s) abandon, good, nohook, other\n",
				"FAIL  group nohook: no termination lifecycle hook: its instances are terminated without being drained\n      fix: drainer setup --cluster demo --hook drain-hook\n           or drainer's hook on this group alone, as setup makes it:\n           aws autoscaling put-lifecycle-hook --auto-scaling-group-name nohook ",
				"OK    group good hook drain-hook: notifies queue drainer\n",
				"OK    group other hook their-hook: another team's hook",
				"FAIL  group other: no termination hook drainer owns (their-hook; drainer owns drain-hook)",
				"WARN  service demo/web: minimumHealthyPercent 100 and maximumPercent 100",
				"ECS's managed draining hook (capacity provider managedDraining): ECS drains and completes it, drainer leaves it alone",
				"\n\n2 FAIL, 3 WARN, 10 OK\n",
			} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("no %q in the output:\n%s", want, out.String())
				}
			}
		})
	}
}

func TestPrintFindings(t *testing.T) {
	var out bytes.Buffer
	printFindings(&out, []doctor.Finding{
		{Severity: doctor.OK, Subject: doctor.Subject{Kind: doctor.KindCluster, Name: "demo"}, Message: "fine"},
		{Severity: doctor.Fail, Subject: doctor.Subject{Kind: doctor.KindGroup, Name: "asg"}, Message: "no hook", Advice: "put one"},
		{Severity: doctor.Warn, Subject: doctor.Subject{Kind: doctor.KindRules}, Message: "cannot tell", Advice: "drainer setup\nor:\naws events put-rule"},
	})
	want := "OK    cluster demo: fine\nFAIL  group asg: no hook\n      fix: put one\nWARN  EventBridge rules: cannot tell\n      fix: drainer setup\n           or:\n           aws events put-rule\n\n1 FAIL, 1 WARN, 1 OK\n"
	if out.String() != want {
		t.Errorf("printed %q, want %q", out.String(), want)
	}
	out.Reset()
	printFindings(&out, nil)
	if out.String() != "\n0 FAIL, 0 WARN, 0 OK\n" {
		t.Errorf("no findings printed %q", out.String())
	}
}

func TestDoctorConfigurationErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no region", map[string]string{"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y"}, nil, "no AWS region"},
		{"no credentials", nil, []string{"--region", "us-east-1"}, "no AWS credentials"},
		{"unreachable endpoint", map[string]string{"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y", "AWS_MAX_ATTEMPTS": "1"},
			[]string{"--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:1"}, "list the ECS clusters"},
	} {
		t.Run(c.name, func(t *testing.T) {
			isolateAWS(t)
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			var out, errb bytes.Buffer
			code := run(context.Background(), append([]string{"doctor"}, c.args...), &out, &errb)
			if code != 1 || !strings.Contains(errb.String(), c.want) || !strings.Contains(errb.String(), "AWS_ENDPOINT_URL") {
				t.Errorf("exit %d, stderr %q; want 1 and %q with the configuration hint", code, errb.String(), c.want)
			}
		})
	}
}
