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
