package autoscaling

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// activityRetention is how long AWS keeps scaling activities.
const activityRetention = 6 * 7 * 24 * time.Hour

// activity is one scaling activity (a launch or a termination).
type activity struct {
	id, description, cause string
	status, statusMessage  string
	progress               int32
	start, end             time.Time
	az, subnet             string
	instanceID             string
	g                      *group
}

func (a *activity) inProgress() bool {
	switch a.status {
	case ActivitySuccessful, ActivityFailed, ActivityCancelled:
		return false
	}
	return true
}

// DescribeScalingActivitiesInput mirrors the AWS request.
type DescribeScalingActivitiesInput struct {
	ActivityIds          []string
	AutoScalingGroupName string
	Filters              []Filter
	IncludeDeletedGroups *bool
	MaxRecords           *int32
	NextToken            string
}

// DescribeScalingActivitiesOutput mirrors the AWS response.
type DescribeScalingActivitiesOutput struct {
	Activities []Activity
	NextToken  string
}

// newActivity records a new activity in progress.
func (s *Service) newActivity(g *group, description, cause string, in *instance) *activity {
	now := s.now()
	a := &activity{
		id:          s.env.UUID(),
		description: description,
		cause:       cause,
		status:      ActivityInProgress,
		start:       now,
		g:           g,
	}
	if in != nil {
		a.az, a.instanceID = in.az, in.id
		a.subnet = g.subnets[in.az]
	}
	// Forget finished activities older than AWS keeps them.
	drop := 0
	for drop < len(g.activities) && now.Sub(g.activities[drop].start) > activityRetention && !g.activities[drop].inProgress() {
		drop++
	}
	if drop > 0 {
		g.activities = slices.Delete(g.activities, 0, drop)
	}
	g.activities = append(g.activities, a)
	return a
}

// setActivity updates an activity still in progress.
func (s *Service) setActivity(a *activity, status string, progress int32) {
	if a == nil || !a.inProgress() {
		return
	}
	a.status, a.progress = status, progress
}

// endActivity finishes an activity.
func (s *Service) endActivity(a *activity, status, message string) {
	if a == nil || !a.inProgress() {
		return
	}
	a.status, a.statusMessage, a.progress, a.end = status, message, 100, s.now()
}

func (a *activity) describe() Activity {
	d := Activity{
		ActivityId:           a.id,
		AutoScalingGroupName: a.g.name,
		AutoScalingGroupARN:  a.g.arn,
		Description:          a.description,
		Cause:                a.cause,
		StartTime:            a.start,
		StatusCode:           a.status,
		StatusMessage:        a.statusMessage,
		Progress:             a.progress,
		Details:              a.details(),
	}
	if !a.end.IsZero() {
		end := a.end
		d.EndTime = &end
	}
	return d
}

// details is the JSON object AWS puts in Details: the subnet (for a group
// placed by VPCZoneIdentifier) and the zone.
func (a *activity) details() string {
	switch {
	case a.az == "":
		return "{}"
	case a.subnet != "":
		return `{"Subnet ID":"` + a.subnet + `","Availability Zone":"` + a.az + `"}`
	}
	return `{"Availability Zone":"` + a.az + `"}`
}

// DescribeScalingActivities lists activities, newest first.
func (s *Service) DescribeScalingActivities(in DescribeScalingActivitiesInput) (*DescribeScalingActivitiesOutput, error) {
	if len(in.ActivityIds) > 50 {
		return nil, validation("1 validation error detected: Value at 'activityIds' failed to satisfy constraint: Member must have length less than or equal to 50")
	}
	var statuses []string
	for _, f := range in.Filters {
		if f.Name != "Status" {
			return nil, validation("Filter name %q is not valid. The emulator supports the Status filter.", f.Name)
		}
		statuses = append(statuses, f.Values...)
	}
	var groups []*group
	if in.AutoScalingGroupName != "" {
		g, ok := s.groups[in.AutoScalingGroupName]
		if !ok {
			return &DescribeScalingActivitiesOutput{Activities: []Activity{}}, nil
		}
		groups = []*group{g}
	} else {
		for _, n := range s.GroupNames() {
			groups = append(groups, s.groups[n])
		}
	}
	var all []*activity
	for _, g := range groups {
		for i := len(g.activities) - 1; i >= 0; i-- {
			a := g.activities[i]
			if len(in.ActivityIds) > 0 && !contains(in.ActivityIds, a.id) {
				continue
			}
			if len(statuses) > 0 && !contains(statuses, a.status) {
				continue
			}
			all = append(all, a)
		}
	}
	if len(groups) > 1 {
		slices.SortStableFunc(all, func(a, b *activity) int { return b.start.Compare(a.start) })
	}
	start, end, next, err := page(len(all), in.MaxRecords, 100, 100, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &DescribeScalingActivitiesOutput{Activities: make([]Activity, 0, end-start), NextToken: next}
	for _, a := range all[start:end] {
		out.Activities = append(out.Activities, a.describe())
	}
	return out, nil
}

// causeAt formats one sentence of an activity cause: "At <time> <what>".
func causeAt(t time.Time, format string, args ...any) string {
	return "At " + t.UTC().Format(time.RFC3339) + " " + fmt.Sprintf(format, args...)
}

// joinCauses joins cause sentences with two spaces, as AWS does.
func joinCauses(parts ...string) string {
	kept := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "  ")
}
