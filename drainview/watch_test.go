package drainview

import (
	"slices"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/api"
)

func TestWatch(t *testing.T) {
	d := func(id, phase string) api.Drain {
		return api.Drain{InstanceID: id, Phase: phase, Reason: "idle", Started: now.Add(-time.Minute), Deadline: now.Add(time.Hour)}
	}
	look := func(at time.Duration, ds ...api.Drain) api.DrainList {
		return api.DrainList{Now: now.Add(at), Drains: ds}
	}
	t.Run("drains until none is left", func(t *testing.T) {
		var w Watch
		steps := []struct {
			look  api.DrainList
			lines []string
			over  bool
		}{
			{look(0, d("i-1", "graceful")), []string{"12:00:00 i-1 draining: reason idle, phase graceful, in drain 1m, graceful -, hard deadline in 1h"}, false},
			{look(time.Minute, d("i-1", "graceful")), nil, false},
			{look(2*time.Minute, d("i-1", "hard"), d("i-2", "graceful")), []string{
				"12:02:00 i-1 phase graceful → hard (in drain 3m, hard deadline in 58m)",
				"12:02:00 i-2 drain started: reason idle, phase graceful, in drain 3m, graceful -, hard deadline in 58m"}, false},
			{look(3 * time.Minute), []string{
				"12:03:00 i-1 drain finished after 4m (last phase hard)",
				"12:03:00 i-2 drain finished after 4m (last phase graceful)",
				"12:03:00 all drains finished"}, true},
		}
		for i, st := range steps {
			lines, over := w.Look(st.look)
			if !slices.Equal(lines, st.lines) || over != st.over {
				t.Fatalf("look %d: %q, over %v\nwant %q, over %v", i, lines, over, st.lines, st.over)
			}
		}
	})
	t.Run("nothing to watch", func(t *testing.T) {
		var w Watch
		if lines, over := w.Look(look(0)); !over || !slices.Equal(lines, []string{"12:00:00 no drains in progress"}) {
			t.Fatalf("%q, over %v", lines, over)
		}
	})
	t.Run("stopped early", func(t *testing.T) {
		var w Watch
		w.Look(look(0, d("i-1", "graceful"), d("i-2", "graceful")))
		if got := w.Stopped(look(time.Minute)); got != "12:01:00 stopped watching; 2 drain(s) still in progress" {
			t.Fatalf("Stopped = %q", got)
		}
	})
}
