package assembly_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/api"
	"github.com/drainer-dev/drainer/assembly"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/scenario"
	"github.com/drainer-dev/drainer/sim"
)

// TestServe assembles drainer on the wall clock against a world that does
// not move (its front in process): Prepare resolves the queue by name,
// Serve answers the API, an operator drain is recorded and listed, and
// Serve returns once its context ends, every part stopped.
func TestServe(t *testing.T) {
	sc, err := scenario.Load("../sim/testdata/scale-in-10-of-50.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc.Timeline = nil
	run, err := scenario.NewWorld(sc, emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	w := run.World
	w.Clock.RunFor(5 * time.Minute) // the instances boot and register
	cfg, client := sim.ClientOptions(w, "drainer", 1)
	client.Clock = nil // drainer on the wall clock, the world frozen
	d, err := assembly.New(assembly.Options{Settings: assembly.DefaultSettings(), AWS: cfg, Client: client, Queue: "drainer"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	if n, err := d.Prepare(ctx); err != nil || n != 0 {
		t.Fatalf("Prepare = %d, %v", n, err)
	}
	if !strings.HasSuffix(d.QueueURL(), "/"+w.Env.Account+"/drainer") {
		t.Fatalf("queue URL %q", d.QueueURL())
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- d.Serve(ctx, ln, nil, nil) }()

	c, err := api.NewClient("http://"+ln.Addr().String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Healthz(ctx); err != nil {
		t.Fatal(err)
	}
	var id string
	w.Do(func() { id = w.ECS.ContainerInstances("prod")[0].Ec2InstanceId })
	if _, err := c.Drain(ctx, api.DrainRequest{InstanceID: id, Deadline: "30m"}); err != nil {
		t.Fatal(err)
	}
	l, err := c.Drains(ctx)
	if err != nil || len(l.Drains) != 1 || l.Drains[0].InstanceID != id || l.Drains[0].Reason != "operator" {
		t.Fatalf("drains %+v, %v", l, err)
	}
	cancel()
	if err := <-served; err != nil {
		t.Fatalf("Serve returned %v after its context ended", err)
	}
}
