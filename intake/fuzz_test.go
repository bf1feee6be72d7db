package intake

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/awsid"
)

// The fuzz targets, one per parser, check that no input panics, that every
// error is a skip, and that every notice returned holds what its kind
// promises. Their seed corpus is every sample in testdata/ (and, for the
// detail parsers, every EventBridge detail and SNS Message in them) plus
// the malformed table, so `go test` runs them all as ordinary tests; run
// one for real with e.g. go test ./intake -fuzz FuzzParse$ -fuzztime 30s.

// corpus returns the seed inputs: message bodies, and the inner documents
// (SNS Messages, EventBridge details) found in them.
func corpus(tb testing.TB) [][]byte {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		tb.Fatal(err)
	}
	more, err := filepath.Glob(filepath.Join("testdata", "emulator", "*.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var out [][]byte
	for _, f := range append(files, more...) {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
		var outer struct {
			Message string          `json:"Message"`
			Detail  json.RawMessage `json:"detail"`
		}
		if json.Unmarshal(b, &outer) != nil {
			continue
		}
		if outer.Message != "" {
			out = append(out, []byte(outer.Message))
			var inner struct {
				Detail json.RawMessage `json:"detail"`
			}
			if json.Unmarshal([]byte(outer.Message), &inner) == nil && len(inner.Detail) > 0 {
				out = append(out, inner.Detail)
			}
		}
		if len(outer.Detail) > 0 {
			out = append(out, outer.Detail)
		}
	}
	for _, m := range malformed {
		out = append(out, []byte(m.body))
	}
	if len(out) < 30 {
		tb.Fatalf("seed corpus of %d inputs", len(out))
	}
	return out
}

func seed(f *testing.F) {
	for _, b := range corpus(f) {
		f.Add(b)
	}
}

// fuzzHeader is what an envelope would have passed down.
var fuzzHeader = Header{Via: ViaEventBridge, ID: "e", Time: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC), Account: "123456789012"}

// check holds every parser to its contract.
func check(t *testing.T, n Notice, err error) {
	t.Helper()
	if err != nil {
		var se *SkipError
		if !errors.As(err, &se) || !errors.Is(err, ErrSkip) {
			t.Fatalf("error %v (%T) is not a skip", err, err)
		}
		if n != nil {
			t.Fatalf("notice %#v with error %v", n, err)
		}
		if se.Reason == "" || !knownReasons[se.Reason] {
			t.Fatalf("unknown reason %q", se.Reason)
		}
		if se.Recognised() {
			switch se.Notice.(type) {
			case TestNotification, InstanceNotification:
			default:
				t.Fatalf("recognised skip of %T", se.Notice)
			}
		}
		_ = se.Error()
		return
	}
	if n == nil {
		t.Fatal("nil notice without error")
	}
	switch v := n.(type) {
	case LifecycleAction:
		if !awsid.IsInstanceID(v.InstanceID) || v.Group == "" || v.HookName == "" || v.Token == "" ||
			(v.Transition != TransitionTerminating && v.Transition != TransitionLaunching) {
			t.Fatalf("incomplete lifecycle action %#v", v)
		}
	case SpotInterruption:
		if !awsid.IsInstanceID(v.InstanceID) || v.Time.IsZero() || !v.Deadline.Equal(v.Time.Add(SpotWarning)) {
			t.Fatalf("bad Spot interruption %#v", v)
		}
	case RebalanceRecommendation:
		if !awsid.IsInstanceID(v.InstanceID) {
			t.Fatalf("bad rebalance %#v", v)
		}
	case InstanceStateChange:
		if !awsid.IsInstanceID(v.InstanceID) || v.State == "" {
			t.Fatalf("bad state change %#v", v)
		}
	case TaskStateChange:
		if v.TaskARN == "" || v.ClusterARN == "" || v.LastStatus == "" || v.Version < 0 {
			t.Fatalf("bad task change %#v", v)
		}
	case ContainerInstanceStateChange:
		if v.ContainerInstanceARN == "" || v.Status == "" || v.Version < 0 || v.RunningTasksCount < 0 {
			t.Fatalf("bad container instance change %#v", v)
		}
	default:
		t.Fatalf("notice of type %T returned without a skip", n)
	}
	if n.Head().Via == "" {
		t.Fatalf("no Via in %#v", n)
	}
}

