package drainview

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/api"
)

// now is the controller's time in these tests.
var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// lifecycle is a lifecycle drain of group web-asg in cluster demo, times
// relative to now.
func lifecycle(instance, phase string, started, graceful, hard time.Duration, tasks map[string]int) api.Drain {
	return api.Drain{InstanceID: instance, Group: "web-asg", Cluster: "demo", Reason: "lifecycle", Phase: phase, TasksLeft: tasks,
		Started: now.Add(started), GracefulUntil: now.Add(graceful), Deadline: now.Add(hard)}
}

func TestTable(t *testing.T) {
	a := lifecycle("i-0aaaaaaaaaaaaaaaa", "graceful", -3*time.Minute, 12*time.Minute, 2*time.Hour, nil)
	b := lifecycle("i-0bbbbbbbbbbbbbbbb", "hard", -90*time.Minute, -time.Minute, 30*time.Second, nil)
	withTasks := lifecycle("i-0cccccccccccccccc", "graceful", -time.Minute, time.Hour, 50*time.Hour, map[string]int{"standalone": 1, "service": 2, "daemon": 1})
	for _, c := range []struct {
		name   string
		drains []api.Drain
		want   []string // the lines written
	}{
		{name: "no drains", want: []string{"no drains in progress"}},
		{name: "empty, not nil", drains: []api.Drain{}, want: []string{"no drains in progress"}},
		{name: "in the order given; a deadline gone by has passed", drains: []api.Drain{b, a}, want: []string{
			"INSTANCE             GROUP    CLUSTER  REASON     PHASE     IN DRAIN  GRACEFUL  HARD DEADLINE",
			"i-0bbbbbbbbbbbbbbbb  web-asg  demo     lifecycle  hard      1h30m     passed    in 30s",
			"i-0aaaaaaaaaaaaaaaa  web-asg  demo     lifecycle  graceful  3m        in 12m    in 2h",
		}},
		{name: "a deadline right now has passed", drains: []api.Drain{lifecycle("i-1", "hard", -time.Hour, -time.Minute, 0, nil)}, want: []string{
			"INSTANCE  GROUP    CLUSTER  REASON     PHASE  IN DRAIN  GRACEFUL  HARD DEADLINE",
			"i-1       web-asg  demo     lifecycle  hard   1h        passed    passed",
		}},
		{name: "tasks left by class, when some drain counts them", drains: []api.Drain{a, withTasks}, want: []string{
			"INSTANCE             GROUP    CLUSTER  REASON     PHASE     IN DRAIN  GRACEFUL  HARD DEADLINE  TASKS LEFT",
			"i-0aaaaaaaaaaaaaaaa  web-asg  demo     lifecycle  graceful  3m        in 12m    in 2h          -",
			"i-0cccccccccccccccc  web-asg  demo     lifecycle  graceful  1m        in 1h     in 2d2h        service 2, standalone 1, daemon 1",
		}},
		{name: "no tasks left", drains: []api.Drain{lifecycle("i-1", "releasing", -time.Minute, time.Hour, 2*time.Hour, map[string]int{})}, want: []string{
			"INSTANCE  GROUP    CLUSTER  REASON     PHASE      IN DRAIN  GRACEFUL  HARD DEADLINE  TASKS LEFT",
			"i-1       web-asg  demo     lifecycle  releasing  1m        in 1h     in 2h          none",
		}},
		{name: "fields unset", drains: []api.Drain{{InstanceID: "i-0aaaaaaaaaaaaaaaa", Phase: "graceful", Started: now.Add(-time.Hour)}, {InstanceID: "i-2"}}, want: []string{
			"INSTANCE             GROUP  CLUSTER  REASON  PHASE     IN DRAIN  GRACEFUL  HARD DEADLINE",
			"i-0aaaaaaaaaaaaaaaa  -      -        -       graceful  1h        -         -",
			"i-2                  -      -        -       -         -         -         -",
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			Table(&out, c.drains, now)
			if want := strings.Join(c.want, "\n") + "\n"; out.String() != want {
				t.Errorf("Table wrote\n%s\nwant\n%s", out.String(), want)
			}
		})
	}
}

func TestTasksLeft(t *testing.T) {
	for _, c := range []struct {
		m    map[string]int
		want string
	}{
		{nil, "-"},
		{map[string]int{}, "none"},
		{map[string]int{"daemon": 1, "gpu": 2, "service": 3, "batch": 4}, "service 3, daemon 1, batch 4, gpu 2"},
	} {
		if got := tasksLeft(c.m); got != c.want {
			t.Errorf("tasksLeft(%v) = %q, want %q", c.m, got, c.want)
		}
	}
}
