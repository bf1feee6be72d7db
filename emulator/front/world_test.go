package front_test

import (
	"testing"
	"time"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/front"
	"github.com/drainer-dev/drainer/emulator/scenario"
)

// clusterYAML is a small world: one cluster behind a group of three
// instances, a queue and a rule.
const clusterYAML = `
name: front
seed: 7
clusters:
  - name: demo
queues:
  - name: drainer
groups:
  - name: demo-asg
    cluster: demo
    instanceType: m5.large
    min: 0
    max: 6
    desired: 3
`

// newClusterEndpoint builds clusterYAML's world, runs it until the
// container instances have registered, and serves it in process.
func newClusterEndpoint(t *testing.T, opts ...front.Options) *endpoint {
	t.Helper()
	w := clusterWorld(t)
	h := front.New(w, opts...)
	return clientsFor(w, h, sdkConfig(front.Transport(h)), baseEndpoint)
}

// clusterWorld builds clusterYAML's world and runs it until the container
// instances have registered.
func clusterWorld(t *testing.T) *emulator.World {
	t.Helper()
	sc, err := scenario.ParseYAML([]byte(clusterYAML))
	noErr(t, err)
	run, err := scenario.NewWorld(sc, emptyConfig())
	noErr(t, err)
	run.World.Clock.RunFor(2 * time.Minute)
	return run.World
}
