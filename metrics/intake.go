package metrics

import "github.com/drainer-dev/drainer/intake"

// Intake returns the queue consumer's metric hooks.
func (m *Metrics) Intake() intake.Metrics {
	return intake.Metrics{
		Handled:      func(k intake.Kind) { m.queueMessages.WithLabelValues("handled", string(k)).Inc() },
		Failed:       func(k intake.Kind) { m.queueMessages.WithLabelValues("failed", string(k)).Inc() },
		Skipped:      func(reason string) { m.queueMessages.WithLabelValues("skipped", reason).Inc() },
		ReceiveError: func() { m.queueErrors.WithLabelValues("receive").Inc() },
		DeleteError:  func() { m.queueErrors.WithLabelValues("delete").Inc() },
		ExtendError:  func() { m.queueErrors.WithLabelValues("extend").Inc() },
	}
}

// NoticeIgnored counts a notice drainer left alone, by kind and reason.
func (m *Metrics) NoticeIgnored(kind intake.Kind, reason string) {
	m.noticesIgnored.WithLabelValues(string(kind), reason).Inc()
}
