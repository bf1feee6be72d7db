package assembly

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/controller"
	"github.com/drainer-dev/drainer/drain"
)

func TestSetReadsEverySetting(t *testing.T) {
	tests := []struct {
		name, value string
		check       func(Settings) bool
	}{
		{"cluster", "a, b", func(s Settings) bool { return slices.Equal(s.Clusters, []string{"a", "b"}) }},
		{"hook", "team-drain", func(s Settings) bool { return slices.Equal(s.Hooks, []string{"drainer", "team-drain"}) }},
		{"preset", "ecs-managed", func(s Settings) bool { return s.Preset == controller.PresetECSManaged }},
		{"standalone", "wait", func(s Settings) bool { return s.Standalone == drain.StandaloneWait }},
		{"drain-on-rebalance", "true", func(s Settings) bool { return s.DrainOnRebalance }},
		{"fallback-poll", "30s", func(s Settings) bool { return s.FallbackPoll == 30*time.Second }},
		{"scan-interval", "0", func(s Settings) bool { return s.ScanInterval == 0 }},
		{"scan-pages", "25", func(s Settings) bool { return s.ScanPages == 25 }},
		{"api-share", "0.9", func(s Settings) bool { return s.APIShare == 0.9 }},
		{"idle-after", "10m", func(s Settings) bool { return s.IdleAfter == 10*time.Minute }},
		{"max-lifetime", "24h", func(s Settings) bool { return s.MaxLifetime == 24*time.Hour }},
		{"budget", "25%", func(s Settings) bool { return s.Budget == drain.Budget{Percent: 25} }},
		{"protect", "true", func(s Settings) bool { return s.Protect }},
		{"drain-without-provider", "false", func(s Settings) bool { return !s.DrainWithoutProvider }},
		{"registration-grace", "90s", func(s Settings) bool { return s.RegistrationGrace == 90*time.Second }},
		{"agent-grace", "2m", func(s Settings) bool { return s.AgentGrace == 2*time.Minute }},
		{"unhealthy-after", "90s", func(s Settings) bool { return s.UnhealthyAfter == 90*time.Second }},
	}
	if len(tests) != len(Specs) {
		t.Fatalf("%d settings tested, %d specified: test every one", len(tests), len(Specs))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := DefaultSettings()
			if err := s.Set(tt.name, tt.value); err != nil {
				t.Fatal(err)
			}
			if !tt.check(s) {
				t.Fatalf("Set(%q, %q) gave %+v", tt.name, tt.value, s)
			}
			// What Value says, Set reads back to the same settings.
			again := DefaultSettings()
			if err := again.Apply(map[string]string{tt.name: s.Value(tt.name)}); err != nil || again.Value(tt.name) != s.Value(tt.name) {
				t.Fatalf("Value %q does not read back: %v", s.Value(tt.name), err)
			}
		})
	}
}

func TestSetRefusesBadValues(t *testing.T) {
	tests := []struct{ name, value, want string }{
		{"preset", "aggressive", `--preset "aggressive": want default or ecs-managed`},
		{"standalone", "later", `standalone policy "later"`},
		{"drain-on-rebalance", "yes please", `--drain-on-rebalance "yes please": want true or false`},
		{"fallback-poll", "0", "--fallback-poll \"0\": want a positive duration"},
		{"fallback-poll", "often", "want a positive duration"},
		{"scan-interval", "hourly", "--scan-interval \"hourly\": want a duration such as 30m"},
		{"scan-pages", "0", `--scan-pages "0": want a number of pages above zero`},
		{"api-share", "0", `--api-share "0": want a share above 0 and at most 1`},
		{"api-share", "1.5", "--api-share"},
		{"api-share", "NaN", "--api-share"},
		{"scan-pages", "many", "--scan-pages"},
		{"idle-after", "-1m", "--idle-after"},
		{"budget", "0", "--budget"},
		{"budget", "150%", "--budget"},
		{"nonsense", "1", `unknown setting "nonsense"`},
		{"registration-grace", "0", `--registration-grace "0": want a positive duration`},
		{"unhealthy-after", "0", `--unhealthy-after "0": want a positive duration`},
		{"unhealthy-after", "soon", `--unhealthy-after "soon"`},
		{"hook", strings.Repeat("h", 129), "drainer records the hook's name on the container instance, and ECS refuses it"},
	}
	for _, tt := range tests {
		s := DefaultSettings()
		err := s.Set(tt.name, tt.value)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Set(%q, %q) = %v, want an error mentioning %q", tt.name, tt.value, err, tt.want)
		}
	}
}

func TestApplyReplacesClustersAndNamesUnknownSettings(t *testing.T) {
	s := DefaultSettings()
	s.Clusters = []string{"old"}
	if err := s.Apply(map[string]string{"cluster": "a,b", "budget": "2"}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Clusters, []string{"a", "b"}) || s.Budget.Count != 2 {
		t.Fatalf("applied: %+v", s)
	}
	err := s.Apply(map[string]string{"idle_after": "1h"})
	if err == nil || !strings.Contains(err.Error(), `unknown drainer setting "idle_after"`) || !strings.Contains(err.Error(), "idle-after") {
		t.Fatalf("unknown setting: %v", err)
	}
}

func TestPoliciesApplyThePresetThenTheSettings(t *testing.T) {
	s := DefaultSettings()
	pol, copts, err := s.policies()
	if err != nil || pol.Standalone != drain.StandaloneStopAtDeadline || copts.Budget.Count != 1 || copts.DrainDefault == nil || !*copts.DrainDefault {
		t.Fatalf("defaults: %+v %+v %v", pol, copts, err)
	}
	s.Preset, s.IdleAfter = controller.PresetECSManaged, time.Hour
	pol, copts, _ = s.policies()
	if pol.Standalone != drain.StandaloneWait || copts.IdleAfter != 0 {
		t.Fatalf("ecs-managed keeps standalone tasks and reclaims nothing: %+v %+v", pol, copts)
	}
	s.Standalone = drain.StandaloneStop
	if pol, _, _ = s.policies(); pol.Standalone != drain.StandaloneStop {
		t.Fatalf("an explicit --standalone wins over the preset: %v", pol.Standalone)
	}
}

func TestFromEnv(t *testing.T) {
	env := map[string]string{"DRAINER_BUDGET": "3", "DRAINER_CLUSTERS": "a,b", "DRAINER_HOOKS": "team", "DRAINER_PROTECT": "true", "DRAINER_IDLE_AFTER": " "}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	s, err := FromEnv(lookup)
	if err != nil || s.Budget.Count != 3 || !slices.Equal(s.Clusters, []string{"a", "b"}) || !slices.Equal(s.Hooks, []string{"team"}) || !s.Protect || s.IdleAfter != 0 || s.ScanInterval != time.Minute {
		t.Fatalf("FromEnv = %+v, %v", s, err)
	}
	env["DRAINER_STANDALONE"] = "later"
	if _, err := FromEnv(lookup); err == nil || !strings.HasPrefix(err.Error(), "DRAINER_STANDALONE: ") {
		t.Fatalf("a bad variable: %v, want an error naming it", err)
	}
}
