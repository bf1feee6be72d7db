module github.com/drainer-dev/drainer

go 1.26.8

require sigs.k8s.io/yaml v1.4.0
