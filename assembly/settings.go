package assembly

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/cloud"
	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
	"github.com/drainer-dev/drainer/controller"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/health"
	"github.com/drainer-dev/drainer/scan"
)

// Settings are drainer's policy: every setting `drainer run`, `drainer
// dev` and `drainer sim` accept, as flags named by Specs (each with a
// DRAINER_… environment variable under `drainer run`), and that a scenario
// may set in its `drainer:` block under the same names. The zero Settings
// is not meant for use: start from DefaultSettings.
type Settings struct {
	// Clusters are the ECS clusters served; none means every cluster.
	Clusters []string
	// Hooks are the termination lifecycle hooks drainer owns: it
	// completes, heartbeats and abandons only their lifecycle actions.
	Hooks []string
	// Preset is controller.PresetDefault or controller.PresetECSManaged.
	Preset string
	// Standalone is what happens to standalone tasks; "" means the
	// preset's (stop-at-deadline by default, wait under ecs-managed).
	Standalone drain.Standalone
	// DrainOnRebalance drains instances that get an EC2 rebalance
	// recommendation.
	DrainOnRebalance bool
	// FallbackPoll is the longest time between two looks at a drain when no
	// event wakes it.
	FallbackPoll time.Duration
	// ScanInterval is the time between periodic scans (protection, idle,
	// time-to-live, recorded drains); 0 turns them off.
	ScanInterval time.Duration
	// ScanPages bounds what each scan reads of the container instances:
	// pages of up to 100 (scan.Options.Pages), so that a scan costs a
	// bounded number of calls however large the clusters.
	ScanPages int
	// APIShare is the share of each of AWS's per-account API rate buckets
	// drainer paces its calls to, in (0, 1] (cloudaws.Options.Share).
	APIShare float64
	// IdleAfter reclaims instances with no non-daemon task for that long
	// (0: never); MaxLifetime replaces instances at that age (0: never).
	IdleAfter, MaxLifetime time.Duration
	// Budget is the disruption budget of voluntary drains, per group.
	Budget drain.Budget
	// Protect keeps scale-in protection on busy instances of groups
	// without an ECS capacity provider.
	Protect bool
	// DrainWithoutProvider drains terminating instances of groups without
	// an ECS capacity provider.
	DrainWithoutProvider bool
	// RegistrationGrace is how long after its launch a terminating
	// instance whose ECS agent has not registered yet is watched before
	// its lifecycle action is completed.
	RegistrationGrace time.Duration
	// AgentGrace is how long a draining instance's ECS agent may stay
	// disconnected before drainer deregisters it with force, so that ECS
	// places its service tasks elsewhere.
	AgentGrace time.Duration
	// UnhealthyAfter is how long drainer's queue or AWS may stay
	// unreachable before /healthz answers 503 (health.Options).
	UnhealthyAfter time.Duration
}

// DefaultSettings are the settings when nothing says otherwise.
func DefaultSettings() Settings {
	return Settings{
		Hooks:                []string{drain.DefaultHook},
		Preset:               controller.PresetDefault,
		FallbackPoll:         drain.DefaultPolicy().FallbackPoll,
		ScanInterval:         time.Minute,
		ScanPages:            scan.DefaultPages,
		APIShare:             cloudaws.DefaultShare,
		Budget:               drain.Budget{Count: 1},
		DrainWithoutProvider: true,
		RegistrationGrace:    5 * time.Minute,
		AgentGrace:           5 * time.Minute,
		UnhealthyAfter:       health.DefaultUnhealthyAfter,
	}
}

// Spec describes one setting: its flag name, the environment variable
// `drainer run` reads it from, whether it is a boolean flag or a list (a
// repeatable flag, comma-separated in the environment), and its usage.
type Spec struct {
	Name  string
	Env   string
	Bool  bool
	List  bool
	Usage string
}

