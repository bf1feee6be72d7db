package awsid

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// ErrNotECSARN is wrapped by every error of ParseECS.
var ErrNotECSARN = errors.New("not an Amazon ECS ARN")

// ErrNoCluster is wrapped by ClusterOf and ClusterARNOf for an ARN of the
// old format, which does not name the cluster.
var ErrNoCluster = errors.New("the ARN does not name its cluster (the old ARN format)")

// The resource types of ECS ARNs this package takes apart.
const (
	TypeCluster           = "cluster"
	TypeContainerInstance = "container-instance"
	TypeTask              = "task"
	TypeService           = "service"
)

// ECSResource is an Amazon ECS ARN taken apart. ECS names container
// instances, tasks and services in two formats (see "Amazon Resource
// Names (ARNs) and IDs" in the Amazon ECS Developer Guide,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-account-settings.html#ecs-resource-ids):
//
//	cluster             arn:aws:ecs:REGION:ACCOUNT:cluster/CLUSTER
//	container instance  arn:aws:ecs:REGION:ACCOUNT:container-instance/CLUSTER/ID  (new)
//	                    arn:aws:ecs:REGION:ACCOUNT:container-instance/ID          (old)
//	task                arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID                (new)
//	                    arn:aws:ecs:REGION:ACCOUNT:task/ID                        (old)
//	service             arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME           (new)
//	                    arn:aws:ecs:REGION:ACCOUNT:service/NAME                   (old)
//
// The new format is the only one for resources created since April 2021
// (https://aws.amazon.com/blogs/compute/migrating-your-amazon-ecs-deployment-to-the-new-arn-and-resource-id-format-2/);
// older ones may keep the old one for as long as they live.
type ECSResource struct {
	// ARN is the whole ARN as the SDK's parser splits it (partition,
	// service "ecs", region, account, resource).
	ARN arn.ARN
	// Type is the resource type: TypeCluster, TypeContainerInstance,
	// TypeTask, TypeService, or another ECS type (task-definition,
	// capacity-provider, …) of which only ID is filled.
	Type string
	// Cluster is the cluster's name: the cluster itself for TypeCluster,
	// the cluster the resource belongs to in the new format, "" in the old.
	Cluster string
	// ID is what follows the cluster: the container instance or task id,
	// or the service name; for another type, the whole resource after the
	// type; "" for TypeCluster.
	ID string
}

// ParseECS takes apart an Amazon ECS ARN (see ECSResource). It returns an
// error wrapping ErrNotECSARN for anything that is not one: not an ARN, an
// ARN of another service, or an ECS resource missing its parts.
func ParseECS(s string) (ECSResource, error) {
	a, err := arn.Parse(s)
	if err != nil {
		return ECSResource{}, fmt.Errorf("%s is %w: %w", quote(s), ErrNotECSARN, err)
	}
	if a.Service != "ecs" {
		return ECSResource{}, fmt.Errorf("%s is %w: its service is %s", quote(s), ErrNotECSARN, quote(a.Service))
	}
	typ, rest, ok := strings.Cut(a.Resource, "/")
	if !ok || typ == "" || rest == "" {
		return ECSResource{}, fmt.Errorf("%s is %w: its resource %s is not TYPE/NAME", quote(s), ErrNotECSARN, quote(a.Resource))
	}
	r := ECSResource{ARN: a, Type: typ}
	// A cluster name is letters, digits, hyphens and underscores
	// (clusterName in ECS CreateCluster,
	// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html);
	// ids and service names have no slash either. Other types keep their
	// whole resource as ID.
	parts := strings.Split(rest, "/")
	switch {
	case typ == TypeCluster && len(parts) == 1:
		r.Cluster = rest
	case typ == TypeContainerInstance || typ == TypeTask || typ == TypeService:
		switch len(parts) {
		case 1:
			r.ID = parts[0]
		case 2:
			r.Cluster, r.ID = parts[0], parts[1]
		}
	case typ != TypeCluster:
		r.ID = rest
		return r, nil
	}
	if r.Cluster == "" && r.ID == "" || slices.Contains(parts, "") {
		return ECSResource{}, fmt.Errorf("%s is %w: %s is not a %s resource", quote(s), ErrNotECSARN, quote(a.Resource), typ)
	}
	return r, nil
}

// ClusterARN is the ARN of the cluster r names, in r's partition, region
// and account; "" when r does not name its cluster (the old format).
func (r ECSResource) ClusterARN() string {
	if r.Cluster == "" {
		return ""
	}
	c := r.ARN
	c.Resource = TypeCluster + "/" + r.Cluster
	return c.String()
}

// ClusterName returns the name of a cluster given by its ARN
// (arn:aws:ecs:us-east-1:123456789012:cluster/prod → prod) or by its name
// (prod → prod): ECS accepts either wherever it takes a cluster. Anything
// else, an ARN of another resource included, is returned as given.
func ClusterName(s string) string {
	if r, err := ParseECS(s); err == nil && r.Type == TypeCluster {
		return r.Cluster
	}
	return s
}

// ClusterOf returns the name of the cluster a container instance, task or
// service ARN belongs to. It fails with ErrNoCluster for the old format,
// and with ErrNotECSARN for anything else.
func ClusterOf(s string) (string, error) {
	r, err := clustered(s)
	if err != nil {
		return "", err
	}
	return r.Cluster, nil
}

// ClusterARNOf returns the ARN of the cluster a container instance, task or
// service ARN belongs to
// (arn:aws:ecs:R:A:container-instance/prod/ID → arn:aws:ecs:R:A:cluster/prod).
// It fails as ClusterOf does.
func ClusterARNOf(s string) (string, error) {
	r, err := clustered(s)
	if err != nil {
		return "", err
	}
	return r.ClusterARN(), nil
}

// clustered parses a container instance, task or service ARN that names
// its cluster.
func clustered(s string) (ECSResource, error) {
	r, err := ParseECS(s)
	switch {
	case err != nil:
		return r, err
	case r.Type != TypeContainerInstance && r.Type != TypeTask && r.Type != TypeService:
		return ECSResource{}, fmt.Errorf("%s is a %s ARN, not one of a container instance, task or service: %w", quote(s), r.Type, ErrNotECSARN)
	case r.Cluster == "":
		return ECSResource{}, fmt.Errorf("%s: %w", quote(s), ErrNoCluster)
	}
	return r, nil
}

// ContainerInstanceID returns the id of a container instance given by its
// ARN in either format, or by its id (ECS accepts either). Anything else is
// returned as given.
func ContainerInstanceID(s string) string { return idOf(s, TypeContainerInstance) }

// TaskID returns the id of a task given by its ARN in either format, or by
// its id (ECS accepts either). Anything else is returned as given.
func TaskID(s string) string { return idOf(s, TypeTask) }

func idOf(s, typ string) string {
	if r, err := ParseECS(s); err == nil && r.Type == typ {
		return r.ID
	}
	return s
}
