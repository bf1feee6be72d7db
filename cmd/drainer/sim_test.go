package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// simSays runs drainer sim with args, which must exit 0, and fails the
// test for each of want its output lacks; it returns the output.
func simSays(t *testing.T, args []string, want ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), append([]string{"sim"}, args...), &out, &errOut); code != 0 {
		t.Fatalf("%v: exit %d: %s\n%s", args, code, errOut.String(), out.String())
	}
	for _, w := range want {
		if !strings.Contains(out.String(), w) {
			t.Errorf("%v: output lacks %q:\n%s", args, w, out.String())
		}
	}
	return out.String()
}

const scaleIn = "../../sim/testdata/scale-in-10-of-50.yaml"

func TestSimReportsTheScaleIn(t *testing.T) {
	simSays(t, []string{"--scenario", scaleIn},
		"scenario scale-in-10-of-50: 10 drains", "drain time / floor", "invariants: 0 violations")
}

// --preset ecs-managed plays the world with ECS's managed draining and no
// drainer: the scale-in's instances are drained by ECS, and no call is
// made from the account.
func TestSimPresetECSManagedIsECSsOwnDraining(t *testing.T) {
	simSays(t, []string{"--scenario", scaleIn, "--preset", "ecs-managed", "--for", "1h"},
		"scenario scale-in-10-of-50 (ECS's managed instance draining, no drainer): 10 drains in 1h0m0s of virtual time",
		": 10 released\n",
		"all calls: 0,",
		"lifecycle actions of ECS's managed draining hook timed out: 0",
		"invariants (rules 1, 2, 3, 7): 0 violations")
}

// --compare prints both runs side by side; --json gives them as JSON.
func TestSimCompare(t *testing.T) {
	args := []string{"--scenario", scaleIn, "--compare", "--for", "1h"}
	simSays(t, args,
		"scenario scale-in-10-of-50, played twice for 1h0m0s of virtual time",
		"drains completed                     10 of 10                   10 of 10",
		"\nscenario scale-in-10-of-50: 10 drains",
		"\nscenario scale-in-10-of-50 (ECS's managed instance draining, no drainer): 10 drains")
	out := simSays(t, append(args, "--json"))
	var c struct {
		Scenario     string
		Drainer, ECS struct {
			Party   string
			Calls   int
			Summary struct{ Drains, Released int }
		}
	}
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatalf("--json: %v\n%s", err, out)
	}
	if c.Scenario != "scale-in-10-of-50" || c.Drainer.Party != "drainer" || c.ECS.Party != "ECS" ||
		c.Drainer.Summary.Released != 10 || c.ECS.Summary.Released != 10 || c.Drainer.Calls == 0 || c.ECS.Calls != 0 {
		t.Errorf("--json: %+v", c)
	}
}

func TestSimFlags(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"sim"}, 2, "--scenario FILE is required"},
		{[]string{"sim", "--scenario", "x.yaml", "--preset", "bogus"}, 2, `preset "bogus"`},
		{[]string{"sim", "--scenario", "x.yaml", "--standalone", "later"}, 2, "standalone policy"},
		{[]string{"sim", "--scenario", "missing.yaml"}, 1, "no such file"},
		{[]string{"sim", "--scenario", "x.yaml", "--compare", "--preset", "ecs-managed"}, 2, "give one"},
		{[]string{"sim", "--scenario", "missing.yaml", "--compare"}, 1, "no such file"},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), tt.args, &out, &errOut); code != tt.code || !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d mentioning %q", tt.args, code, errOut.String(), tt.code, tt.want)
		}
	}
}

// A timeline step that fails is no clean run: drainer sim lists it in its
// report (text and JSON), says which on stderr and exits 1, played alone
// or compared.
func TestSimFailedStep(t *testing.T) {
	const (
		file    = "testdata/sim-failed-step.yaml"
		listed  = "  TIMELINE STEP FAILED at 00:01:10: terminate-instance: group g has no InService instance\n"
		stderrs = "drainer sim: 1 timeline step of scenario failed-step failed, so the run is not the scenario as written: at 00:01:10 terminate-instance (group g has no InService instance)\n"
	)
	sim := func(args ...string) (int, string, string) {
		t.Helper()
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"sim", "--scenario", file, "--for", "30m"}, args...), &out, &errOut)
		return code, out.String(), errOut.String()
	}

	code, out, errs := sim()
	if code != 1 || !strings.Contains(out, listed) || !strings.Contains(out, "invariants: 0 violations") || !strings.HasSuffix(errs, stderrs) {
		t.Errorf("exit %d, stderr %q; want 1 and %q; stdout:\n%s", code, errs, stderrs, out)
	}

	code, out, errs = sim("--json")
	var rep struct {
		FailedSteps []struct{ Action, Error string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json: %v\n%s", err, out)
	}
	if code != 1 || !strings.HasSuffix(errs, stderrs) || len(rep.FailedSteps) != 1 ||
		rep.FailedSteps[0].Action != "terminate-instance" || rep.FailedSteps[0].Error != "group g has no InService instance" {
		t.Errorf("--json: exit %d, stderr %q, failed steps %+v", code, errs, rep.FailedSteps)
	}

	code, out, errs = sim("--compare")
	if code != 1 || strings.Count(out, listed) != 2 ||
		!strings.Contains(errs, "drainer sim: drainer: 1 timeline step of scenario failed-step failed") ||
		!strings.Contains(errs, "drainer sim: ECS: 1 timeline step of scenario failed-step failed") {
		t.Errorf("--compare: exit %d, stderr %q; stdout:\n%s", code, errs, out)
	}
}
