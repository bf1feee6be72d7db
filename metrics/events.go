package metrics

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/drainer-dev/drainer/drain"
)

// OnEvent counts one drain event: starts, completions (with their
// duration), drains not recorded (drain.EventNotRecorded) and stopped
// tasks. Wire it to drain.Config.OnEvent.
func (m *Metrics) OnEvent(ev drain.Event) {
	reason := string(ev.Reason)
	switch ev.Type {
	case drain.EventStarted:
		m.drainsStarted.WithLabelValues(reason).Inc()
		m.starts.set(ev.InstanceID, ev.Time)
	case drain.EventCompleted:
		m.drainsCompleted.WithLabelValues(reason, strconv.FormatBool(ev.Overdue)).Inc()
		started, seen := m.starts.take(ev.InstanceID)
		if d, ok := drainedIn(ev.Detail); ok {
			m.drainDuration.WithLabelValues(reason).Observe(d.Seconds())
		} else if seen {
			m.drainDuration.WithLabelValues(reason).Observe(ev.Time.Sub(started).Seconds())
		}
	case drain.EventNotRecorded:
		m.drainsNotRecorded.WithLabelValues(reason).Inc()
	case drain.EventTaskStopped:
		m.tasksStopped.WithLabelValues(TaskClass(ev.Detail)).Inc()
	case drain.EventTasksLost:
		for class, n := range ev.Tasks {
			m.tasksLost.WithLabelValues(class).Add(float64(n))
		}
	}
}

// drainedIn reads the duration the reconciler writes in a completion's
// detail ("drained in 12m30s; …"). It covers drains resumed after a
// restart, whose start this process never saw.
func drainedIn(detail string) (time.Duration, bool) {
	rest, ok := strings.CutPrefix(detail, "drained in ")
	if !ok {
		return 0, false
	}
	s, _, _ := strings.Cut(rest, ";")
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || d < 0 {
		return 0, false
	}
	return d, true
}

// The class label values of drainer_tasks_stopped_total.
const (
	ClassDaemon       = "daemon"
	ClassStandalone   = "standalone"
	ClassHardDeadline = "hard-deadline"
	ClassOther        = "other"
)

// TaskClass derives a stopped task's class from a "Drain Task Stopped"
// event's detail ("<task ARN>: <stop reason>"). drain.Event does not carry
// the task's class, and a task stopped at the hard deadline may be a
// service or a standalone one: those are counted as "hard-deadline".
func TaskClass(detail string) string {
	_, why, _ := strings.Cut(detail, ": ")
	switch {
	case strings.Contains(why, "daemon task"):
		return ClassDaemon
	case strings.Contains(why, "standalone task"):
		return ClassStandalone
	case strings.Contains(why, "hard deadline"):
		return ClassHardDeadline
	}
	return ClassOther
}

type startTime struct{ at time.Time }

// startTimes remembers when drains this process saw start, for durations
// whose completion detail cannot be read.
type startTimes struct {
	mu sync.Mutex
	m  map[string]startTime
}

func (s *startTimes) set(id string, at time.Time) {
	s.mu.Lock()
	s.m[id] = startTime{at}
	s.mu.Unlock()
}

func (s *startTimes) take(id string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.m[id]
	delete(s.m, id)
	return st.at, ok
}
