// Package duration renders durations for people reading a terminal: rounded
// to at most two units (45s, 12m, 3h5m, 2d4h), as `drainer status`, `watch`
// and `doctor` print them.
package duration

import (
	"fmt"
	"time"
)

// Short rounds d down for people: seconds under a minute ("45s"), minutes
// under an hour ("12m"), hours and minutes under two days ("3h5m", "47h"),
// then days and hours ("2d", "2d4h"). A negative d prints as "0s".
func Short(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		if m == 0 {
			return fmt.Sprintf("%dh", h)
		}
		return fmt.Sprintf("%dh%dm", h, m)
	}
	days, h := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
	if h == 0 {
		return fmt.Sprintf("%dd", days)
	}
	return fmt.Sprintf("%dd%dh", days, h)
}
