package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/cloud"
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

// setWallNow makes status, watch and doctor see now as the time.
func setWallNow(t *testing.T, now func() time.Time) {
	t.Helper()
	old := wallNow
	wallNow = now
	t.Cleanup(func() { wallNow = old })
}

// emulatorStart is the virtual time a scenario without start begins at.
var emulatorStart = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

// instanceOf is the instance id of the first "instance i-…:" finding
// whose line contains what.
func instanceOf(out, what string) string {
	for _, l := range strings.Split(out, "\n") {
		if _, rest, ok := strings.Cut(l, "instance "); ok && strings.Contains(l, what) {
			id, _, _ := strings.Cut(rest, ":")
			return id
		}
	}
	return "(none)"
}

// findingLine returns the first output line (with its fix line) that
// starts with sev and is about subject.
func findingLine(out, sev, subject string) string {
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, sev+" ") && strings.Contains(l, subject+":") {
			if i+1 < len(lines) && strings.HasPrefix(lines[i+1], "      fix: ") {
				return l + "\n" + lines[i+1]
			}
			return l
		}
	}
	return ""
}

func TestDoctorEmulator(t *testing.T) {
	isolateAWS(t)
	endpoint, _ := startEmulator(t, "--manual", "--scenario", "testdata/doctor.yaml")
	advanceEmulator(t, endpoint, 5*time.Minute) // the instances boot and register, the services place their tasks
	t.Setenv("AWS_ACCESS_KEY_ID", "x")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "x")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	doctor := func(now time.Time, extra ...string) (int, string) {
		t.Helper()
		setWallNow(t, func() time.Time { return now })
		var out, errb bytes.Buffer
		code := run(context.Background(), append([]string{"doctor", "--region", "us-east-1", "--endpoint-url", endpoint}, extra...), &out, &errb)
		if errb.Len() > 0 {
			t.Errorf("stderr: %s", errb.String())
		}
		return code, out.String()
	}

	code, out := doctor(emulatorStart.Add(5*time.Minute), "--queue-url", endpoint+"/123456789012/drainer", "--cluster", "demo")
	if code != 1 {
		t.Errorf("exit %d, want 1 (a group without a hook is a FAIL)", code)
	}
	for _, c := range []struct {
		sev, subject, want string
	}{
		{"OK", "cluster demo", "abandon, good, nohook, other"},
		{"FAIL", "group nohook", "no termination lifecycle hook"},
		{"FAIL", "group nohook", "fix: aws autoscaling put-lifecycle-hook --auto-scaling-group-name nohook"},
		{"WARN", "group abandon hook drain-hook", "default result ABANDON"},
		{"WARN", "group abandon hook drain-hook", "--default-result CONTINUE"},
		{"OK", "group abandon", "notifies queue drainer"},
		{"OK", "group good hook drain-hook", "heartbeat timeout 15m, default result CONTINUE"},
		{"OK", "group good", "notifies queue drainer"},
		{"WARN", "group other hook their-hook", "heartbeat timeout 2m is short"},
		{"FAIL", "group other", "no termination hook notifies queue drainer"},
		{"WARN", "service demo/web", "minimumHealthyPercent 100 and maximumPercent 100"},
		{"WARN", "service demo/web", "maximumPercent=200"},
		{"OK", "maximum lifetime", "no instance is kept past"},
		{"OK", "EventBridge rules", `"EC2 Spot Instance Interruption Warning" reaches the queue`},
		{"WARN", "EventBridge rules", `no enabled rule sends "ECS Task State Change" to the queue`},
	} {
		if l := findingLine(out, c.sev, c.subject); !strings.Contains(l, c.want) {
			t.Errorf("want %s %s: …%s…; got %q", c.sev, c.subject, c.want, l)
		}
	}
	for _, unwanted := range []string{"service demo/api", "service demo/log-agent", "WARN  group good", "FAIL  group good", "FAIL  group abandon"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("unexpected finding %q", unwanted)
		}
	}
	if !strings.HasSuffix(out, "\n2 FAIL, 4 WARN, 7 OK\n") {
		t.Errorf("summary: %s", out)
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}

	// A day later, the protected instance of group good is past the
	// group's 1-day maximum lifetime.
	_, out = doctor(emulatorStart.Add(25*time.Hour), "--queue-url", "drainer")
	if l := findingLine(out, "WARN", "instance "+instanceOf(out, "in group good")); !strings.Contains(l, "in group good") || !strings.Contains(l, "past the group's maximum instance lifetime 24h") || !strings.Contains(l, "fix: ") {
		t.Errorf("no lifetime trap finding; output:\n%s", out)
	}

	// Without --queue-url, the queue checks are left out and the rest stay.
	_, out = doctor(emulatorStart.Add(5 * time.Minute))
	if strings.Contains(out, "notifies queue") {
		t.Errorf("queue findings without --queue-url:\n%s", out)
	}
	if findingLine(out, "FAIL", "group nohook") == "" {
		t.Errorf("no nohook finding without --queue-url:\n%s", out)
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

func TestCheckHooks(t *testing.T) {
	term := func(h cloud.LifecycleHook) cloud.LifecycleHook {
		h.Transition = cloud.LifecycleTransitionTerminating
		if h.Name == "" {
			h.Name = "h"
		}
		return h
	}
	for _, c := range []struct {
		name  string
		hooks []cloud.LifecycleHook
		queue string
		want  []string // "SEV substring" in order
	}{
		{"launch hook only", []cloud.LifecycleHook{{Name: "l", Transition: "autoscaling:EC2_INSTANCE_LAUNCHING"}}, "",
			[]string{"FAIL no termination lifecycle hook"}},
		{"maximum heartbeat", []cloud.LifecycleHook{term(cloud.LifecycleHook{HeartbeatTimeout: 7200 * time.Second, GlobalTimeout: 48 * time.Hour, DefaultResult: "CONTINUE", NotificationTarget: "arn:aws:sqs:us-east-1:1:q"})}, "https://sqs.us-east-1.amazonaws.com/1/q",
			[]string{"WARN heartbeat timeout 7200 s (the maximum) with a global timeout of 2d", "OK notifies queue q"}},
		{"no target", []cloud.LifecycleHook{term(cloud.LifecycleHook{HeartbeatTimeout: 15 * time.Minute, DefaultResult: "CONTINUE"})}, "q",
			[]string{"OK heartbeat timeout 15m", "WARN no notification target", "FAIL no termination hook notifies queue q"}},
		{"two hooks, one to the queue", []cloud.LifecycleHook{
			term(cloud.LifecycleHook{Name: "theirs", HeartbeatTimeout: time.Hour, DefaultResult: "ABANDON", NotificationTarget: "arn:aws:sns:us-east-1:1:topic"}),
			term(cloud.LifecycleHook{Name: "drainer", HeartbeatTimeout: 15 * time.Minute, DefaultResult: "CONTINUE", NotificationTarget: "arn:aws:sqs:us-east-1:1:drainer"}),
		}, "drainer", []string{"OK heartbeat timeout 1h", "WARN default result ABANDON", "OK heartbeat timeout 15m", "OK notifies queue drainer"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := checkHooks("g", c.hooks, c.queue)
			if len(got) != len(c.want) {
				t.Fatalf("findings %+v, want %d: %v", got, len(c.want), c.want)
			}
			for i, w := range c.want {
				sev, sub, _ := strings.Cut(w, " ")
				if string(got[i].Sev) != sev || !strings.Contains(got[i].Message, sub) {
					t.Errorf("finding %d = %s %q, want %s …%s…", i, got[i].Sev, got[i].Message, sev, sub)
				}
				if got[i].Sev != sevOK && got[i].Fix == "" {
					t.Errorf("finding %d (%s) has no fix", i, got[i].Message)
				}
			}
		})
	}
}

func TestQueueNameOf(t *testing.T) {
	for in, want := range map[string]string{
		"https://sqs.us-east-1.amazonaws.com/123456789012/drainer": "drainer",
		"http://127.0.0.1:4566/123456789012/drainer/":              "drainer",
		"arn:aws:sqs:us-east-1:123456789012:drainer":               "drainer",
		"drainer": "drainer",
		"":        "",
	} {
		if got := queueNameOf(in); got != want {
			t.Errorf("queueNameOf(%q) = %q, want %q", in, got, want)
		}
	}
}
