package emulator

import (
	"context"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/emulator/sqs"
)

// ReceiveMessage is SQS ReceiveMessage with long polling, for the wire
// front: it answers at once when messages are visible, else waits on the
// world's clock (WaitTimeSeconds, or the queue's default) until one becomes
// visible, the wait ends, or ctx is done. The call is logged once.
//
// The wait is in virtual time, so something must move the clock meanwhile:
// RunScaled, or the clock's owner stepping it while the caller runs as one
// of the clock's goroutines (clock.Go).
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
	arrived := clock.NewSignal(w.Clock)
	for {
		var cancel func()
		w.Do(func() {
			// Register, then look again under the same lock: a message sent
			// since the last look is not missed.
			if cancel, err = w.SQS.Notify(in.QueueUrl, arrived.Notify); err == nil {
				out, err = w.SQS.ReceiveMessage(in)
			}
		})
		if err != nil || len(out.Messages) > 0 {
			if cancel != nil {
				w.Do(cancel)
			}
			return out, err
		}
		notified, werr := arrived.Wait(ctx, deadline)
		w.Do(cancel)
		switch {
		case werr != nil:
			return &sqs.ReceiveMessageOutput{}, nil
		case !notified:
			// The wait is over: one last look, as SQS answers at the end
			// of a long poll.
			w.Do(func() { out, err = w.SQS.ReceiveMessage(in) })
			return out, err
		}
	}
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
	clock.Sleep(ctx, w.Clock, lat)
}
