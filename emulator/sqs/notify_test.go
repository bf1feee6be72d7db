package sqs

import (
	"testing"
	"time"
)

func TestNotifyFiresWhenDelayedMessageBecomesVisible(t *testing.T) {
	w := newWorld(t)
	url := w.createQueue("q", nil)
	var woke []time.Duration
	var cancel func()
	var err error
	w.do(func() {
		_, err = w.svc.SendMessage(SendMessageInput{QueueUrl: url, MessageBody: "later", DelaySeconds: i32(15)})
		cancel, err = w.svc.Notify(url, func() { woke = append(woke, w.env.Now().Sub(start)) })
	})
	if err != nil {
		t.Fatal(err)
	}
	w.c.RunFor(14 * time.Second)
	if len(woke) != 0 {
		t.Fatalf("woken at %v before the delay ended", woke)
	}
	w.c.RunFor(time.Second)
	if len(woke) != 1 || woke[0] != 15*time.Second {
		t.Fatalf("woken at %v, want once at 15s", woke)
	}
	// The long poller receives; when the visibility timeout lapses, it is
	// woken again.
	w.receive(ReceiveMessageInput{QueueUrl: url, VisibilityTimeout: i32(5)})
	w.c.RunFor(5 * time.Second)
	if len(woke) != 2 || woke[1] != 20*time.Second {
		t.Fatalf("woken at %v, want again at 20s", woke)
	}
	w.do(cancel)
	w.send(url, "after cancel")
	if len(woke) != 2 {
		t.Fatalf("woken after cancel: %v", woke)
	}
	if p := w.c.Pending(); p != 0 {
		t.Fatalf("%d clock events pending with nobody waiting", p)
	}
}

func TestNotifyFiresOnSendAndCanCancelItself(t *testing.T) {
	w := newWorld(t)
	url := w.createQueue("q", nil)
	var got []string
	var cancel func()
	w.do(func() {
		cancel, _ = w.svc.Notify(url, func() {
			// What a wire front does: receive, answer, stop waiting.
			out, _ := w.svc.ReceiveMessage(ReceiveMessageInput{QueueUrl: url})
			for _, m := range out.Messages {
				got = append(got, m.Body)
			}
			cancel()
		})
	})
	w.send(url, "one")
	w.send(url, "two")
	if len(got) != 1 || got[0] != "one" {
		t.Fatalf("long poller got %v, want [one]", got)
	}
	var err error
	w.do(func() { _, err = w.svc.Notify("https://sqs.us-east-1.amazonaws.com/123456789012/none", func() {}) })
	wantCode(t, err, codeQueueDoesNotExist)
}

func TestWaitTimeDefaultsToQueueAttribute(t *testing.T) {
	w := newWorld(t)
	url := w.createQueue("q", map[string]string{"ReceiveMessageWaitTimeSeconds": "20"})
	var a, b time.Duration
	w.do(func() {
		a = w.svc.WaitTime(ReceiveMessageInput{QueueUrl: url})
		b = w.svc.WaitTime(ReceiveMessageInput{QueueUrl: url, WaitTimeSeconds: i32(0)})
	})
	if a != 20*time.Second || b != 0 {
		t.Fatalf("wait times %v, %v; want 20s, 0", a, b)
	}
}

func TestFaultsDuplicateAndDelayUnderFixedSeed(t *testing.T) {
	run := func() (ids []string) {
		w := newWorld(t)
		url := w.createQueue("q", nil)
		var err error
		w.do(func() {
			err = w.svc.SetFaults(url, Faults{DuplicateRate: 0.5, DelayRate: 0.5, MaxDelay: 10 * time.Second})
		})
		if err != nil {
			t.Fatal(err)
		}
		for range 20 {
			ids = append(ids, w.send(url, "m").MessageId)
		}
		d := w.depth(url)
		if total := d[0] + d[2]; total <= 20 || total >= 40 {
			t.Fatalf("with a 50%% duplicate rate stored %d copies of 20 messages", total)
		}
		if d[2] == 0 || d[0] == 0 {
			t.Fatalf("with a 50%% delay rate depth = %v", d)
		}
		w.c.RunFor(10 * time.Second)
		if d := w.depth(url); d[2] != 0 {
			t.Fatalf("late messages still delayed after MaxDelay: %v", d)
		}
		// Duplicates share the MessageId of the original.
		seen := map[string]int{}
		for {
			got := w.receive(ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: i32(600)})
			if len(got) == 0 {
				break
			}
			for _, m := range got {
				seen[m.MessageId]++
			}
		}
		dups := 0
		for _, n := range seen {
			if n > 1 {
				dups++
			}
		}
		if len(seen) != 20 || dups == 0 {
			t.Fatalf("received %d distinct ids, %d duplicated", len(seen), dups)
		}
		return ids
	}
	a, b := run(), run()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed gave different message ids: %s vs %s", a[i], b[i])
		}
	}

	w := newWorld(t)
	url := w.createQueue("q", nil)
	var err error
	w.do(func() { err = w.svc.SetFaults(url, Faults{DuplicateRate: 2}) })
	wantCode(t, err, codeInvalidParameterValue)
}
