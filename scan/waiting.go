package scan

import (
	"sort"
	"time"
)

// Overdue picks, among waiting (the instances a pass finds in
// Terminating:Wait with no drain of drainer's), those to take up now:
// only those an earlier pass found so too (seen, by instance id, is when
// each was first found so), longest waiting first, at most max. A
// lifecycle message is handled within seconds of the action, and a
// thousand at once within minutes: an instance found uncovered once may
// have its message in the queue, and taking it up duplicates the
// message's work (a hook's lifecycle action is checked by a heartbeat
// either way) while the messages' handling needs AWS's Auto Scaling
// bucket too. One still uncovered a pass later is likely lost. It returns
// the instances to take up, how many more were due beyond max (a later
// pass takes them up, longest waiting first), and what to remember: when
// each of waiting was first found so.
func Overdue(waiting []WaitingInstance, seen map[string]time.Time, now time.Time, max int) (due []WaitingInstance, beyond int, remember map[string]time.Time) {
	remember = make(map[string]time.Time, len(waiting))
	for _, w := range waiting {
		first, ok := seen[w.InstanceID]
		if !ok {
			first = now
		}
		remember[w.InstanceID] = first
		if first.Before(now) {
			due = append(due, w)
		}
	}
	sort.SliceStable(due, func(i, j int) bool { return remember[due[i].InstanceID].Before(remember[due[j].InstanceID]) })
	if len(due) > max {
		beyond = len(due) - max
		due = due[:max]
	}
	return due, beyond, remember
}
