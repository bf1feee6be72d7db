package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestSetupEmulator runs `drainer setup` against `drainer emulator`: a dry
// run prints the plan and changes nothing; setup creates drainer's queue,
// rules and hooks and says how to run drainer; a second run keeps
// everything; `drainer doctor` then finds nothing failing; --delete
// removes it all.
func TestSetupEmulator(t *testing.T) {
	isolateAWS(t)
	endpoint, _ := startEmulator(t, "--manual", "--scenario", "testdata/setup.yaml")
	advanceEmulator(t, endpoint, 5*time.Minute) // the instances boot and register
	t.Setenv("AWS_ACCESS_KEY_ID", "x")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "x")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	aws := []string{"--region", "us-east-1", "--endpoint-url", endpoint}
	drainer := func(args ...string) (int, string, string) {
		t.Helper()
		var out, errb bytes.Buffer
		code := run(context.Background(), append(append(args[:1:1], aws...), args[1:]...), &out, &errb)
		return code, out.String(), errb.String()
	}
	lines := func(out, prefix string) int {
		n := 0
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, prefix) {
				n++
			}
		}
		return n
	}

	for range 2 { // a dry run changes nothing: the second plans the same
		code, out, errs := drainer("setup", "--cluster", "web", "--cluster", "api", "--dry-run")
		if code != 0 || errs != "" {
			t.Fatalf("dry run: exit %d, stderr %q", code, errs)
		}
		if lines(out, "  create") != 8 || !strings.Contains(out, "\nDry run: nothing changed.\n") || !strings.HasPrefix(out, "Plan for cluster(s) web, api (queue drainer, hook drainer):\n") {
			t.Fatalf("dry run printed:\n%s", out)
		}
	}

	code, out, errs := drainer("setup", "--cluster", "web", "--cluster", "api")
	if code != 0 || errs != "" {
		t.Fatalf("setup: exit %d, stderr %q\n%s", code, errs, out)
	}
	for _, want := range []string{
		"  create  dead-letter queue  drainer-dlq ",
		"  create  rule               drainer-tasks-stopped ",
		"  create  hook               web-asg/drainer ",
		"capacity provider web-cp of cluster web",
		"\n8 created, 0 updated, 0 deleted.\n",
		"Next: drainer run --queue-url " + endpoint + "/123456789012/drainer --cluster web --cluster api\n",
		"drainer doctor --queue-url " + endpoint + "/123456789012/drainer --cluster web --cluster api\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("setup printed no %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "other-asg") {
		t.Errorf("setup touched the group of another team's cluster:\n%s", out)
	}

	code, out, errs = drainer("setup", "--cluster", "web", "--cluster", "api")
	if code != 0 || errs != "" || lines(out, "  keep") != 8 || lines(out, "  create")+lines(out, "  update") != 0 || !strings.Contains(out, "\n0 created, 0 updated, 0 deleted.\n") {
		t.Errorf("second setup: exit %d, stderr %q, want all keep:\n%s", code, errs, out)
	}

	// A setup naming fewer clusters keeps web in the rules: its plan lists
	// web's hook, and its Next lines name web too, so that drainer run
	// serves the hook the rules keep.
	code, out, errs = drainer("setup", "--cluster", "api")
	queueURL := endpoint + "/123456789012/drainer"
	for _, want := range []string{
		"(an earlier setup's rules serve more, which this one keeps: cluster(s) api, web, hook(s) drainer)\n",
		"  keep  hook               web-asg/drainer              kept with its cluster, which an earlier setup's rules serve",
		"\n0 created, 0 updated, 0 deleted.\n",
		"Next: drainer run --queue-url " + queueURL + " --cluster api --cluster web\n",
		"      drainer doctor --queue-url " + queueURL + " --cluster api --cluster web\n",
	} {
		if code != 0 || errs != "" || !strings.Contains(out, want) {
			t.Errorf("setup --cluster api: exit %d, stderr %q, printed no %q:\n%s", code, errs, want, out)
		}
	}

	code, out, errs = drainer("doctor", "--cluster", "web", "--cluster", "api")
	if code != 0 || errs != "" || !strings.Contains(out, "\n0 FAIL, ") {
		t.Errorf("doctor after setup: exit %d, stderr %q:\n%s", code, errs, out)
	}

	code, out, errs = drainer("setup", "--cluster", "web", "--cluster", "api", "--delete")
	if code != 0 || errs != "" || lines(out, "  delete") != 8 || !strings.Contains(out, "\n0 created, 0 updated, 8 deleted.\n") || strings.Contains(out, "Next:") {
		t.Errorf("setup --delete: exit %d, stderr %q:\n%s", code, errs, out)
	}
	code, out, _ = drainer("setup", "--cluster", "web", "--cluster", "api", "--delete", "--dry-run")
	if code != 0 || !strings.Contains(out, "  nothing to do\n") {
		t.Errorf("setup --delete after --delete: exit %d:\n%s", code, out)
	}
}

