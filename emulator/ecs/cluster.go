package ecs

import (
	"encoding/json"
	"strconv"
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

// clusterView says which of a cluster's optional members a response
// shows.
type clusterView struct {
	tags, settings, statistics, configuration bool
	noStatistics                              bool // an empty statistics list
}

// mutationView is what CreateCluster, UpdateClusterSettings and
// PutClusterCapacityProviders show: tags and settings, statistics as an
// empty list (the AWS CLI's create-cluster and update-cluster-settings
// examples, https://github.com/aws/aws-cli/tree/develop/awscli/examples/ecs).
var mutationView = clusterView{tags: true, settings: true, configuration: true, noStatistics: true}

// snapshot returns the cluster as a response shows it.
func (c *cluster) snapshot(v clusterView) Cluster {
	out := c.Cluster
	out.RegisteredContainerInstancesCount = int32(c.registered())
	out.RunningTasksCount = c.running
	out.PendingTasksCount = c.pending
	active, draining := c.serviceCounts()
	out.ActiveServicesCount = int32(active)
	out.CapacityProviders = append([]string{}, c.CapacityProviders...)
	out.DefaultCapacityProviderStrategy = append([]CapacityProviderStrategyItem{}, c.DefaultCapacityProviderStrategy...)
	out.Tags, out.Settings, out.Statistics, out.Configuration = nil, nil, nil, nil
	if v.tags {
		out.Tags = copyTags(c.Tags)
	}
	if v.settings {
		out.Settings = append([]ClusterSetting(nil), c.Settings...)
	}
	if v.configuration && len(c.Configuration) > 0 {
		out.Configuration = append(json.RawMessage(nil), c.Configuration...)
	}
	if v.noStatistics {
		out.Statistics = []KeyValuePair{}
	} else if v.statistics {
		// Every task and service is on EC2 here.
		n := func(k string, v int) KeyValuePair { return KeyValuePair{Name: k, Value: strconv.Itoa(v)} }
		out.Statistics = []KeyValuePair{
			n("runningEC2TasksCount", int(c.running)), n("runningFargateTasksCount", 0),
			n("pendingEC2TasksCount", int(c.pending)), n("pendingFargateTasksCount", 0),
			n("activeEC2ServiceCount", active), n("activeFargateServiceCount", 0),
			n("drainingEC2ServiceCount", draining), n("drainingFargateServiceCount", 0),
		}
	}
	return out
}

// serviceCounts counts the cluster's ACTIVE and DRAINING services.
func (c *cluster) serviceCounts() (active, draining int) {
	for _, svc := range c.services {
		switch svc.Status {
		case "ACTIVE":
			active++
		case "DRAINING":
			draining++
		}
	}
	return active, draining
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
	Settings                        []ClusterSetting               `json:"settings,omitempty"`
	Configuration                   json.RawMessage                `json:"configuration,omitempty"`
	ServiceConnectDefaults          json.RawMessage                `json:"serviceConnectDefaults,omitempty"`
	Tags                            []Tag                          `json:"tags,omitempty"`
}

// CreateClusterOutput is the CreateCluster response.
type CreateClusterOutput struct {
	Cluster *Cluster `json:"cluster,omitempty"`
}

// validSettings checks cluster settings: the one setting ECS knows is
// containerInsights, with enhanced, enabled or disabled (ClusterSetting,
// Amazon ECS API Reference,
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ClusterSetting.html).
func validSettings(settings []ClusterSetting) error {
	for _, st := range settings {
		if st.Name != "containerInsights" {
			return invalid("Invalid setting name '%s'. The only valid value is containerInsights.", st.Name)
		}
		switch st.Value {
		case "enhanced", "enabled", "disabled":
		default:
			return invalid("Invalid value '%s' for setting containerInsights. Valid values are enhanced, enabled and disabled.", st.Value)
		}
	}
	return nil
}

// mergeSettings sets each setting given, keeping the others.
func mergeSettings(cur, in []ClusterSetting) []ClusterSetting {
	out := append([]ClusterSetting(nil), cur...)
	for _, st := range in {
		found := false
		for i := range out {
			if out[i].Name == st.Name {
				out[i].Value, found = st.Value, true
			}
		}
		if !found {
			out = append(out, st)
		}
	}
	return out
}

