package sqs

import (
	"testing"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/emulator/core"
)

var start = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// world is one SQS service on a virtual clock, with helpers that enter it
// the way the emulator's world does (env.Do) and fail the test on errors.
type world struct {
	t   *testing.T
	c   *clock.Virtual
	env *core.Env
	svc *Service
}

func newWorld(t *testing.T) *world {
	t.Helper()
	c := clock.NewVirtual(start)
	env := core.NewEnv(c, core.Options{Seed: 1})
	return &world{t: t, c: c, env: env, svc: New(env, Options{})}
}

func (w *world) do(f func()) { w.env.Do(f) }

func (w *world) createQueue(name string, attrs map[string]string) string {
	w.t.Helper()
	var out *CreateQueueOutput
	var err error
	w.do(func() { out, err = w.svc.CreateQueue(CreateQueueInput{QueueName: name, Attributes: attrs}) })
	if err != nil {
		w.t.Fatalf("CreateQueue(%s): %v", name, err)
	}
	return out.QueueUrl
}

func (w *world) send(url, body string) *SendMessageOutput {
	w.t.Helper()
	var out *SendMessageOutput
	var err error
	w.do(func() { out, err = w.svc.SendMessage(SendMessageInput{QueueUrl: url, MessageBody: body}) })
	if err != nil {
		w.t.Fatalf("SendMessage: %v", err)
	}
	return out
}

func (w *world) receive(in ReceiveMessageInput) []Message {
	w.t.Helper()
	var out *ReceiveMessageOutput
	var err error
	w.do(func() { out, err = w.svc.ReceiveMessage(in) })
	if err != nil {
		w.t.Fatalf("ReceiveMessage: %v", err)
	}
	return out.Messages
}

// receiveAll receives up to 10 messages with every system attribute.
func (w *world) receiveAll(url string) []Message {
	w.t.Helper()
	return w.receive(ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: []string{"All"}, MessageAttributeNames: []string{"All"}})
}

func (w *world) depth(url string) [3]int {
	var v, f, d int
	w.do(func() { v, f, d = w.svc.Depth(url) })
	return [3]int{v, f, d}
}

func (w *world) deleteMessage(url, handle string) error {
	var err error
	w.do(func() { _, err = w.svc.DeleteMessage(DeleteMessageInput{QueueUrl: url, ReceiptHandle: handle}) })
	return err
}

func i32(n int32) *int32   { return &n }
func str(s string) *string { return &s }

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if core.CodeOf(err) != code {
		t.Fatalf("error = %v, want code %s", err, code)
	}
	if e := asError(err); e.Message == "" || e.Status != 400 {
		t.Fatalf("error %v: want a message and status 400, got status %d", err, e.Status)
	}
}
