package main

import (
	"bytes"
	"context"
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
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), tt.args, &out, &errOut); code != tt.code || !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d mentioning %q", tt.args, code, errOut.String(), tt.code, tt.want)
		}
	}
}
