package drain

import (
	"errors"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/cloud"
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

// Record is a drain's durable facts: why and when it started, its two
// absolute deadlines, and the lifecycle action holding the instance, if
// any. It lives on the container instance as at most two ECS attributes
// (see Attributes), so that a restarted or second drainer resumes the
// drain with the same deadlines.
type Record struct {
	Reason        Reason
	Started       time.Time
	GracefulUntil time.Time
	Deadline      time.Time
	// Group, Hook and Token name the Auto Scaling lifecycle action drainer
	// must complete, when one holds the instance. Group is not recorded:
	// ParseRecord leaves it empty and the reconciler reads it back from
	// Auto Scaling (an instance in no group has no action left to
	// complete). Token is recorded when it fits; without it, the action is
	// completed by instance id, which Auto Scaling accepts as well
	// (CompleteLifecycleAction: "LifecycleActionToken" or "InstanceId").
	Group, Hook, Token string
}

// Held reports whether a lifecycle action holds the instance.
func (r Record) Held() bool { return r.Hook != "" }

// DefaultHook is the name of the lifecycle hook drainer owns unless told
// otherwise; a record held by it needs no drainer.hook attribute.
const DefaultHook = "drainer"

// The attributes of a record. ECS allows 10 custom attributes per
// container instance, shared with the customer's own, and values of at
// most MaxAttributeValue characters ("Amazon ECS attributes" and
// PutAttributes, Amazon ECS API Reference: "You can apply up to 10 custom
// attributes for each resource").
const (
	// AttrDrain holds the record itself; see Attributes for its format.
	AttrDrain = "drainer.drain"
	// AttrHook names the lifecycle hook holding the instance, when it is
	// not DefaultHook.
	AttrHook = "drainer.hook"
)

// The attributes of the first record format (one fact per attribute,
// seven in all): read so that drains recorded by an older drainer resume,
// never written. drainer.hook kept its name.
const (
	legacyReason        = "drainer.reason"
	legacyStarted       = "drainer.started"
	legacyGracefulUntil = "drainer.graceful-until"
	legacyDeadline      = "drainer.deadline"
	legacyGroup         = "drainer.group"
	legacyToken         = "drainer.token"
)

// AttributeNames lists every attribute a record may use, in the current
// format and the first one: what to delete to clear a record.
var AttributeNames = []string{AttrDrain, AttrHook,
	legacyReason, legacyStarted, legacyGracefulUntil, legacyDeadline, legacyGroup, legacyToken}

// RecordMarkers are the attributes one of which every record carries,
// whatever its format: list the container instances holding one of them
// (ListAttributes) to find every recorded drain.
var RecordMarkers = []string{AttrDrain, legacyReason}

// MaxAttributeValue is ECS's limit on an attribute value, in characters.
const MaxAttributeValue = cloud.MaxAttributeValueLen

// recordVersion tags the format of AttrDrain's value.
const recordVersion = "v1"

// The hold field of AttrDrain's value.
const (
	holdNone    = "-" // no lifecycle action holds the instance
	holdDefault = "d" // the action of DefaultHook holds it
	holdNamed   = "h" // the action of the hook named in AttrHook holds it
)

// recordFields is the number of '/'-separated fields of AttrDrain's value.
const recordFields = 8

// EventNotRecorded is the drain event type (EventBridge detail-type) of a
// drain that could not be recorded on its container instance because the
// instance already carries ECS's limit of custom attributes: the drain
// runs from drainer's memory and does not survive a restart.
const EventNotRecorded = "Drain Not Recorded"

// Attributes encodes r as ECS attributes: AttrDrain always, AttrHook only
// when a lifecycle action of a hook other than DefaultHook holds the
// instance, so most records take one of the ten custom attributes ECS
// allows.
//
// AttrDrain's value is eight fields separated by '/':
//
//	v1/<reason>/<started>/<graceful until>/<deadline>/<hold>/<token>/<crc>
//
// times in Unix seconds (sub-second parts are dropped); hold is "-" (no
// lifecycle action), "d" (DefaultHook's) or "h" (the hook in AttrHook);
// token is the lifecycle action token, empty when there is none or when
// it would not fit in MaxAttributeValue characters or holds a character
// outside letters, digits and - _ . @ : (Auto Scaling's tokens are UUIDs,
// 36 characters: "A universally unique identifier (UUID) that identifies a
// specific lifecycle action", CompleteLifecycleAction, Amazon EC2 Auto
// Scaling API Reference); crc is the CRC-32 (IEEE) of everything before
// it, eight lowercase hex digits. For example
//
//	v1/lifecycle/1767225600/1767232500/1767232800/d/3b1f5c3e-8d9a-4c1e-9f5e-2a7b6c8d9e0f/96891bc5
//
// The longest value, a Spot interruption's with a UUID, is 101
// characters. The group is not recorded (see Record). A hook name ECS
// would refuse as an attribute value (Auto Scaling allows 255 characters,
// ECS 128) is an error.
func (r Record) Attributes() (map[string]string, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	a := map[string]string{}
	hold := holdNone
	switch {
	case !r.Held():
	case r.Hook == DefaultHook:
		hold = holdDefault
	default:
		if err := cloud.ValidateAttribute(AttrHook, r.Hook); err != nil {
			return nil, fmt.Errorf("drain record: hook name %q cannot be recorded: %w", r.Hook, err)
		}
		hold, a[AttrHook] = holdNamed, r.Hook
	}
	head := []string{recordVersion, string(r.Reason), unix(r.Started), unix(r.GracefulUntil), unix(r.Deadline), hold}
	value := encode(append(head, r.Token))
	if r.Token == "" || !validToken(r.Token) || len(value) > MaxAttributeValue {
		// Without the token the action is completed by instance id.
		value = encode(append(head, ""))
	}
	a[AttrDrain] = value
	return a, nil
}

// encode joins fields and appends their checksum.
func encode(fields []string) string {
	body := strings.Join(fields, "/") + "/"
	return body + checksum(body)
}

func checksum(body string) string {
	return fmt.Sprintf("%08x", crc32.ChecksumIEEE([]byte(body)))
}

func unix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// validToken reports whether a token can be recorded: letters, digits and
// - _ . @ : (ECS's value characters without the separator, the
// backslash and the space).
func validToken(s string) bool {
	return !strings.ContainsFunc(s, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_.@:", c))
	})
}

