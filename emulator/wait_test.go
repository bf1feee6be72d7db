package emulator_test

import (
	"context"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/fault"
	"github.com/drainer-dev/drainer/emulator/sqs"
)

// TestLongPollWakesOnSend runs a receive as one of the clock's goroutines,
// as drainer's consumer runs under drainer sim, and checks it returns the
// message sent during its wait at the instant it was sent, and an empty
// one returns after exactly its wait.
func TestLongPollWakesOnSend(t *testing.T) {
	w := emulator.New(emulator.Config{})
	q, err := emulator.Invoke(w, "test", w.SQS.CreateQueue, sqs.CreateQueueInput{QueueName: "q"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	type result struct {
		out *sqs.ReceiveMessageOutput
		at  time.Time
	}
	var got []result
	clock.Go(ctx, w.Clock, func(ctx context.Context) {
		for _, wait := range []int32{20, 2} {
			out, err := w.ReceiveMessage(ctx, "test", sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: &wait})
			if err != nil {
				t.Error(err)
			}
			got = append(got, result{out, w.Now()})
		}
	})
	start := w.Now()
	sentAt := start.Add(5 * time.Second)
	w.Clock.At(sentAt, func() {
		if _, err := emulator.Invoke(w, "test", w.SQS.SendMessage, sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: "hello"}); err != nil {
			t.Error(err)
		}
	})
	w.Clock.RunFor(time.Minute)
	if len(got) != 2 {
		t.Fatalf("%d receives returned, want 2", len(got))
	}
	if m := got[0].out.Messages; len(m) != 1 || m[0].Body != "hello" || !got[0].at.Equal(sentAt) {
		t.Fatalf("long poll returned %+v at +%v, want the message sent during the wait, at +5s", m, got[0].at.Sub(start))
	}
	if len(got[1].out.Messages) != 0 || !got[1].at.Equal(sentAt.Add(2*time.Second)) {
		t.Fatalf("empty long poll returned %+v at +%v, want nothing after its 2s wait (+7s)", got[1].out.Messages, got[1].at.Sub(start))
	}
	if n := w.Calls.Count("sqs", "ReceiveMessage", ""); n != 2 {
		t.Fatalf("call log has %d ReceiveMessage calls, want one per request (2)", n)
	}
}

// TestLongPollWakesWhenHiddenMessageReturns: a message whose visibility
// timeout ends during the wait wakes the poller exactly then.
func TestLongPollWakesWhenHiddenMessageReturns(t *testing.T) {
	w := emulator.New(emulator.Config{})
	q, err := emulator.Invoke(w, "test", w.SQS.CreateQueue, sqs.CreateQueueInput{QueueName: "q"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := emulator.Invoke(w, "test", w.SQS.SendMessage, sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: "again"}); err != nil {
		t.Fatal(err)
	}
	vis := int32(7)
	if out, err := emulator.Invoke(w, "test", w.SQS.ReceiveMessage, sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, VisibilityTimeout: &vis}); err != nil || len(out.Messages) != 1 {
		t.Fatalf("first receive: %+v, %v", out, err)
	}
	start := w.Now()
	var at time.Time
	var n int
	clock.Go(context.Background(), w.Clock, func(ctx context.Context) {
		wait := int32(20)
		out, err := w.ReceiveMessage(ctx, "test", sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: &wait})
		if err != nil {
			t.Error(err)
		}
		n, at = len(out.Messages), w.Now()
	})
	w.Clock.RunFor(time.Minute)
	if n != 1 || at.Sub(start) != 7*time.Second {
		t.Fatalf("received %d message(s) at +%v, want 1 at +7s (when its visibility timeout ended)", n, at.Sub(start))
	}
}

func TestDelayWaitsInjectedLatency(t *testing.T) {
	w := emulator.New(emulator.Config{})
	w.Do(func() {
		if err := w.Faults.Set(fault.Rule{Service: "ecs", Operation: "ListTasks", Latency: 3 * time.Second}); err != nil {
			t.Fatal(err)
		}
	})
	var waited []time.Duration
	clock.Go(context.Background(), w.Clock, func(ctx context.Context) {
		for _, op := range []string{"ListTasks", "DescribeTasks"} {
			start := w.Now()
			w.Delay(ctx, "ecs", op)
			waited = append(waited, w.Now().Sub(start))
		}
	})
	w.Clock.RunFor(time.Minute)
	if len(waited) != 2 || waited[0] != 3*time.Second || waited[1] != 0 {
		t.Fatalf("waited %v, want [3s 0s]: the injected latency for ListTasks only", waited)
	}
}
