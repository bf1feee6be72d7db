package health

import (
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func TestLive(t *testing.T) {
	const after = 5 * time.Minute
	failing := func(since time.Duration, why string) Reach {
		return Reach{LastOK: t0.Add(-time.Hour), FailingSince: t0.Add(-since), LastError: why}
	}
	for _, c := range []struct {
		name    string
		reach   map[Dependency]Reach
		want    bool
		reasons []string
	}{
		{"nothing called yet", nil, true, nil},
		{"both answered", map[Dependency]Reach{Queue: {LastOK: t0}, AWS: {LastOK: t0.Add(-time.Hour)}}, true, nil},
		{"an old success and no failure since: idle, not unreachable", map[Dependency]Reach{AWS: {LastOK: t0.Add(-48 * time.Hour)}}, true, nil},
		{"queue failing for a minute", map[Dependency]Reach{Queue: failing(time.Minute, "QueueDoesNotExist")}, true, nil},
		{"queue failing for exactly the limit", map[Dependency]Reach{Queue: failing(after, "QueueDoesNotExist")}, true, nil},
		{"queue failing a second past the limit", map[Dependency]Reach{Queue: failing(after+time.Second, "receive from q: QueueDoesNotExist")}, false,
			[]string{"queue unreachable for 5m (more than 5m), since 2026-11-22T09:54:59Z: receive from q: QueueDoesNotExist"}},
		{"failing from the start, never a success", map[Dependency]Reach{AWS: {FailingSince: t0.Add(-10 * time.Minute), LastError: "dial tcp: refused"}}, false,
			[]string{"aws unreachable for 10m (more than 5m), since 2026-11-22T09:50:00Z: dial tcp: refused"}},
		{"both failing: aws first, by name", map[Dependency]Reach{Queue: failing(time.Hour, "gone"), AWS: failing(6*time.Minute, "refused")}, false,
			[]string{"aws unreachable for 6m", "queue unreachable for 1h"}},
		{"one failing, the other fine", map[Dependency]Reach{Queue: {LastOK: t0}, AWS: failing(7*time.Minute, "503")}, false,
			[]string{"aws unreachable for 7m"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := Live(c.reach, t0, after)
			if v.OK != c.want || (v.Status == "ok") != c.want {
				t.Errorf("Live = %+v, want OK %t", v, c.want)
			}
			if len(v.Reasons) != len(c.reasons) {
				t.Fatalf("reasons %q, want %d", v.Reasons, len(c.reasons))
			}
			for i, r := range c.reasons {
				if !strings.HasPrefix(v.Reasons[i], r) {
					t.Errorf("reason %d = %q, want it to start %q", i, v.Reasons[i], r)
				}
			}
			if !v.OK && v.Status != "unhealthy" {
				t.Errorf("status %q, want unhealthy", v.Status)
			}
		})
	}
}

func TestReady(t *testing.T) {
	const notAdopted, notRead = "the drains recorded on the clusters are not adopted yet", "the queue has not been read yet"
	for _, c := range []struct {
		name    string
		r       Readiness
		reasons []string
	}{
		{"just started", Readiness{Queue: true}, []string{notAdopted, notRead}},
		{"adopted, the queue not read yet", Readiness{Adopted: true, Queue: true}, []string{notRead}},
		{"adopted and the queue read", Readiness{Adopted: true, Queue: true, QueueRead: true}, nil},
		{"no queue: adopted is enough", Readiness{Adopted: true}, nil},
		{"no queue, not adopted", Readiness{}, []string{notAdopted}},
		{"the queue read before the drains are adopted", Readiness{Queue: true, QueueRead: true}, []string{notAdopted}},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := Ready(c.r)
			if v.OK != (len(c.reasons) == 0) || strings.Join(v.Reasons, "|") != strings.Join(c.reasons, "|") {
				t.Errorf("Ready = %+v, want reasons %q", v, c.reasons)
			}
			if want := map[bool]string{true: "ok", false: "not ready"}[v.OK]; v.Status != want {
				t.Errorf("status %q, want %q", v.Status, want)
			}
		})
	}
}
