package main

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/web"
)

// awsSource feeds the dashboard from AWS itself when drainer runs against
// a real account: the same page as under drainer dev. Reading the groups,
// container instances and activities costs API calls, so a snapshot is
// rebuilt every refresh interval and served from memory in between.
type awsSource struct {
	c        cloud.Cloud
	rec      *drain.Reconciler
	clusters []string
	clk      clock.Clock
	log      *slog.Logger

	mu   sync.Mutex
	snap web.Snapshot
}

// dashboardRefresh is how often the dashboard re-reads AWS.
const dashboardRefresh = 5 * time.Second

// Snapshot implements web.Source: the last snapshot of AWS, with the
// drains (and their tasks left, as of the reconciler's last look) fresh
// from memory.
func (s *awsSource) Snapshot() web.Snapshot {
	s.mu.Lock()
	snap := s.snap
	s.mu.Unlock()
	snap.Time = s.clk.Now()
	snap.Speed = 1
	for _, st := range s.rec.Drains() {
		snap.Drains = append(snap.Drains, web.DrainFromStatus(st))
	}
	return snap
}

// run refreshes the snapshot every dashboardRefresh until ctx ends (the
// caller takes the first one before serving).
func (s *awsSource) run(ctx context.Context) {
	for {
		if clock.Sleep(ctx, s.clk, dashboardRefresh) != nil {
			return
		}
		s.refresh(ctx)
	}
}

func (s *awsSource) refresh(ctx context.Context) {
	var snap web.Snapshot
	groups, err := s.c.DescribeGroups(ctx, nil)
	if err != nil {
		s.log.Warn("dashboard: describe groups", "error", err)
	}
	for _, g := range groups {
		wg := web.Group{Name: g.Name, Min: int32(g.MinSize), Max: int32(g.MaxSize), Desired: int32(g.DesiredCapacity), Instances: []web.GroupInstance{}}
		for _, in := range g.Instances {
			wg.Instances = append(wg.Instances, web.GroupInstance{InstanceID: in.InstanceID, AZ: in.AvailabilityZone,
				LifecycleState: in.LifecycleState, HealthStatus: in.HealthStatus, Protected: in.ProtectedFromScaleIn})
		}
		snap.Groups = append(snap.Groups, wg)
	}
	if acts, err := s.c.ScalingActivities(ctx, activitiesShown); err == nil {
		for _, a := range acts {
			wa := web.Activity{Group: a.Group, Status: a.Status, Description: a.Description, Cause: a.Cause, Start: a.Start}
			if !a.End.IsZero() {
				end := a.End
				wa.End = &end
			}
			snap.Activities = append(snap.Activities, wa)
		}
	} else {
		s.log.Warn("dashboard: scaling activities", "error", err)
	}
	clusters := s.clusters
	if len(clusters) == 0 {
		if clusters, err = s.c.ListClusters(ctx); err != nil {
			s.log.Warn("dashboard: list clusters", "error", err)
		}
	}
	for _, cl := range clusters {
		wc := web.Cluster{Name: cl[strings.LastIndex(cl, "/")+1:], ContainerInstances: []web.ContainerInstance{}}
		cis, err := s.c.ListContainerInstances(ctx, cl, "")
		if err != nil {
			s.log.Warn("dashboard: container instances", "cluster", cl, "error", err)
		}
		for _, ci := range cis {
			wc.ContainerInstances = append(wc.ContainerInstances, web.ContainerInstance{ID: lastPart(ci.ARN), EC2InstanceID: ci.EC2InstanceID,
				Status: string(ci.Status), AgentConnected: ci.AgentConnected, RunningTasks: int32(ci.RunningTasks), PendingTasks: int32(ci.PendingTasks)})
		}
		snap.Clusters = append(snap.Clusters, wc)
	}
	s.mu.Lock()
	s.snap = snap
	s.mu.Unlock()
}