var knownReasons = map[string]bool{
	ReasonNotJSON: true, ReasonNotObject: true, ReasonUnknownShape: true, ReasonSNSType: true, ReasonUnknownEvent: true,
	ReasonUnknownSource: true, ReasonUnknownDetailType: true, ReasonUnknownTransition: true, ReasonMissingInstanceID: true,
	ReasonMissingField: true, ReasonInvalidField: true, ReasonTestNotification: true, ReasonInstanceNotification: true,
}

func FuzzParse(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := Parse(string(b))
		check(t, n, err)
	})
}

func FuzzParseSNS(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := parseSNS(b)
		check(t, n, err)
		if err == nil && n.Head().Via != ViaSNS {
			t.Fatalf("SNS notice via %s", n.Head().Via)
		}
	})
}

func FuzzParseEventBridge(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := parseEventBridge(b, Header{Via: ViaDirect})
		check(t, n, err)
		if err == nil && n.Head().Via != ViaEventBridge {
			t.Fatalf("EventBridge notice via %s", n.Head().Via)
		}
	})
}

// FuzzParseLifecycle also checks that an action survives a round trip
// through the message shape Auto Scaling sends.
func FuzzParseLifecycle(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := parseLifecycle(b, Header{Via: ViaDirect}, "")
		check(t, n, err)
		if err != nil {
			return
		}
		a := n.(LifecycleAction)
		m := map[string]any{
			"Origin": a.Origin, "Destination": a.Destination, "LifecycleHookName": a.HookName, "AccountId": a.Account,
			"RequestId": a.RequestID, "LifecycleTransition": a.Transition, "AutoScalingGroupName": a.Group,
			"EC2InstanceId": a.InstanceID, "LifecycleActionToken": a.Token, "NotificationMetadata": a.Metadata,
		}
		if !a.Time.IsZero() {
			m["Time"] = a.Time.Format(time.RFC3339Nano)
		}
		body, _ := json.Marshal(m)
		again, err := Parse(string(body))
		if err != nil {
			t.Fatalf("round trip of %#v: %v", a, err)
		}
		if !reflect.DeepEqual(again, n) {
			t.Fatalf("round trip:\n  %#v\nbecame\n  %#v", n, again)
		}
	})
}

func FuzzParseAutoScalingEvent(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := parseAutoScalingEvent(b, Header{Via: ViaDirect})
		check(t, n, err)
		if err == nil {
			t.Fatalf("an Auto Scaling event needed action: %#v", n)
		}
	})
}

func FuzzParseActivityEvent(f *testing.F) {
	seed(f)
	parse := parseActivityEvent(DetailTerminateSuccess)
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := parse(b, fuzzHeader)
		check(t, n, err)
		if err == nil {
			t.Fatalf("an activity event needed action: %#v", n)
		}
	})
}

// fuzzDetail fuzzes one EventBridge detail parser.
func fuzzDetail(f *testing.F, parse detailParser) {
	seed(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		// The envelope has checked that the detail is an object.
		if _, err := object(b, "detail"); err != nil {
			return
		}
		n, err := parse(b, fuzzHeader)
		check(t, n, err)
	})
}

func FuzzParseSpotInterruption(f *testing.F) { fuzzDetail(f, parseSpotInterruption) }
func FuzzParseRebalance(f *testing.F)        { fuzzDetail(f, parseRebalance) }
func FuzzParseStateChange(f *testing.F)      { fuzzDetail(f, parseStateChange) }
func FuzzParseTaskChange(f *testing.F)       { fuzzDetail(f, parseTaskChange) }
func FuzzParseContainerInstanceChange(f *testing.F) {
	fuzzDetail(f, parseContainerInstanceChange)
}
func FuzzParseLifecycleDetail(f *testing.F) { fuzzDetail(f, lifecycleDetail(TransitionTerminating)) }
