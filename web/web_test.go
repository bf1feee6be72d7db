package web

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/drain"
)

func testSource() Source {
	now := time.Date(2026, 11, 22, 0, 5, 0, 0, time.UTC)
	return SourceFunc(func() Snapshot {
		return Snapshot{Time: now, Speed: 10,
			Groups: []Group{{Name: "asg", Desired: 1, Instances: []GroupInstance{{InstanceID: "i-1", LifecycleState: "Terminating:Wait"}}}},
			Drains: []Drain{{InstanceID: "i-1", Phase: "graceful", Deadline: now.Add(time.Hour), TasksLeft: map[string]int{"service": 2}}},
		}
	})
}

func TestPageAndSnapshot(t *testing.T) {
	srv := httptest.NewServer(New(testSource(), Options{}))
	defer srv.Close()
	for path, want := range map[string]string{"/": "<title>drainer</title>", "/app.js": "EventSource", "/style.css": "table"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("GET %s: %d, lacks %q", path, resp.StatusCode, want)
		}
	}
	resp, err := http.Post(srv.URL+"/snapshot", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /snapshot: %d, want 405 (read-only)", resp.StatusCode)
	}
	resp, err = http.Get(srv.URL + "/snapshot")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s Snapshot
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatal(err)
	}
	if len(s.Groups) != 1 || s.Drains[0].TasksLeft["service"] != 2 || s.Clusters == nil || s.Timeline == nil {
		t.Errorf("snapshot %+v", s)
	}
}

// TestEventsPushOnDrainEvent: /events sends a snapshot at once, then a fresh
// one on a drain event, well before the periodic one.
func TestEventsPushOnDrainEvent(t *testing.T) {
	d := New(testSource(), Options{Interval: time.Hour})
	srv := httptest.NewServer(d)
	defer srv.Close()
	req, _ := http.NewRequestWithContext(t.Context(), "GET", srv.URL+"/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	r := bufio.NewReader(resp.Body)
	next := func() Snapshot {
		t.Helper()
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			if data, ok := strings.CutPrefix(line, "data: "); ok {
				var s Snapshot
				if err := json.Unmarshal([]byte(data), &s); err != nil {
					t.Fatal(err)
				}
				return s
			}
		}
	}
	if s := next(); len(s.Timeline) != 0 {
		t.Fatalf("first snapshot has a timeline: %+v", s.Timeline)
	}
	d.Publish(drain.Event{Type: drain.EventStarted, InstanceID: "i-1", Reason: "lifecycle"})
	s := next()
	if len(s.Timeline) != 1 || s.Timeline[0].Type != drain.EventStarted {
		t.Fatalf("after an event: %+v", s.Timeline)
	}
}
