package front

import (
	"fmt"
	"net/http"
	"time"

	"github.com/drainer-dev/drainer/emulator/ecs"
	"github.com/drainer-dev/drainer/emulator/fault"
	"github.com/drainer-dev/drainer/emulator/sqs"
)

// faultRule is a fault.Rule on the admin wire, with the latency as a Go
// duration string ("250ms") rather than nanoseconds.
type faultRule struct {
	Service   string  `json:"service"`
	Operation string  `json:"operation"`
	Rate      float64 `json:"rate,omitempty"`
	Burst     int     `json:"burst,omitempty"`
	ErrorRate float64 `json:"errorRate,omitempty"`
	Latency   string  `json:"latency,omitempty"`
}

func (fr faultRule) rule() (fault.Rule, error) {
	r := fault.Rule{Service: fr.Service, Operation: fr.Operation, Rate: fr.Rate, Burst: fr.Burst, ErrorRate: fr.ErrorRate}
	if fr.Latency != "" {
		d, err := time.ParseDuration(fr.Latency)
		if err != nil {
			return r, fmt.Errorf("fault rule %s:%s: latency %q is not a Go duration", fr.Service, fr.Operation, fr.Latency)
		}
		r.Latency = d
	}
	return r, nil
}

func wireRule(r fault.Rule) faultRule {
	fr := faultRule{Service: r.Service, Operation: r.Operation, Rate: r.Rate, Burst: r.Burst, ErrorRate: r.ErrorRate}
	if r.Latency > 0 {
		fr.Latency = r.Latency.String()
	}
	return fr
}

// getFaults: GET /_emulator/faults lists the API fault rules.
func (h *Handler) getFaults(rw http.ResponseWriter, r *http.Request) error {
	var rules []fault.Rule
	h.w.Do(func() { rules = h.w.Faults.Rules() })
	out := make([]faultRule, len(rules))
	for i, r := range rules {
		out[i] = wireRule(r)
	}
	return ok(rw, out)
}

// putFaults: PUT /_emulator/faults [rules…] replaces every rule; on a bad
// rule nothing changes.
func (h *Handler) putFaults(rw http.ResponseWriter, r *http.Request) error {
	var in []faultRule
	if err := readJSON(r, &in); err != nil {
		return err
	}
	rules := make([]fault.Rule, len(in))
	for i, fr := range in {
		var err error
		if rules[i], err = fr.rule(); err != nil {
			return statusErr(http.StatusBadRequest, "%v", err)
		}
	}
	// Validate on a scratch injector first so that a bad rule changes
	// nothing.
	scratch := fault.New()
	for _, rule := range rules {
		if err := scratch.Set(rule); err != nil {
			return statusErr(http.StatusBadRequest, "%v", err)
		}
	}
	h.w.Do(func() {
		h.w.Faults.Clear()
		for _, rule := range rules {
			_ = h.w.Faults.Set(rule) // validated above
		}
	})
	return h.getFaults(rw, r)
}

func checkRate(name string, v float64) error {
	if v < 0 || v > 1 {
		return statusErr(http.StatusBadRequest, "%s %v is not a probability (0–1)", name, v)
	}
	return nil
}

// setECSFaults: POST /_emulator/faults/ecs {"stuckStoppingRate","leakENIRate"}.
func (h *Handler) setECSFaults(rw http.ResponseWriter, r *http.Request) error {
	var in struct {
		StuckStoppingRate float64 `json:"stuckStoppingRate"`
		LeakENIRate       float64 `json:"leakENIRate"`
	}
	if err := readJSON(r, &in); err != nil {
		return err
	}
	if err := checkRate("stuckStoppingRate", in.StuckStoppingRate); err != nil {
		return err
	}
	if err := checkRate("leakENIRate", in.LeakENIRate); err != nil {
		return err
	}
	h.w.Do(func() {
		h.w.ECS.SetFaults(ecs.Faults{StuckStoppingRate: in.StuckStoppingRate, LeakENIRate: in.LeakENIRate})
	})
	return ok(rw, in)
}

