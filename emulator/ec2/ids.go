package ec2

import (
	"net/http"
	"strings"

	"github.com/drainer-dev/drainer/emulator/core"
)

// wellFormed reports whether id is prefix followed by 8 or 17 lowercase hex
// digits, the two lengths EC2 has used for resource ids.
func wellFormed(id, prefix string) bool {
	if !strings.HasPrefix(id, prefix) {
		return false
	}
	h := id[len(prefix):]
	if len(h) != 8 && len(h) != 17 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// newID returns a fresh id with prefix that is not in use according to taken.
func (s *Service) newID(prefix string, taken func(string) bool) string {
	for {
		id := s.env.ID(prefix, 17)
		if !taken(id) {
			return id
		}
	}
}

func errMalformedInstanceID(id string) error {
	return core.ClientError("InvalidInstanceID.Malformed", "Invalid id: %q", id)
}

// errInstancesNotFound words the error as EC2 does for one or several ids.
func errInstancesNotFound(ids []string) error {
	if len(ids) == 1 {
		return core.ClientError("InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", ids[0])
	}
	return core.ClientError("InvalidInstanceID.NotFound", "The instance IDs '%s' do not exist", strings.Join(ids, ", "))
}

func errMalformedENIID(id string) error {
	return core.ClientError("InvalidNetworkInterfaceID.Malformed", "Invalid id: %q (expecting \"eni-...\")", id)
}

func errENIsNotFound(ids []string) error {
	if len(ids) == 1 {
		return core.ClientError("InvalidNetworkInterfaceID.NotFound", "The networkInterface ID '%s' does not exist", ids[0])
	}
	return core.ClientError("InvalidNetworkInterfaceID.NotFound", "The networkInterface IDs '%s' do not exist", strings.Join(ids, ", "))
}

func errMissing(param string) error {
	return core.ClientError("MissingParameter", "The request must contain the parameter %s", param)
}

// dedupe returns ids without repeats, first occurrence kept.
func dedupe(ids []string) []string {
	if len(ids) < 2 {
		return ids
	}
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// dryRun answers a request whose DryRun flag is set once it has been
// checked: EC2 then does nothing and answers DryRunOperation (HTTP 412),
// "Request would have succeeded, but DryRun flag is set." A caller without
// the permission would get UnauthorizedOperation; the emulator has no IAM,
// so every caller is allowed.
//
// Source: every EC2 action's DryRun parameter, e.g. "DescribeInstances"
// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstances.html):
// "Checks whether you have the required permissions for the operation,
// without actually making the request, and provides an error response. If
// you have the required permissions, the error response is DryRunOperation.
// Otherwise, it is UnauthorizedOperation."
func dryRun(flag *bool) error {
	if flag != nil && *flag {
		return core.Errorf(http.StatusPreconditionFailed, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
	}
	return nil
}
