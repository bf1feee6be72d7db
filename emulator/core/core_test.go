package core

import (
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/clock"
)

var start = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func TestSameSeedSameIDs(t *testing.T) {
	a := NewEnv(clock.NewVirtual(start), Options{Seed: 7})
	b := NewEnv(clock.NewVirtual(start), Options{Seed: 7})
	c := NewEnv(clock.NewVirtual(start), Options{Seed: 8})
	ida, idb, idc := a.ID("i-", 17), b.ID("i-", 17), c.ID("i-", 17)
	if ida != idb {
		t.Fatalf("same seed gave %s and %s", ida, idb)
	}
	if ida == idc {
		t.Fatalf("different seeds gave the same id %s", ida)
	}
	if !regexp.MustCompile(`^i-[0-9a-f]{17}$`).MatchString(ida) {
		t.Fatalf("instance id %q has the wrong shape", ida)
	}
	if u := a.UUID(); !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(u) {
		t.Fatalf("UUID %q is not a version-4 UUID", u)
	}
}

func TestEventsRunUnderLockWithObservers(t *testing.T) {
	v := clock.NewVirtual(start)
	e := NewEnv(v, Options{})
	var log []string
	e.OnEvent(func() { log = append(log, "observe") })
	e.After(time.Second, func() {
		if e.mu.TryLock() {
			t.Error("event ran without the world lock")
			e.mu.Unlock()
		}
		log = append(log, "event")
	})
	e.Do(func() { log = append(log, "call") })
	v.RunFor(time.Minute)
	want := []string{"call", "observe", "event", "observe"}
	if len(log) != len(want) {
		t.Fatalf("log = %v, want %v", log, want)
	}
	for i := range want {
		if log[i] != want[i] {
			t.Fatalf("log = %v, want %v", log, want)
		}
	}
}

func TestEpochTimeJSON(t *testing.T) {
	ts := Epoch(time.Date(2026, 11, 22, 10, 0, 0, 500_000_000, time.UTC))
	b, err := json.Marshal(struct {
		At   EpochTime `json:"at"`
		Zero EpochTime `json:"zero,omitzero"`
	}{At: ts})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"at":1795341600.5}`; got != want {
		t.Fatalf("marshal = %s, want %s", got, want)
	}
	for _, in := range []string{`1795341600.5`, `"2026-11-22T10:00:00.5Z"`} {
		var back EpochTime
		if err := json.Unmarshal([]byte(in), &back); err != nil {
			t.Fatalf("unmarshal %s: %v", in, err)
		}
		if !back.Equal(ts.Time) {
			t.Fatalf("unmarshal %s = %v, want %v", in, back, ts)
		}
	}
	var bad EpochTime
	if err := json.Unmarshal([]byte(`"yesterday"`), &bad); err == nil {
		t.Fatal("unmarshal of a bad time succeeded")
	}
}

func TestErrorCodeOf(t *testing.T) {
	err := ClientError("ClusterNotFoundException", "Cluster not found.")
	if CodeOf(err) != "ClusterNotFoundException" || !err.Sender() {
		t.Fatalf("CodeOf = %q, Sender = %v", CodeOf(err), err.Sender())
	}
	if CodeOf(nil) != "" {
		t.Fatal("CodeOf(nil) not empty")
	}
	if ServerError("ServerException", "boom").Sender() {
		t.Fatal("server error reported as the sender's fault")
	}
}
