package scenario

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadYAML(t *testing.T) {
	sc, err := Load("testdata/scale-in.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if sc.Name != "scale-in" || sc.Seed != 42 {
		t.Fatalf("name/seed = %q/%d", sc.Name, sc.Seed)
	}
	if got := sc.Groups[0].Hooks[0].HeartbeatTimeout.D(); got != 15*time.Minute {
		t.Fatalf("heartbeat timeout = %v, want 15m", got)
	}
	if got := sc.Timeline[0].At.D(); got != 5*time.Minute || *sc.Timeline[0].Count != 2 {
		t.Fatalf("timeline[0] = %+v", sc.Timeline[0])
	}
	if got := string(sc.Rules[0].Pattern); !strings.Contains(got, `"source":["aws.ec2"]`) {
		t.Fatalf("pattern = %s", got)
	}
}

func TestLoadJSONSameAsYAML(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "s.json")
	js := `{"name":"n","clusters":[{"name":"c"}],"taskDefinitions":[{"family":"f","memory":128,"stop":12}],
	        "services":[{"name":"s","cluster":"c","taskDefinition":"f","desired":2}]}`
	if err := os.WriteFile(p, []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	sc, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := sc.TaskDefinitions[0].Stop.D(); got != 12*time.Second {
		t.Fatalf("a number of seconds decoded as %v", got)
	}
}

