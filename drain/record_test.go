package drain

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/cloud"
)

const uuid = "3b1f5c3e-8d9a-4c1e-9f5e-2a7b6c8d9e0f"

var allReasons = []Reason{ReasonLifecycle, ReasonSpot, ReasonRebalance, ReasonIdle, ReasonTTL, ReasonOperator, ReasonForced}

func TestRecordRoundTrip(t *testing.T) {
	holds := []struct {
		name        string
		group, hook string
		token       string
		attrs       int
	}{
		{"no lifecycle action", "", "", "", 1},
		{"drainer's hook with its token", "web-asg", DefaultHook, uuid, 1},
		{"drainer's hook, no token", "web-asg", DefaultHook, "", 1},
		{"another hook with its token", "web-asg", "drain-hook", uuid, 2},
		{"another hook, no token", "web-asg", "team-b/drain_hook-2", "", 2},
	}
	for _, reason := range allReasons {
		for _, h := range holds {
			t.Run(string(reason)+", "+h.name, func(t *testing.T) {
				r := DefaultPolicy().Plan(Trigger{Reason: reason, At: t0, Group: h.group, Hook: h.hook, Token: h.token, HookGlobalTimeout: 25 * time.Hour})
				attrs, err := r.Attributes()
				if err != nil {
					t.Fatal(err)
				}
				if len(attrs) != h.attrs {
					t.Fatalf("%d attributes %v, want %d", len(attrs), attrs, h.attrs)
				}
				for name, v := range attrs {
					if err := cloud.ValidateAttribute(name, v); err != nil {
						t.Fatalf("ECS would refuse it: %v", err)
					}
				}
				back, err := ParseRecord(attrs)
				if err != nil {
					t.Fatal(err)
				}
				want := r
				want.Group = "" // read back from Auto Scaling, not recorded
				if back != want {
					t.Fatalf("round trip:\n got %+v\nwant %+v\n(attributes %v)", back, want, attrs)
				}
			})
		}
	}
}

