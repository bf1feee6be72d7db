package lambdafn

import (
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		err  string
		want func(Options) bool
	}{
		{"defaults", nil, "", func(o Options) bool {
			return o.Period == 0 && o.TakeUpGrace == 0 && !o.Drainer.Intake.KeepMalformed && slices.Equal(o.Drainer.Settings.Hooks, []string{"drainer"}) && o.Drainer.Settings.ScanInterval == time.Minute
		}},
		{"drainer run's settings", map[string]string{"DRAINER_CLUSTERS": "prod, staging", "DRAINER_HOOKS": "drain-hook", "DRAINER_EVENT_BUS": "ops"}, "", func(o Options) bool {
			return slices.Equal(o.Drainer.Settings.Clusters, []string{"prod", "staging"}) && slices.Equal(o.Drainer.Settings.Hooks, []string{"drain-hook"}) && o.Drainer.EventBus == "ops"
		}},
		{"keep malformed", map[string]string{EnvKeepMalformed: "true"}, "", func(o Options) bool { return o.Drainer.Intake.KeepMalformed }},
		{"period", map[string]string{EnvSchedulePeriod: "2m"}, "", func(o Options) bool { return o.Period == 2*time.Minute }},
		{"period below a minute", map[string]string{EnvSchedulePeriod: "30s"}, EnvSchedulePeriod, nil},
		{"period not a duration", map[string]string{EnvSchedulePeriod: "often"}, EnvSchedulePeriod, nil},
		{"take-up grace", map[string]string{EnvTakeUpGrace: " 1s "}, "", func(o Options) bool { return o.TakeUpGrace == time.Second }},
		{"take-up grace unset", map[string]string{EnvTakeUpGrace: ""}, "", func(o Options) bool { return o.TakeUpGrace == 0 }},
		{"take-up grace at its most", map[string]string{EnvTakeUpGrace: "40s"}, "", func(o Options) bool { return o.TakeUpGrace == 40*time.Second }},
		{"take-up grace beyond its most", map[string]string{EnvTakeUpGrace: "41s"}, EnvTakeUpGrace, nil},
		{"take-up grace within a longer period", map[string]string{EnvSchedulePeriod: "2m", EnvTakeUpGrace: "90s"}, "", func(o Options) bool { return o.TakeUpGrace == 90*time.Second }},
		{"take-up grace zero", map[string]string{EnvTakeUpGrace: "0s"}, EnvTakeUpGrace, nil},
		{"take-up grace negative", map[string]string{EnvTakeUpGrace: "-5s"}, EnvTakeUpGrace, nil},
		{"take-up grace not a duration", map[string]string{EnvTakeUpGrace: "soon"}, EnvTakeUpGrace, nil},
		{"keep malformed not a boolean", map[string]string{EnvKeepMalformed: "maybe"}, EnvKeepMalformed, nil},
		{"a bad setting", map[string]string{"DRAINER_SCAN_INTERVAL": "soon"}, "DRAINER_SCAN_INTERVAL", nil},
	} {
		o, err := FromEnv(func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want one naming %s", tc.name, err, tc.err)
			}
		case err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case !tc.want(o):
			t.Errorf("%s: options %+v", tc.name, o)
		}
	}
}

func TestLogLevel(t *testing.T) {
	for in, want := range map[string]slog.Level{
		"": slog.LevelInfo, "INFO": slog.LevelInfo, "debug": slog.LevelDebug, "TRACE": slog.LevelDebug,
		"WARN": slog.LevelWarn, "ERROR": slog.LevelError, "FATAL": slog.LevelError, "chatty": slog.LevelInfo,
	} {
		if got := LogLevel(in); got != want {
			t.Errorf("LogLevel(%q) = %v, want %v", in, got, want)
		}
	}
}
