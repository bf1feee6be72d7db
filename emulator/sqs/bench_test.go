package sqs

import (
	"fmt"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/emulator/core"
)

// BenchmarkReceiveWithBacklog measures one consumer's turn — send a
// message, receive it, delete it — on a queue holding a backlog of n
// messages: nine in ten in flight (received, not yet deleted, as drainer's
// messages are while their drains go on) and one in ten delayed. The cost
// of a turn must not grow with n.
func BenchmarkReceiveWithBacklog(b *testing.B) {
	for _, n := range []int{100, 10_000, 100_000} {
		b.Run(fmt.Sprintf("backlog=%d", n), func(b *testing.B) {
			c := clock.NewVirtual(start)
			env := core.NewEnv(c, core.Options{Seed: 1})
			svc := New(env, Options{})
			q, err := svc.CreateQueue(CreateQueueInput{QueueName: "backlog"})
			if err != nil {
				b.Fatal(err)
			}
			url := q.QueueUrl
			hidden, delay := int32(43200), int32(900)
			for i := range n {
				in := SendMessageInput{QueueUrl: url, MessageBody: "backlog"}
				if i%10 == 9 {
					in.DelaySeconds = &delay
				}
				if _, err := svc.SendMessage(in); err != nil {
					b.Fatal(err)
				}
				if i%10 != 9 {
					if _, err := svc.ReceiveMessage(ReceiveMessageInput{QueueUrl: url, VisibilityTimeout: &hidden}); err != nil {
						b.Fatal(err)
					}
				}
			}
			c.RunFor(time.Second)
			for b.Loop() {
				if _, err := svc.SendMessage(SendMessageInput{QueueUrl: url, MessageBody: "event"}); err != nil {
					b.Fatal(err)
				}
				out, err := svc.ReceiveMessage(ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10})
				if err != nil || len(out.Messages) != 1 {
					b.Fatalf("receive: %d messages, %v; want the one sent", len(out.Messages), err)
				}
				if _, err := svc.DeleteMessage(DeleteMessageInput{QueueUrl: url, ReceiptHandle: out.Messages[0].ReceiptHandle}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if v, f, d := svc.Depth(url); v != 0 || f != n-n/10 || d != n/10 {
				b.Fatalf("depth %d visible, %d in flight, %d delayed; want 0, %d, %d", v, f, d, n-n/10, n/10)
			}
		})
	}
}