// The format in Attributes' documentation is what ParseRecord reads.
func TestRecordDocumentedExample(t *testing.T) {
	r, err := ParseRecord(map[string]string{AttrDrain: "v1/lifecycle/1767225600/1767232500/1767232800/d/3b1f5c3e-8d9a-4c1e-9f5e-2a7b6c8d9e0f/96891bc5"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	want := Record{Reason: ReasonLifecycle, Started: start, GracefulUntil: start.Add(115 * time.Minute), Deadline: start.Add(2 * time.Hour), Hook: DefaultHook, Token: uuid}
	if r != want {
		t.Fatalf("got %+v, want %+v", r, want)
	}
}

// Times are kept to the second: a trigger's sub-second part is dropped,
// never rounded up past a deadline.
func TestRecordTimesInSeconds(t *testing.T) {
	at := t0.Add(1500 * time.Millisecond)
	r := Record{Reason: ReasonOperator, Started: at, GracefulUntil: at.Add(time.Hour), Deadline: at.Add(time.Hour)}
	attrs, err := r.Attributes()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseRecord(attrs)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Started.Equal(t0.Add(time.Second)) || !back.Deadline.Equal(t0.Add(time.Hour+time.Second)) {
		t.Fatalf("times %v, %v: want whole seconds, truncated", back.Started, back.Deadline)
	}
}

// A token is kept only when the value stays within ECS's 128 characters
// and its characters cannot be confused with the format's; without it
// drainer completes the action by instance id.
func TestRecordTokens(t *testing.T) {
	tests := []struct {
		name   string
		reason Reason
		token  string
		kept   bool
	}{
		{"a UUID, the longest reason", ReasonSpot, uuid, true},
		{"the longest that fits", ReasonSpot, strings.Repeat("t", 63), true},
		{"one character too long", ReasonSpot, strings.Repeat("t", 64), false},
		{"one that fits a shorter reason", ReasonTTL, strings.Repeat("t", 69), true},
		{"far too long", ReasonLifecycle, strings.Repeat("0123456789", 20), false},
		{"with the separator", ReasonLifecycle, "a/b", false},
		{"with a space", ReasonLifecycle, "a b", false},
		{"with a character ECS refuses", ReasonLifecycle, "a,b", false},
		{"every character allowed", ReasonLifecycle, "aZ09-_.@:", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Record{Reason: tt.reason, Started: t0, GracefulUntil: t0.Add(time.Minute), Deadline: t0.Add(2 * time.Minute), Group: "g", Hook: DefaultHook, Token: tt.token}
			attrs, err := r.Attributes()
			if err != nil {
				t.Fatal(err)
			}
			if v := attrs[AttrDrain]; len(v) > MaxAttributeValue {
				t.Fatalf("value of %d characters: %s", len(v), v)
			}
			if err := cloud.ValidateAttribute(AttrDrain, attrs[AttrDrain]); err != nil {
				t.Fatal(err)
			}
			back, err := ParseRecord(attrs)
			if err != nil {
				t.Fatal(err)
			}
			want := ""
			if tt.kept {
				want = tt.token
			}
			if back.Token != want || !back.Held() {
				t.Fatalf("read back token %q, held %t; want %q, held", back.Token, back.Held(), want)
			}
		})
	}
}

func TestRecordHookNamesECSRefuses(t *testing.T) {
	for _, hook := range []string{strings.Repeat("h", 129), "team b's hook"} {
		r := Record{Reason: ReasonLifecycle, Started: t0, GracefulUntil: t0, Deadline: t0, Group: "g", Hook: hook}
		if _, err := r.Attributes(); err == nil || !strings.Contains(err.Error(), "cannot be recorded") {
			t.Errorf("hook %q: err = %v", hook, err)
		}
	}
}

func TestRecordDamaged(t *testing.T) {
	good, err := DefaultPolicy().Plan(Trigger{Reason: ReasonIdle, At: t0}).Attributes()
	if err != nil {
		t.Fatal(err)
	}
	v := good[AttrDrain]
	fields := strings.Split(v, "/")
	// sealed builds a value with a valid checksum from fields with one
	// replaced, so that the field's own check is the one that fails.
	sealed := func(i int, s string) string {
		f := slices.Clone(fields[:len(fields)-1])
		f[i] = s
		return encode(f)
	}
	start, deadline := fields[2], fields[4]
	later := fmt.Sprint(t0.Add(DefaultPolicy().Graceful[ReasonIdle] + DefaultPolicy().HardStop + time.Second).Unix())
	if deadline == later || strings.HasSuffix(v, "00000000") {
		t.Fatalf("the damage would not change %s", v)
	}
	tests := []struct {
		name  string
		attrs map[string]string
		want  string
	}{
		{"a time altered", map[string]string{AttrDrain: strings.Replace(v, "/"+deadline+"/", "/"+later+"/", 1)}, "checksum"},
		{"checksum altered", map[string]string{AttrDrain: v[:len(v)-8] + "00000000"}, "checksum"},
		{"cut short", map[string]string{AttrDrain: v[:len(v)-4]}, "checksum"},
		{"no checksum", map[string]string{AttrDrain: strings.Join(fields[:len(fields)-1], "/")}, "checksum"},
		{"empty", map[string]string{AttrDrain: ""}, "unknown version"},
		{"unknown version", map[string]string{AttrDrain: sealed(0, "v2")}, `unknown version "v2"`},
		{"not a record", map[string]string{AttrDrain: "draining since Tuesday"}, "unknown version"},
		{"a field missing", map[string]string{AttrDrain: encode(slices.Delete(slices.Clone(fields[:len(fields)-1]), 6, 7))}, "7 fields, want 8"},
		{"unknown reason", map[string]string{AttrDrain: sealed(1, "boredom")}, `unknown reason "boredom"`},
		{"bad start", map[string]string{AttrDrain: sealed(2, "yesterday")}, `start "yesterday": not a time`},
		{"bad graceful end", map[string]string{AttrDrain: sealed(3, "1.5")}, `end of the graceful phase "1.5"`},
		{"bad deadline", map[string]string{AttrDrain: sealed(4, "")}, `hard deadline "": not a time`},
		{"deadlines reversed", map[string]string{AttrDrain: sealed(4, start)}, "hard deadline before"},
		{"unknown hold", map[string]string{AttrDrain: sealed(5, "x")}, `lifecycle action "x"`},
		{"named hook missing", map[string]string{AttrDrain: sealed(5, holdNamed)}, "drainer.hook, which is missing"},
		{"token without an action", map[string]string{AttrDrain: sealed(6, uuid)}, "token but no lifecycle action"},
		{"bad token", map[string]string{AttrDrain: encode([]string{fields[0], fields[1], fields[2], fields[3], fields[4], holdDefault, "a b"})}, "token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRecord(tt.attrs)
			if err == nil || errors.Is(err, ErrNoRecord) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "drain record: drainer.drain: ") {
				t.Fatalf("err = %v, want one naming drainer.drain and %q", err, tt.want)
			}
		})
	}
}

