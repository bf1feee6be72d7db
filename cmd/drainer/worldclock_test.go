package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The live tests move the world's clock themselves, through a manual
// clock's POST /_emulator/clock/advance, and wait for what must follow
// without a time bound of their own: a machine however busy makes them
// slower, never wrong. Only the test binary's deadline (go test -timeout)
// ends a wait that never ends.

// worldStep is how far a test moves a manual clock at a time: shorter than
// every state the tests look for (a lifecycle wait, a drain), so that none
// passes between two looks.
const worldStep = 10 * time.Second

// testContext is the test's context, ending a little before the test
// binary's deadline so that a wait that never ends fails with what it
// waited for rather than with go test's panic.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx := t.Context()
	if deadline, ok := t.Deadline(); ok {
		margin := min(30*time.Second, time.Until(deadline)/10)
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-margin))
		t.Cleanup(cancel)
	}
	return ctx
}

// waitFor calls cond until it reports true, pausing briefly between tries.
// It fails the test if ctx ends first (the test's deadline, or the end of
// a process the wait depends on).
func waitFor(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond) // how often to look, not a bound
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("gave up waiting for %s: %v", what, context.Cause(ctx))
		case <-tick.C:
		}
	}
}

// waitExit waits for a command run in-process to return its exit code
// after its context ended, for as long as the test binary's deadline
// allows.
func waitExit(t *testing.T, code <-chan int, what string) int {
	t.Helper()
	var limit <-chan time.Time
	if deadline, ok := t.Deadline(); ok {
		timer := time.NewTimer(time.Until(deadline) - min(5*time.Second, time.Until(deadline)/10))
		defer timer.Stop()
		limit = timer.C
	}
	select {
	case c := <-code:
		return c
	case <-limit:
		t.Errorf("%s did not stop after its context ended, by the test's deadline", what)
		return -1
	}
}

// advanceClock moves the world's manual clock on by d through the
// endpoint's admin API and returns the world's time after the move. The
// call returns once everything due has happened.
func advanceClock(ctx context.Context, t *testing.T, endpoint string, d time.Duration) time.Time {
	t.Helper()
	now, err := postAdvance(ctx, endpoint, d)
	if err != nil {
		t.Fatal(err)
	}
	return now
}

// postAdvance is advanceClock's request: it returns the world's time after
// the move, or an error naming the move when the endpoint does not answer
// 200 with it (it is gone, or the clock is not manual).
func postAdvance(ctx context.Context, endpoint string, d time.Duration) (time.Time, error) {
	body := fmt.Sprintf(`{"duration":%q}`, d)
	req, err := http.NewRequestWithContext(ctx, "POST", endpoint+"/_emulator/clock/advance", strings.NewReader(body))
	if err != nil {
		return time.Time{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return time.Time{}, fmt.Errorf("advance the clock by %v: %w", d, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return time.Time{}, fmt.Errorf("advance the clock by %v = %d %s, %v", d, resp.StatusCode, b, err)
	}
	var st struct {
		Now time.Time `json:"now"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return time.Time{}, fmt.Errorf("advance the clock: %w in %s", err, b)
	}
	return st.Now, nil
}

// advanceUntil moves the world's clock a worldStep at a time until the
// world shows what cond looks for, and returns the world as it shows it.
// settle, if not nil, runs before every step: it waits until what lives
// beside the world (drainer run, on the wall clock) has caught up with it.
// It fails the test if an hour of virtual time goes by first: everything
// the tests wait for happens within minutes of virtual time.
func advanceUntil(ctx context.Context, t *testing.T, endpoint, what string, settle func(), cond func(snapshot) bool) snapshot {
	t.Helper()
	s := getSnapshot(t, endpoint)
	limit := s.Time.Add(time.Hour)
	for !cond(s) {
		if !s.Time.Before(limit) {
			t.Fatalf("an hour of virtual time went by without %s; world at %v: %+v", what, s.Time, s)
		}
		if settle != nil {
			settle()
		}
		advanceClock(ctx, t, endpoint, worldStep)
		s = getSnapshot(t, endpoint)
	}
	return s
}
