package ec2

import (
	"testing"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/emulator/core"
)

var epoch = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// world is one EC2 on a virtual clock with its events recorded.
type world struct {
	t   *testing.T
	c   *clock.Virtual
	env *core.Env
	svc *Service
	rec *core.Recorder
}

func newWorld(t *testing.T, opts Options) *world {
	t.Helper()
	c := clock.NewVirtual(epoch)
	env := core.NewEnv(c, core.Options{Seed: 1})
	rec := &core.Recorder{}
	opts.Events = rec
	return &world{t: t, c: c, env: env, svc: New(env, opts), rec: rec}
}

// do runs f as an API call under the world lock.
func (w *world) do(f func()) { w.env.Do(f) }

// launch launches an instance from spec or fails the test.
func (w *world) launch(spec LaunchSpec) *Instance {
	w.t.Helper()
	var inst *Instance
	var err error
	w.do(func() { inst, err = w.svc.Launch(spec) })
	if err != nil {
		w.t.Fatalf("Launch(%+v): %v", spec, err)
	}
	return inst
}

// running launches an on-demand m5.large in us-east-1a and waits until it runs.
func (w *world) running(spec LaunchSpec) *Instance {
	w.t.Helper()
	if spec.AZ == "" {
		spec.AZ = "us-east-1a"
	}
	if spec.InstanceType == "" && spec.LaunchTemplateID == "" && spec.LaunchTemplateName == "" {
		spec.InstanceType = "m5.large"
	}
	inst := w.launch(spec)
	w.c.RunFor(DefaultLaunchDelay)
	if inst.State != StateRunning {
		w.t.Fatalf("%s is %s after the launch delay", inst.ID, inst.State)
	}
	return inst
}

// since returns how long after the epoch the clock reads.
func (w *world) since() time.Duration { return w.c.Now().Sub(epoch) }

// wantCode fails unless err is an *core.Error with the code and status 400.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if core.CodeOf(err) != code {
		t.Fatalf("error = %v, want code %s", err, code)
	}
	if e := err.(*core.Error); e.Status != 400 {
		t.Fatalf("%s has status %d, want 400", code, e.Status)
	}
}

func i32(n int32) *int32 { return &n }
