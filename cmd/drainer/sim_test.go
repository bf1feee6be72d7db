package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestSimReportsTheScaleIn(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"sim", "--scenario", "../../sim/testdata/scale-in-10-of-50.yaml"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, want := range []string{"scenario scale-in-10-of-50: 10 drains", "drain time / floor", "invariants: 0 violations"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// --preset ecs-managed plays the world with ECS's managed draining and no
// drainer: the scale-in's instances are drained by ECS, and no call is
// made from the account.
func TestSimPresetECSManagedIsECSsOwnDraining(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"sim", "--scenario", "../../sim/testdata/scale-in-10-of-50.yaml", "--preset", "ecs-managed", "--for", "1h"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errOut.String(), out.String())
	}
	for _, want := range []string{
		"scenario scale-in-10-of-50 (ECS's managed instance draining, no drainer): 10 drains in 1h0m0s of virtual time",
		": 10 released\n",
		"all calls: 0,",
		"lifecycle actions of ECS's managed draining hook timed out: 0",
		"invariants (rules 1, 2, 3, 7): 0 violations",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// --compare prints both runs side by side; --json gives them as JSON.
func TestSimCompare(t *testing.T) {
	args := []string{"sim", "--scenario", "../../sim/testdata/scale-in-10-of-50.yaml", "--compare", "--for", "1h"}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errOut.String(), out.String())
	}
	for _, want := range []string{
		"scenario scale-in-10-of-50, played twice for 1h0m0s of virtual time",
		"drains completed                     10 of 10                   10 of 10",
		"\nscenario scale-in-10-of-50: 10 drains",
		"\nscenario scale-in-10-of-50 (ECS's managed instance draining, no drainer): 10 drains",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("comparison lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if code := run(context.Background(), append(args, "--json"), &out, &errOut); code != 0 {
		t.Fatalf("--json: exit %d: %s", code, errOut.String())
	}
	var c struct {
		Scenario     string
		Drainer, ECS struct {
			Party   string
			Calls   int
			Summary struct{ Drains, Released int }
		}
	}
	if err := json.Unmarshal(out.Bytes(), &c); err != nil {
		t.Fatalf("--json: %v\n%s", err, out.String())
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
