package drainview

import (
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/api"
)

func TestLine(t *testing.T) {
	for _, c := range []struct {
		name  string
		drain api.Drain
		want  string
	}{
		{name: "a lifecycle drain", drain: lifecycle("i-0aaaaaaaaaaaaaaaa", "graceful", -3*time.Minute, 12*time.Minute, 2*time.Hour, nil),
			want: "cluster demo, reason lifecycle, phase graceful, in drain 3m, graceful in 12m, hard deadline in 2h"},
		{name: "graceful phase over", drain: lifecycle("i-0bbbbbbbbbbbbbbbb", "hard", -90*time.Minute, -time.Minute, 30*time.Second, nil),
			want: "cluster demo, reason lifecycle, phase hard, in drain 1h30m, graceful passed, hard deadline in 30s"},
		{name: "tasks left", drain: lifecycle("i-1", "graceful", -time.Minute, time.Hour, 50*time.Hour, map[string]int{"daemon": 1, "service": 2}),
			want: "cluster demo, reason lifecycle, phase graceful, in drain 1m, graceful in 1h, hard deadline in 2d2h, tasks left: service 2, daemon 1"},
		{name: "no tasks left", drain: lifecycle("i-1", "releasing", -time.Minute, time.Hour, 2*time.Hour, map[string]int{}),
			want: "cluster demo, reason lifecycle, phase releasing, in drain 1m, graceful in 1h, hard deadline in 2h, tasks left: none"},
		{name: "no cluster", drain: api.Drain{InstanceID: "i-1", Reason: "idle", Phase: "graceful", Started: now, Deadline: now.Add(time.Hour)},
			want: "reason idle, phase graceful, in drain 0s, graceful -, hard deadline in 1h"},
		{name: "nothing known", drain: api.Drain{InstanceID: "i-1"},
			want: "reason -, phase -, in drain -, graceful -, hard deadline -"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Line(c.drain, now); got != c.want {
				t.Errorf("Line =\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

func TestChanges(t *testing.T) {
	d := func(id, phase string, startedAgo time.Duration) api.Drain {
		return api.Drain{InstanceID: id, Phase: phase, Reason: "idle", Started: now.Add(-startedAgo), Deadline: now.Add(time.Hour)}
	}
	for _, c := range []struct {
		name      string
		prev, cur []api.Drain
		want      []string
	}{
		{name: "nothing before, nothing now"},
		{name: "no change", prev: []api.Drain{d("i-1", "graceful", time.Minute)}, cur: []api.Drain{d("i-1", "graceful", time.Minute)}},
		{name: "started", cur: []api.Drain{d("i-1", "graceful", 0)}, want: []string{
			"i-1 drain started: reason idle, phase graceful, in drain 0s, graceful -, hard deadline in 1h"}},
		{name: "phase changed, unknown phase", prev: []api.Drain{d("i-1", "", time.Minute)}, cur: []api.Drain{d("i-1", "hard", time.Minute)}, want: []string{
			"i-1 phase - → hard (in drain 1m, hard deadline in 1h)"}},
		{name: "finished in the order they were listed", prev: []api.Drain{d("i-2", "hard", 2*time.Minute), d("i-1", "releasing", time.Minute)}, want: []string{
			"i-2 drain finished after 2m (last phase hard)",
			"i-1 drain finished after 1m (last phase releasing)"}},
		{name: "one of each", prev: []api.Drain{d("i-1", "graceful", time.Minute), d("i-2", "graceful", time.Minute)},
			cur: []api.Drain{d("i-2", "hard", time.Minute), d("i-3", "graceful", 0)}, want: []string{
				"i-2 phase graceful → hard (in drain 1m, hard deadline in 1h)",
				"i-3 drain started: reason idle, phase graceful, in drain 0s, graceful -, hard deadline in 1h",
				"i-1 drain finished after 1m (last phase graceful)"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Changes(c.prev, c.cur, now)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("Changes =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}
