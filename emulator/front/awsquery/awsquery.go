// Package awsquery serves the emulated services that speak AWS's query
// protocols: Auto Scaling (awsQuery, Version 2011-01-01), EC2 (ec2Query,
// Version 2016-11-15) and SQS for older clients (awsQuery, 2012-11-05).
package awsquery

import (
	"net/http"

	"github.com/drainer-dev/drainer/emulator"
)

// Serve answers one query-protocol request (form Action and Version) made
// by caller.
func Serve(w *emulator.World, caller string, rw http.ResponseWriter, r *http.Request) {
	http.Error(rw, "not implemented yet", http.StatusNotImplemented)
}
