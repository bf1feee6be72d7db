package doctor

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/setup"
)

// flagsOf reads a command's "--name value" pairs (values as shellWord
// wrote them, unquoted).
func flagsOf(t *testing.T, cmd string) map[string]string {
	t.Helper()
	out := map[string]string{}
	words := strings.Fields(cmd)
	for i := 0; i+1 < len(words); i++ {
		if name, ok := strings.CutPrefix(words[i], "--"); ok {
			out[name] = strings.Trim(words[i+1], "'")
		}
	}
	return out
}

// TestPutHookCommandIsSetups: the put-lifecycle-hook command of doctor's
// fix makes the hook setup's plan makes, for the default queue and hook
// and for others.
func TestPutHookCommandIsSetups(t *testing.T) {
	for _, w := range []setup.Want{
		{Clusters: []string{"demo"}},
		{Clusters: []string{"demo", "batch"}, Queue: "team-q", Hook: "team-drain"},
	} {
		steps, err := setup.Plan(setup.Observed{Partition: "aws", Region: "us-east-1", Account: "123456789012",
			Clusters: []setup.Cluster{{Name: "demo", ARN: "arn:aws:ecs:us-east-1:123456789012:cluster/demo"}},
			Groups:   []setup.Group{{Name: "g", Joins: []string{"capacity provider cp of cluster demo"}}}}, w)
		if err != nil {
			t.Fatal(err)
		}
		var want cloud.LifecycleHook
		for _, s := range steps {
			if s.Kind == setup.KindHook {
				want = s.Hook
			}
		}
		w = w.WithDefaults()
		f := fixer{Conventions: SetupConventions, clusters: w.Clusters, queue: w.Queue, hook: w.Hook}
		cmd := f.putHookCommand("g")
		flags := flagsOf(t, cmd)
		heartbeat, _ := strconv.Atoi(flags["heartbeat-timeout"])
		got := cloud.LifecycleHook{Name: flags["lifecycle-hook-name"], Group: flags["auto-scaling-group-name"],
			Transition: flags["lifecycle-transition"], HeartbeatTimeout: time.Duration(heartbeat) * time.Second,
			DefaultResult: cloud.LifecycleResult(flags["default-result"]), NotificationTarget: flags["notification-target-arn"],
			Role: flags["role-arn"], NotificationMetadata: flags["notification-metadata"]}
		if got != want {
			t.Errorf("%s\nmakes %+v\nsetup makes %+v", cmd, got, want)
		}
		setupCmd := f.setupCommand()
		if sf := flagsOf(t, setupCmd); (w.Queue != setup.DefaultQueue) != (sf["queue"] == w.Queue) || (w.Hook != drain.DefaultHook) != (sf["hook"] == w.Hook) ||
			strings.Count(setupCmd, "--cluster ") != len(w.Clusters) {
			t.Errorf("setup command %q for %+v", setupCmd, w)
		}
	}
}