// CreateCluster creates a cluster; creating an existing one returns it.
// Settings and configuration are stored and shown (the emulator does not
// act on them); serviceConnectDefaults is refused, as the emulator has no
// Cloud Map namespaces.
func (s *Service) CreateCluster(in CreateClusterInput) (*CreateClusterOutput, error) {
	name := in.ClusterName
	if name == "" {
		name = "default"
	}
	if !validName(name, 255) {
		return nil, invalid("Cluster name must consist of up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores.")
	}
	if c := s.clusterByKey[name]; c != nil {
		snap := c.snapshot(mutationView)
		return &CreateClusterOutput{Cluster: &snap}, nil
	}
	if err := s.checkStrategy(in.CapacityProviders, in.DefaultCapacityProviderStrategy); err != nil {
		return nil, err
	}
	if err := validSettings(in.Settings); err != nil {
		return nil, err
	}
	if err := validTags(in.Tags); err != nil {
		return nil, err
	}
	if isSet(in.ServiceConnectDefaults) {
		return nil, invalid("serviceConnectDefaults is not supported by this emulator: it has no AWS Cloud Map namespaces.")
	}
	var config json.RawMessage
	if isSet(in.Configuration) {
		config = append(config, in.Configuration...)
	}
	c := &cluster{
		Cluster: Cluster{
			ClusterArn:                      s.clusterARN(name),
			ClusterName:                     name,
			Status:                          "ACTIVE",
			CapacityProviders:               append([]string(nil), in.CapacityProviders...),
			DefaultCapacityProviderStrategy: append([]CapacityProviderStrategyItem(nil), in.DefaultCapacityProviderStrategy...),
			Settings:                        mergeSettings(nil, in.Settings),
			Configuration:                   config,
			Tags:                            append([]Tag(nil), in.Tags...),
		},
		name:      name,
		svcByName: map[string]*ECSService{},
		pools:     map[string]*pool{},
	}
	s.clusters = append(s.clusters, c)
	s.clusterByKey[name] = c
	snap := c.snapshot(mutationView)
	return &CreateClusterOutput{Cluster: &snap}, nil
}

// isSet reports whether an optional JSON member was given (not absent or
// null).
func isSet(m json.RawMessage) bool {
	return len(m) > 0 && string(m) != "null"
}

// UpdateClusterSettingsInput is the UpdateClusterSettings request.
type UpdateClusterSettingsInput struct {
	Cluster  string           `json:"cluster"`
	Settings []ClusterSetting `json:"settings"`
}

// UpdateClusterSettingsOutput is the UpdateClusterSettings response.
type UpdateClusterSettingsOutput struct {
	Cluster *Cluster `json:"cluster,omitempty"`
}

// UpdateClusterSettings sets cluster settings (containerInsights), keeping
// the ones not given.
func (s *Service) UpdateClusterSettings(in UpdateClusterSettingsInput) (*UpdateClusterSettingsOutput, error) {
	c, err := s.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	if len(in.Settings) == 0 {
		return nil, invalid("Settings cannot be empty.")
	}
	if err := validSettings(in.Settings); err != nil {
		return nil, err
	}
	c.Settings = mergeSettings(c.Settings, in.Settings)
	snap := c.snapshot(mutationView)
	return &UpdateClusterSettingsOutput{Cluster: &snap}, nil
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

// defaultSettings is what a cluster without settings of its own shows:
// the containerInsights account setting, off by default.
var defaultSettings = []ClusterSetting{{Name: "containerInsights", Value: "disabled"}}

// DescribeClusters describes clusters by name or ARN ("default" when none
// are given); unknown ones are failures with reason MISSING. Tags,
// settings, statistics and configuration are shown only when include names
// TAGS, SETTINGS, STATISTICS or CONFIGURATIONS ("If this field is omitted,
// this information isn't included", DescribeClusters, Amazon ECS API
// Reference,
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeClusters.html);
// ATTACHMENTS is accepted and adds nothing (the emulator's capacity
// providers have no attachments).
func (s *Service) DescribeClusters(in DescribeClustersInput) (*DescribeClustersOutput, error) {
	keys := in.Clusters
	if len(keys) == 0 {
		keys = []string{"default"}
	}
	if len(keys) > 100 {
		return nil, invalid("clusters can have at most 100 items.")
	}
	valid := []string{"ATTACHMENTS", "CONFIGURATIONS", "SETTINGS", "STATISTICS", "TAGS"}
	var v clusterView
	for _, f := range []struct {
		name string
		dst  *bool
	}{{"TAGS", &v.tags}, {"SETTINGS", &v.settings}, {"STATISTICS", &v.statistics}, {"CONFIGURATIONS", &v.configuration}} {
		ok, err := includes(in.Include, f.name, valid...)
		if err != nil {
			return nil, err
		}
		*f.dst = ok
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
		snap := c.snapshot(v)
		if v.settings && len(snap.Settings) == 0 {
			snap.Settings = append([]ClusterSetting(nil), defaultSettings...)
		}
		out.Clusters = append(out.Clusters, snap)
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
