package awsid

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// parseNamed parses the ARN of a regional resource of service whose
// resource part is the resource's bare name, arn:PARTITION:SERVICE:REGION:ACCOUNT:NAME
// (an SQS queue, an SNS topic). It fails with an error wrapping notIt for
// anything else: not an ARN, another service's, a region or account
// missing, or a resource that is not one name (empty, or with a ":" or
// "/", which neither a queue nor a topic name may hold).
func parseNamed(s, service string, notIt error) (arn.ARN, error) {
	a, err := arn.Parse(s)
	switch {
	case err != nil:
		return arn.ARN{}, fmt.Errorf("%s is %w: %w", quote(s), notIt, err)
	case a.Service != service:
		return arn.ARN{}, fmt.Errorf("%s is %w: its service is %s", quote(s), notIt, quote(a.Service))
	case a.Region == "" || a.AccountID == "":
		return arn.ARN{}, fmt.Errorf("%s is %w: it names no region or no account", quote(s), notIt)
	case a.Resource == "":
		return arn.ARN{}, fmt.Errorf("%s is %w: it names no resource", quote(s), notIt)
	case strings.ContainsAny(a.Resource, ":/"):
		return arn.ARN{}, fmt.Errorf("%s is %w: its resource %s is not a name", quote(s), notIt, quote(a.Resource))
	}
	return a, nil
}