// Specs lists every setting, in the order help text shows them.
var Specs = []Spec{
	{Name: "cluster", Env: "DRAINER_CLUSTERS", List: true, Usage: "ECS cluster to serve; repeat for several (default every cluster)"},
	{Name: "hook", Env: "DRAINER_HOOKS", List: true, Usage: "termination lifecycle hook drainer owns: it completes, heartbeats or abandons no other; repeat for several"},
	{Name: "preset", Env: "DRAINER_PRESET", Usage: "policy preset: default (drainer's) or ecs-managed (AWS's own managed draining: 48 h, standalone tasks left to finish, no hard stop before the hook's timeout)"},
	{Name: "standalone", Env: "DRAINER_STANDALONE", Usage: "standalone tasks on a draining instance: wait, stop-at-deadline or stop (default: the preset's, stop-at-deadline for default)"},
	{Name: "drain-on-rebalance", Env: "DRAINER_DRAIN_ON_REBALANCE", Bool: true, Usage: "drain instances that get an EC2 rebalance recommendation"},
	{Name: "fallback-poll", Env: "DRAINER_FALLBACK_POLL", Usage: "longest time between two looks at a drain when no event wakes it"},
	{Name: "scan-interval", Env: "DRAINER_SCAN_INTERVAL", Usage: "time between periodic scans (protection, idle, time-to-live, recorded drains); 0 turns them off"},
	{Name: "scan-pages", Env: "DRAINER_SCAN_PAGES", Usage: "pages of up to 100 container instances each scan reads, across the served clusters, resuming where the last one stopped: larger clusters are read over several scans (it also bounds the scan's other reads of container instances and tasks)"},
	{Name: "api-share", Env: "DRAINER_API_SHARE", Usage: "share of each of AWS's per-account API rate limits drainer paces its calls to, above 0 and at most 1; the rest is left to ECS's own deployments and the account's other tools (raise it where drainer has an account to itself: a thousand drains at once go faster)"},
	{Name: "idle-after", Env: "DRAINER_IDLE_AFTER", Usage: "reclaim instances with no non-daemon task for this long, in groups above their minimum; 0 = never"},
	{Name: "max-lifetime", Env: "DRAINER_MAX_LIFETIME", Usage: "replace instances older than this (time-to-live); 0 = never"},
	{Name: "budget", Env: "DRAINER_BUDGET", Usage: "disruption budget per group for voluntary drains (idle, TTL, rebalance, operator): a count such as 2 or a share such as 10%"},
	{Name: "protect", Env: "DRAINER_PROTECT", Bool: true, Usage: "keep scale-in protection on busy instances in groups without an ECS capacity provider"},
	{Name: "drain-without-provider", Env: "DRAINER_DRAIN_WITHOUT_PROVIDER", Bool: true, Usage: "drain terminating instances of groups without an ECS capacity provider"},
	{Name: "registration-grace", Env: "DRAINER_REGISTRATION_GRACE", Usage: "how long after its launch a terminating instance whose ECS agent has not registered is watched (drained if it registers) before its lifecycle action is completed"},
	{Name: "agent-grace", Env: "DRAINER_AGENT_GRACE", Usage: "how long a draining instance's ECS agent may stay disconnected before drainer deregisters it with force, so that ECS places its service tasks elsewhere"},
	{Name: "unhealthy-after", Env: "DRAINER_UNHEALTHY_AFTER", Usage: "how long the queue or AWS may stay unreachable (failing with no success since) before /healthz answers 503 with the reason, so that whatever runs drainer restarts or flags it"},
}