func TestInvalidScenarios(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown field", "name: x\nclustrs: []\n", "unknown field"},
		{"undeclared cluster", "name: x\ngroups: [{name: g, cluster: nope, min: 0, max: 1, desired: 1}]\n", `cluster "nope" is not declared`},
		{"desired above max", "name: x\nclusters: [{name: c}]\ngroups: [{name: g, cluster: c, min: 0, max: 1, desired: 2}]\n", "min ≤ desired ≤ max"},
		{"unknown action", "name: x\ntimeline: [{at: 1m, action: explode}]\n", `unknown action "explode"`},
		{"bad duration", "name: x\ntimeline: [{at: soon, action: set-desired}]\n", `invalid duration "soon"`},
		{"hook to undeclared queue", "name: x\nclusters: [{name: c}]\ngroups: [{name: g, cluster: c, min: 0, max: 1, desired: 1, hooks: [{name: h, queue: q}]}]\n", `queue "q" is not declared`},
		{"set-desired without count", "name: x\nclusters: [{name: c}]\ngroups: [{name: g, cluster: c, min: 0, max: 1, desired: 1}]\ntimeline: [{at: 1m, action: set-desired, group: g}]\n", "needs a count"},
		{"set-desired with a negative count", "name: x\nclusters: [{name: c}]\ngroups: [{name: g, cluster: c, min: 0, max: 1, desired: 1}]\ntimeline: [{at: 1m, action: set-desired, group: g, count: -3}]\n", "count -3 is negative"},
		{"bad instance pick", "name: x\nclusters: [{name: c}]\ngroups: [{name: g, cluster: c, min: 0, max: 1, desired: 1}]\ntimeline: [{at: 1m, action: interrupt-spot, group: g, instance: middle}]\n", `instance "middle"`},
		{"job count over RunTask limit", "name: x\nclusters: [{name: c}]\ntaskDefinitions: [{family: f, memory: 1}]\njobs: [{cluster: c, taskDefinition: f, count: 11}]\n", "RunTask's limit"},
		{"ecsProtects without protection", "name: x\nclusters: [{name: c}]\ngroups: [{name: g, cluster: c, min: 0, max: 1, desired: 1, capacityProvider: {name: cp, ecsProtects: true}}]\n", "ecsProtects needs managedTerminationProtection"},
		{"not yaml", "name: [\n", "yaml"},
		{"unknown throttling profile", "name: x\nfaults: {throttle: azure}\n", `faults: throttle: unknown throttling profile "azure" (known: aws)`},
		{"bad latency", "name: x\nfaults: {latency: quick}\n", `latency "quick" is neither a profile (aws) nor a non-negative duration`},
		{"negative latency", "name: x\nfaults: {latency: -5ms}\n", `latency "-5ms"`},
	}
	for _, tt := range stepTests {
		tests = append(tests, struct{ name, yaml, want string }{tt.name, world + "timeline: [" + tt.step + "]\n", tt.want})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseYAML([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// world declares what the step tests refer to.
const world = `name: x
clusters: [{name: c}]
queues: [{name: q}]
taskDefinitions: [{family: f, memory: 128}]
groups:
  - {name: g, cluster: c, min: 0, max: 2, desired: 1, hooks: [{name: drainer}]}
  - {name: bare, cluster: c, min: 0, max: 2, desired: 1, hooks: [{name: boot, transition: launching}]}
instances: [{name: batch, cluster: c, count: 2}]
`

var stepTests = []struct{ name, step, want string }{
	{"terminate-ec2 of an undeclared group", "{at: 1m, action: terminate-ec2, group: nope}", `timeline[0] (terminate-ec2): group "nope" is not declared`},
	{"terminate-ec2 of undeclared instances", "{at: 1m, action: terminate-ec2, instances: nope}", `timeline[0] (terminate-ec2): instances "nope" is not declared`},
	{"terminate-ec2 from group and instances", "{at: 1m, action: terminate-ec2, group: g, instances: batch}", "names both group \"g\" and instances \"batch\""},
	{"waiting among instances", "{at: 1m, action: terminate-ec2, instances: batch, instance: waiting}", "not from instances \"batch\""},
	{"terminate-instance of instances", "{at: 1m, action: terminate-instance, instances: batch}", "pick the instance with group, not instances"},
	{"send-message to an undeclared queue", "{at: 1m, action: send-message, queue: nope, body: x}", `timeline[0] (send-message): queue "nope" is not declared`},
	{"send-message with nothing to send", "{at: 1m, action: send-message, queue: q}", "needs a body or a template (lifecycle, lifecycle-eventbridge, rebalance, spot-warning)"},
	{"send-message with body and template", "{at: 1m, action: send-message, queue: q, body: x, template: lifecycle, group: g}", "both a body and a template"},
	{"unknown template", "{at: 1m, action: send-message, queue: q, template: sns, group: g}", `template "sns" is not one of`},
	{"token on a literal body", "{at: 1m, action: send-message, queue: q, body: x, token: wrong}", "token applies to a template, not to a literal body"},
	{"bad token", "{at: 1m, action: send-message, queue: q, template: lifecycle, group: g, token: stale}", `token "stale" is not "wrong"`},
	{"hook on a Spot warning", "{at: 1m, action: send-message, queue: q, template: spot-warning, group: g, hook: drainer}", "hook and token apply to the lifecycle templates only"},
	{"lifecycle without a group", "{at: 1m, action: send-message, queue: q, template: lifecycle}", `group "" is not declared`},
	{"lifecycle of a group without termination hooks", "{at: 1m, action: send-message, queue: q, template: lifecycle, group: bare}", `group "bare" has no termination hook`},
	{"duplicate out of range", "{at: 1m, action: send-message, queue: q, body: x, duplicate: 101}", "duplicate 101 is not 0–100"},
	{"send-message fields on another action", "{at: 1m, action: set-desired, group: g, count: 1, queue: q, timeOffset: 1h}", "queue applies to send-message only"},
	{"bad scaleInProtectedInstances", "{at: 1m, action: instance-refresh, group: g, scaleInProtectedInstances: refresh}", `scaleInProtectedInstances "refresh" is not Refresh, Ignore or Wait`},
	{"scaleInProtectedInstances elsewhere", "{at: 1m, action: set-desired, group: g, count: 1, scaleInProtectedInstances: Refresh}", "applies to instance-refresh only"},
	{"bad time offset", "{at: 1m, action: send-message, queue: q, template: lifecycle, group: g, timeOffset: yesterday}", `invalid duration "yesterday"`},
}

func TestValidStepsOfTheNewActions(t *testing.T) {
	for _, step := range []string{
		"{at: 1m, action: terminate-ec2, group: g, instance: waiting}",
		"{at: 1m, action: terminate-ec2, instance: i-0123456789abcdef0}",
		"{at: 1m, action: terminate-ec2, instances: batch, instance: newest}",
		"{at: 1m, action: send-message, queue: q, body: '{\"Event\":\"autoscaling:TEST_NOTIFICATION\"}', duplicate: 2}",
		"{at: 1m, action: send-message, queue: q, template: lifecycle, group: g, instance: waiting, token: wrong, timeOffset: -192h}",
		"{at: 1m, action: send-message, queue: q, template: lifecycle-eventbridge, group: bare, hook: other-team}",
		"{at: 1m, action: send-message, queue: q, template: lifecycle, instance: i-0123456789abcdef0}",
		"{at: 1m, action: send-message, queue: q, template: lifecycle, group: g, instances: batch}",
		"{at: 1m, action: send-message, queue: q, template: spot-warning, instances: batch, timeOffset: 10m}",
		"{at: 1m, action: send-message, queue: q, template: rebalance, group: g, instance: \"0\"}",
		"{at: 1m, action: instance-refresh, group: g, scaleInProtectedInstances: Ignore}",
		"{at: 1m, action: drain-instance, instances: batch}",
	} {
		if _, err := ParseYAML([]byte(world + "timeline: [" + step + "]\n")); err != nil {
			t.Errorf("%s: %v", step, err)
		}
	}
	sc, err := ParseYAML([]byte(world + "timeline: [{at: 1m, action: send-message, queue: q, template: lifecycle, group: g, timeOffset: -192h}]\n"))
	if err != nil || sc.Timeline[0].TimeOffset.D() != -192*time.Hour {
		t.Fatalf("a negative time offset: %v", err)
	}
}

func TestInvalidInstanceSets(t *testing.T) {
	for _, tt := range []struct{ yaml, want string }{
		{"instances: [{name: a, cluster: nope}]", `instances "a": cluster "nope" is not declared`},
		{"instances: [{cluster: c, count: 101}]", "instances[0]: count 101 is not 1–100"},
		{"instances: [{name: a, cluster: c, instanceType: m5.huge}]", `instanceType "m5.huge" is not an instance type the emulator knows`},
		{"instances: [{name: a, cluster: c}, {name: a, cluster: c}]", `instances "a": name is used twice`},
	} {
		_, err := ParseYAML([]byte("name: x\nclusters: [{name: c}]\n" + tt.yaml + "\n"))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to mention %q", tt.yaml, err, tt.want)
		}
	}
}

func TestLoadRejectsUnknownExtension(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.toml")
	os.WriteFile(p, []byte("x"), 0o644)
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), "unknown file type") {
		t.Fatalf("err = %v", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Fatal("missing file loaded")
	}
}
