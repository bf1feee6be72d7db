package fault

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Limit is the size of a token bucket: it holds at most Burst tokens and
// gets Rate tokens back per second (AWS's "bucket maximum capacity" and
// "bucket refill rate"). A call that finds fewer tokens than it costs is
// throttled and takes none.
type Limit struct {
	Burst int     `json:"burst"`
	Rate  float64 `json:"rate"`
}

// Draw is what one call takes from one bucket of a profile: Cost tokens
// (1 from a request bucket; from an EC2 resource bucket, one per instance
// the call acts on) from the bucket named Bucket, of size Limit.
type Draw struct {
	Bucket string
	Limit  Limit
	Cost   int
}

// Profile is a named throttling profile: the token buckets every API call
// draws on, shared by the actions AWS groups together, and the per-call
// latency the profile assumes. Profiles are read-only and safe to share
// between worlds.
type Profile struct {
	// Name is how scenarios and flags select the profile.
	Name string
	// Latency is the per-call latency the profile assumes when a scenario
	// asks for the profile's latency (faults: {latency: NAME}).
	Latency time.Duration
	// draws appends the draws of a call to dst.
	draws func(dst []Draw, service, op string, input any) []Draw
}

// Draws appends to dst the buckets a call of service:op with request
// input (the API method's input value, or nil when unknown) draws on, and
// returns the extended slice; none means the call is not throttled.
func (p *Profile) Draws(dst []Draw, service, op string, input any) []Draw {
	if p == nil || p.draws == nil {
		return dst
	}
	return p.draws(dst, service, op, input)
}

// profiles are the known profiles by name.
var profiles = map[string]*Profile{AWS.Name: AWS}

// ProfileNames returns the names of the known profiles, sorted.
func ProfileNames() []string {
	names := make([]string, 0, len(profiles))
	for n := range profiles {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// LookupProfile returns the profile named name, or an error naming the
// known ones.
func LookupProfile(name string) (*Profile, error) {
	if p, ok := profiles[name]; ok {
		return p, nil
	}
	return nil, fmt.Errorf("unknown throttling profile %q (known: %s)", name, strings.Join(ProfileNames(), ", "))
}

// ParseLatency reads a per-call latency: a profile's name for the latency
// it assumes (LookupProfile), or a Go duration such as "50ms" that is not
// negative.
func ParseLatency(s string) (time.Duration, error) {
	if p, ok := profiles[s]; ok {
		return p.Latency, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("latency %q is neither a profile (%s) nor a non-negative duration such as 50ms", s, strings.Join(ProfileNames(), ", "))
	}
	return d, nil
}

// BucketStats is what happened to one token bucket: the calls that drew
// on it (throttled ones included), how many it refused, and the most
// calls in any one second of virtual time (seconds counted from the Unix
// epoch), with the start of that second. The counts cover the whole run.
type BucketStats struct {
	Name string `json:"name"`
	Limit
	Calls     int       `json:"calls"`
	Throttled int       `json:"throttled"`
	Peak      int       `json:"peak"`
	PeakAt    time.Time `json:"peakAt,omitzero"`
}

// tokenBucket is one bucket's state: full when first drawn on, refilled on
// virtual time.
type tokenBucket struct {
	BucketStats
	tokens float64
	last   time.Time
	sec    int64 // the second counted in inSec
	inSec  int
}

// refill brings the bucket to now.
func (b *tokenBucket) refill(now time.Time) {
	if b.last.IsZero() {
		b.tokens = float64(b.Burst)
	} else if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = min(float64(b.Burst), b.tokens+el*b.Rate)
	}
	if now.After(b.last) {
		b.last = now
	}
}

// count records a call drawing on the bucket at now.
func (b *tokenBucket) count(now time.Time) {
	b.Calls++
	if s := now.Unix(); s != b.sec {
		b.sec, b.inSec = s, 0
	}
	b.inSec++
	if b.inSec > b.Peak {
		b.Peak, b.PeakAt = b.inSec, time.Unix(b.sec, 0).UTC()
	}
}
