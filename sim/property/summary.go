package property

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Summary adds up the results of many runs.
type Summary struct {
	Seeds  int
	Passed int
	// ByKey counts the runs that failed each way (a run may count under
	// several keys); Failing lists the seeds of each key, in order.
	ByKey   map[string]int
	Failing map[string][]uint64
	// Unsettled counts the runs that ended before the world came to rest,
	// with a drain still within its deadlines (no failure).
	Unsettled int
	Events    uint64
	Virtual   time.Duration
	// Wall is the wall time of the whole batch, set by the caller.
	Wall time.Duration
}

// Add counts one result.
func (s *Summary) Add(r Result) {
	if s.ByKey == nil {
		s.ByKey, s.Failing = map[string]int{}, map[string][]uint64{}
	}
	s.Seeds++
	s.Events += r.Events
	s.Virtual += r.Virtual
	if r.Unsettled != "" {
		s.Unsettled++
	}
	keys := r.Keys()
	if len(keys) == 0 {
		s.Passed++
		return
	}
	for _, k := range keys {
		s.ByKey[k]++
		s.Failing[k] = append(s.Failing[k], r.Seed)
	}
}

// Keys returns the failure keys seen, invariants first (by rule), then
// crash, hang and setup.
func (s *Summary) Keys() []string {
	keys := make([]string, 0, len(s.ByKey))
	for k := range s.ByKey {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keyOrder(keys[i]) < keyOrder(keys[j]) })
	return keys
}

func keyOrder(k string) int {
	if n, ok := strings.CutPrefix(k, "rule "); ok {
		v, _ := strconv.Atoi(n)
		return v
	}
	return map[string]int{KeyCrash: 100, KeyHang: 101, KeySetup: 102}[k]
}

// String is the summary line: seeds, passes, violations by rule,
// crashes, hangs, setup failures, virtual and wall time.
func (s *Summary) String() string {
	var rules []string
	for _, k := range s.Keys() {
		if strings.HasPrefix(k, "rule ") {
			rules = append(rules, fmt.Sprintf("%s ×%d", k, s.ByKey[k]))
		}
	}
	viol := "none"
	if len(rules) > 0 {
		viol = strings.Join(rules, ", ")
	}
	return fmt.Sprintf("property: %d seeds, %d passed; violations: %s; crashes %d; hangs %d; setup failures %d; not at rest at the end %d; %d virtual events, %v virtual, %v wall",
		s.Seeds, s.Passed, viol, s.ByKey[KeyCrash], s.ByKey[KeyHang], s.ByKey[KeySetup], s.Unsettled, s.Events,
		s.Virtual.Round(time.Minute), s.Wall.Round(time.Millisecond))
}

// FailingSeeds lists, one line per failure key, the seeds that failed
// that way.
func (s *Summary) FailingSeeds() string {
	var b strings.Builder
	for _, k := range s.Keys() {
		seeds := make([]string, len(s.Failing[k]))
		for i, seed := range s.Failing[k] {
			seeds[i] = strconv.FormatUint(seed, 10)
		}
		fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(seeds, " "))
	}
	return b.String()
}
