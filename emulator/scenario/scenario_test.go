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
		{"bad instance pick", "name: x\nclusters: [{name: c}]\ngroups: [{name: g, cluster: c, min: 0, max: 1, desired: 1}]\ntimeline: [{at: 1m, action: interrupt-spot, group: g, instance: middle}]\n", `instance "middle"`},
		{"job count over RunTask limit", "name: x\nclusters: [{name: c}]\ntaskDefinitions: [{family: f, memory: 1}]\njobs: [{cluster: c, taskDefinition: f, count: 11}]\n", "RunTask's limit"},
		{"not yaml", "name: [\n", "yaml"},
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
