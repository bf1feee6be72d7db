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
