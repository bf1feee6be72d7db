package intake

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drainer-dev/drainer/emulator/eventbridge"
)

// TestRecommendedRulesRouteWhatWakesDrains matches the recommended
// patterns, with the emulator's EventBridge pattern matcher, against the
// sample events drainer parses.
func TestRecommendedRulesRouteWhatWakesDrains(t *testing.T) {
	served := "arn:aws:ecs:us-east-1:123456789012:cluster/prod"
	rules := RecommendedRules([]string{served})
	var patterns []*eventbridge.Pattern
	for _, r := range rules {
		p, err := eventbridge.CompilePattern(r.Pattern)
		if err != nil {
			t.Fatalf("rule %s: %v\n%s", r.Name, err, r.Pattern)
		}
		patterns = append(patterns, p)
	}
	routed := func(event string) bool {
		for _, p := range patterns {
			if p.Match([]byte(event)) {
				return true
			}
		}
		return false
	}
	sample := func(name string) string {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	// The sample task is DEACTIVATING (its containers RUNNING).
	taskStopped := strings.NewReplacer(`"lastStatus": "DEACTIVATING"`, `"lastStatus": "STOPPED"`)
	tests := []struct {
		name  string
		event string
		want  bool
	}{
		{"lifecycle action", sample("lifecycle-eventbridge.json"), true},
		{"Spot warning", sample("spot-interruption.json"), true},
		{"rebalance recommendation", sample("rebalance-recommendation.json"), true},
		{"task still stopping", sample("ecs-task-state-change.json"), false},
		{"task stopped", taskStopped.Replace(sample("ecs-task-state-change.json")), true},
		{"container instance changed", sample("ecs-container-instance-state-change.json"), true},
		{"a launch lifecycle action", sample("lifecycle-launch-eventbridge.json"), false},
		{"EC2 instance state change", sample("instance-state-change.json"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := routed(tt.event); got != tt.want {
				t.Fatalf("routed = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestRecommendedRulesNarrowLifecycleActionsToDrainersHooks: told its
// hooks' names, the lifecycle-action rule routes their actions and no
// other hook's; told none, every hook's, as before.
func TestRecommendedRulesNarrowLifecycleActionsToDrainersHooks(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "lifecycle-eventbridge.json"))
	if err != nil {
		t.Fatal(err)
	}
	ofHook := func(name string) []byte { // the sample's hook is drain-hook
		return []byte(strings.Replace(string(b), `"LifecycleHookName": "drain-hook"`, `"LifecycleHookName": "`+name+`"`, 1))
	}
	tests := []struct {
		name   string
		hooks  []string
		routed map[string]bool // hook name → its action routed
	}{
		{"no hook named: every hook's", nil, map[string]bool{"drain-hook": true, "their-hook": true}},
		{"drainer's hook", []string{"drain-hook"}, map[string]bool{"drain-hook": true, "their-hook": false, "drain": false, "drain-hook-2": false}},
		{"two hooks, named twice", []string{"b-hook", "drain-hook", "b-hook"}, map[string]bool{"drain-hook": true, "b-hook": true, "their-hook": false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := RecommendedRules(nil, tt.hooks...)[0]
			p, err := eventbridge.CompilePattern(r.Pattern)
			if err != nil {
				t.Fatalf("%s: %v", r.Pattern, err)
			}
			for hook, want := range tt.routed {
				if got := p.Match(ofHook(hook)); got != want {
					t.Errorf("pattern %s routes the action of hook %s: %v, want %v", r.Pattern, hook, got, want)
				}
			}
			if strings.Count(r.Pattern, `"b-hook"`) > 1 {
				t.Errorf("pattern %s names a hook twice", r.Pattern)
			}
		})
	}
	if got, want := RecommendedRules(nil)[0].Pattern, `{"detail-type":["EC2 Instance-terminate Lifecycle Action"],"source":["aws.autoscaling"]}`; got != want {
		t.Errorf("without hooks the pattern is %s, want today's %s", got, want)
	}
}

func TestRecommendedRulesNarrowECSToServedClusters(t *testing.T) {
	for _, r := range RecommendedRules([]string{"arn:b", "arn:a"}) {
		if strings.HasPrefix(r.Name, "drainer-tasks") || strings.HasPrefix(r.Name, "drainer-container") {
			if !strings.Contains(r.Pattern, `"clusterArn":["arn:a","arn:b"]`) {
				t.Errorf("%s: %s, want its clusters named", r.Name, r.Pattern)
			}
		}
	}
	for _, r := range RecommendedRules(nil) {
		if strings.Contains(r.Pattern, "clusterArn") {
			t.Errorf("%s: %s, want every cluster when none is named", r.Name, r.Pattern)
		}
	}
}