// Set sets the setting named name (a Spec's Name) from its text, as a
// flag, an environment variable or a scenario gives it. The lists
// ("cluster", "hook") add names (comma-separated); the others replace the
// value. Apply and FromEnv replace lists instead. The error says
// what the value should look like.
func (s *Settings) Set(name, value string) error {
	value = strings.TrimSpace(value)
	duration := func(dst *time.Duration, positive bool) error {
		d, err := time.ParseDuration(value)
		switch {
		case positive && (err != nil || d <= 0):
			return fmt.Errorf("--%s %q: want a positive duration such as 2m", name, value)
		case err != nil || d < 0:
			return fmt.Errorf("--%s %q: want a duration such as 30m (0 turns it off)", name, value)
		}
		*dst = d
		return nil
	}
	boolean := func(dst *bool) error {
		b, err := strconv.ParseBool(value)
		if err != nil {
			return fmt.Errorf("--%s %q: want true or false", name, value)
		}
		*dst = b
		return nil
	}
	switch name {
	case "cluster", "hook":
		list := appendList(nil, value)
		if len(list) == 0 {
			return fmt.Errorf("--%s %q: name at least one (leave the setting out for the default)", name, value)
		}
		if name == "cluster" {
			s.Clusters = append(s.Clusters, list...)
			break
		}
		for _, h := range list {
			// A drain records the hook holding its instance in an ECS
			// attribute; Auto Scaling allows names ECS cannot store.
			if err := cloud.ValidateAttribute(drain.AttrHook, h); err != nil {
				return fmt.Errorf("--hook %q: drainer records the hook's name on the container instance, and ECS refuses it (%v): name drainer's hook as ECS can store it (at most 128 letters, digits, hyphens, underscores, periods, slashes, colons)", h, err)
			}
		}
		s.Hooks = append(s.Hooks, list...)
	case "preset":
		switch value {
		case controller.PresetDefault, controller.PresetECSManaged:
			s.Preset = value
		default:
			return fmt.Errorf("--preset %q: want %s or %s", value, controller.PresetDefault, controller.PresetECSManaged)
		}
	case "standalone":
		v, err := drain.ParseStandalone(value)
		if err != nil {
			return fmt.Errorf("--standalone: %w", err)
		}
		s.Standalone = v
	case "drain-on-rebalance":
		return boolean(&s.DrainOnRebalance)
	case "fallback-poll":
		return duration(&s.FallbackPoll, true)
	case "scan-interval":
		return duration(&s.ScanInterval, false)
	case "scan-pages":
		n, err := strconv.Atoi(value)
		if err != nil || n <= 0 {
			return fmt.Errorf("--scan-pages %q: want a number of pages above zero, such as %d", value, scan.DefaultPages)
		}
		s.ScanPages = n
	case "api-share":
		f, err := strconv.ParseFloat(value, 64)
		if err != nil || !(f > 0 && f <= 1) {
			return fmt.Errorf("--api-share %q: want a share above 0 and at most 1, such as %v", value, cloudaws.DefaultShare)
		}
		s.APIShare = f
	case "idle-after":
		return duration(&s.IdleAfter, false)
	case "max-lifetime":
		return duration(&s.MaxLifetime, false)
	case "budget":
		b, err := drain.ParseBudget(value)
		if err != nil {
			return fmt.Errorf("--budget: %w", err)
		}
		s.Budget = b
	case "protect":
		return boolean(&s.Protect)
	case "drain-without-provider":
		return boolean(&s.DrainWithoutProvider)
	case "registration-grace":
		// 0 would release an instance whose agent registers a moment
		// later, with the tasks ECS then places there.
		return duration(&s.RegistrationGrace, true)
	case "agent-grace":
		return duration(&s.AgentGrace, true)
	case "unhealthy-after":
		return duration(&s.UnhealthyAfter, true)
	default:
		return fmt.Errorf("unknown setting %q", name)
	}
	return nil
}