// ErrNoRecord means the attributes hold no drain.
var ErrNoRecord = errors.New("no drain recorded")

// ParseRecord decodes a Record from a container instance's attributes (any
// others are ignored). It reads the current format (see Attributes) and,
// when AttrDrain is absent, the first one (seven drainer.* attributes). It
// returns ErrNoRecord when there is no record, and an error naming what is
// wrong when one is damaged: an unknown version, a checksum that does not
// match, a missing or malformed field, incoherent deadlines. The Group of a
// record in the current format is empty (see Record).
func ParseRecord(attrs map[string]string) (Record, error) {
	if v, ok := attrs[AttrDrain]; ok {
		r, err := parseValue(v, attrs)
		if err != nil {
			return Record{}, fmt.Errorf("drain record: %s: %w", AttrDrain, err)
		}
		return r, nil
	}
	if _, ok := attrs[legacyReason]; ok {
		return parseLegacy(attrs)
	}
	return Record{}, ErrNoRecord
}

// parseValue decodes AttrDrain's value v; attrs gives AttrHook.
func parseValue(v string, attrs map[string]string) (Record, error) {
	f := strings.Split(v, "/")
	if f[0] != recordVersion {
		return Record{}, fmt.Errorf("unknown version %q (want %s; written by a newer drainer?)", f[0], recordVersion)
	}
	body, sum := v[:strings.LastIndexByte(v, '/')+1], f[len(f)-1]
	if want := checksum(body); sum != want {
		return Record{}, fmt.Errorf("checksum %q does not match its value (want %s): the value was altered", sum, want)
	}
	if len(f) != recordFields {
		return Record{}, fmt.Errorf("%d fields, want %d", len(f), recordFields)
	}
	r := Record{Reason: Reason(f[1]), Token: f[6]}
	if !r.Reason.Valid() {
		return Record{}, fmt.Errorf("unknown reason %q", f[1])
	}
	for i, t := range []struct {
		name string
		dst  *time.Time
	}{{"start", &r.Started}, {"end of the graceful phase", &r.GracefulUntil}, {"hard deadline", &r.Deadline}} {
		s, err := strconv.ParseInt(f[2+i], 10, 64)
		if err != nil {
			return Record{}, fmt.Errorf("%s %q: not a time in Unix seconds", t.name, f[2+i])
		}
		*t.dst = time.Unix(s, 0).UTC()
	}
	switch f[5] {
	case holdNone:
		if r.Token != "" {
			return Record{}, errors.New("a lifecycle action token but no lifecycle action")
		}
	case holdDefault:
		r.Hook = DefaultHook
	case holdNamed:
		if r.Hook = attrs[AttrHook]; r.Hook == "" {
			return Record{}, fmt.Errorf("held by the hook named in %s, which is missing", AttrHook)
		}
	default:
		return Record{}, fmt.Errorf("lifecycle action %q: want %s, %s or %s", f[5], holdNone, holdDefault, holdNamed)
	}
	if r.Token != "" && !validToken(r.Token) {
		return Record{}, fmt.Errorf("lifecycle action token %q: bad character", r.Token)
	}
	if err := r.Validate(); err != nil {
		return Record{}, err
	}
	return r, nil
}

// parseLegacy decodes a record of the first format.
func parseLegacy(attrs map[string]string) (Record, error) {
	r := Record{Reason: Reason(attrs[legacyReason]), Group: attrs[legacyGroup], Hook: attrs[AttrHook], Token: attrs[legacyToken]}
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{legacyStarted, &r.Started}, {legacyGracefulUntil, &r.GracefulUntil}, {legacyDeadline, &r.Deadline}} {
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

// Validate checks the record is coherent: a known reason, a start and two
// deadlines in order.
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
	}
	return nil
}
