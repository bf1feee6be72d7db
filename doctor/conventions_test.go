package doctor

import "github.com/drainer-dev/drainer/setup"

// SetupConventions are package setup's, as cmd/drainer passes them to
// doctor (exported for the package's external tests).
var SetupConventions = Conventions{DefaultQueue: setup.DefaultQueue, Heartbeat: setup.DefaultHeartbeat,
	HookMark: setup.HookMark, OwnerTag: setup.OwnerTag, TargetID: setup.TargetID}