// Apply sets each named setting of values in Specs order (a scenario's
// `drainer:` block, say); the first error stops it.
func (s *Settings) Apply(values map[string]string) error {
	for name := range values {
		if _, ok := SpecOf(name); !ok {
			return fmt.Errorf("unknown drainer setting %q (known: %s)", name, strings.Join(names(), ", "))
		}
	}
	for _, sp := range Specs {
		if v, ok := values[sp.Name]; ok {
			s.clear(sp.Name)
			if err := s.Set(sp.Name, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// FromEnv returns the defaults with the settings given in the environment
// (each Spec's Env, read through lookup, e.g. os.LookupEnv) set over them:
// drainer run's base, under its flags. The error names the variable.
func FromEnv(lookup func(string) (string, bool)) (Settings, error) {
	s := DefaultSettings()
	for _, sp := range Specs {
		v, ok := lookup(sp.Env)
		if !ok || strings.TrimSpace(v) == "" {
			continue
		}
		s.clear(sp.Name)
		if err := s.Set(sp.Name, v); err != nil {
			return s, fmt.Errorf("%s: %w", sp.Env, err)
		}
	}
	return s, nil
}

// SpecOf returns the Spec named name.
func SpecOf(name string) (Spec, bool) {
	for _, sp := range Specs {
		if sp.Name == name {
			return sp, true
		}
	}
	return Spec{}, false
}

func names() []string {
	out := make([]string, len(Specs))
	for i, sp := range Specs {
		out[i] = sp.Name
	}
	return out
}

// Value returns the setting named name as text Set reads back.
func (s Settings) Value(name string) string {
	switch name {
	case "cluster":
		return strings.Join(s.Clusters, ",")
	case "hook":
		return strings.Join(s.Hooks, ",")
	case "preset":
		return s.Preset
	case "standalone":
		return string(s.Standalone)
	case "drain-on-rebalance":
		return strconv.FormatBool(s.DrainOnRebalance)
	case "fallback-poll":
		return s.FallbackPoll.String()
	case "scan-interval":
		return s.ScanInterval.String()
	case "scan-pages":
		return strconv.Itoa(s.ScanPages)
	case "api-share":
		return strconv.FormatFloat(s.APIShare, 'g', -1, 64)
	case "idle-after":
		return s.IdleAfter.String()
	case "max-lifetime":
		return s.MaxLifetime.String()
	case "budget":
		return s.Budget.String()
	case "protect":
		return strconv.FormatBool(s.Protect)
	case "drain-without-provider":
		return strconv.FormatBool(s.DrainWithoutProvider)
	case "registration-grace":
		return s.RegistrationGrace.String()
	case "agent-grace":
		return s.AgentGrace.String()
	case "unhealthy-after":
		return s.UnhealthyAfter.String()
	}
	return ""
}

// clear empties the list setting name (cluster, hook), so that what is
// given replaces the defaults instead of adding to them.
func (s *Settings) clear(name string) {
	switch name {
	case "cluster":
		s.Clusters = nil
	case "hook":
		s.Hooks = nil
	}
}

// appendList adds the comma-separated names of value to list.
func appendList(list []string, value string) []string {
	for _, v := range strings.Split(value, ",") {
		if v = strings.TrimSpace(v); v != "" {
			list = append(list, v)
		}
	}
	return list
}

// LogAttrs lists the settings as slog key-value pairs, for the start-up
// log line.
func (s Settings) LogAttrs() []any {
	var out []any
	for _, sp := range Specs {
		v := s.Value(sp.Name)
		if sp.Name == "cluster" && v == "" {
			v = "(all)"
		}
		if sp.Name == "standalone" && v == "" {
			v = "(preset's)"
		}
		out = append(out, sp.Name, v)
	}
	return out
}

// policies turns the settings into the reconciler's drain policy and the
// controller's options, the preset applied first.
func (s Settings) policies() (drain.Policy, controller.Options, error) {
	copts := controller.Options{
		DrainOnRebalance: s.DrainOnRebalance,
		Clusters:         s.Clusters,
		IdleAfter:        s.IdleAfter,
		MaxLifetime:      s.MaxLifetime,
		Budget:           s.Budget,
		ProtectDefault:   s.Protect,
		DrainDefault:     controller.Bool(s.DrainWithoutProvider),
		SweepAge:         scan.SweepAge(s.ScanInterval),
	}
	pol, copts, err := controller.Preset(s.Preset, copts)
	if err != nil {
		return drain.Policy{}, copts, err
	}
	if s.Standalone != "" {
		pol.Standalone = s.Standalone
	}
	if s.FallbackPoll > 0 {
		pol.FallbackPoll = s.FallbackPoll
	}
	pol.RegistrationGrace, pol.AgentGrace = s.RegistrationGrace, s.AgentGrace
	return pol, copts, nil
}
