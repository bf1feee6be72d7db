package awsid

import (
	"errors"
	"testing"
)

// The ARN shapes of "Amazon Resource Names (ARNs) and IDs" in the Amazon ECS
// Developer Guide: the new format names the cluster, the old one does not.
const (
	clusterARN    = "arn:aws:ecs:us-east-1:123456789012:cluster/prod"
	newCI         = "arn:aws:ecs:us-east-1:123456789012:container-instance/prod/1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e"
	oldCI         = "arn:aws:ecs:us-east-1:123456789012:container-instance/f2756532-8f13-4d53-87c9-aed50dc94cd7"
	newTask       = "arn:aws:ecs:us-east-1:123456789012:task/prod/0a121d0f9c5c5058de749380900ea6f8"
	oldTask       = "arn:aws:ecs:us-east-1:123456789012:task/1dc5c17a-422b-4dc4-b493-371970c6c4d6"
	newService    = "arn:aws:ecs:us-east-1:123456789012:service/prod/web"
	oldService    = "arn:aws:ecs:us-east-1:123456789012:service/web"
	taskDef       = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7"
	chinaCI       = "arn:aws-cn:ecs:cn-north-1:123456789012:container-instance/batch_2/9f8e7d6c5b4a39281706f5e4d3c2b1a0"
	govTask       = "arn:aws-us-gov:ecs:us-gov-west-1:123456789012:task/web-cluster/5c9a8b7d6e5f40312a1b0c9d8e7f6a5b"
	sqsQueue      = "arn:aws:sqs:us-east-1:123456789012:drainer"
	asgARN        = "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:8e6f4b52-3c1a-4d2e-9f7b-0a1b2c3d4e5f:autoScalingGroupName/prod-asg"
	containerARN  = "arn:aws:ecs:us-west-1:123456789123:container/32624152-9086-4f0e-acae-1a75b14fe4d9"
	capacityProvd = "arn:aws:ecs:us-east-1:123456789012:capacity-provider/prod-cp"
)

func TestParseECS(t *testing.T) {
	for _, tc := range []struct {
		in                string
		typ, cluster, id  string
		partition, region string
	}{
		{clusterARN, TypeCluster, "prod", "", "aws", "us-east-1"},
		{newCI, TypeContainerInstance, "prod", "1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e", "aws", "us-east-1"},
		{oldCI, TypeContainerInstance, "", "f2756532-8f13-4d53-87c9-aed50dc94cd7", "aws", "us-east-1"},
		{newTask, TypeTask, "prod", "0a121d0f9c5c5058de749380900ea6f8", "aws", "us-east-1"},
		{oldTask, TypeTask, "", "1dc5c17a-422b-4dc4-b493-371970c6c4d6", "aws", "us-east-1"},
		{newService, TypeService, "prod", "web", "aws", "us-east-1"},
		{oldService, TypeService, "", "web", "aws", "us-east-1"},
		{taskDef, "task-definition", "", "web:7", "aws", "us-east-1"},
		{capacityProvd, "capacity-provider", "", "prod-cp", "aws", "us-east-1"},
		{containerARN, "container", "", "32624152-9086-4f0e-acae-1a75b14fe4d9", "aws", "us-west-1"},
		{chinaCI, TypeContainerInstance, "batch_2", "9f8e7d6c5b4a39281706f5e4d3c2b1a0", "aws-cn", "cn-north-1"},
		{govTask, TypeTask, "web-cluster", "5c9a8b7d6e5f40312a1b0c9d8e7f6a5b", "aws-us-gov", "us-gov-west-1"},
	} {
		r, err := ParseECS(tc.in)
		if err != nil {
			t.Errorf("ParseECS(%q): %v", tc.in, err)
			continue
		}
		if r.Type != tc.typ || r.Cluster != tc.cluster || r.ID != tc.id || r.ARN.Partition != tc.partition || r.ARN.Region != tc.region || r.ARN.AccountID == "" {
			t.Errorf("ParseECS(%q) = %+v, want type %q cluster %q id %q in %s %s", tc.in, r, tc.typ, tc.cluster, tc.id, tc.partition, tc.region)
		}
		if r.ARN.String() != tc.in {
			t.Errorf("ParseECS(%q).ARN = %q: the parts do not add back up", tc.in, r.ARN)
		}
	}
}

func TestParseECSRefuses(t *testing.T) {
	for _, in := range []string{
		"",
		"prod",
		"f2756532-8f13-4d53-87c9-aed50dc94cd7",
		"arn:aws:ecs:us-east-1:123456789012", // too few sections
		"arn:aws:ecs:us-east-1:123456789012:cluster",     // no name
		"arn:aws:ecs:us-east-1:123456789012:cluster/",    // empty name
		"arn:aws:ecs:us-east-1:123456789012:cluster/a/b", // a slash in a cluster name
		"arn:aws:ecs:us-east-1:123456789012:container-instance/prod/",
		"arn:aws:ecs:us-east-1:123456789012:container-instance//1b2c3d4e",
		"arn:aws:ecs:us-east-1:123456789012:container-instance/prod/1b2c/extra",
		"arn:aws:ecs:us-east-1:123456789012:task/",
		"arn:aws:ecs:us-east-1:123456789012:/prod",
		"ecs:us-east-1:123456789012:cluster/prod", // no arn: prefix
		sqsQueue,
		asgARN,
	} {
		if r, err := ParseECS(in); err == nil || !errors.Is(err, ErrNotECSARN) {
			t.Errorf("ParseECS(%q) = %+v, %v; want an error wrapping ErrNotECSARN", in, r, err)
		}
	}
}