func TestShellWord(t *testing.T) {
	for in, want := range map[string]string{
		"web-asg":                "web-asg",
		"drainer:setup=q":        "drainer:setup=q",
		"arn:aws:sqs:r:1:q":      "arn:aws:sqs:r:1:q",
		"two words":              "'two words'",
		`{"a":["b"]}`:            `'{"a":["b"]}'`,
		"it's":                   `'it'\''s'`,
		"":                       "''",
		"$(rm -rf /)":            "'$(rm -rf /)'",
		"group;reboot":           "'group;reboot'",
		"team/drain_hook-1.v2+x": "team/drain_hook-1.v2+x",
	} {
		if got := shellWord(in); got != want {
			t.Errorf("shellWord(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestFixesWithoutConventions: a caller that passes no Conventions (setup's
// own tests) still gets commands that paste as they are, without what only
// setup's conventions give.
func TestFixesWithoutConventions(t *testing.T) {
	f := fixer{clusters: []string{"demo"}, queue: "drainer", queueARN: drainerARN, hook: "drainer"}
	hc := hookContext{owned: []string{"drainer"}, queue: "drainer", lifecycleRule: routeNo, fix: f}
	got := missingHookFix("g", hc)
	want := "drainer setup --cluster demo --queue drainer\nor drainer's hook on this group alone, as setup makes it:\n" +
		"aws autoscaling put-lifecycle-hook --auto-scaling-group-name g --lifecycle-hook-name drainer --lifecycle-transition autoscaling:EC2_INSTANCE_TERMINATING --default-result CONTINUE\n" +
		"the hook has no notification target: its lifecycle actions reach queue drainer through the EventBridge rule drainer-lifecycle-actions, missing too (drainer setup makes it):"
	if got != want {
		t.Errorf("fix:\n%s\nwant:\n%s", got, want)
	}
}

// TestFixHookCommandsAreWhole: every put-lifecycle-hook command doctor
// gives for drainer's hook puts the whole hook: the fixes of one hook are
// the same command, with every setting fixed at once and the hook's
// target, role and metadata as they are, so any one pasted alone is right
// and drops nothing.
func TestFixHookCommandsAreWhole(t *testing.T) {
	const (
		role = "arn:aws:iam::123456789012:role/hook-role"
		cmd  = "aws autoscaling put-lifecycle-hook --auto-scaling-group-name g --lifecycle-hook-name drainer --lifecycle-transition autoscaling:EC2_INSTANCE_TERMINATING"
	)
	withRole := func(h *cloud.LifecycleHook) { h.Role = role }
	marked := func(h *cloud.LifecycleHook) { h.NotificationMetadata = "drainer:setup=drainer" }
	ownMeta := func(h *cloud.LifecycleHook) { h.NotificationMetadata = `{"team": "web"}` }
	setups := fixer{Conventions: SetupConventions, clusters: []string{"demo"}, queue: "drainer", hook: "drainer"}
	bare := fixer{clusters: []string{"demo"}, queue: "drainer", hook: "drainer"}
	tests := []struct {
		name  string
		fix   fixer
		hook  cloud.LifecycleHook
		fixes int    // findings with advice
		want  string // the command each gives
	}{
		{"setup's hook with ABANDON", setups, hook("drainer", "", result(cloud.LifecycleAbandon), marked), 1,
			cmd + " --heartbeat-timeout 900 --default-result CONTINUE --notification-metadata drainer:setup=drainer"},
		{"a short heartbeat and ABANDON: one command fixes both", setups, hook("drainer", "", heartbeat(2*time.Minute), result(cloud.LifecycleAbandon), marked), 2,
			cmd + " --heartbeat-timeout 900 --default-result CONTINUE --notification-metadata drainer:setup=drainer"},
		{"the longest heartbeat, CONTINUE", setups, hook("drainer", "", heartbeat(7200*time.Second)), 1,
			cmd + " --heartbeat-timeout 900 --default-result CONTINUE"},
		{"a hand-made hook with a target, role and metadata keeps them", setups, hook("drainer", drainerARN, heartbeat(time.Hour), result(cloud.LifecycleAbandon), withRole, ownMeta), 1,
			cmd + " --heartbeat-timeout 3600 --default-result CONTINUE --notification-target-arn " + drainerARN + " --role-arn " + role + ` --notification-metadata '{"team": "web"}'`},
		{"a sensible heartbeat is kept as it is", setups, hook("drainer", "", heartbeat(5*time.Minute), result(cloud.LifecycleAbandon)), 1,
			cmd + " --heartbeat-timeout 300 --default-result CONTINUE"},
		{"a heartbeat not reported gets setup's", setups, hook("drainer", "", heartbeat(0), result(cloud.LifecycleAbandon)), 1,
			cmd + " --heartbeat-timeout 900 --default-result CONTINUE"},
		{"without setup's conventions, the hook's own heartbeat", bare, hook("drainer", "", heartbeat(2*time.Minute), result(cloud.LifecycleAbandon)), 1,
			cmd + " --heartbeat-timeout 120 --default-result CONTINUE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var advice []string
			for _, f := range ownHook("g", tt.hook, hookContext{owned: []string{"drainer"}, fix: tt.fix}) {
				if f.Advice != "" {
					advice = append(advice, f.Advice)
				}
			}
			if len(advice) != tt.fixes {
				t.Fatalf("%d fixes %q, want %d", len(advice), advice, tt.fixes)
			}
			for _, a := range advice {
				if a != tt.want {
					t.Errorf("fix\n%s\nwant\n%s", a, tt.want)
				}
				flags := flagsOf(t, a)
				for _, f := range []string{"lifecycle-transition", "heartbeat-timeout", "default-result"} {
					if flags[f] == "" {
						t.Errorf("fix sets no --%s: %s", f, a)
					}
				}
				if flags["notification-target-arn"] != tt.hook.NotificationTarget || flags["role-arn"] != tt.hook.Role ||
					tt.hook.NotificationMetadata != "" && !strings.HasSuffix(a, " --notification-metadata "+shellWord(tt.hook.NotificationMetadata)) {
					t.Errorf("fix changes the hook's target, role or metadata: %s", a)
				}
			}
		})
	}
}
