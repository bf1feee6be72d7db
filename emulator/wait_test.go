package emulator_test

import (
	"context"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/fault"
	"github.com/drainer-dev/drainer/emulator/sqs"
)

// TestLongPollWakesOnSend runs the clock scaled (fast) in the background,
// as the wire front does, and checks a waiting receive returns the message
// sent during its wait, and an empty one returns after its wait.
func TestLongPollWakesOnSend(t *testing.T) {
	w := emulator.New(emulator.Config{})
	q, err := emulator.Invoke(w, "test", w.SQS.CreateQueue, sqs.CreateQueueInput{QueueName: "q"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Clock.RunScaled(ctx, 1000)

	got := make(chan *sqs.ReceiveMessageOutput, 1)
	go func() {
		out, err := w.ReceiveMessage(ctx, "test", sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: ptr(int32(20))})
		if err != nil {
			t.Error(err)
		}
		got <- out
	}()
	sentAt := w.Now().Add(5 * time.Second)
	w.Clock.At(sentAt, func() {
		if _, err := emulator.Invoke(w, "test", w.SQS.SendMessage, sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: "hello"}); err != nil {
			t.Error(err)
		}
	})
	out := <-got
	if len(out.Messages) != 1 || out.Messages[0].Body != "hello" {
		t.Fatalf("long poll returned %+v, want the message sent during the wait", out.Messages)
	}
	if w.Now().Before(sentAt) {
		t.Fatalf("returned at %v, before the message was sent at %v", w.Now(), sentAt)
	}

	start := w.Now()
	out, err = w.ReceiveMessage(ctx, "test", sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: ptr(int32(2))})
	if err != nil || len(out.Messages) != 0 {
		t.Fatalf("empty long poll = %+v, %v", out, err)
	}
	if waited := w.Now().Sub(start); waited < 2*time.Second {
		t.Fatalf("empty long poll returned after %v of virtual time, want its 2s wait", waited)
	}
	if n := w.Calls.Count("sqs", "ReceiveMessage", ""); n != 2 {
		t.Fatalf("call log has %d ReceiveMessage calls, want one per request (2)", n)
	}
}

func TestDelayWaitsInjectedLatency(t *testing.T) {
	w := emulator.New(emulator.Config{})
	w.Do(func() {
		if err := w.Faults.Set(fault.Rule{Service: "ecs", Operation: "ListTasks", Latency: 3 * time.Second}); err != nil {
			t.Fatal(err)
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Clock.RunScaled(ctx, 1000)
	start := w.Now()
	w.Delay(ctx, "ecs", "ListTasks")
	if waited := w.Now().Sub(start); waited < 3*time.Second {
		t.Fatalf("waited %v of virtual time, want the injected 3s", waited)
	}
	start = w.Now()
	w.Delay(ctx, "ecs", "DescribeTasks")
	if waited := w.Now().Sub(start); waited > time.Second {
		t.Fatalf("an operation without latency waited %v", waited)
	}
}
