package web

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/drainer-dev/drainer/awsid"
	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/drain"
)

// ActivitiesShown is how many scaling activities the dashboard lists.
const ActivitiesShown = 30

// CloudRefresh is how often a CloudSource re-reads AWS.
const CloudRefresh = 5 * time.Second

// CloudReader is what a CloudSource reads of AWS.
type CloudReader interface {
	DescribeGroups(ctx context.Context, names []string) ([]cloud.Group, error)
	ScalingActivities(ctx context.Context, most int) ([]cloud.Activity, error)
	ListClusters(ctx context.Context) ([]string, error)
	ListContainerInstances(ctx context.Context, cluster string, status cloud.ContainerInstanceStatus) ([]cloud.ContainerInstance, error)
}

// CloudSource feeds the dashboard from AWS itself when drainer runs
// against a real account: the same page as under drainer dev. Reading the
// groups, container instances and activities costs API calls
// (DescribeAutoScalingGroups, DescribeScalingActivities, ListClusters
// without --cluster, and ListContainerInstances with
// DescribeContainerInstances per cluster), so a snapshot is rebuilt every
// CloudRefresh by Run and served from memory in between; the drains come
// fresh from drainer's memory.
type CloudSource struct {
	c        CloudReader
	drains   func() []drain.Status
	clusters []string
	clk      clock.Clock
	log      *slog.Logger

	mu   sync.Mutex
	snap Snapshot
}

// NewCloudSource reads c for the clusters served (none: every cluster),
// with the drains of drains and the time of clk.
func NewCloudSource(c CloudReader, drains func() []drain.Status, clusters []string, clk clock.Clock, log *slog.Logger) *CloudSource {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &CloudSource{c: c, drains: drains, clusters: clusters, clk: clk, log: log}
}

// Snapshot implements Source: the last snapshot of AWS, with the drains
// (and their tasks left, as of their last look) fresh from memory.
func (s *CloudSource) Snapshot() Snapshot {
	s.mu.Lock()
	snap := s.snap
	s.mu.Unlock()
	snap.Time = s.clk.Now()
	snap.Speed = 1
	for _, st := range s.drains() {
		snap.Drains = append(snap.Drains, DrainFromStatus(st))
	}
	return snap
}

// Run refreshes the snapshot at once, then every CloudRefresh, until ctx
// ends.
func (s *CloudSource) Run(ctx context.Context) {
	for {
		s.Refresh(ctx)
		if clock.Sleep(ctx, s.clk, CloudRefresh) != nil {
			return
		}
	}
}

// Refresh rebuilds the snapshot from AWS; what cannot be read is logged
// and left out.
func (s *CloudSource) Refresh(ctx context.Context) {
	var snap Snapshot
	groups, err := s.c.DescribeGroups(ctx, nil)
	if err != nil {
		s.log.Warn("dashboard: describe groups", "error", err)
	}
	for _, g := range groups {
		wg := Group{Name: g.Name, Min: int32(g.MinSize), Max: int32(g.MaxSize), Desired: int32(g.DesiredCapacity), Instances: []GroupInstance{}}
		for _, in := range g.Instances {
			wg.Instances = append(wg.Instances, GroupInstance{InstanceID: in.InstanceID, AZ: in.AvailabilityZone,
				LifecycleState: in.LifecycleState, HealthStatus: in.HealthStatus, Protected: in.ProtectedFromScaleIn})
		}
		snap.Groups = append(snap.Groups, wg)
	}
	if acts, err := s.c.ScalingActivities(ctx, ActivitiesShown); err == nil {
		for _, a := range acts {
			wa := Activity{Group: a.Group, Status: a.Status, Description: a.Description, Cause: a.Cause, Start: a.Start}
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
		wc := Cluster{Name: awsid.ClusterName(cl), ContainerInstances: []ContainerInstance{}}
		cis, err := s.c.ListContainerInstances(ctx, cl, "")
		if err != nil {
			s.log.Warn("dashboard: container instances", "cluster", cl, "error", err)
		}
		for _, ci := range cis {
			wc.ContainerInstances = append(wc.ContainerInstances, ContainerInstance{ID: awsid.ContainerInstanceID(ci.ARN), EC2InstanceID: ci.EC2InstanceID,
				Status: string(ci.Status), AgentConnected: ci.AgentConnected, RunningTasks: int32(ci.RunningTasks), PendingTasks: int32(ci.PendingTasks)})
		}
		snap.Clusters = append(snap.Clusters, wc)
	}
	s.mu.Lock()
	s.snap = snap
	s.mu.Unlock()
}