// TestSetupRefuses: bad flags exit 2; what setup cannot do without
// touching what is not its own, or cannot find, exits 1 saying why.
func TestSetupRefuses(t *testing.T) {
	isolateAWS(t)
	endpoint, _ := startEmulator(t, "--manual", "--scenario", "testdata/setup.yaml")
	t.Setenv("AWS_ACCESS_KEY_ID", "x")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "x")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	aws := []string{"--region", "us-east-1", "--endpoint-url", endpoint}
	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no cluster", nil, 2, "drainer setup: name at least one cluster"},
		{"a heartbeat Auto Scaling refuses", []string{"--cluster", "web", "--heartbeat", "3h"}, 2, "heartbeat 3h0m0s: Auto Scaling takes whole seconds from 30s to 2h0m0s"},
		{"a hook name Auto Scaling refuses", []string{"--cluster", "web", "--hook", "my hook"}, 2, `hook name "my hook"`},
		{"an empty hook name", []string{"--cluster", "web", "--hook", ""}, 2, "--hook and --queue need a name"},
		{"an empty queue name", []string{"--cluster", "web", "--queue", " "}, 2, "--hook and --queue need a name"},
		{"an unknown cluster", []string{"--cluster", "web", "--cluster", "nope"}, 1, "drainer setup: cluster nope does not exist"},
		{"a cluster no group joins", []string{"--cluster", "empty"}, 1, "drainer setup: no Auto Scaling group joins cluster(s) empty"},
		{"another team's queue", []string{"--cluster", "web", "--queue", "theirs"}, 1, "drainer setup: queue theirs exists and is not drainer setup's (no drainer:setup tag)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), append(append([]string{"setup"}, aws...), tt.args...), &out, &errb)
			if code != tt.code || !strings.Contains(errb.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errb.String(), tt.code, tt.want)
			}
			if strings.Contains(out.String(), "created") {
				t.Errorf("a refused setup applied something:\n%s", out.String())
			}
		})
	}
}

// TestServedFlags: the Next lines name every cluster, and every hook
// unless drainer's default alone (drainer run then owns it unasked).
func TestServedFlags(t *testing.T) {
	for _, tt := range []struct {
		clusters, hooks []string
		want            string
	}{
		{[]string{"api"}, []string{"drainer"}, " --cluster api"},
		{[]string{"api", "web"}, []string{"drainer"}, " --cluster api --cluster web"},
		{[]string{"api"}, []string{"team-drain"}, " --cluster api --hook team-drain"},
		{[]string{"api", "web"}, []string{"drainer", "old-hook"}, " --cluster api --cluster web --hook drainer --hook old-hook"},
	} {
		if got := servedFlags(tt.clusters, tt.hooks); got != tt.want {
			t.Errorf("servedFlags(%v, %v) = %q, want %q", tt.clusters, tt.hooks, got, tt.want)
		}
	}
}
