package ecs

import (
	"strings"

	"github.com/drainer-dev/drainer/emulator/core"
)

// cluster is the ground truth of one ECS cluster.
type cluster struct {
	Cluster
	name string

	instances []*ContainerInstance // registration order
	active    int                  // ACTIVE container instances (a daemon's desired count)

	tasks   []*Task // creation order; removed ones compacted lazily
	removed int
	running int32
	pending int32

	services  []*ECSService
	svcByName map[string]*ECSService
	daemons   []*ECSService

	pools map[string]*pool // placement candidates per AZ
	azs   []string         // sorted

	waiting []*ECSService // services that could not place a task
}

func errClusterNotFound() error {
	return core.ClientError("ClusterNotFoundException", "Cluster not found.")
}

// errNoContainerInstance is the answer to DeregisterContainerInstance (and
// a ListTasks containerInstance filter) naming a container instance ECS
// does not know, in the words fog-aws's ECS mock records for
// DeregisterContainerInstance; the code is InvalidParameterException, as
// ECS answers an unknown task in StopTask ("The referenced task was not
// found.").
func errNoContainerInstance(ref string) error {
	return invalid("Referenced container instance %s not found.", ref)
}

func invalid(format string, args ...any) error {
	return core.ClientError("InvalidParameterException", format, args...)
}

// cluster resolves a cluster name or ARN ("" is "default").
func (s *Service) cluster(key string) (*cluster, error) {
	if key == "" {
		key = "default"
	}
	if i := strings.Index(key, ":cluster/"); i >= 0 && strings.HasPrefix(key, "arn:") {
		key = key[i+len(":cluster/"):]
	}
	c := s.clusterByKey[key]
	if c == nil {
		return nil, errClusterNotFound()
	}
	return c, nil
}

func (s *Service) clusterARN(name string) string { return s.env.ARN("ecs", "cluster/"+name) }

// snapshot returns the cluster as DescribeClusters shows it.
func (c *cluster) snapshot() Cluster {
	out := c.Cluster
	out.RegisteredContainerInstancesCount = int32(c.registered())
	out.RunningTasksCount = c.running
	out.PendingTasksCount = c.pending
	n := 0
	for _, svc := range c.services {
		if svc.Status == "ACTIVE" {
			n++
		}
	}
	out.ActiveServicesCount = int32(n)
	out.CapacityProviders = append([]string{}, c.CapacityProviders...)
	out.DefaultCapacityProviderStrategy = append([]CapacityProviderStrategyItem{}, c.DefaultCapacityProviderStrategy...)
	return out
}

func (c *cluster) registered() int {
	n := 0
	for _, ci := range c.instances {
		if ci.Status != "INACTIVE" {
			n++
		}
	}
	return n
}

// CreateClusterInput is the CreateCluster request.
type CreateClusterInput struct {
	ClusterName                     string                         `json:"clusterName,omitempty"`
	CapacityProviders               []string                       `json:"capacityProviders,omitempty"`
	DefaultCapacityProviderStrategy []CapacityProviderStrategyItem `json:"defaultCapacityProviderStrategy,omitempty"`
	Tags                            []Tag                          `json:"tags,omitempty"`
}

// CreateClusterOutput is the CreateCluster response.
type CreateClusterOutput struct {
	Cluster *Cluster `json:"cluster,omitempty"`
}

// CreateCluster creates a cluster; creating an existing one returns it.
func (s *Service) CreateCluster(in CreateClusterInput) (*CreateClusterOutput, error) {
	name := in.ClusterName
	if name == "" {
		name = "default"
	}
	if !validName(name, 255) {
		return nil, invalid("Cluster name must consist of up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores.")
	}
	if c := s.clusterByKey[name]; c != nil {
		snap := c.snapshot()
		return &CreateClusterOutput{Cluster: &snap}, nil
	}
	if err := s.checkStrategy(in.CapacityProviders, in.DefaultCapacityProviderStrategy); err != nil {
		return nil, err
	}
	c := &cluster{
		Cluster: Cluster{
			ClusterArn:                      s.clusterARN(name),
			ClusterName:                     name,
			Status:                          "ACTIVE",
			CapacityProviders:               append([]string(nil), in.CapacityProviders...),
			DefaultCapacityProviderStrategy: append([]CapacityProviderStrategyItem(nil), in.DefaultCapacityProviderStrategy...),
			Tags:                            append([]Tag(nil), in.Tags...),
		},
		name:      name,
		svcByName: map[string]*ECSService{},
		pools:     map[string]*pool{},
	}
	s.clusters = append(s.clusters, c)
	s.clusterByKey[name] = c
	snap := c.snapshot()
	return &CreateClusterOutput{Cluster: &snap}, nil
}

// DescribeClustersInput is the DescribeClusters request.
type DescribeClustersInput struct {
	Clusters []string `json:"clusters,omitempty"`
	Include  []string `json:"include,omitempty"`
}

// DescribeClustersOutput is the DescribeClusters response.
type DescribeClustersOutput struct {
	Clusters []Cluster `json:"clusters"`
	Failures []Failure `json:"failures"`
}

// DescribeClusters describes clusters by name or ARN ("default" when none
// are given); unknown ones are failures with reason MISSING.
func (s *Service) DescribeClusters(in DescribeClustersInput) (*DescribeClustersOutput, error) {
	keys := in.Clusters
	if len(keys) == 0 {
		keys = []string{"default"}
	}
	if len(keys) > 100 {
		return nil, invalid("clusters can have at most 100 items.")
	}
	out := &DescribeClustersOutput{Clusters: []Cluster{}, Failures: []Failure{}}
	for _, k := range keys {
		c, err := s.cluster(k)
		if err != nil {
			arn := k
			if !strings.HasPrefix(k, "arn:") {
				arn = s.clusterARN(k)
			}
			out.Failures = append(out.Failures, Failure{Arn: arn, Reason: "MISSING"})
			continue
		}
		out.Clusters = append(out.Clusters, c.snapshot())
	}
	return out, nil
}

// ListClustersInput is the ListClusters request.
type ListClustersInput struct {
	MaxResults *int32 `json:"maxResults,omitempty"`
	NextToken  string `json:"nextToken,omitempty"`
}

// ListClustersOutput is the ListClusters response.
type ListClustersOutput struct {
	ClusterArns []string `json:"clusterArns"`
	NextToken   string   `json:"nextToken,omitempty"`
}

// ListClusters lists cluster ARNs in creation order, paginated.
func (s *Service) ListClusters(in ListClustersInput) (*ListClustersOutput, error) {
	arns := make([]string, len(s.clusters))
	for i, c := range s.clusters {
		arns[i] = c.ClusterArn
	}
	page, next, err := paginate(arns, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &ListClustersOutput{ClusterArns: page, NextToken: next}, nil
}

// addTask appends t to the cluster's creation-ordered list.
func (c *cluster) addTask(t *Task) { c.tasks = append(c.tasks, t) }

// forgetTask marks t gone and compacts the list once half of it is gone, so
// removal is amortised O(1).
func (c *cluster) forgetTask(t *Task) {
	t.removed = true
	c.removed++
	if c.removed > 64 && c.removed*2 > len(c.tasks) {
		kept := c.tasks[:0]
		for _, x := range c.tasks {
			if !x.removed {
				kept = append(kept, x)
			}
		}
		clear(c.tasks[len(kept):])
		c.tasks = kept
		c.removed = 0
	}
}
