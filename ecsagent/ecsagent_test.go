package ecsagent

import (
	"testing"
	"time"
)

// The agent reads ECS_CONTAINER_STOP_TIMEOUT as its parseDockerStopTimeout
// does: a Go duration, the last assignment winning; 0, empty or bad gives
// the 30 s default, anything under 1 s the 1 s minimum.
func TestStopTimeout(t *testing.T) {
	tests := []struct {
		userData string
		want     time.Duration
	}{
		{"", 30 * time.Second},
		{"#!/bin/bash\necho ECS_CLUSTER=web >> /etc/ecs/ecs.config", 30 * time.Second},
		{"echo ECS_CONTAINER_STOP_TIMEOUT=2m >> /etc/ecs/ecs.config", 2 * time.Minute},
		{"echo 'ECS_CONTAINER_STOP_TIMEOUT=90s' >> /etc/ecs/ecs.config", 90 * time.Second},
		{"cat <<EOF >> /etc/ecs/ecs.config\nECS_CLUSTER=web\nECS_CONTAINER_STOP_TIMEOUT=\"1h30m\"\nEOF", 90 * time.Minute},
		{"ECS_CONTAINER_STOP_TIMEOUT=10m\nECS_CONTAINER_STOP_TIMEOUT=45s", 45 * time.Second},
		{"ECS_CONTAINER_STOP_TIMEOUT=120", 30 * time.Second}, // no unit: not a duration
		{"ECS_CONTAINER_STOP_TIMEOUT=0s", 30 * time.Second},
		{"ECS_CONTAINER_STOP_TIMEOUT=", 30 * time.Second},
		{"ECS_CONTAINER_STOP_TIMEOUT=500ms", time.Second},
		{"ECS_CONTAINER_STOP_TIMEOUT=-5m", time.Second},
	}
	for _, tt := range tests {
		if got := StopTimeout(tt.userData); got != tt.want {
			t.Errorf("StopTimeout(%q) = %v, want %v", tt.userData, got, tt.want)
		}
	}
}

// The agent joins the cluster of the last ECS_CLUSTER assignment; a
// cluster ARN names its cluster; no assignment (or an empty one) names
// none.
func TestCluster(t *testing.T) {
	tests := []struct {
		userData string
		want     string
		ok       bool
	}{
		{"", "", false},
		{"#!/bin/bash\nyum install -y nginx", "", false},
		{"#!/bin/bash\necho ECS_CLUSTER=web >> /etc/ecs/ecs.config", "web", true},
		{"echo 'ECS_CLUSTER=api_2' >> /etc/ecs/ecs.config", "api_2", true},
		{"cat <<EOF >> /etc/ecs/ecs.config\nECS_CLUSTER=\"batch-jobs\"\nEOF", "batch-jobs", true},
		{"ECS_CLUSTER=old\nECS_CLUSTER=new", "new", true},
		{"ECS_CLUSTER=arn:aws:ecs:us-east-1:123456789012:cluster/prod", "prod", true},
		{"ECS_CLUSTER=arn:aws:ecs:us-east-1:123456789012:service/prod/web", "", false},
		{"ECS_CLUSTER=", "", false},
		{"ECS_CLUSTER=web\nECS_CLUSTER=", "", false},
	}
	for _, tt := range tests {
		got, ok := Cluster(tt.userData)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Cluster(%q) = %q, %t; want %q, %t", tt.userData, got, ok, tt.want, tt.ok)
		}
	}
}
