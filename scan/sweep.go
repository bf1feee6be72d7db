package scan

import (
	"context"
	"errors"
	"time"

	"github.com/drainer-dev/drainer/cloud"
)

// TaskInterfaceDescription is the EC2 filter matching the description ECS
// gives the network interfaces it creates for awsvpc tasks
// ("arn:aws:ecs:REGION:ACCOUNT:attachment/ID"): the only interfaces the
// sweep deletes.
const TaskInterfaceDescription = "arn:aws:ecs:*:attachment/*"

// MinSweepAge is the least time a task interface must have been seen
// available before the sweep deletes it, however short the scan interval:
// ECS attaches and detaches an interface in seconds, so one available for
// minutes has lost its task and its instance.
const MinSweepAge = 5 * time.Minute

// SweepAge is how long a task interface must have been seen available
// before the sweep deletes it, for scans every scanInterval: an interface
// seen at one pass goes at the first pass at least MinSweepAge later.
func SweepAge(scanInterval time.Duration) time.Duration {
	return max(scanInterval, MinSweepAge)
}

// Leftovers decides which available task interfaces to delete: those
// already seen available at least minAge ago, by an earlier pass (seen,
// by id). An interface is available for a moment while ECS attaches or
// detaches it; one that stays so has lost its task and its instance (ECS
// deletes the interfaces of tasks that stop normally), whoever ended the
// instance. It returns the interfaces to delete and what to remember.
func Leftovers(available []string, seen map[string]time.Time, now time.Time, minAge time.Duration) (remove []string, remember map[string]time.Time) {
	remember = make(map[string]time.Time, len(available))
	for _, id := range available {
		first, ok := seen[id]
		if !ok {
			first = now
		}
		if ok && !now.Before(first.Add(minAge)) {
			remove = append(remove, id)
			continue
		}
		remember[id] = first
	}
	return remove, remember
}

// MaxSweepDeletes bounds the network interfaces a pass deletes: half the
// burst of EC2's DeleteNetworkInterface bucket (100, refilled 5 a second:
// "Request throttling for the Amazon EC2 API",
// https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html),
// which the drains' own clean-up draws on too. The interfaces beyond wait
// for the next passes, still remembered.
const MaxSweepDeletes = 50

// sweep deletes the network interfaces that ECS tasks left available
// (DescribeNetworkInterfaces filtered by status and description, paged by
// 1,000; one DeleteNetworkInterface each, at most MaxSweepDeletes a
// pass), and counts them in rep.
func (s *Scanner) sweep(ctx context.Context, now time.Time, rep *Report) error {
	enis, err := s.cloud.AvailableNetworkInterfaces(ctx, cloud.NetworkInterfaceQuery{Filters: map[string][]string{"description": {TaskInterfaceDescription}}})
	if err != nil {
		return err
	}
	ids := make([]string, len(enis))
	for i, e := range enis {
		ids[i] = e.ID
	}
	remove, remember := Leftovers(ids, s.leftovers, now, s.opts.SweepAge)
	if len(remove) > MaxSweepDeletes {
		for _, id := range remove[MaxSweepDeletes:] {
			remember[id] = s.leftovers[id]
		}
		remove = remove[:MaxSweepDeletes]
	}
	s.leftovers = remember
	for _, id := range remove {
		if err := s.cloud.DeleteNetworkInterface(ctx, id); err != nil && !errors.Is(err, cloud.ErrNotFound) {
			s.log.Warn("scan: delete a network interface left by an ECS task", "interface", id, "error", err)
			rep.Failures++
			continue
		}
		rep.Swept = append(rep.Swept, id)
	}
	return nil
}