func TestClusterName(t *testing.T) {
	for in, want := range map[string]string{
		clusterARN: "prod",
		"arn:aws-cn:ecs:cn-north-1:123456789012:cluster/batch_2": "batch_2",
		"prod":    "prod",
		"default": "default",
		"":        "",
		// Not a cluster ARN: shown as given rather than shortened wrong.
		newCI:    newCI,
		sqsQueue: sqsQueue,
		"arn:aws:ecs:us-east-1:123456789012:cluster/a/b": "arn:aws:ecs:us-east-1:123456789012:cluster/a/b",
	} {
		if got := ClusterName(in); got != want {
			t.Errorf("ClusterName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClusterOf(t *testing.T) {
	for _, tc := range []struct {
		in, name, arn string
		err           error
	}{
		{newCI, "prod", clusterARN, nil},
		{newTask, "prod", clusterARN, nil},
		{newService, "prod", clusterARN, nil},
		{chinaCI, "batch_2", "arn:aws-cn:ecs:cn-north-1:123456789012:cluster/batch_2", nil},
		{govTask, "web-cluster", "arn:aws-us-gov:ecs:us-gov-west-1:123456789012:cluster/web-cluster", nil},
		{oldCI, "", "", ErrNoCluster},
		{oldTask, "", "", ErrNoCluster},
		{oldService, "", "", ErrNoCluster},
		{clusterARN, "", "", ErrNotECSARN}, // a cluster is not in a cluster
		{taskDef, "", "", ErrNotECSARN},
		{sqsQueue, "", "", ErrNotECSARN},
		{"prod", "", "", ErrNotECSARN},
		{"", "", "", ErrNotECSARN},
	} {
		name, err := ClusterOf(tc.in)
		if name != tc.name || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
			t.Errorf("ClusterOf(%q) = %q, %v; want %q, %v", tc.in, name, err, tc.name, tc.err)
		}
		a, err := ClusterARNOf(tc.in)
		if a != tc.arn || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
			t.Errorf("ClusterARNOf(%q) = %q, %v; want %q, %v", tc.in, a, err, tc.arn, tc.err)
		}
	}
}

func TestResourceIDs(t *testing.T) {
	for _, tc := range []struct {
		f        func(string) string
		name     string
		in, want string
	}{
		{ContainerInstanceID, "ContainerInstanceID", newCI, "1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e"},
		{ContainerInstanceID, "ContainerInstanceID", oldCI, "f2756532-8f13-4d53-87c9-aed50dc94cd7"},
		{ContainerInstanceID, "ContainerInstanceID", chinaCI, "9f8e7d6c5b4a39281706f5e4d3c2b1a0"},
		{ContainerInstanceID, "ContainerInstanceID", "1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e", "1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e"},
		{ContainerInstanceID, "ContainerInstanceID", newTask, newTask}, // another type: as given
		{ContainerInstanceID, "ContainerInstanceID", "", ""},
		{TaskID, "TaskID", newTask, "0a121d0f9c5c5058de749380900ea6f8"},
		{TaskID, "TaskID", oldTask, "1dc5c17a-422b-4dc4-b493-371970c6c4d6"},
		{TaskID, "TaskID", govTask, "5c9a8b7d6e5f40312a1b0c9d8e7f6a5b"},
		{TaskID, "TaskID", newCI, newCI},
		{TaskID, "TaskID", "not/an/arn", "not/an/arn"},
	} {
		if got := tc.f(tc.in); got != tc.want {
			t.Errorf("%s(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestClusterARNMethod(t *testing.T) {
	r, err := ParseECS(oldCI)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.ClusterARN(); got != "" {
		t.Errorf("old-format ClusterARN() = %q, want \"\"", got)
	}
	r, err = ParseECS(clusterARN)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.ClusterARN(); got != clusterARN {
		t.Errorf("a cluster's ClusterARN() = %q, want itself", got)
	}
}

func FuzzParseECS(f *testing.F) {
	for _, s := range []string{clusterARN, newCI, oldCI, newTask, oldTask, newService, taskDef, sqsQueue, "", "arn:", "arn:aws:ecs:::/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseECS(s)
		_ = ClusterName(s)
		_ = ContainerInstanceID(s)
		_ = TaskID(s)
		_ = GroupName(s)
		if err != nil {
			return
		}
		// What parsed adds back up to the input, and a cluster it names
		// parses as that cluster.
		if r.ARN.String() != s {
			t.Fatalf("ParseECS(%q).ARN = %q", s, r.ARN)
		}
		if c := r.ClusterARN(); c != "" {
			cr, err := ParseECS(c)
			if err != nil || cr.Type != TypeCluster || cr.Cluster != r.Cluster {
				t.Fatalf("cluster ARN %q of %q parses as %+v, %v", c, s, cr, err)
			}
		}
	})
}
