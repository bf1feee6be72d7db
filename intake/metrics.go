package intake

// Metrics receives the consumer's counts by outcome; any field may be nil.
// Prometheus counters plug in here.
type Metrics struct {
	// Handled counts notices whose handler succeeded.
	Handled func(Kind)
	// Failed counts notices whose handler failed (or panicked).
	Failed func(Kind)
	// Skipped counts messages Parse skipped, by SkipError.Reason.
	Skipped func(reason string)
	// ReceiveError counts failed receives (each followed by a backoff).
	ReceiveError func()
	// DeleteError counts failed deletes; those messages come back and are
	// handled again, which a level-triggered handler tolerates.
	DeleteError func()
	// ExtendError counts failed visibility extensions.
	ExtendError func()
}

func (m Metrics) handled(k Kind) {
	if m.Handled != nil {
		m.Handled(k)
	}
}

func (m Metrics) failed(k Kind) {
	if m.Failed != nil {
		m.Failed(k)
	}
}

func (m Metrics) skipped(reason string) {
	if m.Skipped != nil {
		m.Skipped(reason)
	}
}

func (m Metrics) receiveError() {
	if m.ReceiveError != nil {
		m.ReceiveError()
	}
}

func (m Metrics) deleteError() {
	if m.DeleteError != nil {
		m.DeleteError()
	}
}

func (m Metrics) extendError() {
	if m.ExtendError != nil {
		m.ExtendError()
	}
}

// And returns hooks that call m's, then o's.
func (m Metrics) And(o Metrics) Metrics {
	kind := func(a, b func(Kind)) func(Kind) {
		return func(k Kind) {
			if a != nil {
				a(k)
			}
			if b != nil {
				b(k)
			}
		}
	}
	plain := func(a, b func()) func() {
		return func() {
			if a != nil {
				a()
			}
			if b != nil {
				b()
			}
		}
	}
	return Metrics{
		Handled: kind(m.Handled, o.Handled),
		Failed:  kind(m.Failed, o.Failed),
		Skipped: func(r string) {
			if m.Skipped != nil {
				m.Skipped(r)
			}
			if o.Skipped != nil {
				o.Skipped(r)
			}
		},
		ReceiveError: plain(m.ReceiveError, o.ReceiveError),
		DeleteError:  plain(m.DeleteError, o.DeleteError),
		ExtendError:  plain(m.ExtendError, o.ExtendError),
	}
}
