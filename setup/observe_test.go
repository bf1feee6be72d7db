package setup

import (
	"slices"
	"testing"

	"github.com/drainer-dev/drainer/membership"
)

func TestReasons(t *testing.T) {
	const off = " (managed draining off: drainer follows it and does not drain this group's instances; `drainer doctor` says how to turn it on)"
	for _, tc := range []struct {
		name  string
		joins []membership.Join
		want  []string
	}{
		{"none", nil, nil},
		{
			"managed draining on says nothing more",
			[]membership.Join{{Group: "g", Cluster: "web", Via: membership.ViaCapacityProvider, Source: "cp", ManagedDraining: true}},
			[]string{"capacity provider cp of cluster web"},
		},
		{
			"managed draining off says what drainer does",
			[]membership.Join{{Group: "g", Cluster: "web", Via: membership.ViaCapacityProvider, Source: "cp"}},
			[]string{"capacity provider cp of cluster web" + off},
		},
		{
			"sorted by the words, each once",
			[]membership.Join{
				{Group: "g", Cluster: "api", Via: membership.ViaRegistered},
				{Group: "g", Cluster: "api", Via: membership.ViaLaunchTemplate, Source: "lt version 3"},
				{Group: "g", Cluster: "api", Via: membership.ViaRegistered},
				{Group: "g", Cluster: "api", Via: membership.ViaLaunchConfiguration, Source: "lc"},
			},
			[]string{
				"its instances are registered in cluster api",
				"the user data of launch configuration lc names cluster api",
				"the user data of launch template lt version 3 names cluster api",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := reasons(tc.joins); !slices.Equal(got, tc.want) {
				t.Errorf("reasons = %q, want %q", got, tc.want)
			}
		})
	}
}
