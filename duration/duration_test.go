package duration

import (
	"testing"
	"time"
)

func TestShort(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{-time.Second, "0s"},
		{999 * time.Millisecond, "0s"},
		{45 * time.Second, "45s"},
		{59 * time.Second, "59s"},
		{time.Minute, "1m"},
		{12*time.Minute + 30*time.Second, "12m"},
		{time.Hour, "1h"},
		{3*time.Hour + 5*time.Minute, "3h5m"},
		{47 * time.Hour, "47h"},
		{48 * time.Hour, "2d"},
		{52 * time.Hour, "2d4h"},
		{52*time.Hour + 59*time.Minute, "2d4h"},
		{7200 * time.Second, "2h"},
	} {
		if got := Short(c.d); got != c.want {
			t.Errorf("Short(%s) = %q, want %q", c.d, got, c.want)
		}
	}
}