// setQueueFaults: POST /_emulator/faults/queue
// {"queueUrl","duplicateRate","delayRate","maxDelay":"30s"}.
func (h *Handler) setQueueFaults(rw http.ResponseWriter, r *http.Request) error {
	var in struct {
		QueueURL      string  `json:"queueUrl"`
		DuplicateRate float64 `json:"duplicateRate"`
		DelayRate     float64 `json:"delayRate"`
		MaxDelay      string  `json:"maxDelay,omitempty"`
	}
	if err := readJSON(r, &in); err != nil {
		return err
	}
	if in.QueueURL == "" {
		return statusErr(http.StatusBadRequest, "queueUrl is required")
	}
	if err := checkRate("duplicateRate", in.DuplicateRate); err != nil {
		return err
	}
	if err := checkRate("delayRate", in.DelayRate); err != nil {
		return err
	}
	f := sqs.Faults{DuplicateRate: in.DuplicateRate, DelayRate: in.DelayRate}
	if in.MaxDelay != "" {
		d, err := time.ParseDuration(in.MaxDelay)
		if err != nil || d < 0 {
			return statusErr(http.StatusBadRequest, "maxDelay %q is not a non-negative Go duration", in.MaxDelay)
		}
		f.MaxDelay = d
	}
	if f.DelayRate > 0 && f.MaxDelay <= 0 {
		return statusErr(http.StatusBadRequest, "a delayRate needs a positive maxDelay")
	}
	var err error
	h.w.Do(func() { err = h.w.SQS.SetFaults(in.QueueURL, f) })
	if err != nil {
		return err
	}
	return ok(rw, in)
}

// throttleState is the answer of /_emulator/throttle: the throttling
// profile ("" none), the call latency as a Go duration, and every bucket
// calls have drawn on with its counts (fault.BucketStats).
type throttleState struct {
	Profile string              `json:"profile"`
	Latency string              `json:"latency"`
	Buckets []fault.BucketStats `json:"buckets"`
}

// getThrottle: GET /_emulator/throttle.
func (h *Handler) getThrottle(rw http.ResponseWriter, r *http.Request) error {
	var out throttleState
	h.w.Do(func() {
		if p := h.w.Faults.Profile(); p != nil {
			out.Profile = p.Name
		}
		out.Latency = h.w.Faults.CallLatency().String()
		out.Buckets = h.w.Faults.Buckets()
	})
	if out.Buckets == nil {
		out.Buckets = []fault.BucketStats{}
	}
	return ok(rw, out)
}

// putThrottle: PUT /_emulator/throttle {"profile":"aws"|"","latency":"aws"|"50ms"|""}
// sets the throttling profile (its buckets start full) and the call
// latency; a member left out keeps its value; on a bad one nothing changes.
func (h *Handler) putThrottle(rw http.ResponseWriter, r *http.Request) error {
	var in struct {
		Profile *string `json:"profile"`
		Latency *string `json:"latency"`
	}
	if err := readJSON(r, &in); err != nil {
		return err
	}
	var p *fault.Profile
	if in.Profile != nil && *in.Profile != "" {
		var err error
		if p, err = fault.LookupProfile(*in.Profile); err != nil {
			return statusErr(http.StatusBadRequest, "%v", err)
		}
	}
	var lat time.Duration
	if in.Latency != nil && *in.Latency != "" {
		var err error
		if lat, err = fault.ParseLatency(*in.Latency); err != nil {
			return statusErr(http.StatusBadRequest, "%v", err)
		}
	}
	h.w.Do(func() {
		if in.Profile != nil {
			h.w.Faults.SetProfile(p)
		}
		if in.Latency != nil {
			_ = h.w.Faults.SetCallLatency(lat) // not negative: ParseLatency says so
		}
	})
	return h.getThrottle(rw, r)
}