func TestRecordAbsent(t *testing.T) {
	for _, attrs := range []map[string]string{nil, {"ecs.os-type": "linux", "team": "payments"}, {AttrHook: "drain-hook"}} {
		if _, err := ParseRecord(attrs); !errors.Is(err, ErrNoRecord) {
			t.Errorf("%v: err = %v, want ErrNoRecord", attrs, err)
		}
	}
}

// Drains recorded by an older drainer, one fact per attribute, resume.
func TestRecordFirstFormat(t *testing.T) {
	old := map[string]string{
		"drainer.reason":         "lifecycle",
		"drainer.started":        "2026-11-22T10:00:00Z",
		"drainer.graceful-until": "2026-11-23T10:54:00Z",
		"drainer.deadline":       "2026-11-23T10:59:00Z",
		"drainer.group":          "web-asg",
		"drainer.hook":           "drain-hook",
		"drainer.token":          uuid,
		"ecs.os-type":            "linux",
	}
	want := Record{Reason: ReasonLifecycle, Started: t0, GracefulUntil: t0.Add(24*time.Hour + 54*time.Minute), Deadline: t0.Add(24*time.Hour + 59*time.Minute),
		Group: "web-asg", Hook: "drain-hook", Token: uuid}
	r, err := ParseRecord(old)
	if err != nil {
		t.Fatal(err)
	}
	if r != want {
		t.Fatalf("got %+v, want %+v", r, want)
	}
	for name := range old {
		if strings.HasPrefix(name, "drainer.") && !slices.Contains(AttributeNames, name) {
			t.Errorf("%s is not in AttributeNames: clearing a record would leave it", name)
		}
	}
	if !slices.Contains(RecordMarkers, "drainer.reason") {
		t.Error("drains of the first format would not be found")
	}

	// A record of the current format beside it wins: it is the newer.
	newer := Record{Reason: ReasonSpot, Started: t0, GracefulUntil: t0.Add(80 * time.Second), Deadline: t0.Add(2 * time.Minute), Hook: "drain-hook", Token: uuid}
	attrs, err := newer.Attributes()
	if err != nil {
		t.Fatal(err)
	}
	both := map[string]string{}
	for k, v := range old {
		both[k] = v
	}
	for k, v := range attrs {
		both[k] = v
	}
	if r, err := ParseRecord(both); err != nil || r != newer {
		t.Fatalf("both formats: got %+v, %v; want %+v", r, err, newer)
	}

	for _, tt := range []struct {
		name   string
		mutate func(map[string]string)
		want   string
	}{
		{"unknown reason", func(a map[string]string) { a["drainer.reason"] = "boredom" }, "unknown reason"},
		{"missing deadline", func(a map[string]string) { delete(a, "drainer.deadline") }, "drainer.deadline is missing"},
		{"bad time", func(a map[string]string) { a["drainer.started"] = "yesterday" }, "drainer.started"},
		{"deadlines reversed", func(a map[string]string) { a["drainer.deadline"] = "2026-11-22T10:00:00Z" }, "hard deadline before"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := map[string]string{}
			for k, v := range old {
				a[k] = v
			}
			tt.mutate(a)
			if _, err := ParseRecord(a); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestAttributeNamesCoverEveryRecord(t *testing.T) {
	r := Record{Reason: ReasonLifecycle, Started: t0, GracefulUntil: t0, Deadline: t0, Group: "g", Hook: "other", Token: uuid}
	attrs, err := r.Attributes()
	if err != nil {
		t.Fatal(err)
	}
	for name := range attrs {
		if !slices.Contains(AttributeNames, name) {
			t.Errorf("%s is not in AttributeNames", name)
		}
	}
	if !slices.Contains(RecordMarkers, AttrDrain) {
		t.Error("records of the current format would not be found")
	}
}
