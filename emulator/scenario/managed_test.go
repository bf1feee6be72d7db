package scenario

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/ecs"
)

// managedBase is a world with drainer's hook, another team's hook and a
// launch hook on one group, and drainer settings.
const managedBase = `
name: base
clusters: [{name: prod}]
queues: [{name: drainer}]
taskDefinitions: [{family: web, memory: 512}]
groups:
  - name: prod-asg
    cluster: prod
    min: 0
    max: 4
    desired: 2
    hooks:
      - {name: drainer, heartbeatTimeout: 5m, queue: drainer}
      - {name: log-shipper, heartbeatTimeout: 1m, defaultResult: CONTINUE}
      - {name: drainer, transition: launching}
services: [{name: web, cluster: prod, taskDefinition: web, desired: 2}]
drainer: {standalone: wait}
`

func parseManagedBase(t *testing.T, edit func(*Scenario)) Scenario {
	t.Helper()
	sc, err := ParseYAML([]byte(managedBase))
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(sc)
	}
	return *sc
}

func hookNames(g Group) []string {
	var out []string
	for _, h := range g.Hooks {
		out = append(out, h.Name+"/"+h.Transition)
	}
	return out
}

func TestECSManaged(t *testing.T) {
	for _, tc := range []struct {
		name      string
		edit      func(*Scenario)
		hooks     []string
		wantHooks [][]string         // per group, name/transition
		wantCPs   []CapacityProvider // per group
		wantErr   string
		check     func(*testing.T, Scenario)
	}{
		{name: "drainer's hook goes, a capacity provider with managed draining comes",
			hooks:     []string{"drainer"},
			wantHooks: [][]string{{"log-shipper/", "drainer/launching"}},
			wantCPs:   []CapacityProvider{{Name: "cp-prod-asg", ManagedDraining: true}},
			check: func(t *testing.T, sc Scenario) {
				if sc.Drainer != nil {
					t.Errorf("drainer settings kept: %v", sc.Drainer)
				}
				if len(sc.Queues) != 1 || len(sc.Services) != 1 {
					t.Errorf("the rest of the world changed: %+v %+v", sc.Queues, sc.Services)
				}
			}},
		{name: "a hook of another name is drainer's",
			hooks:     []string{"log-shipper"},
			wantHooks: [][]string{{"drainer/", "drainer/launching"}},
			wantCPs:   []CapacityProvider{{Name: "cp-prod-asg", ManagedDraining: true}}},
		{name: "an existing provider keeps its name and protection; ECS keeps the protection itself",
			edit: func(sc *Scenario) {
				sc.Groups[0].CapacityProvider = &CapacityProvider{Name: "prod-cp", ManagedTerminationProtection: true}
			},
			hooks:     []string{"drainer"},
			wantHooks: [][]string{{"log-shipper/", "drainer/launching"}},
			wantCPs:   []CapacityProvider{{Name: "prod-cp", ManagedTerminationProtection: true, ManagedDraining: true, ECSProtects: true}}},
		{name: "a provider without protection stays without",
			edit: func(sc *Scenario) {
				sc.Groups[0].CapacityProvider = &CapacityProvider{Name: "prod-cp", ManagedDraining: false}
			},
			hooks:     []string{"drainer"},
			wantHooks: [][]string{{"log-shipper/", "drainer/launching"}},
			wantCPs:   []CapacityProvider{{Name: "prod-cp", ManagedDraining: true}}},
		{name: "a name ECS would refuse is mended, and a taken one numbered",
			edit: func(sc *Scenario) {
				g := sc.Groups[0]
				g.Name, g.Hooks = "ecs web.asg 1", nil
				other := g
				other.Name = "x"
				other.CapacityProvider = &CapacityProvider{Name: "cp-ecs-web-asg-1"}
				sc.Groups = []Group{g, other}
			},
			hooks:     []string{"drainer"},
			wantHooks: [][]string{nil, nil},
			wantCPs:   []CapacityProvider{{Name: "cp-ecs-web-asg-1-2", ManagedDraining: true}, {Name: "cp-ecs-web-asg-1", ManagedDraining: true}}},
		{name: "a long name is cut to ECS's 255",
			edit: func(sc *Scenario) {
				sc.Groups[0].Name = strings.Repeat("g", 255)
			},
			hooks:     []string{"drainer"},
			wantHooks: [][]string{{"log-shipper/", "drainer/launching"}},
			wantCPs:   []CapacityProvider{{Name: "cp-" + strings.Repeat("g", 252), ManagedDraining: true}}},
		{name: "no group: nothing for ECS to drain",
			edit:    func(sc *Scenario) { sc.Groups, sc.Queues = nil, nil },
			hooks:   []string{"drainer"},
			wantErr: "no Auto Scaling group"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := parseManagedBase(t, tc.edit)
			before := parseManagedBase(t, tc.edit)
			got, err := ECSManaged(sc, tc.hooks)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(sc, before) {
				t.Errorf("the scenario given was changed:\n%+v\nwas\n%+v", sc, before)
			}
			if len(got.Groups) != len(tc.wantCPs) {
				t.Fatalf("%d groups, want %d", len(got.Groups), len(tc.wantCPs))
			}
			for i, g := range got.Groups {
				if g.Name != sc.Groups[i].Name || g.Desired != sc.Groups[i].Desired {
					t.Errorf("group %d is %s (desired %d), want %s as given", i, g.Name, g.Desired, sc.Groups[i].Name)
				}
				if hs := hookNames(g); !reflect.DeepEqual(hs, tc.wantHooks[i]) {
					t.Errorf("group %s hooks %v, want %v", g.Name, hs, tc.wantHooks[i])
				}
				if g.CapacityProvider == nil || *g.CapacityProvider != tc.wantCPs[i] {
					t.Errorf("group %s capacity provider %+v, want %+v", g.Name, g.CapacityProvider, tc.wantCPs[i])
				}
			}
			if tc.check != nil {
				tc.check(t, got)
			}
		})
	}
}

// The world built from the result has ECS's hook on the group and not
// drainer's.
func TestECSManagedWorldHasECSsHookOnly(t *testing.T) {
	sc, err := ECSManaged(parseManagedBase(t, nil), []string{"drainer"})
	if err != nil {
		t.Fatal(err)
	}
	run, err := NewWorld(&sc, emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	w := run.World
	out, err := emulator.Invoke(w, "test", w.AutoScaling.DescribeLifecycleHooks, autoscaling.DescribeLifecycleHooksInput{AutoScalingGroupName: "prod-asg"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, h := range out.LifecycleHooks {
		names = append(names, h.LifecycleHookName+"/"+h.LifecycleTransition)
	}
	want := []string{"log-shipper/" + autoscaling.TransitionTerminating, "drainer/" + autoscaling.TransitionLaunching, ecs.ManagedDrainingHook + "/" + autoscaling.TransitionTerminating}
	slices.Sort(names)
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("hooks %v, want %v", names, want)
	}
	cp := w.ECS.CapacityProviderByName("cp-prod-asg")
	if cp == nil || cp.AutoScalingGroupProvider.ManagedDraining != "ENABLED" {
		t.Fatalf("capacity provider %+v, want cp-prod-asg with managed draining", cp)
	}
}
