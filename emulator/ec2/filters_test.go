package ec2

import "testing"

func TestGlob(t *testing.T) {
	for _, tc := range []struct {
		pattern, value string
		want           bool
	}{
		{"running", "running", true},
		{"running", "Running", false},
		{"*", "", true},
		{"c5.*", "c5.large", true},
		{"c5.*", "m5.large", false},
		{"*.large", "m6i.large", true},
		{"m?.large", "m5.large", true},
		{"m?.large", "m6i.large", false},
		{"*a*b*", "xxaxxbxx", true},
		{"*a*b", "xxaxxbxxc", false},
		{`web\*`, "web*", true},
		{`web\*`, "webserver", false},
		{"web", "webserver", false},
	} {
		if got := glob(tc.pattern, tc.value); got != tc.want {
			t.Errorf("glob(%q, %q) = %v, want %v", tc.pattern, tc.value, got, tc.want)
		}
	}
}
