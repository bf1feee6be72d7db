module github.com/drainer-dev/drainer

go 1.26.8
