// Package awsjson serves the emulated services that speak AWS's JSON
// protocols: ECS (awsJson1_1, AmazonEC2ContainerServiceV20141113), SQS
// (awsJson1_0, AmazonSQS) and EventBridge (awsJson1_1, AWSEvents).
package awsjson

import (
	"net/http"

	"github.com/drainer-dev/drainer/emulator"
)

// Serve answers one JSON-protocol request (it carries X-Amz-Target) made by
// caller.
func Serve(w *emulator.World, caller string, rw http.ResponseWriter, r *http.Request) {
	http.Error(rw, "not implemented yet", http.StatusNotImplemented)
}
