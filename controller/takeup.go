package controller

import (
	"context"
	"sync"

	"github.com/drainer-dev/drainer/clock"
)

// takeUps serializes the handling of messages for one lifecycle action
// (instance and hook): the hook and an EventBridge rule may both notify
// it, and SQS may deliver a message twice, often into the same receive.
// The second waits for the first, then finds the action kept alive by its
// drain (drain.Reconciler.KeepsAlive) and costs no call.
type takeUps struct {
	mu    sync.Mutex
	locks map[string]*takeUpLock
}

type takeUpLock struct {
	mu    clock.Mutex // waits on the clock: a virtual one moves meanwhile
	users int
}

// lock takes the lock of key, waiting for a handler holding it; it returns
// the function that releases it, or ctx's error.
func (t *takeUps) lock(ctx context.Context, key string) (func(), error) {
	t.mu.Lock()
	if t.locks == nil {
		t.locks = map[string]*takeUpLock{}
	}
	l := t.locks[key]
	if l == nil {
		l = &takeUpLock{}
		t.locks[key] = l
	}
	l.users++
	t.mu.Unlock()
	release := func() {
		t.mu.Lock()
		if l.users--; l.users == 0 {
			delete(t.locks, key)
		}
		t.mu.Unlock()
	}
	if err := l.mu.Lock(ctx); err != nil {
		release()
		return nil, err
	}
	return func() { l.mu.Unlock(); release() }, nil
}
