package sim

import (
	"testing"
	"time"

	"github.com/drainer-dev/drainer/assembly"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator/scenario"
)

// Two teams run drainer in one cluster with different hooks: team X with
// --hook drainer on g1, team Y with --hook ops on g2 and its own queue.
const twoTeamsWorld = `
name: two-teams
seed: 21
clusters: [{name: c}]
queues: [{name: drainer}, {name: ops}]
rules:
  - {name: ecs, queue: drainer, pattern: {source: [aws.ecs], detail-type: [ECS Task State Change, ECS Container Instance State Change]}}
taskDefinitions:
  - {family: web, cpu: 256, memory: 512, start: 10s, stop: 5s}
  - {family: job, cpu: 256, memory: 512, start: 10s, stop: 5s, run: 40m}
groups:
  - name: g1
    cluster: c
    min: 1
    max: 3
    desired: 2
    hooks: [{name: drainer, heartbeatTimeout: 5m, defaultResult: CONTINUE, queue: drainer}]
  - name: g2
    cluster: c
    min: 1
    max: 3
    desired: 2
    hooks: [{name: ops, heartbeatTimeout: 5m, defaultResult: CONTINUE, queue: ops}]
services:
  - {name: web, cluster: c, taskDefinition: web, desired: 4, minHealthyPercent: 50, maxPercent: 200}
jobs:
  - {name: batch, cluster: c, taskDefinition: job, count: 6, at: 1m}
timeline:
  - {at: 5m, action: set-desired, group: g1, count: 1}
`

func hooksOnly(t *testing.T, hooks string) *assembly.Settings {
	s := assembly.DefaultSettings()
	if err := s.Apply(map[string]string{"hook": hooks, "standalone": "wait"}); err != nil {
		t.Fatal(err)
	}
	return &s
}

// Team X runs drainer with --hook drainer on g1; team Y runs drainer with
// --hook ops on g2, in the same cluster. Y (re)starts while X drains one of
// g1's instances: Y must not heartbeat or complete hook drainer (rule 8).
func TestAnotherTeamsDrainerLeavesOurDrainAlone(t *testing.T) {
	sc, err := scenario.ParseYAML([]byte(twoTeamsWorld))
	if err != nil {
		t.Fatal(err)
	}
	x, err := New(sc, Options{Queue: "drainer", Settings: hooksOnly(t, "drainer")})
	if err != nil {
		t.Fatal(err)
	}
	x.RunUntil(x.World.Now().Add(time.Hour), func() bool { return len(events(x, drain.EventStarted)) == 1 })
	x.RunFor(2 * time.Minute)
	// X is down (a restart, a deploy); Y starts, with its own checker (it owns only hook ops).
	x.Stop()
	y, err := Attach(x.Run, Options{Queue: "ops", Settings: hooksOnly(t, "ops")})
	if err != nil {
		t.Fatal(err)
	}
	y.RunFor(time.Hour)
	if n := len(y.Reconciler.Drains()); n != 0 {
		t.Errorf("Y took up %d drain(s) recorded under hook drainer, which it does not own", n)
	}
	if n := len(events(y, drain.EventReleased)); n != 0 {
		t.Errorf("Y released %d instance(s) held by hook drainer", n)
	}
	for _, v := range y.Checker.Violations() {
		if v.Rule == 8 {
			t.Errorf("Y's checker: %v", v)
		}
	}
}

// A Spot interruption warning for an On-Demand instance (forged, or routed
// from elsewhere) is ignored: it would drain the instance with two
// minutes' notice, stopping its standalone tasks, and end it.
func TestSpotWarningForAnOnDemandInstanceIsIgnored(t *testing.T) {
	sc, err := scenario.ParseYAML([]byte(`
name: forged-spot-warning
seed: 22
clusters: [{name: c}]
queues: [{name: drainer, visibilityTimeout: 60s}]
taskDefinitions:
  - {family: web, cpu: 256, memory: 512, start: 10s, stop: 5s}
  - {family: batch, cpu: 256, memory: 256, run: 20m, stop: 5s}
groups:
  - {name: prod-asg, cluster: c, min: 1, max: 4, desired: 3, hooks: [{name: drainer, heartbeatTimeout: 5m, defaultResult: ABANDON, queue: drainer}]}
services:
  - {name: web, cluster: c, taskDefinition: web, desired: 3, minHealthyPercent: 50, maxPercent: 200}
jobs:
  - {cluster: c, taskDefinition: batch, count: 3, at: 2m}
timeline:
  - {at: 5m, action: send-message, queue: drainer, template: spot-warning, group: prod-asg, instance: oldest}
  - {at: 5m, action: send-message, queue: drainer, template: rebalance, group: prod-asg, instance: newest}
`))
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(sc, Options{Queue: "drainer", Settings: settings(t, "drain-on-rebalance", "true")})
	if err != nil {
		t.Fatal(err)
	}
	h.RunFor(30 * time.Minute)
	if n := len(events(h, drain.EventStarted)); n != 0 {
		t.Fatalf("%d drains started on Spot notices for On-Demand instances", n)
	}
	for id, st := range groupStates(h) {
		if st != "InService" {
			t.Errorf("instance %s is %s, want every instance kept", id, st)
		}
	}
}
