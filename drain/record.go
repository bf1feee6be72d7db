package drain

import (
	"errors"
	"fmt"
	"time"
)

// Reason says why an instance is drained.
type Reason string

// The reasons of DESIGN.md §3.
const (
	// ReasonLifecycle: an Auto Scaling termination lifecycle action (scale-in,
	// instance refresh, maximum lifetime, health replacement, capacity
	// rebalance, CloudFormation rolling update).
	ReasonLifecycle Reason = "lifecycle"
	// ReasonSpot: an EC2 Spot interruption warning; the instance dies two
	// minutes after it whatever drainer does.
	ReasonSpot Reason = "spot-interruption"
	// ReasonRebalance: an EC2 rebalance recommendation, when drained.
	ReasonRebalance Reason = "rebalance"
	ReasonIdle      Reason = "idle"
	ReasonTTL       Reason = "ttl"
	ReasonOperator  Reason = "operator"
	// ReasonForced: an operator's forced deregistration; phase 1 is skipped.
	ReasonForced Reason = "forced"
)

// Valid reports whether r is one of the known reasons.
func (r Reason) Valid() bool {
	switch r {
	case ReasonLifecycle, ReasonSpot, ReasonRebalance, ReasonIdle, ReasonTTL, ReasonOperator, ReasonForced:
		return true
	}
	return false
}

// Voluntary reports whether a drain for r is chosen by drainer or an
// operator (and so waits for the disruption budget) rather than imposed by
// AWS (never delayed).
func (r Reason) Voluntary() bool {
	switch r {
	case ReasonRebalance, ReasonIdle, ReasonTTL, ReasonOperator:
		return true
	}
	return false
}

// Record is the durable part of a drain: why and when it started, its two
// absolute deadlines, and the lifecycle action holding the instance, if
// any. It lives on the container instance as ECS attributes.
type Record struct {
	Reason        Reason
	Started       time.Time
	GracefulUntil time.Time
	Deadline      time.Time
	// Group, Hook and Token name the Auto Scaling lifecycle action drainer
	// must complete, when one holds the instance.
	Group, Hook, Token string
}

// Held reports whether a lifecycle action holds the instance.
func (r Record) Held() bool { return r.Hook != "" }

// The attribute names of a Record. ECS allows 10 custom attributes per
// container instance, values of at most 128 characters.
const (
	AttrReason        = "drainer.reason"
	AttrStarted       = "drainer.started"
	AttrGracefulUntil = "drainer.graceful-until"
	AttrDeadline      = "drainer.deadline"
	AttrGroup         = "drainer.group"
	AttrHook          = "drainer.hook"
	AttrToken         = "drainer.token"
)

// AttributeNames lists every attribute a Record may use.
var AttributeNames = []string{AttrReason, AttrStarted, AttrGracefulUntil, AttrDeadline, AttrGroup, AttrHook, AttrToken}

// MaxAttributeValue is ECS's limit on an attribute value.
const MaxAttributeValue = 128

// Attributes encodes r as ECS attributes; times are RFC 3339 in UTC.
func (r Record) Attributes() (map[string]string, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	a := map[string]string{
		AttrReason:        string(r.Reason),
		AttrStarted:       r.Started.UTC().Format(time.RFC3339),
		AttrGracefulUntil: r.GracefulUntil.UTC().Format(time.RFC3339),
		AttrDeadline:      r.Deadline.UTC().Format(time.RFC3339),
	}
	for name, v := range map[string]string{AttrGroup: r.Group, AttrHook: r.Hook, AttrToken: r.Token} {
		if v == "" {
			continue
		}
		if len(v) > MaxAttributeValue {
			return nil, fmt.Errorf("drain record: %s is %d characters, ECS allows %d", name, len(v), MaxAttributeValue)
		}
		a[name] = v
	}
	return a, nil
}

// ErrNoRecord means the attributes hold no drain.
var ErrNoRecord = errors.New("no drain recorded")

// ParseRecord decodes a Record from a container instance's attributes. It
// returns ErrNoRecord when there is none, and an error naming the bad
// attribute when one is damaged.
func ParseRecord(attrs map[string]string) (Record, error) {
	reason, ok := attrs[AttrReason]
	if !ok {
		return Record{}, ErrNoRecord
	}
	r := Record{Reason: Reason(reason), Group: attrs[AttrGroup], Hook: attrs[AttrHook], Token: attrs[AttrToken]}
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{AttrStarted, &r.Started}, {AttrGracefulUntil, &r.GracefulUntil}, {AttrDeadline, &r.Deadline}} {
		v, ok := attrs[f.name]
		if !ok {
			return Record{}, fmt.Errorf("drain record: %s is missing", f.name)
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return Record{}, fmt.Errorf("drain record: %s: %w", f.name, err)
		}
		*f.dst = t.UTC()
	}
	if err := r.Validate(); err != nil {
		return Record{}, err
	}
	return r, nil
}

// Validate checks the record is coherent.
func (r Record) Validate() error {
	switch {
	case !r.Reason.Valid():
		return fmt.Errorf("drain record: unknown reason %q", r.Reason)
	case r.Started.IsZero() || r.GracefulUntil.IsZero() || r.Deadline.IsZero():
		return errors.New("drain record: start and deadlines are required")
	case r.GracefulUntil.Before(r.Started):
		return errors.New("drain record: graceful phase ends before it starts")
	case r.Deadline.Before(r.GracefulUntil):
		return errors.New("drain record: hard deadline before the end of the graceful phase")
	case r.Hook != "" && r.Group == "":
		return errors.New("drain record: a lifecycle hook without its group")
	}
	return nil
}
