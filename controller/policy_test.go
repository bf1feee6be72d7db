package controller

import (
	"testing"
	"time"

	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/drain"
)

func TestGroupPolicyResolution(t *testing.T) {
	cp := func(p, d bool) *cloud.CapacityProvider {
		return &cloud.CapacityProvider{Name: "cp", ManagedTerminationProtection: p, ManagedDraining: d}
	}
	for _, tc := range []struct {
		name string
		opts Options
		cp   *cloud.CapacityProvider
		want GroupPolicy
	}{
		{"no provider, defaults", Options{}, nil, GroupPolicy{Drain: true}},
		{"no provider, flags", Options{ProtectDefault: true, DrainDefault: Bool(false)}, nil, GroupPolicy{Protect: true}},
		{"provider on/on", Options{}, cp(true, true), GroupPolicy{Protect: true, ECSProtects: true, Drain: true, Provider: "cp"}},
		{"provider off/on", Options{}, cp(false, true), GroupPolicy{Drain: true, Provider: "cp"}},
		{"provider on/off", Options{}, cp(true, false), GroupPolicy{Protect: true, ECSProtects: true, Provider: "cp"}},
		{"provider off/off", Options{}, cp(false, false), GroupPolicy{Provider: "cp"}},
		{"defaults do not beat a provider", Options{ProtectDefault: true, DrainDefault: Bool(true)}, cp(false, false), GroupPolicy{Provider: "cp"}},
		{"overrides beat a provider", Options{ProtectOverride: Bool(false), DrainOverride: Bool(true)}, cp(true, false), GroupPolicy{ECSProtects: true, Drain: true, Provider: "cp"}},
	} {
		if got := tc.opts.Policy(tc.cp); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestPresets(t *testing.T) {
	p, o, err := Preset("", Options{IdleAfter: time.Hour})
	if err != nil || o.Preset != PresetDefault || o.IdleAfter != time.Hour || p.Standalone != drain.DefaultPolicy().Standalone {
		t.Fatalf("default preset: %+v %+v %v", p, o, err)
	}
	if _, _, err := Preset("karpenter", Options{}); err == nil {
		t.Fatal("unknown preset accepted")
	}

	p, o, err = Preset(PresetECSManaged, Options{IdleAfter: time.Hour, MaxLifetime: 24 * time.Hour, DrainOnRebalance: true})
	if err != nil {
		t.Fatal(err)
	}
	if o.IdleAfter != 0 || o.MaxLifetime != 0 || o.DrainOnRebalance || o.Preset != PresetECSManaged {
		t.Fatalf("ecs-managed options: %+v, want no idle, TTL or rebalance drains", o)
	}
	if p.Standalone != drain.StandaloneWait || p.DrainingLimit != 48*time.Hour {
		t.Fatalf("ecs-managed policy: %+v", p)
	}
	at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	// A hook of 1 h heartbeats: global timeout 48 h (min(48 h, 100 h)).
	r := p.Plan(drain.Trigger{Reason: drain.ReasonLifecycle, At: at, Group: "g", Hook: "h", Token: "t", HookGlobalTimeout: 48 * time.Hour})
	limit := at.Add(48*time.Hour - p.HookMargin)
	if !r.Deadline.Equal(limit) || !r.GracefulUntil.Equal(limit) {
		t.Fatalf("ecs-managed lifecycle drain: graceful %v, hard %v; want both at the hook's global timeout less the margin (%v)", r.GracefulUntil, r.Deadline, limit)
	}
	// A short hook (5 min heartbeats → 500 min global): the graceful phase
	// runs to the hook's timeout, with no hard stop before it.
	r = p.Plan(drain.Trigger{Reason: drain.ReasonLifecycle, At: at, Group: "g", Hook: "h", Token: "t", HookGlobalTimeout: 500 * time.Minute})
	limit = at.Add(500*time.Minute - p.HookMargin)
	if !r.GracefulUntil.Equal(limit) || !r.Deadline.Equal(limit) {
		t.Fatalf("short hook: graceful %v, hard %v, want %v", r.GracefulUntil, r.Deadline, limit)
	}
	// Without a hook (an operator drain) the graceful phase is ECS's
	// 48 h DRAINING limit.
	r = p.Plan(drain.Trigger{Reason: drain.ReasonOperator, At: at})
	if !r.GracefulUntil.Equal(at.Add(48 * time.Hour)) {
		t.Fatalf("operator drain under ecs-managed: graceful %v", r.GracefulUntil)
	}
	// The default policy keeps a hard-stop phase before the hook's timeout.
	d := drain.DefaultPolicy().Plan(drain.Trigger{Reason: drain.ReasonLifecycle, At: at, Group: "g", Hook: "h", Token: "t", HookGlobalTimeout: 500 * time.Minute})
	if !d.GracefulUntil.Before(d.Deadline) {
		t.Fatalf("default policy: graceful %v not before hard %v", d.GracefulUntil, d.Deadline)
	}
}
