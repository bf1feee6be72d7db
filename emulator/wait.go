package emulator

import (
	"context"
	"time"

	"github.com/drainer-dev/drainer/emulator/sqs"
)

// ReceiveMessage is SQS ReceiveMessage with long polling, for the wire
// front: it answers at once when messages are visible, else waits on the
// world's clock (WaitTimeSeconds, or the queue's default) until one becomes
// visible, the wait ends, or ctx is done. The call is logged once.
//
// The wait is in virtual time, so something must move the clock meanwhile:
// RunScaled, or another goroutine stepping it.
func (w *World) ReceiveMessage(ctx context.Context, caller string, in sqs.ReceiveMessageInput) (*sqs.ReceiveMessageOutput, error) {
	out, err := Invoke(w, caller, w.SQS.ReceiveMessage, in)
	if err != nil || len(out.Messages) > 0 {
		return out, err
	}
	var wait time.Duration
	w.Do(func() { wait = w.SQS.WaitTime(in) })
	if wait <= 0 {
		return out, nil
	}
	deadline := w.Now().Add(wait)
	for w.Now().Before(deadline) {
		woke := make(chan struct{}, 1)
		signal := func() {
			select {
			case woke <- struct{}{}:
			default:
			}
		}
		var cancel func()
		w.Do(func() {
			// Register, then look again under the same lock: a message sent
			// since the last look is not missed.
			if cancel, err = w.SQS.Notify(in.QueueUrl, signal); err == nil {
				out, err = w.SQS.ReceiveMessage(in)
			}
		})
		if err != nil || len(out.Messages) > 0 {
			if cancel != nil {
				w.Do(cancel)
			}
			return out, err
		}
		timer := w.Clock.At(deadline, signal)
		select {
		case <-woke:
		case <-ctx.Done():
		}
		timer.Stop()
		w.Do(func() {
			cancel()
			if ctx.Err() == nil {
				out, err = w.SQS.ReceiveMessage(in)
			}
		})
		if ctx.Err() != nil {
			return &sqs.ReceiveMessageOutput{}, nil
		}
		if err != nil || len(out.Messages) > 0 {
			return out, err
		}
	}
	return out, nil
}

// Delay waits, in virtual time, for the latency injected for service:op
// (none unless a fault rule sets one). The wire front calls it before
// answering.
func (w *World) Delay(ctx context.Context, service, op string) {
	var lat time.Duration
	w.Do(func() { lat = w.Faults.Latency(service, op) })
	if lat <= 0 {
		return
	}
	done := make(chan struct{})
	t := w.Clock.AfterFunc(lat, func() { close(done) })
	select {
	case <-done:
	case <-ctx.Done():
		t.Stop()
	}
}
